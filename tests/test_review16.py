"""Review 16: the end-use and end-user statement is one end user's own document, so every document that
asks for it asks each end user for its own (the annex, the request, the hold letter, the report), and a
form for an end user not yet known asks for the Counterparty's confirmation only where that end user is
another person."""

from __future__ import annotations

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, make_deal

from clausegen import api, checkrecord, memo
from clausegen import library as lib
from clausegen.render import docx_rows
from clausegen.screening import screen

HELD = {"knowledge.military_or_wmd_concern": True, "knowledge.uses": ["military"], "contract.date": "2026-12-10"}
TWO_OTHERS = {"end_use.end_users": [{"name": {"ru": "ООО «Альфа»", "en": "Alfa LLC"}, "country": "KZ"},
                                    {"name": {"ru": "ООО «Бета»", "en": "Beta LLC"}, "country": "KZ"}]}


@pytest.fixture(scope="module")
def shipped() -> lib.Library:
    return lib.load_library()


def _text(data: bytes) -> str:
    return "\n".join(" | ".join(row) for row in docx_rows(data))


def test_a_statement_form_for_an_end_user_not_yet_known_asks_for_a_countersignature_only_for_another_person(shipped):
    deal = make_deal(TWO_OTHERS)
    text = _text(api.build_letter("end-user-statement", deal, screen(deal), shipped).data)
    assert "(to be signed where the End User is not the Counterparty)" in text
    assert "(подписывается, если Конечный пользователь не является Контрагентом)" in text
    assert "and, where the End User is not the Counterparty, the Counterparty confirms" in text
    assert "если Конечный пользователь не является Контрагентом, Контрагент подтверждает" in text


def test_a_statement_form_of_a_named_other_end_user_asks_for_the_countersignature_plainly(shipped):
    deal = make_deal({"end_use.end_users": TWO_OTHERS["end_use.end_users"][:1]})
    text = _text(api.build_letter("end-user-statement", deal, screen(deal), shipped).data)
    assert "We confirm the information given in this statement." in text
    assert "to be signed where" not in text and "where the End User is not the Counterparty" not in text


def test_a_hold_letter_asks_each_other_end_user_for_its_own_statement(shipped):
    deal = make_deal({**HELD, **TWO_OTHERS})
    text = _text(api.build_letter("hold", deal, screen(deal), shipped).data)
    assert "each end user’s own statement, signed by it and, where the end user is a person other than your " \
           "company, countersigned by your company" in text
    assert "заявление каждого конечного пользователя, подписанное им" in text
    assert "signed by each end user" not in text and "подписанное каждым конечным пользователем" not in text


def test_a_hold_letter_asks_a_counterparty_that_is_the_only_end_user_for_its_own_statement(shipped):
    deal = api.load_deal(EXAMPLE_DEALS["hold-vision-tr"], COMPANY).deal
    text = _text(api.build_letter("hold", deal, screen(deal), shipped).data)
    assert "and the statement completed and signed by your company" in text
    assert "и заявление, заполненное и подписанное Вашей компанией" in text


def test_the_report_asks_each_end_user_for_its_statement_and_approves_before_delivery(shipped):
    deal = api.load_deal(EXAMPLE_DEALS["onprem-logistics-kz"], COMPANY).deal
    screening = screen(deal)
    selected = api.select(shipped, "annex", deal, screening)
    steps = [ru for ru, _ in memo.next_steps(deal, screening, checkrecord.resolve(deal), selected)]
    assert any(step.startswith("Получить от каждого конечного пользователя его заявление") for step in steps)
    assert any("после оценки ответов и до поставки" in step for step in steps)
    assert not any("до подписания приложения" in step for step in steps)


def test_payment_by_bank_transfer_only_overrides_a_contract_that_provides_for_cash(shipped):
    # the deal records cash (indicator 13); the annex's precedence clause speaks of export control only
    deal = api.load_deal(EXAMPLE_DEALS["onprem-logistics-kz"], COMPANY).deal
    text = _text(api.build_annex(deal, screen(deal), shipped).data)
    assert "Notwithstanding any other provision of the Contract, all payments under the Contract shall be made only " \
           "by bank transfer" in text
    assert "Независимо от иных положений Договора все платежи по Договору производятся исключительно" in text


def test_a_held_deal_applies_to_the_commission_once_the_answers_and_statements_are_in(shipped):
    deal = make_deal({**HELD, **TWO_OTHERS})
    steps = [ru for ru, _ in memo.next_steps(deal, screen(deal), checkrecord.resolve(deal))]
    receive = next(i for i, step in enumerate(steps) if step.startswith("Получить от Контрагента ответы"))
    apply = next(i for i, step in enumerate(steps) if step.startswith("Обратиться в Комиссию"))
    assert receive < apply
    assert "заявление о конечном использовании и конечном пользователе каждого конечного пользователя" in steps[receive]
    assert "повторить проверку до обращения в Комиссию" in steps[receive]


def test_a_held_deal_says_what_follows_either_decision_of_the_commission(shipped):
    deal = make_deal(HELD)
    last = [ru for ru, _ in memo.next_steps(deal, screen(deal), checkrecord.resolve(deal))][-2]
    assert last.startswith("Незамедлительно сообщить Контрагенту о решении Комиссии")
    assert "приложением об условиях экспортного контроля, включающим условия разрешения" in last
    assert "при отказе в выдаче разрешения — направить Контрагенту письмо об отказе" in last


def test_an_identification_still_to_be_made_says_what_a_listed_solution_would_mean(shipped):
    deal = api.load_deal(EXAMPLE_DEALS["hold-vision-tr"], COMPANY).deal
    steps = [ru for ru, _ in memo.next_steps(deal, screen(deal), checkrecord.resolve(deal))]
    identify = next(step for step in steps if step.startswith("Провести идентификацию"))
    assert "если Решение ИИ включено в Список — Декларация к сделке не применяется (п. 1.3)" in identify
    assert "экспорт только по лицензии ФСТЭК России" in identify
