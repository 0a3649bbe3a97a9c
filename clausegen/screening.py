"""Screening: the 22 indicators of Annex 1 (5.1) and the decision ladder of section 4.

Pure rules over a validated deal.  The indicator table is data; each derived
indicator is a small predicate that returns its evidence (field and value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from . import activities as voc
from .identification import has_fstec_notice, is_listed, list_item
from .model import Deal, Delivery, PaymentMethod, Suitability
from .phrases import indicators_fired


class Decision(StrEnum):
    OUTSIDE_DECLARATION = "outside_declaration"
    REFUSE = "refuse"
    PERMISSION_REQUIRED = "permission_required"
    PROCEED_WITH_PERMISSION = "proceed_with_permission"
    ENHANCED_DUE_DILIGENCE = "enhanced_due_diligence"
    PROCEED = "proceed"


#: Decisions for which no document may go to the counterparty except the letters below.
BLOCKING = frozenset({Decision.OUTSIDE_DECLARATION, Decision.REFUSE, Decision.PERMISSION_REQUIRED})

#: Which letter kinds each decision allows (issue: the screening gate).
LETTERS_ALLOWED: dict[Decision, tuple[str, ...]] = {
    Decision.OUTSIDE_DECLARATION: (),
    Decision.REFUSE: ("refusal",),
    Decision.PERMISSION_REQUIRED: ("hold", "notice", "enduse-request", "end-user-statement"),
    Decision.PROCEED_WITH_PERMISSION: ("notice", "enduse-request", "end-user-statement"),
    Decision.ENHANCED_DUE_DILIGENCE: ("notice", "enduse-request", "end-user-statement"),
    Decision.PROCEED: ("notice", "enduse-request", "end-user-statement"),
}

#: Which letters screening recommends sending.
LETTERS_RECOMMENDED: dict[Decision, tuple[str, ...]] = {
    Decision.OUTSIDE_DECLARATION: (),
    Decision.REFUSE: ("refusal",),
    # The Commission's application needs the end user's data: the request and the statement go with the hold;
    # the notice informs a potential counterparty of the policy (Declaration, section 5) and cites the draft.
    Decision.PERMISSION_REQUIRED: ("hold", "notice", "enduse-request", "end-user-statement"),
    Decision.PROCEED_WITH_PERMISSION: ("notice", "end-user-statement"),
    Decision.ENHANCED_DUE_DILIGENCE: ("notice", "enduse-request", "end-user-statement"),
    Decision.PROCEED: ("notice",),
}


@dataclass(frozen=True)
class IndicatorSpec:
    number: int
    ru: str
    en: str
    hardware_only: bool = False
    suitability: frozenset[Suitability] = frozenset()
    activities: frozenset[str] = frozenset()  # the vocabulary's tags of the item (clausegen/activities.yaml)


_S = Suitability

INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(1, "Нет сведений о конечном использовании или конечных пользователях",
                  "No information on end use or end users"),
    IndicatorSpec(2, "Нет чётких ответов на обычные вопросы переговоров",
                  "No clear answers to routine negotiation questions"),
    IndicatorSpec(3, "Решение не соответствует заявленной сфере деятельности",
                  "Solution does not fit the stated field of activity"),
    IndicatorSpec(4, "Объём не соответствует мощностям конечного пользователя",
                  "Volume does not fit the end user's capacity"),
    IndicatorSpec(5, "Отказ от необходимого технического обслуживания", "Necessary maintenance declined"),
    IndicatorSpec(6, "Незнание базовых характеристик решения", "Unaware of the solution's basic characteristics"),
    IndicatorSpec(7, "Избыточные требования о конфиденциальности", "Excessive confidentiality demands"),
    IndicatorSpec(8, "Модификация, пригодная для создания оружия", "Modification suited to weapons development"),
    IndicatorSpec(9, "Абонентский почтовый ящик в качестве адреса", "PO box used as the address"),
    IndicatorSpec(10, "Договор на разработку без конечного назначения",
                  "Development contract without end purpose"),
    IndicatorSpec(11, "Экспедитор в качестве места назначения", "Freight forwarder as final destination"),
    IndicatorSpec(12, "Упаковка не соответствует транспортировке или месту назначения",
                  "Packaging inconsistent with shipment or destination", hardware_only=True),
    IndicatorSpec(13, "Нетипично благоприятные условия платежа (наличные)",
                  "Unusually favourable payment terms (cash)"),
    IndicatorSpec(14, "Нет оправданной потребности в решении", "No justified need for the solution"),
    IndicatorSpec(15, "Нетипичный маршрут транспортировки", "Unusual shipping route", hardware_only=True),
    IndicatorSpec(16, "Место использования в закрытом или необычном районе",
                  "Place of use in a restricted or unusual area"),
    IndicatorSpec(17, "Договор без целей конечного использования", "Contract without end-use purposes"),
    IndicatorSpec(18, "Документация или длительное обучение при поставке единичного образца",
                  "Documentation or long training for a single unit", hardware_only=True),
    IndicatorSpec(19, "Деятельность в ядерной сфере", "Nuclear activities",
                  suitability=frozenset({_S.NUCLEAR}), activities=frozenset(voc.tags_of_item(19))),
    IndicatorSpec(20, "Деятельность в ракетной области", "Missile activities",
                  suitability=frozenset({_S.MISSILE}), activities=frozenset(voc.tags_of_item(20))),
    IndicatorSpec(21, "Химическая и биологическая деятельность", "Chemical and biological activities",
                  suitability=frozenset({_S.CHEMICAL_BIOLOGICAL}), activities=frozenset(voc.tags_of_item(21))),
    IndicatorSpec(22, "Исследования ИИ для военных ведомств или спецслужб",
                  "AI research for military authorities or special services",
                  suitability=frozenset({_S.MILITARY, _S.INTELLIGENCE}),
                  activities=frozenset(voc.tags_of_item(22))),
)
INDICATOR_BY_NUMBER = {spec.number: spec for spec in INDICATORS}

FIRED, CLEAR, NOT_APPLICABLE = "fired", "clear", "not_applicable"


@dataclass(frozen=True)
class IndicatorResult:
    number: int
    status: str  # fired | clear | not_applicable
    source: str | None  # declared | derived | None when not fired
    evidence: tuple[str, ...] = ()
    note: str = ""  # English, as `screen` prints it
    note_ru: str = ""  # the same in Russian, for the screening report

    @property
    def spec(self) -> IndicatorSpec:
        return INDICATOR_BY_NUMBER[self.number]


@dataclass(frozen=True)
class Reason:
    section: str
    ru: str
    en: str


@dataclass(frozen=True)
class Screening:
    """What screening found and decided for one deal."""

    deal_id: str
    is_export: bool
    decision: Decision
    indicators: tuple[IndicatorResult, ...]
    reasons: tuple[Reason, ...]
    letters: tuple[str, ...] = field(default=())
    #: Free text that speaks of items 19-22 the deal does not declare: warnings, never a decision.
    possible_indicators: tuple[voc.PossibleIndicator, ...] = field(default=())

    @property
    def fired(self) -> list[int]:
        return [r.number for r in self.indicators if r.status == FIRED]

    @property
    def disclosed(self) -> list[int]:
        """Fired indicators that the deal's own data shows (an activity it lists), not only a declared flag:
        a letter then asks what the decision needs, not whether the fact is true."""
        return [r.number for r in self.indicators
                if r.status == FIRED and any(not e.startswith("red_flags:") for e in r.evidence)]

    @property
    def enhanced(self) -> bool:
        return self.decision == Decision.ENHANCED_DUE_DILIGENCE

    @property
    def blocked(self) -> bool:
        return self.decision in BLOCKING

    @property
    def annex_allowed(self) -> bool:
        return not self.blocked

    @property
    def permission_basis(self) -> list[str]:
        """The rungs a permission rests on: 4.2 (reasonable concern), 4.3 (FSTEC notice) or both."""
        return sorted({r.section for r in self.reasons} & {"4.2", "4.3"})

    def cite_permission(self, text: str, lang: str) -> str:
        """``text`` with its "4.2, 4.3" citation narrowed to the rungs applied: a permission obtained
        after an FSTEC notice is cited under 4.3 alone (drafting rules, 4; review 7, M3)."""
        sections = self.permission_basis
        if not sections:
            return text
        if lang == "ru":
            return text.replace("пп. 4.2, 4.3", ("пп. " if len(sections) > 1 else "п. ") + ", ".join(sections))
        return text.replace("4.2, 4.3", ", ".join(sections))

    def letters_allowed(self) -> tuple[str, ...]:
        return LETTERS_ALLOWED[self.decision]


_PO_BOX = re.compile(r"(\bp\.?\s*o\.?\s*b(ox)?\b|\bpost\s+office\s+box\b|\bpostfach\b|\bapartado\b|\bа/я\b|абонентский\s+ящик)", re.I)


def _derive(deal: Deal) -> dict[int, list[str]]:
    """Indicators that the deal's own data shows, each with its evidence."""
    found: dict[int, list[str]] = {}
    end_use = deal.end_use
    if end_use.purpose is None:
        found.setdefault(1, []).append("end_use.purpose: not given")
    if not end_use.end_users:
        found.setdefault(1, []).append("end_use.end_users: none given")
    cp = deal.counterparty
    if cp.address_is_po_box:
        found.setdefault(9, []).append("counterparty.address_is_po_box: true")
    for lang in ("ru", "en"):
        address = getattr(cp.address, lang, None) if cp.address else None
        if address and _PO_BOX.search(address):
            found.setdefault(9, []).append(f"counterparty.address.{lang}: {address}")
    if deal.payment and deal.payment.method == PaymentMethod.CASH:
        found.setdefault(13, []).append("payment.method: cash")
    suitable = set(deal.solution.suitable_for)
    for path, tags in _activity_lists(deal):
        for number, hits in voc.items_of(tags).items():
            spec = INDICATOR_BY_NUMBER[number]
            if suitable & spec.suitability:
                fit = ", ".join(sorted(s.value for s in suitable & spec.suitability))
                found.setdefault(number, []).append(f"{path}: {', '.join(hits)}; solution.suitable_for: {fit}")
    return found


def _activity_lists(deal: Deal) -> list[tuple[str, list[str]]]:
    """The activity tags of the counterparty and of each end user: items 19-22 speak of the
    «контрагент (конечный пользователь)», so either one's activities count."""
    lists = [("counterparty.activities", deal.counterparty.activities)]
    lists += [(f"end_use.end_users[{i}].activities", u.activities) for i, u in enumerate(deal.end_use.end_users)]
    return [(path, tags) for path, tags in lists if tags]


def _indicator_results(deal: Deal) -> tuple[IndicatorResult, ...]:
    derived = _derive(deal)
    declared = set(deal.red_flags)
    hardware = deal.solution.delivery == Delivery.EMBEDDED_IN_HARDWARE
    activities = {tag for _, tags in _activity_lists(deal) for tag in tags}
    suitable = set(deal.solution.suitable_for)
    results = []
    for spec in INDICATORS:
        number = spec.number
        if spec.hardware_only and not hardware:
            note = "applies only to equipment with an embedded AI solution"
            note_ru = "применяется только к оборудованию со встроенным Решением ИИ"
            if number in declared:
                note += "; declared in red_flags but not counted"
                note_ru += "; указан в red_flags, но не учитывается"
            results.append(IndicatorResult(number, NOT_APPLICABLE, None, (), note, note_ru))
            continue
        evidence = list(derived.get(number, []))
        if number in declared:
            results.append(IndicatorResult(number, FIRED, "declared", ("red_flags: declared by the deal team", *evidence)))
        elif evidence:
            results.append(IndicatorResult(number, FIRED, "derived", tuple(evidence)))
        elif spec.activities and activities & spec.activities:
            results.append(IndicatorResult(
                number, CLEAR, None, (),
                "activities in this field, but the solution is not marked suitable for such use (note to the item)",
                "деятельность в этой области есть, но Решение ИИ не отмечено как пригодное для такого применения "
                "(примечание к пункту)"))
        elif spec.activities and not suitable & spec.suitability:
            results.append(IndicatorResult(number, CLEAR, None, (), "solution not marked suitable for such use",
                                           "Решение ИИ не отмечено как пригодное для такого применения"))
        elif spec.activities:  # the other half of the item: the record says why it did not fire (review 10)
            results.append(IndicatorResult(
                number, CLEAR, None, (),
                "the solution is marked suitable for such use, but no activity of the counterparty or the end users "
                "in this field is given",
                "Решение ИИ отмечено как пригодное для такого применения, но деятельность Контрагента и конечных "
                "пользователей в этой области не указана"))
        else:
            results.append(IndicatorResult(number, CLEAR, None))
    return tuple(results)


def is_export(deal: Deal) -> bool:
    """Section 2.1: access the counterparty cannot modify (SaaS) is not an export."""
    return not (deal.solution.delivery == Delivery.SAAS and not deal.solution.counterparty_can_modify)


def screen(deal: Deal) -> Screening:
    """Evaluate the indicators and decide, first matching rule wins (section 4, 5.1)."""
    indicators = _indicator_results(deal)
    fired = [r.number for r in indicators if r.status == FIRED]
    k = deal.knowledge
    reasons: list[Reason] = []
    fstec_notice = has_fstec_notice(deal)
    if is_listed(deal):
        decision = Decision.OUTSIDE_DECLARATION
        item = list_item(deal)
        where_ru = f", пункт {item}" if item else ""
        where_en = f", item {item}" if item else ""
        reasons.append(Reason("1.3", "Решение ИИ включено в Список контролируемых товаров и технологий "
                              f"(постановление Правительства РФ № 1299{where_ru}): применяется установленная законом "
                              "процедура экспортного контроля, документы по Декларации не оформляются",
                              "The AI solution is on the control list (Government Resolution No. 1299"
                              f"{where_en}): the statutory export-control procedure applies and nothing is generated "
                              "under the Declaration"))
    elif k.prohibited_use_known or k.harm_known:
        decision = Decision.REFUSE
        if k.prohibited_use_known:
            reasons.append(Reason("4.1", "Достоверно известно об использовании для создания ОМП и средств его "
                                  "доставки или для террористических актов: от экспорта следует воздержаться",
                                  "Reliably known use for weapons of mass destruction, their delivery means or "
                                  "terrorist acts: refrain from the export"))
        if k.harm_known:
            reasons.append(Reason("4.4", "Достоверно известно о намерении причинить вред гражданам или "
                                  "юридическим лицам: от экспорта следует воздержаться",
                                  "Reliably known intent to harm citizens or legal entities: refrain from "
                                  "the export"))
    elif k.military_or_wmd_concern or fstec_notice:
        granted = deal.permission.given
        # A permission after an FSTEC notice is one under 4.3 (drafting rules, 4).
        basis = "4.2" if k.military_or_wmd_concern else "4.3"
        decision = Decision.PROCEED_WITH_PERMISSION if granted else Decision.PERMISSION_REQUIRED
        if k.military_or_wmd_concern:
            reasons.append(Reason("4.2", "Обоснованное опасение военного использования, использования для ОМП "
                                  "или террористических актов: требуется разрешение Комиссии по экспортному "
                                  "контролю",
                                  "Reasonable concern of military, WMD or terrorist use: the Export Control "
                                  "Commission's permission is required"))
        if fstec_notice:
            reasons.append(Reason("4.3", "ФСТЭК России письменно уведомила о необходимости согласования: "
                                  "требуется разрешение Комиссии по экспортному контролю",
                                  "FSTEC of Russia gave written notice that approval is needed: the Export "
                                  "Control Commission's permission is required"))
        if granted:
            reasons.append(Reason(basis, f"Разрешение Комиссии № {deal.permission.number} от "
                                  f"{deal.permission.date:%d.%m.%Y} получено",
                                  f"The Commission's permission No. {deal.permission.number} of "
                                  f"{deal.permission.date:%d.%m.%Y} has been obtained"))
        else:
            reasons.append(Reason(basis, "До получения разрешения от экспорта следует воздержаться",
                                  "Refrain from the export until the permission is obtained"))
    elif fired:
        decision = Decision.ENHANCED_DUE_DILIGENCE
        reasons.append(Reason("5.1", f"{indicators_fired(fired, 'ru', start=True)}: углублённая проверка и "
                              "усиленные условия",
                              f"{indicators_fired(fired, 'en')}: enhanced due diligence and enhanced terms"))
    else:
        decision = Decision.PROCEED
        reasons.append(Reason("5.1", "Признаки риска приложения № 1 не выявлены",
                              "No Annex 1 indicator found"))
    export = is_export(deal)
    if not export:
        reasons.append(Reason("2.1", "Удалённый доступ к Решению ИИ как к облачному сервису без права его "
                              "изменения не является экспортом в смысле Декларации; условия о конечном "
                              "использовании всё равно включаются",
                              "Remote access to the solution as a cloud service that the counterparty cannot "
                              "modify is not an export under the Declaration; the end-use terms are included all "
                              "the same"))
    return Screening(deal.deal_id, export, decision, indicators, tuple(reasons), LETTERS_RECOMMENDED[decision],
                     voc.possible_indicators(deal))
