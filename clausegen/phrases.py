"""Phrases whose words agree with a count, shared by the screening, the decision ladder and the report.

One indicator is «признак», two are «признаки» (review 6: «выявлены признаки № 21» where one fired); the
phrase is made here once, so that every place that counts indicators says it the same way, and
``clausegen verify`` checks the agreement in the documents (:mod:`clausegen.verify.wording`).
"""

from __future__ import annotations


def numbers_text(numbers: list[int] | tuple[int, ...], lang: str) -> str:
    """«19», «10 и 17», «7, 13 и 19» / "19", "10 and 17", "7, 13 and 19"."""
    listed = [str(n) for n in numbers]
    if len(listed) < 2:
        return "".join(listed)
    return f"{', '.join(listed[:-1])} {'и' if lang == 'ru' else 'and'} {listed[-1]}"


def indicators_fired(numbers: list[int] | tuple[int, ...], lang: str, *, start: bool = False) -> str:
    """The fired indicators, agreeing with their count (review 6): «выявлен признак № 21 приложения № 1»,
    «выявлены признаки № 10 и 17 приложения № 1»; "Annex 1 indicator 21 fired", "Annex 1 indicators 10 and 17
    fired".  ``start``: the phrase opens a sentence (a capital, and the Russian verb first)."""
    listed = numbers_text(numbers, lang)
    if lang == "ru":
        phrase = (f"выявлен признак № {listed}" if len(numbers) == 1 else f"выявлены признаки № {listed}") \
            + " приложения № 1"
        return phrase[:1].upper() + phrase[1:] if start else phrase
    return f"Annex 1 indicator{'' if len(numbers) == 1 else 's'} {listed} fired"
