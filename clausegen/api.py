"""The library API: every command of the CLI is a function here, and nothing here prints.

The steps are strung together only in this module:
sources → validation → screening → selection → composition → rendering → output.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import checkrecord, compose, library as lib, lock, render, screening as scr
from .errors import BlockedError, DealError, InputError, Problem
from .kinds import LETTER_KINDS, PACK_PARTS, EncodedJSON
from .model import CompanyProfile, Deal
from .output import sha256, write_atomic
from .selection import Selected, select
from .sources import RawRecord, read_file
from .validation import Validated, validate_deal, validate_profile

if TYPE_CHECKING:  # SQLAlchemy is imported only by what records (a fifth of a single annex's time)
    from .register import Register

PROFILE_NAME = "clausegen.yaml"


def profile_record(company: Path | None) -> RawRecord | None:
    """The company profile as read: ``company``, else ``./clausegen.yaml`` when present, else none."""
    if company is None:
        default = Path(PROFILE_NAME)
        if not default.is_file():
            return None
        company = default
    return read_file(company)


def load_profile(company: Path | None = None) -> CompanyProfile | None:
    """The company profile: ``company``, else ``./clausegen.yaml`` when present, else none."""
    record = profile_record(company)
    return validate_profile(record) if record is not None else None


def profile_register(record: RawRecord | None, profile: CompanyProfile | None) -> str | None:
    """The register the company profile names (``register:``), a relative path taken from the profile's folder."""
    if profile is None or not profile.register_at:
        return None
    target = profile.register_at
    if "://" in target or record is None or not record.file:
        return target
    return str(Path(record.file).parent / Path(target).expanduser())


def load_deal(path: Path, company: Path | None = None, *, strict: bool = False) -> Validated:
    """Read and validate one deal file (with the company profile's supplier)."""
    record = read_file(path)
    company_record = profile_record(company)
    profile = validate_profile(company_record) if company_record is not None else None
    return validate_deal(record, profile, strict=strict, profile_record=company_record)


def screen_deal(deal: Deal) -> scr.Screening:
    """Screen a validated deal (Annex 1 indicators and the section 4 decision)."""
    return scr.screen(deal)


def deal_schema() -> dict[str, Any]:
    """The JSON Schema of the deal file."""
    schema = Deal.model_json_schema()
    # The deal file as users write it: the supplier usually comes from the company profile (clausegen.yaml),
    # so an editor checking a deal against this schema must not ask for one.
    schema["required"] = [name for name in schema.get("required", []) if name != "supplier"]
    # A deal names its signed contract, or the commercial offer the annex goes with (or both).
    schema["anyOf"] = [{"required": ["contract"], "properties": {"contract": {"required": ["number", "date"]}}},
                       {"required": ["offer"]}]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "clausegen deal file"
    schema["description"] = ("One export deal of an AI solution. Every field, the activity vocabulary, the company "
                             "profile and spreadsheet columns are documented in docs/deal-format.md of the "
                             "clausegen repository; `clausegen activities` lists the activity tags.")
    return schema


@dataclass(frozen=True)
class Generated:
    """A generated document, in memory until written."""

    kind: str
    filename: str
    data: bytes
    clauses: tuple[tuple[str, int], ...] = ()
    sha256: str = ""
    rows: tuple[compose.Row, ...] = field(default=(), repr=False)
    library: str = ""  # fingerprint of the clause library it was built from
    texts: tuple[str, ...] = ()  # the text hash of each clause (lock.text_hash), as ``clauses``
    template: str = ""  # fingerprint of the template it was rendered from
    langs: tuple[str, ...] = ()  # the annex's column order, a letter's languages
    #: What the register keeps to regenerate the document as sent: (sha256, kind, bytes) of each
    #: clause text and of the template (kept in memory only; the bytes are the library's own).
    stored: tuple[tuple[str, str, bytes], ...] = field(default=(), repr=False, compare=False)


def blocked_message(screening: scr.Screening, what: str) -> str:
    """Why ``what`` may not be generated: the decision and its reasons."""
    lines = [f"{what} not generated for {screening.deal_id}: screening decision is {screening.decision}"]
    lines += [f"  {reason.section}: {reason.en}" for reason in screening.reasons]
    return "\n".join(lines)


def _properties(deal: Deal, kind: str, title: str, selected: list[Selected], library: lib.Library | str,
                template: render.CompiledTemplate, extra: tuple[tuple[str, str], ...] = ()) -> render.Properties:
    from . import __version__

    clauses = ";".join(f"{s.clause.id}@{s.clause.meta.version}" for s in selected)
    hashes = ";".join(f"{s.clause.id}@{s.clause.meta.version}={lock.text_hash(s.clause)}" for s in selected)
    fingerprint = library if isinstance(library, str) else library.fingerprint
    return render.Properties(
        title=title,
        subject=f"{deal.deal_id}: {deal.counterparty.name.get('en')}",
        creator=deal.supplier.short_name.get("en") if deal.supplier.short_name else deal.supplier.name.get("en"),
        keywords="export control; end use; clausegen",
        created=deal.basis_date,
        custom=(
            ("clausegen.deal_id", deal.deal_id),
            ("clausegen.document", kind),
            ("clausegen.clauses", clauses),
            ("clausegen.library", fingerprint),
            ("clausegen.template", template.fingerprint),
            ("clausegen.version", __version__),
            ("clausegen.clause_hashes", hashes),  # id@version=sha256 of its texts (clauses/clauses.lock)
            *extra,
        ),
    )


def build_annex(
    deal: Deal,
    screening: scr.Screening,
    library: lib.Library,
    templates: Path | None = None,
    columns: tuple[str, str] = ("ru", "en"),
) -> Generated:
    """The bilingual annex for a deal the screening allows; else :class:`BlockedError`."""
    if not screening.annex_allowed:
        raise BlockedError(blocked_message(screening, "annex"))
    selected = select(library, "annex", deal, screening)
    compiled = render.compiled_template(lib.templates_dir(templates) / "annex.docx")
    return annex_from_selection(deal, screening, selected, compiled, columns, library.fingerprint)


def annex_from_selection(deal: Deal, screening: scr.Screening, selected: list[Selected],
                         compiled: render.CompiledTemplate, columns: tuple[str, str], library: str) -> Generated:
    """The annex of clauses already selected (also those a register kept), ``library`` its fingerprint."""
    rows = compose.compose_rows(selected, deal, screening)
    title = annex_title(deal)
    data = compiled.render(compose.annex_context(rows, deal, columns),
                           _properties(deal, "annex", title, selected, library, compiled),
                           compose.unhyphenated_words(deal))
    return _generated("annex", f"{deal.deal_id}-annex.docx", data, selected, compiled, library, columns, rows)


def annex_title(deal: Deal) -> str:
    """The annex's title in the document properties: what it is attached to, the offer until the contract
    is signed."""
    if deal.basis == "offer":
        assert deal.offer is not None
        return f"Annex No. {deal.contract.annex_number} to Commercial Offer No. {deal.offer.number}"
    return f"Annex No. {deal.contract.annex_number} to Contract No. {deal.contract.number}"


def _generated(kind: str, filename: str, data: bytes, selected: list[Selected], compiled: render.CompiledTemplate,
               library: str, langs: tuple[str, ...], rows: list[compose.Row] | None = None) -> Generated:
    stored = tuple((lock.text_hash(s.clause), "clause", lock.text_record(s.clause)) for s in selected)
    return Generated(kind, filename, data, tuple((s.clause.id, s.clause.meta.version) for s in selected),
                     sha256(data), tuple(rows or ()), library, tuple(h for h, _, _ in stored), compiled.fingerprint,
                     tuple(langs), stored + ((compiled.fingerprint, "template", compiled.data),))


def annex_into(annex: Generated, host: Path) -> Generated:
    """``annex`` placed inside the host document at ``host`` (a contract, an offer): at its paragraph
    ``[[clausegen:annex]]`` or bookmark ``clausegen_annex``, else appended on a new page, as a section
    of its own; the host's styles, numbering, sections, headers and footers are kept.  Named after the
    host (``contract.docx`` → ``contract-with-annex.docx``); :class:`InputError` (exit 2) naming the
    host when it is not a readable DOCX."""
    from . import combine  # docxcompose and python-docx load only for this

    try:
        if host.stat().st_size > combine.MAX_HOST_BYTES:
            raise InputError([Problem(f"larger than {combine.MAX_HOST_BYTES >> 20} MiB", "", str(host))],
                             "cannot read the host document")
        data = host.read_bytes()
    except OSError as error:
        raise InputError([Problem(f"cannot read: {error.strerror or error}", "", str(host))],
                         "cannot read the host document") from None
    combined = combine.combine(data, annex.data, str(host))
    return dataclasses.replace(annex, filename=f"{host.stem}-with-annex.docx", data=combined,
                               sha256=sha256(combined))


def write_annex(
    deal_path: Path,
    out: Path,
    *,
    company: Path | None = None,
    clauses: Path | None = None,
    templates: Path | None = None,
    columns: tuple[str, str] = ("ru", "en"),
    strict: bool = False,
) -> tuple[Generated, Validated]:
    """Load, validate, screen and render a deal's annex, then write it atomically to ``out``."""
    validated = load_deal(deal_path, company, strict=strict)
    library = lib.load_library(clauses)
    screening = screen_deal(validated.deal)
    generated = build_annex(validated.deal, screening, library, templates, columns)
    write_atomic(out, generated.data)
    return generated, validated


_LETTER_TITLES = {
    "notice": "Responsible export policy notice",
    "enduse-request": "Request for end-use information",
    "end-user-statement": "End-use and end-user statement",
    "hold": "Notice of postponement",
    "refusal": "Notice of refusal",
}


#: The templates of a letter (both languages, one language); the end-user statement is the end
#: user's document, on its own letterhead, not the Supplier's.
LETTER_TEMPLATES = {"letter": ("letter.docx", "letter-single.docx"),
                    "end-user-statement": ("end-user-statement.docx", "end-user-statement-single.docx")}


def build_letter(
    kind: str,
    deal: Deal,
    screening: scr.Screening,
    library: lib.Library,
    templates: Path | None = None,
    lang: str = "both",
    check: checkrecord.Check | None = None,
) -> Generated:
    """A counterparty letter of ``kind`` in both languages (or one), if the screening allows it; ``check``
    dates the letters of a deal whose contract is not concluded (see :func:`letters_dated`)."""
    if kind not in LETTER_KINDS:
        raise DealError([Problem(f"unknown letter kind {kind!r}; kinds: {', '.join(LETTER_KINDS)}")])
    allowed = screening.letters_allowed()
    if kind not in allowed:
        message = blocked_message(screening, f"letter '{kind}'")
        message += "\n  letters that fit this decision: " + (", ".join(allowed) or "none")
        raise BlockedError(message)
    langs: tuple[str, ...] = ("ru", "en") if lang == "both" else (lang,)
    selected = select(library, kind, deal, screening)
    # a letter may cite the deal's annex by clause number (letters.annex), so the annex is numbered too
    annex = select(library, "annex", deal, screening) if screening.annex_allowed else []
    return letter_from_selection(kind, deal, screening, selected, letter_template(kind, templates, langs), langs,
                                 library.fingerprint, annex, check)


def letters_dated(deal: Deal, screening: scr.Screening,
                  check: checkrecord.Check | None = None) -> tuple[Deal, tuple[tuple[str, str], ...]]:
    """The deal as its letters are dated, with the property that records the date.

    A letter is dated ``letters.date``, else the contract's (or the offer's) date.  A refused deal or one
    held for a permission has no concluded contract: the date in its draft is only the day it was meant to
    be signed, perhaps after today, and a refusal takes effect "from the date of this letter".  Its letters
    bear the date of the check instead (drafting rules 6 and 7), recorded so that `verify` dates them alike.
    """
    if deal.letters.date is not None and screening.decision not in scr.BLOCKING and deal.basis == "contract" \
            and deal.contract.date is not None and deal.letters.date < deal.contract.date:
        # e.g. an offer's deal file kept its letters.date when the contract was added (review 12)
        raise DealError([Problem(
            f"{deal.letters.date.isoformat()} is before the contract's date {deal.contract.date.isoformat()}: the "
            "letters cite the contract as concluded, so they cannot be dated before it; give the date they are "
            "sent, or remove letters.date to date them by the contract", "letters.date")])
    if deal.letters.date is not None or screening.decision not in scr.BLOCKING:
        return deal, ()
    day = (check or checkrecord.resolve(deal)).date
    dated = deal.model_copy(update={"letters": deal.letters.model_copy(update={"date": day})})
    return dated, (("clausegen.letters_date", day.isoformat()),)


def letter_template(kind: str, templates: Path | None, langs: tuple[str, ...]) -> render.CompiledTemplate:
    both, single = LETTER_TEMPLATES.get(kind, LETTER_TEMPLATES["letter"])
    return render.compiled_template(lib.templates_dir(templates) / (both if len(langs) == 2 else single))


def letter_from_selection(kind: str, deal: Deal, screening: scr.Screening, selected: list[Selected],
                          compiled: render.CompiledTemplate, langs: tuple[str, ...], library: str,
                          annex: list[Selected] | tuple[Selected, ...] = (),
                          check: checkrecord.Check | None = None) -> Generated:
    """A letter of clauses already selected (also those a register kept), ``library`` its fingerprint;
    ``annex`` the deal's annex clauses, which the letter may cite by number; ``check`` as for
    :func:`letters_dated`."""
    deal, dated = letters_dated(deal, screening, check)
    rows = compose.compose_rows(selected, deal, screening, annex)
    data = compiled.render(compose.letter_context(kind, rows, deal, langs),
                           _properties(deal, kind, _LETTER_TITLES[kind], selected, library, compiled, dated),
                           compose.unhyphenated_words(deal))
    suffix = "" if len(langs) == 2 else f"-{langs[0]}"
    return _generated(kind, f"{deal.deal_id}-{kind}{suffix}.docx", data, selected, compiled, library, langs, rows)


def library_texts(library: lib.Library, templates: Path | None = None) -> dict[str, tuple[str, bytes]]:
    """Every clause text of ``library`` and every document template, by sha256, for the register
    (a batch stores them once, before its workers' rows name them)."""
    found = {lock.text_hash(clause): ("clause", lock.text_record(clause)) for clause in library.clauses.values()}
    folder = lib.templates_dir(templates)
    for name in sorted({*TEMPLATES.values(), *(single for _, single in LETTER_TEMPLATES.values())}):
        if (folder / name).is_file():  # the fingerprint of a template is the sha256 of its file
            data = (folder / name).read_bytes()
            found[sha256(data)] = ("template", data)
    return found


def build_report(deal: Deal, screening: scr.Screening, library: lib.Library, templates: Path | None = None,
                 check: checkrecord.Check | None = None) -> Generated:
    """The internal screening report (always allowed: it records the decision itself).

    ``check`` says when and by whom the check was made (default: :func:`checkrecord.resolve`
    of the deal alone, dated today unless the deal records a date).
    """
    from . import __version__, memo  # the report's words (and the ladder's) only where a report is made

    check = check or checkrecord.resolve(deal)
    selected = select(library, "annex", deal, screening) if screening.annex_allowed else []
    template = lib.templates_dir(templates) / "screening-report.docx"
    compiled = render.compiled_template(template)
    context = memo.report_context(deal, screening, selected, check, library=library.fingerprint,
                                  template=compiled.fingerprint, version=__version__)
    properties = _properties(deal, "screening-report", "Screening report", selected, library, compiled,
                             (("clausegen.check", checkrecord.encode(check)),))
    data = compiled.render(context, properties, compose.unhyphenated_words(deal))
    return Generated("screening-report", f"{deal.deal_id}-screening.docx", data,
                     tuple((s.clause.id, s.clause.meta.version) for s in selected), sha256(data),
                     library=library.fingerprint, texts=tuple(lock.text_hash(s.clause) for s in selected),
                     template=compiled.fingerprint)


def build_pack(deal: Deal, screening: scr.Screening, library: lib.Library,
               templates: Path | None = None, check: checkrecord.Check | None = None,
               into: Path | None = None) -> list[Generated]:
    """The screening report, the annex when allowed, and the letters screening recommends; with
    ``into``, the annex inside that host document (:func:`annex_into`), the others as they are."""
    documents = build_documents(deal, screening, library, templates, check=check)
    if into is None:
        return documents
    return [annex_into(document, into) if document.kind == "annex" else document for document in documents]


def screening_summary(deal: Deal, screening: scr.Screening, library: lib.Library,
                      check: checkrecord.Check | None = None) -> dict[str, Any]:
    """Everything `clausegen screen --json` prints: the decision and the whole 5.3 record of the report."""
    from . import labels, memo

    check = check or checkrecord.resolve(deal)
    selected = select(library, "annex", deal, screening) if screening.annex_allowed else []
    return {
        "deal_id": deal.deal_id,
        "is_export": screening.is_export,
        "decision": str(screening.decision),
        "annex_allowed": screening.annex_allowed,
        "indicators": [
            {
                "number": r.number,
                "title": {"ru": r.spec.ru, "en": r.spec.en},
                "source": r.source,
                "evidence": list(r.evidence),
            }
            for r in screening.indicators
            if r.status == scr.FIRED
        ],
        "not_applicable": [
            {"number": r.number, "note": r.note} for r in screening.indicators if r.status == scr.NOT_APPLICABLE
        ],
        "reasons": [{"section": r.section, "ru": r.ru, "en": r.en} for r in screening.reasons],
        # free text that speaks of items 19-22 the deal does not declare: warnings, never the decision
        "possible_indicators": [p.as_dict() for p in screening.possible_indicators],
        "clauses": [
            {"id": s.clause.id, "version": s.clause.meta.version, "number": s.number,
             "reason": screening.cite_permission(s.reason_en, "en"),
             "reason_ru": screening.cite_permission(s.reason_ru, "ru")}
            for s in selected
        ],
        "letters": list(screening.letters),
        "letters_allowed": list(screening.letters_allowed()),
        "all_indicators": [
            {"number": r.number, "status": r.status, "source": r.source, "evidence": list(r.evidence),
             "evidence_ru": [labels.evidence(item, "ru") for item in r.evidence], "note": r.note,
             "note_ru": r.note_ru}
            for r in screening.indicators
        ],
        **memo.record(deal, screening, selected, check),
    }


def summary_json(summary: dict[str, Any]) -> str:
    """The screening summary as stable, readable JSON."""
    return json.dumps(summary, ensure_ascii=False, indent=2)


def register_row(deal: Deal, screening: scr.Screening, documents: list[Generated], *, command: str,
                 source: str, files: dict[str, str] | None = None,
                 check: checkrecord.Check | None = None, versions_from: int | None = None,
                 deal_json: str | None = None) -> dict[str, Any]:
    """The register row (5.3) for ``documents`` generated for ``deal``.

    ``files`` maps a document's kind to where it was written, when it was; ``check``
    who made the check and when (default: resolved from the deal alone); ``versions_from`` the
    record whose clause versions the documents kept (a contract's annex made as its offer's);
    ``deal_json``: ``deal.model_dump_json()``, when the caller has it: the row then holds it as the deal,
    encoded (:class:`EncodedJSON`), not the deal's data.
    """
    from . import __version__, memo

    check = check or checkrecord.resolve(deal)

    def person(who: Any) -> str | None:
        if who is None:
            return None
        position = who.position.get("ru") if who.position is not None else ""
        return who.name.get("ru") + (f", {position}" if position else "")

    def both(value: Any) -> dict[str, str]:
        return {"ru": value.get("ru"), "en": value.get("en")} if value is not None else {"ru": "", "en": ""}

    clauses = sorted({f"{cid}@{version}" for document in documents for cid, version in document.clauses})
    permission = deal.permission
    libraries = {document.library for document in documents if document.library}
    return {
        "deal_id": deal.deal_id,
        "command": command,
        "source": source,
        # empty (the columns are NOT NULL in registers made before offers) while only an offer is named
        "contract_number": deal.contract.number or "",
        "contract_date": deal.contract.date.isoformat() if deal.contract.date else "",
        "basis": deal.basis,
        "offer_number": deal.offer.number if deal.offer else None,
        "offer_date": deal.offer.date.isoformat() if deal.offer else None,
        "offer_valid_until": deal.offer.valid_until.isoformat() if deal.offer and deal.offer.valid_until else None,
        "contract_kind": str(deal.contract.kind),
        "annex_number": deal.contract.annex_number,
        "counterparty_name_ru": deal.counterparty.name.get("ru"),
        "counterparty_name_en": deal.counterparty.name.get("en"),
        "counterparty_country": deal.counterparty.country,
        "end_users": [{"name": both(user.name), "country": user.country} for user in deal.end_use.end_users],
        "solution_name_ru": deal.solution.name.get("ru"),
        "solution_name_en": deal.solution.name.get("en"),
        "delivery": str(deal.solution.delivery),
        "is_export": screening.is_export,
        "payment_amount": str(deal.payment.amount) if deal.payment else None,
        "payment_currency": deal.payment.currency if deal.payment else None,
        "decision": str(screening.decision),
        "indicators": [{"number": r.number, "source": r.source, "evidence": list(r.evidence)}
                       for r in screening.indicators if r.status == scr.FIRED],
        "reasons": [{"section": r.section, "en": r.en, "ru": r.ru} for r in screening.reasons],
        "permission_number": permission.number if permission else None,
        "permission_date": permission.date.isoformat() if permission and permission.date else None,
        "documents": [{"kind": d.kind, "file": (files or {}).get(d.kind, d.filename), "sha256": d.sha256,
                       "clauses": [f"{cid}@{version}" for cid, version in d.clauses],
                       "template": d.template, "langs": list(d.langs)} for d in documents],
        "clauses": clauses,
        "library_hash": ",".join(sorted(libraries)),
        "clausegen_version": __version__,
        "user_name": check.user,
        "check_date": check.date.isoformat(),
        "check_date_source": check.date_source,
        "prepared_by": person(check.prepared_by),
        "approved_by": person(check.approved_by),
        "approval_source": check.approval_source,
        "identification": memo.identification_status(deal),
        # What regenerates a document as sent (register show --as-sent): the text hash of every clause
        # version (the texts themselves are kept once, in the register's texts table) and the deal.
        "clause_hashes": dict(sorted({f"{cid}@{version}": digest for document in documents
                                      for (cid, version), digest in zip(document.clauses, document.texts)}.items())),
        "deal": deal.model_dump(mode="json") if deal_json is None else EncodedJSON(deal_json),
        "versions_from": versions_from,
    }


def record(deal: Deal, screening: scr.Screening, documents: list[Generated], *, command: str, source: str,
           register: str | Path | Register | None = None, files: dict[str, str] | None = None,
           check: checkrecord.Check | None = None, versions_from: int | None = None) -> int:
    """Append the generation of ``documents`` to the register; return the row id.

    ``register`` is a register, a database URL or a SQLite path; by default
    $CLAUSEGEN_REGISTER, else ./clausegen-register.sqlite.
    """
    from .register import Register

    store = register if isinstance(register, Register) else Register(register)
    try:
        store.keep_texts({digest: (kind, data) for document in documents for digest, kind, data in document.stored})
        return store.record(register_row(deal, screening, documents, command=command, source=source, files=files,
                                         check=check, versions_from=versions_from))
    finally:
        if store is not register:
            store.close()


#: The template each kind of document is rendered from (bilingual letters).
TEMPLATES = {"annex": "annex.docx", "screening-report": "screening-report.docx",
             **{kind: LETTER_TEMPLATES.get(kind, LETTER_TEMPLATES["letter"])[0] for kind in LETTER_KINDS}}
#: The kinds of document each part of a pack may hold.
PART_KINDS = {"report": ("screening-report",), "annex": ("annex",), "letters": LETTER_KINDS}


def part_of(kind: str) -> str:
    """The pack part a kind of document belongs to."""
    return next(part for part, kinds in PART_KINDS.items() if kind in kinds)


def warm_up(library: lib.Library, templates: Path | None = None, parts: tuple[str, ...] = PACK_PARTS) -> None:
    """Compile the DOCX templates and clause texts ``parts`` use and load the dictionaries, once, so that a
    long-lived process (a server, a batch) pays for it before its first document, and before it forks."""
    from . import activities, sandbox, text

    folder = lib.templates_dir(templates)
    wanted = [kind for part in parts for kind in PART_KINDS[part]]
    for name in sorted({TEMPLATES[kind] for kind in wanted}):
        render.compiled_template(folder / name)
    documents = {"annex" if kind == "screening-report" else kind for kind in wanted}
    for clause in library.clauses.values():
        if clause.meta.document not in documents:
            continue
        for source in (clause.ru, clause.en):
            try:
                sandbox.compile_text(source)
                sandbox.paths_read(source)
            except Exception:  # noqa: BLE001 - a broken text is reported by the document (or library check) that needs it
                continue
        for condition in clause.meta.conditions:
            sandbox.compile_condition(condition)
    text.genitive_phrase("Генеральный директор")  # loads pymorphy3's dictionaries
    activities.scan("")  # builds the vocabulary's lemma index (its own pymorphy3 analyser)


def pack_kinds(screening: scr.Screening, parts: tuple[str, ...] = PACK_PARTS) -> list[str]:
    """The documents :func:`build_pack` makes for ``screening``, limited to ``parts``."""
    kinds = ["screening-report"] if "report" in parts else []
    if "annex" in parts and screening.annex_allowed:
        kinds.append("annex")
    if "letters" in parts:
        kinds += list(screening.letters)
    return kinds


def build_documents(deal: Deal, screening: scr.Screening, library: lib.Library, templates: Path | None = None,
                    parts: tuple[str, ...] = PACK_PARTS, check: checkrecord.Check | None = None) -> list[Generated]:
    """The pack for ``deal``, limited to ``parts`` (report, annex, letters)."""
    documents = []
    for kind in pack_kinds(screening, parts):
        if kind == "screening-report":
            documents.append(build_report(deal, screening, library, templates, check))
        elif kind == "annex":
            documents.append(build_annex(deal, screening, library, templates))
        else:
            documents.append(build_letter(kind, deal, screening, library, templates, check=check))
    return documents


_DIGESTS: dict[int, tuple[lib.Clause, str]] = {}  # by id(): clauses are unhashable; the entry keeps it alive


def _clause_digest(clause: lib.Clause) -> str:
    cached = _DIGESTS.get(id(clause))
    if cached is None or cached[0] is not clause:
        digest = sha256(json.dumps([clause.meta.model_dump(mode="json"), clause.ru, clause.en],
                                   ensure_ascii=False, sort_keys=True).encode())
        cached = _DIGESTS[id(clause)] = (clause, digest)
    return cached[1]


_REF = re.compile(r"""\bref\(\s*['"]([\w.-]+)['"]""")


_CITES: dict[int, tuple[lib.Clause, frozenset[str]]] = {}  # by id(), as _DIGESTS


def _cited(selected: list[Selected]) -> set[str]:
    """The clause ids that the texts of ``selected`` cite with ref(), in either language."""
    found: set[str] = set()
    for s in selected:
        # A clause's texts are searched once per process, not once per deal (a batch computes the key of each).
        cached = _CITES.get(id(s.clause))
        if cached is None or cached[0] is not s.clause:
            cites = frozenset(cited for lang in ("ru", "en") for cited in _REF.findall(s.clause.text(lang)))
            cached = _CITES[id(s.clause)] = (s.clause, cites)
        found |= cached[1]
    return found


def inputs_key(deal: Deal, screening: scr.Screening, library: lib.Library, templates: Path | None = None,
               parts: tuple[str, ...] = PACK_PARTS, check: checkrecord.Check | None = None,
               deal_json: str | None = None) -> str:
    """A digest of everything the pack's documents are made from, computed without rendering them.

    It covers the deal (with the company profile merged in), the text and
    metadata of exactly the clauses those documents use, the templates and
    clausegen's version, so a reworded clause changes the key of just the deals
    whose documents contain it.  ``deal_json``: ``deal.model_dump_json()``, when the caller has it.
    """
    from . import __version__

    folder = lib.templates_dir(templates)
    documents = []
    annex = select(library, "annex", deal, screening) if screening.annex_allowed else []
    for kind in pack_kinds(screening, parts):
        # the report lists the annex's clauses (none when the annex is refused); the annex is made only when allowed
        selected = annex if kind in ("annex", "screening-report") else select(library, kind, deal, screening)
        template = render.compiled_template(folder / TEMPLATES[kind])
        entry = [kind, template.fingerprint, [[s.clause.id, _clause_digest(s.clause)] for s in selected]]
        if kind not in ("annex", "screening-report") and annex:
            # A letter cites annex clauses by number (ref()): their numbers and texts are inputs of the
            # letter, whether or not the annex itself is generated in this run.
            cited = _cited(selected)
            entry.append([[s.clause.id, s.number, _clause_digest(s.clause)] for s in annex if s.clause.id in cited])
        documents.append(entry)
    # pydantic writes the deal's JSON in the model's field order, the same on every run of a version.
    # A date given by the caller is an input; a date that is merely today is not (the documents of an
    # unchanged deal keep the day they were checked).  The approval is an input of the report.
    recorded = [] if check is None else [
        check.date.isoformat() if check.date_source != "today" else None,
        check.prepared_by.model_dump(mode="json") if check.prepared_by else None,
        check.approved_by.model_dump(mode="json") if check.approved_by else None,
        # only when recorded, so that the key of every deal without one stays as it was
        *([check.approved_on.isoformat()] if check.approved_on else []),
    ]
    return sha256(json.dumps([__version__, documents, *([recorded] if recorded else [])]).encode() + b"\n"
                  + (deal.model_dump_json() if deal_json is None else deal_json).encode())

