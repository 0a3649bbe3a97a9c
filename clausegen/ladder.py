"""Each rung of the decision, as the 5.3 record states it: considered, and why taken or not.

:func:`clausegen.screening.screen` decides (first matching rule wins); this
module explains, for the screening report and ``screen --json``, every rule the
decision passed on the way: 1.3, 2.1, 4.1 (with its bar on intermediaries),
4.2, 4.3, 4.4 and 5.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import labels, text
from .phrases import indicators_fired
from .identification import has_fstec_notice, identification_status, is_listed, list_item
from .model import Deal, KnownUse
from .screening import FIRED, Decision, Screening

TAKEN, NOT_TAKEN, SUPERSEDED = "taken", "not_taken", "superseded"
STATUS_LABELS = {
    TAKEN: ("применён", "taken"),
    NOT_TAKEN: ("не применён", "not taken"),
    SUPERSEDED: ("установлено; решение определено пунктом выше", "met; a higher rung decides"),
}

#: Which rung decides each decision (the first that matches, in screen()'s order).
_DECIDING = {
    Decision.OUTSIDE_DECLARATION: ("1.3",),
    Decision.REFUSE: ("4.1", "4.4"),
    Decision.PERMISSION_REQUIRED: ("4.2", "4.3"),
    Decision.PROCEED_WITH_PERMISSION: ("4.2", "4.3"),
    Decision.ENHANCED_DUE_DILIGENCE: ("5.1",),
    Decision.PROCEED: (),
}


@dataclass(frozen=True)
class Rung:
    section: str
    title_ru: str
    title_en: str
    status: str  # taken | not_taken | superseded
    why_ru: str
    why_en: str
    #: The outcome in words where the bare status would mislead (2.1: "yes, an export"; a rung that a
    #: higher one decides names that rung).
    outcome: tuple[str, str] | None = None
    #: How many indicators fired (5.1), for the number of the words that name them.
    fired: int = 0

    @property
    def status_ru(self) -> str:
        return self.outcome[0] if self.outcome else STATUS_LABELS[self.status][0]

    @property
    def status_en(self) -> str:
        return self.outcome[1] if self.outcome else STATUS_LABELS[self.status][1]


def rungs(deal: Deal, screening: Screening) -> list[Rung]:
    """Every rung in the Declaration's order, with its status and reason in both languages."""
    deciding = _DECIDING[screening.decision]

    def status(section: str, met: bool) -> str:
        if not met:
            return NOT_TAKEN
        if section in deciding or (not deciding and section == "5.1"):
            return TAKEN
        return SUPERSEDED

    k = deal.knowledge
    fired = [r.number for r in screening.indicators if r.status == FIRED]
    decided = [section for section in deciding if _met(deal, section)]
    by = _cited(decided)
    rows = [
        _control_list(deal, status("1.3", is_listed(deal))),
        _export(deal, screening),
        _wmd_known(deal, status("4.1", k.prohibited_use_known)),
        # Reliable knowledge of WMD use (4.1) includes the concern of 4.2: a refusal needs no permission.
        _concern(deal, fired, status("4.2", k.military_or_wmd_concern or k.prohibited_use_known)),
        _fstec(deal, status("4.3", has_fstec_notice(deal))),
        _harm(deal, status("4.4", k.harm_known), screening, by),
        _indicators(fired, status("5.1", bool(fired)), screening),
    ]
    if by:
        rows = [_decided_by(row, by) if row.status == SUPERSEDED else row for row in rows]
    if screening.decision == Decision.OUTSIDE_DECLARATION:
        rows = rows[:1] + [_not_considered(row) for row in rows[1:]]
    return rows


#: A rung of the Declaration for a solution on the control list: the Declaration does not apply (1.3), so the
#: rung is not weighed at all, and the record gives no verdict on it (review 6).
NOT_CONSIDERED = ("не рассматривается", "not considered")
#: Why, in the row beside it (the status column is narrow).
NOT_APPLIED = ("Декларация к сделке не применяется (п. 1.3 Декларации)",
               "The Declaration does not apply to the deal (Declaration, para. 1.3)")


def _not_considered(row: Rung) -> Rung:
    ru, en = NOT_APPLIED
    if row.status != NOT_TAKEN:
        # what the deal records stays on the record: the licensing authority may need it
        ru, en = f"{ru}. По данным сделки: {_lower(row.why_ru)}", f"{en}. As the deal records: {_lower(row.why_en)}"
    return Rung(row.section, row.title_ru, row.title_en, NOT_TAKEN, ru, en, NOT_CONSIDERED, row.fired)


def _met(deal: Deal, section: str) -> bool:
    k = deal.knowledge
    return {"1.3": is_listed(deal), "4.1": k.prohibited_use_known, "4.2": k.military_or_wmd_concern,
            "4.3": has_fstec_notice(deal), "4.4": k.harm_known, "5.1": True}.get(section, False)


def _cited(sections: list[str]) -> tuple[str, str] | None:
    if not sections:
        return None
    joined = ", ".join(sections)
    return ("пп. " if len(sections) > 1 else "п. ") + joined, joined


def _decided_by(row: Rung, by: tuple[str, str]) -> Rung:
    """A rung that is met but decided by a higher one says which (the record must not contradict itself)."""
    ru, en = by
    if row.section == "5.1":
        one = row.fired == 1
        outcome = (f"{'признак выявлен' if one else 'признаки выявлены'}; решение определено {ru}",
                   f"{'indicator' if one else 'indicators'} fired; {en} decides")
    elif row.section == "4.2" and row.outcome is None:
        outcome = (f"поглощается {ru}", f"absorbed by {en}")
    else:
        outcome = (f"установлено; решение определено {ru}", f"met; {en} decides")
    return Rung(row.section, row.title_ru, row.title_en, row.status, row.why_ru, row.why_en, outcome, row.fired)


def _control_list(deal: Deal, state: str) -> Rung:
    found = identification_status(deal)
    ident = deal.identification
    if found == "recorded_listed":
        ru = f"По результатам идентификации Решение ИИ включено в Список (пункт {list_item(deal)}): " \
             "Декларация не применяется, экспорт — по лицензии ФСТЭК России (Федеральный закон № 183-ФЗ)"
        en = f"The identification found the solution on the control list (item {list_item(deal)}): the " \
             "Declaration does not apply; export under an FSTEC licence (Federal Law No. 183-FZ)"
    elif found == "declared_controlled":
        ru = "Командой сделки указано, что Решение ИИ включено в Список; сведения об идентификации не внесены. " \
             "Декларация не применяется, экспорт — по лицензии ФСТЭК России (Федеральный закон № 183-ФЗ)"
        en = "The deal team declared the solution on the control list; no identification is recorded. The " \
             "Declaration does not apply; export under an FSTEC licence (Federal Law No. 183-FZ)"
    elif found == "recorded_fstec_notice":
        # The deal records FSTEC's notice, not a finding about the list: the record may not invent one.
        ref = f" ({ident.reference})" if ident.reference else ""
        ru = f"По результатам идентификации от {text.format_date(ident.date, 'ru')} ФСТЭК России письменно " \
             f"уведомила о необходимости согласования экспорта{ref}. Вывод о включении (невключении) Решения " \
             "ИИ в Список в файл сделки не внесён; проверка проводится по Декларации с учётом п. 4.3"
        en = f"Following the identification of {text.format_date(ident.date, 'en')}, FSTEC of Russia gave " \
             f"written notice that the export requires approval{ref}. No finding on whether the solution is " \
             "on the control list is recorded in the deal file; the deal is screened under the Declaration, " \
             "having regard to 4.3"
    elif found == "recorded_not_listed":
        ru = f"По результатам идентификации от {text.format_date(ident.date, 'ru')} Решение ИИ не включено в " \
             "Список: Декларация применяется"
        en = f"The identification of {text.format_date(ident.date, 'en')} did not find the solution on the " \
             "control list: the Declaration applies"
    else:
        ru = "Сведения об идентификации не внесены; Решение ИИ не отмечено как включённое в Список, проверка " \
             "проводится по Декларации. Утверждать, что Решение ИИ не включено в Список, нельзя до внесения " \
             "результатов идентификации"
        en = "No identification is recorded; the solution is not marked as listed, so it is screened under the " \
             "Declaration. No statement that it is not listed may be made until the identification is recorded"
    return Rung("1.3", "Список контролируемых товаров и технологий (постановление Правительства РФ № 1299)",
                "Control list (Government Resolution No. 1299)", state, ru, en)


def _export(deal: Deal, screening: Screening) -> Rung:
    if screening.is_export:
        ru, en = "Решение ИИ передаётся иностранному контрагенту: это экспорт в смысле Декларации", \
                 "The solution is transferred to a foreign counterparty: an export under the Declaration"
    else:
        # in words, not the deal format's code (review 6): «облачный сервис», not «SaaS»
        ru = "Контрагент получает удалённый доступ к Решению ИИ как к облачному сервису и не может изменить " \
             "его без согласия Поставщика: это не экспорт в смысле п. 2.1 Декларации; условия о конечном " \
             "использовании всё равно включаются"
        en = "The counterparty has remote access to the solution as a cloud service and cannot modify it " \
             "without the Supplier's consent: this is not an export under para. 2.1 of the Declaration; the " \
             "end-use terms are included all the same"
    outcome = (("да — экспорт", "yes: an export") if screening.is_export else
               ("нет — облачный сервис без права изменения", "no: a cloud service the counterparty cannot modify"))
    return Rung("2.1", "Является ли сделка экспортом", "Whether the deal is an export",
                TAKEN if not screening.is_export else NOT_TAKEN, ru, en, outcome)


def _intermediaries(deal: Deal) -> tuple[str, str]:
    # States only what the deal records about who else receives the solution.  The bar on
    # intermediaries (4.1, second paragraph) attaches only to an export that 4.1 bars.
    users = deal.end_use.end_users
    others = [u for u in users if u.name.get("en") != deal.counterparty.name.get("en")]
    if not deal.knowledge.prohibited_use_known:
        if others:
            return (" Контрагент передаёт Решение ИИ иным конечным пользователям: условия приложения о конечных "
                    "пользователях и о передаче третьим лицам обязывают его распространить на них ограничения",
                    " The counterparty passes the solution to other end users: the annex's terms on end users and "
                    "on transfers to third parties bind it to extend the restrictions to them")
        return "", ""
    if not users:
        return (" Конечные пользователи не указаны: запрет на посредничество (абз. 2 п. 4.1) распространяется на "
                "любое лицо, которому Контрагент передаст Решение ИИ",
                " No end user is named: the bar on intermediaries (4.1, second paragraph) extends to anyone the "
                "counterparty passes the solution to")
    if others:
        return (" Контрагент передаёт Решение ИИ иным конечным пользователям: запрет на посредничество (абз. 2 "
                "п. 4.1) распространяется и на такую передачу",
                " The counterparty passes the solution to other end users: the bar on intermediaries (4.1, second "
                "paragraph) extends to that transfer")
    return (" Конечным пользователем указан сам Контрагент; запрет на посредничество (абз. 2 п. 4.1) учтён",
            " The counterparty itself is named as the end user; the bar on intermediaries (4.1, second paragraph) "
            "is noted")


#: The uses of 4.1 and 4.2 in the Declaration's words: ``for`` what the solution would be used.
_USES = {
    KnownUse.WMD: ("для создания оружия массового поражения и средств его доставки",
                   "to create weapons of mass destruction or their delivery means"),
    KnownUse.MILITARY: ("для создания обычных видов вооружения и военной техники или для иного военного применения",
                        "to create conventional arms or military equipment or for any other military purpose"),
    KnownUse.TERRORISM: ("для подготовки и (или) совершения террористических актов",
                         "to prepare and/or commit terrorist acts"),
}


def _uses(deal: Deal, allowed: tuple[KnownUse, ...]) -> tuple[str, str] | None:
    """The uses the deal records for this rung, joined as one purpose («…, а также …»); None when the deal
    does not say which of the rung's uses its knowledge or concern is about (review 9, m7: the report names
    the ground that applies, never "X or Y")."""
    chosen = [use for use in allowed if use in deal.knowledge.uses]
    if not chosen:
        return None
    ru = [_USES[use][0] for use in chosen]
    en = [_USES[use][1] for use in chosen]
    if len(chosen) == 1:
        return ru[0], en[0]
    return ", ".join(ru[:-1]) + ", а также " + ru[-1], ", ".join(en[:-1]) + ", and " + en[-1]


def unrecorded_uses(deal: Deal) -> list[str]:
    """The sections whose applied ground the deal does not specify (``knowledge.uses``): "4.1", "4.2"."""
    missing = []
    if deal.knowledge.prohibited_use_known and _uses(deal, _USES_41) is None:
        missing.append("4.1")
    if deal.knowledge.military_or_wmd_concern and not deal.knowledge.prohibited_use_known \
            and _uses(deal, _USES_42) is None:
        missing.append("4.2")
    return missing


_USES_41 = (KnownUse.WMD, KnownUse.TERRORISM)
_USES_42 = (KnownUse.WMD, KnownUse.MILITARY, KnownUse.TERRORISM)


def _wmd_known(deal: Deal, state: str) -> Rung:
    extra_ru, extra_en = _intermediaries(deal)
    uses = None
    if deal.knowledge.prohibited_use_known:
        uses = _uses(deal, _USES_41)
        known_ru, known_en = uses or ("в целях, названных в п. 4.1 Декларации",
                                      "for the purposes named in 4.1 of the Declaration")
        ru = f"Достоверно известно, что Решение ИИ будет использовано {known_ru}: от экспорта следует " \
             "воздержаться; Поставщик не привлекает посредников и не выступает посредником для такого экспорта"
        en = f"It is reliably known that the solution will be used {known_en}: refrain from the export; the " \
             "Supplier neither uses nor acts as an intermediary for it"
    else:
        ru = "Достоверных сведений о том, что Решение ИИ будет использовано для создания ОМП и средств его " \
             "доставки или для подготовки и (или) совершения террористических актов, нет"
        en = "There is no reliable knowledge that the solution will be used to create weapons of mass destruction " \
             "or their delivery means, or to prepare and/or commit terrorist acts"
    if deal.knowledge.prohibited_use_known and uses is None:
        extra_ru = " В файле сделки не указано, к какой из целей п. 4.1 относятся эти сведения." + extra_ru
        extra_en = " The deal file does not say which of the purposes of 4.1 this knowledge concerns." + extra_en
        extra_ru, extra_en = extra_ru.rstrip("."), extra_en.rstrip(".")
    # one sentence per fact, each but the last closed by a full stop, as in the other rows
    ru, en = (ru + "." + extra_ru, en + "." + extra_en) if extra_ru else (ru, en)
    return Rung("4.1", "ОМП и террористические акты (в том числе запрет на посредничество)",
                "WMD and terrorist acts (including the bar on intermediaries)", state, ru, en)


def _grounds(deal: Deal, sensitive: list[int]) -> tuple[str, str]:
    """What the deal records that bears on a concern of military, WMD or terrorist use (m-37): only
    recorded facts, by their labels; empty when the deal records none."""
    ru, en = [], []
    tags = [t for t in deal.counterparty.activities if t in _CONCERN_TAGS]
    if tags:
        ru.append("виды деятельности Контрагента — " + ", ".join(_lower(labels.activity(t, "ru")) for t in tags))
        en.append("the counterparty's activities: " + ", ".join(_lower(labels.activity(t, "en")) for t in tags))
    if deal.solution.suitable_for:
        ru.append("пригодность Решения ИИ — " + ", ".join(labels.label("suitability", s, "ru")
                                                         for s in deal.solution.suitable_for))
        en.append("the solution is suitable for " + ", ".join(labels.label("suitability", s, "en")
                                                            for s in deal.solution.suitable_for))
    if sensitive:
        ru.append(indicators_fired(sensitive, "ru"))
        en.append(indicators_fired(sensitive, "en"))
    if not ru:
        return "", ""
    return " (по данным сделки: " + "; ".join(ru) + ")", " (as the deal records: " + "; ".join(en) + ")"


def _lower(value: str) -> str:
    return value[:1].lower() + value[1:]


#: Activity tags that bear on a military, WMD or terrorist concern (Annex 1, items 19-22).
_CONCERN_TAGS = frozenset({"military_research", "special_services", "missile", "nuclear_reactors", "nuclear_fuel",
                           "nuclear_waste", "isotope_separation", "heavy_water", "organic_synthesis", "toxicology",
                           "nuclear_plant_operation", "nuclear_plant_maintenance", "nuclear_plant_design"})


def _concern(deal: Deal, fired: list[int], state: str) -> Rung:
    sensitive = [n for n in fired if n >= 19]
    if deal.knowledge.prohibited_use_known:
        ru = "Достоверные сведения о запрещённом использовании (п. 4.1) поглощают опасение п. 4.2; обращение в " \
             "Комиссию по экспортному контролю не требуется, так как от экспорта Поставщик воздерживается"
        en = "Reliable knowledge of a prohibited use (4.1) absorbs the concern of 4.2; no application to the " \
             "Export Control Commission is needed, as the Supplier refrains from the export"
    elif deal.knowledge.military_or_wmd_concern:
        why_ru, why_en = _grounds(deal, sensitive)
        feared = _uses(deal, _USES_42)
        feared_ru, feared_en = feared or ("в целях, названных в п. 4.2 Декларации",
                                          "for the purposes named in 4.2 of the Declaration")
        ru = f"Командой сделки отмечено обоснованное опасение, что Решение ИИ может быть использовано {feared_ru}" \
             f"{why_ru}: требуется разрешение Комиссии по экспортному контролю"
        en = f"The deal team recorded a well-founded concern that the solution may be used {feared_en}" \
             f"{why_en}: the Export Control Commission's permission is required"
        if feared is None:
            ru += ". В файле сделки не указано, к какой из целей п. 4.2 относится опасение"
            en += ". The deal file does not say which of the purposes of 4.2 the concern is about"
    elif sensitive and deal.permission.given and has_fstec_notice(deal):
        # The export already rests on a permission (4.3): a later concern calls for a new check, not for the
        # permission the deal already has (review 6).
        # the permission itself is recorded under the rung it was obtained on (4.3), not here
        ru = f"{indicators_fired(sensitive, 'ru', start=True)}; обоснованное опасение командой сделки не " \
             "отмечено. Экспорт осуществляется на основании разрешения Комиссии (см. п. 4.3); если возникнет " \
             "опасение, которое разрешение не охватывает, проверка повторяется, а поставка приостанавливается " \
             "до нового решения Комиссии"
        en = f"{indicators_fired(sensitive, 'en')}; the deal team recorded no well-founded concern. The export " \
             "rests on the Commission's permission (see 4.3); should a concern arise that the permission does not " \
             "cover, the deal is screened again and delivery is suspended until the Commission decides again"
    elif sensitive:
        ru = f"{indicators_fired(sensitive, 'ru', start=True)}, но обоснованное опасение командой сделки не " \
             "отмечено; если углублённая проверка его подтвердит, требуется разрешение Комиссии"
        en = f"{indicators_fired(sensitive, 'en')}, but the deal team recorded no well-founded concern; if the " \
             "enhanced due diligence confirms one, the Commission's permission is required"
    else:
        ru = "Обоснованного опасения военного использования, использования для ОМП или террористических актов " \
             "не отмечено"
        en = "No well-founded concern of military, WMD or terrorist use is recorded"
    if deal.permission.given and deal.knowledge.military_or_wmd_concern:
        ru, en = ru + _permission(deal, "ru"), en + _permission(deal, "en")
    return Rung("4.2", "Обоснованное опасение: разрешение Комиссии по экспортному контролю",
                "Well-founded concern: the Export Control Commission's permission", state, ru, en)


def _permission(deal: Deal, lang: str) -> str:
    if lang == "ru":
        return f"; получено разрешение Комиссии № {deal.permission.number} от " \
               f"{text.format_date(deal.permission.date, 'ru')}"
    return f"; the Commission's permission No. {_number_en(deal.permission.number)} of " \
           f"{text.format_date(deal.permission.date, 'en')} has been obtained"


def _number_en(number: str | None) -> str:
    """A permission number in English text: a Cyrillic one also in Latin script (drafting rules, 1)."""
    from .glossary import has_cyrillic, transliterate
    value = number or ""
    return f"{value} ({transliterate(value)})" if has_cyrillic(value) else value


def _fstec(deal: Deal, state: str) -> Rung:
    if has_fstec_notice(deal):
        ru = "ФСТЭК России письменно уведомила о необходимости согласования экспорта: требуется разрешение " \
             "Комиссии по экспортному контролю"
        en = "FSTEC of Russia gave written notice that the export needs approval: the Export Control " \
             "Commission's permission is required"
        # A permission obtained after an FSTEC notice belongs to 4.3 (drafting rules, 4, last point).
        if deal.permission.given:
            ru, en = ru + _permission(deal, "ru"), en + _permission(deal, "en")
    else:
        ru, en = "Письменного уведомления ФСТЭК России не поступало", "No written notice from FSTEC of Russia"
    return Rung("4.3", "Уведомление ФСТЭК России", "Notice from FSTEC of Russia", state, ru, en)


def _harm(deal: Deal, state: str, screening: Screening, by: tuple[str, str] | None) -> Rung:
    if deal.knowledge.harm_known:
        ru, en = ("Достоверно (подтверждено фактами) известно о намерении причинить вред: от экспорта следует "
                  "воздержаться", "Harm is reliably known: refrain from the export")
    else:
        ru, en = ("Достоверных сведений о намерении причинить вред гражданам или юридическим лицам нет",
                  "No reliable knowledge of intended harm to citizens or legal entities")
    outcome = None
    if state == NOT_TAKEN and screening.decision == Decision.REFUSE and by:
        outcome = (f"не применён: основание отказа — {by[0]}", f"not taken: the refusal rests on {by[1]}")
    return Rung("4.4", "Иной вред гражданам или юридическим лицам", "Other harm to citizens or legal entities",
                state, ru, en, outcome)


def _indicators(fired: list[int], state: str, screening: Screening) -> Rung:
    if fired:
        if state == SUPERSEDED:
            ru = f"{indicators_fired(fired, 'ru', start=True)}; решение определено пунктом выше"
            en = f"{indicators_fired(fired, 'en')}; a higher rung decides"
        else:
            ru = f"{indicators_fired(fired, 'ru', start=True)}: углублённая проверка и усиленные условия"
            en = f"{indicators_fired(fired, 'en')}: enhanced due diligence and enhanced terms"
    else:
        ru, en = "Признаки риска приложения № 1 не выявлены", "No Annex 1 indicator fired"
    if not fired and screening.decision == Decision.PROCEED:
        state = TAKEN
    return Rung("5.1", "Признаки риска (приложение № 1)", "Risk indicators (Annex 1)", state, ru, en, None,
                len(fired))
