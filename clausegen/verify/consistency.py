"""What must agree across one document.

* ``working-days``: every period in working (business) days has the same number of days: the time to
  answer a request is one setting (``terms.response_days``), used by the annex and every letter.
* ``clause-ref``: a reference to an article or paragraph of this document («статья 7», «пункте 8.1»,
  "Clause 7.2") names one that exists.  A reference qualified by another instrument («пункт 5.2
  Декларации», "Clause 4 of the Contract", «статьи 1296 Гражданского кодекса») is not checked.
* ``draft-contract`` (with the deal, drafting rule 4): while the Commission's permission is awaited the
  contract is not concluded, so no document cites it as a dated, concluded contract («договору № … от»,
  "contract No. … dated"); the hold letter, the request and the notice all say «проект договора».
"""

from __future__ import annotations

import re
from collections import defaultdict

from .common import CLAUSE_NUMBER, EN, RU, Checker, Segment, excerpt

_DAYS = {
    RU: re.compile(r"(\d+)\s*(?:\([^)]*\)\s*)?(?:рабоч\w*|Рабоч\w*)\s+(?:дн\w*|Дн\w*)"),
    EN: re.compile(r"(\d+)\s*(?:\([^)]*\)\s*)?(?:business|working|Business|Working)\s+(?:days?|Days?)"),
}
_NUMBERS = r"(\d+(?:\.\d+)*)((?:\s*(?:,|и|или|либо|–|—|-|and|or|to)\s*\d+(?:\.\d+)*)*)"
_REFERENCE = {
    RU: re.compile(r"(?<![\w.])(?:стать(?:я|и|е|ю|ёй|ей|ям|ями|ях)|пункт(?:а|е|ом|ы|ов|ам|ами|ах)?|"
                   r"подпункт(?:а|е|ом|ы|ов|ам|ами|ах)?|пп?\.)\s+" + _NUMBERS + r"(?!\.\d)"),
    EN: re.compile(r"(?<![\w.])(?:Clauses?|Articles?|clauses?|articles?|paragraphs?|Paragraphs?)\s+" + _NUMBERS
                   + r"(?!\.\d)"),
}
#: After the numbers: the reference is to another instrument.
_ELSEWHERE = {
    RU: re.compile(r"^\s*(?:\)|,)?\s*(?:стать\w*\s+\d+(?:\.\d+)*\s+)?(?:Декларац|Договор|Гражданск|ГК|Федеральн|"
                   r"Закон|закон|[Пп]риложени\w*\s+(?:№\s*)?\d|к\s+Декларации|постановлени|Постановлени|Указ|"
                   r"Положени|Перечн|Кодекс|кодекс|Правил|раздела)"),
    EN: re.compile(r"^\s*(?:of\s+Article\s+\d+(?:\.\d+)*\s+)?(?:of|under|in)\s+(?:the\s+)?(?:Russian\s+)?"
                   r"(?:Declaration|Contract|Civil|Federal|Law|Annex\s+(?:No\.\s*)?\d|Resolution|Decree|Regulation|Code|List|"
                   r"Rules)"),
}
_SPLIT = re.compile(r"\s*(?:,|и|или|либо|–|—|-|and|or|to)\s*")


def check(segments: list[Segment], checker: Checker, report: bool = False) -> None:
    _working_days(segments, checker)
    if not report:  # the screening report is about the Declaration: its «п. 4.2» are the Declaration's sections
        _references(segments, checker)


def draft_contract(segments: list[Segment], checker: Checker, number: str) -> None:
    """``draft-contract``: contract ``number`` is cited as concluded (with its date) in a document of a deal
    whose contract is still a draft (screening decision permission_required)."""
    cited = {RU: re.compile(r"(?<!проект )договор\w*\s+№\s*" + re.escape(number) + r"\s+от\b"),
             EN: re.compile(r"(?<!draft )contract\s+No\.\s*" + re.escape(number) + r"\s+dated\b", re.IGNORECASE)}
    for segment in segments:
        found = cited[segment.lang].search(segment.text)
        if found:
            checker.at("draft-contract", f"the contract is not concluded until the Commission's permission is "
                                         f"obtained: write «проект договора № {number}» / \"draft contract No. "
                                         f"{number}\" ({excerpt(segment.text, found.start())})", segment)


def _working_days(segments: list[Segment], checker: Checker) -> None:
    found: dict[str, list[tuple[Segment, int]]] = defaultdict(list)
    for segment in segments:
        for match in _DAYS[segment.lang].finditer(segment.text):
            found[match.group(1)].append((segment, match.start()))
    if len(found) > 1:
        usual = max(found, key=lambda days: len(found[days]))
        for days, places in sorted(found.items()):
            if days == usual:
                continue
            segment, at = places[0]
            checker.at("working-days", f"{days} working days here, {usual} elsewhere in the document (one setting, "
                                       f"terms.response_days): {excerpt(segment.text, at)}", segment)


def _references(segments: list[Segment], checker: Checker) -> None:
    numbers = set()
    for segment in segments:
        found = CLAUSE_NUMBER.match(segment.text)
        if found:
            number = found.group(1).rstrip(".")
            numbers.add(number)
            numbers.add(number.split(".")[0])
    for segment in segments:
        missing = []
        for match in _REFERENCE[segment.lang].finditer(segment.text):
            if _ELSEWHERE[segment.lang].match(segment.text[match.end():]):
                continue
            cited = [match.group(1)] + [n for n in _SPLIT.split(match.group(2)) if n]
            missing += [(n, match.start()) for n in cited if n not in numbers]
        if missing:
            listed = ", ".join(dict.fromkeys(n for n, _ in missing))
            checker.at("clause-ref", f"a reference to {listed}, which this document does not have: "
                                     f"{excerpt(segment.text, missing[0][1])}", segment)
