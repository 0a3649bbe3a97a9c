"""The clause texts of a document against what their recorded versions render for the deal (``--deal``).

A document records the deal it was made for (``clausegen.deal_id``) and its clauses with their
versions (``clausegen.clauses``: ``id@version;…``).  Given the deal, the library selects and renders
those clauses again (:func:`clausegen.compose.compose_rows`) and each clause row of the document is
compared with its rendering, column by column, word by word:

* ``deal`` (in :mod:`clausegen.verify`): the document was made for another deal;
* ``clause-set``: the recorded clauses or versions are not what the library selects for the deal now
  (a clause added, removed or reworded since): the texts are then not compared, and the problem says so;
* ``clause-text``: a row differs from its clause: the clause, the column and the changed words
  (``«shall use» → «may use, with the Supplier's consent»``, ``deleted «or any other military purpose»``);
  a clause row missing from the document, or a row inside the clause text that no clause has.

* ``document-text``: any other row (a letterhead, the signatures, every row of the screening report,
  which quotes no clause text) differs from what clausegen renders for the deal now, when the document
  was made from the template in use (its fingerprint is recorded; otherwise the report notes that these
  rows were not compared).  A screening report is made again with the check it records (property
  ``clausegen.check``: the date, preparer and approver, which may have come from options or the register).

The document's rows are aligned with the rendered ones (difflib), so a letterhead before the clauses
or a signature block after them is not taken for an added row.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api, checkrecord, compose, library as lib, quotes, render, text
from ..errors import ClausegenError
from ..model import Deal
from ..render import DocxText, read_docx_text
from ..salutation import surnames
from ..screening import Screening
from ..selection import Selected, select
from .common import EN, RU, Checker, excerpt

#: Keys of the deal whose values are proper names, addresses, e-mails and numbers: they may stand in
#: either column as written.  Positions, authorities, purposes, places and descriptions are not here:
#: they are translated, never copied.
NAME_KEYS = frozenset({"name", "short_name", "address", "email", "number", "number_prefix", "deal_id", "version",
                       "ogrn", "inn", "kpp", "reference", "list_item"})


@dataclass(frozen=True)
class Expected:
    """The deal a document is checked against: screened, with the clause library, its proper names and the
    signatories whose gender is known."""

    deal: Deal
    screening: Screening
    library: lib.Library
    names: frozenset[str]
    source: str = ""
    signatories: tuple[tuple[str, str], ...] = ()  # (how the name starts in Russian text, gender)


def load_expected(deal: Path, company: Path | None = None, clauses: Path | None = None) -> Expected:
    """Read, validate and screen ``deal`` (with the company profile) and load the clause library."""
    validated = api.load_deal(deal, company)
    return expected_for(validated.deal, lib.load_library(clauses), str(deal))


def expected_for(deal: Deal, library: lib.Library, source: str = "") -> Expected:
    """A validated deal, screened, as the record documents are checked against."""
    return Expected(deal, api.screen_deal(deal), library, deal_names(deal), source, deal_signatories(deal))


def deal_signatories(deal: Deal) -> tuple[tuple[str, str], ...]:
    """Each signatory whose gender is known (the deal's, else the Russian patronymic's), with the start of
    the name as Russian text writes it in any case: the surname's stem, or a foreign name as written."""
    found = []
    for party in (deal.supplier, deal.counterparty):
        signatory = party.signatory
        if signatory is None:
            continue
        russian = signatory.name.ru if signatory.name.has("ru") else None
        gender = signatory.gender or (text.detect_gender(russian) if russian and len(russian.split()) == 3 else None)
        if gender is None:
            continue
        if russian:
            surname = russian.split()[0]
            found.append((surname[:max(4, len(surname) - 2)], gender))
        else:
            found.append((signatory.name.get("en"), gender))
    return tuple(found)


def deal_names(deal: Deal) -> frozenset[str]:
    """Every proper name, address, e-mail and number the deal gives, in each language it gives it."""
    found: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for child, item in value.items():
                walk(item, child if child not in (RU, EN) else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and key in NAME_KEYS and value.strip():
            # documents leave a title out of a name («Dr.»); each column shows its own quotes (O'Brien is
            # O’Brien, "Acme" is «Acme» and “Acme”)
            for form in (value.strip(), text.without_title(value.strip())):
                found.update((form, quotes.curl(form, RU), quotes.curl(form, EN)))
            if key == "address":  # documents print an address with its country in the column's language
                found.update(part.strip() for part in value.split(",") if len(part.strip()) > 2)

    walk(deal.model_dump(mode="json"))
    # The outgoing numbers of the deal's letters are document numbers too (TEST-REACTOR/NTC).
    found.update(compose.letter_number(deal, kind) for kind in compose.LETTER_CODES)
    # A letter greets the signatory by surname («Уважаемый господин Kaya!»): a part of a name of the deal.
    found.update(name for party in (deal.supplier, deal.counterparty) for name in surnames(party) if name)
    return frozenset(found)


def check(document: DocxText, kind: str, columns: tuple[str, ...], expected: Expected, checker: Checker,
          candidates: list[int], notes: list[str]) -> None:
    """The clause rows against their clauses, then every other row against a fresh rendering of the document."""
    compared: set[int] = set()
    if kind != "screening-report":  # the report quotes no clause text
        selected = select(expected.library, kind, expected.deal, expected.screening) \
            if kind != "annex" or expected.screening.annex_allowed else []
        recorded = [item for item in document.properties.get("clausegen.clauses", "").split(";") if item]
        current = [f"{s.clause.id}@{s.clause.meta.version}" for s in selected]
        if recorded != current:
            gone = [item for item in recorded if item not in current]
            new = [item for item in current if item not in recorded]
            checker.add("clause-set", "the clauses recorded in the document are not those the library selects for "
                                      f"the deal now (recorded only: {', '.join(gone) or 'none'}; selected now only: "
                                      f"{', '.join(new) or 'none'}): clause texts not compared", None)
            return
        annex = select(expected.library, "annex", expected.deal, expected.screening) \
            if kind != "annex" and expected.screening.annex_allowed else []
        rows = compose.compose_rows(selected, expected.deal, expected.screening, annex)
        owners = _owners(selected, expected, len(rows), annex)
        # As rendering shows them: each column in its quote style (clausegen.quotes).
        wanted = [tuple(quotes.curl(_plain(row.text(lang)), lang) for lang in columns) for row in rows]
        found = [tuple(document.rows[number - 1].cells)[:len(columns)] for number in candidates]
        compared = _compare_clauses(wanted, found, candidates, owners, columns, checker)
    _compare_document(document, kind, columns, expected, checker, compared, notes)


def _compare_document(document: DocxText, kind: str, columns: tuple[str, ...], expected: Expected,
                      checker: Checker, compared: set[int], notes: list[str]) -> None:
    """``document-text``: the rows that are no clause text (letterhead, signatures, the whole screening
    report) as clausegen renders the document for the deal now, from the template it was made from."""
    single = kind in api.LETTER_KINDS and len(columns) == 1
    template = render.compiled_template(lib.templates_dir() / ("letter-single.docx" if single else api.TEMPLATES[kind]))
    if document.properties.get("clausegen.template", "") != template.fingerprint:
        notes.append("rows outside the clause texts not compared: the document was made from another template")
        return
    deal, screening, library = expected.deal, expected.screening, expected.library
    try:
        if kind == "annex":
            fresh = api.build_annex(deal, screening, library, columns=columns)  # type: ignore[arg-type]
        elif kind == "screening-report":
            # the date, preparer and approver the report was made with (options, the register), as recorded
            fresh = api.build_report(deal, screening, library,
                                     check=checkrecord.decode(document.properties.get("clausegen.check", "")))
        else:
            fresh = api.build_letter(kind, deal, screening, library, lang=columns[0] if single else "both",
                                     check=checkrecord.dated(document.properties.get("clausegen.letters_date")))
    except ClausegenError as error:
        checker.add("document-text", f"clausegen makes no such document for the deal now: "
                                     f"{str(error).splitlines()[0]}", None)
        return
    wanted = [row.cells for row in read_docx_text(fresh.data, "rendering").rows]
    found = [row.cells for row in document.rows]
    pairs, extra, missing = _align(found, wanted)
    for f, w in pairs:
        if f + 1 in compared:
            continue
        for index, (have, want) in enumerate(zip(found[f], wanted[w], strict=False)):
            if " ".join(have.split()) != " ".join(want.split()):
                where = f"{columns[index]} column" if len(found[f]) == len(columns) and len(columns) == 2 \
                    else f"cell {index + 1}"
                checker.add("document-text", f"differs from what clausegen makes for the deal: "
                                             f"{_word_diff(want, have)}", f + 1, where)
        if len(found[f]) != len(wanted[w]):
            checker.add("document-text", f"{len(found[f])} cells where clausegen makes {len(wanted[w])}", f + 1)
    for w in missing:
        checker.add("document-text", f"a row clausegen makes for the deal is missing: "
                                     f"{excerpt(' | '.join(wanted[w]))}", None)
    for f in extra:
        if f + 1 not in compared:
            checker.add("document-text", f"a row clausegen does not make for the deal: {excerpt(' | '.join(found[f]))}",
                        f + 1)


def _plain(markup: Any) -> str:
    return str(markup.unescape()) if hasattr(markup, "unescape") else str(markup)


def _owners(selected: list[Selected], expected: Expected, count: int, annex: list[Selected]) -> list[str]:
    """The clause (``id@version``) each composed row comes from, in order (a letter may cite the annex)."""
    numbers = {s.clause.id: s.number for s in annex} | {s.clause.id: s.number for s in selected}
    context = {**compose.language_context(expected.deal, expected.screening, RU), "ref": compose.make_ref(numbers)}
    owners: list[str] = []
    for chosen in selected:
        paragraphs = len(compose.render_clause(chosen.clause, RU, context))
        if paragraphs:
            heading = 1 if chosen.clause.meta.numbering == "article" else 0
            owners += [f"{chosen.clause.id}@{chosen.clause.meta.version}"] * (paragraphs + heading)
    return owners if len(owners) == count else ["(clause not known)"] * count


def _key(cells: tuple[str, ...]) -> str:
    return "\x00".join(" ".join(cell.split()) for cell in cells)


def _align(found: list[tuple[str, ...]], wanted: list[tuple[str, ...]]) -> tuple[list[tuple[int, int]], list[int],
                                                                              list[int]]:
    """Which rows of ``found`` should say what rows of ``wanted`` say: (pairs, rows only found, rows only wanted).

    Unchanged rows are matched by difflib; inside a changed stretch each wanted row takes the most
    similar found row, if they are at least half alike (a changed row), else it is missing.
    """
    matcher = difflib.SequenceMatcher(None, [_key(cells) for cells in found], [_key(cells) for cells in wanted],
                                      autojunk=False)
    pairs: list[tuple[int, int]] = []
    extra: list[int] = []
    missing: list[int] = []
    for op, f1, f2, w1, w2 in matcher.get_opcodes():
        if op == "equal":
            pairs += [(f1 + k, w1 + k) for k in range(f2 - f1)]
        elif op == "replace":
            used: set[int] = set()
            for w in range(w1, w2):
                scores = [(difflib.SequenceMatcher(None, _key(found[f]), _key(wanted[w])).ratio(), f)
                          for f in range(f1, f2) if f not in used]
                best = max(scores, default=(0.0, -1))
                if best[0] >= 0.5:
                    used.add(best[1])
                    pairs.append((best[1], w))
                else:
                    missing.append(w)
            extra += [f for f in range(f1, f2) if f not in used]
        elif op == "delete":
            extra += list(range(f1, f2))
        else:
            missing += list(range(w1, w2))
    return sorted(pairs), sorted(extra), missing


def _compare_clauses(wanted: list[tuple[str, ...]], found: list[tuple[str, ...]], numbers: list[int],
                     owners: list[str], langs: tuple[str, ...], checker: Checker) -> set[int]:
    """``clause-text`` problems; the document rows (numbers) that were compared with a clause row."""
    pairs, extra, missing = _align(found, wanted)
    matched = [f for f, _ in pairs]
    for f, w in pairs:
        for lang, have, want in zip(langs, found[f], wanted[w], strict=False):
            if " ".join(have.split()) != " ".join(want.split()):
                checker.add("clause-text", f"clause {owners[w]} differs from the clause text: "
                                           f"{_word_diff(want, have)}", numbers[f], f"{lang} column")
    for w in missing:
        checker.add("clause-text", f"a row of clause {owners[w]} is missing: {excerpt(wanted[w][0])}", None)
    inside = [f for f in extra if matched and matched[0] < f < matched[-1]]
    for f in inside:  # a letterhead before the clauses or a signature after them is no clause
        checker.add("clause-text", f"a row that no clause has: {excerpt(' | '.join(found[f]))}", numbers[f])
    return {numbers[f] for f in matched + inside}


_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")


def _word_diff(want: str, have: str) -> str:
    """The changed words, quoted as written: «old» → «new», deleted «…», added «…»."""
    old, new = list(_TOKEN.finditer(want)), list(_TOKEN.finditer(have))

    def text(source: str, tokens: list[re.Match[str]], start: int, end: int) -> str:
        return " ".join(source[tokens[start].start():tokens[end - 1].end()].split())

    changes = []
    matcher = difflib.SequenceMatcher(None, [t.group() for t in old], [t.group() for t in new], autojunk=False)
    for op, o1, o2, n1, n2 in matcher.get_opcodes():
        if op == "replace":
            changes.append(f"«{text(want, old, o1, o2)}» → «{text(have, new, n1, n2)}»")
        elif op == "delete":
            changes.append(f"deleted «{text(want, old, o1, o2)}»")
        elif op == "insert":
            changes.append(f"added «{text(have, new, n1, n2)}»")
    if not changes:
        return "spacing or line breaks differ"
    return "; ".join(changes[:5]) + (f" and {len(changes) - 5} more changes" if len(changes) > 5 else "")
