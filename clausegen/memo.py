"""The screening report: the internal record of Declaration 5.3, in Russian.

:func:`record` gathers what the record holds (in both languages, for
``screen --json``); :func:`report_context` lays it out for
templates/screening-report.docx.  The Russian text shows no code of the deal
format: every value goes through :mod:`clausegen.labels`.
"""

from __future__ import annotations

from typing import Any

import re

from . import activities, glossary, labels, text
from .checkrecord import NEEDS_APPROVAL, Check
from .identification import identification_status, list_item
from .ladder import NOT_APPLIED, NOT_CONSIDERED, rungs, unrecorded_uses
from .model import Bilingual, Deal, KnownUse, Person, issuer_is_counterparty, names_counterparty
from .screening import BLOCKING, FIRED, Decision, Screening
from .selection import Selected

DECISION_RU = {
    Decision.OUTSIDE_DECLARATION: "Вне сферы Декларации: Решение ИИ включено в Список контролируемых товаров и "
                                  "технологий (п. 1.3), применяется установленная законом процедура экспортного "
                                  "контроля",
    Decision.REFUSE: "Отказ от сделки (пп. 4.1, 4.4 Декларации)",
    Decision.PERMISSION_REQUIRED: "Требуется разрешение Комиссии по экспортному контролю; до его получения "
                                  "поставка не осуществляется (пп. 4.2, 4.3)",
    Decision.PROCEED_WITH_PERMISSION: "Экспорт осуществляется на основании разрешения Комиссии по экспортному "
                                      "контролю (пп. 4.2, 4.3)",
    Decision.ENHANCED_DUE_DILIGENCE: "Углублённая проверка: выявлены признаки риска, в приложение включаются "
                                     "условия, которых требует политика экспортного контроля Поставщика (пп. 5.1, 5.2)",
    Decision.PROCEED: "Препятствий не выявлено: сделка может быть заключена на стандартных условиях",
}
DECISION_EN = {
    Decision.OUTSIDE_DECLARATION: "Outside the Declaration: the solution is on the control list (1.3); the "
                                  "statutory export-control procedure applies",
    Decision.REFUSE: "Refuse the deal (4.1, 4.4 of the Declaration)",
    Decision.PERMISSION_REQUIRED: "The Export Control Commission's permission is required; nothing is supplied "
                                  "until it is obtained (4.2, 4.3)",
    Decision.PROCEED_WITH_PERMISSION: "Proceed under the Export Control Commission's permission (4.2, 4.3)",
    Decision.ENHANCED_DUE_DILIGENCE: "Enhanced due diligence: risk indicators found; the annex carries the terms "
                                     "the Supplier's export control policy requires (5.1, 5.2)",
    Decision.PROCEED: "No obstacle found: the deal may be made on the standard terms",
}
NOT_APPROVED = "не утверждено"
APPROVAL_REQUIRED = f"требуется утверждение ({NOT_APPROVED})"
#: A solution the deal describes as cryptographic may also fall under the EAEU rules on encryption
#: (cryptographic) means, which the control-list licence does not cover (m-38).
_CRYPTO = re.compile(r"крипто|шифр|crypt", re.I)


def _name(value: Bilingual | None, lang: str = "ru", default: str = "—") -> str:
    return value.get(lang) if value is not None else default


def _person(who: Person | None, lang: str) -> dict[str, str]:
    if who is None:
        return {"name": "", "position": ""}
    return {"name": who.name.get(lang), "position": _name(who.position, lang, "")}


def decision_label(deal: Deal, screening: Screening, lang: str) -> str:
    """The decision in words; a permission decision cites only the rungs that apply (4.2 and/or 4.3)."""
    text_ = (DECISION_RU if lang == "ru" else DECISION_EN)[screening.decision]
    if screening.decision in (Decision.PERMISSION_REQUIRED, Decision.PROCEED_WITH_PERMISSION):
        text_ = screening.cite_permission(text_, lang)
    if screening.decision == Decision.ENHANCED_DUE_DILIGENCE and len(screening.fired) == 1:
        # one indicator is «признак», not «признаки» (review 6)
        text_ = text_.replace("выявлены признаки риска", "выявлен признак риска").replace(
            "risk indicators found", "a risk indicator found")
    if screening.decision == Decision.PROCEED and identification_status(deal) == "not_recorded":
        # "No obstacle" would overstate a check that has not looked at the control list (1.3): the
        # Declaration's screening found none, the identification is still to come (review 9, m5).
        text_ = ("Признаков риска не выявлено; сделка может быть заключена на стандартных условиях после "
                 "идентификации Решения ИИ по Списку контролируемых товаров и технологий (п. 1.3)"
                 if lang == "ru" else
                 "No risk indicator found; the deal may be made on the standard terms once the solution has "
                 "been identified against the control list (1.3)")
    if screening.decision == Decision.REFUSE:
        # Cite only the rung the refusal rests on; 4.1 carries its bar on intermediaries.
        sections = sorted({r.section for r in screening.reasons} & {"4.1", "4.4"}) or ["4.1", "4.4"]
        if lang == "ru":
            text_ = "Отказ от сделки (" + ("пп. " if len(sections) > 1 else "п. ") + ", ".join(sections) \
                + " Декларации)" + ("; посредники не привлекаются (абз. 2 п. 4.1)" if "4.1" in sections else "")
        else:
            text_ = "Refuse the deal (" + ", ".join(sections) + " of the Declaration)" \
                + ("; no intermediary is used (4.1, second paragraph)" if "4.1" in sections else "")
    return text_


def _blank_name(who: dict[str, str]) -> dict[str, str]:
    # A signature block without a name gets a line to write it on.
    return who if who["name"] else {"name": "________________ (Ф. И. О.)", "position": "________________ (должность)"}


def next_steps(deal: Deal, screening: Screening, check: Check,
               selected: list[Selected] | tuple[Selected, ...] = ()) -> list[tuple[str, str]]:
    """What to do next, in Russian and English, for every decision; ``selected``: the annex's clauses, whose
    condition precedent (the end-use statement before delivery) the steps cite by number."""
    decision = screening.decision
    receive, sign = _receive_statement(screening), _sign(selected, check.approval_pending(decision), deal.basis == "offer")
    days = deal.terms.response_days
    steps: list[tuple[str, str]] = []
    if decision == Decision.OUTSIDE_DECLARATION:
        item = list_item(deal)
        where_ru = f" (пункт Списка {item})" if item else ""
        where_en = f" (list item {item})" if item else ""
        steps.append((f"Оформить лицензию ФСТЭК России на экспорт{where_ru} в порядке Федерального закона от "
                      "18 июля 1999 г. № 183-ФЗ «Об экспортном контроле»; до её получения Решение ИИ не передаётся",
                      f"Obtain an FSTEC export licence{where_en} under Federal Law No. 183-FZ of 18 July 1999 "
                      "on Export Control; nothing is transferred until it is granted"))
        steps.append(_licence_end_user(deal))
        if identification_status(deal) == "declared_controlled":
            steps.append(("Внести в файл сделки сведения об идентификации: дату, кем проведена, пункт Списка и "
                          "реквизиты документа",
                          "Record the identification in the deal file: date, by whom, list item and document"))
        if _CRYPTO.search(" ".join(filter(None, (deal.solution.name.get("ru"), deal.solution.name.get("en"),
                                                 _name(deal.solution.description, "ru", ""),
                                                 _name(deal.solution.description, "en", ""))))):
            steps.append(("Проверить применимость порядка ввоза и вывоза шифровальных (криптографических) средств, "
                          "установленного правом ЕАЭС",
                          "Check whether the EAEU rules on the import and export of encryption (cryptographic) "
                          "means also apply"))
        if check.approval_pending(decision):
            steps.append(_APPROVE)
        steps.append(("Документы по Декларации (приложение, письма) Контрагенту не направляются; настоящее "
                      "заключение хранится в учёте сделок (п. 5.3)",
                      "No document under the Declaration goes to the counterparty; this report is kept in the "
                      "register of deals (5.3)"))
        return steps
    if identification_status(deal) == "not_recorded":
        steps.append(("Провести идентификацию Решения ИИ по Списку контролируемых товаров и технологий и внести "
                      "её результаты в файл сделки (п. 1.3)"
                      # the annex may be signed first: its clause on export control law defers the handover (review 10)
                      + ("; до этого Решение ИИ Контрагенту не передаётся и доступ к нему не предоставляется, как "
                         "предусматривает приложение" if decision == Decision.PROCEED else "")
                      + ("; для полноты учёта (п. 5.3), на решение об отказе не влияет"
                         if decision == Decision.REFUSE else "")
                      # a listed solution leaves the Declaration for the statutory licence (rule 7; review 21); a deal
                      # that goes ahead is held by its annex's clause on export control law until then
                      + ("" if decision in (Decision.REFUSE, Decision.PROCEED) else
                         "; если Решение ИИ включено в Список — Декларация к сделке не применяется (п. 1.3): экспорт "
                         "только по лицензии ФСТЭК России (Федеральный закон от 18 июля 1999 г. № 183-ФЗ «Об "
                         "экспортном контроле»), до её получения Решение ИИ не передаётся, заключение формируется "
                         "заново"),
                      "Identify the solution against the control list and record the result in the deal file (1.3)"
                      + ("; until then the solution is not handed over or made accessible to the counterparty, as the "
                         "annex provides" if decision == Decision.PROCEED else "")
                      + ("; for a complete record (5.3), it does not affect the refusal"
                         if decision == Decision.REFUSE else "")
                      + ("" if decision in (Decision.REFUSE, Decision.PROCEED) else
                         "; if the solution is on the list, the Declaration does not apply to the deal (1.3): it is "
                         "exported only under an FSTEC licence (Federal Law No. 183-FZ of 18 July 1999 on Export "
                         "Control), nothing is transferred until it is granted, and this report is made again")))
    if check.date_source != "deal":  # the record must not move with the day it is generated (rule 7; review 12)
        steps.append(("Внести дату проверки в файл сделки, чтобы заключение и письма при повторном формировании "
                      "сохраняли её",
                      "Record the date of the check in the deal file, so that the report and the letters keep it "
                      "when they are generated again"))
    for section in unrecorded_uses(deal):
        steps.append((f"Указать в файле сделки, к какой из целей, названных в п. {section} Декларации, "
                      + ("относятся достоверные сведения" if section == "4.1" else "относится обоснованное опасение")
                      + " команды сделки",
                      f"Record in the deal file which of the purposes named in {section} of the Declaration the deal "
                      f"team's {'knowledge' if section == '4.1' else 'concern'} is about"))
    letters_ru = ", ".join(_letter_name(kind, deal, "ru", "letter_accusative") for kind in screening.letters)
    letters_en = ", ".join(_letter_name(kind, deal, "en") for kind in screening.letters)
    if decision == Decision.REFUSE:
        if deal.knowledge.prohibited_use_known and KnownUse.TERRORISM in deal.knowledge.uses:
            # reliable knowledge of a terrorist act being prepared is what the crime of not reporting it is about
            # (reviews 30, 31): before the counterparty hears of the refusal; the duty is the employees' who know
            steps.append(("До направления уведомления Контрагенту незамедлительно рассмотреть с юристом сообщение в "
                          "органы власти, уполномоченные рассматривать сообщения о преступлении, о лице, которое по "
                          "достоверно известным сведениям готовит, совершает или совершило хотя бы одно из "
                          "преступлений, указанных в ст. 205.6 Уголовного кодекса Российской Федерации (обязанность "
                          "лежит на работниках, которым эти сведения известны)",
                          "Before the notice goes to the counterparty, consider at once, with a lawyer, a report to "
                          "the authorities competent to consider reports of crimes about a person who, on reliably "
                          "known information, is preparing, committing or has committed any of the offences listed "
                          "in Article 205.6 of the Criminal Code of the Russian Federation (the duty rests on the "
                          "employees who know)"))
        steps += [(f"Направить Контрагенту {letters_ru}; не привлекать посредников и не выступать посредником "
                   "для такого экспорта (п. 4.1)",
                   f"Send the counterparty the {letters_en}; use no intermediary and act as none for such an "
                   "export (4.1)"),
                  ("Денежные расчёты и возврат полученного — только после оценки правовых последствий отказа",
                   "Settle money matters only after the legal position of the refusal is assessed"),
                  # Declaration 6.1 covers answers to the authorities' requests; informing them unasked rests
                  # on responsible conduct (3.1) and legality (3.3) (review 7, M4).
                  # an offer's deal: the offer was the supplier's own, not one received (review 30)
                  ("Рассмотреть направление в ФСТЭК России по собственной инициативе сведений о "
                   + ("сделке" if deal.basis == "offer" else "поступившем предложении")
                   + " (пп. 3.1, 3.3 Декларации; Федеральный закон от 18 июля 1999 г. № 183-ФЗ "
                   "«Об экспортном контроле»)",
                   "Consider informing FSTEC of Russia of the "
                   + ("transaction" if deal.basis == "offer" else "offer received")
                   + " on our own initiative (3.1 and 3.3 of the Declaration; Federal Law No. 183-FZ of 18 July "
                   "1999 on Export Control)")]
    elif decision == Decision.PERMISSION_REQUIRED:
        steps += [(f"Направить Контрагенту {letters_ru}, не раскрывая внутренних оснований",
                   f"Send the counterparty the {letters_en}, disclosing no internal concern"),
                  # the hold letter promises to apply once the answers are in (reviews 18, 19)
                  _answers_before_applying(deal),
                  ("Обратиться в Комиссию по экспортному контролю Российской Федерации за разрешением; до его "
                   "получения от экспорта воздержаться",
                   "Apply to the Export Control Commission of the Russian Federation for permission; refrain "
                   "from the export until it is granted"),
                  # what the hold letter promises for either outcome (review 19)
                  ("Незамедлительно сообщить Контрагенту о решении Комиссии; при выдаче разрешения — внести его "
                   "номер, дату и условия в файл сделки, повторить проверку, утвердить решение, направить Контрагенту "
                   "для подписания Договор с приложением об условиях экспортного контроля, включающим условия "
                   "разрешения, и согласовать сроки поставки (поставка — только после подписания и в пределах условий "
                   "разрешения); при отказе в выдаче разрешения — направить Контрагенту письмо об отказе",
                   "Tell the counterparty the Commission's decision without delay; once permission is granted, "
                   "record its number, date and conditions in the deal file, screen again, have the decision "
                   "approved, send the counterparty the Contract with the export-control annex stating the "
                   "permission's conditions for signature and agree the delivery dates (delivery only after "
                   "signature and within the permission's conditions); if permission is refused, send the "
                   "counterparty a refusal letter")]
    elif decision == Decision.PROCEED_WITH_PERMISSION:
        # Section 4 and 5 in their order: the terms, the end user's statement, the approval, the signature.
        steps.append(("Проверить, что условия разрешения Комиссии, которые обязывают Контрагента, изложены в "
                      "приложении" if deal.permission.conditions else
                      "Проверить, что разрешение Комиссии не устанавливает условий, требующих действий Контрагента; "
                      "при наличии таких условий — включить их в приложение",
                      "Check that the annex states the conditions of the Commission's permission that bind the "
                      "counterparty" if deal.permission.conditions else
                      "Check that the Commission's permission sets no condition requiring the counterparty's "
                      "action; put any such condition into the annex"))
        steps.append((f"Направить Контрагенту: {letters_ru}", f"Send the counterparty: {letters_en}"))
        steps.append(receive)
        if check.approval_pending(decision):
            steps.append(_APPROVE_BEFORE_SIGNING)
        steps.append(sign)
        steps.append(_within_permission(deal))
    elif decision == Decision.ENHANCED_DUE_DILIGENCE:
        steps += [(f"Направить Контрагенту: {letters_ru}; срок ответа — {days} рабочих дней",
                   f"Send the counterparty: {letters_en}; it has {days} business days to answer"),
                  receive,
                  # every way the answers can turn out, as for a held deal (review 25)
                  _EDD_OUTCOMES]
        if check.approval_pending(decision):
            steps.append(_APPROVE_BEFORE_SIGNING)
        steps.append(sign)
    elif deal.basis == "offer":
        # An offer's annex goes out with the offer; the contract is not signed yet (review 9, m6).
        steps.append((f"Направить Контрагенту {letters_ru} и приложение к коммерческому предложению вместе с "
                      "предложением; при заключении договора сформировать приложение к договору с теми же "
                      "редакциями условий",
                      f"Send the counterparty the {letters_en} and the annex to the commercial offer with the offer; "
                      "when the contract is concluded, generate the annex to the contract with the same clause "
                      "versions"))
    else:
        steps.append((f"Направить Контрагенту {letters_ru} и подписать приложение к договору",
                       f"Send the counterparty the {letters_en} and sign the annex to the contract"))
    if check.approval_pending(decision) and decision not in _APPROVED_BEFORE_SIGNING:
        steps.insert(_first_sending(steps), _APPROVE)
    steps.append(("Хранить заключение, переписку и документы сделки в учёте (п. 5.3)",
                  "Keep this report, the correspondence and the deal's documents on record (5.3)"))
    return steps


_APPROVE = ("Утвердить решение у уполномоченного лица до направления документов Контрагенту (утверждение "
            "записывается в файл сделки или в реестр сделок)",
            "Have the decision approved before any document goes to the counterparty (the approval is recorded in "
            "the deal file or the register)")
#: A deal that goes ahead is approved once the answers are in, and before anything is delivered: the annex is
#: signed with the contract, and the request that asks for the answers cites it (review 16).
_APPROVE_BEFORE_SIGNING = (
    "Утвердить решение у уполномоченного лица после оценки ответов и до поставки (передачи результата, доступа) "
    "(утверждение записывается в файл сделки или в реестр сделок)",
    "Have the decision approved once the answers are assessed and before any delivery (transfer of the result, "
    "access) (the approval is recorded in the deal file or the register)")
_APPROVED_BEFORE_SIGNING = frozenset({Decision.ENHANCED_DUE_DILIGENCE, Decision.PROCEED_WITH_PERMISSION})


#: The statement is one end user's own document: one from each (review 16).
_STATEMENTS = ("Получить от каждого конечного пользователя его заявление о конечном использовании и конечном "
               "пользователе, подписанное им (а если конечным пользователем является не Контрагент — подписанное "
               "также Контрагентом),",
               "Receive from each end user its own end-use and end-user statement, signed by it (and countersigned "
               "by the counterparty where the end user is another person),")


#: A deal under enhanced due diligence, once the answers and statements are due: what each outcome calls for.
_EDD_OUTCOMES = (
    # one situation to a line (review 28): the step is read when the answers are in, to find the one that applies
    "Внести полученные сведения (конечные пользователи, место и цель использования) в файл сделки и повторить "
    "проверку до поставки, после чего:\n"
    "а) если ответы или заявления не получены в срок, установленный в запросе, или не устраняют обоснованных "
    "сомнений, — поставку не осуществлять и принять решение об отказе от заключения Договора (до его подписания) "
    "или от его исполнения (после подписания — в порядке, предусмотренном приложением);\n"
    "б) если достоверно известно, что Решение ИИ предназначено для целей, названных в п. 4.1 Декларации, — от "
    "экспорта, в том числе через посредников, отказаться (а если Договор подписан — отказаться от его исполнения), "
    "посредником для такого экспорта не выступать (абз. 2 п. 4.1) и уведомить об этом Контрагента;\n"
    "в) при обоснованном опасении (п. 4.2) — отложить поставку, письменно уведомив Контрагента без раскрытия "
    "внутренних оснований, и обратиться в Комиссию по экспортному контролю Российской Федерации либо отказаться "
    "от экспорта (п. 5.1); при выдаче разрешения — внести его номер, дату и условия в файл сделки, повторить "
    "проверку, включить условия разрешения, которые должен соблюдать Контрагент, в приложение (если оно уже "
    "подписано — дополнительным соглашением) и утвердить решение; поставка — только после подписания этих "
    "условий и в их пределах;\n"
    "г) при отказе в выдаче разрешения или если решение Комиссии не получено в срок, предусмотренный "
    "приложением, — отказаться от заключения или исполнения Договора и уведомить об этом Контрагента",
    "Record what the answers give (end users, place and purpose of use) in the deal file and screen again before "
    "any delivery; then:\n"
    "(a) if the answers or the statements do not come within the time the request sets, or do not dispel "
    "well-founded doubts, make no delivery and decide to decline to conclude the Contract (before it is signed) "
    "or to terminate it (once signed, as the annex provides);\n"
    "(b) if it is reliably known that the AI solution is intended for a purpose named in 4.1 of the Declaration, "
    "refuse the export, including through intermediaries (and, if the Contract is signed, terminate it), act as "
    "no intermediary for such an export (4.1, second paragraph), and notify the counterparty;\n"
    "(c) on a well-founded concern (4.2), postpone delivery, notifying the counterparty in writing without "
    "disclosing internal grounds, and apply to the Export Control Commission of the Russian Federation, or refuse "
    "the export (5.1); if permission is granted, record its number, date and conditions in the deal file, screen "
    "again, put the permission's conditions the counterparty must observe into the annex (by a supplementary "
    "agreement if the annex is already signed) and have the decision approved; deliver only once those "
    "conditions are signed and within them;\n"
    "(d) if permission is refused, or no decision of the Commission comes within the time the annex provides, "
    "decline to conclude the Contract or terminate it and notify the counterparty")


def _answers_before_applying(deal: Deal) -> tuple[str, str]:
    """A deal held for a permission: the answers and statements the letters ask for come in, and the deal is
    screened again with them, before the application; an answer that shows a 4.1 purpose ends it (review 19)."""
    if issuer_is_counterparty(deal):
        statement_ru = "заполненное и подписанное Контрагентом заявление о конечном использовании и конечном пользователе"
        statement_en = "the end-use and end-user statement completed and signed by the counterparty"
    else:
        statement_ru = ("заявление о конечном использовании и конечном пользователе каждого конечного пользователя, "
                        "подписанное им, а если конечным пользователем является иное лицо, чем Контрагент, — также "
                        "Контрагентом")
        statement_en = ("each end user's end-use and end-user statement, signed by it and, where the end user is a "
                        "person other than the counterparty, also by the counterparty")
    return (f"Получить от Контрагента ответы на запрос сведений и {statement_ru}; внести полученные сведения "
            "(конечные пользователи, место и цель использования) в файл сделки и повторить проверку до обращения в "
            "Комиссию; если ответы не получены в срок, установленный в запросе, или указывают на цели, названные в "
            "п. 4.1 Декларации, — от экспорта отказаться и направить Контрагенту письмо об отказе",
            f"Receive from the counterparty its answers to the request for information and {statement_en}; record "
            "what they give (end users, place and purpose of use) in the deal file and screen again before applying "
            "to the Commission; if no answers come within the time the request sets, or they point to a purpose "
            "named in 4.1 of the Declaration, refuse the export and send the counterparty a refusal letter")


def _receive_statement(screening: Screening) -> tuple[str, str]:
    """Answers are assessed only where a request asked for them; otherwise the statement is checked."""
    if "enduse-request" in screening.letters:
        return (f"{_STATEMENTS[0]} и оценить ответы Контрагента",
                f"{_STATEMENTS[1]} and assess the counterparty's answers")
    return f"{_STATEMENTS[0]} и проверить их", f"{_STATEMENTS[1]} and check them"


def _sign(selected: list[Selected] | tuple[Selected, ...], approval_pending: bool = True,
          offer: bool = False) -> tuple[str, str]:
    """The annex bears the contract's date and makes the end-use statement a condition precedent to delivery
    (review 4, m1): it is signed with the contract, and nothing is delivered before the statement and, while
    it is not recorded, the approval (an approval already recorded is no step left to take: review 6)."""
    number = next((s.number for s in selected if s.clause.id == "end-user-statement-condition" and s.number), None)
    cited_ru, cited_en = (f" (п. {number}.1 приложения)", f" (clause {number}.1 of the annex)") if number else ("", "")
    approval_ru, approval_en = (" и утверждения решения", " and the decision approved") if approval_pending \
        else ("", "")
    if offer:  # the annex goes out with the offer and becomes part of the contract made on it (review 9, m6)
        return (f"Направить приложение вместе с коммерческим предложением; поставку (передачу результата, доступ) не "
                f"осуществлять до получения заявлений о конечном использовании и конечном пользователе{cited_ru}{approval_ru}",
                f"Send the annex with the commercial offer; make no delivery (transfer of the result, access) until "
                f"the end-use and end-user statements are received{cited_en}{approval_en}")
    return (f"Подписать приложение одновременно с договором; поставку (передачу результата, доступ) не осуществлять "
            f"до получения заявлений о конечном использовании и конечном пользователе{cited_ru}{approval_ru}",
            f"Sign the annex together with the contract; make no delivery (transfer of the result, access) until the "
            f"end-use and end-user statements are received{cited_en}{approval_en}")


def _within_permission(deal: Deal) -> tuple[str, str]:
    """A deal that goes ahead under a permission: its conditions bind for as long as it runs, and a change of
    what the permission was given for is a new check, not a formality (review 6)."""
    permission = deal.permission
    number_en = f"{permission.number} ({glossary.transliterate(permission.number)})" \
        if glossary.has_cyrillic(permission.number or "") else permission.number
    return (f"Исполнять договор в пределах разрешения Комиссии № {permission.number} от "
            f"{text.format_date(permission.date, 'ru')} и соблюдать его условия; при изменении Контрагента, конечных "
            "пользователей, цели или места использования, объёма поставки либо при новых сведениях о признаках "
            "риска — повторить проверку до исполнения и при необходимости обратиться в Комиссию за новым "
            "разрешением",
            f"Perform the contract within the Commission's permission No. {number_en} of "
            f"{text.format_date(permission.date, 'en')} and comply with its conditions; if the counterparty, the end "
            "users, the purpose or place of use or the scope of supply change, or new information on risk "
            "indicators comes to light, screen the deal again before performing it and, where needed, apply to "
            "the Commission for a new permission")


def _licence_end_user(deal: Deal) -> tuple[str, str]:
    """A listed solution goes through FSTEC licensing, which needs the end user and the end use (183-FZ): the
    record says what the deal leaves open about them (review 6)."""
    users = deal.end_use.end_users
    own = bool(users) and all(names_counterparty(deal, u.name) for u in users)
    purpose_ru = _name(deal.end_use.purpose, "ru", "")
    purpose_en = _name(deal.end_use.purpose, "en", "")
    if not users:
        known_ru, known_en = "конечные пользователи в файле сделки не указаны", "the deal file names no end user"
    elif own:
        known_ru = "конечным пользователем указан сам Контрагент" + (
            f", а заявленная цель — «{_lower_first(purpose_ru)}»; подтвердить, что Решение ИИ будет использовать "
            "только сам Контрагент, либо назвать иных пользователей" if purpose_ru else "")
        known_en = "the counterparty itself is named as the end user" + (
            f", while the stated purpose is \"{_lower_first(purpose_en)}\"; confirm that only the counterparty "
            "itself will use the solution, or name the other users" if purpose_en else "")
    else:
        known_ru = "конечные пользователи: " + "; ".join(glossary.proper(u.name.ru, u.name.en, "ru") for u in users)
        known_en = "end users: " + "; ".join(glossary.proper(u.name.ru, u.name.en, "en") for u in users)
    if deal.end_use.location is None:
        known_ru, known_en = known_ru + "; место использования не указано", known_en + "; no place of use is given"
    return ("Установить конечного пользователя и место использования Решения ИИ для заявления на лицензию и "
            "получить от конечного пользователя обязательства о конечном использовании, которых требует "
            f"лицензирование экспорта по Федеральному закону от 18 июля 1999 г. № 183-ФЗ: {known_ru}",
            "Identify the end user and the place of use of the solution for the licence application, and obtain "
            "from the end user the end-use undertakings that export licensing under Federal Law No. 183-FZ of "
            f"18 July 1999 requires: {known_en}")


def _first_sending(steps: list[tuple[str, str]]) -> int:
    """Where an approval that must precede every document to the counterparty goes: before the first step
    that sends one (after the identification, which concerns only the Supplier)."""
    for index, (ru, _) in enumerate(steps):
        if ru.startswith("Направить"):
            return index
    return len(steps)


def _identification_rows(deal: Deal, lang: str) -> list[tuple[str, str]]:
    found = deal.identification
    status = identification_status(deal)
    ru = lang == "ru"
    rows = [("Идентификация" if ru else "Identification", labels.label("identification_status", status, lang))]
    if found is None:
        return rows
    rows += [
        ("Дата" if ru else "Date", text.format_date(found.date, lang)),
        ("Кем проведена" if ru else "By", found.by),
        ("Результат" if ru else "Result", labels.label("identification_result", found.result, lang)),
        ("Пункт Списка" if ru else "List item", found.list_item or "—"),
        ("Документ" if ru else "Reference", found.reference or "—"),
    ]
    return rows


def _activities(tags: list[str], other: list[str], lang: str, *, inline: bool = False) -> str:
    """The activities as the record lists them; ``inline``: after a colon inside a sentence (lower case)."""
    # After a semicolon each label goes on in lower case (review 4, m11); "energy other than nuclear" would
    # contradict a nuclear tag beside it.
    nuclear = any(activities.item(tag) == 19 for tag in tags)
    named = [labels.activity(tag, lang, inline=inline or n > 0) for n, tag in enumerate(tags)]
    if nuclear and "energy" in tags:
        named[tags.index("energy")] = "энергетика" if lang == "ru" else "energy"
        if tags.index("energy") == 0 and not inline:
            named[0] = named[0].capitalize()
    if other:
        named.append(("иные: " if lang == "ru" else "other: ") + ", ".join(f"«{item}»" for item in other))
    return "; ".join(named) or ("не указаны" if lang == "ru" else "none given")


def _contract(deal: Deal, screening: Screening) -> str:
    """The contract as the record names it: by its Russian title (the glossary's, as in the annex), or
    as a draft where no annex is made because the deal does not go ahead (m-35)."""
    contract, offer = deal.contract, deal.offer
    basis = (f"; на основании коммерческого предложения № {offer.number} от {text.format_date(offer.date, 'ru')}"
             if offer is not None else "")
    if deal.basis == "offer":
        assert offer is not None
        made = f"коммерческое предложение № {offer.number} от {text.format_date(offer.date, 'ru')}" + (
            f", действует до {text.format_date(offer.valid_until, 'ru')} включительно" if offer.valid_until else "")
        if screening.decision in BLOCKING:
            return f"{made}; договор не заключён; приложение не оформляется"
        return f"{made}; договор не заключён; приложение № {contract.annex_number} к предложению"
    if screening.decision in BLOCKING:
        return f"проект договора № {contract.number} (не заключён){basis}; приложение не оформляется"
    title = glossary.column("title", contract.title.ru, contract.title.en, "ru") if contract.title else "Договор"
    return f"{title} № {contract.number} от {text.format_date(contract.date, 'ru')}{basis}; " \
           f"приложение № {contract.annex_number}"


def _permission(deal: Deal, screening: Screening) -> str:
    permission = deal.permission
    if permission.given and permission.date:
        line = f"№ {permission.number} от {text.format_date(permission.date, 'ru')}"
        if permission.conditions:
            line += "; условия, обязывающие Контрагента: " + "; ".join(
                f"{chr(ord('а') + n)}) {c.get('ru').rstrip('.;')}"  # defined terms keep their capital
                for n, c in enumerate(permission.conditions))
        return line
    # "Not obtained" reads as if one was sought: say whether one is needed (m-39); "not needed" misleads where
    # a licence is needed instead or the export is refused (review 4, m3).
    if screening.decision == Decision.PERMISSION_REQUIRED:
        return "требуется, не получено"
    if screening.decision == Decision.OUTSIDE_DECLARATION:
        return "не применимо — требуется лицензия ФСТЭК России (Федеральный закон от 18 июля 1999 г. № 183-ФЗ " \
               "«Об экспортном контроле»)"
    if screening.decision == Decision.REFUSE:
        sections = sorted({r.section for r in screening.reasons} & {"4.1", "4.4"}) or ["4.1"]
        cited = ("пп. " if len(sections) > 1 else "п. ") + ", ".join(sections)
        return f"не применимо — от экспорта Поставщик воздерживается ({cited} Декларации)"
    # As at the check: answers to enhanced due diligence, or a change of the deal, may call for one (review 26).
    return "не требуется на дату проверки"


def _facts(deal: Deal, screening: Screening) -> list[tuple[str, str]]:
    ru = lambda value: _name(value, "ru")  # noqa: E731
    end_users = "; ".join(
        f"{glossary.proper(u.name.ru, u.name.en, 'ru')} ({text.country_name(u.country, 'ru')})"
        + (f", виды деятельности: {_activities(u.activities, u.activities_other, 'ru', inline=True)}"
           if u.activities or u.activities_other else "")
        for u in deal.end_use.end_users)
    payment = (f"{text.format_amount(deal.payment.amount, deal.payment.currency, 'ru')}; "
               f"{labels.label('payment_method', deal.payment.method)}" if deal.payment else "—")
    suitable = ", ".join(labels.label("suitability", s) for s in deal.solution.suitable_for)
    contract, party = deal.contract, deal.counterparty
    address = glossary.localise_address(ru(party.address), party.country, "ru", append=False) \
        if party.address else "—"
    location = glossary.column("location", deal.end_use.location.ru, deal.end_use.location.en, "ru") \
        if deal.end_use.location else "—"
    return [
        ("Сделка", deal.deal_id),
        ("Договор", _contract(deal, screening)),
        ("Вид договора", labels.label("contract_kind", contract.kind) if "kind" in contract.model_fields_set
         # a default shown as a fact would state what the deal does not say (review 4, m4)
         else f"не указан (по умолчанию — {labels.label('contract_kind', contract.kind)})"),
        ("Поставщик", deal.supplier.name.get("ru")),
        ("Контрагент", f"{glossary.proper(party.name.ru, party.name.en, 'ru')} "
                       f"({text.country_name(party.country, 'ru')})"),
        ("Адрес Контрагента", address),
        ("Виды деятельности Контрагента",
         _activities(deal.counterparty.activities, deal.counterparty.activities_other, "ru")),
        ("Конечные пользователи", end_users or "не указаны"),
        ("Решение ИИ", glossary.product_name(deal.solution.name.ru, deal.solution.name.en, "ru")
         + (f", версия {deal.solution.version}" if deal.solution.version else "")),
        ("Описание Решения ИИ", ru(deal.solution.description)),
        ("Объём поставки", ru(deal.solution.quantity)),
        ("Способ передачи", labels.label("delivery", deal.solution.delivery)
         + ("; Контрагент может модифицировать Решение ИИ" if deal.solution.counterparty_can_modify else "")),
        ("Потенциальная пригодность (примечания к пп. 19–22 приложения № 1)", suitable or "не указана"),
        ("Экспорт в смысле п. 2.1", _export_2_1(screening)),
        ("Цель конечного использования", ru(deal.end_use.purpose)),
        *([("Цель использования конечным пользователем (для заявления о конечном использовании)",
            ru(deal.end_use.end_user_purpose))] if deal.end_use.end_user_purpose else []),
        ("Место использования", location),
        ("Цена и способ оплаты", payment),
        ("Разрешение Комиссии", _permission(deal, screening)),
    ]


def _export_2_1(screening: Screening) -> str:
    """Section 1's 2.1 row; a controlled item is outside the Declaration (1.3), so 2.1 is not weighed there, as
    section 3.4 says, and only the statute's export is stated (review 7, M5)."""
    if screening.decision == Decision.OUTSIDE_DECLARATION:
        return ("не рассматривается (п. 1.3 Декларации: Декларация к сделке не применяется); экспорт по "
                "Федеральному закону от 18 июля 1999 г. № 183-ФЗ «Об экспортном контроле» — "
                + ("да" if screening.is_export else "подлежит оценке (доступ без передачи Решения ИИ)"))
    return "да" if screening.is_export else "нет (доступ без возможности модификации)"


def _who(person: dict[str, str]) -> str:
    # «Петрова Анна Сергеевна, руководитель службы…»: a position after a comma is lower-case (m-5).
    return ", ".join(filter(None, (person["name"], _lower_first(person["position"]))))


def _issuer(deal: Deal) -> str:
    """The company whose record this is, with its registration numbers (m-39)."""
    supplier = deal.supplier
    name = (supplier.short_name or supplier.name).get("ru")
    numbers = [f"{label} {value}" for label, value in (("ОГРН", getattr(supplier.registration, "ogrn", None)),
                                                      ("ИНН", getattr(supplier.registration, "inn", None))) if value]
    return name + (f" ({', '.join(numbers)})" if numbers else "")


def _letter_name(kind: str, deal: Deal, lang: str, form: str = "letter") -> str:
    """A letter as the report names it: an offer's refusal revokes the offer too, as its title says (review 30)."""
    return labels.label(form, "refusal-of-offer" if kind == "refusal" and deal.basis == "offer" else kind, lang)


def _upper_first(value: str) -> str:
    return value[:1].upper() + value[1:]


def _lower_first(value: str) -> str:
    return value[:1].lower() + value[1:]


def _warning_texts(screening: Screening) -> list[str]:
    """The keyword scan's "possible indicator" warnings, when screening gives them (vocabulary)."""
    # Built from the warning's parts, not its message: the message names the field by its path.
    texts = []
    for item in screening.possible_indicators:
        words = ", ".join(f"«{word}»" for word in item.found)
        line = (f"Возможный признак № {item.number} ({_lower_first(activities.item_label(item.number, 'ru'))}): {words} — "
                f"{labels.field_path(item.field)}")
        if item.kind == "suitability":
            line += "; пригодность Решения ИИ для такого применения не отмечена"
        texts.append(line + ". Подтвердить (указать вид деятельности и пригодность) или уточнить текст")
    return texts


def record(deal: Deal, screening: Screening, selected: list[Selected], check: Check) -> dict[str, Any]:
    """The 5.3 record in both languages, as ``screen --json`` prints it."""
    def who(person: Person | None) -> dict[str, Any] | None:
        return None if person is None else {"ru": _person(person, "ru"), "en": _person(person, "en")}

    pending = check.approval_pending(screening.decision)
    return {
        "check": {
            "date": check.date.isoformat(),
            "date_source": check.date_source,
            "user": check.user,
            "prepared_by": who(check.prepared_by),
            "approved_by": who(check.approved_by),
            "approval_source": check.approval_source,
            "approved_on": check.approved_on.isoformat() if check.approved_on else None,
            "approval_required": screening.decision in NEEDS_APPROVAL,
            "approval_pending": pending,
        },
        "identification": {
            "status": identification_status(deal),
            "label": {lang: labels.label("identification_status", identification_status(deal), lang)
                      for lang in text.LANGS},
            **({"date": deal.identification.date.isoformat(), "by": deal.identification.by,
                "result": str(deal.identification.result), "list_item": deal.identification.list_item,
                "reference": deal.identification.reference} if deal.identification else {}),
        },
        "decision_label": {lang: decision_label(deal, screening, lang) for lang in text.LANGS},
        "rungs": [{"section": r.section, "title": {"ru": r.title_ru, "en": r.title_en}, "status": r.status,
                   "why": {"ru": r.why_ru, "en": r.why_en}} for r in rungs(deal, screening)],
        "next_steps": [{"ru": ru, "en": en} for ru, en in next_steps(deal, screening, check, selected)],
    }


def approval_status(check: Check, pending: bool, steps: list[tuple[str, str]]) -> str:
    """Who approved and when, as the record states it: «утверждено 2 декабря 2026 г. (запись в реестре
    сделок)»; an approval without a recorded date says so; a pending one names the step that asks for it."""
    if check.approved_by is not None:
        where = "запись в реестре сделок" if check.approval_source == "register" else "внесено в файл сделки"
        if check.approved_on is None:
            return f"утверждено ({where}; дата утверждения не внесена)"
        return f"утверждено {text.format_date(check.approved_on, 'ru')} ({where})"
    if not pending:
        return "утверждение не требуется"
    step = next((n for n, (ru, _) in enumerate(steps, 1) if ru.startswith("Утвердить решение")), None)
    return APPROVAL_REQUIRED + (f": см. п. {step} раздела 5 «Дальнейшие действия»" if step else "")


def _after_signature(deal: Deal, screening: Screening, check: Check) -> str:
    """A check made after the contract it concerns was signed says so: the record must not read as if
    the screening preceded the signature (review 10)."""
    signed = deal.contract.date if deal.basis == "contract" and screening.decision not in BLOCKING else None
    if signed is None or check.date <= signed:
        return ""
    return f"; проверка проведена после заключения договора ({text.format_date(signed, 'ru')})"


def report_context(deal: Deal, screening: Screening, selected: list[Selected], check: Check, *, library: str,
                   template: str, version: str) -> dict[str, Any]:
    """Everything templates/screening-report.docx shows."""
    indicators = []
    for result in screening.indicators:
        details = []
        # "red_flags: declared by the deal team" says again what the source already says.
        evidence = [labels.evidence(item, "ru") for item in result.evidence if not item.startswith("red_flags:")]
        if result.source:  # «по данным сделки:» and then what in the deal (review 28)
            details.append(labels.label("indicator_source", result.source) + (":" if evidence else ""))
        details += evidence
        if result.note_ru:
            details.append(result.note_ru)
        if screening.decision == Decision.OUTSIDE_DECLARATION:
            # The Declaration does not apply to a listed solution (1.3): no indicator is weighed, so none gets a
            # verdict; what the deal team declared stays in the record (review 6).
            status = NOT_CONSIDERED[0]
            details = [NOT_APPLIED[0]] + [d for d in details if result.status == FIRED]
        else:
            status = labels.label("indicator_status", result.status)
        indicators.append({
            "number": str(result.number),
            "title": result.spec.ru,
            "status": status,
            "evidence": "\n".join(details) or "—",
        })
    warnings = _warning_texts(screening)
    # The terms by their article, title and wording edition, and why each is there, in words: no clause id,
    # and no row for the heading or the preamble, which are no terms (M-16, review 6).
    clauses = [
        {"number": f"{s.number}.",
         "text": f"Статья {s.number} «{s.clause.meta.title.ru}» (редакция {s.clause.meta.version}) — "
                 f"{text.inline_ru(screening.cite_permission(s.reason_ru, 'ru'))}"}
        for s in selected if s.number
    ] or [{"number": "—", "text": "Приложение к договору не оформляется"}]
    # str.capitalize() would lower-case «Комиссии»: only the first letter changes.
    letters = [{"kind": str(n), "text": _upper_first(_letter_name(kind, deal, "ru"))}
               for n, kind in enumerate(screening.letters, 1)] \
        or [{"kind": "—", "text": "Письма Контрагенту не направляются"}]
    pending = check.approval_pending(screening.decision)
    preparer, approver = _person(check.prepared_by, "ru"), _person(check.approved_by, "ru")
    steps = next_steps(deal, screening, check, selected)
    check_rows = [
        ("Организация", _issuer(deal)),
        ("Дата проверки", f"{text.format_date(check.date, 'ru')} ({labels.label('date_source', check.date_source)})"
                          + _after_signature(deal, screening, check)),
        ("Подготовил", _who(preparer) or "не указан"),
        ("Утвердил", _who(approver) or (NOT_APPROVED if pending else "не требуется")),
        ("Статус утверждения", approval_status(check, pending, steps)),
    ]
    versions = [
        ("Версия программы", f"clausegen {version}"),
        ("Контрольная сумма библиотеки условий (SHA-256)", library),
        ("Контрольная сумма шаблона (SHA-256)", template),
    ]
    table = lambda pairs: [{"label": k, "value": v} for k, v in pairs]  # noqa: E731
    return {
        "report": {
            "check": table(check_rows),
            "facts": table(_facts(deal, screening)),
            "identification": table(_identification_rows(deal, "ru")),
            "indicators": indicators,
            "warnings": [{"number": str(n), "text": w} for n, w in enumerate(warnings, 1)]
            or [{"number": "—", "text": "Возможных признаков в свободном тексте не найдено"}],
            "decision": decision_label(deal, screening, "ru"),
            "approval_pending": f"Решение: {APPROVAL_REQUIRED}" if pending else "",
            "rungs": [{"section": f"п. {r.section}", "title": r.title_ru, "status": r.status_ru, "why": r.why_ru}
                      for r in rungs(deal, screening)],
            "clauses": clauses,
            "letters": letters,
            "next_steps": [{"number": f"{n}.", "text": ru} for n, (ru, _) in enumerate(steps, 1)],
            "versions": table(versions),
            "sign": {
                "prepared": {**_blank_name(preparer), "date": text.format_date(check.date, "ru")},
                # No approver's lines where the decision needs no approval and none is recorded: the header
                # says «не требуется» (review 4, m2).
                "approved": {**_blank_name(approver),
                             "date": text.format_date(check.approved_on, "ru") if check.approved_on else
                             "________________"} if pending or approver["name"] else None,  # one date format (review 13)
            },
        }
    }
