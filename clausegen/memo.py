"""The screening report: the internal memo (in Russian) that records identification (5.3)."""

from __future__ import annotations

from typing import Any

from . import text
from .compose import LETTER_CODES
from .model import Deal
from .screening import CLEAR, FIRED, NOT_APPLICABLE, Decision, Screening
from .selection import Selected

DECISION_RU = {
    Decision.OUTSIDE_DECLARATION: "Вне сферы Декларации: Решение ИИ включено в контрольный список (п. 1.3), "
                                  "применяется установленная законом процедура экспортного контроля",
    Decision.REFUSE: "Отказ от сделки (пп. 4.1, 4.4)",
    Decision.PERMISSION_REQUIRED: "Требуется разрешение Комиссии по экспортному контролю; до его получения "
                                  "поставка не осуществляется (пп. 4.2, 4.3)",
    Decision.PROCEED_WITH_PERMISSION: "Экспорт осуществляется на основании разрешения Комиссии по экспортному "
                                      "контролю (пп. 4.2, 4.3)",
    Decision.ENHANCED_DUE_DILIGENCE: "Углублённая проверка: выявлены признаки риска, в приложение включаются "
                                     "усиленные условия (п. 5.1)",
    Decision.PROCEED: "Препятствий не выявлено: сделка может быть заключена со стандартными условиями",
}
_STATUS_RU = {FIRED: "выявлен", CLEAR: "не выявлен", NOT_APPLICABLE: "неприменим"}
_SOURCE_RU = {"declared": "указан командой сделки", "derived": "выявлен по данным сделки"}
LETTER_NAMES_RU = {
    "notice": "Уведомление о принципах ответственного экспорта",
    "enduse-request": "Запрос сведений о конечном использовании",
    "end-user-statement": "Форма заявления о конечном использовании",
    "hold": "Уведомление о приостановлении поставки",
    "refusal": "Уведомление об отказе от сделки",
}
_DELIVERY_RU = {
    "saas": "доступ как сервис (SaaS)", "on_premise": "установка у Контрагента", "source_code": "исходный код",
    "model_weights": "веса модели", "embedded_in_hardware": "встроено в оборудование",
}


def report_context(deal: Deal, screening: Screening, selected: list[Selected], *, library: str,
                   template: str, version: str) -> dict[str, Any]:
    """Everything templates/screening-report.docx shows."""
    ru = lambda value: value.get("ru") if value is not None else "—"  # noqa: E731
    end_users = "; ".join(f"{u.name.get('ru')} ({text.country_name(u.country, 'ru')})" for u in deal.end_use.end_users)
    payment = (f"{text.format_amount(deal.payment.amount, deal.payment.currency, 'ru')}; {deal.payment.method}"
               if deal.payment else "—")
    facts = [
        ("Сделка", deal.deal_id),
        ("Договор", f"№ {deal.contract.number} от {text.format_date(deal.contract.date, 'ru')} "
                    f"({deal.contract.title.get('ru')})"),
        ("Поставщик", deal.supplier.name.get("ru")),
        ("Контрагент", f"{deal.counterparty.name.get('ru')} ({text.country_name(deal.counterparty.country, 'ru')})"),
        ("Адрес контрагента", ru(deal.counterparty.address)),
        ("Виды деятельности", ", ".join(deal.counterparty.activities) or "—"),
        ("Решение ИИ", deal.solution.name.get("ru")),
        ("Способ передачи", _DELIVERY_RU[str(deal.solution.delivery)]
         + ("; Контрагент может модифицировать" if deal.solution.counterparty_can_modify else "")),
        ("Пригодность (прим. к пп. 19–22)", ", ".join(map(str, deal.solution.suitable_for)) or "не указана"),
        ("Экспорт по п. 2.1", "да" if screening.is_export else "нет (доступ без возможности модификации)"),
        ("Конечное использование", ru(deal.end_use.purpose)),
        ("Конечные пользователи", end_users or "не указаны"),
        ("Место использования", ru(deal.end_use.location)),
        ("Оплата", payment),
        ("Разрешение Комиссии", f"№ {deal.permission.number} от {text.format_date(deal.permission.date, 'ru')}"
         if deal.permission.number and deal.permission.date else "—"),
    ]
    indicators = []
    for result in screening.indicators:
        details = []
        if result.source:
            details.append(_SOURCE_RU[result.source])
        details += list(result.evidence)
        if result.note_ru:
            details.append(result.note_ru)
        indicators.append({
            "number": str(result.number),
            "title": f"{result.spec.ru}\n{result.spec.en}",
            "status": _STATUS_RU[result.status],
            "evidence": "\n".join(details) or "—",
        })
    clauses = [
        {"number": f"{s.number}." if s.number else "—",
         "text": f"{s.clause.meta.title.ru} ({s.clause.id}, в. {s.clause.meta.version}): {s.reason_ru}"}
        for s in selected
    ] or [{"number": "—", "text": "Приложение не оформляется"}]
    letters = [
        {"kind": f"{kind} ({LETTER_CODES[kind]})", "text": LETTER_NAMES_RU[kind]} for kind in screening.letters
    ] or [{"kind": "—", "text": "Письма не направляются"}]
    versions = [
        ("Дата проверки", text.format_date(deal.letters.date or deal.contract.date, "ru")),
        ("Версия clausegen", version),
        ("Библиотека условий (sha256)", library),
        ("Шаблон (sha256)", template),
    ]
    return {
        "report": {
            "facts": [{"label": k, "value": v} for k, v in facts],
            "indicators": indicators,
            "decision": DECISION_RU[screening.decision],
            "reasons": [{"section": f"п. {r.section}", "text": r.ru} for r in screening.reasons],
            "clauses": clauses,
            "letters": letters,
            "versions": [{"label": k, "value": v} for k, v in versions],
        }
    }
