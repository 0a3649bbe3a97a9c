"""The deal form's pages: fill in or upload a deal, see the screening, download what the decision allows.

Pages are rendered on the server (Jinja, autoescaped); the deal travels in the form itself
(a hidden field once checked), so the server keeps a deal only as a draft its owner saved
or as a register row.  A failure is a message on the page and a log line, never a traceback.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, Response, g, make_response, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date

from .. import api, checkrecord
from .. import library as lib, pdf as pdf_conversion
from ..errors import BlockedError, ClausegenError, DealError, Problem
from ..register import Register
from ..screening import BLOCKING, Decision, Screening
from ..sources import MAX_DEAL_BYTES, RawRecord, parse_text
from ..validation import Validated, validate_deal, validate_profile
from . import auth, forms, i18n
from .context import Context, ctx
from .decisions import DECISIONS, offers
from .formdata import FormRequest
from .i18n import _
from .pages import refuse

log = logging.getLogger("clausegen.web")

SOURCE = "web form"
SECRET_ENV = "CLAUSEGEN_SECRET_KEY"
#: An upload is one deal file; the rest of a request is a few form fields.
MAX_REQUEST_BYTES = MAX_DEAL_BYTES + 64 * 1024

_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # "same-origin", not "no-referrer": under no-referrer a browser sends "Origin: null" even to the
    # page's own site, and the form's POSTs would be refused as cross-site (auth.py)
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
}


# ------------------------------------------------------------------ optional collaborators


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


@dataclass
class Checked:
    values: forms.FormValues
    data: dict[str, Any]
    validated: Validated | None
    errors: list[Problem]
    warnings: list[Problem]


EMPTY = Checked({}, {}, None, [], [])


# ------------------------------------------------------------------ validation, screening, the gate


def check(data: dict[str, Any], with_warnings: bool = True) -> tuple[Validated | None, list[Problem], list[Problem]]:
    context = ctx()
    record = RawRecord(data, SOURCE)
    with context.work:
        try:
            validated = validate_deal(record, context.profile, strict=context.strict,
                                      profile_record=context.profile_record, with_warnings=with_warnings)
            return validated, [], list(validated.warnings)
        except DealError as error:
            return None, list(error.problems), list(error.warnings)


def from_form(values: forms.FormValues) -> dict[str, Any]:
    data = forms.form_to_deal(values)
    supplier = ctx().profile_supplier
    return forms.with_profile_supplier(data, supplier) if supplier else data


def checked(values: forms.FormValues) -> Checked:
    data = from_form(values)
    validated, errors, warnings = check(data)
    return Checked(values, data, validated, errors, warnings)


def _deal_dump(deal: Any) -> Any:
    """The deal as the register's ``deal`` column holds it (JSON), to compare with an approved record."""
    return json.loads(json.dumps(deal.model_dump(mode="json"), ensure_ascii=False))


def approval_of(store: Register, deal: Any, screening: Screening) -> dict[str, Any] | None:
    """The register's approval of this decision for exactly this deal, or None.

    An approval covers the deal as the approver saw it (the record it names): a deal changed
    afterwards, even with the same decision, needs a new approval.
    """
    approval = store.approval(deal.deal_id, str(screening.decision))
    if approval is None:
        return None
    record = store.row(approval["record_id"])
    if record is None or record["deal_id"] != deal.deal_id or record.get("deal") != _deal_dump(deal):
        return None
    return approval


def gate(user: Any, deal: Any, screening: Screening) -> str:
    """``open`` when ``user`` may download the documents, else ``awaiting`` (a legal user's approval)."""
    if screening.decision == Decision.PROCEED or user.may_approve():
        return "open"
    return "open" if approval_of(ctx().store, deal, screening) is not None else "awaiting"


def the_check(deal: Any, screening: Screening) -> checkrecord.Check:
    """Who checked (the signed-in user) and the approval the register holds, as the command line records it."""
    user = auth.current_user()
    approval = approval_of(ctx().store, deal, screening)
    return checkrecord.resolve(deal, user=user.name, approval=approval)


def record(deal: Any, screening: Screening, documents: list[api.Generated], source: str = SOURCE) -> int:
    """Record a generation in the register, as the command line does, with the signed-in user."""
    return api.record(deal, screening, documents, command="web", source=source, register=ctx().store,
                      check=the_check(deal, screening))


# ------------------------------------------------------------------ the page


def page(state: Checked, *, notes: list[str] | None = None, upload_problems: list[Problem] | None = None,
         status: int = 200, draft_id: int | None = None) -> Response:
    context = ctx()
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
        link = (forms.field_id(anchor), forms.label_of(anchor), text)
        (summary_links if problem.severity == "error" else warning_links).append(link)
    result = None
    if state.validated is not None:
        deal = state.validated.deal
        with context.work:
            screening = api.screen_deal(deal)
            summary = api.screening_summary(deal, screening, context.library)
        result = {
            "summary": summary,
            "view": DECISIONS[screening.decision],
            "blocked": screening.decision in BLOCKING,
            "offers": offers(screening),
            "gate": gate(auth.current_user(), deal, screening),
            "deal_json": json.dumps(state.data, ensure_ascii=False, sort_keys=False, default=str),
            "has_letters": bool(screening.letters_allowed()),
            # the evidence in the page's language (field paths and codes said in words in Russian)
            "evidence": {i["number"]: i["evidence_ru"] if i18n.current() == "ru" else i["evidence"]
                         for i in summary["all_indicators"]},
        }
    html = render_template(
        "form.html", values=state.values, problems=shown, general=general, summary_links=summary_links,
        warning_links=warning_links, error_count=len(state.errors), result=result, notes=notes or [],
        upload_problems=upload_problems or [], profile=context.profile, supplier_defaults=context.supplier_defaults,
        pdf=context.pdf is not None, end_user_rows=_end_user_rows(state.values),
        max_upload_kib=MAX_DEAL_BYTES // 1024, draft_id=draft_id)
    return Response(html, status=status, mimetype="text/html")


def _end_user_rows(values: forms.FormValues) -> list[int]:
    """The end-user rows to show: those posted or uploaded, then one empty row."""
    present = forms.end_user_indexes(values)
    return present + [max(present, default=-1) + 1]


def _attachment(body: bytes, filename: str, mimetype: str) -> Response:
    """``body`` as a download named ``filename``, with the headers ``send_file(..., as_attachment=True,
    max_age=0)`` gives it (the after-request hook then makes it ``no-store``).

    Made directly: send_file wraps the bytes in a file for the server to read back in blocks and prepares
    the conditional and range answers a GET may ask for; a POST's download has none of them, and all that
    was a third of a millisecond a download.  A name that is not ASCII goes to send_file, which says it in
    RFC 5987's ``filename*`` (deal ids are ASCII, so that is only a document named otherwise).
    """
    if not filename.isascii():
        return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-cache, max-age=0"
    response.headers["Expires"] = http_date(int(time.time()))
    return response


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def read_deal_json(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The checked deal sent back by the page, read as strictly as a JSON deal file (depth, digits)."""
    if not text:
        return None, _("The checked deal did not come with the request. Check the form again.")
    try:
        data = parse_text(text, "deal.json", lines=False).data
    except DealError as error:
        return None, _("The checked deal sent with the request cannot be read: %(problem)s",
                       problem=forms.plain(error.problems[0]))
    if not isinstance(data, dict):
        return None, _("The checked deal did not come with the request. Check the form again.")
    return data, None


def posted_deal() -> tuple[dict[str, Any], Any] | Response:
    """The checked deal the page posted back, validated again: (its data, the deal), or a 400 page when it is
    missing, unreadable or no longer valid."""
    data, problem = read_deal_json(request.form.get("deal_json", ""))
    if data is None:
        return refuse(400, problem or "")
    validated, errors, _warnings = check(data, with_warnings=False)  # the page showed them when it was checked
    if validated is None:
        return refuse(400, _("The deal is not valid any more: %(problems)s",
                             problems="; ".join(forms.plain(p) for p in errors[:5])))
    return data, validated.deal


# ------------------------------------------------------------------ the application


def _load_profile(company: Path | None) -> tuple[Any, RawRecord | None]:
    record = api.profile_record(company)
    return (validate_profile(record) if record is not None else None), record


def create_app(company: Path | str | None = None, token: str | None = None, register: str | Path | Register | None = None,
               *, clauses: Path | None = None, templates: Path | None = None, strict: bool = False,
               loopback_only: bool = True, secret_key: bytes | str | None = None) -> Flask:
    """The Flask application.

    ``company``: the company profile (default ``./clausegen.yaml`` when present); ``token``: the shared
    token of scripts (None: no script access); ``register``: where generations, users and drafts are kept
    (None: the register's default); ``loopback_only``: answer only ``127.0.0.1``/``localhost`` (the server
    listens on loopback), else session cookies are sent over HTTPS only.  An invalid profile or library
    raises here, before serving.
    """
    token = auth.check_token(token)
    profile, profile_record = _load_profile(Path(company) if company is not None else None)
    store = register if isinstance(register, Register) else Register(register)
    store.engine  # noqa: B018 - open (and upgrade) the register once, before the first request
    context = Context(profile=profile, profile_record=profile_record, library=lib.load_library(clauses),
                      templates=templates, strict=strict, pdf=_pdf_module(), store=store, token=token,
                      secure_cookies=not loopback_only)
    if profile is not None:
        context.profile_supplier = profile.supplier.model_dump(mode="json", exclude_none=True)
        context.supplier_defaults, _leftovers = forms.deal_to_form({"supplier": context.profile_supplier})

    app = Flask(__name__)
    app.request_class = FormRequest  # the posted deal's escapes decoded in C (formdata.py)
    app.extensions["clausegen"] = context
    app.secret_key = secret_key or os.environ.get(SECRET_ENV) or secrets.token_bytes(32)
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
                      MAX_FORM_PARTS=2000, TRAP_HTTP_EXCEPTIONS=False, PROPAGATE_EXCEPTIONS=False,
                      SESSION_COOKIE_NAME="clausegen_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=not loopback_only,
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.jinja_env.autoescape = True  # every template, whatever its name
    app.jinja_env.globals.update(field_id=forms.field_id, forms=forms)
    i18n.install(app.jinja_env)
    auth.install(app, loopback_only=loopback_only)
    _install_errors(app)
    from . import approvals, drafts_views

    _install_form(app)
    drafts_views.install(app)
    approvals.install(app)
    return app


def _install_errors(app: Flask) -> None:
    @app.before_request
    def _language() -> None:
        g.lang = i18n.choose(request.cookies.get(i18n.COOKIE))

    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())  # language first

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in _HEADERS.items():
            response.headers[name] = value  # downloads too: a deal's documents are not kept in any cache
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        messages = {
            400: _("The request could not be read. Reload the form and try again."),
            404: _("There is no such page. Start again from the form."),
            405: _("That address does not take this kind of request. Start again from the form."),
            413: _("Too large: a deal file may be at most %(kib)s KiB.", kib=MAX_DEAL_BYTES // 1024),
        }
        code = error.code or 500
        return refuse(code, messages.get(code, _("The request failed.")))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        reference = uuid.uuid4().hex[:8]
        log.exception("unexpected error %s on %s %s", reference, request.method, request.path)
        return refuse(500, _("Something went wrong on the server, and nothing was generated. The error was logged "
                             "under reference %(reference)s; please tell whoever runs clausegen.",
                             reference=reference))

    @app.get("/language/<lang>")
    def language(lang: str) -> Response:
        target = request.args.get("next", "")
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = url_for("index")
        response = make_response(redirect(target, code=303))
        response.set_cookie(i18n.COOKIE, i18n.choose(lang), max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=ctx().secure_cookies)
        return response

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)


def _install_form(app: Flask) -> None:
    @app.get("/")
    def index() -> Response:
        return page(EMPTY)

    @app.post("/check")
    def check_form() -> Response:
        draft = request.form.get("draft_id", "")
        state = checked(forms.read_form(request.form))
        # a form with errors is a 400 (the page names each problem next to its field), as a hostile value is
        return page(state, draft_id=int(draft) if draft.isdigit() else None, status=400 if state.errors else 200)

    @app.post("/upload")
    def upload() -> Response:
        file = request.files.get("deal_file")
        if file is None or not file.filename:
            return page(EMPTY, notes=[_("Choose a deal file (YAML or JSON) first.")], status=400)
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
            return page(EMPTY, upload_problems=problems, status=400)
        values, leftovers = forms.deal_to_form(record.data)
        if leftovers:  # say what was left out, in the validator's words where it has some (did you mean ...)
            try:
                validate_deal(record, ctx().profile)
                messages = {}
            except DealError as error:
                messages = {p.field: p for p in error.problems}
            for path in leftovers:
                found = messages.get(path) or next((p for f, p in messages.items() if f and path.startswith(f)),
                                                   None)
                message = found.message if found else "not a field of the deal form"
                problems.append(Problem(f"{message}; left out of the form", path, name, None, record.line_of(path)))
        state = checked(values)
        note = _("Loaded %(name)s.", name=name) + (" " + _("Check the fields marked below.") if state.errors else "")
        return page(state, notes=[note], upload_problems=problems, status=400 if state.errors else 200)

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
        context = ctx()
        posted = posted_deal()
        if isinstance(posted, Response):
            return posted
        data, deal = posted
        with context.work:
            screening = api.screen_deal(deal)
        wanted = request.form.get("document", "")
        if wanted == "all":
            as_pdf = request.form.get("zip_pdf") == "true"
        else:
            as_pdf = "pdf" in (request.args.get("format"), request.form.get("format"))
        lang = request.form.get("letter_lang", "both")
        lang = lang if lang in ("both", "ru", "en") else "both"
        columns = ("en", "ru") if request.form.get("columns") == "en,ru" else ("ru", "en")
        if as_pdf and context.pdf is None:
            return refuse(409, _("PDF is not available: LibreOffice is not installed on the server."))
        allowed = [offer.key for offer in offers(screening)]
        keys = allowed if wanted == "all" else [wanted]
        view = DECISIONS[screening.decision]
        if wanted != "all" and wanted not in allowed:
            if wanted == "annex" or wanted.startswith("letter:"):
                return refuse(409, _("The screening decision for %(deal)s is “%(decision)s”: this document may not "
                                     "be generated.", deal=deal.deal_id, decision=_(view.title)) + " " + _(view.summary))
            return refuse(400, _("Unknown document."))
        if gate(auth.current_user(), deal, screening) != "open":
            return refuse(403, _("The decision for %(deal)s is “%(decision)s”: its documents are awaiting the "
                                 "approval of a legal user. Submit the deal for approval from the form; once it is "
                                 "approved, download them here.", deal=deal.deal_id, decision=_(view.title)))
        try:
            with context.work:
                documents = [_build(key, deal, screening, lang, columns) for key in keys]
        except BlockedError as error:
            log.info("blocked: %s", error)
            return refuse(409, str(error))
        except ClausegenError as error:
            log.error("generation failed for %s: %s", deal.deal_id, error)
            return refuse(400, _("The document could not be generated: %(error)s", error=str(error)))
        pdfs: list[tuple[str, bytes]] = []
        if as_pdf:
            try:
                pdfs = _to_pdf(context.pdf, documents)
            except ClausegenError as error:
                log.error("PDF conversion failed for %s: %s", deal.deal_id, error)
                return refuse(500, _("The PDF could not be made: %(error)s", error=str(error)))
        try:
            row = record(deal, screening, documents)
        except ClausegenError as error:
            log.error("register failed for %s: %s", deal.deal_id, error)
            return refuse(500, _("The documents were generated but could not be recorded in the register, so they "
                                 "are not handed out: %(error)s", error=str(error)))
        log.info("generated %s for %s (register row %s, user %s)", ", ".join(d.filename for d in documents),
                 deal.deal_id, row, auth.current_user().name)
        if wanted == "all":
            files = [(d.filename, d.data) for d in documents] + pdfs
            return _attachment(_zip(files), f"{deal.deal_id}-documents.zip", "application/zip")
        if as_pdf:
            name, body = pdfs[0]
            return _attachment(body, name, "application/pdf")
        document = documents[0]
        return _attachment(document.data, document.filename,
                           "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def build(key: str, deal: Any, screening: Screening, lang: str = "both",
          columns: tuple[str, str] = ("ru", "en")) -> api.Generated:
    context = ctx()
    if key == "annex":
        return api.build_annex(deal, screening, context.library, context.templates, columns)
    if key == "screening-report":
        return api.build_report(deal, screening, context.library, context.templates)
    return api.build_letter(key.removeprefix("letter:"), deal, screening, context.library, context.templates, lang)


_build = build
