"""The screening report as the record of Declaration 5.3 (issue 13, sections 2 and 3).

Each example's report is read back as text: it is Russian throughout (no code of the deal format),
shows the date of the check, who prepared and approved it, the four 5.3 items and the next steps;
the identification and every rung of section 4 are recorded; `screen --json` carries the same.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import docx
import pytest
import yaml
from helpers import COMPANY, DATA, EXAMPLE_DEALS, EXPECTED_DECISIONS, invoke, modified, write_deal

from clausegen import activities, api, checkrecord, labels
from clausegen.identification import identification_status
from clausegen.library import load_library
from clausegen.model import ContractKind, Delivery, IdentificationResult, PaymentMethod, Suitability
from clausegen.screening import INDICATORS, Decision

DAY = dt.date(2026, 12, 1)
#: Every enum value and activity tag of the deal format: none may stand in the report's Russian text.
CODES = {str(v) for enum in (ContractKind, Delivery, PaymentMethod, Suitability, Decision, IdentificationResult)
         for v in enum} | set(activities.ALL) | {
    "notice", "enduse-request", "end-user-statement", "hold", "refusal", "declared", "derived", "fired", "clear"}
SNAKE_OR_PATH = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z_]+(?:\[\d+\])?\.[a-z_]+\b")
HEADINGS = ("1. Сделка, её документы и участники", "2. Идентификация Решения ИИ",
            "3. Проверка и решение", "4. Условия, включённые в договор", "5. Дальнейшие действия")


def report_text(data: bytes) -> str:
    """Every paragraph and table cell of a report, one per line (merged cells once)."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if cell.text not in seen:
                    seen.append(cell.text)
            lines += seen
    return "\n".join(lines).replace("\u00a0", " ")  # non-breaking spaces keep lines together; text is text


def russian_part(text: str) -> str:
    """The report's text without what may stay in Latin: the fingerprints of «Сведения о формировании»."""
    return re.sub(r"\b[0-9a-f]{64}\b", "", text)


def build(stem: str, **check) -> tuple[bytes, object]:
    deal = api.load_deal(EXAMPLE_DEALS.get(stem) or DATA / f"{stem}.yaml", COMPANY).deal
    screening = api.screen_deal(deal)
    resolved = checkrecord.resolve(deal, date=check.pop("date", DAY), **check)
    return api.build_report(deal, screening, load_library(), None, resolved).data, deal


@pytest.fixture(scope="module")
def reports() -> dict[str, str]:
    return {stem: report_text(build(stem)[0]) for stem in EXAMPLE_DEALS}


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_has_no_code_of_the_deal_format_in_its_russian_text(reports, stem):
    text = russian_part(reports[stem])
    assert not SNAKE_OR_PATH.findall(text), SNAKE_OR_PATH.findall(text)
    words = set(re.findall(r"\b[a-z][a-z-]*\b", text))  # lower-case Latin words: codes, not names
    assert not words & CODES, words & CODES


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_shows_the_four_items_of_5_3_and_the_next_steps(reports, stem):
    for heading in HEADINGS:
        assert heading in reports[stem], heading


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_example_reports_show_the_check_date_recorded_in_the_deal_before_the_contract_date(reports, stem):
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
    assert deal.screening.date is not None and deal.screening.date < deal.basis_date  # the offer's, if no contract
    assert f"Дата проверки\n{text_date(deal.screening.date)} (внесена в файл сделки)" in reports[stem]


def text_date(day: dt.date) -> str:
    from clausegen import text
    return text.format_date(day, "ru")


def test_report_without_a_recorded_date_says_plainly_that_it_shows_the_day_of_generation(tmp_path):
    deal = api.load_deal(write_deal(tmp_path, modified()), COMPANY).deal
    check = checkrecord.resolve(deal, today=dt.date(2026, 12, 2))
    data = api.build_report(deal, api.screen_deal(deal), load_library(), None, check).data
    assert "2 декабря 2026 г. (дата формирования: дата проверки в файл сделки не внесена)" in report_text(data)


def test_report_dated_by_the_option_says_the_date_is_not_in_the_deal_file(tmp_path):
    deal = api.load_deal(write_deal(tmp_path, modified()), COMPANY).deal
    data = api.build_report(deal, api.screen_deal(deal), load_library(), None,
                            checkrecord.resolve(deal, date=DAY)).data
    assert "1 декабря 2026 г. (указана при формировании заключения; в файл сделки не внесена)" in report_text(data)


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_has_preparer_lines_and_approver_lines_only_where_approval_is_needed(reports, stem):
    text = reports[stem]
    assert "Подготовил" in text and "Утвердил" in text
    assert "Петрова Анна Сергеевна, руководитель службы экспортного контроля" in text  # lower-case after a comma
    # review 4, m2: the header's «Утвердил: не требуется» and an approver's signature lines contradict each other
    needed = "Утвердил\nне требуется" not in text
    assert text.count("________________ (подпись)") == (2 if needed else 1)
    assert ("Утвердил: не требуется" in text) == (not needed)


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_names_the_issuing_company_with_its_ogrn(reports, stem):
    assert "Организация\nООО «Нейросеть» (ОГРН 1157746000000, ИНН 7700000000)" in reports[stem]


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_considers_every_rung_of_the_decision(reports, stem):
    for section in ("1.3", "2.1", "4.1", "4.2", "4.3", "4.4", "5.1"):
        assert f"\nп. {section}\n" in reports[stem], section
    assert "запрет на посредничество" in reports[stem]


def test_report_says_terms_are_required_by_the_policy_never_mandatory_under_the_declaration(reports):
    for text in reports.values():
        assert "Обязательное условие" not in text
    assert "требуется политикой экспортного контроля Поставщика" in reports["saas-clinic-ae"]


def test_same_inputs_and_date_give_the_same_bytes():
    assert build("onprem-logistics-kz")[0] == build("onprem-logistics-kz")[0]


def test_date_recorded_in_the_deal_wins_over_the_option(tmp_path):
    deal = api.load_deal(write_deal(tmp_path, modified(changes={"screening.date": "2026-10-05"})),
                         COMPANY).deal
    check = checkrecord.resolve(deal, date=DAY)
    assert (check.date, check.date_source) == (dt.date(2026, 10, 5), "deal")


def test_without_a_date_the_check_is_dated_today(tmp_path):
    deal = api.load_deal(write_deal(tmp_path, modified()), COMPANY).deal
    check = checkrecord.resolve(deal, today=dt.date(2027, 1, 2))
    assert (check.date, check.date_source) == (dt.date(2027, 1, 2), "today")


def test_prepared_by_option_applies_only_when_neither_deal_nor_profile_names_anyone():
    with_profile = api.load_deal(EXAMPLE_DEALS["saas-clinic-ae"], COMPANY).deal
    assert checkrecord.resolve(with_profile, prepared_by="Иванов И. И.").prepared_by.name.get("ru") == \
        "Петрова Анна Сергеевна"


def test_enhanced_due_diligence_without_approval_shows_not_yet_approved(reports):
    assert "Статус утверждения\nтребуется утверждение (не утверждено)" in reports["onprem-logistics-kz"]
    assert "не утверждено" not in reports["saas-clinic-ae"]


@pytest.mark.parametrize("stem", ["hold-vision-tr", "permission-speech-rs"])
def test_hold_without_approval_requires_approval_never_not_required(reports, stem):
    assert "Решение: требуется утверждение (не утверждено)" in reports[stem]
    assert "утверждение не требуется" not in reports[stem]


@pytest.mark.parametrize("stem", ["refuse-drone-xx", "controlled-item-am", "weights-research-in"])
def test_decision_approved_in_the_deal_names_the_approver(reports, stem):
    assert "Утвердил\nКузнецова Мария Сергеевна, генеральный директор\nСтатус утверждения\nутверждено" \
        in reports[stem]


def test_every_decision_but_proceed_needs_approval():
    assert checkrecord.NEEDS_APPROVAL == set(Decision) - {Decision.PROCEED}


def test_approval_from_the_register_names_the_approver_and_its_date():
    data, _ = build("onprem-logistics-kz", approval={"name": "Соколов Павел Андреевич",
                                                     "position": "Заместитель генерального директора",
                                                     "date": "2026-12-03"})
    text = report_text(data)
    assert "не утверждено" not in text
    assert "Соколов Павел Андреевич" in text and "3 декабря 2026 г." in text


def test_outside_declaration_report_records_the_identification_and_the_fstec_licence(tmp_path):
    deal = api.load_deal(write_deal(tmp_path, modified(changes={
        **IDENT, "identification.result": "listed", "identification.list_item": "5.A.2.a",
        "identification.reference": "Заключение № ИД-1"})), COMPANY).deal
    screening = api.screen_deal(deal)
    text = report_text(api.build_report(deal, screening, load_library(), None,
                                        checkrecord.resolve(deal, date=DAY)).data)
    assert "Пункт Списка\n5.A.2.a" in text and "Документ\nЗаключение № ИД-1" in text
    assert "лицензию ФСТЭК России на экспорт (пункт Списка 5.A.2.a)" in text and "183-ФЗ" in text


def test_controlled_item_without_identification_is_reported_as_declared_not_identified(reports):
    text = reports["controlled-item-am"]
    assert "сведения об идентификации не внесены" in text
    assert "Внести в файл сделки сведения об идентификации" in text


def test_report_without_identification_says_it_was_not_made(reports):
    assert "не проводилась (сведения не внесены)" in reports["saas-clinic-ae"]


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_decisions_of_the_examples_are_unchanged(stem):
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
    assert str(api.screen_deal(deal).decision) == EXPECTED_DECISIONS[stem]


# ------------------------------------------------------------------ identification


def deal_with(tmp_path, changes):
    return api.load_deal(write_deal(tmp_path, modified(changes=changes)), COMPANY).deal


IDENT = {"identification.date": "2026-11-01", "identification.by": "Служба экспортного контроля"}


def test_identification_listed_puts_the_deal_outside_the_declaration_naming_the_item(tmp_path):
    deal = deal_with(tmp_path, {**IDENT, "identification.result": "listed", "identification.list_item": "4.A.5"})
    screening = api.screen_deal(deal)
    assert screening.decision == Decision.OUTSIDE_DECLARATION
    assert "4.A.5" in screening.reasons[0].ru and "4.A.5" in screening.reasons[0].en


def test_identification_fstec_notice_requires_permission_under_4_3(tmp_path):
    deal = deal_with(tmp_path, {**IDENT, "identification.result": "fstec_notice"})
    screening = api.screen_deal(deal)
    assert screening.decision == Decision.PERMISSION_REQUIRED
    assert {r.section for r in screening.reasons} <= {"4.3", "2.1"}


def test_permission_after_an_fstec_notice_is_cited_under_4_3(tmp_path):
    deal = deal_with(tmp_path, {"knowledge.fstec_notice": True, "permission.number": "КЭК-1",
                                "permission.date": "2026-11-02"})
    screening = api.screen_deal(deal)
    assert screening.decision == Decision.PROCEED_WITH_PERMISSION
    assert "4.2" not in {r.section for r in screening.reasons}


@pytest.mark.parametrize(("changes", "status"), [
    ({}, "not_recorded"),
    ({"solution.controlled_item": True}, "declared_controlled"),
    ({**IDENT, "identification.result": "not_listed"}, "recorded_not_listed"),
    ({**IDENT, "identification.result": "listed", "identification.list_item": "4.A.5"}, "recorded_listed"),
])
def test_identification_status_follows_what_the_deal_records(tmp_path, changes, status):
    assert identification_status(deal_with(tmp_path, changes)) == status


@pytest.mark.parametrize(("changes", "field"), [
    ({**IDENT, "identification.result": "not_listed", "solution.controlled_item": True}, "identification.result"),
    ({**IDENT, "identification.result": "listed"}, "identification.list_item"),
])
def test_contradictory_identification_exits_2_naming_the_field(tmp_path, changes, field):
    path = write_deal(tmp_path, modified(changes=changes))
    result = invoke("screen", path, "--company", COMPANY)
    assert result.exit_code == 2, result.output
    assert field in result.stderr and "Traceback" not in result.output


# ------------------------------------------------------------------ screen --json


def test_screen_json_carries_the_whole_record(tmp_path):
    result = invoke("screen", EXAMPLE_DEALS["onprem-logistics-kz"], "--company", COMPANY, "--json",
                    "--date", "2026-12-01", "--user", "tester")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["check"]["date"] == "2026-11-17" and summary["check"]["date_source"] == "deal"
    assert summary["check"]["user"] == "tester" and summary["check"]["approval_pending"] is True
    assert summary["check"]["prepared_by"]["ru"]["name"] == "Петрова Анна Сергеевна"
    assert summary["identification"]["status"] == "not_recorded"
    assert [r["section"] for r in summary["rungs"]] == ["1.3", "2.1", "4.1", "4.2", "4.3", "4.4", "5.1"]
    assert summary["next_steps"] and all(step["ru"] and step["en"] for step in summary["next_steps"])
    assert len(summary["all_indicators"]) == 22


def test_every_label_group_has_both_languages():
    for group in labels.groups():
        for code in labels.codes(group):
            assert labels.label(group, code, "ru") and labels.label(group, code, "en"), (group, code)


def test_evidence_field_paths_get_their_russian_names():
    assert labels.evidence("end_use.end_users: none given") == "Конечные пользователи: не указаны"
    assert labels.evidence("payment.method: cash") == "Способ оплаты: наличные денежные средства"


def test_permission_decision_cites_only_the_rung_that_applies():
    deal = api.load_deal(EXAMPLE_DEALS["weights-research-in"], COMPANY).deal  # FSTEC notice only
    summary = api.screening_summary(deal, api.screen_deal(deal), load_library(), checkrecord.resolve(deal, date=DAY))
    assert summary["decision_label"]["ru"].endswith("(п. 4.3)") and "4.2" not in summary["decision_label"]["en"]


# ------------------------------------------------------------------ the review's findings (M-12 to M-16, minors)


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_has_no_english_gloss_and_no_clause_id(reports, stem):
    for spec in INDICATORS:
        assert spec.en not in reports[stem]
    assert not re.search(r"\([a-z0-9-]+, редакция", reports[stem])
    assert "Версия clausegen" not in reports[stem] and "(sha256)" not in reports[stem]


def test_clauses_are_listed_by_article_number_and_russian_title(reports):
    assert "Статья 8 «Заявление о конечном использовании» (редакция" in reports["onprem-logistics-kz"]


def test_refusal_record_cites_only_4_1_and_says_the_other_rungs_consistently(reports):
    text = reports["refuse-drone-xx"]
    assert "Отказ от сделки (п. 4.1 Декларации); посредники не привлекаются (абз. 2 п. 4.1)" in text
    assert "\nп. 4.2\nОбоснованное опасение: разрешение Комиссии по экспортному контролю\nпоглощается п. 4.1\n" in text
    assert "обращение в Комиссию по экспортному контролю не требуется" in text
    assert "не применён: основание отказа — п. 4.1" in text
    assert "признаки выявлены; решение определено п. 4.1" in text
    assert "углублённая проверка и усиленные условия" not in text
    assert "Гражданская" not in text and "Виды деятельности Контрагента\nАвиация" in text
    assert "Рассмотреть направление в ФСТЭК России по собственной инициативе сведений о поступившем предложении" in text


@pytest.mark.parametrize("stem", ["refuse-drone-xx", "hold-vision-tr", "permission-speech-rs", "controlled-item-am"])
def test_report_without_a_concluded_contract_names_the_draft(reports, stem):
    number = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal.contract.number
    assert f"Договор\nпроект договора № {number} (не заключён); приложение не оформляется" in reports[stem]


def test_hold_letter_is_named_as_the_notice_that_a_permission_is_needed(reports):
    assert "Уведомление о необходимости разрешения Комиссии" in reports["hold-vision-tr"]
    assert "приостановлении" not in reports["hold-vision-tr"]


def test_contract_title_and_place_come_from_the_glossary_in_russian():
    text = report_text(build("english-only-counterparty")[0])
    assert "Договор об оказании услуг № SA-0012/2026 от 12 октября 2026 г." in text
    assert "Место использования\nг. Дубай, ОАЭ" in text
    assert "Services Agreement" not in text and "Dubai, UAE" not in text


def test_export_rung_states_its_outcome_in_words(reports):
    assert "\nп. 2.1\nЯвляется ли сделка экспортом\nда — экспорт\n" in reports["onprem-logistics-kz"]
    assert "\nп. 2.1\nЯвляется ли сделка экспортом\nнет — облачный сервис без права изменения\n" \
        in reports["saas-clinic-ae"]


def test_permission_row_says_not_required_unless_one_is_needed(reports):
    assert "Разрешение Комиссии\nне требуется" in reports["saas-clinic-ae"]
    assert "Разрешение Комиссии\nтребуется, не получено" in reports["hold-vision-tr"]


def test_permission_after_an_fstec_notice_is_recorded_under_4_3_not_4_2(reports):
    rows = reports["weights-research-in"].split("\nп. ")
    concern = next(row for row in rows if row.startswith("4.2\n"))
    fstec = next(row for row in rows if row.startswith("4.3\n"))
    assert "ЭК-2026/1187" not in concern and "ЭК-2026/1187" in fstec
    assert "проведена, получено уведомление ФСТЭК России" in reports["weights-research-in"]


def test_permission_conditions_are_listed_and_not_asked_to_be_put_in_again():
    text = report_text(build("permission-with-conditions")[0])
    assert "условия, обязывающие Контрагента: а) Решение ИИ используется исключительно" in text
    assert "Включить в приложение условия разрешения" not in text


def test_no_intermediary_bar_is_invoked_when_4_1_is_not_met(reports):
    text = reports["hardware-camera-vn"]
    assert "Достоверных сведений о том, что Решение ИИ будет использовано для создания ОМП" in text
    assert "запрет на посредничество (абз. 2 п. 4.1) распространяется" not in text


def test_concern_rung_records_why_as_far_as_the_deal_says(reports):
    assert "(по данным сделки: виды деятельности Контрагента — исследования или разработки с использованием " \
           "технологий ИИ в интересах военных ведомств" in reports["hold-vision-tr"]


def test_control_list_report_uses_the_long_date_form_and_checks_the_encryption_rules(reports):
    text = reports["controlled-item-am"]
    assert "от 18 июля 1999 г. № 183-ФЗ" in text and "18.07.1999" not in text
    assert "шифровальных (криптографических) средств" in text


@pytest.mark.parametrize("stem", ["weights-research-in", "permission-speech-rs"])
def test_fstec_notice_report_records_the_notice_and_no_finding_about_the_list(reports, stem):
    text = reports[stem]
    assert "Решение ИИ не включено в Список" not in text
    assert "ФСТЭК России письменно уведомила о необходимости согласования экспорта" in text
    assert "Вывод о включении (невключении) Решения ИИ в Список в файл сделки не внесён" in text


def test_not_listed_identification_is_reported_as_not_listed(tmp_path):
    deal = deal_with(tmp_path, {**IDENT, "identification.result": "not_listed"})
    screening = api.screen_deal(deal)
    data = api.build_report(deal, screening, load_library(), None, checkrecord.resolve(deal, date=DAY)).data
    assert "Решение ИИ не включено в Список: Декларация применяется" in report_text(data)


def test_a_single_sensitive_indicator_is_named_in_the_singular(reports):
    text = reports["hold-vision-tr"]
    assert "выявлен признак № 22 приложения № 1" in text and "выявлены признаки № 22 " not in text
