"""``clausegen clauses export``: the clause library as one bilingual review document (DOCX or XLSX).

The DOCX is built on the annex template's package (its styles, fonts, page and footer), so the
review document reads like the annex.  Each value and each condition marker is an inline content
control (``w:sdt``) locked against editing (``contentLocked``) and tagged with a hash of the Jinja
it stands for: Word will not let a lawyer change the words of a placeholder, yet lets them move or
delete it as a whole (which the import then checks), and the tag names exactly which ``{{ }}`` or
``{% %}`` it was even where two read alike.  Each control also carries a character style (shaded
for values, italic for conditions) so the difference shows in print and in readers that ignore
content controls; the spreadsheet, which has neither, relies on the labels alone.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..library import Library, templates_dir
from ..output import write_atomic
from .view import DOCUMENT_NAMES, ClauseView, Piece, library_view

FORMATS = ("docx", "xlsx")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STAMP = (2000, 1, 1, 0, 0, 0)
#: The review table: number | Russian | English, the annex's width (two columns of 4819).
_GRID = (567, 4535, 4536)
PLACEHOLDER_STYLE, CONDITION_STYLE = "ClausegenPlaceholder", "ClausegenCondition"
_STYLES = (
    f'<w:style w:type="character" w:customStyle="1" w:styleId="{PLACEHOLDER_STYLE}">'
    '<w:name w:val="clausegen placeholder"/><w:rPr><w:color w:val="1F3864"/>'
    '<w:shd w:val="clear" w:color="auto" w:fill="DEEAF6"/></w:rPr></w:style>'
    f'<w:style w:type="character" w:customStyle="1" w:styleId="{CONDITION_STYLE}">'
    '<w:name w:val="clausegen condition"/><w:rPr><w:i/><w:color w:val="833C0B"/>'
    '<w:shd w:val="clear" w:color="auto" w:fill="FBE4D5"/></w:rPr></w:style>'
)
_LANG = {"ru": "ru-RU", "en": "en-GB"}
HEADING = "{id} v{version} — {ru} / {en}"  # the import reads the id and version back from it
LEGEND = (
    ("Правьте формулировки прямо в столбцах «Русский текст» и «English text», в том числе в режиме "
     "исправлений: clausegen прочитает текст так, как если бы все исправления были приняты. Номера в "
     "первом столбце не меняйте: по ним сопоставляются абзацы.",
     "Edit the wording in the Russian and English columns, with tracked changes if you like: clausegen "
     "reads the text as if every change were accepted. Keep the numbers in the first column: paragraphs "
     "are matched by them."),
    ("[В квадратных скобках] — сведения, которые подставляются из сделки. Их нельзя править или удалять, "
     "но можно переставить внутри абзаца.",
     "[In square brackets]: details filled in from the deal. They cannot be edited or deleted, but may be "
     "moved within their paragraph."),
    ("{В фигурных скобках} — условия: текст между «{если …:}» и «{конец условия}» включается в документ, "
     "только если условие выполнено. Метки условий не удаляйте и не переставляйте.",
     "{In braces}: conditions: the text between “{if …:}” and “{end of condition}” appears in a document "
     "only when the condition holds. Do not delete or move these markers."),
    ("Новый абзац — новая строка таблицы с пустым номером и текстом в обоих столбцах; удалить абзац — "
     "удалить строку целиком.",
     "To add a paragraph, add a row with an empty number and text in both columns; to delete one, delete "
     "its whole row."),
)


def export_library(library: Library, path: Path, fmt: str | None = None) -> tuple[Path, int]:
    """Write the review document; return its path and the number of clauses."""
    fmt = fmt or ("xlsx" if path.suffix.lower() == ".xlsx" else "docx")
    views = library_view(library)
    data = docx_bytes(library, views) if fmt == "docx" else xlsx_bytes(views)
    write_atomic(path, data)
    return path, len(views)


# ------------------------------------------------------------------ DOCX


def _text_run(text: str, props: str = "") -> str:
    runs = []
    for number, line in enumerate(text.split("\n")):
        if number:
            runs.append("<w:br/>")
        for part_number, part in enumerate(line.split("\t")):
            if part_number:
                runs.append("<w:tab/>")
            if part:
                runs.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r>{props}{''.join(runs)}</w:r>" if runs else ""


def _control(piece: Piece) -> str:
    style = PLACEHOLDER_STYLE if piece.kind == "var" else CONDITION_STYLE
    alias = ("Значение из сделки / Value from the deal" if piece.kind == "var"
             else "Условие / Condition")
    props = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>'
    return (f'<w:sdt><w:sdtPr>{props}<w:alias w:val="{alias}"/><w:tag w:val="{piece.key}"/>'
            f'<w:lock w:val="contentLocked"/></w:sdtPr><w:sdtContent>{_text_run(piece.text, props)}'
            "</w:sdtContent></w:sdt>")


def _paragraph(content: str, props: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{content}</w:p>"


def _cell(width: int, paragraphs: str, shade: str = "") -> str:
    fill = f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>' if shade else ""
    return f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{fill}</w:tcPr>{paragraphs}</w:tc>'


def _lang_props(lang: str, extra: str = "") -> str:
    return f'<w:rPr>{extra}<w:lang w:val="{_LANG[lang]}"/></w:rPr>'


def _pieces(pieces: tuple[Piece, ...], lang: str) -> str:
    props = _lang_props(lang)
    return "".join(_text_run(p.text, props) if p.kind == "text" else _control(p) for p in pieces)


def _table(rows: list[str], grid: tuple[int, ...]) -> str:
    border = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
    borders = "".join(border.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    columns = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid)
    return (f'<w:tbl><w:tblPr><w:tblW w:type="dxa" w:w="{sum(grid)}"/><w:jc w:val="center"/>'
            f'<w:tblLayout w:type="fixed"/><w:tblBorders>{borders}</w:tblBorders>'
            '<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/></w:tblCellMar>'
            f'</w:tblPr><w:tblGrid>{columns}</w:tblGrid>{"".join(rows)}</w:tbl>')


#: Headings keep Word's heading styles (the navigation pane) but the annex's black body font.
_HEADING_RUN = ('<w:rPr><w:rFonts w:asciiTheme="minorHAnsi" w:hAnsiTheme="minorHAnsi" w:cstheme="minorBidi"/>'
                '<w:color w:val="000000"/></w:rPr>')
_CELL_PARA = '<w:spacing w:after="60" w:line="252" w:lineRule="auto"/>'


def _clause_table(clause: ClauseView) -> str:
    small = "<w:sz w:val=\"18\"/>"
    header = ('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
              + "".join(_cell(w, _paragraph(_text_run(t, f"<w:rPr><w:b/>{small}</w:rPr>"), _CELL_PARA), "F2F2F2")
                        for w, t in zip(_GRID, ("№", "Русский текст", "English text")))
              + "</w:tr>")
    rows = [header]
    for row in clause.rows:
        number = _paragraph(_text_run(str(row.number), f'<w:rPr><w:color w:val="7F7F7F"/>{small}</w:rPr>'),
                            _CELL_PARA + '<w:jc w:val="center"/>')
        cells = [_cell(_GRID[0], number)]
        for width, lang in zip(_GRID[1:], ("ru", "en")):
            cells.append(_cell(width, _paragraph(_pieces(row.cell(lang), lang), _CELL_PARA)))
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    return _table(rows, _GRID)


def _sections(sections: tuple[str, ...], lang: str) -> str:
    if not sections:
        return "—"
    annex = ("прил. 1, п. {}", "Annex 1, item {}")[lang == "en"]
    return ", ".join(annex.format(s[3:]) if s.startswith("A1.") else s for s in sections)


def _clause_heading(clause: ClauseView) -> str:
    heading = HEADING.format(id=clause.id, version=clause.version, ru=clause.title[0], en=clause.title[1])
    doc_ru, doc_en = DOCUMENT_NAMES.get(clause.document, (clause.document, clause.document))
    facts_ru = (f"Документ: {doc_ru.lower()}. Разделы Декларации: {_sections(clause.sections, 'ru')}. "
                f"Условие: {clause.when[0]}.")
    facts_en = (f"Document: {doc_en.lower()}. Declaration sections: {_sections(clause.sections, 'en')}. "
                f"Condition: {clause.when[1]}.")
    keep = "<w:keepNext/>"
    return (_paragraph(_text_run(heading, _HEADING_RUN), f'<w:pStyle w:val="Heading2"/>{keep}<w:spacing w:before="240" w:after="60"/>')
            + _paragraph(_text_run(facts_ru, _lang_props("ru", '<w:sz w:val="18"/>'))
                         + "<w:r><w:br/></w:r>" + _text_run(facts_en, _lang_props("en", '<w:sz w:val="18"/>')),
                         f'{keep}<w:spacing w:after="80"/>'))


def _body(library: Library, views: list[ClauseView]) -> str:
    parts = [
        _paragraph(_text_run("БИБЛИОТЕКА СТАТЕЙ / CLAUSE LIBRARY", "<w:rPr><w:b/><w:sz w:val=\"28\"/></w:rPr>"),
                   '<w:jc w:val="center"/><w:spacing w:after="60"/>'),
        _paragraph(_text_run(f"Статей: {len(views)}. Библиотека {library.fingerprint[:16]}. / "
                             f"{len(views)} clauses. Library {library.fingerprint[:16]}.",
                             '<w:rPr><w:sz w:val="18"/></w:rPr>'), '<w:jc w:val="center"/>'),
    ]
    legend = []
    for ru, en in LEGEND:
        legend.append("<w:tr>" + _cell(4819, _paragraph(_text_run(ru, _lang_props("ru", '<w:sz w:val="18"/>')),
                                                          _CELL_PARA))
                      + _cell(4819, _paragraph(_text_run(en, _lang_props("en", '<w:sz w:val="18"/>')), _CELL_PARA))
                      + "</w:tr>")
    parts += [_table(legend, (4819, 4819)),
              _paragraph(_text_run("clausegen clauses import library.docx [--dry-run]",
                                   '<w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New"/>'
                                   '<w:sz w:val="18"/></w:rPr>'), '<w:spacing w:before="120"/>')]
    document = None
    for clause in views:
        if clause.document != document:
            document = clause.document
            ru, en = DOCUMENT_NAMES.get(document, (document, document))
            parts.append(_paragraph(_text_run(f"{ru} / {en}", _HEADING_RUN),
                                    '<w:pStyle w:val="Heading1"/><w:pageBreakBefore/><w:keepNext/>'))
        parts += [_clause_heading(clause), _clause_table(clause), _paragraph("", '<w:spacing w:after="0"/>')]
    return "".join(parts)


def _document_xml(body: str, section: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}" xmlns:r="{_R}">'
            f"<w:body>{body}{section}</w:body></w:document>").encode("utf-8")


def _section(template_xml: str) -> str:
    """The annex template's page: its size, margins, header and footer."""
    start = template_xml.rfind("<w:sectPr")
    return template_xml[start:template_xml.rfind("</w:body>")]


def _header_xml(template_header: str) -> bytes:
    start = template_header.find("<w:p>")
    end = template_header.rfind("</w:hdr>")
    paragraph = _paragraph(_text_run("Библиотека статей clausegen / clausegen clause library",
                                     '<w:rPr><w:sz w:val="16"/></w:rPr>'),
                           '<w:pStyle w:val="Header"/><w:jc w:val="right"/>')
    return (template_header[:start] + paragraph + template_header[end:]).encode("utf-8")


def _core_xml(library: Library) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:title>Библиотека статей / Clause library</dc:title>"
            f"<dc:subject>clausegen library {library.fingerprint}</dc:subject><dc:creator>clausegen</dc:creator>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
            "</cp:coreProperties>").encode("utf-8")


def docx_bytes(library: Library, views: list[ClauseView]) -> bytes:
    with zipfile.ZipFile(templates_dir() / "annex.docx") as template:  # the shipped template: trusted
        parts = {info.filename: template.read(info) for info in template.infolist() if not info.is_dir()}
    document = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = _document_xml(_body(library, views), _section(document))
    for name in [n for n in parts if n.startswith("word/header") and n.endswith(".xml")]:
        parts[name] = _header_xml(parts[name].decode("utf-8"))
    styles = parts["word/styles.xml"].decode("utf-8")
    parts["word/styles.xml"] = styles.replace("</w:styles>", _STYLES + "</w:styles>").encode("utf-8")
    parts["docProps/core.xml"] = _core_xml(library)
    parts.pop("docProps/thumbnail.jpeg", None)  # the annex template's picture, not this document's
    if "_rels/.rels" in parts:
        rels = parts["_rels/.rels"].decode("utf-8")
        if "thumbnail.jpeg" in rels:
            start = rels.rfind("<Relationship ", 0, rels.find("docProps/thumbnail.jpeg"))
            end = rels.find("/>", start) + 2
            rels = rels[:start] + rels[end:]
        parts["_rels/.rels"] = rels.encode("utf-8")
    return _zip(parts)


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    order = ["[Content_Types].xml"] + sorted(n for n in parts if n != "[Content_Types].xml")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, parts[name])
    return out.getvalue()


# ------------------------------------------------------------------ XLSX

XLSX_HEADER = ("id", "версия / version", "документ / document", "№", "Русский текст", "English text",
               "условие", "condition")


def xlsx_bytes(views: list[ClauseView]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..workbooks import _fixed_times

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Статьи"
    sheet.append(list(XLSX_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for clause in views:
        for row in clause.rows:
            sheet.append([clause.id, clause.version, clause.document, row.number,
                          "".join(p.text for p in row.ru), "".join(p.text for p in row.en),
                          clause.when[0], clause.when[1]])
            for cell in sheet[sheet.max_row]:
                cell.alignment = wrap
    for letter, width in zip("ABCDEFGH", (26, 10, 16, 5, 70, 70, 30, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "E2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_times(buffer.getvalue())
