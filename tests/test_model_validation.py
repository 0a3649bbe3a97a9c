"""Deal validation (issue 2, item 2; deal-format.md "What a deal file must never do").

Every bad input: exit code 2, a message naming the file and the field path,
every problem at once, and no output file.
"""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import COMPANY, DELETE, base_deal, files_in, invoke, lines_naming, modified, validated, write_deal
from clausegen.errors import DealError

RUSSIAN_PURPOSE = "Автоматическая сортировка товаросопроводительных документов на складе компании"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder (no ./clausegen.yaml), the current directory for the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def annex(deal_name: str, *extra: str):
    return invoke("annex", deal_name, "-o", "out.docx", "--company", COMPANY, *extra)


def assert_rejected(result, workdir, deal_name: str, field: str) -> None:
    """Exit 2, a line naming both the deal file and ``field``, and nothing written."""
    assert result.exit_code == 2, result.output
    lines = lines_naming(result.stderr, field)
    assert lines, f"no message names {field!r}:\n{result.stderr}"
    assert all(deal_name in line for line in lines), result.stderr
    assert files_in(workdir) == {deal_name}


def test_base_deal_is_valid_and_has_no_language_warnings():
    assert validated().warnings == []


def test_missing_contract_number_is_an_error_naming_file_and_field(workdir):
    write_deal(workdir, modified(changes={"contract.number": DELETE}))
    result = annex("deal.yaml")
    assert_rejected(result, workdir, "deal.yaml", "contract.number")
    assert "missing" in lines_naming(result.stderr, "contract.number")[0]


def test_unknown_delivery_value_is_an_error_naming_the_value(workdir):
    write_deal(workdir, modified(changes={"solution.delivery": "cloud"}))
    result = annex("deal.yaml")
    assert_rejected(result, workdir, "deal.yaml", "solution.delivery")
    assert "cloud" in lines_naming(result.stderr, "solution.delivery")[0]


def test_unknown_key_is_an_error_suggesting_the_known_key(workdir):
    write_deal(workdir, modified(changes={"counterparty.country": DELETE, "counterparty.contry": "AE"}))
    result = annex("deal.yaml")
    assert_rejected(result, workdir, "deal.yaml", "counterparty.contry")
    assert "'country'" in lines_naming(result.stderr, "counterparty.contry")[0]


def test_wrong_type_is_an_error_naming_the_field(workdir):
    write_deal(workdir, modified(changes={"contract.date": "next tuesday"}))
    assert_rejected(annex("deal.yaml"), workdir, "deal.yaml", "contract.date")


def test_duplicated_key_is_an_error_not_a_silent_overwrite(workdir):
    (workdir / "deal.yaml").write_text("deal_id: TEST-0001\ndeal_id: TEST-0002\n", encoding="utf-8")
    result = annex("deal.yaml")
    assert_rejected(result, workdir, "deal.yaml", "deal_id")
    assert "twice" in result.stderr


@pytest.mark.parametrize("name", ["deal.yaml", "deal.json"])
def test_xml_illegal_control_character_is_an_error_naming_the_field(workdir, name):
    write_deal(workdir, modified(changes={"counterparty.name": {"en": "Harbour\x07Freight Analytics Ltd"}}), name)
    result = annex(name)
    assert_rejected(result, workdir, name, "counterparty.name.en")
    assert "U+0007" in lines_naming(result.stderr, "counterparty.name.en")[0]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("deal.yaml", "deal_id: TEST-0001\ncontract:\n  number: LA-1: extra\n  date: 2026-10-05\n",
                     id="yaml"),
        pytest.param("deal.json", '{\n  "deal_id": "TEST-0001",\n  "contract": {,}\n}\n', id="json"),
    ],
)
def test_malformed_file_names_file_and_line(workdir, name, text):
    (workdir / name).write_text(text, encoding="utf-8")
    result = annex(name)
    assert result.exit_code == 2
    assert f"{name}:3" in result.stderr
    assert "Traceback" not in result.output
    assert files_in(workdir) == {name}


def test_file_that_is_not_utf8_is_an_error_naming_it(workdir):
    text = workdir / "source.yaml"
    write_deal(workdir, modified(changes={"counterparty.name": {"ru": "ООО «Ромашка»"}}), "source.yaml")
    (workdir / "deal.yaml").write_bytes(text.read_text(encoding="utf-8").encode("cp1251"))
    text.unlink()
    result = annex("deal.yaml")
    assert result.exit_code == 2
    assert lines_naming(result.stderr, "deal.yaml") and "UTF-8" in result.stderr
    assert files_in(workdir) == {"deal.yaml"}


def test_document_that_is_not_a_mapping_is_an_error_naming_the_file(workdir):
    (workdir / "deal.yaml").write_text("- deal_id: TEST-0001\n", encoding="utf-8")
    result = annex("deal.yaml")
    assert result.exit_code == 2
    assert lines_naming(result.stderr, "deal.yaml")
    assert files_in(workdir) == {"deal.yaml"}


def test_valid_json_deal_is_accepted(workdir):
    write_deal(workdir, base_deal(), "deal.json")
    result = annex("deal.json")
    assert result.exit_code == 0, result.output
    assert (workdir / "out.docx").is_file()


def test_several_problems_are_reported_together(workdir):
    write_deal(workdir, modified(changes={
        "contract.number": DELETE,
        "solution.delivery": "cloud",
        "counterparty.country": DELETE,
        "counterparty.contry": "AE",
        "red_flags": [23],
    }))
    result = annex("deal.yaml")
    assert result.exit_code == 2
    for field in ("contract.number", "solution.delivery", "counterparty.contry", "red_flags[0]"):
        assert lines_naming(result.stderr, field), f"{field} not reported:\n{result.stderr}"
    assert files_in(workdir) == {"deal.yaml"}


@pytest.mark.parametrize("number", [0, 23])
def test_red_flag_outside_1_to_22_is_an_error(workdir, number):
    write_deal(workdir, modified(changes={"red_flags": [7, number]}))
    assert_rejected(annex("deal.yaml"), workdir, "deal.yaml", "red_flags[1]")


@pytest.mark.parametrize(
    "permission",
    [{"number": "ЭК-2026/0001"}, {"number": "ЭК-2026/0001", "date": None}, {"date": "2026-10-01"}],
    ids=["number-only", "number-and-null-date", "date-only"],
)
def test_permission_needs_both_number_and_date(workdir, permission):
    write_deal(workdir, modified(changes={"knowledge.fstec_notice": True, "permission": permission}))
    result = annex("deal.yaml")
    assert_rejected(result, workdir, "deal.yaml", "permission")


def test_russian_text_under_en_is_a_warning_naming_the_field(workdir):
    write_deal(workdir, modified(changes={"end_use.purpose.en": RUSSIAN_PURPOSE}))
    result = annex("deal.yaml")
    assert result.exit_code == 0, result.output
    warnings = lines_naming(result.stderr, "end_use.purpose.en")
    assert warnings and "warning" in warnings[0] and "deal.yaml" in warnings[0]
    assert (workdir / "out.docx").is_file()


def test_russian_text_under_en_is_an_error_under_strict(workdir):
    write_deal(workdir, modified(changes={"end_use.purpose.en": RUSSIAN_PURPOSE}))
    result = annex("deal.yaml", "--strict")
    assert_rejected(result, workdir, "deal.yaml", "end_use.purpose.en")


def test_strict_reports_wrong_language_together_with_other_errors(workdir):
    write_deal(workdir, modified(changes={"contract.number": DELETE, "end_use.purpose.en": RUSSIAN_PURPOSE}))
    result = annex("deal.yaml", "--strict")
    assert result.exit_code == 2
    assert lines_naming(result.stderr, "contract.number")
    assert lines_naming(result.stderr, "end_use.purpose.en")


def test_language_warning_about_profile_text_names_the_profile_file(workdir):
    profile = yaml.safe_load(COMPANY.read_text(encoding="utf-8"))
    profile["supplier"]["address"]["en"] = "123112, г. Москва, Пресненская набережная, дом 12, помещение 4/1"
    (workdir / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    write_deal(workdir, modified())
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", "profile.yaml")
    assert result.exit_code == 0, result.output
    warnings = lines_naming(result.stderr, "supplier.address.en")
    assert warnings and all("profile.yaml" in line for line in warnings), result.stderr


def test_english_text_under_ru_is_a_warning_naming_the_field():
    warnings = validated({"end_use.purpose.ru": "Sorting shipping documents in the company's own warehouse"}).warnings
    assert [w.field for w in warnings] == ["end_use.purpose.ru"]


def test_without_warnings_the_same_deal_and_no_warnings_but_strict_still_refuses_them():
    from clausegen.api import load_profile
    from clausegen.sources import RawRecord
    from clausegen.validation import validate_deal

    data = modified(None, {"end_use.purpose.ru": "Sorting shipping documents in the company's own warehouse"})
    full = validate_deal(RawRecord(data, "deal.yaml"), load_profile(COMPANY))
    quick = validate_deal(RawRecord(data, "deal.yaml"), load_profile(COMPANY), with_warnings=False)
    assert full.warnings and not quick.warnings and quick.deal == full.deal
    with pytest.raises(DealError):
        validate_deal(RawRecord(data, "deal.yaml"), load_profile(COMPANY), strict=True, with_warnings=False)


def test_an_invalid_deal_carries_its_warnings_beside_its_errors():
    from clausegen.errors import DealError

    with pytest.raises(DealError) as caught:
        validated({"end_use.purpose.ru": "Sorting shipping documents in the company's own warehouse",
                   "counterparty.country": "XX"})
    assert [p.field for p in caught.value.problems] == ["counterparty.country"]
    assert [w.field for w in caught.value.warnings] == ["end_use.purpose.ru"]


def test_text_too_short_to_judge_gives_no_language_warning():
    assert validated({"end_use.location.en": "Дубай, ОАЭ"}).warnings == []


def test_schema_command_prints_json_schema_of_the_deal_file():
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "deal_id" in schema["properties"]
    assert {"deal_id", "counterparty", "solution"} <= set(schema["required"])
    assert {"required": ["offer"]} in schema["anyOf"]  # a signed contract, or an offer


PERMISSION_GIVEN = {"knowledge.military_or_wmd_concern": True,
                    "permission": {"number": "КЭК-2026/0412", "date": "2026-11-30"}}


def test_permission_without_recorded_conditions_is_a_warning_naming_the_field():
    (warning,) = [w for w in validated(PERMISSION_GIVEN).warnings if w.field == "permission.conditions"]
    assert warning.severity == "warning" and "not recorded" in warning.message


def test_permission_recorded_as_setting_no_conditions_is_not_a_warning():
    changes = {**PERMISSION_GIVEN, "permission.conditions": []}
    assert [w for w in validated(changes).warnings if w.field == "permission.conditions"] == []


def test_unrecorded_permission_conditions_are_an_error_under_strict():
    with pytest.raises(DealError) as raised:
        validated(PERMISSION_GIVEN, strict=True)
    assert "permission.conditions" in [p.field for p in raised.value.problems]


# ------------------------------------------------------------------ chronology of the 5.3 record (review5 M2)

PERMITTED = {"knowledge.fstec_notice": True, "permission.number": "ЭК-1", "permission.date": "2026-11-28",
             "permission.conditions": []}


def test_screening_dated_before_the_permission_it_cites_is_a_warning_naming_the_field():
    warnings = validated({**PERMITTED, "screening.date": "2026-11-10"}).warnings
    assert [w.field for w in warnings] == ["screening.date"]
    assert "permission.date" in warnings[0].message


def test_approval_dated_before_the_permission_is_a_warning_naming_the_field():
    warnings = validated({**PERMITTED, "screening.date": "2026-11-28", "screening.approved_on": "2026-11-20",
                          "screening.approved_by.name": {"ru": "Кузнецова Мария Сергеевна",
                                                         "en": "Maria Kuznetsova"}}).warnings
    assert [w.field for w in warnings] == ["screening.approved_on"]


def test_screening_on_the_permission_date_gives_no_chronology_warning():
    assert validated({**PERMITTED, "screening.date": "2026-11-28"}).warnings == []


@pytest.mark.parametrize("reference", ["уведомление ФСТЭК России от 6 ноября 2026 г. № 240/33/1187",
                                       "notice No. 240/33/1187 of 06.11.2026"])
def test_identification_dated_before_the_notice_it_records_is_a_warning_naming_the_field(reference):
    warnings = validated({"identification.date": "2026-11-03", "identification.by": "Служба экспортного контроля",
                          "identification.result": "fstec_notice", "identification.reference": reference}).warnings
    assert [w.field for w in warnings] == ["identification.date"]


def test_identification_on_the_notice_date_gives_no_chronology_warning():
    assert validated({"identification.date": "2026-11-06", "identification.by": "Служба экспортного контроля",
                      "identification.result": "fstec_notice",
                      "identification.reference": "уведомление ФСТЭК России от 6 ноября 2026 г. № 240"}).warnings == []
