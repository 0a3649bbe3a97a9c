"""The deal form: its fields, grouped as a person thinks of a deal, and the conversion form ⇄ deal.

Every input has a flat name that is the field's path in the deal file
(``counterparty.name.ru``, ``end_use.end_users[0].country``); lists are
repeated inputs (check-boxes, end-user rows).  :func:`form_to_deal` turns the
posted form into the plain data a deal file holds, which is then validated by
:func:`clausegen.validation.validate_deal` exactly as a file is;
:func:`deal_to_form` does the reverse for an uploaded file and reports what it
could not carry into the form.  Nothing here knows about HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.numbers import get_territory_currencies
from pydantic import TypeAdapter, ValidationError

from .. import activities
from ..errors import Problem
from ..model import guess_script_language
from ..screening import INDICATORS
from . import i18n
from .i18n import N_, _

# ------------------------------------------------------------------ choices

CONTRACT_KINDS = (
    ("license", N_("Licence agreement")),
    ("saas", N_("SaaS agreement")),
    ("development", N_("Development contract")),
    ("hardware_supply", N_("Hardware supply")),
)
PREVAILING = (("ru", N_("Russian")), ("en", N_("English")))
DELIVERY = (
    ("saas", N_("network access")),
    ("on_premise", N_("on-premise installation")),
    ("source_code", N_("source code")),
    ("model_weights", N_("model weights")),
    ("embedded_in_hardware", N_("embedded in hardware")),
)
SUITABILITY = (
    ("nuclear", N_("nuclear use")),
    ("missile", N_("missile use")),
    ("chemical_biological", N_("chemical and biological use")),
    ("military", N_("military use")),
    ("intelligence", N_("intelligence use")),
)
#: Which use the knowledge of 4.1 or the concern of 4.2 is about (knowledge.uses).
KNOWN_USES = (
    ("wmd", N_("weapons of mass destruction and their delivery means")),
    ("military", N_("arms, military equipment or any other military use (4.2 only)")),
    ("terrorism", N_("preparing or committing terrorist acts")),
)
PAYMENT_METHODS = (
    ("bank_transfer", N_("bank transfer")),
    ("letter_of_credit", N_("letter of credit")),
    ("cash", N_("cash")),
    ("crypto", N_("crypto-assets")),
    ("other", N_("other")),
)
GENDERS = (("male", N_("male")), ("female", N_("female")))
IDENTIFICATION_RESULTS = (
    ("not_listed", N_("Not on the control list")),
    ("listed", N_("On the control list")),
    ("fstec_notice", N_("Written notice from FSTEC of Russia")),
)


def _activity_group(number: int | None) -> tuple[str, tuple[str, str], tuple[tuple[str, str, str], ...]]:
    title = ((f"{activities.item_label(number, 'ru')} ({number})", f"{activities.item_label(number, 'en')} ({number})")
             if number else ("Прочие сферы", "Other fields"))
    tags = tuple((tag, activities.label(tag, "ru"), activities.label(tag, "en")) for tag in activities.tags_of_item(number))
    return str(number or "other"), title, tags


#: The vocabulary's tags by Annex 1 item (19-22, then the ordinary ones), each group with its (Russian,
#: English) title and each tag as (tag, Russian label, English label): exactly the tags validation accepts.
ACTIVITY_GROUPS = tuple(_activity_group(number) for number, _count in activities.by_item())
KNOWN_ACTIVITIES = activities.ALL

#: Indicators clausegen also finds in the data itself (README, "Screening").
DERIVED_INDICATORS = frozenset({1, 9, 13, 19, 20, 21, 22})

_NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})
_COMMON_CURRENCIES = ("USD", "EUR", "CNY", "RUB", "AED", "INR", "KZT", "TRY", "BYN", "AMD", "UZS", "VND")


def countries(lang: str | None = None) -> tuple[tuple[str, str], ...]:
    """(code, "ОАЭ (AE)") in the page's language, sorted by that name."""
    return _countries(lang or i18n.current())


@lru_cache(maxsize=2)
def _countries(lang: str) -> tuple[tuple[str, str], ...]:
    names, en = Locale(lang).territories, Locale("en").territories
    codes = [c for c in en if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES]
    return tuple((c, f"{names.get(c, en[c])} ({c})") for c in sorted(codes, key=lambda c: names.get(c, en[c])))


def currencies(lang: str | None = None) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The currency drop-down: common ones first, then every currency in use today (option groups)."""
    return _currencies(lang or i18n.current())


@lru_cache(maxsize=2)
def _currencies(lang: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    names = Locale(lang).currencies
    in_use: set[str] = set()
    for code in Locale("en").territories:
        if len(code) == 2 and code.isalpha():
            in_use |= set(get_territory_currencies(code, dt.date(2026, 1, 1)))
    common = tuple((c, f"{c} — {names.get(c, c)}") for c in _COMMON_CURRENCIES)
    rest = tuple((c, f"{c} — {names.get(c, c)}") for c in sorted(in_use - set(_COMMON_CURRENCIES)))
    return ((N_("Common"), common), (N_("All"), rest))


def red_flag_choices() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(number, Russian title, English title, notes as message ids) for the 22 check-boxes."""
    result = []
    for spec in INDICATORS:
        notes = []
        if spec.hardware_only:
            notes.append(N_("only for equipment with embedded AI"))
        if spec.number in DERIVED_INDICATORS:
            notes.append(N_("also found from the data"))
        result.append((str(spec.number), spec.ru, spec.en, tuple(notes)))
    return tuple(result)


KNOWLEDGE = (
    ("knowledge.prohibited_use_known", "4.1",
     "Достоверно известно об использовании для ОМП, средств его доставки или терроризма",
     "Reliable knowledge of use for weapons of mass destruction, their delivery or terrorism"),
    ("knowledge.military_or_wmd_concern", "4.2",
     "Обоснованное опасение военного использования, использования для ОМП или терроризма",
     "Reasonable concern of military, WMD or terrorist use"),
    ("knowledge.fstec_notice", "4.3",
     "ФСТЭК России письменно уведомила о необходимости разрешения",
     "Written notice from FSTEC of Russia that a permission is needed"),
    ("knowledge.harm_known", "4.4",
     "Достоверно известно о намерении причинить вред гражданам или организациям",
     "Reliable knowledge of intent to harm people or organisations"),
)

# ------------------------------------------------------------------ the form's fields


@dataclass(frozen=True)
class Field:
    """One field of the form; ``path`` is its dotted path in the deal file."""

    path: str
    label: str
    kind: str = "text"  # text | long | bilingual | bilingual_long | date | int | amount | select | country
    #                     | currency | bool | suitability | activities | lines (a list of texts, one a line)
    #                     | bilingual_lines (a list of bilingual texts: one a line, line N of RU beside line N of EN)
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    placeholder: str = ""
    required: bool = False
    more: bool = False  # shown under the section's "more fields"

    @property
    def bilingual(self) -> bool:
        return self.kind in ("bilingual", "bilingual_long", "bilingual_lines")

    @property
    def names(self) -> tuple[str, ...]:
        """The input names this field posts."""
        if self.bilingual:
            return (f"{self.path}.ru", f"{self.path}.en")
        if self.kind == "activities":
            return (self.path, f"{self.path}.other")
        return (self.path,)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    fields: tuple[Field, ...]


def _party_fields(prefix: str, *, supplier: bool) -> tuple[Field, ...]:
    reg_more = not supplier  # a foreign counterparty rarely has Russian numbers
    fields = [
        Field(f"{prefix}.name", N_("Full legal name"), "bilingual", required=True,
              hint=N_("As in the register of legal entities (ЕГРЮЛ).") if supplier else
              N_("As in the register of companies. One language is enough for a foreign company.")),
        Field(f"{prefix}.short_name", N_("Short name"), "bilingual", more=supplier,
              hint=N_("Default: the full name.")),
        Field(f"{prefix}.country", N_("Country"), "country", required=True),
        Field(f"{prefix}.address", N_("Address"), "bilingual_long"),
    ]
    if not supplier:
        fields.append(Field(f"{prefix}.address_is_po_box", N_("The address is a PO box"),
                            "bool", hint=N_("Annex 1, indicator 9.")))
    fields += [
        Field(f"{prefix}.email", N_("E-mail"), hint=N_("For notices."), placeholder=N_("e.g. legal@example.com")),
        Field(f"{prefix}.registration.number", N_("Registration number"),
              hint=N_("A foreign registration or licence number."), more=supplier),
        Field(f"{prefix}.registration.ogrn", N_("OGRN"), hint=N_("13 digits (15 for an individual entrepreneur)."),
              more=reg_more),
        Field(f"{prefix}.registration.inn", N_("INN"), hint=N_("10 digits (12 for a person)."), more=reg_more),
        Field(f"{prefix}.registration.kpp", N_("KPP"), hint=N_("9 digits."), more=reg_more),
    ]
    if not supplier:
        fields.append(Field(f"{prefix}.activities", N_("Fields of activity"), "activities",
                            hint=N_("Tick what applies (Annex 1, indicators 19-22, then ordinary fields). A tag typed "
                                 "under «Other tags» must be one of these; a mistyped one is refused with a suggestion.")))
        fields.append(Field(f"{prefix}.activities_other", N_("Other activities (as text)"), "lines",
                            hint=N_("One a line: what no tag covers. Shown in the screening report; words of Annex 1 "
                                 "items 19-22 (military, ракетный, vaccines …) are flagged for you to confirm.")))
    fields += [
        Field(f"{prefix}.signatory.name", N_("Signatory: full name"), "bilingual",
              hint=N_("In the nominative (Иванов Иван Иванович); clausegen declines it.")),
        Field(f"{prefix}.signatory.position", N_("Position"), "bilingual",
              hint=N_("In the nominative (Генеральный директор).")),
        Field(f"{prefix}.signatory.acting_under", N_("Acting under"), "bilingual",
              hint=N_("In the nominative (Устав).")),
        Field(f"{prefix}.signatory.gender", N_("Signatory's gender"), "select", GENDERS, more=True,
              hint=N_("Only if the Russian patronymic does not show it.")),
        Field(f"{prefix}.signatory.name_genitive", N_("Name in the genitive"), more=True,
              hint=N_("Only to override the automatic declension.")),
        Field(f"{prefix}.signatory.position_genitive", N_("Position in the genitive"),
              more=True),
        Field(f"{prefix}.signatory.acting_under_genitive",
              N_("Authority in the genitive"), more=True),
    ]
    return tuple(fields)


SECTIONS: tuple[Section, ...] = (
    Section("contract", N_("Deal and contract"), "", (
        Field("deal_id", N_("Deal ID"), required=True, placeholder=N_("e.g. EXP-2026-0142"),
              hint=N_("Letters, digits, dot, dash or underscore; names the files and the register entry.")),
        Field("contract.number", N_("Contract number"), placeholder=N_("e.g. LA-0142/2026"),
              hint=N_("Leave the contract's number and date empty while there is only a commercial offer.")),
        Field("contract.date", N_("Contract date"), "date"),
        Field("offer.number", N_("Commercial offer number"), placeholder=N_("e.g. КП-0231/2026"),
              hint=N_("The offer the annex goes with, before a contract is signed.")),
        Field("offer.date", N_("Offer date"), "date"),
        Field("offer.valid_until", N_("Offer valid until"), "date",
              hint=N_("The last day on which the offer may be accepted.")),
        Field("contract.kind", N_("Kind of contract"), "select", CONTRACT_KINDS),
        Field("contract.title", N_("Contract title"), "bilingual",
              hint=N_("Default: Договор (Contract).")),
        Field("contract.place", N_("Place of signing"), "bilingual"),
        Field("contract.prevailing_language", N_("Prevailing language"), "select", PREVAILING,
              hint=N_("Which text prevails if the two differ.")),
        Field("contract.annex_number", N_("Annex number"), "int", placeholder=N_("1 (default)"),
              hint=N_("The annex's number within the contract; default 1.")),
    )),
    Section("supplier", N_("Supplier"), "", _party_fields("supplier", supplier=True)),
    Section("counterparty", N_("Counterparty"), N_("The foreign buyer (section 2.1)."),
            _party_fields("counterparty", supplier=False)),
    Section("solution", N_("AI solution"), "", (
        Field("solution.name", N_("Name"), "bilingual", required=True),
        Field("solution.description", N_("What it does"), "bilingual_long"),
        Field("solution.version", N_("Version"), placeholder=N_("e.g. 4.2")),
        # pre-fills «Количество (объём)» of the end-user statement (review m-22)
        Field("solution.quantity", N_("Quantity (scope)"), "bilingual"),
        Field("solution.delivery", N_("How it is delivered"), "select", DELIVERY, required=True),
        Field("solution.counterparty_can_modify", N_("The counterparty can modify it"),
              "bool", hint=N_("Section 2.1: SaaS that the counterparty cannot modify is not an export.")),
        Field("solution.suitable_for", N_("Potentially suitable for"), "suitability",
              SUITABILITY, hint=N_("Notes to Annex 1, items 19-22.")),
        Field("solution.controlled_item", N_("On the control list (Resolution 1299)"),
              "bool", hint=N_("Section 1.3: the statutory procedure applies instead of the Declaration.")),
    )),
    Section("end_use", N_("End use"), "", (
        Field("end_use.purpose", N_("Purpose"), "bilingual_long",
              hint=N_("Empty: Annex 1, indicator 1 fires.")),
        Field("end_use.end_users", N_("End users"), "end_users",
              hint=N_("No end users: Annex 1, indicator 1 fires. Empty rows are ignored.")),
        Field("end_use.end_user_purpose", N_("End user's own purpose"), "bilingual_long",
              hint=N_("For the end-user statement when the end user is not the counterparty; empty: the statement "
                      "leaves the end use blank.")),
        Field("end_use.location", N_("Place of use"), "bilingual"),
    )),
    Section("payment", N_("Payment"), N_("Leave all three empty if the price is not known yet."), (
        Field("payment.amount", N_("Amount"), "amount", placeholder=N_("e.g. 45 000,00"),
              hint=N_("Figures; spaces and a decimal comma are fine.")),
        Field("payment.currency", N_("Currency"), "currency"),
        Field("payment.method", N_("Method"), "select", PAYMENT_METHODS,
              hint=N_("Cash fires Annex 1, indicator 13.")),
    )),
    Section("identification", N_("Identification"),
            N_("The check of the solution against the control list of Resolution 1299 (sections 1.3 and 5.3). "
            "Leave empty if none was made: the annex then carries a neutral undertaking."), (
                Field("identification.date", N_("Date"), "date"),
                Field("identification.by", N_("Made by"), placeholder=N_("e.g. Отдел экспортного контроля")),
                Field("identification.result", N_("Result"), "select", IDENTIFICATION_RESULTS),
                Field("identification.list_item", N_("List item"), hint=N_("When on the list.")),
                Field("identification.reference", N_("Reference"), placeholder=N_("e.g. ЗИ-2026/045")),
            )),
    Section("red_flags", N_("What the team observed"),
            N_("Tick every Annex 1 indicator the deal team noticed in the negotiations."), (
                Field("red_flags", N_("Risk indicators (Annex 1)"), "red_flags"),
            )),
    Section("knowledge", N_("What is known"),
            N_("Section 4 of the Declaration. Tick only what you know or were told in writing."), (
                Field("knowledge", N_("Knowledge"), "knowledge"),
                Field("knowledge.uses", N_("Which use it is about"), "suitability", KNOWN_USES,
                      hint=N_("For 4.1 or 4.2: the screening report names only the uses ticked here.")),
                Field("permission.number", N_("Commission's permission No.")),
                Field("permission.date", N_("Date of the permission"), "date"),
                Field("permission.conditions", N_("Conditions of the permission"), "bilingual_lines",
                      hint=N_("Those that need the counterparty's action, one a line, the same line in both languages.")),
            )),
    Section("letters", N_("Outgoing letters"), N_("Optional."), (
        Field("letters.date", N_("Date of the letters"), "date", hint=N_("Default: the contract date.")),
        Field("letters.number_prefix", N_("Letter number prefix"),
              hint=N_("Default: the deal ID.")),
        Field("terms.response_days", N_("Days to answer (business days)"), "int",
              placeholder=N_("10 (default)"), hint=N_("One time limit for the annex and every letter.")),
    )),
    Section("screening", N_("The check"), N_("Who checked the deal and when (section 5.3). Optional: "
            "the date defaults to today and the preparer to the company profile's compliance officer."), (
                Field("screening.date", N_("Date of the check"), "date"),
                Field("screening.prepared_by.name", N_("Prepared by: name"), "bilingual"),
                Field("screening.prepared_by.position", N_("Position"), "bilingual"),
                Field("screening.approved_by.name", N_("Approved by: name"), "bilingual", more=True),
                Field("screening.approved_by.position", N_("Position"), "bilingual", more=True),
                Field("screening.approved_on", N_("Approved on"), "date", more=True),
            )),
)

FIELDS: tuple[Field, ...] = tuple(f for s in SECTIONS for f in s.fields)
END_USER_PARTS = ("name.ru", "name.en", "country", "address.ru", "address.en", "activities", "activities_other")
_END_USER = re.compile(r"^end_use\.end_users\[(\d{1,3})\]\.(name\.ru|name\.en|country|address\.ru|address\.en"
                       r"|activities|activities_other)$")
MAX_END_USERS = 200

#: Top-level keys in the order a deal file lists them.
TOP_ORDER = ("deal_id", "offer", "contract", "supplier", "counterparty", "solution", "end_use", "payment", "identification",
             "red_flags", "knowledge", "permission", "letters", "terms", "screening")
#: Always present in the validated data, so that each missing field is reported next to its own box
#: (an empty supplier is the company profile's supplier).
REQUIRED_SECTIONS = ("contract", "supplier", "counterparty", "solution")

# ------------------------------------------------------------------ form -> deal

FormValues = dict[str, Any]  # input name -> str, or list[str] for check-box groups


def read_form(form: Any) -> FormValues:
    """The values of a posted form (a werkzeug MultiDict or a plain mapping) that belong to the deal."""
    def getlist(name: str) -> list[str]:
        if hasattr(form, "getlist"):
            return [str(v) for v in form.getlist(name)]
        value = form.get(name)
        return [] if value is None else [str(v) for v in (value if isinstance(value, list) else [value])]

    values: FormValues = {}
    for f in FIELDS:
        if f.kind in ("suitability", "red_flags") or f.kind == "activities":
            values[f.path] = getlist(f.path)
            if f.kind == "activities":
                values[f"{f.path}.other"] = (getlist(f"{f.path}.other") or [""])[0]
        elif f.kind == "knowledge":
            for path, *_ in KNOWLEDGE:
                values[path] = (getlist(path) or [""])[0]
        elif f.kind == "end_users":
            continue
        else:
            for name in f.names:
                values[name] = (getlist(name) or [""])[0]
    rows: dict[int, dict[str, str]] = {}
    for name in form.keys():
        if m := _END_USER.match(name):
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = (getlist(name) or [""])[0]
    # Empty rows are dropped and the rest renumbered, so that row i of the form is end_users[i] of the
    # deal and a problem about end_users[i] is shown in that row.
    filled = [rows[i] for i in sorted(rows) if any(v.strip() for v in rows[i].values())]
    for index, row in enumerate(filled[:MAX_END_USERS]):
        for part, value in row.items():
            values[f"end_use.end_users[{index}].{part}"] = value
    return values


def _clean(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


#: More digits than any field of a deal takes (an amount of 10^30): a hostile number is not converted.
MAX_DIGITS = 30


def _number(value: str, *, whole: bool) -> Any:
    """A number typed by a person ("1 250 000,50") as int/float; anything else as typed (so it is reported)."""
    compact = re.sub(r"[\s\u00a0\u202f']", "", value)
    if len(compact) > MAX_DIGITS:  # no field takes such a number; as typed, validation names the field
        return value
    if re.fullmatch(r"\d+", compact):
        return int(compact)
    if not whole and re.fullmatch(r"\d+[.,]\d+", compact):
        return float(compact.replace(",", "."))
    return value


def _bilingual(values: FormValues, path: str) -> dict[str, str] | None:
    pair = {lang: _clean(values.get(f"{path}.{lang}", "") or "") for lang in ("ru", "en")}
    pair = {lang: text for lang, text in pair.items() if text}
    return pair or None


def end_user_indexes(values: FormValues) -> list[int]:
    """The end-user rows present in ``values``, in order."""
    found = {int(m.group(1)) for name in values if (m := _END_USER.match(name))}
    return sorted(i for i in found if i < MAX_END_USERS)


def form_to_deal(values: FormValues) -> dict[str, Any]:
    """The deal file's data for the form's values (empty fields left out, so defaults apply)."""
    data: dict[str, Any] = {}
    for f in FIELDS:
        if f.kind == "bilingual_lines":
            columns = {lang: (values.get(f"{f.path}.{lang}", "") or "").splitlines() for lang in ("ru", "en")}
            items = []
            for index in range(max(len(columns["ru"]), len(columns["en"]))):
                item = {lang: text for lang in ("ru", "en")
                        if (text := _clean(columns[lang][index] if index < len(columns[lang]) else ""))}
                if item:
                    items.append(item)
            if items:
                _set(data, f.path, items)
        elif f.bilingual:
            if (pair := _bilingual(values, f.path)) is not None:
                _set(data, f.path, pair)
        elif f.kind == "bool":
            if values.get(f.path):
                _set(data, f.path, True)
        elif f.kind == "knowledge":
            for path, *_ in KNOWLEDGE:
                if values.get(path):
                    _set(data, path, True)
        elif f.kind == "suitability":
            if chosen := [v for v in values.get(f.path, []) if v]:
                _set(data, f.path, chosen)
        elif f.kind == "red_flags":
            chosen = sorted({_number(v, whole=True) for v in values.get(f.path, []) if v},
                            key=lambda v: (not isinstance(v, int), v if isinstance(v, int) else 0, str(v)))
            if chosen:
                _set(data, f.path, chosen)
        elif f.kind == "lines":
            lines = [line.strip() for line in (values.get(f.path, "") or "").splitlines()]
            if lines := [line for line in lines if line]:
                _set(data, f.path, lines)
        elif f.kind == "activities":
            ticked = [t for t in KNOWN_ACTIVITIES if t in values.get(f.path, [])]
            ticked += [t for t in values.get(f.path, []) if t not in KNOWN_ACTIVITIES and t not in ticked]
            other = [t.strip() for t in re.split(r"[,;\n]", values.get(f"{f.path}.other", "") or "")]
            tags = ticked + [t for t in other if t and t not in ticked]
            if tags:
                _set(data, f.path, tags)
        elif f.kind == "end_users":
            users = []
            for index in end_user_indexes(values):
                row = {part: values.get(f"end_use.end_users[{index}].{part}", "") for part in END_USER_PARTS}
                user: dict[str, Any] = {}
                if name := _bilingual(row, "name"):
                    user["name"] = name
                if country := _clean(row["country"]):
                    user["country"] = country
                if address := _bilingual(row, "address"):
                    user["address"] = address
                # an end user's tags are typed (validation names a mistyped one); other activities one a line
                if tags := [t.strip() for t in re.split(r"[,;\n]", row["activities"]) if t.strip()]:
                    user["activities"] = tags
                if other := [line.strip() for line in row["activities_other"].splitlines() if line.strip()]:
                    user["activities_other"] = other
                if user:
                    users.append(user)
            if users:
                _set(data, f.path, users)
        else:
            text = _clean(values.get(f.path, "") or "")
            if not text:
                continue
            if f.kind == "int":
                _set(data, f.path, _number(text, whole=True))
            elif f.kind == "amount":
                _set(data, f.path, _number(text, whole=False))
            else:
                _set(data, f.path, text)
    for key in REQUIRED_SECTIONS:
        data.setdefault(key, {})
    return {key: data[key] for key in TOP_ORDER if key in data}


def with_profile_supplier(data: dict[str, Any], profile_supplier: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with each supplier field the form changes completed from the company profile.

    A deal's own supplier fields replace the profile's whole (``signatory`` replaces the profile's
    signatory), so a form that changes only the English name must carry the Russian one too; this
    fills in, inside each changed field, what the form left empty.
    """
    own = data.get("supplier")
    if not isinstance(own, dict) or not own:
        return data

    def merged(base: Any, change: Any) -> Any:
        if isinstance(base, Mapping) and isinstance(change, Mapping):
            return {**base, **{key: merged(base.get(key), value) for key, value in change.items()}}
        return change

    supplier = {key: merged(profile_supplier.get(key), value) for key, value in own.items()}
    return {**data, "supplier": supplier}


def deal_file_data(data: dict[str, Any]) -> dict[str, Any]:
    """The data as a deal file holds it: empty sections left out, ISO dates as dates."""
    def tidy(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            return {k: tidy(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        if isinstance(value, list):
            return [tidy(v, path) for v in value]
        if path.endswith(".date") and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value

    return {key: tidy(value, key) for key, value in data.items() if value != {}}


# ------------------------------------------------------------------ deal -> form


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return None


_BOOL = TypeAdapter(bool)


def _put_bilingual(values: FormValues, consumed: set[str], path: str, value: Any) -> None:
    if isinstance(value, str):
        values[f"{path}.{guess_script_language(value)}"] = value
        consumed.add(path)
    elif isinstance(value, Mapping):
        for lang in ("ru", "en"):
            text = _scalar_text(value.get(lang))
            if text is not None:
                values[f"{path}.{lang}"] = text
                consumed.add(f"{path}.{lang}")


def deal_to_form(data: Any) -> tuple[FormValues, list[str]]:
    """The form's values for a deal file's data, and the paths it could not carry into the form."""
    values: FormValues = {}
    consumed: set[str] = set()
    if not isinstance(data, Mapping):
        return values, [""]
    for f in FIELDS:
        if f.kind == "knowledge":
            for path, *_ in KNOWLEDGE:
                _put_bool(values, consumed, path, _get(data, path))
            continue
        value = _get(data, f.path)
        if value is None:
            continue
        if f.kind == "bilingual_lines":
            if isinstance(value, list) and value:
                items = [item if isinstance(item, Mapping) else None for item in value]
                texts = [{lang: _scalar_text(item.get(lang)) or "" for lang in ("ru", "en")} if item else None
                         for item in items]
                # only what comes back the same: one line per item in each language, none left empty in both
                if all(t is not None and any(t.values()) and not any("\n" in v for v in t.values()) for t in texts):
                    for lang in ("ru", "en"):
                        values[f"{f.path}.{lang}"] = "\n".join(t[lang] for t in texts if t)
                    consumed.add(f.path)
        elif f.bilingual:
            _put_bilingual(values, consumed, f.path, value)
        elif f.kind == "bool":
            _put_bool(values, consumed, f.path, value)
        elif f.kind in ("suitability", "red_flags", "activities") and isinstance(value, list):
            items = [(i, _scalar_text(v)) for i, v in enumerate(value)]
            chosen = [text for _, text in items if text is not None]
            consumed |= {f"{f.path}[{i}]" for i, text in items if text is not None}
            if f.kind == "activities":
                values[f.path] = [t for t in chosen if t in KNOWN_ACTIVITIES]
                values[f"{f.path}.other"] = ", ".join(t for t in chosen if t not in KNOWN_ACTIVITIES)
            else:
                values[f.path] = chosen
        elif f.kind == "lines" and isinstance(value, list):
            items = [(i, _scalar_text(v)) for i, v in enumerate(value)]
            # a text with a line break would come back as two: left to the unknown-value list
            kept = [(i, text) for i, text in items if text is not None and "\n" not in text and text.strip()]
            consumed |= {f"{f.path}[{i}]" for i, _ in kept}
            values[f.path] = "\n".join(text.strip() for _, text in kept)
        elif f.kind == "end_users" and isinstance(value, list):
            rows = [(index, user) for index, user in enumerate(value[:MAX_END_USERS]) if isinstance(user, Mapping)]
            for row, (index, user) in enumerate(rows):  # the form's rows are numbered without gaps
                base, source = f"{f.path}[{row}]", f"{f.path}[{index}]"
                taken: set[str] = set()
                if (name := user.get("name")) is not None:
                    _put_bilingual(values, taken, f"{base}.name", name)
                if (address := user.get("address")) is not None:
                    _put_bilingual(values, taken, f"{base}.address", address)
                if (country := _scalar_text(user.get("country"))) is not None:
                    values[f"{base}.country"] = country
                    taken.add(f"{base}.country")
                for part, joiner, separators in (("activities", ", ", ",;\n"), ("activities_other", "\n", "\n")):
                    given = user.get(part)
                    texts = [_scalar_text(v) for v in given] if isinstance(given, list) else [None]
                    # only what comes back the same: a text holding a separator is left to the unknown list
                    if given and all(t is not None and t.strip() and not any(c in t for c in separators)
                                     for t in texts):
                        values[f"{base}.{part}"] = joiner.join(t.strip() for t in texts if t)
                        taken |= {f"{base}.{part}[{i}]" for i in range(len(texts))}
                consumed |= {source + path.removeprefix(base) for path in taken}
        elif (text := _scalar_text(value)) is not None:
            values[f.path] = text
            consumed.add(f.path)
    leftovers = [path for path in _leaves(data, "") if not _covered(path, consumed)]
    return values, leftovers


def _put_bool(values: FormValues, consumed: set[str], path: str, value: Any) -> None:
    if value is None:
        return
    try:
        flag = _BOOL.validate_python(value)
    except ValidationError:
        return  # left over: reported with the validation message
    values[path] = "true" if flag else ""
    consumed.add(path)


def _leaves(value: Any, path: str) -> Iterable[str]:
    if isinstance(value, Mapping):
        if not value and path:
            return
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    elif value is not None:
        yield path


def _covered(path: str, consumed: set[str]) -> bool:
    while path:
        if path in consumed:
            return True
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return False


# ------------------------------------------------------------------ problems next to fields


def anchors() -> set[str]:
    """Every name a problem can be shown next to: inputs and groups (a bilingual pair, a check-box list)."""
    names = {"end_use.end_users", "permission", "knowledge"}
    for f in FIELDS:
        names.add(f.path)
        names.update(f.names)
    for path, *_ in KNOWLEDGE:
        names.add(path)
    return names


_ANCHORS = anchors()
_INDEX = re.compile(r"\[\d+\]$")


def anchor_for(path: str) -> str | None:
    """The input or group a problem at ``path`` belongs next to; None for the page's general list."""
    if _END_USER.match(path) or re.fullmatch(r"end_use\.end_users\[\d+\]\.(name|address)", path):
        return path
    if m := re.fullmatch(r"(end_use\.end_users\[\d+\]\.activities(?:_other)?)\[\d+\]", path):
        return m.group(1)  # one tag or text of the list: shown by the row's input that holds the list
    if re.fullmatch(r"end_use\.end_users\[\d+\]", path):
        return "end_use.end_users"
    while path:
        if path in _ANCHORS:
            return path
        if _INDEX.search(path):
            path = _INDEX.sub("", path)
            continue
        if "." not in path:
            return None
        path = path.rsplit(".", 1)[0]
        if path in ("contract", "offer", "supplier", "counterparty", "solution", "end_use", "payment", "letters",
                    "supplier.signatory", "counterparty.signatory", "supplier.registration",
                    "counterparty.registration"):
            return None  # an unknown key inside a section: the general list names it
    return None


_INDICATOR_TITLES = {spec.number: (spec.ru, spec.en) for spec in INDICATORS}


def _you_typed(got: str) -> str:
    return (" " + _("You typed %(got)s.", got=got)) if got else ""


def plain(problem: Problem) -> str:
    """A problem's message in plain words, in the page's language, for the box it is shown next to.

    Validation speaks English (the command line's messages); the messages a form shows are
    said again here, from the catalogue.  Values quoted from the deal stay as typed.
    """
    message = problem.message
    if message.endswith("; left out of the form"):  # an uploaded value the form has no place for
        inner = Problem(message.removesuffix("; left out of the form"), problem.field, problem.file, problem.row,
                        problem.line, problem.severity)
        return plain(inner).rstrip(".") + ". " + _("Left out of the form.")
    if message == "not a field of the deal form":
        return _("Not a field of the deal form.")
    if said := _reading_problem(message):
        return said
    got = ""
    if m := re.search(r" \(got (.*)\)$", message):
        message, got = message[: m.start()], m.group(1)
    if message == "missing (required)":
        return _("Required: please fill this in.")
    if message.startswith("missing (required): "):  # why, when it depends on other fields (a contract or an offer)
        reason = message.removeprefix("missing (required): ")
        if "needs its date too" in reason:
            return _("Required: a contract with a number needs its date too.")
        if "needs its number too" in reason:
            return _("Required: a contract with a date needs its number too.")
        if reason.startswith("give the contract's number and date"):
            return _("Required: give the contract's number and date, or the commercial offer the annex goes with "
                     "(its number and date).")
        return _("Required: %(reason)s.", reason=reason)
    if m := re.fullmatch(r"text under '(\w+)' looks like another language \((.+)\)", message):
        lang, found = m.groups()
        names = Locale(i18n.current()).languages
        return _("This looks like %(found)s, not %(expected)s. Check that the text is in the right box (it is not "
                 "an error).", found=names.get(found, found), expected=names.get(lang, lang))
    if message.startswith("String should match pattern"):
        hint = _PATTERN_HINTS.get(_generic(problem.field), N_("the value is not in the expected form"))
        return _("Not in the expected form: %(hint)s.", hint=_(hint)) + _you_typed(got)
    if message.startswith("Input should be a valid date"):
        return _("Not a valid date: pick one in the calendar or type it as YYYY-MM-DD.") + _you_typed(got)
    if message.startswith("Input should be a valid integer"):
        return _("Enter a whole number, e.g. 2.") + _you_typed(got)
    if message.startswith(("Input should be a valid decimal", "Input should be a valid number")):
        return _("Enter the amount in figures, e.g. 45000 or 45 000,50.") + _you_typed(got)
    if message.startswith("Decimal input should have no more than 2 decimal places"):
        return _("At most two digits after the decimal point (kopecks, cents).")
    if m := re.match(r"Input should be (greater|less) than or equal to (\S+)", message):
        return (_("Too small: at least %(limit)s.", limit=m.group(2)) if m.group(1) == "greater"
                else _("Too large: at most %(limit)s.", limit=m.group(2)))
    if message.startswith("give the text in Russian (ru), English (en) or both"):
        return _("Give the text in Russian, English or both.")
    if message.startswith("no supplier"):
        return _("No supplier: fill in the “Supplier” section, or start the server with --company clausegen.yaml.")
    if m := re.fullmatch(r"unknown field(?: \(did you mean '([^']*)'\?\))?(?:; allowed here: (.*))?", message):
        meant, allowed = m.groups()
        return (_("Unknown field.") + (" " + _("Did you mean “%(meant)s”?", meant=meant) if meant else "")
                + (" " + _("Allowed here: %(allowed)s.", allowed=allowed) if allowed else ""))
    if m := re.fullmatch(r"unknown value (.+?)(?: \(did you mean '([^']*)'\?\))?; allowed here: (.*)", message):
        value, meant, allowed = m.groups()
        return (_("Unknown value %(value)s.", value=value)
                + (" " + _("Did you mean “%(meant)s”?", meant=meant) if meant else "")
                + " " + _("Allowed here: %(allowed)s.", allowed=allowed))
    if m := re.fullmatch(r"unknown country code (.+) \(ISO 3166-1 alpha-2\)", message):
        return _("Unknown country code %(code)s: choose the country from the list.", code=m.group(1))
    if message.startswith("use an ISO 3166-1 alpha-2 code"):
        return _("Choose the country from the list (a two-letter code in capitals, e.g. AE).") + _you_typed(got)
    if m := re.fullmatch(r"unknown currency (.+) \(ISO 4217\)", message):
        return _("Unknown currency %(code)s: choose the currency from the list.", code=m.group(1))
    if m := re.fullmatch(r"contains a control character \((U\+[0-9A-F]+)\) a document cannot hold", message):
        return _("Contains a control character (%(code)s) that a document cannot hold: delete it.", code=m.group(1))
    if m := re.match(r"contains a character \((U\+[0-9A-F]+)\) that the language tools cannot read", message):
        return _("Contains a character (%(code)s) that the language tools cannot read (unassigned, private-use or "
                 "of an unknown script): delete or replace it.", code=m.group(1))
    if m := re.match(r"has no (Russian|English) text; the \w+ column would show (.+): give", message):
        if m.group(1) == "Russian":
            return _("There is no Russian text: the Russian column would show %(shown)s. Give the Russian text.",
                     shown=m.group(2))
        return _("There is no English text: the English column would show %(shown)s. Give the English text.",
                 shown=m.group(2))
    if m := re.match(r"gender of the signatory (.+) unknown", message):
        return _("The gender of the signatory %(name)s is not known from the patronymic: choose it under "
                 "“Signatory's gender” (the Russian text must say «действующего» or «действующей»).",
                 name=m.group(1))
    if m := re.match(r"possible indicator (\d+) \(.*?\): (.+?) in (\S+?)(,| —| speaks)", message):
        number = int(m.group(1))
        title = _INDICATOR_TITLES.get(number, ("", ""))[0 if i18n.current() == "ru" else 1].lower()
        return _("Possible indicator %(number)s (%(title)s): %(words)s. Confirm it by declaring the activity and "
                 "the solution's suitability, or reword the text if it does not mean this. This does not block "
                 "anything.", number=number, title=title, words=m.group(2))
    if message.startswith("the permission's conditions are not recorded"):
        return _("The permission's conditions are not recorded: list those that need the counterparty's or the "
                 "end users' action, one a line, or the annex leaves them to an amendment.")
    if message.startswith("give both the permission's number and its date"):
        return _("Give both the permission's number and its date, or neither.")
    if message.startswith("an activity is empty"):
        return _("An activity is empty.")
    if i18n.current() == "ru" and (said := _said_in_russian(message)):
        return said
    if i18n.current() == "ru":  # a message of validation the catalogue has no words for: said so, kept as is
        return _("Validation message (in English): %(message)s", message=message) + _you_typed(got)
    return message[:1].upper() + message[1:] + (f" (you gave {got})" if got else "")


def _said_in_russian(message: str) -> str | None:
    """Validation messages whose English the form keeps as the command line says it (tags, amounts) and
    which it says in Russian from the catalogue."""
    if m := re.fullmatch(r"unknown activity tag (.+?): did you mean '([^']+)'(?: \(Annex 1 item (\d+): .*\))?\?", message):
        typed, tag, number = m.groups()
        where = " " + _("(Annex 1, item %(number)s: %(item)s)", number=number,
                        item=activities.item_label(int(number), "ru").lower()) if number else ""
        return _("Unknown activity tag %(typed)s. Did you mean “%(tag)s”%(where)s?", typed=typed, tag=tag,
                 where=where)
    if m := re.fullmatch(r"unknown activity tag (.+?): this looks like (.*); use that tag, or put the text in "
                         r"activities_other", message):
        tags = ", ".join(f"«{t}»" for t in re.findall(r"'([a-z0-9_]+)'", m.group(2))) or "—"
        return _("Unknown activity tag %(typed)s. It looks like %(tags)s: tick that tag, or put the text under "
                 "“Other activities (as text)”.", typed=m.group(1), tags=tags)
    if m := re.match(r"unknown activity tag (.+?): (?:not in the vocabulary|a tag is a word)", message):
        return _("Unknown activity tag %(typed)s: there is no such tag. Tick a tag from the list, or put the text "
                 "under “Other activities (as text)”.", typed=m.group(1))
    if m := re.fullmatch(r"write the amount as a number, and its currency in its own field: amount: (\S+)"
                         r"(?: and currency: (\S+))?", message):
        number, currency = m.groups()
        return (_("Write the amount in figures only: %(number)s.", number=number)
                + (" " + _("Choose the currency, %(currency)s, in its own field.", currency=currency) if currency else ""))
    return None


def _reading_problem(message: str) -> str | None:
    """What a hostile or broken file or request body is told, in the page's language (sources.py's problems)."""
    if m := re.fullmatch(r"nested more than (\d+) levels deep.*", message):
        return _("Nested more than %(depth)s levels deep; a deal nests a few levels.", depth=m.group(1))
    if m := re.fullmatch(r"a number of (\d+) characters; .*", message):
        return _("A number of %(length)s digits; no field takes one so long.", length=m.group(1))
    if message.startswith("a number of more than 4,300 digits"):
        return _("A number of more than 4,300 digits; no field takes one so long.")
    if message.startswith("a YAML alias refers to a value that contains it"):
        return _("A YAML alias refers to a value that contains it (a recursive alias); write the values out.")
    if m := re.fullmatch(r"more than (\d+) values once YAML aliases are expanded", message):
        return _("More than %(count)s values once the YAML aliases are expanded; write the values out.",
                 count=m.group(1))
    if m := re.fullmatch(r"key '(.*)' appears twice", message):
        return _("The key “%(key)s” appears twice.", key=m.group(1))
    if m := re.fullmatch(r"not valid (JSON|YAML): (.*)", message, re.S):
        return _("Not valid %(format)s (%(detail)s).", format=m.group(1), detail=m.group(2))
    if m := re.fullmatch(r"not UTF-8 text \(byte (\d+)\)", message):
        return _("Not UTF-8 text (byte %(byte)s): save the file as UTF-8.", byte=m.group(1))
    if m := re.fullmatch(r"the file is larger than (\d+) KiB", message):
        return _("The file is larger than %(kib)s KiB.", kib=m.group(1))
    if message.startswith("only YAML (.yaml, .yml) or JSON (.json) deal files"):
        return _("Only YAML (.yaml, .yml) or JSON (.json) deal files can be loaded here.")
    return None


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


_PATTERN_HINTS = {
    "deal_id": N_("letters, digits, dot, dash or underscore, starting with a letter or digit, at most 64 characters"),
    "payment.currency": N_("a three-letter ISO 4217 code in capitals, e.g. USD"),
    "supplier.email": N_("an e-mail address such as name@example.com"),
    "counterparty.email": N_("an e-mail address such as name@example.com"),
    "supplier.registration.ogrn": N_("13 digits (15 for an individual entrepreneur)"),
    "counterparty.registration.ogrn": N_("13 digits (15 for an individual entrepreneur)"),
    "supplier.registration.inn": N_("10 digits (12 for a person)"),
    "counterparty.registration.inn": N_("10 digits (12 for a person)"),
    "supplier.registration.kpp": N_("9 digits"),
    "counterparty.registration.kpp": N_("9 digits"),
}


def label_of(anchor: str) -> str:
    """A person's name, in the page's language, for the input or group ``anchor`` (the list of problems)."""
    if m := re.match(r"end_use\.end_users\[(\d+)\](?:\.(.*))?$", anchor):
        parts = {"name": N_("Name"), "name.ru": N_("Name (RU)"), "name.en": N_("Name (EN)"), "country": N_("Country"),
                 "address": N_("Address"), "address.ru": N_("Address (RU)"), "address.en": N_("Address (EN)"),
                 "activities": N_("Fields of activity (tags)"), "activities_other": N_("Other activities (as text)")}
        return _("End user %(number)s: %(part)s", number=int(m.group(1)) + 1,
                 part=_(parts.get(m.group(2) or "", N_("row"))))
    for section in SECTIONS:
        for field in section.fields:
            if anchor == field.path:
                return f"{_(section.title)}: {_(field.label)}"
            if anchor in field.names:
                return f"{_(section.title)}: {_(field.label)} ({anchor.rsplit('.', 1)[-1].upper()})"
    for path, section_number, ru, en in KNOWLEDGE:
        if anchor == path:
            return f"{section_number}: {ru if i18n.current() == 'ru' else en}"
    return anchor


def field_id(name: str) -> str:
    """An HTML id for an input name (``counterparty.name.ru`` -> ``f-counterparty-name-ru``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
