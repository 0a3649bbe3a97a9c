"""The screening report: the internal record of Declaration 5.3, in Russian.

:func:`record` gathers what the record holds (in both languages, for
``screen --json``); :func:`report_context` lays it out for
templates/screening-report.docx.  The Russian text shows no code of the deal
format: every value goes through :mod:`clausegen.labels`.
"""

from __future__ import annotations

from typing import Any

from . import activities, labels, text
from .checkrecord import Check
from .identification import identification_status, list_item
from .ladder import rungs
from .model import Bilingual, Deal, Person
from .screening import FIRED, Decision, Screening
from .selection import Selected

DECISION_RU = {
    Decision.OUTSIDE_DECLARATION: "Вне сферы Декларации: Решение ИИ включено в Список контролируемых товаров и "
                                  "технологий (п. 1.3), применяется установленная законом процедура экспортного "
                                  "контроля",
    Decision.REFUSE: "Отказ от сделки (пп. 4.1, 4.4)",
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
    Decision.REFUSE: "Refuse the deal (4.1, 4.4)",
    Decision.PERMISSION_REQUIRED: "The Export Control Commission's permission is required; nothing is supplied "
                                  "until it is obtained (4.2, 4.3)",
    Decision.PROCEED_WITH_PERMISSION: "Proceed under the Export Control Commission's permission (4.2, 4.3)",
    Decision.ENHANCED_DUE_DILIGENCE: "Enhanced due diligence: risk indicators found; the annex carries the terms "
                                     "the Supplier's export control policy requires (5.1, 5.2)",
    Decision.PROCEED: "No obstacle found: the deal may be made on the standard terms",
}
NOT_APPROVED = "не утверждено"


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
        sections = sorted({r.section for r in screening.reasons} & {"4.2", "4.3"})
        cited = (("пп. " if len(sections) > 1 else "п. ") if lang == "ru" else "") + ", ".join(sections)
        text_ = text_.replace("(пп. 4.2, 4.3)" if lang == "ru" else "(4.2, 4.3)", f"({cited})")
    return text_


def _blank_name(who: dict[str, str]) -> dict[str, str]:
    # A signature block without a name gets a line to write it on.
    return who if who["name"] else {"name": "________________ (Ф. И. О.)", "position": "________________ (должность)"}


def next_steps(deal: Deal, screening: Screening, check: Check) -> list[tuple[str, str]]:
    """What to do next, in Russian and English, for every decision."""
    decision = screening.decision
    days = deal.terms.response_days
    steps: list[tuple[str, str]] = []
    if decision == Decision.OUTSIDE_DECLARATION:
        item = list_item(deal)
        where_ru = f" (пункт Списка {item})" if item else ""
        where_en = f" (list item {item})" if item else ""
        steps.append((f"Оформить лицензию ФСТЭК России на экспорт{where_ru} в порядке Федерального закона от "
                      "18.07.1999 № 183-ФЗ «Об экспортном контроле»; до её получения Решение ИИ не передаётся",
                      f"Obtain an FSTEC export licence{where_en} under Federal Law No. 183-FZ of 18 July 1999 "
                      "on Export Control; nothing is transferred until it is granted"))
        if identification_status(deal) == "declared_controlled":
            steps.append(("Внести в файл сделки сведения об идентификации: дату, кем проведена, пункт Списка и "
                          "реквизиты документа",
                          "Record the identification in the deal file: date, by whom, list item and document"))
        steps.append(("Документы по Декларации (приложение, письма) Контрагенту не направляются; настоящее "
                      "заключение хранится в учёте сделок (п. 5.3)",
                      "No document under the Declaration goes to the counterparty; this report is kept in the "
                      "register of deals (5.3)"))
        return steps
    if identification_status(deal) == "not_recorded":
        steps.append(("Провести идентификацию Решения ИИ по Списку контролируемых товаров и технологий и внести "
                      "её результаты в файл сделки (п. 1.3)",
                      "Identify the solution against the control list and record the result in the deal file (1.3)"))
    letters_ru = ", ".join(labels.label("letter_accusative", kind, "ru") for kind in screening.letters)
    letters_en = ", ".join(labels.label("letter", kind, "en") for kind in screening.letters)
    if decision == Decision.REFUSE:
        steps += [(f"Направить Контрагенту {letters_ru}; не привлекать посредников и не выступать посредником "
                   "для такого экспорта (п. 4.1)",
                   f"Send the counterparty the {letters_en}; use no intermediary and act as none for such an "
                   "export (4.1)"),
                  ("Денежные расчёты и возврат полученного — только после оценки правовых последствий отказа",
                   "Settle money matters only after the legal position of the refusal is assessed")]
    elif decision == Decision.PERMISSION_REQUIRED:
        steps += [(f"Направить Контрагенту {letters_ru}, не раскрывая внутренних оснований",
                   f"Send the counterparty the {letters_en}, disclosing no internal concern"),
                  ("Обратиться в Комиссию по экспортному контролю Российской Федерации за разрешением; до его "
                   "получения от экспорта воздержаться",
                   "Apply to the Export Control Commission of the Russian Federation for permission; refrain "
                   "from the export until it is granted"),
                  ("После получения разрешения внести его номер, дату и условия в файл сделки и повторить проверку",
                   "Once granted, record its number, date and conditions in the deal file and screen again")]
    elif decision == Decision.PROCEED_WITH_PERMISSION:
        steps += [("Включить в приложение условия разрешения Комиссии, которые обязывают Контрагента",
                   "Put the conditions of the Commission's permission that bind the counterparty into the annex"),
                  (f"Направить Контрагенту: {letters_ru}", f"Send the counterparty: {letters_en}")]
    elif decision == Decision.ENHANCED_DUE_DILIGENCE:
        steps += [(f"Направить Контрагенту: {letters_ru}; срок ответа — {days} рабочих дней",
                   f"Send the counterparty: {letters_en}; it has {days} business days to answer"),
                  ("Заключение договора — после получения заявления о конечном использовании и оценки ответов; "
                   "при возникновении обоснованного опасения — обратиться в Комиссию по экспортному контролю (п. 4.2)",
                   "Sign only after the end-use statement is received and the answers assessed; on a well-founded "
                   "concern apply to the Export Control Commission (4.2)")]
    else:
        steps.append((f"Направить Контрагенту {letters_ru} и подписать приложение к договору",
                       f"Send the counterparty the {letters_en} and sign the annex"))
    if check.approval_pending(decision):
        steps.append(("Утвердить заключение у уполномоченного лица до подписания договора (утверждение "
                      "записывается в реестр сделок)",
                      "Have this report approved before the contract is signed (the approval is recorded in the "
                      "register)"))
    steps.append(("Хранить заключение, переписку и документы сделки в учёте (п. 5.3)",
                  "Keep this report, the correspondence and the deal's documents on record (5.3)"))
    return steps


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


def _activities(tags: list[str], other: list[str], lang: str) -> str:
    named = [labels.activity(tag, lang) for tag in tags]
    if other:
        named.append(("иные: " if lang == "ru" else "other: ") + ", ".join(f"«{item}»" for item in other))
    return "; ".join(named) or ("не указаны" if lang == "ru" else "none given")


def _facts(deal: Deal, screening: Screening) -> list[tuple[str, str]]:
    ru = lambda value: _name(value, "ru")  # noqa: E731
    end_users = "; ".join(
        f"{u.name.get('ru')} ({text.country_name(u.country, 'ru')})"
        + (f", виды деятельности: {_activities(u.activities, u.activities_other, 'ru')}"
           if u.activities or u.activities_other else "")
        for u in deal.end_use.end_users)
    payment = (f"{text.format_amount(deal.payment.amount, deal.payment.currency, 'ru')}; "
               f"{labels.label('payment_method', deal.payment.method)}" if deal.payment else "—")
    suitable = ", ".join(labels.label("suitability", s) for s in deal.solution.suitable_for)
    contract = deal.contract
    return [
        ("Сделка", deal.deal_id),
        ("Договор", f"{contract.title.get('ru')} № {contract.number} от {text.format_date(contract.date, 'ru')}; "
                    f"приложение № {contract.annex_number}"),
        ("Вид договора", labels.label("contract_kind", contract.kind)),
        ("Поставщик", deal.supplier.name.get("ru")),
        ("Контрагент", f"{deal.counterparty.name.get('ru')} ({text.country_name(deal.counterparty.country, 'ru')})"),
        ("Адрес Контрагента", ru(deal.counterparty.address)),
        ("Виды деятельности Контрагента",
         _activities(deal.counterparty.activities, deal.counterparty.activities_other, "ru")),
        ("Конечные пользователи", end_users or "не указаны"),
        ("Решение ИИ", deal.solution.name.get("ru") + (f", версия {deal.solution.version}"
                                                     if deal.solution.version else "")),
        ("Описание Решения ИИ", ru(deal.solution.description)),
        ("Объём поставки", ru(deal.solution.quantity)),
        ("Способ передачи", labels.label("delivery", deal.solution.delivery)
         + ("; Контрагент может модифицировать Решение ИИ" if deal.solution.counterparty_can_modify else "")),
        ("Потенциальная пригодность (примечания к пп. 19–22 приложения № 1)", suitable or "не указана"),
        ("Экспорт в смысле п. 2.1", "да" if screening.is_export else "нет (доступ без возможности модификации)"),
        ("Цель конечного использования", ru(deal.end_use.purpose)),
        ("Место использования", ru(deal.end_use.location)),
        ("Цена и способ оплаты", payment),
        ("Разрешение Комиссии", f"№ {deal.permission.number} от {text.format_date(deal.permission.date, 'ru')}"
         if deal.permission.given and deal.permission.date else "не получено"),
    ]


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
            "approval_required": screening.decision in {Decision.ENHANCED_DUE_DILIGENCE,
                                                         Decision.PROCEED_WITH_PERMISSION},
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
        "next_steps": [{"ru": ru, "en": en} for ru, en in next_steps(deal, screening, check)],
    }


def report_context(deal: Deal, screening: Screening, selected: list[Selected], check: Check, *, library: str,
                   template: str, version: str) -> dict[str, Any]:
    """Everything templates/screening-report.docx shows."""
    indicators = []
    for result in screening.indicators:
        details = []
        if result.source:
            details.append(labels.label("indicator_source", result.source))
        # "red_flags: declared by the deal team" says again what the source already says.
        details += [labels.evidence(item, "ru") for item in result.evidence if not item.startswith("red_flags:")]
        if result.note_ru:
            details.append(result.note_ru)
        indicators.append({
            "number": str(result.number),
            "title": f"{result.spec.ru}\n{result.spec.en}",
            "status": labels.label("indicator_status", result.status),
            "evidence": "\n".join(details) or "—",
        })
    warnings = _warning_texts(screening)
    clauses = [
        {"number": f"{s.number}." if s.number else "—",
         "text": f"{s.clause.meta.title.ru} ({s.clause.id}, редакция {s.clause.meta.version}): {s.reason_ru}"}
        for s in selected
    ] or [{"number": "—", "text": "Приложение к договору не оформляется"}]
    letters = [{"kind": str(n), "text": labels.label("letter", kind).capitalize()}
               for n, kind in enumerate(screening.letters, 1)] \
        or [{"kind": "—", "text": "Письма Контрагенту не направляются"}]
    pending = check.approval_pending(screening.decision)
    preparer, approver = _person(check.prepared_by, "ru"), _person(check.approved_by, "ru")
    approval = ("утверждено, запись в реестре от " + text.format_date(check.approved_on, "ru")
                if check.approval_source == "register" and check.approved_on else
                "утверждено" if check.approved_by else
                NOT_APPROVED if pending else "утверждение не требуется")
    check_rows = [
        ("Дата проверки", f"{text.format_date(check.date, 'ru')} ({labels.label('date_source', check.date_source)})"),
        ("Подготовил", ", ".join(filter(None, (preparer["name"], preparer["position"]))) or "не указан"),
        ("Утвердил", ", ".join(filter(None, (approver["name"], approver["position"]))) or "не указан"),
        ("Статус утверждения", approval),
    ]
    versions = [
        ("Версия clausegen", version),
        ("Библиотека условий (sha256)", library),
        ("Шаблон (sha256)", template),
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
            "approval_pending": f"Решение {NOT_APPROVED}" if pending else "",
            "rungs": [{"section": f"п. {r.section}", "title": r.title_ru, "status": r.status_ru, "why": r.why_ru}
                      for r in rungs(deal, screening)],
            "clauses": clauses,
            "letters": letters,
            "next_steps": [{"number": f"{n}.", "text": ru} for n, (ru, _) in
                           enumerate(next_steps(deal, screening, check), 1)],
            "versions": table(versions),
            "sign": {
                "prepared": {**_blank_name(preparer), "date": text.format_date(check.date, "ru")},
                "approved": {**_blank_name(approver),
                             "date": text.format_date(check.approved_on, "ru") if check.approved_on else
                             "«___» __________ 20__ г."},
            },
        }
    }
