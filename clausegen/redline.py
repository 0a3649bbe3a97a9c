"""Redlines: a DOCX read with its own tracked changes, and a DOCX that shows what changed as tracked changes.

A rendering-level module (lxml): :mod:`clausegen.compare` decides what to compare and names the
changes; this module reads and writes WordprocessingML.

Reading (:func:`read`): the body as rows, as :func:`clausegen.render.docx_rows` numbers them (a
paragraph outside a table is a row of one cell, empty ones left out), each cell a list of
paragraphs, each paragraph a list of pieces of text with their tracked state: ``""`` (plain),
``"ins"`` or ``"del"`` by their author.  So every row has two texts: ``base``, the document before
its own tracked changes (insertions rejected), and ``current``, with them accepted.

Writing (:func:`write`): the returned document is the skeleton, kept as it was wherever nothing
changed.  Where its base text differs from the sent one, the words it added become ``w:ins`` and
the sent words it lost come back as ``w:del``, both by ``author`` (clausegen); a sent row that is
gone comes back as a deleted row, a row only the returned document has is marked inserted.  Its own
tracked changes stay as they are, attributed to their authors.  A changed paragraph is rebuilt from
its runs: formatting is kept run by run, while hyperlinks, bookmarks and comment ranges inside it
are not carried over.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import worddiff
from .render import docx_custom_properties, not_a_docx, unpack_capped

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{_W}}}"
_DOCUMENT = "word/document.xml"
_CORE = "docProps/core.xml"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
#: Elements whose runs are text of the paragraph though they are not its children.
_WRAPPERS = {W + name for name in ("hyperlink", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml")}
_INSERTED = {W + "ins", W + "moveTo"}
_DELETED = {W + "del", W + "moveFrom"}
#: What a rebuilt paragraph drops: its runs and whatever holds them.
_RUN_CONTENT = _WRAPPERS | _INSERTED | _DELETED | {W + "r", W + "proofErr"}


@dataclass(frozen=True)
class Piece:
    """Text of one run, as the document has it: plain (``""``), tracked ``ins`` or ``del``, or ``gone``
    (inserted by ``author``, then deleted by ``deleted_by``)."""

    text: str
    state: str
    author: str
    date: str
    run: Any  # the w:r it comes from (its formatting)
    deleted_by: str = ""
    deleted_on: str = ""


@dataclass
class Paragraph:
    element: Any
    pieces: list[Piece]
    mark: str  # "", "ins", "del": the paragraph mark's own tracked state

    @property
    def base(self) -> str:
        return "".join(p.text for p in self.pieces if p.state in ("", "del"))

    @property
    def current(self) -> str:
        return "".join(p.text for p in self.pieces if p.state in ("", "ins"))

    @property
    def authors(self) -> set[str]:
        return {p.author for p in self.pieces if p.state} | ({""} if self.mark else set())


@dataclass
class Row:
    element: Any  # w:tr, or the w:p of a paragraph outside tables
    table: int | None
    cells: list[list[Paragraph]]
    state: str = ""  # "", "ins", "del": a tracked row

    def texts(self, view: str) -> tuple[str, ...]:
        """Each cell's text ("base" or "current"), paragraphs on separate lines."""
        return tuple("\n".join(getattr(p, view) for p in cell) for cell in self.cells)

    @property
    def authors(self) -> set[str]:
        return set().union(*(p.authors for cell in self.cells for p in cell))


@dataclass
class Document:
    """A DOCX read for comparison: its rows, properties and the parsed tree the redline is written into."""

    name: str
    parts: dict[str, bytes]
    tree: Any
    rows: list[Row]
    properties: dict[str, str]
    modified: str  # dcterms:modified of the core properties, "" when absent
    tables: dict[int, Any] = field(default_factory=dict)  # table number -> w:tbl


def read(data: bytes, name: str = "document.docx") -> Document:
    """Read a DOCX of unknown origin; :class:`InputError` (naming ``name``) when it is not one."""
    refuse = not_a_docx(name)
    try:
        parts = unpack_capped(data, refuse)
        tree = etree.fromstring(parts[_DOCUMENT], _SAFE_XML)
        properties = docx_custom_properties(data)
        modified = ""
        if _CORE in parts:
            found = etree.fromstring(parts[_CORE], _SAFE_XML).find("{http://purl.org/dc/terms/}modified")
            modified = (found.text or "").strip() if found is not None else ""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, KeyError, ValueError,
            NotImplementedError, RuntimeError, etree.XMLSyntaxError) as error:
        raise refuse(str(error) or type(error).__name__) from None
    body = tree.find(W + "body")
    if body is None:
        raise refuse("the document has no body")
    document = Document(name, parts, tree, [], properties, modified)
    _read_blocks(body, document)
    return document


def _read_blocks(parent: Any, document: Document) -> None:
    for block in parent:
        if block.tag == W + "p":
            paragraph = _paragraph(block)
            if paragraph.base.strip() or paragraph.current.strip():
                document.rows.append(Row(block, None, [[paragraph]]))
        elif block.tag == W + "tbl":
            number = len(document.tables)
            document.tables[number] = block
            for tr in block.iter(W + "tr"):
                if _table_of(tr) is block:
                    cells = [[_paragraph(p) for p in tc.iter(W + "p")] for tc in tr.findall(W + "tc")]
                    document.rows.append(Row(tr, number, cells, _mark(tr.find(W + "trPr"))))
        elif block.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            _read_blocks(block, document)


def _table_of(tr: Any) -> Any:
    parent = tr.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent


def _mark(properties: Any) -> str:
    """The tracked state recorded in a w:trPr or a paragraph mark's w:rPr."""
    if properties is None:
        return ""
    if properties.find(W + "ins") is not None:
        return "ins"
    return "del" if properties.find(W + "del") is not None else ""


def _paragraph(p: Any) -> Paragraph:
    pieces: list[Piece] = []

    def walk(node: Any, state: str, marks: tuple[tuple[str, str], ...]) -> None:
        for child in node:
            if child.tag == W + "r":
                text = _run_text(child)
                if text:
                    author, date = marks[0] if marks else ("", "")
                    by, on = marks[-1] if state == "gone" else ("", "")
                    pieces.append(Piece(text, state, author, date, child, by, on))
            elif child.tag in _INSERTED or child.tag in _DELETED:
                mine = "ins" if child.tag in _INSERTED else "del"
                walk(child, mine if not state else "gone", marks + ((child.get(W + "author", ""),
                                                                      child.get(W + "date", "")),))
            elif child.tag in _WRAPPERS:
                walk(child, state, marks)

    walk(p, "", ())
    properties = p.find(W + "pPr")
    return Paragraph(p, pieces, _mark(properties.find(W + "rPr") if properties is not None else None))


def _run_text(run: Any) -> str:
    out = []
    for child in run:
        if child.tag in (W + "t", W + "delText"):
            out.append(child.text or "")
        elif child.tag == W + "tab":
            out.append("\t")
        elif child.tag in (W + "br", W + "cr"):
            out.append("\n")
        elif child.tag == W + "noBreakHyphen":
            out.append("\u2011")
    return "".join(out)


# ------------------------------------------------------------------ writing


class _Writer:
    """Tracked changes by one author, numbered after the ids the document already uses."""

    def __init__(self, document: Document, author: str, date: str) -> None:
        self.author, self.date = author, date
        ids = [int(v) for v in document.tree.xpath("//@w:id", namespaces={"w": _W}) if v.lstrip("-").isdigit()]
        self.next_id = max(ids, default=0) + 1

    def mark(self, kind: str, author: str | None = None, date: str | None = None) -> Any:
        element = etree.Element(W + kind)
        element.set(W + "id", str(self.next_id))
        self.next_id += 1
        element.set(W + "author", self.author if author is None else author)
        when = self.date if date is None else date
        if when:
            element.set(W + "date", when)
        return element

    # ---- one paragraph

    def paragraph(self, sent: str, returned: Paragraph) -> None:
        """Redline ``returned`` against the sent text: its base text's changes marked, its own ones kept."""
        base = returned.base
        if sent == base:
            return
        ops = worddiff.diff(sent, base)
        new = [False] * len(base)
        lost: dict[int, list[str]] = {}
        for op in ops:
            if op.kind in ("insert", "replace"):
                new[op.n1:op.n2] = [True] * (op.n2 - op.n1)
            if op.kind in ("delete", "replace"):
                lost.setdefault(op.n1, []).append(sent[op.o1:op.o2])
        items: list[Piece] = []

        def flush(position: int, run: Any) -> None:
            for text in lost.pop(position, []):
                items.append(Piece(text, "del", self.author, self.date, run))

        position = 0
        last_run = returned.pieces[0].run if returned.pieces else None
        for piece in returned.pieces:
            last_run = piece.run
            if piece.state not in ("", "del"):  # its own insertion: not in the base text, kept as it is
                items.append(piece)
                continue
            start = 0
            while start < len(piece.text):
                flush(position + start, piece.run)
                end = start + 1
                while end < len(piece.text) and new[position + end] == new[position + start] \
                        and position + end not in lost:
                    end += 1
                text = piece.text[start:end]
                if not new[position + start]:
                    items.append(Piece(text, piece.state, piece.author, piece.date, piece.run))
                elif piece.state == "":
                    items.append(Piece(text, "ins", self.author, self.date, piece.run))
                else:  # typed without tracking, then deleted with tracking: both shown
                    items.append(Piece(text, "gone", self.author, self.date, piece.run, piece.author, piece.date))
                start = end
            position += len(piece.text)
        for key in sorted(lost):
            flush(key, last_run)
        self._rebuild(returned.element, items)

    def strike(self, p: Any) -> None:
        """Every run of ``p`` (a copy of a sent paragraph) deleted, and its paragraph mark with it."""
        read = _paragraph(p)
        self._rebuild(p, [Piece(piece.text, "del", self.author, self.date, piece.run) for piece in read.pieces])
        self._mark_paragraph(p, "del")

    def insert(self, paragraph: Paragraph) -> None:
        """Every plain run of ``paragraph`` marked inserted, and its paragraph mark with it."""
        if paragraph.mark != "ins":
            self.paragraph("", paragraph)
            self._mark_paragraph(paragraph.element, "ins")

    def _mark_paragraph(self, p: Any, kind: str) -> None:
        properties = p.find(W + "pPr")
        if properties is None:
            properties = etree.Element(W + "pPr")
            p.insert(0, properties)
        run_properties = properties.find(W + "rPr")
        if run_properties is None:
            run_properties = etree.SubElement(properties, W + "rPr")  # rPr closes pPr, but for sectPr/pPrChange
            for late in ("sectPr", "pPrChange"):
                found = properties.find(W + late)
                if found is not None:
                    found.addprevious(run_properties)
        if run_properties.find(W + "ins") is None and run_properties.find(W + "del") is None:
            run_properties.insert(0, self.mark(kind))

    def _rebuild(self, p: Any, items: list[Piece]) -> None:
        for child in list(p):
            if child.tag in _RUN_CONTENT:
                p.remove(child)
        target, key = None, None
        for piece in items:
            run = _new_run(piece.text, piece.run, deleted=piece.state in ("del", "gone"))
            if not piece.state:
                p.append(run)
                target, key = None, None
                continue
            mark = (piece.state, piece.author, piece.date, piece.deleted_by, piece.deleted_on)
            if mark != key:
                key = mark
                target = self.mark("ins" if piece.state == "gone" else piece.state, piece.author, piece.date)
                p.append(target)
                if piece.state == "gone":  # inserted, then deleted by a later change
                    inner = self.mark("del", piece.deleted_by, piece.deleted_on)
                    target.append(inner)
                    target = inner
            target.append(run)

    # ---- rows

    def row_inserted(self, row: Row) -> None:
        if row.state == "ins":
            return
        for cell in row.cells:
            for paragraph in cell:
                self.insert(paragraph)
        if row.table is not None:
            _track_row(row.element, self.mark("ins"))

    def row_deleted(self, row: Row, after: Any | None, returned: Document, sent: Document) -> Any:
        """A copy of the sent ``row`` put back, deleted, after ``after`` (an element of the returned
        document; None: at the start of its body); the element that now stands last."""
        element = copy.deepcopy(row.element)
        for p in ([element] if element.tag == W + "p" else list(element.iter(W + "p"))):
            self.strike(p)
        if element.tag == W + "tr":
            _track_row(element, self.mark("del"))
            if after is None or after.tag != W + "tr":
                table = etree.Element(W + "tbl")  # the row's own table is gone: a table of its own
                source = sent.tables[row.table]  # type: ignore[index]
                for part in ("tblPr", "tblGrid"):
                    found = source.find(W + part)
                    if found is not None:
                        table.append(copy.deepcopy(found))
                table.append(element)
                _place(table, _block_of(after) if after is not None else None, returned)
                return element
            after.addnext(element)
            return element
        _place(element, _block_of(after) if after is not None else None, returned)
        return element


def _track_row(tr: Any, mark: Any) -> None:
    """``mark`` (w:ins or w:del) in the row's w:trPr, where the schema puts it: after the row's properties,
    before a w:trPrChange (Word refuses a document with them out of order)."""
    found = tr.find(W + "trPr")
    if found is None:
        found = etree.Element(W + "trPr")
        exceptions = tr.find(W + "tblPrEx")
        if exceptions is not None:
            exceptions.addnext(found)
        else:
            tr.insert(0, found)
    if found.find(W + "ins") is not None or found.find(W + "del") is not None:
        return
    change = found.find(W + "trPrChange")
    if change is not None:
        change.addprevious(mark)
    else:
        found.append(mark)


def _block_of(element: Any) -> Any:
    """The child of the body that holds ``element``."""
    while element.getparent() is not None and element.getparent().tag != W + "body":
        element = element.getparent()
    return element


def _place(element: Any, after: Any | None, document: Document) -> None:
    if after is not None:
        after.addnext(element)
    else:
        document.tree.find(W + "body").insert(0, element)


def _new_run(text: str, source: Any, *, deleted: bool) -> Any:
    run = etree.Element(W + "r")
    if source is not None:
        properties = source.find(W + "rPr")
        if properties is not None:
            run.append(copy.deepcopy(properties))
    tag = W + ("delText" if deleted else "t")
    chunk = []
    for char in text + "\x00":
        if char in "\t\n\x00":
            if chunk:
                t = etree.SubElement(run, tag)
                t.text = "".join(chunk)
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                chunk = []
            if char == "\t":
                etree.SubElement(run, W + "tab")
            elif char == "\n":
                etree.SubElement(run, W + "br")
        else:
            chunk.append(char)
    return run


@dataclass(frozen=True)
class Alignment:
    """Which sent row stands for which returned row; rows only in one of them."""

    pairs: list[tuple[int, int]]  # (sent row, returned row), in order
    gone: list[int]  # sent rows the returned document lacks
    added: list[int]  # returned rows the sent document lacks


def write(sent: Document, returned: Document, alignment: Alignment, author: str, date: str) -> bytes:
    """The redline: ``returned`` with what changed from ``sent`` tracked by ``author`` on ``date``.

    ``returned``'s tree is changed in place: read it again to compare once more.
    """
    writer = _Writer(returned, author, date)
    for s, r in alignment.pairs:
        sent_row, row = sent.rows[s], returned.rows[r]
        for index, cell in enumerate(row.cells):
            sent_cell = sent_row.cells[index] if index < len(sent_row.cells) else []
            _cell(writer, [p.current for p in sent_cell], sent_cell, cell, returned)
    for r in alignment.added:
        writer.row_inserted(returned.rows[r])
    matched = dict(alignment.pairs)
    last: dict[int, Any] = {}  # a run of deleted rows goes back in order
    for s in alignment.gone:
        before = max((k for k in matched if k < s), default=None)
        if s - 1 in last:
            after = last[s - 1]
        elif before is not None:
            after = returned.rows[matched[before]].element
        else:
            after = None
        last[s] = writer.row_deleted(sent.rows[s], after, returned, sent)
    parts = dict(returned.parts)
    parts[_DOCUMENT] = etree.tostring(returned.tree, xml_declaration=True, encoding="UTF-8", standalone=True)
    return _zip(parts)


def _cell(writer: _Writer, sent: list[str], sent_paragraphs: list[Paragraph], cell: list[Paragraph],
          returned: Document) -> None:
    """One cell: paragraphs aligned (one each, in almost every document), each redlined."""
    present = [p for p in cell if p.mark != "ins" or p.base]
    if len(present) == len(sent):
        pairs = list(zip(range(len(sent)), range(len(present)), strict=True))
        gone: list[int] = []
        added: list[int] = []
    else:
        pairs, gone, added = worddiff.align(sent, [p.base for p in present])
    for s, r in pairs:
        writer.paragraph(sent[s], present[r])
    for r in added:
        writer.insert(present[r])
    matched = dict(pairs)
    for s in gone:
        copy_ = copy.deepcopy(sent_paragraphs[s].element)
        writer.strike(copy_)
        before = max((k for k in matched if k < s), default=None)
        if before is not None:
            present[matched[before]].element.addnext(copy_)
        elif present:
            present[0].element.addprevious(copy_)


def _zip(parts: dict[str, bytes]) -> bytes:
    """The package, its entries in the returned document's order, with fixed timestamps (same input, same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, data)
    return buffer.getvalue()
