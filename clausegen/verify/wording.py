"""Wording a lawyer strikes out, and an indemnity that means one thing in English and another in Russian.

* ``wording``: a phrase of wording.yaml in its column (and, for one kind of document, its own: a refusal
  promises no refund) — calques («ограничить доступ к ним лицами»), a
  salutation («Уважаемые господа!»), English that is no contract English ("out of court", "on its own
  decision", "regulatory legal act"), a term called mandatory under the Declaration, which is advisory;
* ``agreement`` (with the deal, drafting rule 2): the participle after a signatory's name agrees with the
  signatory's gender (the deal's ``gender``, else the Russian patronymic): «действующей» for a woman;
* ``delivery-terms`` (with the deal, drafting rule 5): no licence keys, hardware or destruction of model
  weights in a SaaS annex; no access suspension when the solution comes inside hardware (wording.yaml);
* ``number-agreement`` (review 6): «признак № 21», «признаки № 10 и 17» — the word that names Annex 1
  indicators agrees with how many numbers follow it, in both languages;
* ``indemnity`` (drafting rule 3): a row whose English indemnifies ("indemnify", "indemnity") while its
  Russian speaks of something else, or whose Russian uses the art. 406.1 Civil Code concept
  («имущественные потери») while its English does not indemnify.  Where losses are to be indemnified
  the Russian says «возместить имущественные потери»; otherwise both say «возместить убытки» /
  "compensate damages".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .common import EN, RU, Checker, Segment, excerpt

_INDEMNITY_EN = re.compile(r"\bindemni(?:fy|fies|fied|fying|fication|ty|ties)\b", re.IGNORECASE)
_INDEMNITY_RU = re.compile(r"имущественн\w*\s+потер\w*", re.IGNORECASE)


_PARTICIPLE = re.compile(r"действующ(?:его|ей|ий|ая|ему|им)\b")
_FORM = {"male": "действующего", "female": "действующей"}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    with (Path(__file__).with_name("wording.yaml")).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=16)
def _phrases(kind: str) -> dict[str, list[tuple[re.Pattern[str], str, str]]]:
    data = _data()
    own = data["by_document"].get(kind, {})
    return {lang: [(re.compile(rf"(?<!\w){re.escape(item['phrase'])}(?!\w)", re.IGNORECASE), item["phrase"],
                    item["instead"]) for item in data[lang] + own.get(lang, [])] for lang in (RU, EN)}


#: Indicators named with a word whose number disagrees with the count (review 6: «выявлены признаки № 21»):
#: the plural with one number, the singular with a list.  A range («19–22», "19 to 22") or an alternative
#: ("10 or 17") is no disagreement.
_COUNT = {
    RU: (re.compile(r"признаки\s+№\s*\d+(?![\d/])(?!\s*(?:,|и\b|или\b|–|—|-)\s*(?:№\s*)?\d)"),
         re.compile(r"признак\s+№\s*\d+\s*(?:,|и\b)\s*(?:№\s*)?\d+")),
    EN: (re.compile(r"\bindicators\s+(?:No\.\s*)?\d+(?![\d/])(?!\s*(?:,|and\b|or\b|to\b|–|—|-)\s*\d)", re.IGNORECASE),
         re.compile(r"\bindicator\s+(?:No\.\s*)?\d+\s*(?:,|and\b)\s*\d+", re.IGNORECASE)),
}


def _counts(segments: list[Segment], checker: Checker) -> None:
    """``number-agreement``: «признак» / "indicator" before one number, «признаки» / "indicators" before several."""
    for segment in segments:
        for pattern, wanted in zip(_COUNT[segment.lang], ("the singular (one number)", "the plural (several)")):
            for found in pattern.finditer(segment.text):
                checker.at("number-agreement", f"«{found.group()}»: write {wanted} "
                                               f"({excerpt(segment.text, found.start())})", segment)


def check(segments: list[Segment], checker: Checker, kind: str = "",
          signatories: tuple[tuple[str, str], ...] = (), delivery: str = "") -> None:
    """``signatories``: (how a signatory's name starts in Russian text, "male" or "female"), and ``delivery``:
    how the solution is delivered; both from the deal."""
    _agreement(segments, checker, signatories)
    _counts(segments, checker)
    _delivery(segments, checker, delivery)
    for segment in segments:
        for pattern, phrase, instead in _phrases(kind)[segment.lang]:
            found = pattern.search(segment.text)
            if found:
                checker.at("wording", f"«{found.group()}»: write {instead} ({excerpt(segment.text, found.start())})",
                           segment)
    rows: dict[tuple[int, str], dict[str, Segment]] = {}
    for segment in segments:
        rows.setdefault((segment.row, segment.field.split(",")[0]), {})[segment.lang] = segment
    for pair in rows.values():
        if RU not in pair or EN not in pair:
            continue
        english, russian = _INDEMNITY_EN.search(pair[EN].text), _INDEMNITY_RU.search(pair[RU].text)
        if english and not russian:
            checker.at("indemnity", f"the English indemnifies («{english.group()}») but the Russian does not say "
                                    f"«возместить имущественные потери» (art. 406.1 Civil Code): "
                                    f"{excerpt(pair[RU].text)}", pair[RU])
        elif russian and not english:
            checker.at("indemnity", f"the Russian says «{russian.group()}» (art. 406.1 Civil Code) but the English "
                                    f"does not indemnify: {excerpt(pair[EN].text)}", pair[EN])


def _agreement(segments: list[Segment], checker: Checker, signatories: tuple[tuple[str, str], ...]) -> None:
    """``agreement`` (drafting rule 2): «действующего» only for a man, «действующей» for a woman."""
    for segment in segments:
        if segment.lang != RU:
            continue
        for stem, gender in signatories:
            for name in re.finditer(re.escape(stem), segment.text):
                participle = _PARTICIPLE.search(segment.text, name.end(), name.end() + 120)
                if participle and participle.group() != _FORM[gender]:
                    checker.at("agreement", f"«{participle.group()}» after a {gender} signatory ({stem}…): "
                                            f"write «{_FORM[gender]}» ({excerpt(segment.text, participle.start())})",
                               segment)


def _delivery(segments: list[Segment], checker: Checker, delivery: str) -> None:
    """``delivery-terms`` (drafting rule 5): no licence keys or weight destruction where the solution is a service,
    no access suspension where it comes inside hardware."""
    terms = _data()["by_delivery"].get(delivery)
    if not terms:
        return
    patterns = {lang: [re.compile(pattern, re.IGNORECASE | re.DOTALL) for pattern in terms[lang]] for lang in (RU, EN)}
    for segment in segments:
        found = [match for pattern in patterns[segment.lang] for match in [pattern.search(segment.text)] if match]
        if found:
            first = min(found, key=lambda match: match.start())
            checker.at("delivery-terms", f"a term that does not fit the delivery ({terms['why']}): "
                                         f"{excerpt(segment.text, first.start())}", segment)
