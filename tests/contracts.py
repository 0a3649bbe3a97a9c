"""A real-looking host contract for ``--into``, made with python-docx: A5 pages, a header and a footer,
a two-level numbered list, tables of its own (one of two columns, as the annex's), and its own styles, among them a ``Footer`` that
looks nothing like the annex's (right-aligned, italic, 7 pt, dark red) and a ``Normal`` in Arial
12 pt with wide spacing."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

#: The host's own list: 1., 1.1., 1.1.1. (abstractNumId and numId chosen high, clear of the template's).
_NUMBERING = (
    f'<w:abstractNum {nsdecls("w")} w:abstractNumId="70"><w:nsid w:val="1A2B3C4D"/>'
    '<w:multiLevelType w:val="multilevel"/>'
    + "".join(f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
              f'<w:lvlText w:val="{"".join(f"%{n + 1}." for n in range(level + 1))}"/><w:lvlJc w:val="left"/>'
              f'<w:pPr><w:ind w:left="{360 * (level + 1)}" w:hanging="360"/></w:pPr></w:lvl>' for level in range(3))
    + "</w:abstractNum>"
)
_NUM = f'<w:num {nsdecls("w")} w:numId="70"><w:abstractNumId w:val="70"/></w:num>'

SECTIONS = [
    ("Subject of the Contract", ["The Supplier grants the Customer access to the Service.",
                                 "The Customer pays the fees set out in the table below."]),
    ("Fees and payment", ["Fees are invoiced monthly in arrears.",
                          "Invoices are payable within thirty days."]),
    ("Term", ["The Contract runs for twelve months.",
              "Annex No. 2 forms an integral part of the Contract."]),
]


def _numbered(document: docx.document.Document, text: str, level: int) -> None:
    paragraph = document.add_paragraph(text)
    paragraph.paragraph_format.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="70"/></w:numPr>'))


def contract(*, placeholder: bool = False, bookmark: bool = False) -> bytes:
    """The contract; with ``placeholder`` (or ``bookmark``) a paragraph for the annex after clause 2,
    so the Term clause comes after the annex."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(148), Mm(210)  # A5 portrait
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(18)
    section.header.paragraphs[0].text = "ACME Clinics LLC · Master Services Contract No. MSC-7/2026"
    footer = section.footer.paragraphs[0]
    footer.text = "Contract MSC-7/2026 — confidential"
    footer.style = document.styles["Footer"]

    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(12)
    normal.paragraph_format.space_after = Pt(9)
    own_footer = document.styles["Footer"]
    own_footer.font.italic, own_footer.font.size = True, Pt(7)
    own_footer.font.color.rgb = RGBColor(0x80, 0x00, 0x00)
    own_footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    clause = document.styles.add_style("Contract Clause Heading", 1)
    clause.base_style = document.styles["Normal"]
    clause.font.bold, clause.font.all_caps = True, True

    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(_NUMBERING))
    numbering.append(parse_xml(_NUM))

    title = document.add_paragraph("MASTER SERVICES CONTRACT No. MSC-7/2026")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    document.add_paragraph("Dubai, 20 November 2026")
    parties = document.add_table(rows=2, cols=2)  # two columns, before the annex's: verify must not take it
    for row, cells in zip(parties.rows, [("Supplier", "Neuroset LLC, Moscow"), ("Customer", "ACME Clinics LLC, Dubai")]):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    for number, (heading, items) in enumerate(SECTIONS, 1):
        _numbered(document, heading, 0)
        document.paragraphs[-1].style = clause
        for item in items:
            _numbered(document, item, 1)
        if number == 2:
            table = document.add_table(rows=3, cols=3)
            table.style = document.styles["Table Grid"]
            for row, cells in zip(table.rows, [("Item", "Unit", "Fee, EUR"), ("Platform access", "month", "9,000"),
                                               ("Support", "month", "1,500")]):
                for cell, value in zip(row.cells, cells):
                    cell.text = value
            if placeholder:
                document.add_paragraph("[[clausegen:annex]]")
            if bookmark:
                marked = document.add_paragraph()
                marked._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="7" w:name="clausegen_annex"/>'))
                marked._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="7"/>'))
    document.add_paragraph("Signed for the Supplier: ____________      Signed for the Customer: ____________")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_contract(path: Path, **options: bool) -> Path:
    path.write_bytes(contract(**options))
    return path


def style_of(data: bytes, name: str):
    """The style named ``name`` (python-docx) of the DOCX ``data``."""
    return docx.Document(io.BytesIO(data)).styles[name]


def section_sizes(data: bytes) -> list[tuple[int, int]]:
    """(width, height) in twips of each section, in order."""
    document = docx.Document(io.BytesIO(data))
    return [(s.page_width.twips, s.page_height.twips) for s in document.sections]


def used_style(element) -> str | None:
    found = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return found.get(qn("w:val")) if found is not None else None
