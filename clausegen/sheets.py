"""Deals kept one per row in a spreadsheet (CSV or XLSX), read into :class:`RawRecord` s.

The header row names each column by its dotted field path (``counterparty.country``,
``contract.title.ru``); a row becomes the nested mapping a deal file would hold,
so validation, and its messages, are the same as for YAML.  Rows are numbered as
the spreadsheet program shows them (the header is row 1).

- An empty cell means the field is not given.
- ``ИСТИНА``/``ЛОЖЬ`` (Excel's TRUE and FALSE in a Russian locale) are read as booleans.
- Lists of values (``red_flags``, ``counterparty.activities``,
  ``solution.suitable_for``, ``knowledge.uses``) are ``;``-separated: ``7; 13``.
- End users: either indexed columns (``end_use.end_users.1.name.en``,
  ``end_use.end_users.1.country``), or one cell ``end_use.end_users`` holding
  ``Name (CC); Other name (CC)``.
- XLSX cells are read as text the way they are shown (dates as ISO dates,
  whole numbers without ``.0``), so both formats validate alike.
- Dates and amounts may be typed the Russian way in either format: ``01.12.2026``,
  ``12 000,50`` (spaces, no-break spaces or apostrophes between thousands).
- A workbook is read from its sheet named «Сделки» or "Deals" (or ``sheet=``), else
  from the first sheet whose first row has a ``deal_id`` column; its real extent is
  read, whatever size the file claims.  A formula without a saved value is a problem,
  never an empty cell.
- A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` keeps the leading space or
  apostrophe that protected it from being run as a formula.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import re
import stat
import typing
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import DealError, Problem
from .sources import RawRecord, read_input, unreadable

MAX_SHEET_BYTES = 20 * 1024 * 1024  # a workbook, read whole into memory
MAX_CSV_BYTES = 1024 * 1024 * 1024  # a CSV file is read a row at a time: its rows are what is limited
MAX_ROWS = 100_000
LIST_FIELDS = frozenset({"red_flags", "counterparty.activities", "counterparty.activities_other",
                         "solution.suitable_for", "permission.conditions", "knowledge.uses"})
# The same lists for each end user, in indexed columns (end_use.end_users.2.activities).
END_USER_LIST_FIELDS = frozenset({"activities", "activities_other"})
END_USERS = "end_use.end_users"
SHEET_NAMES = ("сделки", "deals")  # the sheet to read when a workbook has several
_END_USER = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[A-Za-z]{2})\)$")
_RU_DATE = re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})(?:\s*г\.?)?$")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}(?:\D|$))")
_RU_AMOUNT = re.compile(r"^\d+(?:,\d{1,2})?$")
_FORMULA_START = ("=", "+", "-", "@")
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")  # a cell formula in a worksheet's XML
_INDEX = re.compile(r"^\d+$")
SUFFIXES = (".csv", ".xlsx")
# Excel in a Russian locale saves TRUE and FALSE in CSV as these words.
_EXCEL_BOOLEANS = {"ИСТИНА": "true", "ЛОЖЬ": "false", "TRUE": "true", "FALSE": "false"}


def read_sheet(path: Path, sheet: str | None = None) -> list[RawRecord | DealError]:
    """Every deal row of a CSV or XLSX file, as a record (with the problems its cells have, if any).

    Problems with the file as a whole (unreadable, no header, a bad column name)
    raise :class:`DealError`: no row can be trusted then.
    """
    return list(open_sheet(path, sheet))


class Sheet:
    """A sheet checked whole before its first deal is read (readable, a sound header, not too many
    rows) and counted; its rows are then read again, one at a time, as they are used.

    So a batch of 100,000 rows holds one row at a time, not the file, its text and every record.
    """

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        self.path, self.name = path, str(path)
        self.index: int | None = None  # the worksheet of a workbook
        self.unsaved: set[tuple[int, int]] = set()
        self.raw: bytes | None = None  # a workbook is read whole (capped): openpyxl reads from memory
        if path.suffix.lower() == ".xlsx":
            self.raw = read_input(path, MAX_SHEET_BYTES)
            self.index, self.unsaved = _xlsx_check(self.raw, self.name, sheet)
        elif sheet is not None:
            raise DealError([Problem("a CSV file has no sheets; leave out --sheet", "", self.name)])
        self.total = 0
        self.header: list[str] = []
        for number, cells in enumerate(self.rows(), start=1):
            if number == 1:
                self.header = _header(cells, self.name)
            elif _filled(cells, number, self.unsaved):
                self.total += 1
                if self.total > MAX_ROWS:
                    raise DealError([Problem(f"more than {MAX_ROWS} rows", "", self.name)])
        if not self.header:
            raise DealError([Problem("the spreadsheet is empty", "", self.name)])

    def rows(self) -> Iterator[list[str]]:
        """The cells of the sheet as text, row by row (the header first)."""
        if self.raw is not None:
            assert self.index is not None
            return _xlsx_rows(self.raw, self.name, self.index)
        return _csv_rows(self.path, self.name)

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[RawRecord | DealError]:
        kinds = _column_kinds()
        rows = self.rows()
        next(rows, None)  # the header, checked already
        for number, cells in enumerate(rows, start=2):
            if _filled(cells, number, self.unsaved):
                yield _record(self.header, cells, self.name, number, self.unsaved, kinds)


def open_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The deal rows of a CSV or XLSX file, checked whole and counted now, read as they are used."""
    return Sheet(path, sheet)


def read_rows(path: Path, sheet: str | None = None) -> Iterator[list[str]]:
    """The cells of the sheet as text, row by row, the header first (read as they are used)."""
    return open_sheet(path, sheet).rows()


def _filled(cells: list[str], number: int, unsaved: set[tuple[int, int]]) -> bool:
    return any(cell.strip() for cell in cells) or any(row == number for row, _ in unsaved)


def _csv_rows(path: Path, name: str) -> Iterator[list[str]]:
    """The rows of a CSV file, read from the file as they are used (its size capped by
    :data:`MAX_CSV_BYTES`, its rows by :data:`MAX_ROWS`)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise OSError("not a regular file (a pipe, device or socket); give a file")
        if path.stat().st_size > MAX_CSV_BYTES:
            raise OSError(f"file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB")
        stream = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as error:
        raise unreadable(error, name) from None
    return _csv_read(stream, path, name)


def _csv_read(stream: Any, path: Path, name: str) -> Iterator[list[str]]:
    with stream:
        try:
            first = stream.readline()
            # Spreadsheets in a Russian locale save CSV with ';' between cells.
            delimiter = max((",", ";", "\t"), key=first.split("\n", 1)[0].count)
            yield from csv.reader(itertools.chain([first] if first else [], stream), delimiter=delimiter, strict=True)
        except UnicodeDecodeError:
            raise DealError([Problem(f"not UTF-8 text (byte {_bad_byte(path)}); save the spreadsheet as "
                                     "'CSV UTF-8'", "", name)]) from None
        except csv.Error as error:
            raise DealError([Problem(f"not valid CSV: {error}", "", name)]) from None


def _bad_byte(path: Path) -> int:
    """Where the first byte that is not UTF-8 is (counted after a byte-order mark)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return max(0, offset - pending + error.start)
            offset += len(chunk)
    return offset


def _xlsx_check(raw: bytes, name: str, wanted: str | None) -> tuple[int, set[tuple[int, int]]]:
    """The worksheet to read, and its formulas without a saved value; a file that is no workbook raises."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            formulas = any(_FORMULA.search(archive.read(info)) for info in archive.infolist()
                           if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"))
        if unpacked > 20 * MAX_SHEET_BYTES:  # a zip bomb would exhaust memory inside openpyxl
            raise DealError([Problem("the workbook unpacks to more than 400 MiB", "", name)])
        values = _open_workbook(raw, data_only=True)
    except DealError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise DealError([Problem(f"not a readable XLSX workbook ({type(error).__name__}: {error})", "", name)]) \
            from None
    try:
        index = _sheet_index(values, name, wanted)
    finally:
        values.close()
    # Only a workbook with formulas is read a second time, for the formulas themselves.
    return index, (_unsaved_formulas(raw, index) if formulas else set())


def _xlsx_rows(raw: bytes, name: str, index: int) -> Iterator[list[str]]:
    values = _open_workbook(raw, data_only=True)
    try:
        sheet = values.worksheets[index]
        sheet.reset_dimensions()  # the stored <dimension> may be stale: read every row and column there is
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        values.close()


def _open_workbook(raw: bytes, *, data_only: bool) -> Any:
    import openpyxl  # imported here: only spreadsheets need it, and it is slow to import

    return openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)


def _sheet_index(workbook: Any, name: str, wanted: str | None) -> int:
    titles = [sheet.title for sheet in workbook.worksheets]
    if wanted is not None:
        for index, title in enumerate(titles):
            if title == wanted:
                return index
        raise DealError([Problem(f"no sheet named {wanted!r}; the sheets are: {', '.join(titles)}", "", name)])
    for index, title in enumerate(titles):
        if title.strip().casefold() in SHEET_NAMES:
            return index
    for index, sheet in enumerate(workbook.worksheets):
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        if any(isinstance(cell, str) and cell.strip() == "deal_id" for cell in first):
            return index
    return 0  # no sheet has the header: the first one's header is reported as it is


def _unsaved_formulas(raw: bytes, index: int) -> set[tuple[int, int]]:
    """Cells holding a formula whose value was never saved (a file written by a program, not by Excel)."""
    found = set()
    workbooks = [_open_workbook(raw, data_only=False), _open_workbook(raw, data_only=True)]
    try:
        formulas, values = (book.worksheets[index] for book in workbooks)
        formulas.reset_dimensions()
        values.reset_dimensions()
        rows = zip(formulas.iter_rows(values_only=True), values.iter_rows(values_only=True))
        for number, (row, saved) in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if (isinstance(value, str) and value.startswith("=") and column <= len(saved)
                        and _cell_text(saved[column - 1]) == ""):
                    found.add((number, column))
        return found
    finally:
        for book in workbooks:
            book.close()


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


def _record(header: list[str], cells: list[str], name: str, number: int, unsaved: set[tuple[int, int]],
            kinds: dict[str, str]) -> RawRecord:
    problems: list[Problem] = []
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
        problems.append(Problem(f"{len(cells)} cells but only {len(header)} named columns", "", name, number))
    data: dict[str, Any] = {}
    for index, (column, cell) in enumerate(zip(header, cells), start=1):
        if (number, index) in unsaved:
            problems.append(Problem("a formula without a saved value: open the file in Excel or LibreOffice "
                                    "and save it, so that the value is stored", column, name, number))
            continue
        value = _kept(cell)
        if column and value:
            _put(data, column, _value(column, value, name, number, problems, kinds))
    # The cells' own problems travel with the record, so validation adds the other fields' problems to them.
    return RawRecord(_lists(data), name, number, problems=problems)


def _kept(cell: str) -> str:
    """The cell's text without surrounding space, except the space that stops it being read as a formula."""
    value = cell.strip()
    if value.startswith(_FORMULA_START) and value != cell.rstrip():
        return cell.rstrip()
    return value


@functools.cache
def _column_kinds() -> dict[str, str]:
    """'date' or 'amount' for each dotted column whose field is a date or an amount (from the deal model)."""
    from .model import Deal  # the model is read only to know the columns' kinds

    kinds: dict[str, str] = {}

    def walk(model: Any, prefix: str) -> None:
        for field_name, info in model.model_fields.items():
            path = f"{prefix}{field_name}"
            for kind in _leaf_types(info.annotation):
                if kind is dt.date:
                    kinds[path] = "date"
                elif kind is Decimal:
                    kinds[path] = "amount"
                elif isinstance(kind, type) and hasattr(kind, "model_fields"):
                    walk(kind, f"{path}.")

    walk(Deal, "")
    return kinds


def _leaf_types(annotation: Any) -> list[Any]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list:
        return []  # lists of models (end users) are indexed columns, named by number
    if args and typing.get_origin(annotation) is not typing.Literal:
        return [leaf for arg in args for leaf in _leaf_types(arg)]
    return [annotation]


def _typed(column: str, value: str, kinds: dict[str, str]) -> str:
    """A Russian date or amount as the ISO date or plain number the model reads; anything else as typed."""
    kind = kinds.get(column)
    if kind == "date" and (match := _RU_DATE.match(value)):
        return f"{int(match['year']):04d}-{int(match['month']):02d}-{int(match['day']):02d}"
    if kind == "amount":
        compact = _THOUSANDS.sub("", value)
        if _RU_AMOUNT.match(compact):
            return compact.replace(",", ".")
        return compact if re.fullmatch(r"\d+(?:\.\d{1,2})?", compact) else value
    return value


def _value(column: str, value: str, name: str, row: int, problems: list[Problem],
           kinds: dict[str, str]) -> Any:
    if value in _EXCEL_BOOLEANS and column.rsplit(".", 1)[-1] not in ("ru", "en"):
        return _EXCEL_BOOLEANS[value]
    parts = column.split(".")
    if column in LIST_FIELDS or (column.startswith(END_USERS + ".") and len(parts) == 4
                                 and _INDEX.match(parts[2]) and parts[3] in END_USER_LIST_FIELDS):
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
    return _typed(column, value, kinds)


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
