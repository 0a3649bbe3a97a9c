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
    hyphenation(doc)
    return doc


def hyphenation(doc: Document) -> None:
    """Automatic hyphenation (Word and LibreOffice both honour it): justified narrow Russian columns
    otherwise show wide gaps between long words."""
    settings = doc.settings.element
    anchor = settings.find(qn("w:defaultTabStop"))
    # the schema's order: defaultTabStop, autoHyphenation, consecutiveHyphenLimit, hyphenationZone
    for name, value in reversed((("w:autoHyphenation", None), ("w:consecutiveHyphenLimit", "2"),
                                 ("w:hyphenationZone", "357"))):
        element = OxmlElement(name)
        if value is not None:
            element.set(qn("w:val"), value)
        if anchor is not None:
            anchor.addnext(element)
        else:
            settings.insert(0, element)


def _field(paragraph, instruction: str, size: float | None = None) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    if size is not None:
        properties = OxmlElement("w:rPr")
        for name in ("w:sz", "w:szCs"):
            element = OxmlElement(name)
            element.set(qn("w:val"), str(int(size * 2)))  # half-points
            properties.append(element)
        run.append(properties)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


#: «Стр. X из Y / Page X of Y»: the words around the PAGE and NUMPAGES fields, per language.
PAGE_WORDS = {"ru": ("Стр. ", " из "), "en": ("Page ", " of ")}


#: The words of a one-language template's footer, filled from the context in the document's language.
PAGE_WORDS["one"] = ("{{ footer.page }}", "{{ footer.of }}")


def page_number_footer(doc: Document, langs: tuple[str, ...] = ("ru", "en")) -> None:
    """Centred footer «Стр. X из Y / Page X of Y»; ("one",) for a template that serves either language."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, lang in enumerate(langs):
        page, of = PAGE_WORDS[lang]
        paragraph.add_run((" / " if index else "") + page).font.size = Pt(8)
        _field(paragraph, "PAGE", 8)
        paragraph.add_run(of).font.size = Pt(8)
        _field(paragraph, "NUMPAGES", 8)


def running_header(doc: Document, text: str) -> None:
    """A small right-aligned header on every page (the annex: its number and the contract's)."""
    paragraph = doc.sections[0].header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(text).font.size = Pt(8)


def cell_language(cell, lang_tag: str) -> None:
    """Mark the text of a cell as being in ``lang_tag`` (e.g. "{{ layout.left_lang }}"), so that
    hyphenation uses the right patterns in each column whichever order the columns come in."""
    for run in cell.paragraphs[0].runs:
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), lang_tag)
        run._r.get_or_add_rPr().append(language)


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
    if bold:  # a title or a heading is never hyphenated
        no_hyphenation(paragraph)


def column_widths(table, widths_cm: tuple[float, ...]) -> None:
    """Fix column widths in the grid too: LibreOffice reads w:gridCol, Word the cells."""
    table.autofit = False
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        grid_col.set(qn("w:w"), str(int(Cm(width).twips)))
    for index, width in enumerate(widths_cm):
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def tag_row(table, tag: str) -> None:
    row = table.add_row()
    row.cells[0].paragraphs[0].add_run(tag)


def keep_row_with_next(row) -> None:
    """A row that never breaks across pages and stays on the page of what follows it (Word and LibreOffice
    both keep a table row with the next block when every paragraph in it is kept with the next)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell in row.cells:
        for par in cell.paragraphs:
            par.paragraph_format.keep_with_next = True


def bilingual_rows_table(doc: Document, left: str, right: str, langs: tuple[str, str] | None = None,
                         closing: bool = False) -> None:
    """The two-column body: one row per paragraph, kinds title / heading / para / plain; ``langs``
    marks each column's language (values or template tags).  ``closing`` (letters): rows of kind "closing",
    the letter's last paragraphs, stay on the page of the signature that follows them (review 6: a
    signature block alone on the last page of a request)."""
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
    tag_row(table, "{%tr elif row.kind == 'list' %}")
    row = table.add_row()  # lines ending in a manual break would be stretched if justified
    set_cell(row.cells[0], "{{ row.%s }}" % left, align=WD_ALIGN_PARAGRAPH.LEFT)
    set_cell(row.cells[1], "{{ row.%s }}" % right, align=WD_ALIGN_PARAGRAPH.LEFT)
    if closing:
        tag_row(table, "{%tr elif row.kind == 'closing' %}")
        row = table.add_row()
        set_cell(row.cells[0], "{{ row.%s }}" % left)
        set_cell(row.cells[1], "{{ row.%s }}" % right)
        keep_row_with_next(row)
    tag_row(table, "{%tr else %}")
    row = table.add_row()
    set_cell(row.cells[0], "{{ row.%s }}" % left)
    set_cell(row.cells[1], "{{ row.%s }}" % right)
    tag_row(table, "{%tr endif %}")
    tag_row(table, "{%tr endfor %}")
    column_widths(table, (8.5, 8.5))
    if langs is not None:
        for row in table.rows:
            if len(row.cells[0].paragraphs[0].runs) and "{{" in row.cells[0].text:
                cell_language(row.cells[0], langs[0])
                cell_language(row.cells[1], langs[1])


#: The children of w:pPr that the schema puts after w:suppressAutoHyphens.
_AFTER_SUPPRESS_AUTO_HYPHENS = tuple(f"w:{name}" for name in (
    "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))


def no_hyphenation(paragraph) -> None:
    """A line of a signature block is never hyphenated (w:suppressAutoHyphens, which LibreOffice and Word
    both honour): a name, a position or a blank broken across lines is no signature block."""
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(OxmlElement("w:suppressAutoHyphens"), *_AFTER_SUPPRESS_AUTO_HYPHENS)


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
        no_hyphenation(first)
        # Each on a line of its own, short enough for the column: the signature line, the name in
        # Russian and in Latin script, the position, the date line.
        for line, before in (("{{ sign.%s.name }}", 0), ("{{ sign.%s.position }}", 4), ("________________________", 24),
                             ("{{ sign.%s.person }}", 0), ("{{ sign.%s.date }}", 10), ("{{ sign.%s.seal }}", 10)):
            line_paragraph = cell.add_paragraph(line.replace("%s", who) if "%s" in line else line)
            line_paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            line_paragraph.paragraph_format.space_before = Pt(before)
            line_paragraph.paragraph_format.keep_with_next = True
            no_hyphenation(line_paragraph)
        cell.width = Cm(8.5)


def build_annex() -> None:
    doc = new_document()
    running_header(doc, "{{ layout.header }}")
    bilingual_rows_table(doc, "left", "right", ("{{ layout.left_lang }}", "{{ layout.right_lang }}"))
    signature_table(doc)
    page_number_footer(doc)
    doc.save(OUT / "annex.docx")


def paragraph(container, text: str, *, bold: bool = False, align=None, size: float | None = None,
              before: float = 0, after: float = 3):
    par = container.add_paragraph()
    if align is not None:
        par.alignment = align
    par.paragraph_format.space_before = Pt(before)
    par.paragraph_format.space_after = Pt(after)
    run = par.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    return par


def letterhead(doc: Document, langs: tuple[str, ...]) -> None:
    """Supplier's letterhead, outgoing number and date, and the addressee."""
    table = doc.add_table(rows=1, cols=len(langs))
    no_borders(table)
    for cell, lang in zip(table.rows[0].cells, langs):
        cell.paragraphs[0].add_run("{{ head.%s.name }}" % lang).bold = True
        for line in ("{{ head.%s.address }}", "{{ head.%s.registration }}", "{{ head.%s.email }}"):
            paragraph(cell, line % lang, size=9, after=0)
        paragraph(cell, "{{ head.%s.reference }}" % lang, before=8)
        paragraph(cell, "{{ head.%s.to_label }}" % lang, bold=True, before=8, after=0)
        paragraph(cell, "{{ head.%s.to_name }}" % lang, after=0)
        paragraph(cell, "{{ head.%s.to_address }}" % lang)
        # names and addresses are never hyphenated: «Сейшельские Остро-ва», «ул. Амира Тему-ра» (reviews 28, 31)
        for line in cell.paragraphs:
            no_hyphenation(line)


def letter_signature(doc: Document) -> None:
    doc.add_paragraph().add_run("{%p if sign %}")
    table = doc.add_table(rows=1, cols=1)
    no_borders(table)
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))
    cell = table.rows[0].cells[0]
    first = cell.paragraphs[0]
    first.paragraph_format.space_before = Pt(18)
    first.add_run("{{ sign.position }}")
    no_hyphenation(first)
    # the signature line, then the name (in each language of the letter) on lines of their own
    for line, before in (("{{ sign.company }}", 0), ("________________________", 24), ("{{ sign.name }}", 0)):
        no_hyphenation(paragraph(cell, line, before=before))
    doc.add_paragraph().add_run("{%p endif %}")


#: The language of each column of a letter, for hyphenation: Russian words with Russian patterns.
LETTER_LANGUAGES = {"ru": "ru-RU", "en": "en-GB"}


def letter_languages(table, langs: tuple[str, ...]) -> None:
    """Mark every run of each column of ``table`` with that column's language (w:lang)."""
    for row in table.rows:
        for cell, lang in zip(row.cells, langs):
            for par in cell.paragraphs:
                _mark_runs(par.runs, LETTER_LANGUAGES[lang])


def _mark_runs(runs, value: str) -> None:
    for run in runs:
        element = OxmlElement("w:lang")
        element.set(qn("w:val"), value)
        run._r.get_or_add_rPr().append(element)


def single_language(doc: Document) -> None:
    """A one-language letter: every run in the letter's language, a template tag (``language``)."""
    paragraphs = list(doc.paragraphs) + [par for table in doc.tables for row in table.rows for cell in row.cells
                                         for par in cell.paragraphs]
    for par in paragraphs:
        _mark_runs([run for run in par.runs if "{%" not in run.text], "{{ language }}")


def build_letter() -> None:
    doc = new_document()
    letterhead(doc, ("ru", "en"))
    paragraph(doc, "")
    bilingual_rows_table(doc, "ru", "en", closing=True)
    for table in doc.tables:
        letter_languages(table, ("ru", "en"))
    letter_signature(doc)
    page_number_footer(doc)
    doc.save(OUT / "letter.docx")


def single_language_rows(doc: Document) -> None:
    """The body of a letter in one language: one paragraph per row; the closing ones (kind "closing") are
    kept on the page of the signature."""
    paragraph(doc, "{%p for row in rows %}")
    paragraph(doc, "{%p if row.kind == 'title' %}")
    no_hyphenation(paragraph(doc, "{{ row.text }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=8))
    paragraph(doc, "{%p elif row.kind == 'list' %}")
    paragraph(doc, "{{ row.text }}", align=WD_ALIGN_PARAGRAPH.LEFT, after=6)
    paragraph(doc, "{%p elif row.kind == 'closing' %}")
    closing = paragraph(doc, "{{ row.text }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    closing.paragraph_format.keep_with_next = True
    closing.paragraph_format.keep_together = True
    paragraph(doc, "{%p else %}")
    paragraph(doc, "{{ row.text }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    paragraph(doc, "{%p endif %}")
    paragraph(doc, "{%p endfor %}")


def build_single(head, signature, name: str) -> None:
    """A one-language template (the letter's or the statement's): the head, the rows, the signature."""
    doc = new_document()
    head(doc, ("one",))
    paragraph(doc, "")
    single_language_rows(doc)
    signature(doc)
    single_language(doc)
    page_number_footer(doc, ("one",))
    doc.save(OUT / name)


def build_letter_single() -> None:
    build_single(letterhead, letter_signature, "letter-single.docx")


def statement_head(doc: Document, langs: tuple[str, ...]) -> None:
    """The end user's letterhead: a framed blank for its particulars (prefilled where the deal names
    the end user), its outgoing number and date, and the Supplier as addressee."""
    table = doc.add_table(rows=1, cols=len(langs))
    table.style = "Table Grid"  # the frame shows where the end user's letterhead or particulars go
    for cell, lang in zip(table.rows[0].cells, langs):
        first = cell.paragraphs[0]
        run = first.add_run("{{ head.%s.blank }}" % lang)
        run.italic = True
        run.font.size = Pt(8)
        for line in ("{{ head.%s.name }}", "{{ head.%s.address }}", "{{ head.%s.registration }}"):
            paragraph(cell, line % lang, size=9, after=0)
        paragraph(cell, "{{ head.%s.reference }}" % lang, size=9, before=6)
    table = doc.add_table(rows=1, cols=len(langs))
    no_borders(table)
    for cell, lang in zip(table.rows[0].cells, langs):
        first = cell.paragraphs[0]
        first.paragraph_format.space_before = Pt(8)
        first.add_run("{{ head.%s.to_label }}" % lang).bold = True
        paragraph(cell, "{{ head.%s.to_name }}" % lang, after=0)
        paragraph(cell, "{{ head.%s.to_address }}" % lang, after=0)
        paragraph(cell, "{{ head.%s.form }}" % lang, size=8, before=6)
    for table in doc.tables[-2:]:  # the end user's particulars and the addressee, never hyphenated
        for cell in table.rows[0].cells:
            for line in cell.paragraphs:
                no_hyphenation(line)


def statement_signature(doc: Document) -> None:
    """The end user's signature and seal: the statement is signed by the end user, never the Supplier."""
    table = doc.add_table(rows=1, cols=1)
    no_borders(table)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    cell = table.rows[0].cells[0]
    first = cell.paragraphs[0]
    first.paragraph_format.space_before = Pt(18)
    first.paragraph_format.keep_with_next = True
    first.add_run("{{ sign.role }}").bold = True
    for line, before in (("{{ sign.company }}", 0), ("{{ sign.position }}", 10), ("{{ sign.person }}", 6),
                         ("{{ sign.signature }}", 6), ("{{ sign.date }}", 6), ("{{ sign.seal }}", 12)):
        # the seal line, the block's last, does not pull the Counterparty's block onto its page
        line_paragraph = paragraph(cell, line, before=before)
        line_paragraph.paragraph_format.keep_with_next = line != "{{ sign.seal }}"
        no_hyphenation(line_paragraph)
    # The Counterparty's countersignature, which the annex's condition precedent asks for when the
    # Counterparty is not itself the end user (end-user-statement-condition); none otherwise.
    doc.add_paragraph().add_run("{%p if sign.counter %}")
    paragraph(doc, "")  # two tables that touch become one, and its rows would keep together
    table = doc.add_table(rows=1, cols=1)
    no_borders(table)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    cell = table.rows[0].cells[0]
    first = cell.paragraphs[0]
    first.paragraph_format.keep_with_next = True
    first.add_run("{{ sign.counter.confirm }}")
    paragraph(cell, "{{ sign.counter.role }}", bold=True, before=10).paragraph_format.keep_with_next = True
    for line, before in (("{{ sign.counter.company }}", 0), ("{{ sign.counter.position }}", 10),
                         ("{{ sign.counter.person }}", 6), ("{{ sign.counter.signature }}", 6),
                         ("{{ sign.counter.date }}", 6), ("{{ sign.counter.seal }}", 12)):
        line_paragraph = paragraph(cell, line, before=before)
        line_paragraph.paragraph_format.keep_with_next = True
        no_hyphenation(line_paragraph)
    doc.add_paragraph().add_run("{%p endif %}")


def statement_rows_table(doc: Document) -> None:
    """The statement's body, as bilingual_rows_table, except that its closing paragraphs (the only
    unnumbered "plain" rows) are kept on the page of the end user's signature."""
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    no_borders(table)
    tag_row(table, "{%tr for row in rows %}")
    tag_row(table, "{%tr if row.kind == 'title' %}")
    row = table.add_row()
    for cell, lang in zip(row.cells, ("ru", "en")):
        set_cell(cell, "{{ row.%s }}" % lang, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    tag_row(table, "{%tr elif row.kind == 'list' %}")
    row = table.add_row()
    for cell, lang in zip(row.cells, ("ru", "en")):
        set_cell(cell, "{{ row.%s }}" % lang, align=WD_ALIGN_PARAGRAPH.LEFT)
    tag_row(table, "{%tr elif row.kind == 'plain' %}")
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell, lang in zip(row.cells, ("ru", "en")):
        set_cell(cell, "{{ row.%s }}" % lang, keep=True)
    tag_row(table, "{%tr else %}")
    row = table.add_row()
    for cell, lang in zip(row.cells, ("ru", "en")):
        set_cell(cell, "{{ row.%s }}" % lang)
    tag_row(table, "{%tr endif %}")
    tag_row(table, "{%tr endfor %}")
    column_widths(table, (8.5, 8.5))


def build_statement() -> None:
    doc = new_document()
    statement_head(doc, ("ru", "en"))
    paragraph(doc, "")
    statement_rows_table(doc)
    for table in doc.tables:
        letter_languages(table, ("ru", "en"))
    statement_signature(doc)
    page_number_footer(doc)
    doc.save(OUT / "end-user-statement.docx")


def build_statement_single() -> None:
    build_single(statement_head, statement_signature, "end-user-statement-single.docx")


def looped_table(doc: Document, items: str, titles: tuple[str, ...], fields: tuple[str, ...],
                 widths: tuple[float, ...]) -> None:
    """A table with a heading row and one row per item of ``items`` (``{%tr for %}``), a cell per field.

    The heading row repeats on every page and no row breaks across pages: an indicator or a rung is
    read as one row (review m-43)."""
    table = doc.add_table(rows=1, cols=len(titles))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, titles):
        set_cell(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:cantSplit"))
    header.append(OxmlElement("w:tblHeader"))
    tag_row(table, f"{{%tr for item in {items} %}}")
    row = table.add_row()
    for cell, name in zip(row.cells, fields):
        set_cell(cell, f"{{{{ item.{name} }}}}", align=WD_ALIGN_PARAGRAPH.LEFT)
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    tag_row(table, "{%tr endfor %}")
    column_widths(table, widths)


def build_screening_report() -> None:
    """The 5.3 record: check, the deal, the identification, the screening and decision, the terms."""
    doc = new_document()
    paragraph(doc, "ЗАКЛЮЧЕНИЕ ПО РЕЗУЛЬТАТАМ ПРОВЕРКИ ЭКСПОРТНОЙ СДЕЛКИ", bold=True,
              align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    paragraph(doc, "(внутренний документ)", align=WD_ALIGN_PARAGRAPH.CENTER, size=9, after=6)
    paragraph(doc, "Учёт внешнеэкономической сделки по п. 5.3 Декларации об ответственном "
              "экспорте технологий искусственного интеллекта и программного обеспечения на их основе.", size=9,
              after=8)

    def heading(title: str) -> None:
        paragraph(doc, title, bold=True, before=10, after=4).paragraph_format.keep_with_next = True

    def two_column_table(loop: str, left: str, right: str, widths=(5.0, 12.0), title: str | None = None) -> None:
        if title:
            paragraph(doc, title, bold=True, before=6, after=4).paragraph_format.keep_with_next = True
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        tag_row(table, "{%%tr for item in %s %%}" % loop)
        row = table.add_row()
        set_cell(row.cells[0], left, align=WD_ALIGN_PARAGRAPH.LEFT)
        set_cell(row.cells[1], right, align=WD_ALIGN_PARAGRAPH.LEFT)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row is read whole (m-43)
        tag_row(table, "{%tr endfor %}")
        column_widths(table, widths)

    two_column_table("report.check", "{{ item.label }}", "{{ item.value }}")

    heading("1. Сделка, её документы и участники (п. 5.3)")
    two_column_table("report.facts", "{{ item.label }}", "{{ item.value }}")

    heading("2. Идентификация Решения ИИ по Списку контролируемых товаров и технологий (пп. 1.3, 5.3)")
    two_column_table("report.identification", "{{ item.label }}", "{{ item.value }}")

    heading("3. Проверка и решение (п. 5.1, раздел 4 Декларации)")
    # kept with its table: not alone at the foot of a page, the table on the next (review 29)
    paragraph(doc, "3.1. Признаки риска (приложение № 1 к Декларации)", bold=True, before=4,
              after=4).paragraph_format.keep_with_next = True
    looped_table(doc, "report.indicators", ("№", "Признак риска", "Статус", "Основание"),
                 ("number", "title", "status", "evidence"), (1.0, 7.0, 2.5, 6.5))
    two_column_table("report.warnings", "{{ item.number }}", "{{ item.text }}", (1.0, 16.0),
                     "3.2. Возможные признаки в свободном тексте (подтвердить или указать в файле сделки)")
    paragraph(doc, "3.3. Решение", bold=True, before=6, after=4).paragraph_format.keep_with_next = True
    # the decision stays on the page of its approval line (review 30)
    paragraph(doc, "{{ report.decision }}", bold=True).paragraph_format.keep_with_next = True
    paragraph(doc, "{%p if report.approval_pending %}")
    paragraph(doc, "{{ report.approval_pending }}", bold=True)
    paragraph(doc, "{%p endif %}")
    paragraph(doc, "3.4. Рассмотренные основания (раздел 4, пп. 1.3, 2.1, 5.1 Декларации)", bold=True, before=6,
              after=4).paragraph_format.keep_with_next = True
    looped_table(doc, "report.rungs", ("Пункт", "Основание", "Итог", "Почему"),
                 ("section", "title", "status", "why"), (1.5, 4.5, 2.5, 8.5))

    heading("4. Условия, включённые в договор (п. 5.2 Декларации; требуются политикой экспортного контроля "
            "Поставщика)")
    two_column_table("report.clauses", "{{ item.number }}", "{{ item.text }}", (1.5, 15.5))
    two_column_table("report.letters", "{{ item.kind }}", "{{ item.text }}", (1.5, 15.5), "Письма Контрагенту")

    heading("5. Дальнейшие действия")
    two_column_table("report.next_steps", "{{ item.number }}", "{{ item.text }}", (1.5, 15.5))

    heading("6. Сведения о формировании заключения")
    two_column_table("report.versions", "{{ item.label }}", "{{ item.value }}")
    # the last section goes to the page of the signatures: no signature block alone on a page (review 6)
    for row in doc.tables[-1].rows:
        if "{{" in row.cells[0].text:
            keep_row_with_next(row)

    paragraph(doc, "Подписи", bold=True, before=14, after=4).paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for cell, who, role in zip(table.rows[0].cells, ("prepared", "approved"), ("Подготовил", "Утвердил")):
        # No approver's lines where the decision needs no approval and none is recorded (review 4, m2): the
        # cell says so, as the header does.
        optional = who == "approved"
        if optional:
            cell.paragraphs[0].add_run("{%p if report.sign.approved %}")
            cell.add_paragraph().add_run(role).bold = True
        else:
            cell.paragraphs[0].add_run(role).bold = True
        for line in ("{{ report.sign.%s.position }}", "{{ report.sign.%s.name }}", "",
                     "________________ (подпись)", "Дата: {{ report.sign.%s.date }}"):
            line_paragraph = paragraph(cell, line % who if "%s" in line else line, after=2)
            line_paragraph.paragraph_format.keep_with_next = True
            no_hyphenation(line_paragraph)
        if optional:
            cell.add_paragraph().add_run("{%p else %}")
            no_hyphenation(paragraph(cell, "Утвердил: не требуется", after=2))
            cell.add_paragraph().add_run("{%p endif %}")
        cell.width = Cm(8.5)
    # Every run is Russian (w:lang ru-RU): without it Word and LibreOffice take the default English, do not
    # hyphenate the Russian words of the narrow cells and break a long one anywhere, without a hyphen
    # («модификаци|и)», review 6).
    paragraphs = list(doc.paragraphs) + [par for table in doc.tables for row in table.rows for cell in row.cells
                                         for par in cell.paragraphs]
    for par in paragraphs:
        _mark_runs([run for run in par.runs if "{%" not in run.text], "ru-RU")
    page_number_footer(doc, ("ru",))
    doc.save(OUT / "screening-report.docx")


def compact(path: Path) -> None:
    """The template again with fixed timestamps (the same build gives the same bytes) and every part deflated
    by Zopfli, some 7 % smaller than zlib's best: clausegen copies a part the template holds unchanged (the
    styles, the theme) into every document as deflated here (clausegen.render._smallest), which lets it deflate
    each document's own text faster and still write smaller files than docxtpl."""
    try:
        from zopfli.zopfli import compress
    except ImportError:
        raise SystemExit("tools/build_templates.py needs Zopfli: pip install -e '.[tools]'") from None
    from clausegen.render import repack

    # compress() gives a zlib stream: two bytes of header and four of checksum around the raw deflate stream
    path.write_bytes(repack(path.read_bytes(), lambda part: compress(part, numiterations=15)[2:-4]))


BUILDERS = {"annex": build_annex, "letter": build_letter, "letter-single": build_letter_single,
            "screening-report": build_screening_report}
BUILDERS |= {"end-user-statement": build_statement, "end-user-statement-single": build_statement_single}

if __name__ == "__main__":
    # python tools/build_templates.py [annex letter ...]: only the named templates; all without names
    import sys

    OUT.mkdir(exist_ok=True)
    names = sys.argv[1:] or list(BUILDERS)
    for name in names:
        BUILDERS[name]()
        compact(OUT / f"{name}.docx")
    print("written:", *sorted(f"{name}.docx" for name in names))
