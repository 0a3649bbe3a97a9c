"""Spreadsheets clausegen writes for people who work from spreadsheets.

- :func:`errors_sheet`: after a batch from a CSV/XLSX, every failed row as it was
  given, with its problems beside it in the sheet's own column names, so the file
  can go back to whoever filled it in, be corrected and run again.
- :func:`sheet_template`: an empty deal workbook to fill in: every column (from
  ``sheet_columns.yaml``), a filled example row, drop-downs for every choice, date
  and number formats, and an «Инструкция» sheet in Russian.

Reading sheets is :mod:`clausegen.sheets`; this module only writes them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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


# ------------------------------------------------------------------ the deal workbook to fill in

DEALS_SHEET, GUIDE_SHEET, LISTS_SHEET = "Сделки", "Инструкция", "Списки"
_TEMPLATE_ROWS = 500  # rows that get the date and number formats and the drop-downs


def _choices() -> dict[str, list[tuple[str, str]]]:
    """Every drop-down's values, each with its Russian label."""
    from babel import Locale
    from babel.numbers import list_currencies

    from . import activities, labels
    from .model import ContractKind, Delivery, IdentificationResult, KnownUse, PaymentMethod, Suitability

    russian = Locale("ru")

    def coded(group: str, values: list[str]) -> list[tuple[str, str]]:
        return [(value, labels.label(group, value) if labels.has(group, value) else "") for value in values]

    return {
        "contract_kind": coded("contract_kind", [k.value for k in ContractKind]),
        "delivery": coded("delivery", [d.value for d in Delivery]),
        "payment_method": coded("payment_method", [m.value for m in PaymentMethod]),
        "identification_result": coded("identification_result", [r.value for r in IdentificationResult]),
        "suitability": coded("suitability", [s.value for s in Suitability]),
        "known_use": coded("known_use", [u.value for u in KnownUse]),
        "language": [("ru", "русский"), ("en", "английский")],
        "gender": [("male", "мужской"), ("female", "женский")],
        "bool": [("true", "да"), ("false", "нет")],
        "activity": [(tag, activities.label(tag, "ru")) for tag in activities.ALL],
        "country": sorted((code, name) for code, name in russian.territories.items()
                          if len(code) == 2 and code.isalpha() and code != "ZZ"),
        "currency": [(code, russian.currencies.get(code, "")) for code in sorted(list_currencies())],
    }


def _columns() -> list[dict[str, Any]]:
    from importlib import resources

    import yaml

    text = resources.files("clausegen").joinpath("sheet_columns.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["columns"]


def sheet_template(path: Path) -> Path:
    """Write the deal workbook (.xlsx) to ``path`` atomically; return the path."""
    import datetime as dt

    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = _columns()
    choices = _choices()
    workbook = openpyxl.Workbook()
    deals = workbook.active
    deals.title = DEALS_SHEET
    guide = workbook.create_sheet(GUIDE_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)

    ranges: dict[str, str] = {}
    for index, (group, values) in enumerate(sorted(choices.items())):
        code_col, label_col = get_column_letter(2 * index + 1), get_column_letter(2 * index + 2)
        lists[f"{code_col}1"], lists[f"{label_col}1"] = group, "значение"
        for row, (code, label) in enumerate(values, start=2):
            lists[f"{code_col}{row}"], lists[f"{label_col}{row}"] = code, label
        ranges[group] = f"{quote_sheetname(LISTS_SHEET)}!${code_col}$2:${code_col}${len(values) + 1}"

    deals.append([c["column"] for c in columns])
    for cell in deals[1]:
        cell.font = Font(bold=True)
    deals.freeze_panes = "B2"
    for number, spec in enumerate(columns, start=1):
        letter = get_column_letter(number)
        deals.column_dimensions[letter].width = max(14, min(40, len(spec["column"]) + 2))
        kind = spec["kind"]
        example = spec.get("example", "")
        cell = deals.cell(row=2, column=number)
        if kind == "date" and example:
            cell.value = dt.date.fromisoformat(str(example))
        elif kind in ("amount", "int") and example != "":
            cell.value = float(example) if kind == "amount" else int(example)
        elif kind == "bool" and example != "":
            cell.value = bool(example)
        else:
            cell.value = str(example) if example != "" else None
        span = f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}"
        if kind in ("date", "amount"):
            for row in range(2, _TEMPLATE_ROWS + 2):
                deals.cell(row=row, column=number).number_format = "DD.MM.YYYY" if kind == "date" else "#,##0.00"
        group = kind.split(":", 1)[1] if ":" in kind else ("bool" if kind == "bool" else None)
        if group is not None:
            listed = kind.startswith("list:")  # several values separated by «;»: a hint, not a lock
            validation = DataValidation(type="list", formula1=ranges[group], allow_blank=True,
                                        errorStyle="information" if listed else "stop", showErrorMessage=True,
                                        errorTitle="Значение не из списка",
                                        error=("Несколько значений пишите через «;»; каждое — из листа «Списки»."
                                               if listed else f"Выберите значение из листа «{LISTS_SHEET}»."))
            validation.add(span)
            deals.add_data_validation(validation)

    guide.append(["Как заполнять / How to fill in"])
    guide["A1"].font = Font(bold=True)
    for line in (
        "Одна строка листа «Сделки» — одна сделка. Первая строка — имена столбцов: не меняйте их.",
        "Пустая ячейка означает, что сведения не указаны. Несколько значений в ячейке разделяйте «;».",
        "Даты — ДД.ММ.ГГГГ или ГГГГ-ММ-ДД; суммы — 12 000,50 или 12000.50. Номера (ИНН, ОГРН) вводите как текст.",
        "Поставщик берётся из профиля компании (clausegen.yaml, --company); столбцы supplier.* можно добавить.",
        "Для второго конечного пользователя добавьте столбцы end_use.end_users.2.name.en, "
        "end_use.end_users.2.country и т. д.",
        "Строка 2 — пример: замените её своими сделками или удалите.",
        "Запуск: clausegen batch deals.xlsx -o out/ --company clausegen.yaml",
    ):
        guide.append([line])
    guide.append([])
    guide.append(["Столбец", "Что указать", "Обязательно", "Значения"])
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for spec in columns:
        kind = spec["kind"]
        values = {"date": "дата", "amount": "число", "int": "целое число", "bool": "true / false",
                  "list": "текст через «;»", "text": "текст"}.get(kind, "")
        if ":" in kind:
            values = f"из листа «{LISTS_SHEET}», столбец {kind.split(':', 1)[1]}" + (
                "; несколько — через «;»" if kind.startswith("list:") else "")
        guide.append([spec["column"], spec["ru"], "да" if spec.get("required") else "", values])
    for letter, width in zip("ABCD", (38, 90, 12, 40)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomic(path, _fixed_times(buffer.getvalue()))
    return path
