"""Reading an edited review document back: the accepted text of every cell.

The text is read as Word's "Accept all changes" leaves it: insertions (``w:ins``, ``w:moveTo``)
kept, deletions (``w:del``, ``w:moveFrom``, ``w:delText``) dropped, a deleted paragraph mark joins
its paragraph to the next.  Runs are joined whatever way Word split them; quotes, dashes and other
characters are kept as typed.  A content control comes back as its tag with its text, so the import
knows which value or condition it stood for and whether its words were changed.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from ..errors import InputError, Problem
from .export import HEADING, XLSX_HEADER

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # the shipped library's review document is some 150 KB
_HEADING = re.compile(r"^\s*([a-z0-9][a-z0-9-]*)\s+v(\d+)\b")
assert HEADING.startswith("{id} v{version}")  # what _HEADING reads


@dataclass(frozen=True)
class Control:
    """A content control: its tag (which value or tag it stands for) and its accepted text."""

    key: str
    text: str


Item = str | Control


@dataclass
class DocRow:
    number: int | None
    ru: list[Item]
    en: list[Item]
    where: str  # "table row 4" / "row 17": where a message sends the reader


@dataclass
class DocClause:
    id: str
    version: int | None
    where: str
    rows: list[DocRow] = field(default_factory=list)


def read_document(path: Path) -> list[DocClause]:
    """The clauses of a review document (DOCX or XLSX, by its content)."""
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise InputError([Problem(f"larger than {MAX_DOCUMENT_BYTES >> 20} MiB", "", str(path))], "not read")
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "word/document.xml" in names:
                return _docx(package.read("word/document.xml"), path)
        if "xl/workbook.xml" in names:
            return _xlsx(path)
    except (OSError, zipfile.BadZipFile, KeyError) as error:
        raise InputError([Problem(f"cannot read: {error}", "", str(path))], "not read") from None
    raise InputError([Problem("neither a DOCX nor an XLSX file", "", str(path))], "not read")


# ------------------------------------------------------------------ DOCX


def _local(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2]


def _items(element: ElementTree.Element, out: list[Item]) -> None:
    name = _local(element)
    if name in ("del", "moveFrom", "delText", "pPr", "rPr", "sdtPr", "instrText"):
        return
    if name == "t":
        out.append(element.text or "")
    elif name == "tab":
        out.append("\t")
    elif name in ("br", "cr"):
        out.append("\n")
    elif name == "noBreakHyphen":
        out.append("\u2011")
    elif name == "sdt":
        tag = element.find(f"{_W}sdtPr/{_W}tag")
        key = tag.get(f"{_W}val", "") if tag is not None else ""
        inside: list[Item] = []
        for child in element.findall(f"{_W}sdtContent/*"):
            _items(child, inside)
        text = "".join(i if isinstance(i, str) else i.text for i in inside)
        out.append(Control(key, text) if key.startswith("clausegen:") else text)
    else:
        for child in element:
            _items(child, out)


def _paragraphs(cell: ElementTree.Element) -> list[ElementTree.Element]:
    found = []
    for child in cell:
        if _local(child) == "p":
            found.append(child)
        elif _local(child) == "sdt":  # a block-level control around paragraphs
            content = child.find(f"{_W}sdtContent")
            found += _paragraphs(content) if content is not None else []
    return found


def _cell_items(cell: ElementTree.Element) -> list[Item]:
    out: list[Item] = []
    paragraphs = _paragraphs(cell)
    for index, paragraph in enumerate(paragraphs):
        _items(paragraph, out)
        mark_deleted = paragraph.find(f"{_W}pPr/{_W}rPr/{_W}del") is not None
        if index < len(paragraphs) - 1 and not mark_deleted:
            out.append("\n")  # a paragraph typed inside a cell is a new line of the same paragraph
    return _merged(out)


def _merged(items: list[Item]) -> list[Item]:
    merged: list[Item] = []
    for item in items:
        if isinstance(item, str) and merged and isinstance(merged[-1], str):
            merged[-1] += item
        elif item != "":
            merged.append(item)
    return merged


def _text(items: list[Item]) -> str:
    return "".join(i if isinstance(i, str) else i.text for i in items)


def _docx(data: bytes, path: Path) -> list[DocClause]:
    if re.search(rb"<!(DOCTYPE|ENTITY)", data[:4096], re.I):
        raise InputError([Problem("a DOCTYPE or ENTITY declaration is not allowed in a DOCX part", "",
                                  str(path))], "not read")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise InputError([Problem(f"word/document.xml is not well-formed: {error}", "", str(path))],
                         "not read") from None
    body = root.find(f"{_W}body")
    clauses: list[DocClause] = []
    current: DocClause | None = None
    for block in (body if body is not None else []):
        name = _local(block)
        if name == "p":
            match = _HEADING.match(_text(_items_of(block)))
            if match:
                current = DocClause(match.group(1), int(match.group(2)), f"heading “{_text(_items_of(block))}”")
                clauses.append(current)
        elif name == "tbl" and current is not None and not current.rows:
            current.rows = _table_rows(block, current)
    return clauses


def _items_of(paragraph: ElementTree.Element) -> list[Item]:
    out: list[Item] = []
    _items(paragraph, out)
    return _merged(out)


def _table_rows(table: ElementTree.Element, clause: DocClause) -> list[DocRow]:
    rows = []
    for index, row in enumerate(table.findall(f"{_W}tr"), start=1):
        deleted_row = row.find(f"{_W}trPr/{_W}del") is not None  # a row deleted with tracked changes
        if row.find(f"{_W}trPr/{_W}tblHeader") is not None or deleted_row:
            continue
        cells = [_cell_items(cell) for cell in row.findall(f"{_W}tc")]
        where = f"clause {clause.id}, table row {index}"
        if len(cells) != 3:
            rows.append(DocRow(-1, [], [], where + f": {len(cells)} cells instead of 3 (№, RU, EN)"))
            continue
        number = _text(cells[0]).strip()
        rows.append(DocRow(int(number) if number.isdigit() else (None if not number else -1), cells[1], cells[2],
                           where))
    return rows


# ------------------------------------------------------------------ XLSX


def _xlsx(path: Path) -> list[DocClause]:
    from openpyxl import load_workbook

    with path.open("rb") as handle:  # a handle: openpyxl would refuse a name without .xlsx
        workbook = load_workbook(io.BytesIO(handle.read(MAX_DOCUMENT_BYTES)), read_only=True, data_only=True)
    sheet = workbook["Статьи"] if "Статьи" in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(str(v or "").strip() for v in next(rows, ()))[:len(XLSX_HEADER)]
    if header[:6] != XLSX_HEADER[:6]:
        raise InputError([Problem(f"the first row must be the export's header ({', '.join(XLSX_HEADER[:6])})",
                                  "", str(path), 1)], "not read")
    clauses: list[DocClause] = []
    for number, values in enumerate(rows, start=2):
        values = (tuple(values) + (None,) * 6)[:6]
        clause_id, version, _, paragraph, ru, en = values
        if not any(v not in (None, "") for v in values):
            continue
        clause_id = str(clause_id or "").strip() or (clauses[-1].id if clauses else "")
        if not clauses or clauses[-1].id != clause_id:
            clauses.append(DocClause(clause_id, _int(version), f"row {number}"))
        text = str(paragraph).strip() if paragraph not in (None, "") else ""
        paragraph_number = int(float(text)) if re.fullmatch(r"\d+(\.0)?", text) else (None if not text else -1)
        clauses[-1].rows.append(DocRow(paragraph_number, _cell(ru), _cell(en), f"clause {clause_id}, row {number}"))
    return clauses


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _cell(value: object) -> list[Item]:
    text = "" if value is None else str(value)
    return [text.replace("\r\n", "\n")] if text else []
