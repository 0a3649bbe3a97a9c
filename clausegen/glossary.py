"""The RU/EN glossary: positions, authority documents (with powers of attorney), contract titles,
countries and cities, and the given names that tell a Latin-script signatory's gender.

The data is clausegen/glossary.yaml; this module looks values up in it.  A deal value given in one
language is translated into the other column only when the glossary knows it as a whole (rule 1 of
drafting-rules.md); what it does not know is left to the caller, which warns.  A proper name given
only in Cyrillic is transliterated for the English column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import text
from .cache import derived, language_versions, remembered

DATA = Path(__file__).with_name("glossary.yaml")


@dataclass(frozen=True)
class Term:
    """One value in both languages; ``ru_gen`` is the Russian genitive («Генерального директора»)."""

    ru: str
    en: str
    ru_gen: str | None = None

    def get(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en

    def genitive(self) -> str:
        return self.ru_gen or text.genitive_phrase(self.ru)


@lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    return text.glossary_data()  # DATA, read once per process for this module and clausegen.text


# ------------------------------------------------------------------ matching

_ARTICLE = re.compile(r"^(?:the|its|a|an)\s+")
_SPELLING = (("authorized", "authorised"), ("license", "licence"), ("organization", "organisation"), ("ё", "е"))


_PUNCTUATION = re.compile(r"[.\-–—,]")


@lru_cache(maxsize=4096)  # pure; a deal's names and addresses are folded again for every document and column
def key(value: str) -> str:
    """What two spellings of one term have in common: case, dots, hyphens, «&», articles, ё."""
    folded = value.casefold().replace("&", " and ").replace("«", "").replace("»", "").replace('"', "")
    folded = _PUNCTUATION.sub(" ", folded)
    folded = " ".join(folded.split())
    folded = _ARTICLE.sub("", folded)
    for american, british in _SPELLING:
        folded = folded.replace(american, british)
    return folded


@lru_cache(maxsize=None)
def _index(section: str) -> dict[tuple[str, str], Term]:
    index: dict[tuple[str, str], Term] = {}
    for entry in data()[section]:
        term = Term(entry["ru"], entry["en"], entry.get("ru_gen"))
        for lang in ("ru", "en"):
            for spelling in [entry[lang], *entry.get(f"also_{lang}", [])]:
                index.setdefault((lang, key(spelling)), term)
    return index


def lookup(section: str, value: str, lang: str) -> Term | None:
    """The entry of ``section`` (positions, authorities, titles, cities) that ``value`` in ``lang`` names."""
    return _index(section).get((lang, key(value)))


def position(value: str, lang: str) -> Term | None:
    return lookup("positions", value, lang)


def title(value: str, lang: str) -> Term | None:
    return lookup("titles", value, lang)


def authority(value: str, lang: str) -> Term | None:
    """An authority document: a glossary entry, or a power of attorney with its number and date."""
    return power_of_attorney(value, lang) or lookup("authorities", value, lang)


# ------------------------------------------------------------------ powers of attorney

_NUMBER = r"(?:№|no\.?|nr\.?|number|#|n)\s*(?P<num>[^\s,]+)"
_POA = {
    "en": re.compile(rf"^(?:(?:a|the)\s+)?power\s+of\s+attorney\s*(?:{_NUMBER})?\s*,?\s*"
                     r"(?:(?:dated|of|from|issued\s+on|d\.)\s*(?P<date>.+?))?\s*\.?$", re.IGNORECASE),
    "ru": re.compile(rf"^доверенност[ьи]\s*(?:{_NUMBER})?\s*,?\s*(?:от\s*(?P<date>.+?))?\s*$", re.IGNORECASE),
}


@lru_cache(maxsize=None)
@remembered
def _months(lang: str) -> dict[str, int]:
    from babel.dates import get_month_names  # Babel only where its answers are not in the cache

    months = {}
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context=context, locale=lang).items():
                months[name.casefold().rstrip(".")] = number
    return months


def parse_date(value: str, lang: str) -> dt.date | None:
    """A date as contracts write it: «1 марта 2026 г.», "«01» марта 2026 года", "1 March 2026",
    "March 1, 2026", "01.03.2026", "2026-03-01"; a slashed date only when day and month cannot be
    confused (13/03/2026)."""
    cleaned = value.replace("«", "").replace("»", "").replace('"', "").strip()
    cleaned = re.sub(r"\s*(?:г\.?|года|год)\s*\.?$", "", cleaned).rstrip(".").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", cleaned):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", cleaned):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", cleaned):
            first, second = int(m[1]), int(m[2])
            if first <= 12 and second <= 12 and first != second:
                return None  # 01/03: the first of March or the third of January?
            day, month = (first, second) if first > 12 or first == second else (second, first)
            return dt.date(int(m[3]), month, day)
        months = _months(lang)
        if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+([^\W\d]+)\.?,?\s+(\d{4})", cleaned):
            month = months.get(m[2].casefold())
            return dt.date(int(m[3]), month, int(m[1])) if month else None
        if lang == "en" and (m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", cleaned)):
            month = months.get(m[1].casefold())
            return dt.date(int(m[3]), month, int(m[2])) if month else None
    except ValueError:  # 31 February
        return None
    return None


def power_of_attorney(value: str, lang: str) -> Term | None:
    """«доверенность № 12 от 1 марта 2026 г.» ↔ "Power of Attorney No. 12 dated 1 March 2026"."""
    found = _POA[lang].fullmatch(" ".join(value.split()))
    if found is None or not (found["num"] or found["date"]):
        return None  # a bare "Power of Attorney" is the glossary's entry
    number = found["num"].rstrip(",.") if found["num"] else None
    date = None
    if found["date"]:
        date = parse_date(found["date"], lang)
        if date is None:
            return None
    ru_tail = (f" № {number}" if number else "") + (f" от {text.format_date(date, 'ru')}" if date else "")
    en_tail = (f" No. {number}" if number else "") + (f" dated {text.format_date(date, 'en')}" if date else "")
    return Term(f"доверенность{ru_tail}", f"Power of Attorney{en_tail}", f"доверенности{ru_tail}")


# ------------------------------------------------------------------ countries and places


country_name = text.country_name


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Every name and alias of a country, folded (:func:`key`), with its code: some 1,600 names folded
    in every process that reads an address, so the cache keeps them (by this file and Babel's version)."""
    found: dict[str, str] = derived("country-names", DATA.read_bytes(), _country_names, *language_versions())
    return found


def _country_names() -> dict[str, str]:
    codes: dict[str, str] = {}
    for code, aliases in data()["country_aliases"].items():
        for alias in aliases:
            codes.setdefault(key(alias), code)
    for lang in ("ru", "en"):
        for code, name in text.babel_territories(lang).items():
            if len(code) == 2 and code.isalpha():
                codes.setdefault(key(name), code)
                codes.setdefault(key(country_name(code, lang)), code)
    return codes


def country_code(name: str) -> str | None:
    """The ISO code of a country named in either language, by Babel's name or a common alias."""
    return _countries().get(key(name))


_CITY_PREFIX = re.compile(r"^(?:г\.|город)\s*", re.IGNORECASE)


def city(value: str, lang: str) -> Term | None:
    cleaned = _CITY_PREFIX.sub("", value.strip()) if lang == "ru" else value.strip()
    return lookup("cities", cleaned, lang)


def _place_text(term: Term, lang: str) -> str:
    return f"г. {term.ru}" if lang == "ru" else term.en


def place(value: str, lang: str) -> Term | None:
    """A city alone («г. Москва» / "Moscow")."""
    found = city(value, lang)
    return Term(_place_text(found, "ru"), _place_text(found, "en")) if found else None


def location(value: str, lang: str) -> Term | None:
    """A place of use made only of cities and countries ("Dubai, UAE" → «г. Дубай, ОАЭ»), in both
    languages with Babel's country names; ``None`` when any part is unknown."""
    parts = [part.strip() for part in value.split(",")]
    if not parts or any(not part for part in parts):
        return None
    out: dict[str, list[str]] = {"ru": [], "en": []}
    for part in parts:
        found = city(part, lang)
        if found is not None:
            for target in out:
                out[target].append(_place_text(found, target))
            continue
        code = country_code(part)
        if code is None:
            return None
        for target in out:
            out[target].append(country_name(code, target))
    return Term(", ".join(out["ru"]), ", ".join(out["en"]))


def translate(kind: str, value: str, source: str, target: str) -> str | None:
    """``value`` (in ``source``) in the ``target`` language, or ``None`` when the glossary cannot say."""
    term = find(kind, value, source)
    return term.get(target) if term else None


_FINDERS = {"position": position, "authority": authority, "title": title, "place": place, "location": location}
#: The kinds of value the glossary translates (the field kinds of glossary.yaml ``fields``).
KINDS = tuple(_FINDERS)


def find(kind: str, value: str, lang: str) -> Term | None:
    """The glossary's term of ``kind`` for ``value`` in ``lang``."""
    finder = _FINDERS.get(kind)
    return finder(value, lang) if finder else None


def localise_address(address: str, code: str, lang: str, *, append: bool = True) -> str:
    """An address with the country that ends it written as this column names it: "…, Istanbul,
    Turkey" in the English column reads "…, Istanbul, Türkiye", in the Russian «…, Istanbul, Турция»;
    with ``append``, an address that names no country gets the column's name of ``code`` at the end."""
    head, _, last = address.rpartition(",")
    # Only the party's own country is rewritten: "Atlanta, Georgia" ends with a state, not a country.
    if last.strip() and country_code(last.strip()) == code:
        return f"{head}, {country_name(code, lang)}" if head else country_name(code, lang)
    if not append or _names_country(address, code):
        return address
    name = country_name(code, lang)
    return f"{address}, {name}" if address else name


def _names_country(address: str, code: str) -> bool:
    """Whether the address names the country anywhere (a Russian address names it first)."""
    words = f" {key(address)} "
    return any(f" {name} " in words for name in _country_aliases(code))


@lru_cache(maxsize=512)  # at most the ~250 codes; the scan of 1,600 names was 0.4 ms for every address
def _country_aliases(code: str) -> tuple[str, ...]:
    """Every folded name of the country ``code`` (:func:`_countries`), in that table's order."""
    return tuple(alias for alias, found in _countries().items() if found == code)


# ------------------------------------------------------------------ gender of a Latin-script name


@lru_cache(maxsize=1)
def _given_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for gender, listed in data()["given_names"].items():
        for name in listed:
            names.setdefault(key(name), set()).add(gender)
    return names


def gender_of_latin_name(name: str) -> str | None:
    """``male``/``female`` from an honorific (Mr, Ms) or the given name, else ``None``.

    The given name is the first word after academic and other titles (Dr., Prof.): Arab, Indian,
    Turkish and Western names put it first.  Vietnamese names put the family name first and mark
    the gender with the middle name (Van, Thi).  A word the glossary lists for both genders, or no
    listed word, leaves the gender unknown.
    """
    words = [word for word in name.replace(",", " ").split()]
    names = _given_names()
    honorifics = [names[key(word)] for word in words if key(word) in data()["honorifics"]]
    if honorifics:
        found = set().union(*honorifics)
        return found.pop() if len(found) == 1 else None
    given = [word for word in words if key(word) not in data()["name_titles"]]
    middle = data()["middle_names"]
    if len(given) >= 3:
        marked = {gender for word in given[1:-1] for gender, listed in middle.items() if word in listed}
        if len(marked) == 1:
            return marked.pop()
    found = names.get(key(given[0]), set()) if given else set()
    return next(iter(found)) if len(found) == 1 else None


# ------------------------------------------------------------------ a value in one column

#: Kinds whose value is rewritten even in its own language: one spelling of countries (a place of
#: use) and of dates (a power of attorney).  Anything else given in a column is printed as given.
_NORMALISED = {"location": location, "authority": power_of_attorney}


@lru_cache(maxsize=4096)  # pure; a batch shows the same supplier and places in every deal
def column(kind: str, ru: str | None, en: str | None, lang: str) -> str:
    """What the ``lang`` column shows for a value given as ``ru``/``en`` (either may be missing):
    the value in its own language, else the glossary's translation, else the other text as given
    (which validation has reported)."""
    own, other, other_lang = (ru, en, "en") if lang == "ru" else (en, ru, "ru")
    if own and own.strip():
        normaliser = _NORMALISED.get(kind)
        term = normaliser(own, lang) if normaliser else None
        return term.get(lang) if term else own
    if not other:
        return ""
    term = find(kind, other, other_lang)
    return term.get(lang) if term else other


@lru_cache(maxsize=4096)
def genitive_ru(kind: str, ru: str | None, en: str | None) -> str:
    """The Russian genitive of a position or authority («Управляющего директора», «доверенности № 12
    от 1 марта 2026 г.»); text the glossary cannot translate stays as given."""
    if ru and ru.strip():
        term = power_of_attorney(ru, "ru") if kind == "authority" else None
        return term.genitive() if term else text.genitive_phrase(ru)
    term = find(kind, en, "en") if en else None
    return term.genitive() if term else (en or "")


def signatory_gender(declared: str | None, ru_name: str | None, en_name: str | None) -> str | None:
    """The signatory's gender: as the deal declares it, else from the Russian name (patronymic or
    given name), else from the Latin-script name's honorific or given name; ``None`` when unknown."""
    if declared:
        return declared
    found = text.gender_of_name(ru_name) if ru_name and ru_name.strip() else None
    if found is None and en_name and en_name.strip():
        found = gender_of_latin_name(en_name)
    return found


# ------------------------------------------------------------------ proper names

_CYRILLIC = re.compile("[\u0400-\u04ff]")


def transliterate(value: str) -> str:
    """Latin letters for a Cyrillic text (ICAO Doc 9303): «Кузнецова» → "Kuznetsova"; «» become "."""
    table = data()["transliteration"]
    out = []
    for index, char in enumerate(value):
        lower = char.lower()
        if lower in table:
            latin = table[lower]
            if char != lower:  # a capital: "Zh" at the start of a word, "ZH" inside a word in capitals
                neighbours = value[max(index - 1, 0):index] + value[index + 1:index + 2]
                in_capitals = any(ch.isalpha() and ch.isupper() for ch in neighbours)
                latin = latin.upper() if in_capitals else latin.capitalize()
            out.append(latin)
        else:
            out.append({"«": '"', "»": '"', "№": "No."}.get(char, char))
    return "".join(out)


def has_cyrillic(value: str) -> bool:
    return bool(_CYRILLIC.search(value))


@lru_cache(maxsize=4096)
def proper(ru: str | None, en: str | None, lang: str) -> str:
    """A proper name in the ``lang`` column: as given in that language, else as given in the other; a
    name given only in Cyrillic is followed in the English column by its transliteration (rule 1)."""
    own, other = (ru, en) if lang == "ru" else (en, ru)
    if own and own.strip():
        return own
    other = other or ""
    if lang == "en" and has_cyrillic(other):
        return f"{other} ({transliterate(other)})"
    return other


#: Quotes that may enclose a name as the deal gives it.
_ENCLOSING = {"«": "»", '"': '"', "“": "”", "„": "“", "'": "'"}
_QUOTES = "«»\"“”„'‘’"


def _unquoted(value: str) -> str:
    # only the enclosing quotes go: a deal's value is data and is otherwise printed exactly as given
    if len(value) > 1 and _ENCLOSING.get(value[0]) == value[-1] and not any(q in value[1:-1] for q in _QUOTES):
        return value[1:-1]
    return value


def product_name(ru: str | None, en: str | None, lang: str) -> str:
    """A product's name in the ``lang`` column, one rule in both columns (review 6): a name is quoted,
    «PumpSense» / “PumpSense”, however the deal writes it («PumpSense», PumpSense); a description that
    contains the name (it holds quotes of its own, «Камера «ТрафикВижн-М2» со встроенным модулем», or
    starts with a common word, «модуль CryptoEdge AI») is printed as given."""
    values = [v for v in (ru, en) if v and v.strip()]
    bare = [_unquoted(v) for v in values]
    if not bare or any(any(q in v for q in _QUOTES) or v[:1].islower() for v in bare):
        return proper(ru, en, lang)
    name = proper(_unquoted(ru) if ru and ru.strip() else None, _unquoted(en) if en and en.strip() else None, lang)
    return f"«{name}»" if lang == "ru" else f"\u201c{name}\u201d"
