"""Write examples/deals.csv and examples/deals.xlsx: every example deal (examples/*.yaml), one per row.

The README's batch commands run on them as written.  Run this after changing an example deal;
tests/test_example_sheets.py fails until the sheets say what the YAML files say.

    python3 tools/build_example_sheets.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clausegen.output import write_atomic  # noqa: E402
from clausegen.workbooks import _fixed_times  # noqa: E402  (same bytes on every run)

EXAMPLES = ROOT / "examples"
END_USERS = "end_use.end_users"


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A deal as dotted columns: lists of scalars joined with «; », end users as indexed columns."""
    row: dict[str, Any] = {}
    for key, value in data.items():
        column = f"{prefix}{key}"
        if column == END_USERS:
            for number, user in enumerate(value, start=1):
                row.update(flatten(user, f"{column}.{number}."))
        elif isinstance(value, dict):
            row.update(flatten(value, f"{column}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            # permission.conditions: bilingual items, as indexed columns (permission.conditions.1.ru, ….en),
            # which the sheet reader turns back into a list, so that neither language is lost
            for number, item in enumerate(value, start=1):
                row.update(flatten(item, f"{column}.{number}."))
        elif isinstance(value, list):
            row[column] = "; ".join(str(item) for item in value)
        else:
            row[column] = value
    return row


def cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def main() -> None:
    deals = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.yaml"))
             if path.name != "clausegen.yaml"]
    rows = [flatten(deal) for deal in deals]
    header: list[str] = []
    for row in rows:
        header += [column for column in row if column not in header]
    table = [[row.get(column) for column in header] for row in rows]

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *[[cell(v) for v in r] for r in table]])
    write_atomic(EXAMPLES / "deals.csv", buffer.getvalue().encode("utf-8"))

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Сделки"
    sheet.append(header)
    for values in table:
        sheet.append([v if isinstance(v, (bool, int, float, dt.date)) else cell(v) or None for v in values])
    for row in sheet.iter_rows(min_row=2):
        for item in row:
            if isinstance(item.value, dt.date):
                item.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    workbook.save(out)
    write_atomic(EXAMPLES / "deals.xlsx", _fixed_times(out.getvalue()))
    print(f"wrote {EXAMPLES / 'deals.csv'} and {EXAMPLES / 'deals.xlsx'}: {len(rows)} deals, {len(header)} columns")


if __name__ == "__main__":
    main()
