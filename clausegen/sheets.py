"""Deals kept one per row in a spreadsheet (CSV or XLSX), read into :class:`RawRecord` s.

The header row names each column by its dotted field path (``counterparty.country``,
``contract.title.ru``); a row becomes the nested mapping a deal file would hold,
so validation, and its messages, are the same as for YAML.  Rows are numbered as
the spreadsheet program shows them (the header is row 1).

- An empty cell means the field is not given.
- ``ИСТИНА``/``ЛОЖЬ`` (Excel's TRUE and FALSE in a Russian locale) are read as booleans.
- Lists of values (``red_flags``, ``counterparty.activities``, ``counterparty.activities_other``,
  ``solution.suitable_for``, an end user's ``activities`` and ``activities_other``) are
  ``;``-separated: ``7; 13``.
- End users: either indexed columns (``end_use.end_users.1.name.en``,
  ``end_use.end_users.1.country``), or one cell ``end_use.end_users`` holding
  ``Name (CC); Other name (CC)``.
- XLSX cells are read as text the way they are shown (dates as ISO dates,
  whole numbers without ``.0``), so both formats validate alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from .errors import DealError, Problem
from .sources import RawRecord, read_input

MAX_SHEET_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
LIST_FIELDS = frozenset({"red_flags", "counterparty.activities", "counterparty.activities_other",
                         "solution.suitable_for"})
_END_USER_LIST = re.compile(r"^end_use\.end_users\.\d+\.activities(_other)?$")  # an end user's tags and texts
END_USERS = "end_use.end_users"
_END_USER = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[A-Za-z]{2})\)$")
_INDEX = re.compile(r"^\d+$")
SUFFIXES = (".csv", ".xlsx")
# Excel in a Russian locale saves TRUE and FALSE in CSV as these words.
_EXCEL_BOOLEANS = {"ИСТИНА": "true", "ЛОЖЬ": "false", "TRUE": "true", "FALSE": "false"}


def read_sheet(path: Path) -> list[RawRecord | DealError]:
    """Every deal row of a CSV or XLSX file: a record, or the problems that row has.

    Problems with the file as a whole (unreadable, no header, a bad column name)
    raise :class:`DealError`: no row can be trusted then.
    """
    name = str(path)
    raw = read_input(path, MAX_SHEET_BYTES)
    if path.suffix.lower() == ".xlsx":
        rows = _xlsx_rows(raw, name)
    else:
        rows = _csv_rows(raw, name)
    return _records(rows, name)


def _csv_rows(raw: bytes, name: str) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DealError([Problem(f"not UTF-8 text (byte {error.start}); save the spreadsheet as "
                                 "'CSV UTF-8'", "", name)]) from None
    first = text.split("\n", 1)[0]
    # Spreadsheets in a Russian locale save CSV with ';' between cells.
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise DealError([Problem(f"not valid CSV: {error}", "", name)]) from None


def _xlsx_rows(raw: bytes, name: str) -> list[list[str]]:
    import openpyxl  # imported here: only spreadsheets need it, and it is slow to import

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > 20 * MAX_SHEET_BYTES:  # a zip bomb would exhaust memory inside openpyxl
            raise DealError([Problem("the workbook unpacks to more than 400 MiB", "", name)])
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except DealError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise DealError([Problem(f"not a readable XLSX workbook ({type(error).__name__}: {error})", "", name)]) \
            from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header(cells: list[str], name: str) -> list[str]:
    header = [cell.strip() for cell in cells]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, column in enumerate(header, start=1):
        if not column:
            continue
        if column in seen:
            problems.append(Problem(f"column {index} repeats column {seen[column]}", column, name, 1))
        seen[column] = index
        if any(not part for part in column.split(".")):
            problems.append(Problem("a column name is a dotted field path, e.g. counterparty.country",
                                    column, name, 1))
    columns = set(seen)
    for column in columns:
        parts = column.split(".")
        for cut in range(1, len(parts)):
            parent = ".".join(parts[:cut])
            if parent in columns:
                problems.append(Problem(f"column '{parent}' and column '{column}' both give {parent}",
                                        column, name, 1))
    if not columns:
        problems.append(Problem("the first row must name the columns (deal_id, contract.number, ...)", "", name, 1))
    if problems:
        raise DealError(problems, "invalid spreadsheet header")
    return header


def _records(rows: list[list[str]], name: str) -> list[RawRecord | DealError]:
    if not rows:
        raise DealError([Problem("the spreadsheet is empty", "", name)])
    if len(rows) > MAX_ROWS + 1:
        raise DealError([Problem(f"more than {MAX_ROWS} rows", "", name)])
    header = _header(rows[0], name)
    result: list[RawRecord | DealError] = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        problems: list[Problem] = []
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            problems.append(Problem(f"{len(cells)} cells but only {len(header)} named columns", "", name, number))
        data: dict[str, Any] = {}
        for column, cell in zip(header, cells):
            value = cell.strip()
            if column and value:
                _put(data, column, _value(column, value, name, number, problems))
        if problems:
            result.append(DealError(problems))
        else:
            result.append(RawRecord(_lists(data), name, number))
    return result


def _value(column: str, value: str, name: str, row: int, problems: list[Problem]) -> Any:
    if value in _EXCEL_BOOLEANS and column.rsplit(".", 1)[-1] not in ("ru", "en"):
        return _EXCEL_BOOLEANS[value]
    if column in LIST_FIELDS or _END_USER_LIST.match(column):
        return [item.strip() for item in value.split(";") if item.strip()]
    if column == END_USERS:
        users = []
        for item in (part.strip() for part in value.split(";")):
            if not item:
                continue
            match = _END_USER.match(item)
            if match is None:
                problems.append(Problem(f"end user {item!r}: write 'Name (CC)', e.g. 'Acme Ltd (AE)'", column,
                                        name, row))
                continue
            users.append({"name": match["name"], "country": match["country"].upper()})
        return users
    return value


def _put(data: dict[str, Any], column: str, value: Any) -> None:
    parts = column.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _lists(node: Any) -> Any:
    """Mappings keyed only by numbers (``end_users.1``, ``end_users.2``) become lists, in number order."""
    if not isinstance(node, dict):
        return node
    node = {key: _lists(value) for key, value in node.items()}
    if node and all(_INDEX.match(key) for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node
