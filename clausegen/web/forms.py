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

# ------------------------------------------------------------------ choices

CONTRACT_KINDS = (
    ("license", "Лицензионный договор / Licence agreement"),
    ("saas", "Договор SaaS / SaaS agreement"),
    ("development", "Договор на разработку / Development contract"),
    ("hardware_supply", "Поставка оборудования / Hardware supply"),
)
PREVAILING = (("ru", "Русский / Russian"), ("en", "Английский / English"))
DELIVERY = (
    ("saas", "SaaS: доступ по сети / network access"),
    ("on_premise", "Установка у заказчика / on-premise installation"),
    ("source_code", "Исходный код / source code"),
    ("model_weights", "Веса модели / model weights"),
    ("embedded_in_hardware", "Встроено в оборудование / embedded in hardware"),
)
SUITABILITY = (
    ("nuclear", "ядерная сфера / nuclear use"),
    ("missile", "ракетная область / missile use"),
    ("chemical_biological", "химическое и биологическое оружие / chemical and biological use"),
    ("military", "военное применение / military use"),
    ("intelligence", "разведка и спецслужбы / intelligence use"),
)
PAYMENT_METHODS = (
    ("bank_transfer", "Банковский перевод / bank transfer"),
    ("letter_of_credit", "Аккредитив / letter of credit"),
    ("cash", "Наличные / cash"),
    ("crypto", "Криптовалюта / crypto-assets"),
    ("other", "Другое / other"),
)
GENDERS = (("male", "мужской / male"), ("female", "женский / female"))
IDENTIFICATION_RESULTS = (
    ("not_listed", "Не входит в Список / Not on the control list"),
    ("listed", "Входит в Список / On the control list"),
    ("fstec_notice", "Уведомление ФСТЭК России / Written notice from FSTEC of Russia"),
)


def _activity_group(number: int | None) -> tuple[str, str, tuple[tuple[str, str, str], ...]]:
    title = (f"{activities.item_label(number, 'ru')} / {activities.item_label(number, 'en')} ({number})"
             if number else "Прочие сферы / Other fields")
    tags = tuple((tag, activities.label(tag, "ru"), activities.label(tag, "en")) for tag in activities.tags_of_item(number))
    return str(number or "other"), title, tags


#: The vocabulary's tags by Annex 1 item (19-22, then the ordinary ones), each as (tag, Russian label,
#: English label): the form offers exactly the tags validation accepts.
ACTIVITY_GROUPS = tuple(_activity_group(number) for number, _ in activities.by_item())
KNOWN_ACTIVITIES = activities.ALL

#: Indicators clausegen also finds in the data itself (README, "Screening").
DERIVED_INDICATORS = frozenset({1, 9, 13, 19, 20, 21, 22})

_NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})
_COMMON_CURRENCIES = ("USD", "EUR", "CNY", "RUB", "AED", "INR", "KZT", "TRY", "BYN", "AMD", "UZS", "VND")


@lru_cache(maxsize=1)
def countries() -> tuple[tuple[str, str], ...]:
    """(code, "United Arab Emirates (AE) · ОАЭ"), sorted by the English name."""
    en, ru = Locale("en").territories, Locale("ru").territories
    codes = [c for c in en if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES]
    return tuple((c, f"{en[c]} ({c}) · {ru.get(c, en[c])}") for c in sorted(codes, key=lambda c: en[c]))


@lru_cache(maxsize=1)
def currencies() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The currency drop-down: common ones first, then every currency in use today (option groups)."""
    names = Locale("en").currencies
    in_use: set[str] = set()
    for code in Locale("en").territories:
        if len(code) == 2 and code.isalpha():
            in_use |= set(get_territory_currencies(code, dt.date(2026, 1, 1)))
    common = tuple((c, f"{c} — {names.get(c, c)}") for c in _COMMON_CURRENCIES)
    rest = tuple((c, f"{c} — {names.get(c, c)}") for c in sorted(in_use - set(_COMMON_CURRENCIES)))
    return (("Common / Основные", common), ("All / Все", rest))


def red_flag_choices() -> tuple[tuple[str, str, str, str], ...]:
    """(number, Russian title, English title, note) for the 22 check-boxes."""
    result = []
    for spec in INDICATORS:
        notes = []
        if spec.hardware_only:
            notes.append("only for equipment with embedded AI / только для оборудования")
        if spec.number in DERIVED_INDICATORS:
            notes.append("also found from the data / определяется и по данным")
        result.append((str(spec.number), spec.ru, spec.en, "; ".join(notes)))
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
        Field(f"{prefix}.name", "Полное наименование / Full legal name", "bilingual", required=True,
              hint="As in the register of legal entities (ЕГРЮЛ)." if supplier else
              "As in the register of companies. One language is enough for a foreign company."),
        Field(f"{prefix}.short_name", "Краткое наименование / Short name", "bilingual", more=supplier,
              hint="Default: the full name."),
        Field(f"{prefix}.country", "Страна / Country", "country", required=True),
        Field(f"{prefix}.address", "Адрес / Address", "bilingual_long"),
    ]
    if not supplier:
        fields.append(Field(f"{prefix}.address_is_po_box", "Адрес — абонентский ящик / The address is a PO box",
                            "bool", hint="Annex 1, indicator 9."))
    fields += [
        Field(f"{prefix}.email", "Эл. почта / E-mail", hint="For notices.", placeholder="e.g. legal@example.com"),
        Field(f"{prefix}.registration.number", "Регистрационный номер / Registration number",
              hint="A foreign registration or licence number.", more=supplier),
        Field(f"{prefix}.registration.ogrn", "ОГРН / OGRN", hint="13 digits (15 for an individual entrepreneur).",
              more=reg_more),
        Field(f"{prefix}.registration.inn", "ИНН / INN", hint="10 digits (12 for a person).", more=reg_more),
        Field(f"{prefix}.registration.kpp", "КПП / KPP", hint="9 digits.", more=reg_more),
    ]
    if not supplier:
        fields.append(Field(f"{prefix}.activities", "Сферы деятельности / Fields of activity", "activities",
                            hint="Tick what applies (Annex 1, indicators 19-22, then ordinary fields). A tag typed "
                                 "under «Other tags» must be one of these; a mistyped one is refused with a suggestion."))
        fields.append(Field(f"{prefix}.activities_other", "Иные сферы (текстом) / Other activities (as text)", "lines",
                            hint="One a line: what no tag covers. Shown in the screening report; words of Annex 1 "
                                 "items 19-22 (military, ракетный, vaccines …) are flagged for you to confirm."))
    fields += [
        Field(f"{prefix}.signatory.name", "Подписант: ФИО / Signatory: full name", "bilingual",
              hint="In the nominative (Иванов Иван Иванович); clausegen declines it."),
        Field(f"{prefix}.signatory.position", "Должность / Position", "bilingual",
              hint="In the nominative (Генеральный директор)."),
        Field(f"{prefix}.signatory.acting_under", "Действует на основании / Acting under", "bilingual",
              hint="In the nominative (Устав / the Charter)."),
        Field(f"{prefix}.signatory.gender", "Пол подписанта / Signatory's gender", "select", GENDERS, more=True,
              hint="Only if the Russian patronymic does not show it."),
        Field(f"{prefix}.signatory.name_genitive", "ФИО в родительном падеже / Name in the genitive", more=True,
              hint="Only to override the automatic declension."),
        Field(f"{prefix}.signatory.position_genitive", "Должность в родительном падеже / Position in the genitive",
              more=True),
        Field(f"{prefix}.signatory.acting_under_genitive",
              "Основание в родительном падеже / Authority in the genitive", more=True),
    ]
    return tuple(fields)


SECTIONS: tuple[Section, ...] = (
    Section("contract", "Сделка и договор / Deal and contract", "", (
        Field("deal_id", "Номер сделки / Deal ID", required=True, placeholder="e.g. EXP-2026-0142",
              hint="Letters, digits, dot, dash or underscore; names the files and the register entry."),
        Field("contract.number", "Номер договора / Contract number", placeholder="e.g. LA-0142/2026",
              hint="Leave the contract's number and date empty while there is only a commercial offer."),
        Field("contract.date", "Дата договора / Contract date", "date"),
        Field("offer.number", "Номер коммерческого предложения / Commercial offer number", placeholder="e.g. КП-0231/2026",
              hint="The offer the annex goes with, before a contract is signed."),
        Field("offer.date", "Дата предложения / Offer date", "date"),
        Field("offer.valid_until", "Предложение действует до / Offer valid until", "date",
              hint="The last day on which the offer may be accepted."),
        Field("contract.kind", "Вид договора / Kind of contract", "select", CONTRACT_KINDS),
        Field("contract.title", "Название договора / Contract title", "bilingual",
              hint="Default: Договор / Contract."),
        Field("contract.place", "Место заключения / Place of signing", "bilingual"),
        Field("contract.prevailing_language", "Преимущественная сила / Prevailing language", "select", PREVAILING,
              hint="Which text prevails if the two differ."),
        Field("contract.annex_number", "Номер приложения / Annex number", "int", placeholder="1 (default)",
              hint="The annex's number within the contract; default 1."),
    )),
    Section("supplier", "Поставщик / Supplier", "", _party_fields("supplier", supplier=True)),
    Section("counterparty", "Контрагент / Counterparty", "The foreign buyer (section 2.1).",
            _party_fields("counterparty", supplier=False)),
    Section("solution", "Решение ИИ / AI solution", "", (
        Field("solution.name", "Название / Name", "bilingual", required=True),
        Field("solution.description", "Описание / What it does", "bilingual_long"),
        Field("solution.version", "Версия / Version", placeholder="e.g. 4.2"),
        # pre-fills «Количество (объём)» of the end-user statement (review m-22)
        Field("solution.quantity", "Количество (объём) / Quantity (scope)", "bilingual"),
        Field("solution.delivery", "Как передаётся / How it is delivered", "select", DELIVERY, required=True),
        Field("solution.counterparty_can_modify", "Контрагент может модифицировать / The counterparty can modify it",
              "bool", hint="Section 2.1: SaaS that the counterparty cannot modify is not an export."),
        Field("solution.suitable_for", "Потенциально пригодно для / Potentially suitable for", "suitability",
              SUITABILITY, hint="Notes to Annex 1, items 19-22."),
        Field("solution.controlled_item", "В Списке (постановление № 1299) / On the control list (Resolution 1299)",
              "bool", hint="Section 1.3: the statutory procedure applies instead of the Declaration."),
    )),
    Section("end_use", "Конечное использование / End use", "", (
        Field("end_use.purpose", "Цель использования / Purpose", "bilingual_long",
              hint="Empty: Annex 1, indicator 1 fires."),
        Field("end_use.end_users", "Конечные пользователи / End users", "end_users",
              hint="No end users: Annex 1, indicator 1 fires. Empty rows are ignored."),
        Field("end_use.end_user_purpose", "Цель использования конечным пользователем / End user's own purpose",
              "bilingual_long", hint="For the end-user statement when the end user is not the counterparty; "
                                     "empty: the statement leaves the end use blank."),
        Field("end_use.location", "Место использования / Place of use", "bilingual"),
    )),
    Section("payment", "Оплата / Payment", "Leave all three empty if the price is not known yet.", (
        Field("payment.amount", "Сумма / Amount", "amount", placeholder="e.g. 45 000,00",
              hint="Figures; spaces and a decimal comma are fine."),
        Field("payment.currency", "Валюта / Currency", "currency"),
        Field("payment.method", "Способ оплаты / Method", "select", PAYMENT_METHODS,
              hint="Cash fires Annex 1, indicator 13."),
    )),
    Section("identification", "Идентификация / Identification",
            "The check of the solution against the control list of Resolution 1299 (sections 1.3 and 5.3). "
            "Leave empty if none was made: the annex then carries a neutral undertaking.", (
                Field("identification.date", "Дата идентификации / Date", "date"),
                Field("identification.by", "Кто провёл / Made by", placeholder="e.g. Отдел экспортного контроля"),
                Field("identification.result", "Результат / Result", "select", IDENTIFICATION_RESULTS),
                Field("identification.list_item", "Пункт Списка / List item", hint="When on the list."),
                Field("identification.reference", "Документ / Reference", placeholder="e.g. ЗИ-2026/045"),
            )),
    Section("red_flags", "Что заметила команда / What the team observed",
            "Tick every Annex 1 indicator the deal team noticed in the negotiations.", (
                Field("red_flags", "Признаки риска (приложение № 1) / Risk indicators (Annex 1)", "red_flags"),
            )),
    Section("knowledge", "Что известно / What is known",
            "Section 4 of the Declaration. Tick only what you know or were told in writing.", (
                Field("knowledge", "Сведения / Knowledge", "knowledge"),
                Field("permission.number", "Номер разрешения Комиссии / Commission's permission No."),
                Field("permission.date", "Дата разрешения / Date of the permission", "date"),
                Field("permission.conditions", "Условия разрешения / Conditions of the permission", "bilingual_lines",
                      hint="Those that need the counterparty's action, one a line, the same line in both languages."),
            )),
    Section("letters", "Исходящие письма / Outgoing letters", "Optional.", (
        Field("letters.date", "Дата писем / Date of the letters", "date", hint="Default: the contract date."),
        Field("letters.number_prefix", "Префикс исходящего номера / Letter number prefix",
              hint="Default: the deal ID."),
        Field("terms.response_days", "Срок ответа, рабочих дней / Days to answer (business days)", "int",
              placeholder="10 (default)", hint="One time limit for the annex and every letter."),
    )),
    Section("screening", "Проверка / The check", "Who checked the deal and when (section 5.3). Optional: "
            "the date defaults to today and the preparer to the company profile's compliance officer.", (
                Field("screening.date", "Дата проверки / Date of the check", "date"),
                Field("screening.prepared_by.name", "Подготовил: ФИО / Prepared by: name", "bilingual"),
                Field("screening.prepared_by.position", "Должность / Position", "bilingual"),
                Field("screening.approved_by.name", "Утвердил: ФИО / Approved by: name", "bilingual", more=True),
                Field("screening.approved_by.position", "Должность / Position", "bilingual", more=True),
                Field("screening.approved_on", "Дата утверждения / Approved on", "date", more=True),
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


def _number(value: str, *, whole: bool) -> Any:
    """A number typed by a person ("1 250 000,50") as int/float; anything else as typed (so it is reported)."""
    compact = re.sub(r"[\s\u00a0\u202f']", "", value)
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


_LANG_NAMES = {"ru": "Russian", "en": "English"}


def plain(problem: Problem) -> str:
    """A problem's message in plain words, for the box it is shown next to."""
    message = problem.message
    got = ""
    if m := re.search(r" \(got (.*)\)$", message):
        message, got = message[: m.start()], m.group(1)
    if message == "missing (required)":
        return "Required: please fill this in. / Обязательное поле."
    if message.startswith("missing (required): "):  # why, when it depends on other fields (a contract or an offer)
        return f"Required: {message.removeprefix('missing (required): ')}. / Обязательное поле."
    if m := re.fullmatch(r"text under '(\w+)' looks like another language \((.+)\)", message):
        lang, found = m.groups()
        name = Locale("en").languages.get(found, found)
        return (f"This looks like {name}, not {_LANG_NAMES.get(lang, lang)}. Check that the text is in the right "
                "box (it is not an error).")
    if message.startswith("String should match pattern"):
        hint = _PATTERN_HINTS.get(_generic(problem.field), "the value is not in the expected form")
        return f"Not in the expected form: {hint}." + (f" You typed {got}." if got else "")
    if message.startswith("Input should be a valid date"):
        return "Not a valid date: pick one in the calendar or type it as YYYY-MM-DD." + (f" You typed {got}." if got else "")
    if message.startswith("Input should be a valid integer"):
        return "Enter a whole number, e.g. 2." + (f" You typed {got}." if got else "")
    if message.startswith("Input should be a valid decimal") or message.startswith("Input should be a valid number"):
        return "Enter the amount in figures, e.g. 45000 or 45 000,50." + (f" You typed {got}." if got else "")
    if message.startswith("Decimal input should have no more than 2 decimal places"):
        return "At most two digits after the decimal point (kopecks / cents)."
    if message.startswith("Input should be greater than or equal to"):
        return "Too small: " + message.removeprefix("Input should be ") + "."
    if message.startswith("Input should be less than or equal to"):
        return "Too large: " + message.removeprefix("Input should be ") + "."
    if message.startswith("give the text in Russian (ru), English (en) or both"):
        return "Give the text in Russian, English or both."
    if message.startswith("no supplier"):
        return ("No supplier: fill in the «Поставщик / Supplier» section, or start the server with "
                "--company clausegen.yaml.")
    return message[:1].upper() + message[1:] + (f" (you gave {got})" if got else "")


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


_PATTERN_HINTS = {
    "deal_id": "letters, digits, dot, dash or underscore, starting with a letter or digit, at most 64 characters",
    "payment.currency": "a three-letter ISO 4217 code in capitals, e.g. USD",
    "supplier.email": "an e-mail address such as name@example.com",
    "counterparty.email": "an e-mail address such as name@example.com",
    "supplier.registration.ogrn": "13 digits (15 for an individual entrepreneur)",
    "counterparty.registration.ogrn": "13 digits (15 for an individual entrepreneur)",
    "supplier.registration.inn": "10 digits (12 for a person)",
    "counterparty.registration.inn": "10 digits (12 for a person)",
    "supplier.registration.kpp": "9 digits",
    "counterparty.registration.kpp": "9 digits",
}


def field_id(name: str) -> str:
    """An HTML id for an input name (``counterparty.name.ru`` -> ``f-counterparty-name-ru``)."""
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
