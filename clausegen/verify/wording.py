"""Wording a lawyer strikes out, and an indemnity that means one thing in English and another in Russian.

* ``wording``: a phrase of wording.yaml in its column — calques («ограничить доступ к ним лицами»), a
  salutation («Уважаемые господа!»), English that is no contract English ("out of court", "on its own
  decision", "regulatory legal act"), a term called mandatory under the Declaration, which is advisory;
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

import yaml

from .common import EN, RU, Checker, Segment, excerpt

_INDEMNITY_EN = re.compile(r"\bindemni(?:fy|fies|fied|fying|fication|ty|ties)\b", re.IGNORECASE)
_INDEMNITY_RU = re.compile(r"имущественн\w*\s+потер\w*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _phrases() -> dict[str, list[tuple[re.Pattern[str], str, str]]]:
    with (Path(__file__).with_name("wording.yaml")).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {lang: [(re.compile(rf"(?<!\w){re.escape(item['phrase'])}(?!\w)", re.IGNORECASE), item["phrase"],
                    item["instead"]) for item in data[lang]] for lang in (RU, EN)}


def check(segments: list[Segment], checker: Checker) -> None:
    for segment in segments:
        for pattern, phrase, instead in _phrases()[segment.lang]:
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
