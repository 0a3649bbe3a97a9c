"""Parity: the two cells of a parallel row say the same thing (numbers, dates, e-mails, names, language).

For each parallel row (one Russian and one English cell):

* both cells have text;
* the same clause number at the start ("3.2.");
* the same dates, compared as ISO dates: «20» ноября 2026 г., 20.11.2026,
  20 November 2026, November 20, 2026 and 2026-11-20 are one date;
* the same numbers and amounts: digits are compared, words are not (num2words
  differ by language); 1 250 000,00 and 1,250,000.00 are one number;
* the same e-mail addresses;
* the same names where they can be compared: a Latin word in the Russian cell
  must be in the English cell, and a Cyrillic word in the English cell must be
  in the Russian one (by stem: Russian declines names);
* each cell in its language, judged only with 40 letters or more: a cell with
  no letter of its own script is wrong, and so is one that holds the whole text
  of the other cell.  Otherwise the words the two cells share are set aside,
  and langdetect judges the rest if it is still long enough.

Whether a Latin word in the Russian cell may be there at all (a name, or English
left untranslated) is :mod:`clausegen.verify.script`'s question, not this one's.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from .. import text
from .common import (CLAUSE_NUMBER as _CLAUSE_NUMBER, EMAIL as _EMAIL, EN, MIN_LETTERS_TO_JUDGE, RU,
                     SCRIPT as _SCRIPT, cyrillic_share as _cyrillic_share, excerpt as _excerpt,
                     is_cyrillic as _is_cyrillic, is_latin as _is_latin, words as _words)

# Figures as each language writes them: grouped thousands, decimal mark, or a dotted number (3.2, 4.10).
# A plain space groups thousands in Russian only inside an amount with kopecks, so "пп. 7, 13" stays two numbers.
_FIGURES = {
    RU: re.compile(r"\d{1,3}(?:[\u00a0\u202f]\d{3})+(?:,\d+)?|\d{1,3}(?: \d{3})+,\d{2}(?!\d)|\d+,\d{2}(?!\d)"
                   r"|\d+(?:\.\d+)*"),
    EN: re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*"),
}


# ------------------------------------------------------------------ the checks


def row_problems(ru: str, en: str) -> list[str]:
    """What is wrong with one parallel row (its Russian and English text): "[code] message", quoting the text."""
    return [f"[{code}] {message}" for code, message in row_findings(ru, en)]


def row_findings(ru: str, en: str) -> list[tuple[str, str]]:
    """What is wrong with one parallel row, as (code, message)."""
    cells = {RU: ru, EN: en}
    empty = [lang for lang in (RU, EN) if not cells[lang].strip()]
    if len(empty) == 2:
        return [("empty", "the row is empty")]
    if empty:
        filled = EN if empty[0] == RU else RU
        return [("empty", f"the {empty[0]} column is empty ({filled}: {_excerpt(cells[filled])})")]
    problems = []
    numbers = {lang: _clause_number(cells[lang]) for lang in (RU, EN)}
    if numbers[RU] != numbers[EN]:
        problems.append(("clause-number", f"clause numbers differ: {numbers[RU] or 'none'} in ru, "
                                          f"{numbers[EN] or 'none'} in en (ru: {_excerpt(ru)})"))
    tokens = {lang: _tokens(cells[lang], lang) for lang in (RU, EN)}
    for what, code in (("dates", "dates"), ("e-mail addresses", "emails"), ("numbers", "numbers")):
        problems += [(code, message) for message in
                     _differences(what, {lang: tokens[lang][what] for lang in (RU, EN)}, cells)]
    problems += [("names", message) for message in _names(cells)]
    for lang, other in ((RU, en), (EN, ru)):
        problems += [("language", message) for message in _language(cells[lang], lang, other)]
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


#: The form of a date, by the pattern that found it.
DATE_FORMS = ("quoted", "words", "month first", "dotted", "ISO")


def find_dates(cell: str) -> list[tuple[str, int, int, str]]:
    """Every date in ``cell``: (ISO date, start, end, form), in order of position."""
    months = _months()
    found = []
    for pattern, form in zip(_date_patterns(), DATE_FORMS[1:], strict=True):
        def replace(match: re.Match[str]) -> str:
            month = match.group("m")
            try:
                day = dt.date(int(match.group("y")), months.get(month.casefold()) or int(month), int(match.group("d")))
            except ValueError:
                return match.group()  # 31.02.2026 is not a date: its figures are compared as numbers
            quoted = form == "words" and match.group().startswith("«")
            found.append((day.isoformat(), match.start(), match.end(), "quoted" if quoted else form))
            return " " * len(match.group())  # same length: positions found later still point into the cell
        cell = pattern.sub(replace, cell)
    return sorted(found, key=lambda date: date[1])


def _dates(cell: str) -> tuple[dict[str, int], str]:
    """The dates in ``cell`` as ISO strings (with where each is), and the text with them blanked out."""
    found: dict[str, int] = {}
    for iso, start, end, _ in find_dates(cell):
        found.setdefault(iso, start)
        cell = cell[:start] + " " * (end - start) + cell[end:]
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


def _has_stem(word: str, candidates: list[str]) -> bool:
    """Whether a declined form of ``word`` is among ``candidates`` (Кузнецова ~ Кузнецовой, Пётр ~ Петра)."""
    def stem(text: str) -> str:
        text = text.casefold().replace("ё", "е")  # the decliner writes е where the name has ё
        return text[: max(4, len(text) - 2)]

    return any(stem(candidate).startswith(stem(word)) or stem(word).startswith(stem(candidate))
               for candidate in candidates)


def column_languages(rows: list[tuple[str, ...]]) -> tuple[str, str] | None:
    """("ru", "en") or ("en", "ru"): the column with more Cyrillic is Russian; None when neither has more."""
    left, right = (_cyrillic_share(" ".join(cells[i] for cells in rows)) for i in (0, 1))
    if left == right:
        return None
    return (RU, EN) if left > right else (EN, RU)
