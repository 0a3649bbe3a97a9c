"""Spreadsheets clausegen writes for people who work from spreadsheets.

- :func:`errors_sheet`: after a batch from a CSV/XLSX, every failed row as it was
  given, with its problems beside it in the sheet's own column names, so the file
  can go back to whoever filled it in, be corrected and run again.

Reading sheets is :mod:`clausegen.sheets`; this module only writes them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from .errors import Problem
from .output import write_atomic

ERRORS_STEM = "errors"
_INDEXED = re.compile(r"\[(\d+)\]")
# A cell that a spreadsheet program would run as a formula (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def column_of(field: str, header: list[str]) -> str:
    """The sheet column a problem's field path came from: ``end_use.end_users[0].name.en`` ->
    ``end_use.end_users.1.name.en``, or the nearest column that holds it (``end_use.end_users``)."""
    dotted = _INDEXED.sub(lambda m: f".{int(m[1]) + 1}", field)
    columns = set(header)
    path = dotted
    while path:
        if path in columns:
            return path
        path = path.rsplit(".", 1)[0] if "." in path else ""
    for column in header:  # a field given by several columns (contract.title.ru, contract.title.en)
        if column.startswith(dotted + "."):
            return dotted
    return dotted


def problem_lines(problems: Iterable[Problem], header: list[str]) -> str:
    """One line per problem: ``column: message`` (a row-wide problem without a column)."""
    lines = []
    for problem in problems:
        column = column_of(problem.field, header) if problem.field else ""
        lines.append(f"{column}: {problem.message}" if column else problem.message)
    return "\n".join(lines)


def neutral(cell: str) -> str:
    """The cell with a leading apostrophe when a spreadsheet would otherwise run it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def errors_sheet(path: Path, header: list[str], rows: list[tuple[int, list[str], str]]) -> Path:
    """Write ``errors.xlsx`` or ``errors.csv`` (by ``path``'s suffix) atomically; return its path.

    ``rows`` are (row number in the source, the row's cells as given, the problems as text).
    """
    titles = ["Строка / Row", "Проблемы / Problems", *header]
    table = [[str(number), problems, *cells, *[""] * (len(header) - len(cells))]
             for number, cells, problems in rows]
    if path.suffix == ".xlsx":
        write_atomic(path, _xlsx(titles, table))
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows([titles, *[[neutral(c) for c in r] for r in table]])
        write_atomic(path, buffer.getvalue().encode("utf-8-sig"))  # with a BOM, so Excel reads it as UTF-8
    return path


def _xlsx(titles: list[str], table: list[list[str]]) -> bytes:
    import openpyxl  # imported here: only spreadsheets need it, and it is slow to import
    from openpyxl.styles import Alignment, Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Ошибки"
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text as typed: never a formula, a date or a number
    for cell in sheet["B"][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["B"].width = 70
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_times(buffer.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """openpyxl stamps the workbook with the current time; the same problems give the same bytes."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2000-01-01T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()
