"""Composition: the deal's data in each language, and the clause texts filled from it.

Everything a document says is decided here, as rows of (number, Russian,
English) text; :mod:`clausegen.render` only lays the rows out in a DOCX.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from jinja2 import TemplateError

from . import activities, glossary, text
from .cache import remembered
from .errors import RenderError
from .identification import document_date, has_fstec_notice, identification_status
from .library import Clause
from .model import (Bilingual, Deal, IdentificationResult, Party, Signatory, end_user_purpose, issuer_is_counterparty,
                    names_counterparty, statement_issuer)
from .recent import Recent
from .salutation import salutation
from .sandbox import (RENDER_FAILURES, Markup, compile_text, escape, failure, paths_read, render_bounded, truth_at,
                      truth_read, value_at)
from .screening import Screening
from .selection import Selected

LANGS = text.LANGS
_MARKER = re.compile(r"^(?:\(?[a-zа-яё]\)|\([ivx]+\)|[-–—•])\s")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: A full stop typed after a value that ends with one («2026 г.», "Alexandria."): one stop, not two;
#: an ellipsis stays as it is.
_DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


class Row(NamedTuple):
    """One row of a bilingual document: both columns say the same thing.  A named tuple: an annex makes
    some hundred and fifty, and a frozen dataclass's fields are set one call at a time."""

    kind: str  # title | plain | heading | para | list (a paragraph with sub-item lines) | closing (letters)
    number: str
    ru: Markup
    en: Markup

    def text(self, lang: str) -> Markup:
        body = self.ru if lang == "ru" else self.en
        return _numbered(self.number, body) if self.number else body


#: What many deals share is a few hundred entries; a deal's own texts are never asked for again.
_NUMBERED: Recent[Markup] = Recent(1024)


def _numbered(number: str, body: Markup) -> Markup:
    """«3.1. text»; kept, as a batch numbers the same reused paragraphs the same way again and again."""
    found = _NUMBERED.get((number, body))
    if found is None:
        found = _NUMBERED.put((number, body), Markup(f"{escape(number)} {body}"))  # both parts already escaped
    return found


def _b(value: Bilingual | None, lang: str) -> str:
    return value.get(lang) if value is not None else ""


#: Words of a Latin-script name that say the party is not a commercial company.
_NOT_A_COMPANY = re.compile(r"\b(?:Institut[e]?|University|Universit[äéà]t?|Academy|Acad[eé]mie|College|School|"
                            r"Laborator(?:y|ies)|Hospital|Clinic|Foundation|Fund|Council|Agency|Ministry|"
                            r"Cent(?:re|er)|Observatory|Society|Association)\b", re.IGNORECASE)


def _designation(party: Party, lang: str) -> tuple[str, str]:
    """How the preamble introduces a party: (name as written, «именуемое/ая/ый»)."""
    if lang != "ru":
        return _name(party.name, "en"), ""
    if not party.name.has("ru"):
        # an institute or a university is no «компания» (review 4, m8): «организация» is neutral and keeps
        # the feminine «именуемая»
        kind = "организация" if _NOT_A_COMPANY.search(party.name.get("ru")) else "компания"
        return f"{kind} {party.name.get('ru')}", "именуемая"
    head = party.name.get("ru").split("«")[0].split()
    gender = text.noun_gender(head) if head else None
    return party.name.get("ru"), {"femn": "именуемая", "masc": "именуемый"}.get(gender or "", "именуемое")


def _initials(full_name: str, lang: str) -> str:
    return text.short_name(full_name, lang)


def _signature_name(name: Bilingual) -> str:
    """The name under a signature line, in both scripts: «М. Соуза (M. Souza)», «Omar Haddad»."""
    ru, en = _signature_names(name)
    if ru and en and en != ru:
        return f"{ru} ({en})"
    return ru or en


def _signature_names(name: Bilingual) -> tuple[str, str]:
    """The short name under a signature line in Cyrillic and in Latin script: («М.С. Кузнецова», "M. Kuznetsova");
    a name given only in Latin script has no Cyrillic form here (("", "Omar Haddad"))."""
    ru = text.short_name(name.ru, "ru") if name.has("ru") else ""
    en = text.short_name(name.en, "en") if name.has("en") else (glossary.transliterate(ru) if ru else "")
    return ru, en


def _name(value: Bilingual, lang: str) -> str:
    """A proper name in the ``lang`` column: as given; one given only in Cyrillic is followed in the
    English column by its transliteration."""
    return glossary.proper(value.ru, value.en, lang)


def _col(kind: str, value: Bilingual | None, lang: str) -> str:
    """A value in the ``lang`` column, translated by the glossary where the deal gives only the other
    language (a position, an authority, a place), normalised where it has one spelling (a country)."""
    return glossary.column(kind, value.ru, value.en, lang) if value is not None else ""


def signatory_view(signatory: Signatory, lang: str) -> dict[str, Any]:
    """Who signs for a party, as the texts of one language see it: nominative and genitive forms, and
    the participle that agrees with the signatory («действующего» / «действующей»)."""
    try:
        return dict(_signatory_view(signatory, lang))  # a copy: the caller may change its own
    except TypeError:  # a signatory that cannot be hashed (a list in it): made afresh
        return _signatory_view.__wrapped__(signatory, lang)


@lru_cache(maxsize=256)  # pure; each document of a deal (and each deal of a batch) names the same signatories
def _signatory_view(signatory: Signatory, lang: str) -> dict[str, Any]:
    sig = signatory
    name_text = _name(sig.name, lang)
    position, acting = _col("position", sig.position, lang), _col("authority", sig.acting_under, lang)
    gender = glossary.signatory_gender(sig.gender, sig.name.ru, sig.name.en)
    # A title is not part of the name, and a Latin one has no place in the Russian column: left out of
    # both columns, which then name the signatory alike (review 4, m8).
    name_text = text.without_title(name_text)
    if lang == "ru":
        # A name the morphology does not know (Latin script, one word) keeps its form.
        name_gen = sig.name_genitive or (text.genitive_name(name_text, gender) if sig.name.has("ru") else name_text)
        position_gen = sig.position_genitive or glossary.genitive_ru("position", sig.position.ru, sig.position.en)
        acting_gen = sig.acting_under_genitive or (
            glossary.genitive_ru("authority", sig.acting_under.ru, sig.acting_under.en) if sig.acting_under else "")
        participle, authorised = text.agreeing("acting", gender), text.agreeing("authorised", gender)
    else:
        name_gen, position_gen, acting_gen, participle, authorised = name_text, position, acting, "acting", "authorised"
    return {
        "name": name_text, "position": position, "acting_under": acting,
        "name_gen": name_gen, "position_gen": position_gen, "acting_under_gen": acting_gen,
        "initials": _initials(name_text, lang),
        "gender": gender or "",
        "acting": participle,
        "authorised": authorised,
    }


def party_view(party: Party, lang: str) -> dict[str, Any]:
    """A party as the texts of one language see it."""
    name, designation = _designation(party, lang)
    # An address as written in the registry stays in its script; the country ending it is named as
    # the column names it everywhere else (one spelling per document).
    address = glossary.localise_address(_b(party.address, lang), party.country, lang, append=False)
    view: dict[str, Any] = {
        "name": _name(party.name, lang),
        "preamble_name": name,
        "designation": designation,
        "short_name": _name(party.short_name or party.name, lang),
        "address": address,
        "country": text.country_name(party.country, lang),
        "email": party.email or "",
        "registration": {
            "ogrn": party.registration.ogrn if party.registration else None,
            "inn": party.registration.inn if party.registration else None,
            "kpp": party.registration.kpp if party.registration else None,
            "number": party.registration.number if party.registration else None,
        },
        "signatory": signatory_view(party.signatory, lang) if party.signatory is not None else None,
    }
    return view


# ---------------------------------------------------------------- annex variables (issue 12, items 3-7)

def number_as_written(value: str, lang: str) -> str:
    """A document number for the running text: in the English column a Cyrillic number also in Latin
    script, in brackets (ICAO Doc 9303, the glossary's one table): «ЭК-2026/1187» → "ЭК-2026/1187 (EK-2026/1187)"."""
    if lang == "en" and glossary.has_cyrillic(value):
        return f"{value} ({glossary.transliterate(value)})"
    return value


@lru_cache(maxsize=64)
@remembered  # num2words and pymorphy3 are loaded only for a number of days not seen before
def business_days(days: int, lang: str, case: str = "gent") -> str:
    """«10 (десяти) Рабочих дней» (``gent``: after «в течение») or «10 (десять) Рабочих дней» (``accs``:
    after «за»); "10 (ten) Business Days".  The defined term keeps its capital in every form."""
    from num2words import num2words

    if lang != "ru":
        return f"{days} ({num2words(days, lang='en')}) Business Day{'' if days == 1 else 's'}"
    # «день» is inanimate: its accusative numeral is the nominative one («за 21 (двадцать один) день»)
    words = num2words(days, lang="ru", case="genitive") if case == "gent" else num2words(days, lang="ru")
    morph = text._morph()  # the one analyser the process loads (its dictionaries take a while)
    noun = morph.parse("день")[0]
    adjective = next(p for p in morph.parse("рабочий") if p.tag.POS == "ADJF")
    if case == "gent":
        number = "sing" if days % 10 == 1 and days % 100 != 11 else "plur"
        phrase = f"{adjective.inflect({'gent', number}).word} {noun.inflect({'gent', number}).word}"
    else:
        phrase = f"{adjective.make_agree_with_number(days).word} {noun.make_agree_with_number(days).word}"
    return f"{days} ({words}) {phrase[0].upper()}{phrase[1:]}"


def _terms_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    days = deal.terms.response_days
    return {"response_days": days, "period": business_days(days, lang, "gent"),
            "period_acc": business_days(days, lang, "accs")}


#: The Declaration's own words for the activities of items 19-22 of Annex 1, as the annex records what the
#: deal discloses; any other tag of those items is worded from the vocabulary (clausegen.activities).
_ACTIVITY_LABELS = {
    "nuclear_reactors": ("проектирование, строительство, эксплуатация или обслуживание ядерных реакторов или "
                         "ядерных энергетических установок",
                         "the design, construction, operation or maintenance of nuclear reactors or nuclear power "
                         "installations"),
    "nuclear_fuel": ("производство и переработка ядерного топлива", "the production and processing of nuclear fuel"),
    "nuclear_waste": ("обращение с ядерными отходами", "the handling of nuclear waste"),
    "isotope_separation": ("разделение изотопов", "the separation of isotopes"),
    "heavy_water": ("производство тяжёлой воды", "the production of heavy water"),
    "high_energy_physics": ("исследования в области физики высоких энергий", "research in high-energy physics"),
    "missile": ("деятельность в ракетной области", "activities in the missile field"),
    "organic_synthesis": ("органический синтез", "organic synthesis"),
    "vaccines": ("разработка и производство вакцин", "the development and production of vaccines"),
    "pesticides": ("разработка и производство инсектицидов и пестицидов",
                   "the development and production of insecticides and pesticides"),
    "toxicology": ("токсикология", "toxicology"),
    "biochemistry": ("биохимия", "biochemistry"),
    "microbiology": ("микробиология", "microbiology"),
    "immunology": ("иммунология", "immunology"),
    "genetic_engineering": ("генная инженерия и биотехнология", "genetic engineering and biotechnology"),
    "military_research": ("исследования и разработки в интересах военных ведомств",
                          "research and development for military authorities"),
    "special_services": ("исследования и разработки в интересах специальных служб",
                         "research and development for special services"),
    "launch_vehicles": ("деятельность, связанная с ракетами-носителями", "activities relating to launch vehicles"),
    "biotechnology": ("биотехнология", "biotechnology"),
    "defence_industry": ("деятельность в оборонной промышленности", "activities in the defence industry"),
}
SENSITIVE_ITEMS = (19, 20, 21, 22)


def activity_item(tag: str) -> int | None:
    """The item of Annex 1 (19-22) an activity tag falls under, or None for an ordinary activity."""
    return activities.item(tag)


def activity_label(tag: str, lang: str) -> str:
    """What an activity tag means, in ``lang``, as words inside a sentence (the vocabulary's label
    starts with a capital; the Declaration's own wording is kept where the annex has it)."""
    labels = _ACTIVITY_LABELS.get(tag)
    if labels:
        return labels[0 if lang == "ru" else 1]
    words = activities.label(tag, lang)
    first = words.split(" ", 1)[0]
    return words if first.isupper() and len(first) > 1 else words[:1].lower() + words[1:]


def disclosed_activities(deal: Deal) -> list[tuple[str | None, int, str]]:
    """The activities of items 19-22 the deal discloses: (end user's name, or None for the counterparty;
    item; tag), the counterparty first, then each end user in the deal's order."""
    found: list[tuple[str | None, int, str]] = []
    holders: list[tuple[str | None, list[str]]] = [(None, deal.counterparty.activities)]
    holders += [(u.name.get("en"), u.activities) for u in deal.end_use.end_users]
    for holder, tags in holders:
        for tag in dict.fromkeys(tags):
            if (item := activity_item(tag)) is not None:
                found.append((holder, item, tag))
    return found


def _items_text(items: list[int], lang: str) -> str:
    """«пункты 20–22», «пункты 19, 20 и 22», «пункт 22» / "items 20 to 22", "item 22"."""
    if not items:
        return ""
    if len(items) == 1:
        return f"{'пункт' if lang == 'ru' else 'item'} {items[0]}"
    if len(items) > 2 and items == list(range(items[0], items[-1] + 1)):
        listed = f"{items[0]}–{items[-1]}" if lang == "ru" else f"{items[0]} to {items[-1]}"
    else:
        listed = f"{', '.join(map(str, items[:-1]))} {'и' if lang == 'ru' else 'and'} {items[-1]}"
    return f"{'пункты' if lang == 'ru' else 'items'} {listed}"


def _disclosure_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    """What the deal discloses of the activities of items 19-22, for the representations article."""
    names = {u.name.get("en"): u.name.get(lang) for u in deal.end_use.end_users}
    counterparty = deal.counterparty.name.get("en")
    entries: dict[tuple[str, int], list[str]] = {}
    for holder, item, tag in disclosed_activities(deal):
        if holder == counterparty:
            holder = None  # the counterparty is its own end user: one entry
        who = names.get(holder, holder) if holder is not None else ""
        labels = entries.setdefault((who, item), [])
        if (label := activity_label(tag, lang)) not in labels:
            labels.append(label)
    items = sorted({item for _, item in entries})
    undisclosed = [item for item in SENSITIVE_ITEMS if item not in items]
    return {
        "any": bool(entries),
        "entries": [{"end_user": who, "item": item, "activities": "; ".join(labels)}
                    for (who, item), labels in entries.items()],
        "items": items,
        "undisclosed": undisclosed,
        "undisclosed_items": _items_text(undisclosed, lang),
        "markers": ["а", "б", "в", "г"] if lang == "ru" else ["a", "b", "c", "d"],
    }


def _identification_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    """The annex states that the solution is not on the control list only when the deal records an
    identification with that result (the report helper's identification_status() says the same)."""
    found = deal.identification
    not_listed = identification_status(deal) == "recorded_not_listed"
    return {
        "not_listed": not_listed,
        "date": text.format_date(found.date, lang) if not_listed and found is not None else "",
        "reference": number_as_written(found.reference, lang) if not_listed and found and found.reference else "",
        # FSTEC's written notice (4.3), cited by its date and number where the deal records them (review 6)
        "fstec_notice": has_fstec_notice(deal),
        "notice": _notice(deal, lang),
    }


_NUMBER_IN_REFERENCE = re.compile(r"№\s*([^\s,;()]+)")


def _notice(deal: Deal, lang: str) -> str:
    """«от 6 ноября 2026 г. № 240/33/1187» / "No. 240/33/1187 of 6 November 2026": FSTEC's notice as the
    identification's reference records it (its date, else the identification's; its number, if written)."""
    found = deal.identification
    if found is None or found.result != IdentificationResult.FSTEC_NOTICE:
        return ""
    day = document_date(found.reference) or found.date
    number = _NUMBER_IN_REFERENCE.search(found.reference or "")
    shown = number_as_written(number.group(1), lang) if number else ""
    if lang == "ru":
        return f"от {text.format_date(day, 'ru')}" + (f" № {shown}" if shown else "")
    return (f"No. {shown} " if shown else "") + f"of {text.format_date(day, 'en')}"


def _contract_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    c = deal.contract
    title = _col("title", c.title, lang)
    return {
        # empty until the contract is signed (the deal then names an offer: see _offer_view)
        "number": c.number or "",
        "date": text.format_date(c.date, lang) if c.date else "",
        "date_quoted": text.format_date(c.date, lang, quoted=True) if c.date else "",
        "signed": c.signed,
        "title": title,
        # the title inside a sentence, for a contract not yet signed: «лицензионный договор», "the contract"
        "title_inline": _title_inline(title, lang),
        "place": _col("place", c.place, lang),
        "annex_number": str(c.annex_number),
        "prevailing_language": c.prevailing_language,
        "kind": str(c.kind),
    }


def _title_inline(title: str, lang: str) -> str:
    """A contract's title as a common noun inside a sentence: «Лицензионный договор» → «лицензионный
    договор»; an English title keeps its capitals ("the License Agreement") but the bare default does not."""
    first = title.split(maxsplit=1)[0] if title.strip() else ""
    if lang == "ru":
        common = first[:1].isupper() and not any(ch.isupper() for ch in first[1:]) and glossary.has_cyrillic(first)
        return title[:1].lower() + title[1:] if common else title
    return "contract" if title == "Contract" else title


def _offer_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    """The commercial offer: ``governs`` when the documents are made for it (no contract signed yet);
    ``recorded`` when the deal names one at all (a signed contract's basis)."""
    offer = deal.offer
    return {
        "governs": deal.basis == "offer",
        "recorded": offer is not None,
        "number": number_as_written(offer.number, lang) if offer else "",
        "date": text.format_date(offer.date, lang) if offer else "",
        "date_quoted": text.format_date(offer.date, lang, quoted=True) if offer else "",
        "valid_until": text.format_date(offer.valid_until, lang) if offer and offer.valid_until else "",
    }


def _solution_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    return {
        "name": glossary.product_name(deal.solution.name.ru, deal.solution.name.en, lang),
        "description": _b(deal.solution.description, lang),
        # the same after a colon inside a sentence («Описание: модель распознавания речи»)
        "description_inline": inline(deal.solution.description, lang),
        "version": deal.solution.version or "",
        "quantity": _b(deal.solution.quantity, lang),
        "delivery": str(deal.solution.delivery),
        "can_modify": deal.solution.counterparty_can_modify,
    }


_ARTICLES = frozenset({"The", "A", "An"})


def inline(value: Bilingual | None, lang: str, translated: str | None = None) -> str:
    """A purpose or a location inside a sentence, after a colon (m-2): its first letter in lower case,
    unless it starts a proper name, an acronym or a defined term.  Russian decides by pymorphy3; the
    English text, which has no morphology here, follows the Russian one (the same words in the same
    order), or is lowered when it starts with an article ("The Counterparty's …" → "the Counterparty's …")."""
    shown = translated if translated is not None else _b(value, lang)
    if not shown:
        return shown
    first = shown.split(maxsplit=1)[0]
    if lang == "ru":
        lower = text.common_start_ru(shown)
    else:
        ru = value.ru if value is not None and value.has("ru") else ""
        lower = first in _ARTICLES or (
            bool(ru) and text.common_start_ru(ru) and not any(c.isupper() for c in first[1:])
            and not text.DEFINED_START.match(shown))
    return shown[0].lower() + shown[1:] if lower else shown


def _end_use_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    location = _col("location", deal.end_use.location, lang)
    return {
        "purpose": _b(deal.end_use.purpose, lang),
        "location": location,
        # the same inside a sentence, after a colon: a common first word in lower case
        "purpose_inline": inline(deal.end_use.purpose, lang),
        "location_inline": inline(deal.end_use.location, lang, location),
        "end_users": [
            {"name": _name(u.name, lang), "country": text.country_name(u.country, lang), "address": _b(u.address, lang)}
            for u in deal.end_use.end_users
        ],
        # an end user other than the Counterparty itself: the annex consents to the transfer the deal is for
        "others": any(not names_counterparty(deal, u.name) for u in deal.end_use.end_users),
        # the deal gives the end users' own purpose: they are others than the Counterparty (a distributor's
        # customers, a chain's franchisees), so no letter asks it to confirm that it alone uses the solution
        "for_others": deal.end_use.end_user_purpose is not None,
    }


# Russian list items skip ё, й, ъ, ы, ь (the ЕСКД / legal drafting convention).
_MARKERS = {"ru": "абвгдежзиклмнопрстуфхцчшщэюя", "en": "abcdefghijklmnopqrstuvwxyz"}


def list_markers(count: int, lang: str) -> list[str]:
    """Markers for ``count`` list items: а, б, в … / a, b, c …; doubled past the alphabet (аа, бб …)."""
    letters = _MARKERS[lang]
    return [letters[i % len(letters)] * (i // len(letters) + 1) for i in range(count)]


def _permission_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    perm = deal.permission
    found = deal.identification
    return {
        "number": number_as_written(perm.number, lang) if perm.number else "",
        "date": text.format_date(perm.date, lang) if perm.date else "",
        # the annex lists them, each ending with «;» and the last with «.»: a condition's own end goes
        "conditions": [condition.get(lang).strip().rstrip(".;").rstrip() for condition in perm.conditions or []],
        # None (not recorded) and [] (the permission sets none) read differently in the annex
        "conditions_recorded": perm.conditions is not None,
        "markers": list_markers(len(perm.conditions or []), lang),
        # Section 4.3: the Commission was asked after FSTEC of Russia informed the supplier in writing.
        "after_fstec_notice": deal.knowledge.fstec_notice
        or (found is not None and found.result == IdentificationResult.FSTEC_NOTICE),
    }


def _payment_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    return {
        "amount": text.format_amount(deal.payment.amount, deal.payment.currency, lang) if deal.payment else "",
        "method": str(deal.payment.method) if deal.payment else "",
    }


def _screening_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    return {
        "decision": str(screening.decision),
        "enhanced": screening.enhanced,
        # The enhanced terms stay whenever indicators fired, a Commission permission or not (issue 12, 7).
        "enhanced_terms": screening.enhanced or bool(screening.fired),
        "is_export": screening.is_export,
        "fired": list(screening.fired),
        "disclosed": list(screening.disclosed),
        # the decision rests on section 4.2 (a reasonable concern): the application to the Commission rests on
        # the Supplier's policy as well as the law (review 4, m12)
        "concern": any(reason.section == "4.2" for reason in screening.reasons),
    }


def _statement_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    """The end-user statement's issuer: the one end user the deal names, or blanks for the end user to fill;
    and the end use in the end user's mouth (never the counterparty's own purpose, issue 12 review 3)."""
    issuer = statement_issuer(deal)
    perm = deal.permission
    purpose = end_user_purpose(deal)
    common = {
        # in the English column a Cyrillic number also in Latin script ("ЭК-2026/1187 (EK-2026/1187)")
        "permission_number": number_as_written(perm.number, lang) if perm.number else "",
        # list items: the text puts the ";" or "." after each
        "permission_conditions": [condition.get(lang).strip().rstrip(".;").rstrip() for condition in perm.conditions or []],
        # after a colon inside the sentence: a common first word in lower case
        "purpose": inline(purpose, lang) if purpose is not None else "",
    }
    if issuer is None:
        return {"issuer": "", "issuer_address": "", "issuer_is_counterparty": False, **common}
    own = issuer_is_counterparty(deal)
    # the country alone is no address: the end user then fills it in; an end user that is the
    # counterparty has the counterparty's address, which the deal gives (review5, minor 12)
    if issuer.address:
        address = f"{_b(issuer.address, lang)}, {text.country_name(issuer.country, lang)}"
    elif own and deal.counterparty.address:
        address = glossary.localise_address(_b(deal.counterparty.address, lang), deal.counterparty.country, lang)
    else:
        address = ""
    return {**common, "issuer": issuer.name.get(lang), "issuer_address": address, "issuer_is_counterparty": own}


@lru_cache(maxsize=64)  # pure; num2words took a quarter of a millisecond, for every letter of every deal
def letter_period(days: int, lang: str) -> str:
    """«10 (десяти) рабочих дней (по календарю Российской Федерации)» / "10 (ten) business days (as counted
    in the Russian Federation)", after «в течение» / "within".  A letter or an end-user statement defines no
    terms, so the words take no capital (the annex's defined «Рабочий день» does), and say whose calendar
    counts: a foreign end user would otherwise count its own (review 13)."""
    from num2words import num2words

    if lang == "ru":
        noun = "рабочего дня" if days % 10 == 1 and days % 100 != 11 else "рабочих дней"
        return f"{days} ({num2words(days, lang='ru', case='genitive')}) {noun} (по календарю Российской Федерации)"
    return f"{days} ({num2words(days, lang='en')}) business day{'' if days == 1 else 's'} (as counted in the " \
           "Russian Federation)"


def _letters_view(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    """What the letters share: the outgoing numbers of the deal's letters (so that one letter can cite
    another) and the time to answer, from the one setting ``terms.response_days`` the annex uses too."""
    return {kind.replace("-", "_"): letter_number(deal, kind) for kind in LETTER_CODES} | {
        "date": text.format_date(deal.letters.date or deal.basis_date, lang),
        "response_days": deal.terms.response_days,
        "response_period": letter_period(deal.terms.response_days, lang),
        # an annex is made for this deal: a letter may cite its clauses (compose_rows numbers them),
        # never when there is none, as for a deal on hold or refused (drafting rules, 4)
        "annex": screening.annex_allowed,
        # the counterparty's signatory by name where the deal names one (review 6)
        "salutation": salutation(deal.counterparty, lang),
    }


#: The names a clause text can use (see clauses/README.md), each made only when a text reads it:
#: an annex never reads the amount, whose words take longer to make than most clauses to fill.
_SECTIONS: dict[str, Any] = {
    "lang": lambda deal, screening, lang: lang,
    "contract": _contract_view,
    "offer": _offer_view,
    "supplier": lambda deal, screening, lang: party_view(deal.supplier, lang),
    "counterparty": lambda deal, screening, lang: party_view(deal.counterparty, lang),
    "solution": _solution_view,
    "end_use": _end_use_view,
    "permission": _permission_view,
    "payment": _payment_view,
    "screening": _screening_view,
    "terms": _terms_view,
    "disclosure": _disclosure_view,
    "identification": _identification_view,
    "letters": _letters_view,
    "statement": _statement_view,
}


def language_context(deal: Deal, screening: Screening, lang: str) -> dict[str, Any]:
    """Every variable a clause text can use, in one language (see clauses/README.md)."""
    return {name: build(deal, screening, lang) for name, build in _SECTIONS.items()}


#: Deal values are data, so the whitespace inside a value is never the clause text's layout: a blank
#: line in a name must not start a numbered paragraph, a line break must not be joined into a space,
#: nor a value that begins a line lose its leading spaces.  While a clause is rendered and cut into
#: paragraphs, each whitespace character of a value travels as "\x01<code point>\x02" (characters
#: validation refuses in any value) and is put back in the finished paragraphs.
_CARRIED = re.compile("\x01([0-9]+)\x02")
#: Every character ``str.isspace`` (and so the regular expression ``\s``) calls whitespace lies below
#: U+3001; str.translate replaces them all in one pass.
_HIDE_SPACE = {code: f"\x01{code}\x02" for code in range(0x3001) if chr(code).isspace()}
#: A value's full stops travel hidden too, all but a final one: a stop the text types after a value that
#: ends with one («2026 г.» + ".") is collapsed into it, and no other pair of stops in a value is touched.
_HIDE = {**_HIDE_SPACE, ord("."): f"\x01{ord('.')}\x02"}


#: The characters of _HIDE other than a space and a full stop, which values rarely hold.
_RARE_HIDDEN = re.compile("[" + "".join(re.escape(chr(code)) for code in _HIDE if chr(code) not in " .") + "]")


def _hidden(value: str) -> str:
    """``value.translate(_HIDE)``: str.translate looks every character up in the table, five times slower
    than replacing the two characters values hold (the replacements hold neither, nor any other character
    of the table), the rest translated only where there is one."""
    hidden = value.replace(" ", _HIDE[ord(" ")]).replace(".", _HIDE[ord(".")])
    return hidden.translate(_HIDE) if _RARE_HIDDEN.search(hidden) else hidden


#: Strings carried before, as carried: a batch's deals repeat most of them (the supplier's, the labels, the
#: solution's); a plain dict, emptied when the strings it holds reach :data:`_MAX_CARRIED_CHARS` characters.
_CARRIED_STRINGS: dict[str, str] = {}
_MAX_CARRIED_CHARS = 1_000_000
_carried_chars = 0


def _carried(value: Any) -> Any:
    """A language context with the whitespace of every string hidden from the paragraph layout."""
    global _carried_chars
    if isinstance(value, str):
        found = _CARRIED_STRINGS.get(value)
        if found is None:
            if _carried_chars + len(value) > _MAX_CARRIED_CHARS:
                _CARRIED_STRINGS.clear()
                _carried_chars = 0
            found = _CARRIED_STRINGS[value] = _hidden(value[:-1]) + "." if value.endswith(".") else _hidden(value)
            _carried_chars += len(value)
        return found
    if isinstance(value, dict):
        return {key: _carried(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_carried(item) for item in value]
    return value


def _paragraphs(rendered: str) -> list[Markup]:
    paragraphs = []
    for block in _BLANK_LINE.split(rendered.strip()):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        joined = lines[0]
        for line in lines[1:]:
            joined += ("\n" if _MARKER.match(line) else " ") + line
        if ".." in joined:  # the search alone, on every paragraph, cost more than the rest of this function
            joined = _DOUBLED_STOP.sub(".", joined)
        if "\x01" in joined:
            joined = _put_back(joined)
        paragraphs.append(Markup(joined))
    return paragraphs


#: The characters values carry most (a space, a full stop), put back by str.replace: far cheaper than a
#: call per match.  A replacement makes one character that is neither a digit nor \x01 nor \x02, so it
#: never completes another carried sequence: the result is the regular expression's alone.
_COMMON_CARRIED = tuple((f"\x01{ord(char)}\x02", char) for char in " .")


def _put_back(joined: str) -> str:
    """The carried characters of a paragraph, as they were in the values."""
    for hidden, char in _COMMON_CARRIED:
        joined = joined.replace(hidden, char)
    if "\x01" in joined:
        joined = _CARRIED.sub(lambda found: chr(int(found.group(1))), joined)
    return joined


def render_clause(clause: Clause, lang: str, context: dict[str, Any]) -> list[Markup]:
    """The clause's paragraphs in ``lang``, XML-escaped, filled from ``context``."""
    try:
        template = compile_text(clause.text(lang))
        return _paragraphs("".join(render_bounded(template, context)))
    except (TemplateError, *RENDER_FAILURES) as error:
        reason, line = failure(error)
        where = f", line {line}" if line else ""
        raise RenderError(f"clause {clause.id!r} ({lang}{where}) cannot be rendered for this deal: {reason}",
                          reason=reason, line=line) from None


#: Rendered clause paragraphs by (text, the values at the paths it reads).  In a batch most clauses
#: read only what deals share (the supplier, the solution, the numbering, the contract's kind) and
#: come out the same for hundreds of deals; rendering them again was most of composing a document.
_RENDERED: Recent[tuple[Markup, ...]] = Recent(1024)


class _Filling:
    """One deal's context in one language, built section by section as the clause texts read it:
    its values give the memo's keys, and on a miss the sections the text reads are carried."""

    def __init__(self, deal: Deal, screening: Screening, lang: str, ref: Any, numbers: dict[str, int | None]) -> None:
        self.deal, self.screening, self.lang = deal, screening, lang
        self.ref = ref
        self.numbering = repr(sorted(numbers.items()))  # all that ref() depends on
        self._raw: dict[str, Any] = {}
        self._carried: dict[str, Any] = {}
        self.keys: dict[str, Any] = {}  # by the slot names of _reads

    def get(self, name: str) -> Any:
        if name not in self._raw:
            build = _SECTIONS.get(name)
            self._raw[name] = build(self.deal, self.screening, self.lang) if build is not None else None
        return self._raw[name]

    def key(self, slot: str, path: tuple[str | int, ...], tested: bool) -> Any:
        """What a text depends on at ``path`` (``slot`` names it, see _reads); ``tested``: a path the text only
        tests for truth, where only that counts (sandbox.truth_read: «{% if end_use.end_users %}» does not
        depend on the names)."""
        # repr tells apart every value a context holds: strings, numbers, booleans, None, in dicts and lists.
        # A document's clauses read the same paths again and again (the parties' names): each is made once.
        found = self.keys.get(slot)
        if found is None:
            if path[0] == "ref":
                found = self.numbering
            elif tested:
                found = truth_at(self.get(path[0]), path[1:])
            else:
                found = repr(value_at(self.get(path[0]), path[1:]))
            self.keys[slot] = found
        return found

    def context(self, paths: tuple[tuple[str | int, ...], ...]) -> dict[str, Any]:
        """What a text reading ``paths`` needs, its whitespace carried; a name that is no section is
        left out, so that rendering reports it undefined."""
        context = {"ref": self.ref}
        for name in {path[0] for path in paths} - {"ref"}:
            if name in _SECTIONS:
                if name not in self._carried:
                    self._carried[name] = _carried(self.get(name))
                context[name] = self._carried[name]
        return context


@lru_cache(maxsize=4096)
def _reads(source: str) -> tuple[tuple[str, tuple[str | int, ...], bool], ...]:
    """The paths ``source`` reads (sandbox.paths_read), each with whether the text only tests it for truth
    (sandbox.truth_read), and named by a string that says both: a string keeps its hash, a tuple of
    tuples is hashed at every look-up.  Raises TemplateSyntaxError."""
    tested = set(truth_read(source))
    return tuple((f"{'?' if path in tested else '='}{path!r}", path, path in tested) for path in paths_read(source))


def _render_memo(clause: Clause, lang: str, filling: _Filling) -> tuple[Markup, ...]:
    source = clause.text(lang)
    try:
        reads = _reads(source)
    except TemplateError:  # render_clause reports it, naming the clause
        return tuple(render_clause(clause, lang, filling.context(tuple((name,) for name in _SECTIONS))))
    known = filling.keys  # most of a document's paths were read by an earlier clause: no call for those
    key = (source, tuple([known[slot] if slot in known else filling.key(slot, path, tested)
                          for slot, path, tested in reads]))
    found = _RENDERED.get(key)
    if found is None:  # a failure raises here and is never kept
        found = _RENDERED.put(key, tuple(render_clause(clause, lang, filling.context(paths_read(source)))))
    return found


def make_ref(numbers: dict[str, int | None]) -> Any:
    """``ref('clause-id', 2)`` for clause texts: «3.2», from the numbers of this document's clauses."""

    def ref(clause_id: str, paragraph: int | None = None) -> str:
        number = numbers.get(clause_id)
        if number is None:
            raise RenderError(f"cross-reference to clause {clause_id!r}, which is not numbered in this document")
        return f"{number}.{paragraph}" if paragraph else str(number)

    return ref


def compose_rows(selected: list[Selected], deal: Deal, screening: Screening,
                 annex: list[Selected] | tuple[Selected, ...] = ()) -> list[Row]:
    """The rows of a document: headings and paragraphs, numbered, in both languages.  A letter is
    given the deal's ``annex`` clauses too, so that ``ref()`` cites the annex's numbers (clause ids
    are unique across the library, so the two sets never clash)."""
    numbers = {s.clause.id: s.number for s in annex} | {s.clause.id: s.number for s in selected}
    ref = make_ref(numbers)
    fillings = {lang: _Filling(deal, screening, lang, ref, numbers) for lang in LANGS}
    rows: list[Row] = []
    item = 0
    for chosen in selected:
        clause = chosen.clause
        ru = _render_memo(clause, "ru", fillings["ru"])
        en = _render_memo(clause, "en", fillings["en"])
        if len(ru) != len(en):
            raise RenderError(
                f"clause {clause.id!r} has {len(ru)} paragraph(s) in Russian but {len(en)} in English for this deal"
            )
        numbering = clause.meta.numbering
        if numbering == "article":
            title = clause.meta.title
            rows.append(Row("heading", f"{chosen.number}.", escape(title.ru), escape(title.en)))
            rows += [Row("para", f"{chosen.number}.{k}.", r, e) for k, (r, e) in enumerate(zip(ru, en), 1)]
        elif numbering == "item":
            for r, e in zip(ru, en):
                item += 1
                rows.append(Row("para", f"{item}.", r, e))
        elif numbering == "heading":
            rows += [Row("title", "", r, e) for r, e in zip(ru, en)]
        else:
            rows += [Row("plain", "", r, e) for r, e in zip(ru, en)]
    return [Row("list", r.number, r.ru, r.en) if r.kind in ("para", "plain") and ("\n" in r.ru or "\n" in r.en)
            else r for r in rows]


def signature_view(deal: Deal) -> dict[str, Any]:
    """Both parties' signature blocks; a line given in one language only is shown once."""

    def both(ru: str, en: str) -> str:
        return ru if ru == en or not en else (en if not ru else f"{ru}\n{en}")

    def block(party: Party, role_ru: str, role_en: str) -> dict[str, Any]:
        # Only nominative forms here: no need for party_view's declension work.  The position is in
        # both languages, translated by the glossary where the deal gives one.
        signatory = party.signatory
        position = both(_col("position", signatory.position, "ru"),
                        _col("position", signatory.position, "en")) if signatory else ""
        return {
            "role_ru": role_ru,
            "role_en": role_en,
            # a line starts with a capital: «Компания «Вакинас ду Сул С.А.»», as _line_start
            "name": both(_line_start(party.name.get("ru")), party.name.get("en")),
            "position": position,
            "initials": _signature_name(signatory.name) if signatory else "",
            # under the signature line: the name in Russian, then in Latin script, each on a line of its own
            "person": both(*_signature_names(signatory.name)) if signatory else "",
            "date": "Дата / Date: ________________",
            "seal": "М.П. (при наличии) / Seal (if any)",
            # The signatory's full name in each script, for a block that prints both.
            "name_ru": signatory.name.get("ru") if signatory else "",
            "name_en": signatory.name.get("en") if signatory else "",
        }

    return {
        "supplier": block(deal.supplier, "Поставщик", "Supplier"),
        "counterparty": block(deal.counterparty, "Контрагент", "Counterparty"),
    }


#: The language of each column's text, for hyphenation (w:lang).
_LANGUAGE_TAGS = {"ru": "ru-RU", "en": "en-GB"}


def running_header(deal: Deal, lang: str) -> str:
    """«Приложение № 2 к Договору № SA-0142/2026 от 20 ноября 2026 г.» / "Annex No. 2 to Contract No. …";
    before the contract is signed, «… к коммерческому предложению № …» / "… to Commercial Offer No. …"."""
    c = deal.contract
    if deal.basis == "offer":
        assert deal.offer is not None
        number, date = number_as_written(deal.offer.number, lang), text.format_date(deal.offer.date, lang)
        if lang == "ru":
            return f"Приложение № {c.annex_number} к коммерческому предложению № {number} от {date}"
        return f"Annex No. {c.annex_number} to Commercial Offer No. {number} dated {date}"
    if lang == "ru":
        return f"Приложение № {c.annex_number} к Договору № {c.number} от {text.format_date(c.date, 'ru')}"
    return f"Annex No. {c.annex_number} to Contract No. {c.number} dated {text.format_date(c.date, 'en')}"


def annex_context(rows: list[Row], deal: Deal, columns: tuple[str, str]) -> dict[str, Any]:
    """What templates/annex.docx needs."""
    left, right = columns
    return {
        "rows": [{"kind": r.kind, "left": r.text(left), "right": r.text(right)} for r in rows],
        "sign": signature_view(deal),
        "layout": {
            "header": " / ".join(running_header(deal, lang) for lang in columns),
            # Markup: constants the template prints on every row, with nothing to escape
            "left_lang": Markup(_LANGUAGE_TAGS[left]),
            "right_lang": Markup(_LANGUAGE_TAGS[right]),
        },
    }


LETTER_CODES = {"notice": "NTC", "enduse-request": "REQ", "end-user-statement": "EUS", "hold": "HLD",
                "refusal": "REF"}


#: The abbreviation a foreign registration number often starts with, as the Russian column writes it
#: (drafting rules, 1: no Latin words in the Russian text): "BIN 180540012345" → «БИН 180540012345».
_REGISTRY_ABBREVIATIONS = {"BIN": "БИН", "IIN": "ИИН", "TIN": "ИНН", "INN": "ИНН", "OGRN": "ОГРН", "KPP": "КПП",
                           "UNP": "УНП"}


def _registration_number(number: str, lang: str) -> str:
    head, space, rest = number.partition(" ")
    russian = _REGISTRY_ABBREVIATIONS.get(head.rstrip(":").upper()) if lang == "ru" and space else None
    return f"{russian} {rest.strip()}" if russian else number


def _registration_line(party: Party, lang: str, numbered: bool = True) -> str:
    """The party's registration numbers; ``numbered`` puts «Рег. №» before a foreign number (not where a
    label already says what it is)."""
    reg = party.registration
    if reg is None:
        return ""
    labels = {"ogrn": ("ОГРН", "OGRN"), "inn": ("ИНН", "INN"), "kpp": ("КПП", "KPP"), "number": ("Рег. №", "Reg. No.")}
    parts = [f"{labels[key][0 if lang == 'ru' else 1]} {value}" for key, value in
             (("ogrn", reg.ogrn), ("inn", reg.inn), ("kpp", reg.kpp)) if value]
    if reg.number:
        number = _registration_number(reg.number, lang)
        parts.append(f"{labels['number'][0 if lang == 'ru' else 1]} {number}" if numbered else number)
    return ", ".join(parts)


def letter_number(deal: Deal, kind: str) -> str:
    """The outgoing number of the deal's letter of ``kind`` (EXP-2026-0157/REQ)."""
    return f"{deal.letters.number_prefix or deal.deal_id}/{LETTER_CODES[kind]}"


def letter_head(deal: Deal, kind: str, lang: str) -> dict[str, str]:
    """Letterhead, outgoing number and date, and addressee in one language."""
    number = letter_number(deal, kind)
    when = text.format_date(deal.letters.date or deal.basis_date, lang)
    supplier, counterparty = deal.supplier, deal.counterparty
    # An address often ends with its country already, in either language (an address given only in
    # English stands in the Russian column too): that country is written as the column names it, and
    # an address that names none gets it at the end.
    to_address = glossary.localise_address(_b(counterparty.address, lang), counterparty.country, lang)
    return {
        "name": _name(supplier.name, lang),
        "address": _b(supplier.address, lang),
        "registration": _registration_line(supplier, lang),
        "email": f"E-mail: {supplier.email}" if supplier.email else "",
        "reference": f"Исх. № {number} от {when}" if lang == "ru" else f"Our ref.: {number}, {when}",
        "to_label": "Кому:" if lang == "ru" else "To:",
        "to_name": _line_start(_name(counterparty.name, lang)),
        "to_address": to_address,
        "number": number,
    }


_BLANK = "________________"
#: The end-user statement's own labels, per language: it is the end user's document, on its letterhead.
_STATEMENT_LABELS = {
    "ru": {"blank": "Бланк (реквизиты) Конечного пользователя", "name": "Полное наименование",
           "address": "Адрес (место нахождения)", "registration": "Регистрационный номер",
           "reference": f"Исх. № {_BLANK} от «___» {_BLANK} 20___ г.", "to": "Кому:",
           "form": "Форма Поставщика №", "role": "За Конечного пользователя", "position": "Должность",
           "confirm": "Подтверждаем сведения, указанные в настоящем заявлении.", "counter": "За Контрагента",
           "confirm_other": "Подтверждаем сведения, указанные в настоящем заявлении (подписывается, если Конечный "
                            "пользователь не является Контрагентом).",
           "person": "Ф. И. О.", "signature": "Подпись", "date": "Дата", "seal": "М.П. (при наличии)"},
    "en": {"blank": "End User's letterhead (particulars)", "name": "Full legal name",
           "address": "Address (registered office)", "registration": "Registration number",
           "reference": f"Ref. No. {_BLANK} dated {_BLANK} 20___", "to": "To:",
           "form": "Supplier's form No.", "role": "For the End User", "position": "Position",
           "confirm": "We confirm the information given in this statement.", "counter": "For the Counterparty",
           "confirm_other": "We confirm the information given in this statement (to be signed where the End User "
                            "is not the Counterparty).",
           "person": "Full name", "signature": "Signature", "date": "Date", "seal": "Seal (if any)"},
}


def statement_head(deal: Deal, lang: str) -> dict[str, str]:
    """The head of the end-user statement in one language: the end user's particulars (from the deal
    when it names one end user, else blanks), the Supplier as addressee, and the Supplier's form number."""
    labels, issuer = _STATEMENT_LABELS[lang], _statement_view(deal, None, lang)  # type: ignore[arg-type]
    supplier = deal.supplier
    return {
        "blank": labels["blank"],
        "name": f"{labels['name']}: {issuer['issuer'] or _BLANK}",
        "address": f"{labels['address']}: {issuer['issuer_address'] or _BLANK}",
        # the Counterparty speaking for itself: its registration is in the deal (review 10)
        "registration": f"{labels['registration']}: "
                        f"{(issuer['issuer_is_counterparty'] and _registration_line(deal.counterparty, lang, False)) or _BLANK}",
        "reference": labels["reference"],
        "to_label": labels["to"],
        "to_name": supplier.name.get(lang),
        "to_address": _b(supplier.address, lang),
        "form": f"{labels['form']} {letter_number(deal, 'end-user-statement')}",
    }


def _line_start(value: str) -> str:
    """A name that begins a line begins with a capital: «Компания «Стрейтс…»», as the deal's
    «компания «Стрейтс…»» reads in running text (review m-9)."""
    return value[:1].upper() + value[1:]


def statement_sign(deal: Deal, langs: tuple[str, ...]) -> dict[str, Any]:
    """The end user's signature block (never the Supplier's), its labels in the letter's languages; and,
    unless the Counterparty is itself the one end user, the Counterparty's countersignature, which the
    annex's condition precedent asks for (end-user-statement-condition)."""
    issuer = statement_issuer(deal)
    own = _statement_view(deal, None, langs[0])["issuer_is_counterparty"]  # type: ignore[arg-type]

    def both(key: str) -> str:
        return " / ".join(_STATEMENT_LABELS[lang][key] for lang in langs)

    company = " / ".join(dict.fromkeys(issuer.name.get(lang) for lang in langs)) if issuer else _BLANK
    lines = {key: f"{both(key)}: {_BLANK}" for key in ("position", "person", "signature", "date")}
    counter = None if own else {
        # a form for an end user not yet known may come back from the Counterparty itself (review 16)
        "confirm": both("confirm" if issuer else "confirm_other"), "role": both("counter"),
        "company": " / ".join(dict.fromkeys(_line_start(_name(deal.counterparty.name, lang)) for lang in langs)),
        **lines, "seal": both("seal")}
    return {"role": both("role"), "company": company, **lines, "seal": both("seal"), "counter": counter}


def letter_context(kind: str, rows: list[Row], deal: Deal, langs: tuple[str, ...]) -> dict[str, Any]:
    """What templates/letter.docx (two languages) or letter-single.docx (one) needs; for the end-user
    statement, templates/end-user-statement.docx or end-user-statement-single.docx."""
    statement = kind == "end-user-statement"
    head = (lambda lang: statement_head(deal, lang)) if statement else (lambda lang: letter_head(deal, kind, lang))
    sig = deal.supplier.signatory
    sign = None
    if statement:
        sign = statement_sign(deal, langs)
    elif sig is not None:
        sign = {
            "position": "\n".join(dict.fromkeys(_col("position", sig.position, lang) for lang in langs)),
            # the legal form too ("Neuroset LLC"): the short name as the profile gives it, else the full name
            "company": " / ".join(dict.fromkeys(_name(deal.supplier.short_name or deal.supplier.name, lang)
                                                for lang in langs)),
            # the name in each language of the letter, each on a line: «М.С. Кузнецова», "Maria Kuznetsova"
            "name": "\n".join(dict.fromkeys(_initials(sig.name.get(lang), lang) for lang in langs)),
        }
    if not statement:
        rows = _closing(rows)
    if len(langs) == 1:
        lang = langs[0]
        return {
            "head": {"one": head(lang)},
            "rows": [{"kind": r.kind, "text": r.text(lang)} for r in rows],
            "sign": sign,
            "language": {"ru": "ru-RU", "en": "en-GB"}[lang],  # w:lang of every run: hyphenation
            "footer": {"page": "Стр. " if lang == "ru" else "Page ", "of": " из " if lang == "ru" else " of "},
        }
    return {
        "head": {lang: head(lang) for lang in langs},
        "rows": [{"kind": r.kind, "ru": r.text("ru"), "en": r.text("en")} for r in rows],
        "sign": sign,
    }


#: How many of a letter's last paragraphs stay on the page of its signature.
CLOSING_ROWS = 2


def _closing(rows: list[Row]) -> list[Row]:
    """A letter's last unnumbered paragraphs (at most CLOSING_ROWS) as kind "closing": the template keeps them
    with the signature, which is then never alone on the last page (review 6)."""
    marked = list(rows)
    for index in range(len(marked) - 1, max(len(marked) - 1 - CLOSING_ROWS, -1), -1):
        if marked[index].kind != "plain":
            break
        marked[index] = Row("closing", marked[index].number, marked[index].ru, marked[index].en)
    return marked


#: Words of a company's name that are its legal form or ordinary words: they may be hyphenated.
_LEGAL_FORM_WORDS = frozenset({
    "общество", "товарищество", "акционерное", "публичное", "компания", "корпорация", "limited", "liability",
    "company", "corporation", "incorporated", "joint", "stock", "public", "private", "partnership", "the", "and",
    "llc", "llp", "ltd", "inc", "plc", "gmbh", "jsc", "pjsc", "ооо", "тоо", "ао", "пао", "зао", "оао", "sdn", "bhd"})
_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


#: The words of the last few deals, by the deal object (kept, so that its id is not reused meanwhile):
#: a pack's documents all ask for the same deal's.  A Deal is frozen, so its words never change.
_WORDS: Recent[tuple[Deal, frozenset[str]]] = Recent(8)


def unhyphenated_words(deal: Deal) -> frozenset[str]:
    """The words of the deal's personal, company and product names, in every form the documents print them (the
    signatories' nominative and genitive, both scripts) and the parties' e-mail addresses: a name is never
    hyphenated across lines.  A company's legal form and lower-case words («с ограниченной ответственностью»)
    are ordinary words."""
    found = _WORDS.get(id(deal))
    if found is None or found[0] is not deal:
        found = _WORDS.put(id(deal), (deal, _unhyphenated_words(deal)))
    return found[1]


def _unhyphenated_words(deal: Deal) -> frozenset[str]:
    people: list[str] = []
    companies: list[str] = []
    parties = [deal.supplier, deal.counterparty]
    for party in parties:
        for lang in LANGS:
            companies += [_name(party.name, lang), _name(party.short_name or party.name, lang)]
            if party.signatory is not None:
                view = signatory_view(party.signatory, lang)
                people += [view["name"], view["name_gen"], view["initials"]]
        if party.signatory is not None:
            people.append(_signature_name(party.signatory.name))
    for user in deal.end_use.end_users:
        companies += [_name(user.name, lang) for lang in LANGS]
    # a product's name is a proper name too: «Pump-|Guard» is no trademark (review 6)
    companies += [_name(deal.solution.name, lang) for lang in LANGS]
    words = {word for value in people for word in _NAME_WORD.findall(value) if len(word) > 2}
    words |= {word for value in companies for word in _NAME_WORD.findall(value)
              if len(word) > 2 and word[:1].isupper() and word.casefold() not in _LEGAL_FORM_WORDS}
    # nor an e-mail address, kept whole: «export-control@neur-|oset.example» is another address (review 6)
    words |= {party.email for party in parties if party.email}
    # nor a reference or a trade name at its hyphen: «№ LA-|0157/2026», «№ 183-|ФЗ», «TrafficVision-|M2»
    # read as two things (review 9, m1); a run of word characters with a hyphen and a digit is one token
    references = [deal.deal_id, deal.contract.number, deal.offer.number if deal.offer else None,
                  deal.permission.number, deal.letters.number_prefix, deal.solution.version,
                  deal.identification.reference if deal.identification else None,
                  *(_name(deal.solution.name, lang) for lang in LANGS)]
    references += [glossary.transliterate(value) for value in references if value and glossary.has_cyrillic(value)]
    words |= {run for value in references if value for run in _REFERENCE_RUN.findall(value)
              if any(char.isdigit() for char in run)}
    return frozenset(words | _STATUTE_REFERENCES)


_REFERENCE_RUN = re.compile(r"\w+(?:-\w+)+")
#: The statute the clauses cite by number, in both columns.
_STATUTE_REFERENCES = frozenset({"183-ФЗ", "183-FZ"})
