"""How a letter greets the counterparty: its signatory by name when the deal names one (review 6).

«Уважаемые дамы и господа!» / "Dear Sir or Madam," is for a letter to nobody in particular.  Where the
deal names the counterparty's signatory and the gender is known (the deal's ``gender``, else the
patronymic or the given name, as for the preamble's participles), the letter addresses that person as a
lawyer's letter in each language would:

* Russian, a name with a patronymic: «Уважаемая Анаит Ашотовна!» (given name and patronymic);
* Russian, any other name: «Уважаемый господин Кая!», «Уважаемая госпожа Надь!» (the surname), also
  for a doctor, whom only the English greets by the title;
* English: "Dear Mr Kaya,", "Dear Ms Sargsyan,", "Dear Dr Rao," (a doctor keeps the title).

With no signatory, or a gender that cannot be told, the collective greeting stays.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from . import glossary, text
from .model import Party

COLLECTIVE = {"ru": "Уважаемые дамы и господа!", "en": "Dear Sir or Madam,"}
_DOCTOR = frozenset({"dr", "dr.", "д-р"})


def salutation(party: Party, lang: str) -> str:
    """The greeting of a letter to ``party`` in ``lang``."""
    signatory = party.signatory
    if signatory is None:
        return COLLECTIVE[lang]
    ru = signatory.name.ru if signatory.name.has("ru") else ""
    en = signatory.name.en if signatory.name.has("en") else ""
    gender = glossary.signatory_gender(signatory.gender, ru or None, en or None)
    if gender not in ("male", "female"):
        return COLLECTIVE[lang]
    surname_ru, surname_en = _surnames(ru, en)
    if lang == "ru":
        adjective = "Уважаемый" if gender == "male" else "Уважаемая"
        parts = text.name_parts(text.without_title(ru)) if ru else None
        if parts is not None and parts[2]:
            return f"{adjective} {parts[1]} {parts[2]}!"
        # "Dear Dr Rao," is «Уважаемая госпожа Rao!»: «госпожа доктор» is a calque (reviews 11 and 12)
        title = "господин" if gender == "male" else "госпожа"
        return f"{adjective} {title} {surname_ru or surname_en}!"
    doctor = any(word.lower() in _DOCTOR for word in (en or ru).split()[:1])
    title = "Dr" if doctor else ("Mr" if gender == "male" else "Ms")
    return f"Dear {title} {surname_en or glossary.transliterate(surname_ru)},"


def surnames(party: Party) -> tuple[str, str]:
    """The surname of ``party``'s signatory as a greeting prints it, in Cyrillic and in Latin script ("" where
    there is none): a proper name of the deal, which ``clausegen verify`` accepts in either column."""
    signatory = party.signatory
    if signatory is None:
        return "", ""
    return _surnames(signatory.name.ru if signatory.name.has("ru") else "",
                     signatory.name.en if signatory.name.has("en") else "")


def _surnames(ru: str, en: str) -> tuple[str, str]:
    """The signatory's surname in Cyrillic (when the deal gives the name so) and in Latin script."""
    ru, en = text.without_title(ru) if ru else "", text.without_title(en) if en else ""
    surname_ru = ""
    if ru:
        parts = text.name_parts(ru)
        # a name the morphology does not know is written surname first, as Russian documents write it
        surname_ru = parts[0] if parts is not None else ru.split()[0]
    if not en:
        return surname_ru, ""
    words = en.split()
    if surname_ru:
        # the Latin word that is the Cyrillic surname: «Надь» is "Nagy" in "Éva Nagy", «Тан» is "Tan" in
        # "Tan Wei Ming"
        latin = glossary.transliterate(surname_ru).lower()
        best = max(words, key=lambda word: SequenceMatcher(None, latin, word.lower()).ratio())
        return surname_ru, best
    middle = glossary.data()["middle_names"]
    if len(words) >= 3 and any(word in listed for word in words[1:-1] for listed in middle.values()):
        return "", words[0]  # a Vietnamese name: the family name first, the middle name marks the gender
    return "", words[-1]
