"""The fourth legal review: letters of a deal on hold cite the draft contract, the request asks what the
Commission needs about a disclosed activity, the report's next steps and labels, the counterparty's
description, definition 1.7 and the nuclear end-user statement."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import DATA, EXAMPLE_DEALS, load_changed

from clausegen import api
from clausegen import library as lib
from clausegen.render import docx_rows
from clausegen.screening import screen
from clausegen.verify.clausetext import expected_for
from clausegen import verify
from clausegen.verify import consistency
from clausegen.verify.common import EN, RU, Checker, Segment

VISION = EXAMPLE_DEALS["hold-vision-tr"]
SPEECH = EXAMPLE_DEALS["permission-speech-rs"]


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


_load = load_changed


def _rows(deal, library, kind: str) -> list[list[str]]:
    return docx_rows(api.build_letter(kind, deal, screen(deal), library).data)


def _text(deal, library, kind: str) -> str:
    return "\n".join(" | ".join(row) for row in _rows(deal, library, kind))


# ------------------------------------------------------------------ M1. the notice of a deal on hold


@pytest.mark.parametrize("path", [VISION, SPEECH], ids=["4.2", "4.3"])
def test_notice_of_a_deal_on_hold_cites_the_draft_contract_as_the_hold_letter_does(path, library):
    deal = _load(path)
    text = _text(deal, library, "notice")
    number = deal.contract.number
    assert f"(проект договора № {number})" in text and f"(draft contract No. {number})" in text
    assert f"договору № {number} от" not in text and f"contract No. {number} dated" not in text


def test_notice_of_a_deal_that_goes_ahead_still_cites_the_concluded_contract(library):
    deal = _load(EXAMPLE_DEALS["onprem-logistics-kz"])
    assert f"contract No. {deal.contract.number} dated" in _text(deal, library, "notice")


def test_verify_passes_the_notice_of_a_deal_on_hold(library):
    deal = _load(VISION)
    data = api.build_letter("notice", deal, screen(deal), library).data
    assert verify.verify_document(data, "notice.docx", expected_for(deal, library)).ok


def test_verify_flags_a_concluded_contract_cited_in_a_letter_of_a_deal_on_hold():
    checker = Checker("notice.docx")
    segments = [Segment(1, RU, "О принципах (к договору № LA-0180/2026 от 8 декабря 2026 г.)"),
                Segment(1, EN, "Our policy (contract No. LA-0180/2026 dated 8 December 2026)"),
                Segment(2, RU, "(проект договора № LA-0180/2026)"), Segment(2, EN, "(draft contract No. LA-0180/2026)")]
    consistency.draft_contract(segments, checker, "LA-0180/2026")
    assert [(p.message.split("]")[0], p.row) for p in checker.problems] == [("[draft-contract", 1)] * 2


# ------------------------------------------------------------------ M2. what the Commission needs


def test_request_asks_what_the_commission_needs_about_military_research_the_deal_records(library):
    text = _text(_load(VISION), library, "enduse-request")
    # the question does not give the activity as the reason for the Commission application (review 11)
    assert ("Поскольку Ваша компания выполняет исследования или разработки в интересах военных ведомств "
            "или специальных служб, для завершения проверки просим:") in text
    assert ("As your company carries out research or development for military authorities or special services, to "
            "complete our review, please:") in text
    assert "выполняет ли Ваша компания" not in text and "whether your company" not in text


def test_request_keeps_an_open_question_about_any_other_end_user_of_a_disclosed_activity(library):
    text = _text(_load(VISION), library, "enduse-request")
    assert "— сообщить, выполняет ли такие исследования или разработки иной конечный пользователь" in text
    assert "— tell us whether any other end user of the solution carries out such research" in text


def test_request_still_asks_whether_when_only_a_red_flag_not_the_deals_data_shows_the_activity(library):
    deal = _load(VISION, {"counterparty.activities": ["optics"], "red_flags": [22]})
    text = _text(deal, library, "enduse-request")
    assert "выполняет ли Ваша компания (или иной конечный пользователь)" in text
    assert "Please tell us whether your company (or any other end user)" in text


# ------------------------------------------------------------------ m1, m2. the report's next steps and approval


def _report_lines(path: Path) -> list[str]:
    deal = _load(path)
    screening = screen(deal)
    selected = api.select(lib.load_library(), "annex", deal, screening) if screening.annex_allowed else []
    from clausegen import checkrecord, memo
    return [ru for ru, _ in memo.next_steps(deal, screening, checkrecord.resolve(deal), selected)]


def test_report_signs_the_annex_with_the_contract_and_delivers_only_after_the_statement_it_cites():
    steps = _report_lines(EXAMPLE_DEALS["onprem-logistics-kz"])
    sign = next(step for step in steps if step.startswith("Подписать приложение"))
    assert sign.startswith("Подписать приложение одновременно с договором; поставку (передачу результата, доступ) "
                           "не осуществлять до получения заявлений о конечном использовании и конечном пользователе (п. ")
    assert sign.endswith(".1 приложения) и утверждения решения")


def test_report_cites_the_annex_clause_that_makes_the_statement_a_condition_precedent(library):
    deal = _load(EXAMPLE_DEALS["onprem-logistics-kz"])
    selected = api.select(library, "annex", deal, screen(deal))
    number = next(s.number for s in selected if s.clause.id == "end-user-statement-condition")
    assert any(f"(п. {number}.1 приложения)" in step for step in _report_lines(EXAMPLE_DEALS["onprem-logistics-kz"]))


def test_report_checks_the_statement_where_no_request_asks_for_answers():
    steps = _report_lines(EXAMPLE_DEALS["weights-research-in"])
    assert not any("оценить ответы" in step for step in steps)
    assert any(step.startswith("Получить от каждого конечного пользователя его заявление") and step.endswith("и проверить их")
               for step in steps)


# ------------------------------------------------------------------ m3, m4, m11. the report's facts


def _facts(path: Path, changes: dict | None = None) -> dict[str, str]:
    from clausegen import memo
    deal = _load(path, changes)
    return dict(memo._facts(deal, screen(deal)))


def test_report_says_the_commissions_permission_does_not_apply_to_a_listed_item():
    assert _facts(EXAMPLE_DEALS["controlled-item-am"])["Разрешение Комиссии"].startswith(
        "не применимо — требуется лицензия ФСТЭК России (Федеральный закон от 18 июля 1999 г. № 183-ФЗ")


def test_report_says_the_commissions_permission_does_not_apply_to_a_refusal():
    assert _facts(EXAMPLE_DEALS["refuse-drone-xx"])["Разрешение Комиссии"] == \
        "не применимо — от экспорта Поставщик воздерживается (п. 4.1 Декларации)"


def test_report_says_a_contract_kind_the_deal_does_not_give_is_not_given_and_names_the_default():
    assert _facts(EXAMPLE_DEALS["refuse-drone-xx"])["Вид договора"] == \
        "не указан (по умолчанию — лицензионный договор)"
    assert _facts(EXAMPLE_DEALS["hold-vision-tr"])["Вид договора"] == "лицензионный договор"


def test_report_activities_after_a_semicolon_are_lower_case_and_energy_is_not_other_than_nuclear():
    listed = _facts(EXAMPLE_DEALS["reactor-maintenance-hu"], {
        "counterparty.activities": ["nuclear_reactors", "nuclear_fuel", "energy"]})["Виды деятельности Контрагента"]
    assert listed.startswith("Проектирование") and "; производство и переработка ядерного топлива" in listed
    assert listed.endswith("; энергетика") and "кроме ядерной" not in listed


def test_report_energy_without_a_nuclear_activity_keeps_other_than_nuclear():
    listed = _facts(EXAMPLE_DEALS["reactor-maintenance-hu"], {"counterparty.activities": ["energy"]})
    assert listed["Виды деятельности Контрагента"] == "Энергетика (кроме ядерной)"


# ------------------------------------------------------------------ m7, m12, m13, m14. letter wording


@pytest.mark.parametrize("path", [VISION, SPEECH], ids=["4.2", "4.3"])
def test_request_of_a_deal_on_hold_writes_the_defined_contract_with_a_capital(path, library):
    text = _text(_load(path), library, "enduse-request")
    assert "подписать Договор" in text and "to sign the Contract" in text
    assert "подписать договор" not in text and "sign the contract" not in text


def test_hold_letter_of_a_concern_case_rests_the_application_on_the_law_and_the_policy(library):
    text = _text(_load(VISION), library, "hold")
    assert "В соответствии с этим законодательством и нашей политикой в области экспортного контроля мы намерены обратиться" in text
    assert "In accordance with that law and our export control policy, we intend to apply" in text


def test_hold_letter_after_an_fstec_notice_rests_the_application_on_the_law(library):
    text = _text(_load(SPEECH), library, "hold")
    assert "В соответствии с этим законодательством мы намерены обратиться" in text
    assert "In accordance with that law, we intend to apply" in text


def test_request_that_asks_about_indicators_offers_no_reassurance_of_good_faith(library):
    text = _text(_load(EXAMPLE_DEALS["onprem-logistics-kz"]), library, "enduse-request")
    assert "Настоящий запрос является частью нашей обычной процедуры." in text
    assert "This request is part of our usual procedure." in text
    assert "добросовестност" not in text and "good faith" not in text


def test_request_without_indicators_keeps_the_reassurance(library):
    deal = _load(EXAMPLE_DEALS["onprem-logistics-kz"], {"red_flags": [], "payment.method": "bank_transfer"})
    assert not screen(deal).fired
    assert "good faith" in _text(deal, library, "enduse-request")


def test_request_under_a_development_contract_suspends_the_work_and_the_delivery_of_its_result(library):
    text = _text(_load(EXAMPLE_DEALS["development-retail-my"]), library, "enduse-request")
    assert "мы можем приостановить выполнение работ и передачу их результата" in text
    assert "we may suspend the work and the delivery of its result" in text


# ------------------------------------------------------------------ m5, m9, m10. annex and statement texts


def _annex_row(deal, library, start: str) -> tuple[str, str]:
    rows = docx_rows(api.build_annex(deal, screen(deal), library).data)
    return next((row[0], row[1]) for row in rows if len(row) == 2 and row[0].startswith(start))


def test_request_writes_an_inserted_purpose_in_lower_case_mid_sentence(library):
    text = _text(_load(VISION), library, "enduse-request")
    assert "(контроль качества оптических компонентов на производственной линии)" in text
    assert "(quality inspection of optical components on a production line)" in text


def test_statement_writes_an_inserted_place_of_use_in_lower_case_mid_sentence(library):
    text = _text(_load(EXAMPLE_DEALS["reactor-maintenance-hu"]), library, "end-user-statement")
    assert "(The Counterparty" not in text


def test_definition_of_an_embedded_solution_is_the_module_embedded_in_the_equipment(library):
    ru, en = _annex_row(_load(EXAMPLE_DEALS["hardware-camera-vn"]), library, "1.7")
    assert "решение на основе искусственного интеллекта, встроенное в оборудование, которое Поставщик поставляет по " \
           "Договору (" in ru
    assert "the artificial intelligence solution embedded in the equipment that the Supplier supplies under the " \
           "Contract (" in en
    assert "known as" not in en and "под наименованием" not in ru


def test_definition_promises_source_code_only_where_source_code_is_delivered(library):
    ru, en = _annex_row(_load(EXAMPLE_DEALS["licence-imaging-am"]), library, "1.7")
    assert "программы для ЭВМ (в том объёме, в каком они предоставляются по Договору)" in ru
    assert "the computer software (to the extent provided under the Contract)" in en
    assert "исходного" not in ru and "source" not in en
    ru, en = _annex_row(_load(EXAMPLE_DEALS["development-retail-my"]), library, "1.7")
    assert "в форме исходного и объектного кода" in ru and "in source and object code" in en


def test_nuclear_statement_asks_for_an_explanation_and_consent_where_no_iaea_safeguards(library):
    text = _text(_load(DATA / "reactor-operator.yaml"), library, "end-user-statement")
    assert "указывается «нет» и приводятся пояснения" in text and 'state “none” and explain' in text
    assert "только с предварительного письменного согласия Поставщика" in text
    assert "only with the Supplier’s prior written consent" in text


# ------------------------------------------------------------------ m8. the research institute


def test_preamble_calls_an_institute_given_in_english_an_organisation_not_a_company(library):
    rows = docx_rows(api.build_annex(_load(EXAMPLE_DEALS["weights-research-in"]),
                                     screen(_load(EXAMPLE_DEALS["weights-research-in"])), library).data)
    preamble = next(row for row in rows if len(row) == 2 and "Deccan Institute" in row[0])
    assert "организация Deccan Institute of Computational Sciences" in preamble[0]
    assert "компания Deccan" not in preamble[0]


def test_preamble_renders_a_memorandum_of_association_as_a_memorandum_and_names_no_title_in_either_column(library):
    deal = _load(EXAMPLE_DEALS["weights-research-in"])
    rows = docx_rows(api.build_annex(deal, screen(deal), library).data)
    ru, en = next((row[0], row[1]) for row in rows if len(row) == 2 and "Deccan Institute" in row[0])
    assert "Учредительного меморандума" in ru and "Учредительного договора" not in ru
    assert "Memorandum of Association" in en
    assert "Dr." not in en and "Ananya Rao" in en and "Ananya Rao" in ru


def test_preamble_still_calls_a_commercial_company_given_in_english_a_company(library):
    deal = _load(EXAMPLE_DEALS["saas-clinic-ae"])
    rows = docx_rows(api.build_annex(deal, screen(deal), library).data)
    assert any("компания " in row[0] for row in rows if len(row) == 2)
