"""Typography and terms (drafting rules 2, 3 and 7), over the whole document.

* ``code-leak``: a program's code in the text: a ``snake_case`` identifier (``bank_transfer``,
  ``enhanced_due_diligence``), a field path (``counterparty.signatory.position``), a letter's code
  after its name (``hold (HLD)``) or one of the few codes that are no word (``saas``; typography.yaml);
* ``double-punctuation``: «2026 г.. Настоящим», "Alexandria..", ",,", ";." (an ellipsis "..." passes);
* ``quote-style``: a straight quote or apostrophe anywhere: clausegen renders “…”, ‘…’ and ’ in the
  English column and «…» („…“ inside) in the Russian one (clausegen.quotes), so a straight one was
  typed into the document afterwards, or it mixes styles; "" or “” in the Russian column;
* ``dash-style``: a spaced hyphen used as a dash in a document that elsewhere uses — or –;
* ``country-name``: one country spelt two ways in one column (Turkey and Türkiye; «Белоруссия» and
  «Беларусь»), addresses included (typography.yaml lists the spellings in use);
* ``date-format``: one date written two ways in one column («20» ноября 2026 г. and 20 ноября
  2026 г.; 20 November 2026 and November 20, 2026; 20.11.2026).  A place-and-date line
  ("г. Москва, «20» ноября 2026 г.") may keep the quoted form, as the Russian convention has it;
* ``term-case``: a defined term (from the document's own definitions: «Рабочий день» — …, "Business
  Day" means …, (the "Contract"), именуемое в дальнейшем «Поставщик») defined or used in lower case.
  Russian is matched by lemma (pymorphy3), so «рабочих дней» is «рабочий день».  Uses are checked for
  terms of two words or more: a one-word term in lower case is the ordinary word, which both languages'
  drafting allows («обязать такое лицо договором» is a contract in general, not «Договор»), while
  «рабочий день» or "export control law" in lower case is the defined thing written two ways.  A term
  at the start of a sentence says nothing, and fixed phrases (typography.yaml) pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .common import EN, RU, Checker, Segment, blank, excerpt, listed
from .parity import find_dates
from .script import without_names

_SNAKE = re.compile(r"(?<![\w@./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/-])")
_PATH = re.compile(r"(?<![\w@./-])(?:deal|supplier|counterparty|solution|end_use|end_users|contract|payment|permission"
                   r"|screening|terms|identification|letters|knowledge|signatory|company)(?:\[\d+\])?"
                   r"(?:\.[a-z_]+(?:\[\d+\])?)+(?![\w@/-])")
_LETTER_CODE = re.compile(r"\b(?:notice|hold|refusal|enduse-request|end-user-statement|request|statement)\s*"
                          r"\((?:NTC|EUR|EUS|HLD|REF)\)|\((?:NTC|EUS|HLD|REF)\)")
_DOUBLED = re.compile(r"(?<![.…])\.\.(?![.…])|,,|;;|::|!!|\?\?|[,;:]\.")
_STRAIGHT_ANY = re.compile(r"[\"']")
_ENGLISH_QUOTES_IN_RU = re.compile(r"[“”]")
_INNER_RU = re.compile(r"„[^„“«»]*“")  # the inner quotes of Russian text: „…“
_HYPHEN_DASH, _DASH = re.compile(r"(?<=\S) - (?=\S)"), re.compile(r"(?<=\S) [—–] (?=\S)")
_PLACE_AND_DATE = re.compile(r"^[^\d«»,]{1,40},\s*«\d{1,2}»\s+\S+\s+\d{4}\s*г\.?\s*$")
_RU_DEFINED = [re.compile(r"(?:^\s*(?:\d+(?:\.\d+)*\.\s*)?|;\s*|\n)«([^»]{2,80})»\s+—"),
               re.compile(r"(?:именуем\w*(?:\s+в\s+дальнейшем)?|далее\s+—)\s+«([^»]{2,80})»")]
_EN_DEFINED = [re.compile(r"[\"“]([^\"“”]{2,80})[\"”]\s+means\b"),
               re.compile(r"\((?:hereinafter\s+|together\s+)?(?:the\s+)?[\"“]([^\"“”]{2,80})[\"”]\)"),
               re.compile(r"\b(?:and|or)\s+[\"“]([^\"“”]{2,80})[\"”]\s+means\b")]
_RU_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)?|[A-Za-z]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n|^\s*\d+(?:\.\d+)*\.\s+|[«„\"“‘(]\s*)$")


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with (Path(__file__).with_name("typography.yaml")).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check(segments: list[Segment], checker: Checker, names: frozenset[str] | None) -> None:
    plain = [(segment, without_names(segment.text, names)) for segment in segments]
    for segment, text in plain:
        _codes(segment, text, checker)
        _doubled(segment, text, checker)
    _quotes(plain, checker)
    _dashes(plain, checker)
    _date_formats(plain, checker)
    _countries(segments, checker)
    _terms(plain, checker)


def _codes(segment: Segment, text: str, checker: Checker) -> None:
    words = "|".join(map(re.escape, _data()["codes"]))
    extra = re.compile(rf"(?<![\w@./-])(?:{words})(?![\w@/-])")
    found = sorted([m for pattern in (_SNAKE, _PATH, _LETTER_CODE, extra) for m in pattern.finditer(text)],
                   key=lambda match: match.start())
    if found:
        checker.at("code-leak", f"a program code in the text: {listed([m.group() for m in found])} "
                                f"({excerpt(segment.text, found[0].start())})", segment)


def _doubled(segment: Segment, text: str, checker: Checker) -> None:
    found = list(_DOUBLED.finditer(text))
    if found:
        checker.at("double-punctuation", f"doubled punctuation {listed([m.group() for m in found])}: "
                                         f"{excerpt(segment.text, found[0].start())}", segment)


def _first(plain: list[tuple[Segment, str]], pattern: re.Pattern[str],
           langs: tuple[str, ...] = (RU, EN)) -> tuple[Segment, int] | None:
    for segment, text in plain:
        if segment.lang in langs:
            found = pattern.search(text)
            if found:
                return segment, found.start()
    return None


def _quotes(plain: list[tuple[Segment, str]], checker: Checker) -> None:
    for segment, text in plain:
        straight = _STRAIGHT_ANY.search(text)
        if straight:
            style = "“…”, ‘…’ and ’" if segment.lang == EN else "«…» („…“ inside) and ’"
            what = "quote" if straight.group() == '"' else "apostrophe or quote"
            checker.at("quote-style", f"a straight {what} where the document quotes with {style}: "
                                      f"{excerpt(segment.text, straight.start())}", segment)
        if segment.lang == RU:
            found = _ENGLISH_QUOTES_IN_RU.search(_INNER_RU.sub(lambda m: " " * len(m.group()), text))
            if found:
                checker.at("quote-style", f"English quotes in the Russian column, which quotes with «»: "
                                          f"{excerpt(segment.text, found.start())}", segment)


def _dashes(plain: list[tuple[Segment, str]], checker: Checker) -> None:
    hyphen, dash = _first(plain, _HYPHEN_DASH), _first(plain, _DASH)
    if hyphen and dash:
        segment, at = hyphen
        checker.at("dash-style", f"a hyphen used as a dash (« - ») in a document that uses typographic dashes "
                                 f"(row {dash[0].row}): {excerpt(segment.text, at)}", segment)


def _date_formats(plain: list[tuple[Segment, str]], checker: Checker) -> None:
    for lang in (RU, EN):
        forms: dict[str, dict[str, tuple[Segment, str]]] = defaultdict(dict)
        for segment, text in plain:
            if segment.lang != lang or _PLACE_AND_DATE.match(segment.text.strip()):
                continue
            for iso, start, end, form in find_dates(text):
                forms[iso].setdefault(form, (segment, segment.text[start:end]))
        for iso, found in forms.items():
            if len(found) > 1:
                (_, (first, first_text)), *rest = sorted(found.items(), key=lambda item: item[1][0].row)
                later, later_text = rest[0][1]
                checker.at("date-format", f"the date {iso} written two ways in the {lang} column: «{first_text}» "
                                          f"(row {first.row}) and «{later_text}»", later)


@lru_cache(maxsize=1)
def _country_patterns() -> dict[str, list[tuple[str, str, re.Pattern[str]]]]:
    """Per language: (country, spelling, pattern) for every spelling of typography.yaml."""
    found: dict[str, list[tuple[str, str, re.Pattern[str]]]] = {RU: [], EN: []}
    for country, spellings in _data()["country_variants"].items():
        for lang in (RU, EN):
            for spelling in sorted(spellings[lang], key=len, reverse=True):
                tail = r"\w*" if lang == RU else r"\b"
                found[lang].append((country, spelling, re.compile(rf"(?<!\w){re.escape(spelling)}{tail}")))
    return found


def _countries(segments: list[Segment], checker: Checker) -> None:
    """One spelling of a country per language (deal values included: the document says it twice either way)."""
    for lang in (RU, EN):
        seen: dict[str, dict[str, Segment]] = defaultdict(dict)
        for segment in segments:
            if segment.lang != lang:
                continue
            text = segment.text
            for country, spelling, pattern in _country_patterns()[lang]:
                for found in pattern.finditer(text):
                    seen[country].setdefault(spelling, segment)
                    text = blank(text, found.start(), found.end())  # "North Macedonia" is not also "Macedonia"
        for country, spellings in seen.items():
            if len(spellings) > 1:
                (first, _), (second, segment) = sorted(spellings.items(), key=lambda item: item[1].row)[:2]
                mark = "…" if lang == RU else ""  # a Russian spelling is a stem: every case form matches
                checker.at("country-name", f"one country spelt two ways in the {lang} column: «{first}{mark}» (row "
                                           f"{spellings[first].row}) and «{second}{mark}»: "
                                           f"{excerpt(segment.text, segment.text.find(second))}", segment)


# ------------------------------------------------------------------ defined terms


def _morph() -> Any:
    from ..text import morph  # the one analyser of the process: its dictionaries take a while to load

    return morph()


@lru_cache(maxsize=8192)
def _lemma(word: str) -> str:
    """The normal form of a Russian word; a Latin word stands for itself."""
    if not re.match(r"[А-Яа-яЁё]", word):
        return word.casefold()
    return _morph().parse(word)[0].normal_form.replace("ё", "е")


def _defined(plain: list[tuple[Segment, str]]) -> dict[str, dict[str, list[Segment]]]:
    """The terms each column defines, with the segments that define them (a preamble and a definition)."""
    terms: dict[str, dict[str, list[Segment]]] = {RU: {}, EN: {}}
    for segment, _ in plain:
        for pattern in _RU_DEFINED if segment.lang == RU else _EN_DEFINED:
            for found in pattern.finditer(segment.text):
                places = terms[segment.lang].setdefault(found.group(1), [])
                if segment not in places:
                    places.append(segment)
    return terms


def _terms(plain: list[tuple[Segment, str]], checker: Checker) -> None:
    defined = _defined(plain)
    ignore = _data()["term_case_ignore"]
    for lang in (RU, EN):
        for term, definitions in defined[lang].items():
            row = definitions[0].row
            if term[:1].islower():
                checker.at("term-case", f"the defined term {_q(term, lang)} is not capitalised", definitions[0])
            if len(term.split()) == 1:
                continue  # a one-word term in lower case is the ordinary word: «обязать такое лицо договором»
            wrong: list[tuple[Segment, str]] = []
            for segment, text in plain:
                if segment.lang != lang or segment in definitions:
                    continue
                cleaned = text
                for phrase in ignore[lang]:
                    cleaned = re.sub(re.escape(phrase), lambda m: " " * len(m.group()), cleaned, flags=re.I)
                for start, end in _occurrences(term, cleaned, lang):
                    written = segment.text[start:end]
                    if written[:1].isupper() == term[:1].isupper() or _SENTENCE_START.search(segment.text[:start]):
                        continue
                    wrong.append((segment, written))
            if wrong:
                rows = sorted({segment.row for segment, _ in wrong})
                checker.at("term-case", f"the defined term {_q(term, lang)} (row {row}) written "
                                        f"{'in lower case' if term[:1].isupper() else 'with a capital'}: "
                                        f"{listed([w for _, w in wrong])} (rows {', '.join(map(str, rows))})",
                           wrong[0][0])


def _q(term: str, lang: str) -> str:
    return f"«{term}»" if lang == RU else f"“{term}”"


def _occurrences(term: str, text: str, lang: str) -> list[tuple[int, int]]:
    """Where ``term`` is used in ``text`` (any case; Russian in any of its forms)."""
    if lang == EN:
        words = [re.escape(word) for word in term.split()]
        last = words[-1] + r"(?:s|es)?"
        pattern = re.compile(r"\b" + r"\s+".join(words[:-1] + [last]) + r"\b", re.IGNORECASE)
        return [(m.start(), m.end()) for m in pattern.finditer(text)]
    wanted = [_lemma(word) for word in _RU_WORD.findall(term)]
    tokens = list(_RU_WORD.finditer(text))
    found = []
    for index in range(len(tokens) - len(wanted) + 1):
        window = tokens[index:index + len(wanted)]
        if [_lemma(token.group()) for token in window] != wanted:
            continue
        found.append((window[0].start(), window[-1].end()))
    return found
