"""Build the shipped DOCX templates in templates/ with python-docx.

The templates are ordinary docxtpl templates: a lawyer may open them in Word,
restyle them and save them back.  This script is how they were first made;
run it again only to start over:  python tools/build_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUT = Path(__file__).resolve().parent.parent / "templates"
FONT = "Times New Roman"


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(3)
    style.paragraph_format.space_before = Pt(0)
    doc.core_properties.author = "clausegen"
    return doc


def page_number_footer(doc: Document) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def set_cell(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.keep_with_next = keep
    run = paragraph.add_run(text)
    run.bold = bold


def tag_row(table, tag: str) -> None:
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run(tag)


def bilingual_rows_table(doc: Document, left: str, right: str) -> None:
    """The two-column body: one row per paragraph, kinds title / heading / para / plain."""
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    no_borders(table)
    tag_row(table, "{%tr for row in rows %}")
    tag_row(table, "{%tr if row.kind == 'title' %}")
    row = table.add_row()
    set_cell(row.cells[0], "{{ row.%s }}" % left, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    set_cell(row.cells[1], "{{ row.%s }}" % right, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    tag_row(table, "{%tr elif row.kind == 'heading' %}")
    row = table.add_row()
    set_cell(row.cells[0], "{{ row.%s }}" % left, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, keep=True)
    set_cell(row.cells[1], "{{ row.%s }}" % right, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, keep=True)
    tag_row(table, "{%tr else %}")
    row = table.add_row()
    set_cell(row.cells[0], "{{ row.%s }}" % left)
    set_cell(row.cells[1], "{{ row.%s }}" % right)
    tag_row(table, "{%tr endif %}")
    tag_row(table, "{%tr endfor %}")
    for column in table.columns:
        for cell in column.cells:
            cell.width = Cm(8.5)


def signature_table(doc: Document) -> None:
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.keep_with_next = True
    heading.add_run("ПОДПИСИ СТОРОН / SIGNATURES OF THE PARTIES").bold = True
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))  # a signature block never breaks across pages
    for cell, who in zip(table.rows[0].cells, ("supplier", "counterparty")):
        first = cell.paragraphs[0]
        first.add_run("{{ sign.%s.role_ru }} / {{ sign.%s.role_en }}" % (who, who)).bold = True
        for line in ("{{ sign.%s.name }}", "{{ sign.%s.position }}", "", "________________ / {{ sign.%s.initials }} /",
                     "", "М.П. (при наличии) / Seal (if any)"):
            paragraph = cell.add_paragraph(line.replace("%s", who) if "%s" in line else line)
            paragraph.paragraph_format.keep_with_next = True
        cell.width = Cm(8.5)


def build_annex() -> None:
    doc = new_document()
    bilingual_rows_table(doc, "left", "right")
    signature_table(doc)
    page_number_footer(doc)
    doc.save(OUT / "annex.docx")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    build_annex()
    print("written:", *sorted(p.name for p in OUT.glob("*.docx")))
