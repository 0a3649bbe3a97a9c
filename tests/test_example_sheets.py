"""The shipped example sheets and the deal workbook template (issue 16, part 1).

examples/deals.csv and examples/deals.xlsx are the README's batch sources: each row must be the
deal its YAML file describes (tools/build_example_sheets.py writes them).  `clausegen
sheet-template` writes a workbook a sales team fills in; its example row must be a valid deal.
"""

from __future__ import annotations

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, EXAMPLES, invoke

from clausegen.api import load_deal, load_profile
from clausegen.sheets import read_sheet
from clausegen.validation import validate_deal


@pytest.fixture(scope="module")
def profile():
    return load_profile(COMPANY)


@pytest.mark.parametrize("name", ["deals.csv", "deals.xlsx"])
def test_each_row_of_the_example_sheet_is_the_deal_of_its_yaml_file(name, profile):
    from_yaml = {load_deal(path, COMPANY).deal.deal_id: load_deal(path, COMPANY).deal
                 for path in EXAMPLE_DEALS.values()}
    rows = read_sheet(EXAMPLES / name)
    from_sheet = {deal.deal_id: deal for deal in (validate_deal(row, profile).deal for row in rows)}
    assert from_sheet.keys() == from_yaml.keys(), "run python3 tools/build_example_sheets.py"
    for deal_id, deal in from_yaml.items():
        assert from_sheet[deal_id] == deal, f"{name}: {deal_id} differs; run python3 tools/build_example_sheets.py"


@pytest.mark.parametrize(("source", "extra"), [("deals.csv", ("--documents", "annex")), ("deals.xlsx", ())])
def test_the_readme_batch_commands_run_on_the_shipped_sheets(tmp_path, source, extra):
    result = invoke("batch", EXAMPLES / source, "-o", tmp_path / "out", "--company", COMPANY, "--no-register", *extra)
    assert result.exit_code == 0, result.stderr
    assert "0 failed" in result.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "deals.xlsx"
    result = invoke("sheet-template", "-o", path)
    assert result.exit_code == 0, result.stderr
    return path


def test_the_template_example_row_is_a_valid_deal_that_screens(template, profile):
    from clausegen.screening import screen

    (row,) = read_sheet(template)
    assert not row.problems
    deal = validate_deal(row, profile).deal
    assert str(screen(deal).decision) == "proceed"


def test_the_template_has_the_deals_instructions_and_lists_sheets_with_russian_instructions(template):
    import openpyxl

    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["Сделки", "Инструкция", "Списки"]
    header = [cell.value for cell in workbook["Сделки"][1]]
    guide = {row[0]: row[1] for row in workbook["Инструкция"].iter_rows(values_only=True) if row and row[0]}
    assert all(column in guide for column in header)  # every column explained
    assert "Номер сделки" in guide["deal_id"]


def test_the_template_offers_a_drop_down_for_every_choice(template):
    import openpyxl

    workbook = openpyxl.load_workbook(template)
    sheet = workbook["Сделки"]
    header = [cell.value for cell in sheet[1]]
    validated = set()
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            validated.add(header[cell_range.min_col - 1])
    assert {"contract.kind", "solution.delivery", "payment.currency", "payment.method", "counterparty.country",
            "counterparty.activities", "identification.result", "counterparty.address_is_po_box"} <= validated


def test_the_template_is_the_same_bytes_every_time(tmp_path, template):
    again = tmp_path / "again.xlsx"
    assert invoke("sheet-template", "-o", again).exit_code == 0
    assert again.read_bytes() == template.read_bytes()


def test_the_template_refuses_a_name_that_is_not_xlsx(tmp_path):
    result = invoke("sheet-template", "-o", tmp_path / "deals.csv")
    assert result.exit_code == 2 and not (tmp_path / "deals.csv").exists()
