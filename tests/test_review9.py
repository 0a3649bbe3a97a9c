"""The ninth legal review's minors: the screening report names the ground that applies (4.1, 4.2 and the clauses
selected on two grounds), does not say "no obstacle" before the control-list identification, gives an offer's
next steps; the notice for equipment, the purposes lists, and references that do not break at their hyphen."""

from __future__ import annotations

import pytest
from helpers import DATA, EXAMPLES, load_changed, validated

from clausegen import api, checkrecord, memo
from clausegen.errors import DealError
from clausegen import library as lib
from clausegen.ladder import rungs
from clausegen.render import docx_rows
from clausegen.screening import screen
from clausegen.web import forms

DRONE = EXAMPLES / "refuse-drone-xx.yaml"
HOLD = EXAMPLES / "hold-vision-tr.yaml"
OFFER = EXAMPLES / "offer-ocr-bank-uz.yaml"
CLINIC = EXAMPLES / "saas-clinic-ae.yaml"


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


def _text(data: bytes) -> str:
    return "\n".join(" | ".join(row) for row in docx_rows(data))


def _rung(deal, section: str):
    return next(r for r in rungs(deal, screen(deal)) if r.section == section)


def _steps(deal) -> list[str]:
    return [ru for ru, _ in memo.next_steps(deal, screen(deal), checkrecord.resolve(deal, user="test"))]


# ------------------------------------------------------------------ m7: the ground that applies, not "X or Y"


def test_a_refusal_names_only_the_recorded_use_under_4_1():
    rung = _rung(load_changed(DRONE), "4.1")
    assert "будет использовано для создания оружия массового поражения и средств его доставки:" in rung.why_ru
    assert "террористических" not in rung.why_ru
    assert "used to create weapons of mass destruction or their delivery means:" in rung.why_en


def test_a_hold_names_only_the_recorded_use_under_4_2():
    rung = _rung(load_changed(HOLD), "4.2")
    assert "может быть использовано для создания обычных видов вооружения и военной техники или для иного " \
           "военного применения" in rung.why_ru
    assert "ОМП" not in rung.why_ru and "террористических" not in rung.why_ru
    assert "WMD" not in rung.why_en and "terrorist" not in rung.why_en


def test_two_recorded_uses_are_both_named():
    deal = load_changed(HOLD, {"knowledge.uses": ["wmd", "terrorism"]})
    why = _rung(deal, "4.2").why_ru
    assert "для создания оружия массового поражения и средств его доставки, а также для подготовки и (или) " \
           "совершения террористических актов" in why


def test_an_unrecorded_use_is_said_to_be_unrecorded_and_becomes_a_next_step():
    deal = load_changed(DRONE, {"knowledge.uses": []})
    why = _rung(deal, "4.1").why_ru
    assert "в целях, названных в п. 4.1 Декларации" in why
    assert "В файле сделки не указано, к какой из целей п. 4.1 относятся эти сведения" in why
    assert any(step.startswith("Указать в файле сделки, к какой из целей, названных в п. 4.1") for step in _steps(deal))


def test_a_recorded_use_needs_no_such_step():
    assert not any(step.startswith("Указать в файле сделки, к какой из целей") for step in _steps(load_changed(HOLD)))


def test_uses_without_knowledge_or_concern_is_invalid():
    with pytest.raises(DealError) as error:
        validated({"knowledge.uses": ["wmd"]})
    assert any(p.field == "knowledge" and "uses says which use" in p.message for p in error.value.problems)


def test_a_military_use_alone_is_not_reliable_knowledge_under_4_1():
    with pytest.raises(DealError) as error:
        validated({"knowledge.prohibited_use_known": True, "knowledge.uses": ["military"]})
    assert any("covers only wmd and terrorism" in p.message for p in error.value.problems)


def test_the_end_use_statement_clause_cites_the_ground_it_was_selected_on(library):
    reactor = EXAMPLES / "reactor-maintenance-hu.yaml"
    enhanced = load_changed(reactor)  # an indicator fired, end users named
    enhanced_without_users = load_changed(reactor, {"end_use.end_users": []})
    reasons = {}
    for name, deal in (("enhanced", enhanced), ("both", enhanced_without_users)):
        summary = api.screening_summary(deal, screen(deal), library)
        clauses = {c["id"]: c for c in summary["clauses"]}
        reasons[name] = clauses["end-user-statement-condition"]["reason_ru"]
    assert reasons["enhanced"] == "Углублённая проверка (п. 5.1 Декларации)"
    assert reasons["both"] == "Углублённая проверка (п. 5.1 Декларации); конечные пользователи в договоре не названы"
    assert " или " not in "".join(reasons.values())


def test_a_broken_reason_condition_is_a_library_problem_naming_its_field(tmp_path):
    import shutil

    from clausegen import checks

    root = tmp_path / "clauses"
    shutil.copytree(lib.clauses_dir(), root)
    catalogue = root / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(
        '    - when: "not deal.end_use.end_users"', '    - when: "not deal.end_use.end_users ))"'), encoding="utf-8")
    _, problems = checks.check_library(root)
    assert any(p.field == "end-user-statement-condition.reason_if.when" for p in problems)


# ------------------------------------------------------------------ m5, m6: the decision and the offer's steps


def test_a_proceed_without_identification_is_not_called_free_of_obstacles():
    deal = load_changed(CLINIC)
    assert deal.identification is None
    label = memo.decision_label(deal, screen(deal), "ru")
    assert not label.startswith("Препятствий не выявлено")
    assert "после идентификации Решения ИИ по Списку" in label
    assert _steps(deal)[0].endswith("до этого Решение ИИ Контрагенту не передаётся и доступ к нему не предоставляется, "
                                    "как предусматривает приложение")


def test_a_proceed_with_identification_keeps_its_plain_decision():
    deal = load_changed(OFFER)
    assert memo.decision_label(deal, screen(deal), "ru").startswith("Препятствий не выявлено")


def test_an_offer_report_sends_the_annex_with_the_offer_not_a_contract():
    steps = _steps(load_changed(OFFER))
    assert any("приложение к коммерческому предложению вместе с предложением" in step for step in steps)
    assert not any("подписать приложение к договору" in step for step in steps)


# ------------------------------------------------------------------ m2, m3, m4: the notice and the statement


def test_the_notice_for_equipment_names_equipment(library):
    deal = load_changed(EXAMPLES / "hardware-camera-vn.yaml")
    text = _text(api.build_letter("notice", deal, screen(deal), library).data)
    assert "как в составе оборудования, так и в виде программного обеспечения" in text
    assert "whether built into equipment, as software or as a remotely accessed service" in text


def test_the_purposes_lists_have_no_doubled_purpose_words(library):
    deal = load_changed(EXAMPLES / "onprem-logistics-kz.yaml")
    for kind in ("notice", "end-user-statement"):
        text = _text(api.build_letter(kind, deal, screen(deal), library).data)
        assert "целях:" not in text and "\n— для создания" not in text.replace(" / ", "\n")
        assert "для любой из следующих целей" in text
    statement = _text(api.build_letter("end-user-statement", deal, screen(deal), library).data)
    assert "means of delivery, that is intended" not in statement


# ------------------------------------------------------------------ m1: references do not break at their hyphen


@pytest.mark.parametrize("reference", ["183-", "LA-", "EXP-2026-"])
def test_a_reference_keeps_its_hyphen_on_the_line(reference, library):
    deal = load_changed(EXAMPLES / "onprem-logistics-kz.yaml")
    data = api.build_annex(deal, screen(deal), library).data if reference != "EXP-2026-" else \
        api.build_letter("notice", deal, screen(deal), library).data
    import zipfile
    from io import BytesIO

    xml = zipfile.ZipFile(BytesIO(data)).read("word/document.xml").decode("utf-8")
    head = reference.split("-")[0]
    assert f'{head}</w:t><w:noBreakHyphen/>' in xml
    assert f">{reference}" not in xml and f" {reference}" not in xml.replace("<w:noBreakHyphen/>", "")


def test_the_form_carries_the_uses_into_the_deal():
    values = forms.read_form({"knowledge.military_or_wmd_concern": "on", "knowledge.uses": ["military"]})
    data = forms.form_to_deal(values)
    assert data["knowledge"] == {"military_or_wmd_concern": True, "uses": ["military"]}
