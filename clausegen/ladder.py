"""Each rung of the decision, as the 5.3 record states it: considered, and why taken or not.

:func:`clausegen.screening.screen` decides (first matching rule wins); this
module explains, for the screening report and ``screen --json``, every rule the
decision passed on the way: 1.3, 2.1, 4.1 (with its bar on intermediaries),
4.2, 4.3, 4.4 and 5.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import text
from .identification import has_fstec_notice, identification_status, is_listed, list_item
from .model import Deal
from .screening import FIRED, Decision, Screening

TAKEN, NOT_TAKEN, SUPERSEDED = "taken", "not_taken", "superseded"
STATUS_LABELS = {
    TAKEN: ("применён", "taken"),
    NOT_TAKEN: ("не применён", "not taken"),
    SUPERSEDED: ("установлен, но решение определено пунктом выше", "met, but a higher rung decides"),
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

    @property
    def status_ru(self) -> str:
        return STATUS_LABELS[self.status][0]

    @property
    def status_en(self) -> str:
        return STATUS_LABELS[self.status][1]


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
    return [
        _control_list(deal, status("1.3", is_listed(deal))),
        _export(deal, screening),
        _wmd_known(deal, status("4.1", k.prohibited_use_known)),
        _concern(deal, fired, status("4.2", k.military_or_wmd_concern)),
        _fstec(deal, status("4.3", has_fstec_notice(deal))),
        Rung("4.4", "Иной вред гражданам или юридическим лицам", "Other harm to citizens or legal entities",
             status("4.4", k.harm_known),
             *(("Достоверно (подтверждено фактами) известно о намерении причинить вред: от экспорта следует "
                "воздержаться", "Harm is reliably known: refrain from the export") if k.harm_known else
               ("Достоверных сведений о намерении причинить вред гражданам или юридическим лицам нет",
                "No reliable knowledge of intended harm to citizens or legal entities"))),
        _indicators(fired, status("5.1", bool(fired)), screening),
    ]


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
    elif ident is not None:
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
        ru = "Доступ без возможности модификации (SaaS) не является экспортом в смысле Декларации; условия о " \
             "конечном использовании всё равно включаются"
        en = "Access without the ability to modify (SaaS) is not an export under the Declaration; the end-use " \
             "terms are included all the same"
    return Rung("2.1", "Является ли сделка экспортом", "Whether the deal is an export",
                TAKEN if not screening.is_export else NOT_TAKEN, ru, en)


def _intermediaries(deal: Deal) -> tuple[str, str]:
    # States only what the deal records about who else receives the solution.
    users = deal.end_use.end_users
    others = [u for u in users if u.name.get("en") != deal.counterparty.name.get("en")]
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


def _wmd_known(deal: Deal, state: str) -> Rung:
    extra_ru, extra_en = _intermediaries(deal)
    if deal.knowledge.prohibited_use_known:
        ru = "Достоверно известно об использовании для создания ОМП и средств его доставки или для " \
             "террористических актов: от экспорта следует воздержаться; Поставщик не привлекает посредников и " \
             "не выступает посредником для такого экспорта."
        en = "Use for weapons of mass destruction, their delivery means or terrorist acts is reliably known: " \
             "refrain from the export; the Supplier neither uses nor acts as an intermediary for it."
    else:
        ru = "Достоверных сведений об использовании для создания ОМП и средств его доставки или для " \
             "террористических актов нет."
        en = "No reliable knowledge of use for weapons of mass destruction, their delivery means or terrorist acts."
    return Rung("4.1", "ОМП и террористические акты (в том числе запрет на посредничество)",
                "WMD and terrorist acts (including the bar on intermediaries)", state, ru + extra_ru, en + extra_en)


def _concern(deal: Deal, fired: list[int], state: str) -> Rung:
    sensitive = [n for n in fired if n >= 19]
    if deal.knowledge.military_or_wmd_concern:
        ru = "Командой сделки отмечено обоснованное опасение военного использования, использования для ОМП или " \
             "террористических актов: требуется разрешение Комиссии по экспортному контролю"
        en = "The deal team recorded a well-founded concern of military, WMD or terrorist use: the Export " \
             "Control Commission's permission is required"
    elif sensitive:
        numbers = ", ".join(map(str, sensitive))
        ru = f"Выявлены признаки № {numbers} приложения № 1, но обоснованное опасение командой сделки не " \
             "отмечено; если углублённая проверка его подтвердит, требуется разрешение Комиссии"
        en = f"Annex 1 indicators {numbers} fired, but the deal team recorded no well-founded concern; if the " \
             "enhanced due diligence confirms one, the Commission's permission is required"
    else:
        ru = "Обоснованного опасения военного использования, использования для ОМП или террористических актов " \
             "не отмечено"
        en = "No well-founded concern of military, WMD or terrorist use is recorded"
    if deal.permission.given:
        ru += f"; получено разрешение Комиссии № {deal.permission.number} от " \
              f"{text.format_date(deal.permission.date, 'ru')}"
        en += f"; the Commission's permission No. {deal.permission.number} of " \
              f"{text.format_date(deal.permission.date, 'en')} has been obtained"
    return Rung("4.2", "Обоснованное опасение: разрешение Комиссии по экспортному контролю",
                "Well-founded concern: the Export Control Commission's permission", state, ru, en)


def _fstec(deal: Deal, state: str) -> Rung:
    if has_fstec_notice(deal):
        ru = "ФСТЭК России письменно уведомила о необходимости согласования экспорта: требуется разрешение " \
             "Комиссии по экспортному контролю"
        en = "FSTEC of Russia gave written notice that the export needs approval: the Export Control " \
             "Commission's permission is required"
    else:
        ru, en = "Письменного уведомления ФСТЭК России не поступало", "No written notice from FSTEC of Russia"
    return Rung("4.3", "Уведомление ФСТЭК России", "Notice from FSTEC of Russia", state, ru, en)


def _indicators(fired: list[int], state: str, screening: Screening) -> Rung:
    if fired:
        numbers = ", ".join(map(str, fired))
        ru = f"Выявлены признаки № {numbers} приложения № 1: углублённая проверка и усиленные условия"
        en = f"Annex 1 indicators {numbers} fired: enhanced due diligence and enhanced terms"
    else:
        ru, en = "Признаки риска приложения № 1 не выявлены", "No Annex 1 indicator fired"
    if not fired and screening.decision == Decision.PROCEED:
        state = TAKEN
    return Rung("5.1", "Признаки риска (приложение № 1)", "Risk indicators (Annex 1)", state, ru, en)
