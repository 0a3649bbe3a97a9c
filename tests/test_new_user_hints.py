"""Small things a new user tripped on (issue 16, part 5): the schema describes the deal file as users
write it, JSON deal files get line numbers, an unknown enum value gets "did you mean", and a money
string shows how to write amount and currency."""

from __future__ import annotations

import json

import pytest
from helpers import COMPANY, invoke, validated, write_deal
from test_sheets import example

from clausegen import api, hints
from clausegen.errors import DealError
from clausegen.sources import parse_text


def problems_of(changes: dict) -> dict[str, str]:
    with pytest.raises(DealError) as caught:
        validated(changes)
    return {problem.field: problem.message for problem in caught.value.problems}


# ------------------------------------------------------------------ the schema


def test_the_schema_does_not_require_the_supplier_the_company_profile_gives():
    assert "supplier" not in api.deal_schema()["required"]


def test_the_schema_still_describes_the_supplier_for_a_deal_that_gives_one():
    assert "supplier" in api.deal_schema()["properties"]


def test_the_schema_command_prints_the_same_schema():
    assert "supplier" not in json.loads(invoke("schema").stdout)["required"]


# ------------------------------------------------------------------ JSON line numbers


def test_a_problem_in_a_json_deal_file_names_its_line(tmp_path):
    data = example("saas-clinic-ae", {"solution.delivery": "cloud"})
    path = write_deal(tmp_path, data, "deal.json")
    line = next(number for number, text in enumerate(path.read_text().splitlines(), 1) if '"cloud"' in text)
    result = invoke("screen", path, "--company", COMPANY)
    assert result.exit_code == 2
    assert f"deal.json:{line}, solution.delivery:" in result.stderr


def test_json_field_lines_are_those_of_the_file():
    record = parse_text('{\n  "deal_id": "A-1",\n  "contract": {\n    "number": "7"\n  }\n}\n', "deal.json")
    assert (record.line_of("deal_id"), record.line_of("contract.number")) == (2, 4)


def test_json_keeps_its_strictness_a_key_given_twice_is_refused():
    with pytest.raises(DealError, match="appears twice"):
        parse_text('{"deal_id": "A-1", "deal_id": "A-2"}', "deal.json")


def test_json_keeps_its_strictness_yaml_only_syntax_is_not_json():
    with pytest.raises(DealError, match="not valid JSON"):
        parse_text("deal_id: A-1\n", "deal.json")


def test_json_values_are_read_as_json_reads_them_not_as_yaml():
    record = parse_text('{"contract": {"number": "010"}, "x": 1e3}', "deal.json")
    assert record.data == {"contract": {"number": "010"}, "x": 1000.0}


# ------------------------------------------------------------------ unknown enum values


@pytest.mark.parametrize(("field", "typed", "meant"), [
    ("solution.delivery", "on-premise", "on_premise"),
    ("solution.delivery", "On Premise", "on_premise"),
    ("solution.delivery", "cloud", "saas"),
    ("payment.method", "wire", "bank_transfer"),
    ("payment.method", "bank_transfr", "bank_transfer"),
    ("contract.kind", "licence", "license"),
])
def test_an_unknown_enum_value_gets_did_you_mean(field, typed, meant):
    message = problems_of({field: typed})[field]
    assert f"unknown value {typed!r} (did you mean '{meant}'?)" in message


def test_an_unknown_enum_value_lists_the_allowed_values():
    message = problems_of({"payment.method": "barter"})["payment.method"]
    assert "did you mean" not in message
    assert message.endswith("allowed here: bank_transfer, letter_of_credit, cash, crypto, other")


def test_a_synonym_is_offered_only_for_a_field_that_allows_its_code():
    assert hints.code_meant("wire", ["saas", "on_premise"]) is None


# ------------------------------------------------------------------ money strings


@pytest.mark.parametrize(("typed", "amount", "currency"), [
    ("EUR 480,000.00", "480000.00", "EUR"),
    ("480 000,50 €", "480000.50", "EUR"),
    ("1.250.000 RUB", "1250000", "RUB"),
    ("$96,000", "96000", "USD"),
])
def test_a_money_string_shows_how_to_write_amount_and_currency(typed, amount, currency):
    message = problems_of({"payment.amount": typed})["payment.amount"]
    assert f"amount: {amount} and currency: {currency}" in message


def test_a_number_with_separators_alone_shows_the_amount_as_a_number():
    message = problems_of({"payment.amount": "480,000.00"})["payment.amount"]
    assert "amount: 480000.00" in message and "currency:" not in message


def test_text_that_is_no_amount_keeps_the_plain_message():
    message = problems_of({"payment.amount": "a lot"})["payment.amount"]
    assert "write the amount" not in message
