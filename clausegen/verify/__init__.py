"""``clausegen verify``: a linter for the documents clausegen generates (drafting-rules.md, checked by code).

What is read depends on the kind of document, which clausegen records in the
``clausegen.document`` custom property (a DOCX without it is refused):

* **Annex** (``annex``): the first two-column table holds the parallel text
  (title, preamble, headings, paragraphs); the signature table after it sets the
  two parties side by side, not two languages.
* **Bilingual letters** (``notice``, ``enduse-request``, …): every two-column
  table is parallel (the letterhead and the body).
* **Single-language letters** (``--lang ru`` / ``--lang en``): the letter's
  language is the script most of its letters are in.
* **Screening report** (``screening-report``): an internal memo wholly in Russian
  (no English glosses: drafting rules, 7); it has no parallel text.

Each problem has a short stable code (``[numbers]``), the row (1, 2, … in the
order of :func:`clausegen.render.docx_rows`, which is also the line order of the
golden dumps) and the column, and quotes the offending text.  The families:

* :mod:`.parity` — the two cells of a row say the same thing: ``empty``,
  ``clause-number``, ``dates``, ``emails``, ``numbers``, ``names``, ``language``;
  ``script-share`` for a one-language letter, ``report-language``,
  ``empty-cell`` for the report; ``layout`` for a broken table;
* :mod:`.script` — each column in its own script: ``latin-in-ru``,
  ``cyrillic-in-en``, ``no-transliteration``;
* :mod:`.typography` — ``code-leak``, ``double-punctuation``, ``quote-style``,
  ``dash-style``, ``country-name``, ``date-format``, ``term-case``;
* :mod:`.wording` — ``wording`` (calques, «Уважаемые господа!», "out of court",
  "regulatory legal act", the Declaration called mandatory, a refund promised
  in a refusal), ``indemnity`` (an English indemnity that the Russian does not
  render as art. 406.1), ``number-agreement`` («признаки № 21» where one fired),
  ``agreement`` (with the deal: «действующего» after a
  woman signatory's name), ``delivery-terms`` (with the deal: licence keys in a
  SaaS annex, access suspension for hardware);
* :mod:`.consistency` — ``working-days``, ``clause-ref``;
* :mod:`.clausetext` — with the deal (``--deal``): ``clause-text`` (a clause row
  differs from what its recorded version renders for the deal, word by word),
  ``clause-set`` (the recorded clauses or versions are not what the library
  selects now), ``document-text`` (any other row — letterhead, signatures, the
  screening report — differs from a fresh rendering from the same template),
  ``deal`` (made for another deal); without it the summary says that the clause
  texts were not compared;
* everywhere, headers and footers included: ``tag`` (a leftover template tag).

Which Latin words the Russian column may hold depends on what is a proper name:
with ``--deal`` they are exactly the names, addresses, e-mails and numbers the
deal supplies (the deal is the record; a property stored in the DOCX could be
edited along with the text it vouches for); without it, a Latin phrase passes
only when it looks like a name (every word capitalised), and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..compose import LETTER_CODES
from ..errors import InputError, Problem
from ..render import DocxRow, read_docx_text
from . import clausetext, consistency, script, typography, wording
from .clausetext import Expected, expected_for, load_expected
from .common import (EN, MIN_LETTERS_TO_JUDGE, RU, SCRIPT, Checker, Segment, cyrillic_share, excerpt, is_cyrillic,
                     is_latin)
from .parity import column_languages, row_findings, row_problems

__all__ = ["Expected", "Report", "expected_for", "lint_rows", "load_expected", "row_problems", "verify_document",
           "verify_file"]

ANNEX, REPORT = "annex", "screening-report"
LETTERS = frozenset(LETTER_CODES)
KINDS = frozenset({ANNEX, REPORT}) | LETTERS
NOT_COMPARED = ("clause texts not compared with the deal, and Latin words in Russian judged as names by their form "
                "(give --deal DEAL.yaml for both)")

_TAG = re.compile(r"{{|}}|{%|%}|{#|#}")


@dataclass
class Report:
    """What :func:`verify_document` found in one document."""

    name: str
    kind: str
    columns: tuple[str, ...]  # the parallel columns left to right ("ru", "en"), or the one language
    rows: int = 0  # parallel rows checked
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # checks not run, and why

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: the document, its kind and layout, the verdict, and any check not run."""
        layout = f"columns {','.join(self.columns)}" if len(self.columns) == 2 else f"language {''.join(self.columns)}"
        count = len(self.problems)
        verdict = "no problems" if not count else f"{count} problem{'s' if count != 1 else ''}"
        notes = "".join(f"; {note}" for note in self.notes)
        # a letter in one language has no parallel rows to compare (its script and wording are still checked)
        checked = f"{self.rows} parallel rows checked" if len(self.columns) == 2 else "one column, no parallel rows"
        return f"{self.name}: {self.kind}, {layout}, {checked}, {verdict}{notes}"


def verify_file(path: Path, expected: Expected | None = None) -> Report:
    """:func:`verify_document` on the file at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(f"cannot read: {error.strerror}", "", str(path))], "cannot read the document") \
            from None
    return verify_document(data, str(path), expected)


def verify_document(data: bytes, name: str = "document.docx", expected: Expected | None = None) -> Report:
    """Check a generated document; :class:`InputError` when it is not a clausegen DOCX.

    ``expected`` (see :func:`load_expected`) is the deal the document was made for: with it the
    clause texts are compared and proper names are known exactly.
    """
    document = read_docx_text(data, name)
    kind = document.properties.get("clausegen.document", "")
    if kind not in KINDS:
        reason = f"unknown document kind {kind!r}" if kind else "no clausegen.document property"
        raise InputError([Problem(f"not a document clausegen generated ({reason})", "", name)],
                         "cannot verify the document")
    checker = Checker(name)
    rows = document.rows
    for number, row in enumerate(rows, 1):
        for cell in row.cells:
            _tags(checker, cell, number)
    for part, paragraph in document.side:
        _tags(checker, paragraph, None, part)
    segments: list[Segment] = []
    if kind == REPORT:
        columns: tuple[str, ...] = (RU,)
        checked = _verify_report(rows, checker, segments)
    else:
        tables = sorted({row.table for row in rows if row.table is not None and len(row.cells) == 2})
        if kind == ANNEX:
            tables = tables[:1]  # the clause table; the signature table after it is not a translation
        if tables:
            columns, checked = _verify_parallel(rows, tables, checker, segments)
        elif kind == ANNEX:
            checker.add("layout", "no two-column table: an annex has its text in Russian and English side by side",
                        None)
            columns, checked = (), 0
        else:
            columns, checked = _verify_single(rows, checker, segments), 0
    notes = []
    if expected is None:
        notes.append(NOT_COMPARED)
    elif document.properties.get("clausegen.deal_id", "") != expected.deal.deal_id:
        recorded = document.properties.get("clausegen.deal_id", "") or "(none recorded)"
        checker.add("deal", f"the document was made for deal {recorded}, the deal given is {expected.deal.deal_id}: "
                            f"its clause texts and names are not compared with it", None)
        expected = None
    names = expected.names if expected is not None else None
    # The report records the clauses it lists by id and version, as its properties do: identifiers, not text.
    identifiers = frozenset(item.partition("@")[0] for item in document.properties.get("clausegen.clauses", "")
                            .split(";") if item) if kind == REPORT else frozenset()
    script.check(segments, checker, names, identifiers)
    typography.check(segments, checker, names)
    wording.check(segments, checker, kind, expected.signatories if expected is not None else (),
                  str(expected.deal.solution.delivery) if expected is not None else "")
    consistency.check(segments, checker, kind == REPORT)
    if expected is not None and str(expected.screening.decision) == "permission_required" \
            and expected.deal.contract.number:
        consistency.draft_contract(segments, checker, expected.deal.contract.number)
    if expected is not None and columns:
        candidates = _parallel_rows(rows, kind) if len(columns) == 2 else list(range(1, len(rows) + 1))
        clausetext.check(document, kind, columns, expected, checker, candidates, notes)
    return Report(name, kind, columns, checked, checker.problems, notes)


def lint_rows(rows: list[tuple[str, str]], names: frozenset[str] | None = None, kind: str = ANNEX,
              signatories: tuple[tuple[str, str], ...] = (), delivery: str = "") -> list[str]:
    """The checks of a parallel document of ``kind`` on ``rows`` of (Russian, English) text, numbered from 1:
    "row N, column: [code] message" for each problem (for tests, and for text not yet in a DOCX).
    ``names``, ``signatories`` and ``delivery`` stand for what the deal says (see :class:`Expected`)."""
    checker = Checker("")
    segments = []
    for number, (ru, en) in enumerate(rows, 1):
        for code, message in row_findings(ru, en):
            checker.add(code, message, number)
        segments += [Segment(number, RU, ru), Segment(number, EN, en)]
    script.check(segments, checker, names)
    typography.check(segments, checker, names)
    wording.check(segments, checker, kind, signatories, delivery)
    consistency.check(segments, checker)
    return [str(problem) for problem in checker.problems]


# ------------------------------------------------------------------ reading the layout


def _tags(checker: Checker, cell: str, row: int | None, part: str = "") -> None:
    found = _TAG.search(cell)
    if found:
        checker.add("tag", f"leftover template tag {found.group()!r}: {excerpt(cell, found.start())}", row, part)


def _parallel_rows(rows: list[DocxRow], kind: str) -> list[int]:
    """The numbers (from 1) of the rows that :func:`_verify_parallel` reads as Russian and English."""
    tables = sorted({row.table for row in rows if row.table is not None and len(row.cells) == 2})
    if kind == ANNEX:
        tables = tables[:1]
    return [number for number, row in enumerate(rows, 1) if row.table in tables and len(row.cells) == 2]


def _verify_parallel(rows: list[DocxRow], tables: list[int], checker: Checker,
                     segments: list[Segment]) -> tuple[tuple[str, ...], int]:
    """Check every row of the parallel ``tables``; the column order and the number of rows checked."""
    numbered = []
    for number, row in enumerate(rows, 1):
        if row.table not in tables:
            continue
        if len(row.cells) == 2:
            numbered.append((number, row.cells))
        else:  # merged or split cells: the row has no Russian and English side by side
            checker.add("layout", f"the row has {len(row.cells)} cells, not a Russian and an English one: "
                                  f"{excerpt(' | '.join(row.cells))}", number)
    # Judged over all parallel tables at once: a one-row letterhead addressed to a foreign company can be
    # mostly Latin in both columns, but the Russian column still has more Cyrillic.
    columns = column_languages([cells for _, cells in numbered])
    if columns is None:
        checker.add("layout", "cannot tell which column is Russian and which English: they have as much Cyrillic",
                    numbered[0][0] if numbered else None)
        return (), 0
    for number, cells in numbered:
        texts = dict(zip(columns, cells, strict=True))
        for code, message in row_findings(texts[RU], texts[EN]):
            checker.add(code, message, number)
        segments += [Segment(number, lang, texts[lang]) for lang in (RU, EN)]
    return columns, len(numbered)


def _verify_single(rows: list[DocxRow], checker: Checker, segments: list[Segment]) -> tuple[str, ...]:
    """A letter in one language (the script most of its letters are in): no row in the other script.

    Only the script is judged here, and a row fails only with next to nothing in its own: with no
    parallel text, a value the deal gives in one language only cannot be told from a row left in the
    wrong language by share alone (:mod:`.script` judges its words).
    """
    lang = RU if cyrillic_share(" ".join(" ".join(row.cells) for row in rows)) > 0.5 else EN
    own = is_cyrillic if lang == RU else is_latin
    for number, row in enumerate(rows, 1):
        for cell in row.cells:
            letters = [ch for ch in cell if ch.isalpha()]
            mine = sum(map(own, letters))
            if len(letters) - mine >= MIN_LETTERS_TO_JUDGE and mine < MIN_LETTERS_TO_JUDGE // 2:
                checker.add("script-share", f"next to no {SCRIPT[lang]} text in a letter in {lang}: "
                                            f"{excerpt(cell)}", number)
            segments.append(Segment(number, lang, cell))
    return (lang,)


def _verify_report(rows: list[DocxRow], checker: Checker, segments: list[Segment]) -> int:
    """The screening report: a Russian memo; the indicator rows are counted as the rows checked."""
    if cyrillic_share(" ".join(" ".join(row.cells) for row in rows)) <= 0.5:
        checker.add("report-language", "the screening report is not mostly in Russian", None)
    checked = 0
    for number, row in enumerate(rows, 1):
        if row.table is not None:
            for column, cell in enumerate(row.cells, 1):
                if not cell.strip():
                    checker.add("empty-cell", f"cell {column} is empty", number)
        if row.table is not None and len(row.cells) == 4 and row.cells[0].strip().isdigit():
            # an indicator: №, its Russian title, status, evidence
            segments += [Segment(number, RU, cell, f"indicator {row.cells[0].strip()}" if column == 2 else
                                 f"cell {column}") for column, cell in enumerate(row.cells, 1) if column > 1]
            checked += 1
        else:
            segments += [Segment(number, RU, cell, f"cell {column}" if len(row.cells) > 1 else "")
                         for column, cell in enumerate(row.cells, 1)]
    return checked
