"""Deals kept one per row in a CSV or XLSX sheet (issue 5): columns, cells, rows, whole-file problems.

The sheets are built in tmp_path from the example deals (:func:`write_sheet`), so they follow the
examples instead of rotting as copies; test_batch.py and test_register.py import these helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import COMPANY, EXAMPLE_DEALS, files_in, invoke, modified

from clausegen.api import load_profile
from clausegen.batch import collect
from clausegen.errors import DealError
from clausegen.sheets import read_sheet
from clausegen.sources import RawRecord
from clausegen.validation import validate_deal

END_USERS = "end_use.end_users"

# ------------------------------------------------------------------ building sheets from example deals


def example(stem: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The example deal ``examples/<stem>.yaml`` as plain data (dates as dates), with dotted ``changes``."""
    return modified(yaml.safe_load(EXAMPLE_DEALS[stem].read_text(encoding="utf-8")), changes)


def copies(stem: str, count: int, prefix: str = "EXP-COPY") -> list[dict[str, Any]]:
    """``count`` copies of one example deal, each with its own deal_id."""
    return [example(stem, {"deal_id": f"{prefix}-{number:04d}"}) for number in range(1, count + 1)]


def _end_user_shorthand(users: list[dict[str, Any]]) -> str:
    names = []
    for user in users:
        name = user["name"]
        text = name if isinstance(name, str) else (name.get("en") or name.get("ru"))
        names.append(f"{text} ({user['country']})")
    return "; ".join(names)


def flatten(data: dict[str, Any], *, end_users: str = "indexed", prefix: str = "") -> dict[str, Any]:
    """A deal as one sheet row: dotted column -> value (scalars keep their type).

    Lists of scalars become ``'7; 13'``; end users become indexed columns
    (``end_use.end_users.1.name.en``) or, with ``end_users="shorthand"``, one
    ``Name (CC); Name (CC)`` cell.
    """
    row: dict[str, Any] = {}
    for key, value in data.items():
        column = f"{prefix}{key}"
        if column == END_USERS and end_users == "shorthand":
            row[column] = _end_user_shorthand(value)
        elif column == END_USERS:
            for number, user in enumerate(value, start=1):
                row.update(flatten(user, prefix=f"{column}.{number}."))
        elif isinstance(value, dict):
            row.update(flatten(value, end_users=end_users, prefix=f"{column}."))
        elif isinstance(value, list):
            row[column] = "; ".join(str(item) for item in value)
        else:
            row[column] = value
    return row


def sheet_table(deals: list[dict[str, Any]], *, end_users: str = "indexed") -> tuple[list[str], list[list[Any]]]:
    """The header (every column any deal uses, in first-seen order) and one row of values per deal."""
    rows = [flatten(deal, end_users=end_users) for deal in deals]
    header: list[str] = []
    for row in rows:
        header += [column for column in row if column not in header]
    return header, [[row.get(column) for column in header] for row in rows]


def csv_cell(value: Any) -> str:
    """A value as a CSV cell, the way a spreadsheet program writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, header: list[str], rows: list[list[Any]], *, delimiter: str = ",",
              encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows([csv_cell(value) for value in row] for row in rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """An XLSX with typed cells: real dates, integers and booleans, as a user's workbook has them."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if header:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_sheet(path: Path, deals: list[dict[str, Any]], *, end_users: str = "indexed", delimiter: str = ",",
                encoding: str = "utf-8") -> Path:
    """Write ``deals`` one per row into ``path`` (.csv or .xlsx, by suffix); return the path."""
    header, rows = sheet_table(deals, end_users=end_users)
    if path.suffix == ".xlsx":
        return write_xlsx(path, header, rows)
    return write_csv(path, header, rows, delimiter=delimiter, encoding=encoding)


def only_record(path: Path) -> RawRecord:
    """The one deal row of a sheet, which must have read without problems."""
    (item,) = read_sheet(path)
    assert isinstance(item, RawRecord), item
    return item


def validate(record: RawRecord):
    """Validate a row with the example company profile, as the batch does."""
    return validate_deal(record, load_profile(COMPANY))


# ------------------------------------------------------------------ delimiters and encodings


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "utf-8"), ("\t", "utf-8"), (",", "utf-8-sig"),
                                                     (";", "utf-8-sig")],
                         ids=["semicolon", "tab", "comma-bom", "semicolon-bom"])
def test_csv_delimiter_and_bom_of_spreadsheet_programs_read_like_plain_csv(tmp_path, delimiter, encoding):
    deals = [example(stem) for stem in EXAMPLE_DEALS]
    plain = read_sheet(write_sheet(tmp_path / "plain.csv", deals))
    other = read_sheet(write_sheet(tmp_path / "other.csv", deals, delimiter=delimiter, encoding=encoding))
    assert [record.data for record in other] == [record.data for record in plain]
    assert all(isinstance(record, RawRecord) for record in other)


def test_csv_that_is_not_utf8_exits_2_naming_the_file_and_writes_nothing(tmp_path):
    sheet = write_sheet(tmp_path / "cp1251.csv", [example("onprem-logistics-kz")], encoding="cp1251")
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY,
                    "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 2
    assert any("cp1251.csv" in line and "not UTF-8" in line for line in result.stderr.splitlines())
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the header


@pytest.mark.parametrize(("extra", "named"), [
    ("contract.number", "contract.number"),
    ("contract.title", "contract.title.ru"),
], ids=["repeated-column", "parent-and-child-column"])
def test_header_problem_exits_2_naming_the_column_and_writes_nothing(tmp_path, extra, named):
    header, rows = sheet_table([example("saas-clinic-ae")])
    assert named in header
    sheet = write_csv(tmp_path / "deals.csv", header + [extra], [row + [""] for row in rows])
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY,
                    "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 2
    assert any("row 1" in line and named in line for line in result.stderr.splitlines()), result.stderr
    assert files_in(tmp_path) == {"deals.csv"}


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx", "header-only.csv", "header-only.xlsx"])
def test_sheet_without_deal_rows_exits_2_with_a_clear_message(tmp_path, name):
    header = [] if name.startswith("empty") else sheet_table([example("saas-clinic-ae")])[0]
    path = tmp_path / name
    if path.suffix == ".xlsx":
        write_xlsx(path, header, [])
    elif header:
        write_csv(path, header, [])
    else:
        path.write_bytes(b"")
    result = invoke("batch", path, "-o", tmp_path / "out", "--company", COMPANY,
                    "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 2
    expected = "the spreadsheet is empty" if name.startswith("empty") else "header but no deal rows"
    assert any(name in line and expected in line for line in result.stderr.splitlines()), result.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ cells


def test_xlsx_with_real_date_integer_and_boolean_cells_validates_like_csv(tmp_path):
    deals = [example(stem) for stem in EXAMPLE_DEALS]
    header, rows = sheet_table(deals)
    typed = {type(value) for row in rows for value in row}
    assert {dt.date, int, bool} <= typed  # the workbook really holds typed cells
    from_csv = [validate(record).deal for record in read_sheet(write_csv(tmp_path / "deals.csv", header, rows))]
    from_xlsx = [validate(record).deal for record in read_sheet(write_xlsx(tmp_path / "deals.xlsx", header, rows))]
    assert [deal.model_dump() for deal in from_xlsx] == [deal.model_dump() for deal in from_csv]
    assert from_xlsx[0].contract.date == dt.date(2026, 11, 20)
    assert from_xlsx[0].contract.annex_number == 2


def test_list_cell_separated_by_semicolons_gives_the_list(tmp_path):
    deal = example("onprem-logistics-kz", {"red_flags": [7, 13], "counterparty.activities": ["logistics", "retail"]})
    record = only_record(write_sheet(tmp_path / "deals.csv", [deal]))
    assert record.data["red_flags"] == ["7", "13"]
    validated = validate(record).deal
    assert validated.red_flags == [7, 13]
    assert validated.counterparty.activities == ["logistics", "retail"]


def test_end_users_as_name_and_country_shorthand(tmp_path):
    deal = example("saas-clinic-ae", {END_USERS: [
        {"name": {"en": "Gulf Vision Analytics FZ-LLC"}, "country": "AE"},
        {"name": {"en": "Al Noor Clinics (Sharjah) LLC"}, "country": "ae"},
    ]})
    sheet = write_sheet(tmp_path / "deals.csv", [deal], end_users="shorthand")
    assert END_USERS in next(csv.reader(sheet.open(encoding="utf-8")))
    users = validate(only_record(sheet)).deal.end_use.end_users
    assert [(user.name.get("en"), user.country) for user in users] == [
        ("Gulf Vision Analytics FZ-LLC", "AE"), ("Al Noor Clinics (Sharjah) LLC", "AE")]


def test_end_users_as_indexed_columns_come_in_number_order(tmp_path):
    header = ["deal_id", f"{END_USERS}.10.name.en", f"{END_USERS}.10.country", f"{END_USERS}.2.name.en",
              f"{END_USERS}.2.country", f"{END_USERS}.1.name.en", f"{END_USERS}.1.country"]
    sheet = write_csv(tmp_path / "deals.csv", header, [["EXP-1", "Tenth Ltd", "KZ", "Second Ltd", "AE",
                                                        "First Ltd", "VN"]])
    assert only_record(sheet).data["end_use"]["end_users"] == [
        {"name": {"en": "First Ltd"}, "country": "VN"},
        {"name": {"en": "Second Ltd"}, "country": "AE"},
        {"name": {"en": "Tenth Ltd"}, "country": "KZ"},
    ]


def test_end_user_without_country_in_the_shorthand_is_a_row_problem_naming_row_and_column(tmp_path):
    deals = [example("saas-clinic-ae"), example("hardware-camera-vn")]
    header, rows = sheet_table(deals, end_users="shorthand")
    rows[1][header.index(END_USERS)] = "Ho Chi Minh City Department of Transport"
    good, bad = read_sheet(write_csv(tmp_path / "deals.csv", header, rows))
    assert not good.problems
    (problem,) = bad.problems
    assert (problem.row, problem.field) == (3, END_USERS)
    assert "Name (CC)" in problem.message


def test_row_with_more_cells_than_columns_is_a_row_problem(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae")])
    (item,) = read_sheet(write_csv(tmp_path / "deals.csv", header, [rows[0] + ["stray"]]))
    assert item.problems[0].row == 2
    assert "named columns" in item.problems[0].message


def test_unknown_column_is_reported_for_the_row_and_names_the_column(tmp_path):
    deal = example("saas-clinic-ae")
    deal["counterparty"]["contry"] = deal["counterparty"].pop("country")
    with pytest.raises(DealError) as raised:
        validate(only_record(write_sheet(tmp_path / "deals.csv", [deal])))
    assert any(problem.row == 2 and problem.field == "counterparty.contry" for problem in raised.value.problems)


# ------------------------------------------------------------------ rows


def test_blank_rows_are_skipped_and_later_rows_keep_the_spreadsheet_numbers(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae"), example("hardware-camera-vn")])
    sheet = write_csv(tmp_path / "deals.csv", header, [rows[0], [""] * len(header), rows[1]])
    labels = [label for label, _ in collect(sheet)]
    assert labels == [f"{sheet}, row 2", f"{sheet}, row 4"]
    assert [record.row for record in read_sheet(sheet)] == [2, 4]


def test_russian_excel_booleans_in_a_csv_are_read_as_true_and_false(tmp_path):
    from clausegen.sheets import read_sheet

    sheet = tmp_path / "deals.csv"
    sheet.write_text("deal_id;solution.counterparty_can_modify;knowledge.harm_known\nX-1;ИСТИНА;ЛОЖЬ\n",
                     encoding="utf-8")
    (record,) = read_sheet(sheet)
    assert record.data == {"deal_id": "X-1", "solution": {"counterparty_can_modify": "true"},
                           "knowledge": {"harm_known": "false"}}


# ------------------------------------------------------------------ spreadsheets as people keep them (issue 16)


def _lie_about_dimension(path: Path, claimed: str = "A1:B2") -> Path:
    """Rewrite the worksheet's stored <dimension> so that it claims a smaller sheet than there is."""
    import re
    import zipfile

    parts = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            parts[info.filename] = archive.read(info)
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{claimed}"/>'.encode(), parts[sheet])
    assert f'ref="{claimed}"'.encode() in parts[sheet]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_workbook_whose_stored_dimension_is_stale_is_read_to_its_real_extent(tmp_path):
    deals = copies("saas-clinic-ae", 5)
    path = _lie_about_dimension(write_sheet(tmp_path / "deals.xlsx", deals))
    records = read_sheet(path)
    assert [r.data["deal_id"] for r in records] == [d["deal_id"] for d in deals]
    assert all(validate(r).deal.end_use.purpose is not None for r in records)  # the far columns too


def test_a_formula_without_a_saved_value_is_a_problem_naming_its_cell(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae")])
    rows[0][header.index("payment.amount")] = "=1000*1250"  # openpyxl saves the formula, no value
    (record,) = read_sheet(write_xlsx(tmp_path / "deals.xlsx", header, rows))
    (problem,) = record.problems
    assert (problem.row, problem.field) == (2, "payment.amount")
    assert "formula without a saved value" in problem.message


def _notes_then_deals(tmp_path, notes: str, deals: str) -> Path:
    """A workbook whose first sheet ``notes`` holds a line of text and whose second ``deals`` holds a deal."""
    import openpyxl

    header, rows = sheet_table([example("saas-clinic-ae")])
    workbook = openpyxl.Workbook()
    workbook.active.title = notes
    workbook.active.append(["How to fill in this workbook"])
    sheet = workbook.create_sheet(deals)
    sheet.append(header)
    sheet.append(rows[0])
    workbook.save(tmp_path / "deals.xlsx")
    return tmp_path / "deals.xlsx"


def test_a_workbook_is_read_from_its_deals_sheet_not_from_an_instructions_sheet_before_it(tmp_path):
    (record,) = read_sheet(_notes_then_deals(tmp_path, "Инструкция", "Сделки"))
    assert record.data["deal_id"] == "EXP-2026-0142"


def test_without_a_deals_sheet_the_first_sheet_with_the_header_is_read(tmp_path):
    (record,) = read_sheet(_notes_then_deals(tmp_path, "Read me", "Q4"))
    assert record.data["deal_id"] == "EXP-2026-0142"


def test_a_sheet_named_by_the_user_is_read_and_a_missing_one_is_named_with_the_sheets_there_are(tmp_path):
    import openpyxl

    header, rows = sheet_table([example("saas-clinic-ae"), example("hardware-camera-vn")])
    workbook = openpyxl.Workbook()
    workbook.active.title = "Deals"
    workbook.active.append(header)
    workbook.active.append(rows[0])
    other = workbook.create_sheet("Archive")
    other.append(header)
    other.append(rows[1])
    workbook.save(tmp_path / "deals.xlsx")
    (record,) = read_sheet(tmp_path / "deals.xlsx", sheet="Archive")
    assert record.data["deal_id"] == "EXP-2026-0171"
    with pytest.raises(DealError, match="no sheet named 'Old'; the sheets are: Deals, Archive"):
        read_sheet(tmp_path / "deals.xlsx", sheet="Old")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_russian_dates_and_amounts_are_read_in_both_formats(tmp_path, suffix):
    header, rows = sheet_table([example("saas-clinic-ae")])
    rows[0][header.index("contract.date")] = "01.12.2026"
    rows[0][header.index("payment.amount")] = "12\u00a0000,50"
    path = tmp_path / f"deals{suffix}"
    (write_xlsx if suffix == ".xlsx" else write_csv)(path, header, rows)
    deal = validate(read_sheet(path)[0]).deal
    assert deal.contract.date == dt.date(2026, 12, 1)
    assert str(deal.payment.amount) == "12000.50"


@pytest.mark.parametrize("amount", ["1 250 000", "1 250 000,00", "1'250'000", "1250000.00"])
def test_amounts_with_thousands_separators_are_read(tmp_path, amount):
    header, rows = sheet_table([example("saas-clinic-ae")])
    rows[0][header.index("payment.amount")] = amount
    deal = validate(read_sheet(write_csv(tmp_path / "deals.csv", header, rows))[0]).deal
    assert deal.payment.amount == 1250000


def test_an_ambiguous_amount_is_reported_not_guessed(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae")])
    rows[0][header.index("payment.amount")] = "1,250"  # 1.25 in Russian, 1250 in English
    with pytest.raises(DealError) as raised:
        validate(read_sheet(write_csv(tmp_path / "deals.csv", header, rows))[0])
    assert [p.field for p in raised.value.problems] == ["payment.amount"]


def test_every_problem_of_a_row_is_reported_at_once(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae")], end_users="shorthand")
    rows[0][header.index(END_USERS)] = "No country given"
    rows[0][header.index("counterparty.country")] = "ZZZ"
    rows[0][header.index("payment.currency")] = "usd"
    with pytest.raises(DealError) as raised:
        validate(read_sheet(write_csv(tmp_path / "deals.csv", header, rows))[0])
    fields = sorted(p.field for p in raised.value.problems)
    assert fields == sorted([END_USERS, "counterparty.country", "payment.currency"])
    assert {p.row for p in raised.value.problems} == {2}


def test_a_space_that_protects_a_formula_like_cell_is_kept(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae")])
    rows[0][header.index("solution.description.en")] = " =HYPERLINK(\"http://x\")"
    (record,) = read_sheet(write_csv(tmp_path / "deals.csv", header, rows))
    assert record.data["solution"]["description"]["en"] == " =HYPERLINK(\"http://x\")"


def test_end_users_activities_in_indexed_columns_are_lists(tmp_path):
    header, rows = sheet_table([example("saas-clinic-ae")])
    header.append("end_use.end_users.1.activities_other")
    rows[0].append("clinical trials; radiology")
    (record,) = read_sheet(write_csv(tmp_path / "deals.csv", header, rows))
    assert record.data["end_use"]["end_users"][0]["activities_other"] == ["clinical trials", "radiology"]
