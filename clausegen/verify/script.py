"""Each column in its own script (drafting rule 1).

* ``latin-in-ru``: a Latin word in the Russian column that is not a proper name.  With the deal
  (``names``) the proper names are exactly the deal's names, addresses, e-mails and numbers, so a
  position or an authority given only in English ("Chief Executive Officer", "the Articles of
  Association") is caught even when capitalised.  Without it a Latin phrase passes when it looks like
  a name: every word capitalised (or in capitals), "of"/"and"/"&" between them.  E-mails, web
  addresses, anything with a digit in it (document and registry numbers) and the few Latin words a
  Russian text uses as its own (``E-mail``; data file ``script.yaml``) always pass.
* ``cyrillic-in-en``: Cyrillic in the English column that is not a name (with the deal: not one of
  its names; without it: not name-like);
* ``no-transliteration``: a Cyrillic name in the English column not followed by its transliteration
  in brackets: "permission No. КЭК-2026/0412 (KEK-2026/0412)".

The screening report is written in Russian (drafting rule 7): its codes (activity tags, payment methods)
are shown by their Russian labels, so a Latin word there is a name or a defect like anywhere else.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from .common import EMAIL, EN, RU, URL, Checker, Segment, blank, blank_all, excerpt, is_latin, listed

_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’]*(?:-[A-Za-z\u00c0-\u024f'’]+)*")
_WITH_DIGIT = re.compile(r"[^\s(),;:«»\"“”]*\d[^\s(),;:«»\"“”]*")
#: A Cyrillic run: Cyrillic words with the digits, signs and spaces between them ("КЭК-2026/0412",
#: "ООО «Нейросеть»").
_CYRILLIC_RUN = re.compile(r"[\u0400-\u04ff](?:[\u0400-\u04ff\w«»\"'.,/№-]|\s(?=[\u0400-\u04ff\d«№]))*")
_BRACKETED = re.compile(r"\s*\(([^()]*)\)")
_CONNECTORS = frozenset({"of", "and", "&", "de", "du", "la", "le", "von", "van", "der", "for", "y", "e"})


@lru_cache(maxsize=1)
def _data() -> dict[str, list[str]]:
    with (Path(__file__).with_name("script.yaml")).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check(segments: list[Segment], checker: Checker, names: frozenset[str] | None,
          identifiers: frozenset[str] = frozenset()) -> None:
    """``identifiers`` pass in the Russian column with or without the deal (the screening report's record of
    the clause ids it lists, which the document's properties hold too)."""
    for segment in segments:
        if segment.lang == RU:
            _latin_in_russian(segment, checker, names, identifiers)
        elif segment.lang == EN:
            _cyrillic_in_english(segment, checker, names)


def without_names(cell: str, names: frozenset[str] | None) -> str:
    """``cell`` with the deal's proper names (longest first), e-mails and web addresses blanked out."""
    cell = blank_all(blank_all(cell, EMAIL), URL)
    for name in sorted(names or (), key=len, reverse=True):
        if name in cell:
            cell = cell.replace(name, " " * len(name))
    return cell


def _latin_in_russian(segment: Segment, checker: Checker, names: frozenset[str] | None,
                      identifiers: frozenset[str]) -> None:
    rest = without_names(segment.text, (names or frozenset()) | identifiers)
    for number in _WITH_DIGIT.finditer(segment.text):  # found in the text as written: a name may end one
        rest = blank(rest, number.start(), number.end())
    allowed = set(_data()["latin_in_russian"])
    phrases: list[list[re.Match[str]]] = []
    for word in _LATIN_WORD.finditer(rest):
        if word.group() in allowed:
            continue
        between = rest[phrases[-1][-1].end():word.start()] if phrases else ""
        if phrases and not any(ch.isalpha() for ch in between) and "\n" not in between:
            phrases[-1].append(word)
        else:
            phrases.append([word])
    wrong = [phrase for phrase in phrases if names is not None or not _name_like([w.group() for w in phrase])]
    if wrong:
        texts = [segment.text[phrase[0].start():phrase[-1].end()] for phrase in wrong]
        checker.at("latin-in-ru", f"Latin-script words in the Russian column that are not proper names "
                                  f"{'of the deal' if names is not None else '(not capitalised like a name)'}: "
                                  f"{listed(texts)} ({excerpt(segment.text, wrong[0][0].start())})", segment)


def _name_like(words: list[str]) -> bool:
    """Capitalised words (a company, a person, a product), with "of", "and" and the like between them."""
    if words[0].casefold() in _CONNECTORS or words[-1].casefold() in _CONNECTORS:
        return False
    return all(word[0].isupper() or (0 < index < len(words) - 1 and word.casefold() in _CONNECTORS)
               for index, word in enumerate(words))


def _cyrillic_in_english(segment: Segment, checker: Checker, names: frozenset[str] | None) -> None:
    cell = segment.text
    not_names, untransliterated = [], []
    for run in _CYRILLIC_RUN.finditer(cell):
        text = run.group().rstrip(" .,«\"'")
        if names is not None:
            name = any(text in name for name in names)
        else:
            name = all(word[:1].isupper() or word[:1].isdigit() or word[:1] in "«\"№"
                       for word in text.split())
        if not name:
            not_names.append((run.start(), text))
            continue
        bracket = _BRACKETED.match(cell, run.start() + len(text))
        inside = bracket.group(1) if bracket else ""
        if not any(is_latin(ch) and ch.isalpha() for ch in inside) or any("\u0400" <= ch <= "\u04ff" for ch in inside):
            untransliterated.append((run.start(), text))
    if not_names:
        checker.at("cyrillic-in-en", f"Cyrillic text in the English column that is not a proper name"
                                     f"{' of the deal' if names is not None else ''}: "
                                     f"{listed([t for _, t in not_names])} ({excerpt(cell, not_names[0][0])})", segment)
    if untransliterated:
        checker.at("no-transliteration", f"a Cyrillic name in the English column without its transliteration in "
                                         f"brackets: {listed([t for _, t in untransliterated])} "
                                         f"({excerpt(cell, untransliterated[0][0])})", segment)
