"""Documents as they were sent: ``clausegen register show DEAL_ID --document KIND --as-sent``.

The register keeps, for every record, the validated deal and the sha256 of each clause version's
text (lock.text_hash), and keeps each text and template itself once, by that hash.  A document
is rebuilt from those alone: the clauses recorded, in their recorded order, with the texts they
had then; the template it was rendered from; the library fingerprint it recorded.  Selection is
not run again (today's conditions could choose other clauses), and neither the clause library
nor the templates of today are read.
"""

from __future__ import annotations

import tempfile
from typing import Any
from dataclasses import dataclass
from pathlib import Path

from . import checkrecord, library as lib, lock, render, screening as scr
from .api import (LETTER_KINDS, TEMPLATES, Generated, annex_from_selection, blocked_message, letter_from_selection,
                  letter_template)
from .errors import BlockedError, ClausegenError
from .kinds import AS_SENT_KINDS
from .model import Deal
from .output import sha256
from .register import Register
from .selection import Selected, select


@dataclass(frozen=True)
class AsSent:
    """A document regenerated from what the register kept, and how it compares with the one sent."""

    document: Generated
    record: int
    sent_sha256: str
    notes: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return self.document.sha256 == self.sent_sha256


def regenerate_as_sent(store: Register, deal_id: str, kind: str, record_id: int | None = None) -> AsSent:
    """Document ``kind`` of ``deal_id`` as it was sent: the deal, the clause texts and the template the
    register kept for that record (the latest with such a document, or ``record_id``), whatever the
    clause library and templates say today.  The same clausegen version gives the same bytes."""
    from . import __version__

    if kind not in AS_SENT_KINDS:
        raise ClausegenError(f"--document {kind}: only {', '.join(AS_SENT_KINDS)} can be regenerated as sent "
                             "(the screening report is the record of the check itself)")
    rows = [row for row in store.history(deal_id) if record_id is None or row["id"] == record_id]
    rows = [row for row in rows if any(d["kind"] == kind for d in row["documents"])]
    if not rows:
        which = f"record {record_id} of deal {deal_id!r}" if record_id is not None else f"deal {deal_id!r}"
        raise ClausegenError(f"no {kind} of {which} in the register {store.where}")
    row = rows[-1]
    sent = next(d for d in row["documents"] if d["kind"] == kind)
    if row.get("deal") is None or not sent.get("template") or row.get("clause_hashes") is None:
        raise ClausegenError(f"record {row['id']} was made by clausegen {row['clausegen_version']}, before the "
                             "register kept the deal and the texts a document is made from: it cannot be "
                             "regenerated as sent")
    try:
        deal = Deal.model_validate(row["deal"])
    except ValueError as error:  # pydantic's ValidationError: the deal format has changed since
        raise ClausegenError(f"record {row['id']}: the deal it kept is not valid for clausegen {__version__}: "
                             f"{str(error).splitlines()[0]}") from None
    screening = scr.screen(deal)
    selected = _selected(store, row, sent["clauses"], kind)
    # A letter may cite the annex sent with it by clause number: number that annex as it was sent.
    annex_sent = next((d for d in row["documents"] if d["kind"] == "annex"), None)
    annex = _selected(store, row, annex_sent["clauses"], "annex") if annex_sent and kind != "annex" else []
    template = _stored(store, sent["template"], f"the {kind} template")
    langs = tuple(sent.get("langs") or ("ru", "en"))
    with tempfile.TemporaryDirectory(prefix="clausegen-as-sent-") as folder:
        path = Path(folder) / TEMPLATES.get(kind, "letter.docx")
        path.write_bytes(template)
        compiled = render.CompiledTemplate(path)
        if kind == "annex":
            columns = (langs[0], langs[1])
            generated = annex_from_selection(deal, screening, selected, compiled, columns, row["library_hash"])
        else:
            # dated as it was: a refused deal's letters bear the date of the check the record kept
            generated = letter_from_selection(kind, deal, screening, selected, compiled, langs, row["library_hash"],
                                              annex, checkrecord.dated(row.get("check_date")))
    notes = []
    if row["clausegen_version"] != __version__:
        notes.append(f"the record was made by clausegen {row['clausegen_version']}, this is {__version__}: the "
                     "wording is the one sent, the bytes may differ")
    return AsSent(generated, row["id"], sent["sha256"], tuple(notes))


def _selected(store: Any, row: dict[str, Any], names: list[str], kind: str) -> list[Selected]:
    """The clauses ``names`` (``id@version``) with the texts the register kept, numbered as selection numbers them."""
    selected, article = [], 0
    for name in names:
        clause_id, _, version = name.rpartition("@")
        clause = lock.from_record(clause_id, int(version), kind, _stored(store, row["clause_hashes"].get(name),
                                                                       f"the text of {name}"))
        number = None
        if clause.meta.numbering == "article":
            article += 1
            number = article
        selected.append(Selected(clause, number, clause.meta.reason.ru, clause.meta.reason.en))
    return selected


def _stored(store: Register, digest: str | None, what: str) -> bytes:
    found = store.text(digest) if digest else None
    if found is None or sha256(found[1]) != digest:
        raise ClausegenError(f"the register {store.where} does not hold {what} (sha256 {digest})")
    return found[1]


@dataclass(frozen=True)
class Kept:
    """A document made for today's deal from the clause versions an earlier record kept."""

    document: Generated
    record: int  # the record whose clause versions were kept
    notes: tuple[str, ...]


def offer_record(store: Register, deal_id: str, kind: str) -> dict[str, Any]:
    """The latest record of ``deal_id`` made for its offer (before the contract was signed) that holds
    a document of ``kind`` and the texts of its clauses."""
    rows = [row for row in store.history(deal_id) if row.get("basis") == "offer"
            and any(d["kind"] == kind for d in row["documents"]) and row.get("clause_hashes") is not None]
    if not rows:
        raise ClausegenError(f"--versions-from-register: the register {store.where} holds no {kind} of deal "
                             f"{deal_id!r} made for its offer; generate it without --versions-from-register")
    return rows[-1]


def with_offer_versions(store: Register, deal: Deal, screening: scr.Screening, kind: str,
                        library: lib.Library | None = None, templates: Path | None = None,
                        langs: tuple[str, ...] = ("ru", "en"), check: checkrecord.Check | None = None) -> Kept:
    """Document ``kind`` for today's ``deal`` (its contract now signed) from exactly the clause versions
    recorded for its offer, with the texts the register kept for them, in today's template; ``langs`` the
    annex's column order or the letter's languages.  ``library``, when given, is only compared: a note
    says which clauses it would select otherwise."""
    if kind not in AS_SENT_KINDS:
        raise ClausegenError(f"--versions-from-register: only {', '.join(AS_SENT_KINDS)} keep clause versions")
    if kind == "annex" and not screening.annex_allowed:
        raise BlockedError(blocked_message(screening, "annex"))
    if kind != "annex" and kind not in screening.letters_allowed():
        raise BlockedError(blocked_message(screening, f"letter '{kind}'"))
    row = offer_record(store, deal.deal_id, kind)
    names = next(d for d in row["documents"] if d["kind"] == kind)["clauses"]
    selected = _selected(store, row, names, kind)
    annex_sent = next((d for d in row["documents"] if d["kind"] == "annex"), None)
    annex = _selected(store, row, annex_sent["clauses"], "annex") if annex_sent and kind != "annex" else []
    if kind == "annex":
        compiled = render.compiled_template(lib.templates_dir(templates) / TEMPLATES["annex"])
        generated = annex_from_selection(deal, screening, selected, compiled, (langs[0], langs[1]), row["library_hash"])
    else:
        compiled = letter_template(kind, templates, langs)
        generated = letter_from_selection(kind, deal, screening, selected, compiled, langs, row["library_hash"], annex,
                                          check)
    notes = []
    if library is not None:
        today = {f"{s.clause.id}@{s.clause.meta.version}" for s in select(library, kind, deal, screening)}
        added, dropped = sorted(today - set(names)), sorted(set(names) - today)
        if added or dropped:
            notes.append(f"the clause library today would select otherwise for this deal (" + "; ".join(
                part for part in (f"new: {', '.join(added)}" if added else "",
                                  f"not now: {', '.join(dropped)}" if dropped else "") if part)
                + f"); the {kind} keeps the versions of record {row['id']}")
    return Kept(generated, row["id"], tuple(notes))
