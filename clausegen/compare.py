"""``clausegen compare``: what a counterparty changed in a document it returned, as a summary and a redline.

The sent document and the returned one are read with their tracked changes
(:mod:`clausegen.redline`), their rows aligned (a row added or deleted is not taken for a changed
one), and each cell compared word by word (:mod:`clausegen.worddiff`).  The summary names each
change by row, clause (``id@version`` and its number, from the clause ids the sent document
recorded in its properties), column (``ru``/``en``) and words, and by whom it was tracked when the
counterparty used tracked changes; the redline shows it as Word does.

The sent document comes from a file, or from the register (:func:`sent_from_register`): the deal,
document kind and clause versions the returned document recorded in its properties name the record
whose document is regenerated exactly as it was sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import library as lib, redline, worddiff
from .errors import ClausegenError, InputError, Problem
from .verify.common import EN, RU, cyrillic_share

if TYPE_CHECKING:
    from .register import Register
    from .sent import AsSent

AUTHOR = "clausegen"
_NUMBER = re.compile(r"^\s*(\d{1,3})\.(?:(\d{1,3})\.)?(?:\s|$)")
_JINJA = re.compile(r"{[{%#].*?[}%#]}", re.S)
_WORD = re.compile(r"\w{3,}")


@dataclass(frozen=True)
class Change:
    """One changed cell (or a row added or deleted)."""

    row: int  # in the returned document (for a deleted row: in the sent one)
    clause: str  # "end-use-restriction@2, 4.1", or "" when the row is no clause's
    column: str  # "ru", "en", "cell N", or "" for a whole row
    words: str  # «old» → «new»; deleted «…»; added «…»
    tracked_by: tuple[str, ...] = ()  # authors of the returned document's own tracked changes there
    sent_row: bool = False  # ``row`` numbers a row of the sent document (a row the returned one lacks)

    def __str__(self) -> str:
        where = (f"sent row {self.row}" if self.sent_row else f"row {self.row}") \
            + (f" ({self.clause})" if self.clause else "") + (f", {self.column}" if self.column else "")
        tracked = f" [tracked by {', '.join(self.tracked_by)}]" if self.tracked_by else ""
        return f"{where}: {self.words}{tracked}"


@dataclass(frozen=True)
class Comparison:
    """The changes from a sent document to the returned one, and the redline showing them."""

    sent: str
    returned: str
    changes: list[Change]
    redline: bytes
    notes: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        count = len(self.changes)
        if not count:
            return f"{self.returned}: no change from {self.sent}"
        return f"{self.returned}: {count} change{'s' if count != 1 else ''} from {self.sent}"

    @property
    def clauses(self) -> list[str]:
        """The clauses (``id@version``) with a change, in document order."""
        found: list[str] = []
        for change in self.changes:
            name = change.clause.partition(",")[0]
            if name and "@" in name and name not in found:
                found.append(name)
        return found


def compare_documents(sent: bytes, returned: bytes, *, sent_name: str = "sent.docx",
                      returned_name: str = "returned.docx", library: lib.Library | None = None,
                      author: str = AUTHOR) -> Comparison:
    """Compare ``returned`` with ``sent``; :class:`InputError` when either is not a DOCX.

    ``library`` (default: the shipped one) tells which recorded clauses are numbered articles, and its texts
    name the clause of an unnumbered row; where it cannot, such a row is named by every clause that may
    hold it.
    """
    if library is None:
        library = clause_library()
    old = redline.read(sent, sent_name)
    new = redline.read(returned, returned_name)
    present = [index for index, row in enumerate(new.rows) if row.state != "ins"]
    pairs, gone, added = worddiff.align([_key(row.texts("current")) for row in old.rows],
                                        [_key(new.rows[index].texts("base")) for index in present])
    pairs = [(s, present[r]) for s, r in pairs]
    added = sorted([present[r] for r in added] + [i for i, row in enumerate(new.rows) if row.state == "ins"])
    alignment = redline.Alignment(pairs, gone, added)
    columns = _columns(old)
    owners, added_owners = _Owners(old, library), _Owners(new, library)
    placed: list[tuple[float, Change]] = []  # in the returned document's order; a deleted row where it stood
    for s, r in pairs:
        before, row = old.rows[s].texts("current"), new.rows[r]
        after = row.texts("current")
        for index, have in enumerate(after):
            want = before[index] if index < len(before) else ""
            if worddiff.words_changed(want, have):
                authors = tuple(sorted(a or "(unknown)" for a in _authors(row, index)))
                placed.append((r, Change(r + 1, owners.name(s), _column(columns, row, index),
                                      "row deleted" if row.state == "del" and not have.strip()
                                      else worddiff.describe(want, have), authors)))
    for s in gone:
        after = max((r for k, r in pairs if k < s), default=-1)
        placed.append((after + 0.5, Change(s + 1, owners.name(s), "", f"row deleted: {_excerpt(old.rows[s])}",
                                           sent_row=True)))
    for r in added:
        row = new.rows[r]
        authors = tuple(sorted(a or "(unknown)" for a in row.authors)) if row.state == "ins" else ()
        placed.append((r, Change(r + 1, added_owners.name(r), "", f"row added: {_excerpt(row)}", authors)))
    changes = [change for _, change in sorted(placed, key=lambda item: item[0])]  # stable: cells left to right
    notes = () if old.properties.get("clausegen.clauses") else (
        f"{sent_name} records no clausegen clauses: changes are named by row only",)
    date = new.modified if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", new.modified) else ""
    data = redline.write(old, new, alignment, author, date) if changes else returned
    return Comparison(sent_name, returned_name, changes, data, notes)


def sent_from_register(store: Register, returned: bytes, returned_name: str = "returned.docx") -> AsSent:
    """The document ``returned`` stands for, regenerated as it was sent from the register: the record of its
    deal whose document of its kind has the clause versions it recorded (else the latest)."""
    from .sent import regenerate_as_sent

    properties = redline.read(returned, returned_name).properties
    deal_id, kind = properties.get("clausegen.deal_id", ""), properties.get("clausegen.document", "")
    if not deal_id or not kind:
        raise InputError([Problem("no clausegen.deal_id or clausegen.document property: not a document clausegen "
                                  "generated, so the register cannot tell what was sent (compare it with the sent "
                                  "file instead)", "", returned_name)], "cannot compare with the register")
    recorded = properties.get("clausegen.clauses", "")
    record = None
    for row in reversed(store.history(deal_id)):
        if any(d["kind"] == kind and ";".join(d.get("clauses") or []) == recorded for d in row["documents"]):
            record = row["id"]
            break
    try:
        return regenerate_as_sent(store, deal_id, kind, record)
    except ClausegenError as error:  # no such record, or one kept before texts were: the input cannot be compared
        raise InputError([Problem(str(error), "", returned_name)], "cannot compare with the register") from None


# ------------------------------------------------------------------ naming the changes


def _key(cells: tuple[str, ...]) -> str:
    return "\x00".join(" ".join(cell.split()) for cell in cells)


def _excerpt(row: redline.Row, limit: int = 80) -> str:
    text = " | ".join(" ".join(cell.split()) for cell in row.texts("current" if row.state != "del" else "base"))
    return "«" + (text if len(text) <= limit else text[:limit - 1] + "…") + "»"


def _authors(row: redline.Row, cell: int) -> set[str]:
    found = set().union(*(p.authors for p in row.cells[cell])) if cell < len(row.cells) else set()
    return found | ({""} if row.state else set())


def _columns(document: redline.Document) -> dict[int | None, tuple[str, str]]:
    """For each table of two-cell rows, which column is Russian and which English."""
    found: dict[int | None, tuple[str, str]] = {}
    for table in {row.table for row in document.rows if row.table is not None}:
        rows = [row.texts("current") for row in document.rows if row.table == table and len(row.cells) == 2]
        if rows:
            left, right = (cyrillic_share(" ".join(cells[i] for cells in rows)) for i in (0, 1))
            if left != right:
                found[table] = (RU, EN) if left > right else (EN, RU)
    return found


def _column(columns: dict[int | None, tuple[str, str]], row: redline.Row, index: int) -> str:
    if len(row.cells) == 2 and row.table in columns:
        return columns[row.table][index]
    return f"cell {index + 1}" if len(row.cells) > 1 else ""


class _Owners:
    """The clause each row of the sent document belongs to, from the clauses it recorded.

    An article's rows carry its number ("4." heading, "4.2." paragraphs): the Nth article clause
    recorded.  A row without a number before the first article (a title, a preamble) or after the last
    belongs to one of the clauses recorded there; with several, to the one whose literal words it
    shares most (from the library's text of that version), else it is named by all of them.
    """

    def __init__(self, document: redline.Document, library: lib.Library | None) -> None:
        self.document, self.library = document, library
        recorded = [item for item in document.properties.get("clausegen.clauses", "").split(";") if item]
        clauses = library.clauses if library is not None else {}
        numbering = {name: clauses[name.rpartition("@")[0]].meta.numbering if name.rpartition("@")[0] in clauses
                     else None for name in recorded}
        self.articles = [name for name in recorded if numbering[name] == "article"]
        first = recorded.index(self.articles[0]) if self.articles else len(recorded)
        last = recorded.index(self.articles[-1]) if self.articles else len(recorded)
        self.before, self.after = recorded[:first], recorded[last + 1:]
        self.numbered = [self._number(row) for row in document.rows]
        # Only rows of the tables that carry the clauses: a signature block is no clause.
        clause_tables = {row.table for row, number in zip(document.rows, self.numbered, strict=True) if number}
        self.in_clauses = [row.table in clause_tables if clause_tables else row.table is not None
                           for row in document.rows]

    @staticmethod
    def _number(row: redline.Row) -> tuple[int, int | None] | None:
        for cell in row.texts("current"):
            found = _NUMBER.match(cell)
            if found:
                return int(found.group(1)), int(found.group(2)) if found.group(2) else None
        return None

    def name(self, index: int) -> str:
        number = self.numbered[index]
        if number is not None and self.articles and 0 < number[0] <= len(self.articles) and self.in_clauses[index]:
            return f"{self.articles[number[0] - 1]}, {number[0]}" + (f".{number[1]}" if number[1] else "")
        if not self.in_clauses[index]:
            return ""
        seen_before = [n for n in self.numbered[:index] if n]
        candidates = self.after if seen_before else self.before
        if not candidates:
            return ""
        if len(candidates) == 1:
            return candidates[0]
        return self._likeliest(index, candidates)

    def _likeliest(self, index: int, candidates: list[str]) -> str:
        words = set(_WORD.findall(" ".join(self.document.rows[index].texts("current")).lower()))
        scores = []
        for name in candidates:
            clause_id, _, version = name.rpartition("@")
            clause = self.library.clauses.get(clause_id) if self.library is not None else None
            if clause is None or str(clause.meta.version) != version:
                return " or ".join(candidates)
            literal = set(_WORD.findall(_JINJA.sub(" ", f"{clause.ru} {clause.en}").lower()))
            scores.append((len(words & literal), name))
        best = max(scores)
        return best[1] if best[0] and [s for s, _ in scores].count(best[0]) == 1 else " or ".join(candidates)


def read_files(*paths: Path) -> list[bytes]:
    """The bytes of the documents to compare; one :class:`InputError` naming every one that cannot be read."""
    found, problems = [], []
    for path in paths:
        try:
            found.append(path.read_bytes())
        except OSError as error:
            problems.append(Problem(f"cannot read: {error.strerror or error}", "", str(path)))
    if problems:
        raise InputError(problems, "cannot read the documents")
    return found


def clause_library(root: Path | None = None) -> lib.Library | None:
    """The clause library that names unnumbered rows; None when it cannot be loaded (rows are then named by
    every clause that may hold them)."""
    try:
        return lib.load_library(root, check_texts=False)
    except ClausegenError:
        return None
