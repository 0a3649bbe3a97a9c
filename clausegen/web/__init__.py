"""The web form for sales staff: fill in or upload a deal, see the screening, download the documents.

A small Flask application at the level of the command line: it calls
:mod:`clausegen.api` and the modules below it, and nothing imports it but the
CLI.  Pages are rendered on the server (Jinja, autoescaped); the deal travels
in the form itself (a hidden field once checked), so the server keeps no deal
data anywhere but the register.

Safety: loopback only by default (and then only loopback clients and
``Host: 127.0.0.1 / localhost``, against DNS rebinding); any other address
needs an access token, checked on every request in constant time.  A failure
is a message on the page and a log line, never a traceback.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import ipaddress
import json
import logging
import os
import re
import sys
import tempfile
import threading
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from flask import Flask, Response, redirect, render_template, request, send_file
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler, make_server

from .. import api
from .. import library as lib, pdf as pdf_conversion
from ..errors import BlockedError, ClausegenError, DealError, ExitCode, Problem
from ..model import CompanyProfile
from ..screening import BLOCKING, Decision, Screening
from ..sources import MAX_DEAL_BYTES, RawRecord, parse_text
from ..validation import Validated, validate_deal, validate_profile
from . import forms

log = logging.getLogger("clausegen.web")

TOKEN_ENV = "CLAUSEGEN_TOKEN"
TOKEN_HEADER = "X-Clausegen-Token"
TOKEN_COOKIE = "clausegen_token"
MIN_TOKEN_LENGTH = 16
SOURCE = "web form"
#: An upload is one deal file; the rest of a request is a few form fields.
MAX_REQUEST_BYTES = MAX_DEAL_BYTES + 64 * 1024
_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
}


class ServeError(ClausegenError):
    """The server cannot start as asked (no token for a public address, port taken, ...)."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ------------------------------------------------------------------ what the page says about a decision


@dataclass(frozen=True)
class DecisionView:
    title: str
    tone: str  # ok | warn | stop
    summary: str
    next_steps: tuple[str, ...] = ()


DECISIONS: dict[str, DecisionView] = {
    Decision.PROCEED: DecisionView(
        "Можно заключать / Proceed", "ok",
        "No Annex 1 indicator found and nothing under section 4. Put the annex into the contract and send the "
        "counterparty the responsible-export notice."),
    Decision.ENHANCED_DUE_DILIGENCE: DecisionView(
        "Углублённая проверка / Enhanced due diligence", "warn",
        "Annex 1 indicators fired (section 5.1). The annex carries the enhanced terms.",
        ("Send the counterparty the request for end-use information and the end-use statement to sign.",
         "Check the answers before the contract is signed; if they raise a concern under section 4, tick it "
         "under «Что известно / What is known» and check again.",
         "Keep the screening report with the deal file.")),
    Decision.PROCEED_WITH_PERMISSION: DecisionView(
        "Можно заключать с разрешением / Proceed with the Commission's permission", "ok",
        "Section 4.2/4.3 applies and the Export Control Commission's permission is on file; the annex cites it."),
    Decision.PERMISSION_REQUIRED: DecisionView(
        "Приостановить / On hold: permission required", "stop",
        "Section 4.2/4.3: the export needs the Export Control Commission's permission. Until it is granted, "
        "no annex may be signed.",
        ("Send the counterparty the hold letter below together with the request for end-use information and "
         "the end-user statement form: the hold letter cites both, and the application needs the end user's data.",
         "Apply to the Export Control Commission for permission with the answers and the signed statement.",
         "When the permission is granted, enter its number and date under «Что известно / What is known» and "
         "check again: the annex then becomes available and cites the permission.")),
    Decision.REFUSE: DecisionView(
        "Отказаться / Refuse", "stop",
        "Section 4.1/4.4: refrain from the export. No annex and no other letters.",
        ("Send the counterparty the refusal letter below.",
         "Keep the screening report; tell your export-control officer.")),
    Decision.OUTSIDE_DECLARATION: DecisionView(
        "Вне Декларации / Outside the Declaration", "stop",
        "Section 1.3: the solution is on the control list (Government Resolution No. 1299). The statutory "
        "export-control procedure applies instead of the Declaration, so clausegen writes no annex and no letters.",
        ("Talk to your export-control officer about the statutory procedure.",
         "The screening report below records the decision.")),
}

LETTER_TITLES = {
    "notice": "Уведомление о политике ответственного экспорта / Responsible export policy notice",
    "enduse-request": "Запрос сведений о конечном использовании / Request for end-use information",
    "end-user-statement": "Заявление о конечном использовании / End-use and end-user statement",
    "hold": "Уведомление о приостановлении / Notice of postponement",
    "refusal": "Уведомление об отказе / Notice of refusal",
}


@dataclass(frozen=True)
class Offer:
    """A document the page offers for download."""

    key: str  # screening-report | annex | letter:<kind>
    title: str
    note: str
    recommended: bool


def offers(screening: Screening) -> list[Offer]:
    """Exactly the documents the screening gate allows, the report first."""
    result = [Offer("screening-report", "Отчёт о проверке / Screening report",
                    "Internal (section 5.3); not for the counterparty.", True)]
    if screening.annex_allowed:
        result.append(Offer("annex", "Приложение к договору / Contract annex",
                            "End-use terms (section 5.2) for the contract.", True))
    letters = sorted(screening.letters_allowed(), key=lambda kind: kind not in screening.letters)  # recommended first
    for kind in letters:
        recommended = kind in screening.letters
        result.append(Offer(f"letter:{kind}", LETTER_TITLES[kind], "Letter to the counterparty.", recommended))
    return result


# ------------------------------------------------------------------ optional collaborators


def _record(deal: Any, screening: Screening, documents: list[api.Generated], register: str | None) -> int:
    """Record a generation in the register, as the command line does."""
    return api.record(deal, screening, documents, command="web", source=SOURCE, register=register)


def _pdf_module() -> Any:
    """:mod:`clausegen.pdf` when LibreOffice is installed, else None (no PDF is offered)."""
    return pdf_conversion if pdf_conversion.available() else None


def _to_pdf(module: Any, documents: list[api.Generated]) -> list[tuple[str, bytes]]:
    """PDF copies, converted in a private temporary folder that is removed at once."""
    with tempfile.TemporaryDirectory(prefix="clausegen-web-") as tmp:
        folder = Path(tmp)
        paths = []
        for document in documents:
            path = folder / document.filename
            path.write_bytes(document.data)
            paths.append(path)
        outdir = folder / "pdf"
        outdir.mkdir()
        return [(path.name, path.read_bytes()) for path in module.convert(paths, outdir)]


# ------------------------------------------------------------------ safety helpers


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is the loopback interface."""
    if not host:
        return False
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def check_token(token: str | None) -> str | None:
    """The token, or None; a token too short to protect anything is refused."""
    if token is None or token == "":
        return None
    if len(token) < MIN_TOKEN_LENGTH or not token.isprintable() or token.strip() != token:
        raise ServeError(f"the access token must be at least {MIN_TOKEN_LENGTH} printable characters without "
                         "spaces at the ends; make one with: python3 -c \"import secrets; "
                         "print(secrets.token_urlsafe(24))\"", ExitCode.INVALID_INPUT)
    return token


# ------------------------------------------------------------------ the application


@dataclass
class _Checked:
    values: forms.FormValues
    data: dict[str, Any]
    validated: Validated | None
    errors: list[Problem]
    warnings: list[Problem]


def _load_profile(company: Path | None) -> tuple[CompanyProfile | None, RawRecord | None]:
    record = api.profile_record(company)
    return (validate_profile(record) if record is not None else None), record


def create_app(company: Path | str | None = None, token: str | None = None, register: str | Path | None = None,
               *, clauses: Path | None = None, templates: Path | None = None) -> Flask:
    """The Flask application.

    ``company``: the company profile (default ``./clausegen.yaml`` when present); ``token``: the access
    token every request must carry (None: loopback clients only); ``register``: where generations are
    recorded (None: the register's default).  An invalid profile or library raises here, before serving.
    """
    token = check_token(token)
    profile, profile_record = _load_profile(Path(company) if company is not None else None)
    library = lib.load_library(clauses)
    pdf = _pdf_module()
    register_target = str(register) if register is not None else None
    cookie_value = hmac.new(token.encode("utf-8"), b"clausegen web cookie", hashlib.sha256).hexdigest() \
        if token else None

    # Validation (langdetect), declension (pymorphy) and rendering share module-level state: one request
    # at a time does that work; LibreOffice conversions and the register run outside it.
    work = threading.RLock()

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
                      MAX_FORM_PARTS=2000, TRAP_HTTP_EXCEPTIONS=False, PROPAGATE_EXCEPTIONS=False,
                      CLAUSEGEN_TOKEN_SET=token is not None)
    app.jinja_env.autoescape = True  # every template, whatever its name
    app.jinja_env.globals.update(field_id=forms.field_id, forms=forms)

    supplier_defaults: forms.FormValues = {}
    profile_supplier: dict[str, Any] = {}
    if profile is not None:
        profile_supplier = profile.supplier.model_dump(mode="json", exclude_none=True)
        supplier_defaults, _ = forms.deal_to_form({"supplier": profile_supplier})

    # -------------------------------------------------------------- guard and headers

    @app.before_request
    def _guard() -> Response | None:
        if token is None:
            if not is_loopback(request.remote_addr):
                return _refuse(403, "This server answers only on this computer (loopback). To reach it from "
                                    "elsewhere, restart it with an access token (--token).")
            if _hostname(request.host).lower() not in _LOCAL_NAMES:
                return _refuse(403, "Open the form as http://127.0.0.1:PORT/ or http://localhost:PORT/.")
        else:
            given_query = request.args.get("token")
            if given_query is not None:
                if not _same(given_query, token):
                    return _refuse(403, "The access token is wrong.")
                if request.method == "GET":  # keep it out of the address bar and history: a cookie instead
                    response = redirect(request.path, code=303)
                    response.set_cookie(TOKEN_COOKIE, cookie_value or "", httponly=True, samesite="Strict",
                                        path="/")
                    return response
            else:
                header = request.headers.get(TOKEN_HEADER)
                authorization = request.headers.get("Authorization", "")
                if header is None and authorization.lower().startswith("bearer "):
                    header = authorization[7:].strip()
                cookie = request.cookies.get(TOKEN_COOKIE)
                if header is not None:
                    if not _same(header, token):
                        return _refuse(403, "The access token is wrong.")
                elif cookie is not None:
                    if not _same(cookie, cookie_value or ""):
                        return _refuse(403, "The access token is wrong; open the link with ?token=… again.")
                else:
                    response = _refuse(401, "This server needs an access token. Open the address with "
                                            "?token=… that the person who started it gave you.")
                    response.headers["WWW-Authenticate"] = 'Bearer realm="clausegen"'
                    return response
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin and origin != "null" and urlsplit(origin).netloc != request.host:
                return _refuse(403, "A form from another site cannot post here.")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in _HEADERS.items():
            response.headers[name] = value  # downloads too: a deal's documents are not kept in any cache
        return response

    # -------------------------------------------------------------- errors: a message and a log line

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        messages = {
            400: "The request could not be read. Reload the form and try again.",
            404: "There is no such page. Start again from the form.",
            405: "That address does not take this kind of request. Start again from the form.",
            413: f"Too large: a deal file may be at most {MAX_DEAL_BYTES // 1024} KiB.",
        }
        code = error.code or 500
        return _refuse(code, messages.get(code, error.description or "The request failed."))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        reference = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s on %s %s", reference, request.method, request.path)
        return _refuse(500, f"Something went wrong on the server, and nothing was generated. The error was "
                            f"logged under reference {reference}; please tell whoever runs clausegen.")

    def _refuse(code: int, message: str, title: str | None = None) -> Response:
        titles = {401: "Access token needed", 403: "Not allowed", 404: "Not found", 413: "Too large",
                  409: "Not allowed for this deal"}
        title = title or titles.get(code, "Something went wrong" if code >= 500 else "Cannot do that")
        html = render_template("error.html", code=code, title=title, message=message)
        return Response(html, status=code, mimetype="text/html")

    # -------------------------------------------------------------- validation and the page

    def check(data: dict[str, Any]) -> tuple[Validated | None, list[Problem], list[Problem]]:
        with work:
            return _check(data)

    def _check(data: dict[str, Any]) -> tuple[Validated | None, list[Problem], list[Problem]]:
        record = RawRecord(data, SOURCE)
        try:
            validated = validate_deal(record, profile, profile_record=profile_record)
            return validated, [], list(validated.warnings)
        except DealError as error:
            return None, list(error.problems), list(error.warnings)

    def from_form(values: forms.FormValues) -> dict[str, Any]:
        data = forms.form_to_deal(values)
        return forms.with_profile_supplier(data, profile_supplier) if profile_supplier else data

    def checked(values: forms.FormValues) -> _Checked:
        data = from_form(values)
        validated, errors, warnings = check(data)
        return _Checked(values, data, validated, errors, warnings)

    def page(state: _Checked, *, notes: list[str] | None = None, upload_problems: list[Problem] | None = None,
             status: int = 200) -> Response:
        shown: dict[str, list[tuple[str, str]]] = {}
        general: list[tuple[str, str]] = []
        summary_links: list[tuple[str, str, str]] = []
        warning_links: list[tuple[str, str, str]] = []
        for problem in state.errors + state.warnings:
            text = forms.plain(problem)
            anchor = forms.anchor_for(problem.field)
            if anchor is None:
                where = f"{problem.field}: " if problem.field else ""
                general.append((problem.severity, where + text))
                continue
            shown.setdefault(anchor, []).append((problem.severity, text))
            link = (forms.field_id(anchor), _label(anchor), text)
            (summary_links if problem.severity == "error" else warning_links).append(link)
        result = None
        if state.validated is not None:
            deal = state.validated.deal
            with work:
                screening = api.screen_deal(deal)
                summary = api.screening_summary(deal, screening, library)
            result = {
                "summary": summary,
                "view": DECISIONS[screening.decision],
                "blocked": screening.decision in BLOCKING,
                "offers": offers(screening),
                "deal_json": json.dumps(state.data, ensure_ascii=False, sort_keys=False, default=str),
                "has_letters": bool(screening.letters_allowed()),
            }
        html = render_template(
            "form.html", values=state.values, problems=shown, general=general, summary_links=summary_links,
            warning_links=warning_links,
            error_count=len(state.errors), result=result, notes=notes or [], upload_problems=upload_problems or [],
            profile=profile, supplier_defaults=supplier_defaults, pdf=pdf is not None,
            end_user_rows=_end_user_rows(state.values), max_upload_kib=MAX_DEAL_BYTES // 1024)
        return Response(html, status=status, mimetype="text/html")

    # -------------------------------------------------------------- routes

    @app.get("/")
    def index() -> Response:
        state = _Checked({}, {}, None, [], [])
        return page(state)

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    @app.post("/check")
    def check_form() -> Response:
        return page(checked(forms.read_form(request.form)))

    @app.post("/upload")
    def upload() -> Response:
        file = request.files.get("deal_file")
        if file is None or not file.filename:
            return page(_Checked({}, {}, None, [], []), notes=["Choose a deal file (YAML or JSON) first."],
                        status=400)
        name = Path(file.filename.replace("\\", "/")).name or "deal.yaml"
        raw = file.read(MAX_DEAL_BYTES + 1)
        problems: list[Problem] = []
        record = None
        if len(raw) > MAX_DEAL_BYTES:
            problems.append(Problem(f"the file is larger than {MAX_DEAL_BYTES // 1024} KiB", "", name))
        elif not name.lower().endswith((".yaml", ".yml", ".json")):
            problems.append(Problem("only YAML (.yaml, .yml) or JSON (.json) deal files can be uploaded here",
                                    "", name))
        else:
            try:
                record = parse_text(raw.decode("utf-8-sig"), name)
            except UnicodeDecodeError as error:
                problems.append(Problem(f"not UTF-8 text (byte {error.start})", "", name))
            except DealError as error:
                problems += error.problems
        if record is None:
            return page(_Checked({}, {}, None, [], []), upload_problems=problems, status=400)
        values, leftovers = forms.deal_to_form(record.data)
        if leftovers:  # say what was left out, in the validator's words where it has some (did you mean ...)
            try:
                validate_deal(record, profile)
                messages = {}
            except DealError as error:
                messages = {p.field: p for p in error.problems}
            for path in leftovers:
                found = messages.get(path) or next((p for f, p in messages.items() if f and path.startswith(f)),
                                                   None)
                message = found.message if found else "not a field of the deal form"
                problems.append(Problem(f"{message}; left out of the form", path, name, None,
                                        record.line_of(path)))
        state = checked(values)
        note = f"Loaded {name}." + (" Check the fields marked below." if state.errors else "")
        return page(state, notes=[note], upload_problems=problems)

    @app.post("/deal-file")
    def deal_file() -> Response:
        data = forms.deal_file_data(from_form(forms.read_form(request.form)))
        deal_id = data.get("deal_id")
        stem = deal_id if isinstance(deal_id, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", deal_id) \
            else "deal"
        if request.form.get("format") == "json":
            body = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
            return _attachment(body.encode("utf-8"), f"{stem}.json", "application/json")
        body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        return _attachment(body.encode("utf-8"), f"{stem}.yaml", "application/yaml")

    @app.post("/download")
    def download() -> Response:
        try:
            data = json.loads(request.form.get("deal_json", ""))
        except ValueError:
            return _refuse(400, "The checked deal did not come with the request. Check the form again.")
        if not isinstance(data, dict):
            return _refuse(400, "The checked deal did not come with the request. Check the form again.")
        validated, errors, _ = check(data)
        if validated is None:
            return _refuse(400, "The deal is not valid any more: " + "; ".join(str(p) for p in errors[:5]))
        deal = validated.deal
        screening = api.screen_deal(deal)
        wanted = request.form.get("document", "")
        if wanted == "all":
            as_pdf = request.form.get("zip_pdf") == "true"
        else:
            as_pdf = "pdf" in (request.args.get("format"), request.form.get("format"))
        lang = request.form.get("letter_lang", "both")
        lang = lang if lang in ("both", "ru", "en") else "both"
        columns = ("en", "ru") if request.form.get("columns") == "en,ru" else ("ru", "en")
        if as_pdf and pdf is None:
            return _refuse(409, "PDF is not available: LibreOffice is not installed on the server.")
        allowed = [offer.key for offer in offers(screening)]
        keys = allowed if wanted == "all" else [wanted]
        if wanted != "all" and wanted not in allowed:
            if wanted == "annex" or wanted.startswith("letter:"):
                view = DECISIONS[screening.decision]
                return _refuse(409, f"The screening decision for {deal.deal_id} is «{view.title}»: this document "
                                    f"may not be generated. {view.summary}")
            return _refuse(400, "Unknown document.")
        try:
            with work:
                documents = [_build(key, deal, screening, lang, columns) for key in keys]
        except BlockedError as error:
            log.info("blocked: %s", error)
            return _refuse(409, str(error))
        except ClausegenError as error:
            log.error("generation failed for %s: %s", deal.deal_id, error)
            return _refuse(500, f"The document could not be generated: {error}")
        pdfs: list[tuple[str, bytes]] = []
        if as_pdf:
            try:
                pdfs = _to_pdf(pdf, documents)
            except ClausegenError as error:
                log.error("PDF conversion failed for %s: %s", deal.deal_id, error)
                return _refuse(500, f"The PDF could not be made: {error}")
        try:
            row = _record(deal, screening, documents, register_target)
        except ClausegenError as error:
            log.error("register failed for %s: %s", deal.deal_id, error)
            return _refuse(500, "The documents were generated but could not be recorded in the register, so "
                                f"they are not handed out: {error}")
        log.info("generated %s for %s (register row %s)", ", ".join(d.filename for d in documents), deal.deal_id,
                 row)
        if wanted == "all":
            files = [(d.filename, d.data) for d in documents] + pdfs
            return _attachment(_zip(files), f"{deal.deal_id}-documents.zip", "application/zip")
        if as_pdf:
            name, body = pdfs[0]
            return _attachment(body, name, "application/pdf")
        document = documents[0]
        return _attachment(document.data, document.filename,
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    def _build(key: str, deal: Any, screening: Screening, lang: str, columns: tuple[str, str]) -> api.Generated:
        if key == "annex":
            return api.build_annex(deal, screening, library, templates, columns)
        if key == "screening-report":
            return api.build_report(deal, screening, library, templates)
        return api.build_letter(key.removeprefix("letter:"), deal, screening, library, templates, lang)

    return app


def _attachment(body: bytes, filename: str, mimetype: str) -> Response:
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename,
                     max_age=0)


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _label(anchor: str) -> str:
    """A person's name for the input or group ``anchor`` (for the list of problems at the top)."""
    if m := re.match(r"end_use\.end_users\[(\d+)\](?:\.(.*))?$", anchor):
        part = {"name": "name", "name.ru": "name (RU)", "name.en": "name (EN)", "country": "country",
                "address": "address", "address.ru": "address (RU)", "address.en": "address (EN)"}
        return f"End user {int(m.group(1)) + 1}: {part.get(m.group(2) or '', 'row')}"
    for section in forms.SECTIONS:
        for field in section.fields:
            if anchor == field.path:
                return f"{section.title.split(' / ')[-1]}: {field.label}"
            if anchor in field.names:
                return f"{section.title.split(' / ')[-1]}: {field.label} ({anchor.rsplit('.', 1)[-1].upper()})"
    for path, section, _ru, en in forms.KNOWLEDGE:
        if anchor == path:
            return f"{section}: {en}"
    return anchor


def _end_user_rows(values: forms.FormValues) -> list[int]:
    """The end-user rows to show: those posted or uploaded, then one empty row."""
    present = forms.end_user_indexes(values)
    return present + [max(present, default=-1) + 1]


# ------------------------------------------------------------------ serving


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, but the access log never shows a query string (it may hold the token)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if hasattr(self, "path"):
            self.path = self.path.split("?", 1)[0]
        super().log_request(code, size)


def make_web_server(host: str = "127.0.0.1", port: int = 8000, company: Path | str | None = None,
                    token: str | None = None, register: str | Path | None = None) -> Any:
    """The HTTP server of the web form, bound and ready (``serve_forever`` serves it).

    ``token`` defaults to $CLAUSEGEN_TOKEN; on any address but loopback a token is required.
    """
    token = check_token(token or os.environ.get(TOKEN_ENV) or None)
    if not is_loopback(host) and token is None:
        raise ServeError(f"refusing to listen on {host} without an access token: anyone who can reach it could "
                         f"use the form. Give --token or set {TOKEN_ENV}, or leave --host at 127.0.0.1.",
                         ExitCode.INVALID_INPUT)
    app = create_app(company=company, token=token, register=register)
    try:
        return make_server(host, port, app, threaded=True, request_handler=_RequestHandler)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def serve(host: str = "127.0.0.1", port: int = 8000, company: Path | str | None = None, token: str | None = None,
          register: str | Path | None = None) -> None:
    """Serve the web form until interrupted (Ctrl+C); see :func:`make_web_server`."""
    server = make_web_server(host, port, company, token, register)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.port}/"
    print(f"clausegen web form on {url} (Ctrl+C to stop)", file=sys.stderr)
    if server.app.config.get("CLAUSEGEN_TOKEN_SET"):
        print(f"open it once as {url}?token=<the access token>; the browser then keeps a cookie", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
