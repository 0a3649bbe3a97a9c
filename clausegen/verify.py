"""``clausegen verify``: re-read a generated DOCX and check that its two columns say the same thing.

What is checked depends on the kind of document, which clausegen records in the
``clausegen.document`` custom property (a DOCX without it is refused):

* **Annex** (``annex``): the first two-column table holds the parallel text
  (title, preamble, headings, paragraphs); the signature table after it sets the
  two parties side by side, not two languages, so only its tags are checked.
* **Bilingual letters** (``notice``, ``enduse-request``, …): every two-column
  table is parallel (the letterhead and the body).
* **Single-language letters** (``--lang ru`` / ``--lang en``): no two-column
  table, so nothing to compare.  The letter's language is the script most of its
  letters are in, and a row with next to nothing in that script (under 20
  letters against 40 or more in the other) is wrong.  langdetect is not used:
  a value the deal gives in one language only is quoted as written (which the
  deal format allows) and cannot be told from a stray sentence without the
  parallel text.
* **Screening report** (``screening-report``): an internal memo in Russian.  The
  only parallel text is each indicator's title, written "Russian line\\nEnglish
  line" in one cell of the indicator table: those pairs are checked like rows.
  Deal data and evidence in the report are quoted as given (often English), so
  the other rows are not judged by language; the document as a whole must be
  mostly Cyrillic, and no table cell may be empty (the report writes "—").

For each parallel row (one Russian and one English cell; which column is which
is read from the script of each column, so both ``ru,en`` and ``en,ru`` pass):

* both cells have text;
* the same clause number at the start ("3.2.");
* the same dates, compared as ISO dates: «20» ноября 2026 г., 20.11.2026,
  20 November 2026, November 20, 2026 and 2026-11-20 are one date;
* the same numbers and amounts: digits are compared, words are not (num2words
  differ by language); 1 250 000,00 and 1,250,000.00 are one number;
* the same e-mail addresses;
* the same names where they can be compared: a Latin word in the Russian cell
  (a foreign party, a product, "E-mail") must be in the English cell, and a
  Cyrillic word in the English cell must be in the Russian one (by stem:
  Russian declines names).  Russian names and their transliterations
  (Нейросеть / Neuroset) cannot be compared and are not;
* each cell in its language, judged only with 40 letters or more: a cell with
  no letter of its own script is wrong, and so is one that holds the whole text
  of the other cell (a translation kept next to the original).  Otherwise the
  words the two cells share (a name, or a value the deal gives in one language
  and both columns quote as written) are set aside, and langdetect judges the
  rest if it is still long enough (:func:`clausegen.text.looks_wrong_language`:
  script first, langdetect only for mixed text).

In every row of every document, and in headers and footers: no leftover
template tag (``{{``, ``}}``, ``{%``, ``%}``, ``{#``, ``#}``).

Rows are numbered 1, 2, … in the order of :func:`clausegen.render.docx_rows`
(table rows and non-empty paragraphs outside tables, in document order), which
is also the line order of the golden dumps in tests/golden/.  For annexes and
bilingual letters, whose parallel tables come first, that is the row of the
bilingual table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import text
from .compose import LETTER_CODES
from .errors import InputError, Problem
from .render import DocxRow, read_docx_text

RU, EN = "ru", "en"
#: A cell is judged by language only with at least this many letters (shorter text misleads langdetect).
MIN_LETTERS_TO_JUDGE = 40
ANNEX, REPORT = "annex", "screening-report"
LETTERS = frozenset(LETTER_CODES)
KINDS = frozenset({ANNEX, REPORT}) | LETTERS

_TAG = re.compile(r"{{|}}|{%|%}|{#|#}")
_CLAUSE_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*\.)\s")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[^\W\d_]+")
# Figures as each language writes them: grouped thousands, decimal mark, or a dotted number (3.2, 4.10).
# A plain space groups thousands in Russian only inside an amount with kopecks, so "пп. 7, 13" stays two numbers.
_FIGURES = {
    RU: re.compile(r"\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:,\d+)?|\d{1,3}(?: \d{3})+,\d{2}(?!\d)|\d+,\d{2}(?!\d)"
                   r"|\d+(?:\.\d+)*"),
    EN: re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*"),
}


@dataclass
class Report:
    """What :func:`verify_document` found in one document."""

    name: str
    kind: str
    columns: tuple[str, ...]  # the parallel columns left to right ("ru", "en"), or the one language
    rows: int = 0  # parallel rows checked
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: the document, its kind and layout, and the verdict."""
        layout = f"columns {','.join(self.columns)}" if len(self.columns) == 2 else f"language {''.join(self.columns)}"
        count = len(self.problems)
        verdict = "no problems" if not count else f"{count} problem{'s' if count != 1 else ''}"
        return f"{self.name}: {self.kind}, {layout}, {self.rows} parallel rows checked, {verdict}"


def verify_file(path: Path) -> Report:
    """:func:`verify_document` on the file at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError([Problem(f"cannot read: {error.strerror}", "", str(path))], "cannot read the document") \
            from None
    return verify_document(data, str(path))


def verify_document(data: bytes, name: str = "document.docx") -> Report:
    """Check a generated document; :class:`InputError` when it is not a clausegen DOCX."""
    document = read_docx_text(data, name)
    kind = document.properties.get("clausegen.document", "")
    if kind not in KINDS:
        reason = f"unknown document kind {kind!r}" if kind else "no clausegen.document property"
        raise InputError([Problem(f"not a document clausegen generated ({reason})", "", name)],
                         "cannot verify the document")
    checker = _Checker(name)
    rows = document.rows
    for number, row in enumerate(rows, 1):
        for cell in row.cells:
            checker.tags(cell, number)
    for part, paragraph in document.side:
        checker.tags(paragraph, None, part)
    if kind == REPORT:
        columns: tuple[str, ...] = (RU,)
        checked = _verify_report(rows, checker)
    else:
        tables = sorted({row.table for row in rows if row.table is not None and len(row.cells) == 2})
        if kind == ANNEX:
            tables = tables[:1]  # the clause table; the signature table after it is not a translation
        if tables:
            columns, checked = _verify_parallel(rows, tables, checker)
        elif kind == ANNEX:
            checker.add("no two-column table: an annex has its text in Russian and English side by side", None)
            columns, checked = (), 0
        else:
            columns, checked = _verify_single(rows, checker), 0
    return Report(name, kind, columns, checked, checker.problems)


# ------------------------------------------------------------------ the checks


def row_problems(ru: str, en: str) -> list[str]:
    """What is wrong with one parallel row (its Russian and English text), each message quoting the text."""
    cells = {RU: ru, EN: en}
    empty = [lang for lang in (RU, EN) if not cells[lang].strip()]
    if len(empty) == 2:
        return ["the row is empty"]
    if empty:
        filled = EN if empty[0] == RU else RU
        return [f"the {empty[0]} column is empty ({filled}: {_excerpt(cells[filled])})"]
    problems = []
    numbers = {lang: _clause_number(cells[lang]) for lang in (RU, EN)}
    if numbers[RU] != numbers[EN]:
        problems.append(f"clause numbers differ: {numbers[RU] or 'none'} in ru, {numbers[EN] or 'none'} in en "
                        f"(ru: {_excerpt(ru)})")
    tokens = {lang: _tokens(cells[lang], lang) for lang in (RU, EN)}
    for what in ("dates", "e-mail addresses", "numbers"):
        problems += _differences(what, {lang: tokens[lang][what] for lang in (RU, EN)}, cells)
    problems += _names(cells)
    for lang, other in ((RU, en), (EN, ru)):
        problems += _language(cells[lang], lang, other)
    return problems


def _repeats(cell: str, other: str, lang: str) -> bool:
    """Whether ``cell`` holds the whole text of its parallel cell: a translation missing or kept by mistake.

    A name used as written is part of the other cell, never all of it.  When the two cells are the same,
    the one mostly in the other script is the wrong one.
    """
    mine, theirs = (" ".join(_body(text).split()) for text in (cell, other))
    if sum(ch.isalpha() for ch in theirs) < MIN_LETTERS_TO_JUDGE or theirs not in mine:
        return False
    return theirs != mine or (_cyrillic_share(mine) > 0.5) != (lang == RU)


def _body(cell: str) -> str:
    """The cell without its clause number."""
    number = _CLAUSE_NUMBER.match(cell)
    return cell[number.end():] if number else cell


def _differences(what: str, found: dict[str, dict[str, int]], cells: dict[str, str]) -> list[str]:
    """Tokens (with their positions) found in one cell and not the other."""
    parts = []
    for lang, other in ((RU, EN), (EN, RU)):
        missing = [token for token in found[lang] if token not in found[other]]
        if missing:
            parts.append(f"{', '.join(missing)} only in {lang} ({_excerpt(cells[lang], found[lang][missing[0]])})")
    return [f"{what} differ: " + "; ".join(parts)] if parts else []


def _names(cells: dict[str, str]) -> list[str]:
    """Words in the other language's script are names or values used as written: both cells have them."""
    plain = {lang: _EMAIL.sub(" ", cells[lang]) for lang in (RU, EN)}  # an address is compared whole, above
    en_latin = {word.casefold() for word in _words(plain[EN], _is_latin)}
    ru_cyrillic = [word.casefold() for word in _words(plain[RU], _is_cyrillic)]
    missing = [(RU, word) for word in _words(plain[RU], _is_latin) if word.casefold() not in en_latin]
    missing += [(EN, word) for word in _words(plain[EN], _is_cyrillic) if not _has_stem(word, ru_cyrillic)]
    if not missing:
        return []
    lang, word = missing[0]
    names = list(dict.fromkeys(f"{word} ({lang})" for lang, word in missing))
    listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return [f"names differ: {listed} not in the other column ({lang}: {_excerpt(cells[lang], cells[lang].find(word))})"]


def _language(cell: str, lang: str, other: str = "") -> list[str]:
    """``cell`` must be in ``lang``; the words it shares with ``other`` (its parallel cell) are set aside."""
    if sum(ch.isalpha() for ch in cell) < MIN_LETTERS_TO_JUDGE:
        return []
    own = _is_cyrillic if lang == RU else _is_latin
    if not any(own(ch) for ch in cell if ch.isalpha()):
        return [f"the {lang} column has no {_SCRIPT[lang]} text: {_excerpt(cell)}"]
    if _repeats(cell, other, lang):
        return [f"the {lang} column repeats the other column's text: {_excerpt(cell)}"]
    # Shared words are names or values used as written in both columns (a purpose given only in English):
    # they say nothing about the language the column was written in.
    shared = {word.casefold() for word in _words(other)}
    rest = " ".join(word for word in _words(cell) if word.casefold() not in shared)
    found = text.looks_wrong_language(rest, lang) if sum(map(len, rest.split())) >= MIN_LETTERS_TO_JUDGE else None
    return [f"the {lang} column looks like another language ({found}): {_excerpt(cell)}"] if found else []


_SCRIPT = {RU: "Cyrillic", EN: "Latin"}


class _Checker:
    """Collects problems, each located by row (and field) in the document ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []

    def add(self, message: str, row: int | None, field: str = "") -> None:
        self.problems.append(Problem(message, field, self.name, row))

    def tags(self, cell: str, row: int | None, part: str = "") -> None:
        found = _TAG.search(cell)
        if found:
            self.add(f"leftover template tag {found.group()!r}: {_excerpt(cell, found.start())}", row, part)

    def pair(self, row: int, ru: str, en: str, field: str = "") -> None:
        for message in row_problems(ru, en):
            self.add(message, row, field)


def _verify_parallel(rows: list[DocxRow], tables: list[int], checker: _Checker) -> tuple[tuple[str, ...], int]:
    """Check every row of the parallel ``tables``; the column order and the number of rows checked."""
    numbered = []
    for number, row in enumerate(rows, 1):
        if row.table not in tables:
            continue
        if len(row.cells) == 2:
            numbered.append((number, row.cells))
        else:  # merged or split cells: the row has no Russian and English side by side
            checker.add(f"the row has {len(row.cells)} cells, not a Russian and an English one: "
                        f"{_excerpt(' | '.join(row.cells))}", number)
    # Judged over all parallel tables at once: a one-row letterhead addressed to a foreign company can be
    # mostly Latin in both columns, but the Russian column still has more Cyrillic.
    columns = _column_languages([cells for _, cells in numbered])
    if columns is None:
        checker.add("cannot tell which column is Russian and which English: they have as much Cyrillic",
                    numbered[0][0] if numbered else None)
        return (), 0
    for number, cells in numbered:
        texts = dict(zip(columns, cells, strict=True))
        checker.pair(number, texts[RU], texts[EN])
    return columns, len(numbered)


def _verify_single(rows: list[DocxRow], checker: _Checker) -> tuple[str, ...]:
    """A letter in one language (the script most of its letters are in): no row in the other script.

    Only the script is judged, and a row fails only with next to nothing in its own: with no parallel
    text, a value the deal gives in one language only (quoted as written, which is allowed) cannot be
    told from a row left in the wrong language, but it comes inside a sentence of the letter's own.
    """
    lang = RU if _cyrillic_share(" ".join(" ".join(row.cells) for row in rows)) > 0.5 else EN
    own = _is_cyrillic if lang == RU else _is_latin
    for number, row in enumerate(rows, 1):
        for cell in row.cells:
            letters = [ch for ch in cell if ch.isalpha()]
            mine = sum(map(own, letters))
            if len(letters) - mine >= MIN_LETTERS_TO_JUDGE and mine < MIN_LETTERS_TO_JUDGE // 2:
                checker.add(f"next to no {_SCRIPT[lang]} text in a letter in {lang}: {_excerpt(cell)}", number)
    return (lang,)


def _verify_report(rows: list[DocxRow], checker: _Checker) -> int:
    """The screening report: the indicator titles are parallel; the rest is a Russian memo."""
    if _cyrillic_share(" ".join(" ".join(row.cells) for row in rows)) <= 0.5:
        checker.add("the screening report is not mostly in Russian", None)
    checked = 0
    for number, row in enumerate(rows, 1):
        if row.table is None:
            continue
        for column, cell in enumerate(row.cells, 1):
            if not cell.strip():
                checker.add(f"cell {column} is empty", number)
        if len(row.cells) == 4 and row.cells[0].strip().isdigit():  # an indicator: №, title, status, evidence
            ru, _, en = row.cells[1].partition("\n")
            checker.pair(number, ru, en, f"indicator {row.cells[0].strip()}")
            checked += 1
    return checked


# ------------------------------------------------------------------ reading tokens


def _clause_number(cell: str) -> str | None:
    found = _CLAUSE_NUMBER.match(cell)
    return found.group(1) if found else None


@lru_cache(maxsize=1)
def _months() -> dict[str, int]:
    """Month names (Russian genitive and nominative, English), casefolded, from Babel."""
    from babel.dates import get_month_names

    return {name.casefold(): number for lang in (RU, EN) for context in ("format", "stand-alone")
            for number, name in get_month_names("wide", context=context, locale=lang).items()}


@lru_cache(maxsize=1)
def _date_patterns() -> list[re.Pattern[str]]:
    """«20» ноября 2026 г., 20 November 2026, November 20, 2026, 20.11.2026, 2026-11-20 (groups d, m, y)."""
    names = "|".join(sorted(map(re.escape, _months()), key=len, reverse=True))
    return [
        re.compile(rf"«?(?P<d>\d{{1,2}})»?\s+(?P<m>{names})\s+(?P<y>\d{{4}})(?:\s*г\.)?", re.IGNORECASE),
        re.compile(rf"(?P<m>{names})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})", re.IGNORECASE),
        re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?![\d.]\d)"),
        re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])"),
    ]


def _dates(cell: str) -> tuple[dict[str, int], str]:
    """The dates in ``cell`` as ISO strings (with where each is), and the text with them blanked out."""
    months = _months()
    found: dict[str, int] = {}
    for pattern in _date_patterns():
        def replace(match: re.Match[str]) -> str:
            month = match.group("m")
            try:
                day = dt.date(int(match.group("y")), months.get(month.casefold()) or int(month), int(match.group("d")))
            except ValueError:
                return match.group()  # 31.02.2026 is not a date: its figures are compared as numbers
            found.setdefault(day.isoformat(), match.start())
            return " " * len(match.group())  # same length: positions found later still point into the cell
        cell = pattern.sub(replace, cell)
    return found, cell


def _tokens(cell: str, lang: str) -> dict[str, dict[str, int]]:
    """Dates, e-mail addresses and numbers of a cell (without its clause number), each with its position."""
    number = _CLAUSE_NUMBER.match(cell)
    rest = " " * number.end() + cell[number.end():] if number else cell
    dates, rest = _dates(rest)
    emails: dict[str, int] = {}
    for match in _EMAIL.finditer(rest):
        emails.setdefault(match.group().casefold(), match.start())
    rest = _EMAIL.sub(lambda m: " " * len(m.group()), rest)
    numbers: dict[str, int] = {}
    for match in _FIGURES[lang].finditer(rest):
        numbers.setdefault(_canonical_number(match.group(), lang), match.start())
    return {"dates": dates, "e-mail addresses": emails, "numbers": numbers}


def _canonical_number(figures: str, lang: str) -> str:
    """1 250 000,00 (ru) and 1,250,000.00 (en) both as 1250000.00; 3.2 stays 3.2."""
    if lang == RU:
        return re.sub(r"[\u00a0\u202f ]", "", figures).replace(",", ".")
    return figures.replace(",", "")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f"


def _words(cell: str, script: Callable[[str], bool] | None = None) -> list[str]:
    """The words of ``cell``; with ``script``, only those written wholly in it."""
    return [word for word in _WORD.findall(cell) if script is None or all(map(script, word))]


def _has_stem(word: str, candidates: list[str]) -> bool:
    """Whether a declined form of ``word`` is among ``candidates`` (Кузнецова ~ Кузнецовой, Пётр ~ Петра)."""
    def stem(text: str) -> str:
        text = text.casefold().replace("ё", "е")  # the decliner writes е where the name has ё
        return text[: max(4, len(text) - 2)]

    return any(stem(candidate).startswith(stem(word)) or stem(word).startswith(stem(candidate))
               for candidate in candidates)


def _cyrillic_share(cell: str) -> float:
    letters = [ch for ch in cell if ch.isalpha()]
    return sum(map(_is_cyrillic, letters)) / len(letters) if letters else 0.0


def _column_languages(rows: list[tuple[str, ...]]) -> tuple[str, str] | None:
    """("ru", "en") or ("en", "ru"): the column with more Cyrillic is Russian; None when neither has more."""
    left, right = (_cyrillic_share(" ".join(cells[i] for cells in rows)) for i in (0, 1))
    if left == right:
        return None
    return (RU, EN) if left > right else (EN, RU)


def _excerpt(cell: str, at: int = 0, width: int = 70) -> str:
    """About ``width`` characters of ``cell`` around position ``at``, on one line, quoted."""
    start = max(0, min(at - width // 3, len(cell) - width))
    piece = cell[start:start + width].replace("\n", " / ")
    return "«" + ("…" if start else "") + piece.strip() + ("…" if start + width < len(cell) else "") + "»"
