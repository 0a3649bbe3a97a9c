"""Screening against Annex 1 and the section 4 decision gate (issue 3)."""

from __future__ import annotations

import json

import pytest
from helpers import (
    ANNEX_EXAMPLES,
    COMPANY,
    DELETE,
    EXAMPLE_DEALS,
    EXAMPLES,
    EXPECTED_DECISIONS,
    files_in,
    invoke,
    modified,
    screen,
    write_deal,
)

from clausegen import activities

HOLD = {"knowledge.military_or_wmd_concern": True}
PERMISSION = {"permission": {"number": "ЭК-2026/0042", "date": "2026-09-30"}}


def indicator(screening, number: int):
    (result,) = [r for r in screening.indicators if r.number == number]
    return result


def fired(screening) -> list[int]:
    return [r.number for r in screening.indicators if r.status == "fired"]


# ------------------------------------------------------------------ the decision, first match wins


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({}, "proceed"),
        ({"red_flags": [7]}, "enhanced_due_diligence"),
        ({"knowledge.military_or_wmd_concern": True}, "permission_required"),
        ({"knowledge.fstec_notice": True}, "permission_required"),
        ({"knowledge.military_or_wmd_concern": True, **PERMISSION}, "proceed_with_permission"),
        ({"knowledge.fstec_notice": True, **PERMISSION}, "proceed_with_permission"),
        ({"knowledge.prohibited_use_known": True}, "refuse"),
        ({"knowledge.harm_known": True}, "refuse"),
        ({"solution.controlled_item": True}, "outside_declaration"),
    ],
    ids=["nothing", "red-flag", "4.2-concern", "4.3-fstec", "4.2-permitted", "4.3-permitted", "4.1-known",
         "4.4-harm", "1.3-controlled"],
)
def test_each_decision_path(changes, decision):
    assert screen(changes).decision == decision


@pytest.mark.parametrize(
    ("changes", "decision"),
    [
        ({"solution.controlled_item": True, "knowledge.prohibited_use_known": True, **HOLD, "red_flags": [7]},
         "outside_declaration"),
        ({"knowledge.prohibited_use_known": True, **HOLD, **PERMISSION}, "refuse"),
        ({"knowledge.harm_known": True, "knowledge.fstec_notice": True, **PERMISSION}, "refuse"),
        ({**HOLD, "red_flags": [7]}, "permission_required"),
        ({**HOLD, **PERMISSION, "red_flags": [7]}, "proceed_with_permission"),
        ({**PERMISSION, "red_flags": [7]}, "enhanced_due_diligence"),
        ({**PERMISSION}, "proceed"),
    ],
    ids=["controlled-beats-all", "refuse-beats-permission", "harm-beats-fstec-permission", "hold-beats-enhanced",
         "permission-beats-enhanced", "permission-without-concern-is-irrelevant", "permission-alone-proceeds"],
)
def test_first_matching_rule_wins(changes, decision):
    assert screen(changes).decision == decision


@pytest.mark.parametrize(
    ("changes", "section"),
    [
        ({"solution.controlled_item": True}, "1.3"),
        ({"knowledge.prohibited_use_known": True}, "4.1"),
        ({"knowledge.harm_known": True}, "4.4"),
        ({"knowledge.military_or_wmd_concern": True}, "4.2"),
        ({"knowledge.fstec_notice": True}, "4.3"),
        ({"red_flags": [7]}, "5.1"),
    ],
    ids=["1.3", "4.1", "4.4", "4.2", "4.3", "5.1"],
)
def test_decision_reasons_cite_the_declaration_section(changes, section):
    assert section in [reason.section for reason in screen(changes).reasons]


@pytest.mark.parametrize(
    ("changes", "decision"),
    [({"knowledge.prohibited_use_known": True}, "refuse"), (HOLD, "permission_required")],
    ids=["refusal", "hold"],
)
def test_saas_that_is_not_an_export_is_still_refused_or_held(changes, decision):
    screening = screen({"solution.delivery": "saas", **changes})
    assert screening.is_export is False
    assert screening.decision == decision


# ------------------------------------------------------------------ is_export (2.1)


@pytest.mark.parametrize("delivery", ["saas", "on_premise", "source_code", "model_weights", "embedded_in_hardware"])
@pytest.mark.parametrize("can_modify", [False, True])
def test_only_saas_without_modification_is_not_an_export(delivery, can_modify):
    screening = screen({"solution.delivery": delivery, "solution.counterparty_can_modify": can_modify})
    assert screening.is_export is not (delivery == "saas" and not can_modify)


# ------------------------------------------------------------------ derived indicators


def test_all_22_indicators_are_evaluated():
    assert [r.number for r in screen().indicators] == list(range(1, 23))


def test_base_deal_fires_no_indicator():
    assert fired(screen()) == []


def test_indicator_1_fires_when_no_purpose_is_given():
    result = indicator(screen({"end_use.purpose": DELETE}), 1)
    assert (result.status, result.source) == ("fired", "derived")
    assert any("end_use.purpose" in e for e in result.evidence)


def test_indicator_1_fires_when_no_end_users_are_given():
    result = indicator(screen({"end_use.end_users": []}), 1)
    assert (result.status, result.source) == ("fired", "derived")
    assert any("end_use.end_users" in e for e in result.evidence)


def test_indicator_1_fires_once_when_both_purpose_and_end_users_are_missing():
    screening = screen({"end_use.purpose": DELETE, "end_use.end_users": []})
    assert fired(screening) == [1]
    assert len(indicator(screening, 1).evidence) == 2


def test_indicator_9_fires_on_the_po_box_flag():
    result = indicator(screen({"counterparty.address_is_po_box": True}), 9)
    assert (result.status, result.source) == ("fired", "derived")
    assert any("counterparty.address_is_po_box" in e for e in result.evidence)


@pytest.mark.parametrize(("lang", "address"), [
    ("en", "P.O. Box 12345, Dubai"), ("en", "PO Box 77, Dubai"), ("en", "po box 9, Sharjah"),
    ("ru", "а/я 15, г. Алматы"),
])
def test_indicator_9_fires_on_a_po_box_written_in_the_address(lang, address):
    result = indicator(screen({"counterparty.address": {lang: address}}), 9)
    assert (result.status, result.source) == ("fired", "derived")
    assert any(f"counterparty.address.{lang}" in e and address in e for e in result.evidence)


def test_indicator_9_does_not_fire_on_a_street_address():
    assert indicator(screen({"counterparty.address": {"en": "14 Boxwood Street, Dubai"}}), 9).status == "clear"


def test_indicator_13_fires_on_cash_payment():
    result = indicator(screen({"payment.method": "cash"}), 13)
    assert (result.status, result.source) == ("fired", "derived")
    assert any("payment.method" in e for e in result.evidence)


def test_indicator_13_does_not_fire_on_bank_transfer():
    assert indicator(screen({"payment.method": "bank_transfer"}), 13).status == "clear"


SENSITIVE = [
    (19, "nuclear_fuel", "nuclear"),
    (20, "missile", "missile"),
    (21, "vaccines", "chemical_biological"),
    (22, "military_research", "military"),
    (22, "special_services", "intelligence"),
]
SENSITIVE_IDS = [f"{n}-{tag}" for n, tag, _ in SENSITIVE]


@pytest.mark.parametrize(("number", "activity", "suitability"), SENSITIVE, ids=SENSITIVE_IDS)
def test_sensitive_field_indicator_fires_when_activity_and_suitability_match(number, activity, suitability):
    screening = screen({"counterparty.activities": [activity], "solution.suitable_for": [suitability]})
    result = indicator(screening, number)
    assert (result.status, result.source) == ("fired", "derived")
    assert fired(screening) == [number]
    assert any(activity in e and suitability in e for e in result.evidence)


@pytest.mark.parametrize(("number", "activity", "suitability"), SENSITIVE, ids=SENSITIVE_IDS)
def test_sensitive_field_indicator_does_not_fire_on_activity_alone(number, activity, suitability):
    screening = screen({"counterparty.activities": [activity], "solution.suitable_for": []})
    assert indicator(screening, number).status == "clear"
    assert screening.decision == "proceed"


@pytest.mark.parametrize(("number", "activity", "suitability"), SENSITIVE, ids=SENSITIVE_IDS)
def test_sensitive_field_indicator_does_not_fire_on_suitability_alone(number, activity, suitability):
    screening = screen({"counterparty.activities": ["logistics"], "solution.suitable_for": [suitability]})
    assert indicator(screening, number).status == "clear"
    assert screening.decision == "proceed"


ITEM_SUITABILITY = {19: "nuclear", 20: "missile", 21: "chemical_biological", 22: "military"}
EVERY_SENSITIVE_TAG = [(number, tag) for number in (19, 20, 21, 22) for tag in activities.tags_of_item(number)]


@pytest.mark.parametrize(("number", "activity"), EVERY_SENSITIVE_TAG, ids=[t for _, t in EVERY_SENSITIVE_TAG])
def test_every_tag_of_an_item_fires_it_with_the_matching_suitability(number, activity):
    screening = screen({"counterparty.activities": [activity], "solution.suitable_for": [ITEM_SUITABILITY[number]]})
    assert fired(screening) == [number]


@pytest.mark.parametrize("number", sorted(ITEM_SUITABILITY))
def test_the_ordinary_tags_fire_nothing_whatever_the_suitability(number):
    ordinary = list(activities.tags_of_item(None))
    screening = screen({"counterparty.activities": ordinary, "end_use.end_users.0.activities": ordinary,
                        "solution.suitable_for": [ITEM_SUITABILITY[number]]})
    assert fired(screening) == []


@pytest.mark.parametrize(("number", "activity", "suitability"), SENSITIVE, ids=SENSITIVE_IDS)
def test_an_end_users_activity_fires_the_item_as_the_counterpartys_does(number, activity, suitability):
    # Annex 1, items 19-22: «Иностранный контрагент (конечный пользователь)»
    screening = screen({"end_use.end_users.0.activities": [activity], "solution.suitable_for": [suitability]})
    result = indicator(screening, number)
    assert (result.status, result.source) == ("fired", "derived")
    assert result.evidence == (f"end_use.end_users[0].activities: {activity}; solution.suitable_for: {suitability}",)


def test_an_end_users_activity_without_suitability_is_clear_with_the_note():
    screening = screen({"end_use.end_users.0.activities": ["missile"], "solution.suitable_for": []})
    result = indicator(screening, 20)
    assert result.status == "clear" and "note to the item" in result.note
    assert screening.decision == "proceed"


def test_the_evidence_names_each_party_that_carries_the_activity():
    screening = screen({"counterparty.activities": ["vaccines"], "end_use.end_users.0.activities": ["toxicology"],
                        "solution.suitable_for": ["chemical_biological"]})
    assert indicator(screening, 21).evidence == (
        "counterparty.activities: vaccines; solution.suitable_for: chemical_biological",
        "end_use.end_users[0].activities: toxicology; solution.suitable_for: chemical_biological",
    )


def test_activity_and_suitability_of_different_fields_fire_nothing():
    screening = screen({"counterparty.activities": ["nuclear_fuel"], "solution.suitable_for": ["missile"]})
    assert fired(screening) == []


def test_vaccine_maker_buying_an_hr_chatbot_does_not_fire_21():
    screening = screen({
        "counterparty.activities": ["vaccines"],
        "solution.name": {"en": "HR Assistant chatbot"},
        "solution.suitable_for": [],
    })
    assert indicator(screening, 21).status == "clear"
    assert screening.decision == "proceed"


@pytest.mark.parametrize("number", [12, 15, 18])
@pytest.mark.parametrize("delivery", ["saas", "on_premise", "source_code", "model_weights"])
def test_hardware_only_indicator_declared_without_hardware_is_not_applicable(number, delivery):
    screening = screen({"solution.delivery": delivery, "red_flags": [number]})
    result = indicator(screening, number)
    assert result.status == "not_applicable"
    assert number not in screening.fired
    assert screening.decision == "proceed"


@pytest.mark.parametrize("number", [12, 15, 18])
def test_hardware_only_indicator_declared_on_embedded_hardware_fires(number):
    screening = screen({"solution.delivery": "embedded_in_hardware", "red_flags": [number]})
    result = indicator(screening, number)
    assert (result.status, result.source) == ("fired", "declared")
    assert screening.decision == "enhanced_due_diligence"


@pytest.mark.parametrize("number", [2, 7, 11, 17, 22])
def test_declared_indicator_always_counts(number):
    screening = screen({"red_flags": [number]})
    assert (indicator(screening, number).status, indicator(screening, number).source) == ("fired", "declared")


def test_indicator_both_declared_and_derived_is_counted_once_as_declared():
    screening = screen({"red_flags": [13], "payment.method": "cash"})
    results = [r for r in screening.indicators if r.number == 13]
    assert len(results) == 1
    assert (results[0].status, results[0].source) == ("fired", "declared")
    assert screening.fired.count(13) == 1


# ------------------------------------------------------------------ clausegen screen


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def screen_json(deal_path) -> dict:
    result = invoke("screen", deal_path, "--json", "--company", COMPANY)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_example_deal_has_an_expected_decision():
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} - {"clausegen"} == set(EXPECTED_DECISIONS)


@pytest.mark.parametrize("stem", sorted(EXPECTED_DECISIONS))
def test_screen_reaches_the_expected_decision_for_each_example(stem):
    assert screen_json(EXAMPLE_DEALS[stem])["decision"] == EXPECTED_DECISIONS[stem]


def test_screen_json_has_the_documented_shape():
    summary = screen_json(EXAMPLE_DEALS["onprem-logistics-kz"])
    assert {"deal_id", "is_export", "decision", "indicators", "reasons", "clauses", "letters"} <= set(summary)
    assert summary["deal_id"] == "EXP-2026-0157"
    assert summary["is_export"] is True
    assert summary["indicators"], "the example declares indicator 7 and pays in cash"
    for item in summary["indicators"]:
        assert {"number", "source", "evidence"} <= set(item)
        assert item["source"] in ("declared", "derived")
        assert isinstance(item["evidence"], list) and item["evidence"]
    assert {(i["number"], i["source"]) for i in summary["indicators"]} == {(7, "declared"), (13, "derived")}
    assert summary["reasons"]
    for clause in summary["clauses"]:
        assert {"id", "version", "reason"} <= set(clause)
    assert isinstance(summary["letters"], list)


def test_screen_json_reports_is_export_false_for_saas_without_modification():
    assert screen_json(EXAMPLE_DEALS["saas-clinic-ae"])["is_export"] is False


def test_screen_json_lists_a_declared_and_derived_indicator_once(workdir):
    summary = screen_json(write_deal(workdir, modified(changes={"red_flags": [13], "payment.method": "cash"})))
    assert [(i["number"], i["source"]) for i in summary["indicators"]] == [(13, "declared")]


def test_screen_prints_the_decision_for_a_person():
    result = invoke("screen", EXAMPLE_DEALS["onprem-logistics-kz"], "--company", COMPANY)
    assert result.exit_code == 0
    assert "Decision: enhanced_due_diligence" in result.stdout
    assert "payment.method: cash" in result.stdout


# ------------------------------------------------------------------ the gate


@pytest.mark.parametrize(
    ("changes", "decision", "section"),
    [
        ({"solution.controlled_item": True}, "outside_declaration", "1.3"),
        ({"knowledge.prohibited_use_known": True}, "refuse", "4.1"),
        ({"knowledge.harm_known": True}, "refuse", "4.4"),
        ({"knowledge.military_or_wmd_concern": True}, "permission_required", "4.2"),
        ({"knowledge.fstec_notice": True}, "permission_required", "4.3"),
    ],
    ids=["outside_declaration", "refuse-4.1", "refuse-4.4", "permission_required-4.2", "permission_required-4.3"],
)
def test_annex_is_refused_with_exit_3_and_no_file(workdir, changes, decision, section):
    write_deal(workdir, modified(changes=changes))
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 3, result.output
    assert decision in result.stderr
    assert section in result.stderr
    assert files_in(workdir) == {"deal.yaml"}


@pytest.mark.parametrize("stem", sorted(set(EXAMPLE_DEALS) - set(ANNEX_EXAMPLES)))
def test_annex_of_a_blocked_example_exits_3_naming_the_decision(workdir, stem):
    result = invoke("annex", EXAMPLE_DEALS[stem], "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 3, result.output
    assert EXPECTED_DECISIONS[stem] in result.stderr
    assert files_in(workdir) == set()


def test_annex_of_a_deal_with_permission_is_allowed(workdir):
    write_deal(workdir, modified(changes={"knowledge.fstec_notice": True, **PERMISSION}))
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 0, result.output
    assert (workdir / "out.docx").is_file()


# ------------------------------------------------------------------ which letters a decision recommends


def test_permission_required_recommends_the_hold_letter_the_notice_the_request_and_the_end_user_statement():
    # The Commission's application needs the end user's data (issue 12, item 9); the notice informs a
    # potential counterparty (Declaration, section 5; review 4, M1).
    assert screen(HOLD).letters == ("hold", "notice", "enduse-request", "end-user-statement")


def test_a_fired_indicator_the_deal_shows_is_disclosed_a_declared_one_is_not():
    shown = screen({"counterparty.activities": ["nuclear_reactors"], "solution.suitable_for": ["nuclear"]})
    declared = screen({"red_flags": [19]})
    assert 19 in shown.fired and shown.disclosed == [19]
    assert 19 in declared.fired and declared.disclosed == []
