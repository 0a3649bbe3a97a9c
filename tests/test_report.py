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
from helpers import COMPANY, EXAMPLE_DEALS, EXPECTED_DECISIONS, invoke, modified, write_deal

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
    return "\n".join(lines)


def russian_part(text: str) -> str:
    """The report's text without what may stay in Latin: the indicators' English titles (second
    line by design), clause ids in their parentheses, and fingerprints."""
    for spec in INDICATORS:
        text = text.replace(spec.en, "")
    text = re.sub(r"\([a-z0-9-]+, редакция \d+\)", "", text)
    return re.sub(r"\b[0-9a-f]{64}\b", "", text)


def build(stem: str, **check) -> tuple[bytes, object]:
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
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
def test_report_shows_the_date_of_the_check_and_its_source(reports, stem):
    assert "Дата проверки\n1 декабря 2026 г. (указана при формировании)" in reports[stem]


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_has_preparer_and_approver_lines_with_signatures(reports, stem):
    text = reports[stem]
    assert "Подготовил" in text and "Утвердил" in text
    assert "Петрова Анна Сергеевна" in text  # the profile's compliance officer
    assert text.count("________________ (подпись)") == 2


@pytest.mark.parametrize("stem", EXAMPLE_DEALS)
def test_report_considers_every_rung_of_the_decision(reports, stem):
    for section in ("1.3", "2.1", "4.1", "4.2", "4.3", "4.4", "5.1"):
        assert f"\nп. {section}\n" in reports[stem], section
    assert "запрет на посредничество" in reports[stem]


def test_report_says_terms_are_required_by_the_policy_never_mandatory_under_the_declaration(reports):
    for text in reports.values():
        assert "Обязательное условие" not in text
    assert "Требуется политикой экспортного контроля Поставщика" in reports["saas-clinic-ae"]


def test_same_inputs_and_date_give_the_same_bytes():
    assert build("onprem-logistics-kz")[0] == build("onprem-logistics-kz")[0]


def test_date_recorded_in_the_deal_wins_over_the_option(tmp_path):
    deal = api.load_deal(write_deal(tmp_path, modified(changes={"screening.date": "2026-10-05"})),
                         COMPANY).deal
    check = checkrecord.resolve(deal, date=DAY)
    assert (check.date, check.date_source) == (dt.date(2026, 10, 5), "deal")


def test_without_a_date_the_check_is_dated_today():
    deal = api.load_deal(EXAMPLE_DEALS["saas-clinic-ae"], COMPANY).deal
    check = checkrecord.resolve(deal, today=dt.date(2027, 1, 2))
    assert (check.date, check.date_source) == (dt.date(2027, 1, 2), "today")


def test_prepared_by_option_applies_only_when_neither_deal_nor_profile_names_anyone():
    with_profile = api.load_deal(EXAMPLE_DEALS["saas-clinic-ae"], COMPANY).deal
    assert checkrecord.resolve(with_profile, prepared_by="Иванов И. И.").prepared_by.name.get("ru") == \
        "Петрова Анна Сергеевна"


def test_enhanced_due_diligence_without_approval_shows_not_yet_approved(reports):
    assert "Решение не утверждено" in reports["onprem-logistics-kz"]
    assert "не утверждено" not in reports["saas-clinic-ae"]


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
    assert summary["check"]["date"] == "2026-12-01" and summary["check"]["date_source"] == "option"
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
