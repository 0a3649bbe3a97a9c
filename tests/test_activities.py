"""The vocabulary of activity tags and the keyword scan of free text (issue 13, section 1).

A tag is either in the vocabulary or a validation error that says what was probably meant; words of
Annex 1 items 19-22 in free text are warnings that never change the decision.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from helpers import COMPANY, EXAMPLE_DEALS, EXAMPLES, PACKAGE, invoke, modified, screen, validated, write_deal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausegen import activities
from clausegen.errors import DealError

SENSITIVE_ITEMS = (19, 20, 21, 22)


def problems_of(changes: dict, *, strict: bool = False) -> list:
    with pytest.raises(DealError) as caught:
        validated(changes, strict=strict)
    return caught.value.problems


def warnings_of(changes: dict) -> list:
    return [w for w in validated(changes).warnings if "possible indicator" in w.message]


# ------------------------------------------------------------------ the table


def test_the_api_answers_label_item_and_order():
    assert activities.label("vaccines", "ru") == "Разработка и производство вакцин"
    assert activities.label("vaccines", "en") == "Development and production of vaccines"
    assert activities.item("vaccines") == 21
    assert activities.item("healthcare") is None
    assert [number for number, _ in activities.by_item()] == [19, 20, 21, 22, None]


def test_by_item_holds_every_tag_once_sensitive_ones_first():
    grouped = [tag for _, tags in activities.by_item() for tag in tags]
    assert grouped == list(activities.ALL)
    assert len(set(activities.ALL)) == len(activities.ALL)


def test_an_unknown_tag_has_no_label():
    with pytest.raises(KeyError):
        activities.label("military", "ru")


@pytest.mark.parametrize("tag", activities.ALL)
def test_every_tag_is_snake_case_with_a_russian_and_an_english_label(tag):
    assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", tag)
    assert re.search("[А-Яа-яЁё]", activities.label(tag, "ru"))
    assert not re.search("[А-Яа-яЁё]", activities.label(tag, "en"))


@pytest.mark.parametrize(("number", "subs"), [(19, "абвгд"), (21, "абвгдежз")])
def test_every_lettered_sub_item_of_annex_1_has_a_tag(number, subs):
    assert {activities.sub_item(tag) for tag in activities.tags_of_item(number)} == set(subs)


@pytest.mark.parametrize("number", SENSITIVE_ITEMS)
def test_every_sensitive_item_has_tags(number):
    assert activities.tags_of_item(number)


def test_the_screening_tags_of_before_are_kept():
    old = {"nuclear_reactors", "nuclear_fuel", "nuclear_waste", "isotope_separation", "heavy_water",
           "high_energy_physics", "missile", "organic_synthesis", "vaccines", "pesticides", "toxicology",
           "biochemistry", "microbiology", "immunology", "genetic_engineering", "military_research",
           "special_services"}
    assert {tag: activities.item(tag) is not None for tag in old} == dict.fromkeys(old, True)


def test_the_ordinary_fields_sales_meet_are_tags():
    ordinary = {"healthcare", "logistics", "retail", "banking", "manufacturing", "agriculture", "education",
                "academic_research", "government", "import_export", "aerial_survey", "telecoms", "energy",
                "mining", "media", "insurance", "software"}
    assert {tag for tag in ordinary if activities.item(tag) is None} == ordinary


def test_every_tag_the_examples_and_test_data_use_is_known():
    used = set()
    for path in [*EXAMPLES.glob("*.yaml"), *(EXAMPLES.parent / "tests" / "data").glob("*.yaml")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"\s*activities:\s*(\[.*\])\s*$", line):
                used |= set(yaml.safe_load(m.group(1)))
    assert used and used <= set(activities.ALL)


@pytest.mark.parametrize("number", SENSITIVE_ITEMS)
def test_a_keyword_of_an_item_points_back_to_that_item(number):
    # whatever word of the table one types as a tag, the suggestion names its own item
    raw = yaml.safe_load((PACKAGE / "activities.yaml").read_text(encoding="utf-8"))
    words = [w for lang in ("ru", "en") for w in raw["items"][number]["keywords"][lang]]
    for tag in activities.tags_of_item(number):
        words += [w for lang in ("ru", "en") for w in raw["tags"][tag].get("keywords", {}).get(lang, [])]
    for word in words:
        if activities.is_known(word):  # "missile", "biochemistry": a keyword that is also the tag itself
            assert activities.item(word) == number
            continue
        message = activities.explain(word)
        assert f"item {number}" in message, (word, message)


# ------------------------------------------------------------------ an unknown tag: error with a suggestion

# (what a person types, what the message must suggest): plural, capitals, declension, synonyms, slips
VARIANTS = [
    ("missiles", "'missile'"),
    ("Missile", "'missile'"),
    ("MISSILE", "'missile'"),
    ("rockets", "'missile'"),
    ("ballistic missiles", "'missile'"),
    ("military", "'military_research'"),
    ("Military", "'military_research'"),
    ("defence", "'military_research'"),
    ("defense", "'military_research'"),
    ("army", "item 22"),
    ("armed forces", "item 22"),
    ("Armed Forces", "item 22"),
    ("weapons", "item 22"),
    ("munitions", "item 22"),
    ("ammunition", "item 22"),
    ("military intelligence", "'special_services'"),
    ("intelligence services", "'special_services'"),
    ("Special_Services", "'special_services'"),
    ("defence industry", "'defence_industry'"),
    ("nuclear", "item 19"),
    ("nuclear reactors", "'nuclear_reactors'"),
    ("Nuclear-Reactors", "'nuclear_reactors'"),
    ("nuclaer_reactors", "'nuclear_reactors'"),
    ("nuclear power plants", "'nuclear_reactors'"),
    ("uranium enrichment", "'isotope_separation'"),
    ("radioactive waste", "'nuclear_waste'"),
    ("heavy water", "'heavy_water'"),
    ("particle physics", "'high_energy_physics'"),
    ("vaccine", "'vaccines'"),
    ("Vaccines", "'vaccines'"),
    ("pesticide", "'pesticides'"),
    ("biochemical", "'biochemistry'"),
    ("gene editing", "'genetic_engineering'"),
    ("chemical weapons", "item 21"),
    ("militray_research", "'military_research'"),
    ("ракетный", "item 20"),
    ("ракетных", "item 20"),
    ("Ракеты", "item 20"),
    ("ракета-носитель", "'launch_vehicles'"),
    ("ядерный", "item 19"),
    ("ядерных", "item 19"),
    ("атомная", "item 19"),
    ("АЭС", "'nuclear_reactors'"),
    ("атомные электростанции", "'nuclear_reactors'"),
    ("ядерные отходы", "'nuclear_waste'"),
    ("тяжёлая вода", "'heavy_water'"),
    ("тяжелой воды", "'heavy_water'"),
    ("вооружённые силы", "item 22"),
    ("вооруженные силы", "item 22"),
    ("вооружённых сил", "item 22"),
    ("оборона", "'military_research'"),
    ("обороны", "'military_research'"),
    ("военного", "'military_research'"),
    ("военные", "'military_research'"),
    ("спецслужбы", "'special_services'"),
    ("спецслужб", "'special_services'"),
    ("ВПК", "'defence_industry'"),
    ("вакцины", "'vaccines'"),
    ("вакцин", "'vaccines'"),
    ("пестицидов", "'pesticides'"),
    ("токсикология", "'toxicology'"),
    ("биохимия", "'biochemistry'"),
    ("генная инженерия", "'genetic_engineering'"),
    ("биологическое оружие", "item 21"),
    ("hospital", "'healthcare'"),
    ("Healthcare", "'healthcare'"),
    ("логистика", "'logistics'"),
    ("банк", "'banking'"),
]


def test_there_are_at_least_forty_variants_in_both_languages():
    assert len(VARIANTS) >= 40
    assert sum(bool(re.search("[а-яА-Я]", typed)) for typed, _ in VARIANTS) >= 20


@pytest.mark.parametrize(("typed", "suggested"), VARIANTS, ids=[typed for typed, _ in VARIANTS])
def test_a_variant_of_a_tag_is_refused_with_what_it_probably_meant(typed, suggested):
    (problem,) = problems_of({"counterparty.activities": [typed]})
    assert problem.field == "counterparty.activities[0]"
    assert f"unknown activity tag {typed!r}" in problem.message
    assert suggested in problem.message
    assert "did you mean" in problem.message or "this looks like" in problem.message


def test_a_synonym_says_which_item_and_offers_activities_other():
    message = activities.explain("military")
    assert "Annex 1 item 22" in message and "activities_other" in message


def test_a_word_of_no_activity_is_refused_and_activities_other_named():
    (problem,) = problems_of({"counterparty.activities": ["underwater basket weaving"]})
    assert "not in the vocabulary" in problem.message and "activities_other" in problem.message


def test_a_word_with_a_sensitive_and_an_ordinary_meaning_names_the_sensitive_one():
    assert "item 22" in activities.explain("military logistics")


def test_an_end_users_unknown_tag_is_refused_in_its_row():
    (problem,) = problems_of({"end_use.end_users.0.activities": ["missiles"]})
    assert problem.field == "end_use.end_users[0].activities[0]"
    assert "did you mean 'missile'" in problem.message


def test_every_unknown_tag_is_reported_at_once_with_the_other_problems():
    problems = problems_of({"counterparty.activities": ["military", "logistics", "missiles"],
                            "end_use.end_users.0.activities": ["АЭС"], "counterparty.country": "XX"})
    fields = {p.field for p in problems}
    assert {"counterparty.activities[0]", "counterparty.activities[2]", "end_use.end_users[0].activities[0]",
            "counterparty.country"} <= fields
    assert "counterparty.activities[1]" not in fields


def test_the_command_line_refuses_an_unknown_tag_with_exit_2_and_its_line(tmp_path):
    path = write_deal(tmp_path, modified(changes={"counterparty.activities": ["logistics", "nuclear reactors"]}))
    result = invoke("screen", path, "--company", COMPANY)
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if "nuclear reactors" in line]
    assert re.search(r"deal\.yaml:\d+, counterparty\.activities\[1\]: .*did you mean 'nuclear_reactors'", line)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(min_size=1, max_size=30),
                 st.sampled_from([typed for typed, _ in VARIANTS]),
                 st.sampled_from(activities.ALL).map(str.upper)))
def test_any_tag_is_known_or_an_error_never_an_unexplained_proceed(tag):
    try:
        result = validated({"counterparty.activities": [tag]})
    except DealError as error:
        assert any(p.field.startswith("counterparty.activities") for p in error.problems)
        return
    assert tag in activities.ALL
    assert result.deal.counterparty.activities == [tag]


# ------------------------------------------------------------------ the keyword scan of free text


@pytest.mark.parametrize(("field", "text", "number", "found"), [
    ("end_use.purpose.en", "Target recognition for the armed forces", 22, "armed forces"),
    ("end_use.purpose.en", "Planning for the Ministry of Defence", 22, "Ministry of Defence"),
    ("end_use.purpose.en", "Guidance of ballistic missiles", 20, "ballistic missiles"),
    ("end_use.purpose.en", "Quality control in vaccine production", 21, "vaccine"),
    ("end_use.purpose.ru", "Планирование для нужд вооружённых сил", 22, "вооружённых сил"),
    ("end_use.purpose.ru", "Испытания ракетных двигателей", 20, "ракетных двигателей"),
    ("end_use.purpose.ru", "Мониторинг оборудования АЭС", 19, "АЭС"),
    ("solution.description.ru", "Модель для военного применения", 22, "военного"),
    ("solution.description.en", "Predictive maintenance of nuclear reactors", 19, "nuclear reactors"),
])
def test_words_of_an_item_in_free_text_are_a_possible_indicator(field, text, number, found):
    (warning,) = warnings_of({field: text})
    assert warning.field == field and warning.severity == "warning"
    assert f"possible indicator {number}" in warning.message and f"«{found}»" in warning.message


@pytest.mark.parametrize("field", ["counterparty.activities_other", "end_use.end_users.0.activities_other"])
def test_activities_other_is_scanned(field):
    (warning,) = warnings_of({field: ["Поставки оборудования для спецслужб"]})
    assert warning.field == field.replace(".0.", "[0].") + "[0]"
    assert "possible indicator 22" in warning.message


@pytest.mark.parametrize("text", [
    "Automated quality control of diagnostic images in nuclear medicine",
    "Support for the defence of doctoral theses at the university",
    "An artificial intelligence assistant for business intelligence reports",
    "A tool to combat money laundering in retail banking",
    "An app launcher for field engineers",
    "Сервис геологической разведки месторождений",
    "Route planning for the company's own fleet of lorries",
])
def test_ordinary_prose_is_not_a_possible_indicator(text):
    assert warnings_of({"end_use.purpose.en": text}) == []


@pytest.mark.parametrize("stem", sorted(EXAMPLE_DEALS))
def test_no_example_has_a_possible_indicator(stem):
    result = invoke("screen", EXAMPLE_DEALS[stem], "--json", "--company", COMPANY)
    assert json.loads(result.stdout)["possible_indicators"] == []


def test_a_possible_indicator_never_changes_the_decision():
    screening = screen({"end_use.purpose.en": "Target recognition for the armed forces and missile units"})
    assert screening.decision == "proceed"
    assert [p.number for p in screening.possible_indicators] == [20, 22]
    assert screening.fired == []


def test_a_possible_indicator_is_an_error_under_strict():
    problems = problems_of({"end_use.purpose.en": "Target recognition for the armed forces"}, strict=True)
    assert any("possible indicator 22" in p.message and p.severity == "error" for p in problems)


def test_use_text_without_the_matching_suitability_asks_to_declare_it():
    (warning,) = screen({"solution.description.en": "Navigation for military drones"}).possible_indicators
    assert warning.kind == "suitability"
    assert "solution.suitable_for does not include military or intelligence" in warning.message
    assert "пригодность Решения ИИ для него не отмечена" in warning.message_ru


def test_use_text_with_the_suitability_declared_asks_for_the_activity():
    (warning,) = screen({"solution.description.en": "Navigation for military drones",
                         "solution.suitable_for": ["military"]}).possible_indicators
    assert warning.kind == "text"


def test_an_item_already_declared_and_fired_is_not_repeated_as_possible():
    screening = screen({"end_use.purpose.en": "Research for the army", "solution.suitable_for": ["military"],
                        "counterparty.activities": ["military_research"]})
    assert screening.fired == [22]
    assert screening.possible_indicators == ()


def test_screen_json_carries_the_possible_indicators(tmp_path):
    path = write_deal(tmp_path, modified(changes={"end_use.purpose.ru": "Для нужд вооружённых сил"}))
    result = invoke("screen", path, "--json", "--company", COMPANY)
    assert result.exit_code == 0
    (item,) = json.loads(result.stdout)["possible_indicators"]
    assert item["number"] == 22 and item["field"] == "end_use.purpose.ru" and item["found"] == ["вооружённых сил"]
    assert item["kind"] == "suitability" and item["message_ru"].startswith("возможный признак № 22")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["military", "ракетных", "АЭС", "vaccines", "вооружённых сил", "weapons",
                                 "for", "the", "clinic", "и", "склад", "documents"]), min_size=1, max_size=8))
def test_words_in_the_purpose_never_change_the_decision(words):
    assert screen({"end_use.purpose.en": " ".join(words)}).decision == "proceed"


@pytest.mark.parametrize("text", [
    "Взять на вооружение лучшие практики планирования",
    "Разведывательный анализ данных о продажах",
    "Military-grade encryption of patient records",
    "Integration with Rocket.Chat for the support team",
    "Автоматическая расшифровка биохимии крови пациентов",
    "Оптимизация внесения пестицидов на полях хозяйства",
    "Методические материалы Российской академии образования (РАО)",
    "Перенос модели на боевой сервер заказчика",
])
def test_idioms_and_jargon_of_ordinary_prose_are_not_a_possible_indicator(text):
    assert warnings_of({"end_use.purpose.ru": text}) == []


@pytest.mark.parametrize(("text", "number"), [
    ("Production of pesticides and insecticides", 21),
    ("Разработка пестицидов нового поколения", 21),
    ("Контроль качества при производстве вакцин", 21),
    ("Для министерства обороны", 22),
])
def test_making_the_things_of_item_21_or_serving_a_ministry_of_defence_is_a_possible_indicator(text, number):
    assert [w.field for w in warnings_of({"end_use.purpose.ru": text})] == ["end_use.purpose.ru"]
    assert activities.scan(text)[0].item == number


# ------------------------------------------------------------------ spreadsheets


def test_a_spreadsheets_activity_lists_are_read_and_an_end_users_mistyped_tag_refused(tmp_path):
    from clausegen.api import load_profile
    from clausegen.sheets import read_sheet
    from clausegen.validation import validate_deal

    path = tmp_path / "deals.csv"
    base = modified()
    path.write_text(
        "deal_id,contract.number,contract.date,contract.kind,contract.title.en,counterparty.name.en,"
        "counterparty.country,counterparty.activities,counterparty.activities_other,solution.name.en,"
        "solution.delivery,end_use.purpose.en,end_use.end_users.1.name.en,end_use.end_users.1.country,"
        "end_use.end_users.1.activities,end_use.end_users.1.activities_other\n"
        f"T-1,{base['contract']['number']},2026-10-05,license,Licence,Acme,AE,logistics; retail,"
        "Port cranes; Ремонт судов,DocSort,on_premise,Sorting,Acme,AE,healthcare; missiles,Clinics\n",
        encoding="utf-8")
    (record,) = read_sheet(path)
    assert record.data["counterparty"]["activities_other"] == ["Port cranes", "Ремонт судов"]
    assert record.data["end_use"]["end_users"][0]["activities"] == ["healthcare", "missiles"]
    assert record.data["end_use"]["end_users"][0]["activities_other"] == ["Clinics"]
    with pytest.raises(DealError) as caught:
        validate_deal(record, load_profile(COMPANY))
    (problem,) = [p for p in caught.value.problems if "activity tag" in p.message]
    assert problem.field == "end_use.end_users[0].activities[1]" and "did you mean 'missile'" in problem.message


# ------------------------------------------------------------------ the case of issue 13


@pytest.mark.parametrize(("typed", "tag", "number"), [("military", "military_research", 22),
                                                      ("missiles", "missile", 20),
                                                      ("nuclear reactors", "nuclear_reactors", 19)])
def test_the_issues_words_are_refused_and_the_suggested_tag_fires_the_item(tmp_path, typed, tag, number):
    suitable = {"solution.suitable_for": ["military", "nuclear", "missile"]}
    wrong = write_deal(tmp_path, modified(changes={"counterparty.activities": [typed], **suitable}), "wrong.yaml")
    result = invoke("screen", wrong, "--company", COMPANY)
    assert result.exit_code == 2 and f"'{tag}'" in result.stderr
    right = write_deal(tmp_path, modified(changes={"counterparty.activities": [tag], **suitable}), "right.yaml")
    summary = json.loads(invoke("screen", right, "--json", "--company", COMPANY).stdout)
    assert summary["decision"] == "enhanced_due_diligence"
    assert [i["number"] for i in summary["indicators"]] == [number]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs", "Pd", "Pc"]), min_size=1, max_size=20))
def test_on_the_command_line_an_unknown_tag_is_exit_2_never_a_proceed(tag):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="vocab-") as folder:
        path = write_deal(Path(folder), modified(changes={"counterparty.activities": [tag],
                                                          "solution.suitable_for": ["military"]}))
        result = invoke("screen", path, "--json", "--company", COMPANY)
    if tag in activities.ALL:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 2 and "counterparty.activities[0]" in result.stderr


# ---------------------------------------------------------------- the shipped lemma table


def test_the_shipped_lemma_table_says_what_pymorphy3_says_of_every_russian_vocabulary_word():
    import json
    from importlib import resources

    from pymorphy3_dicts_ru import __version__ as dictionary

    from clausegen import activities

    table = json.loads(resources.files("clausegen").joinpath(activities.LEMMAS_FILE).read_text("utf-8"))
    words = {word.lower().replace("ё", "е") for word in activities.vocabulary_words()}
    russian = {word for word in words if activities._CYRILLIC.search(word)}
    assert table["dictionary"] == dictionary, "run python3 tools/build_activity_lemmas.py"
    assert {word: sorted(activities.analysed_lemmas(word)) for word in sorted(russian)} == table["lemmas"], \
        "run python3 tools/build_activity_lemmas.py"


def test_the_vocabulary_is_indexed_without_loading_the_russian_analyser():
    import os
    import subprocess
    import sys

    from helpers import ROOT

    code = ("import sys\nfrom clausegen import activities\nactivities._index()\n"
            "print('pymorphy3' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "False"
