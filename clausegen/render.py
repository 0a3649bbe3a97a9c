"""Rendering: the only module that touches DOCX, docxtpl and XML.

A template is compiled once per process (:class:`CompiledTemplate`): docxtpl's
preprocessing of the tags runs once, the Jinja template is compiled once in
the sandbox, and the package parts that never change are kept as ready
deflated bytes.  Each render then fills the XML parts that have tags, checks
that they are well-formed, and writes a zip with fixed timestamps, so the same
input always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any
from xml.parsers import expat

import jinja2
from jinja2 import TemplateError, meta
from zlib_ng import zlib_ng  # see _deflate

from . import cache, quotes, text, wellformed
from .errors import InputError, LibraryError, Problem, RenderError
from .sandbox import ENV, RENDER_FAILURES, render_bounded, template_from_code

MAX_TEMPLATE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a zip bomb stops here, before anything is read
_TAG = re.compile(r"{[{%#]")
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CORE = "docProps/core.xml"
_CUSTOM = "docProps/custom.xml"
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01: fixed, so output bytes do not depend on the clock
#: The parts whose text a reader sees: their quotes are made typographic (clausegen.quotes).
_TEXT_PART = re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def xml_escape(value: str) -> str:
    """``&``, ``<`` and ``>`` as entities: xml.sax.saxutils.escape, whose module imports urllib.request
    (a hundredth of a second of every command)."""
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


@dataclass(frozen=True)
class _Entry:
    name: bytes
    crc: int
    size: int
    data: bytes  # raw deflate stream


_LISTING = re.compile("[\n\t\a\f]")
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'  # docxtpl's own replacement for a line break


def _paragraph_level(xml: str) -> bool:
    """Whether the body holds a tab, \\a or \\f (str.find is several times faster than a regex here)."""
    body = xml.find("<w:body")
    return any(xml.find(char, body) >= 0 for char in "\t\a\f")


def _breaks_in_text(xml: str, after_body: bool = False) -> str:
    """Each line break inside a ``<w:t>`` text node becomes a Word line break; others stay as they are.

    Found from each ``\\n`` outwards (text holds no raw ``<``), which is far cheaper than
    matching every text node of the document.  Only the body's are (``after_body``: ``xml`` is a piece
    of a part that follows its ``<w:body``).
    """
    pieces, done = [], 0
    index = xml.find("\n", 0 if after_body else xml.find("<w:body"))
    while index >= 0:
        start, end = xml.rfind(">", 0, index) + 1, xml.find("<", index)
        opening = xml.rfind("<", 0, start)
        if end >= 0 and xml.startswith("</w:t>", end) and xml.startswith("<w:t", opening) \
                and xml[opening + 4] in " >":
            pieces += [xml[done:start], xml[start:end].replace("\n", _BREAK)]
            done = end
        index = xml.find("\n", end if end > index else index + 1)
    return "".join(pieces) + xml[done:] if pieces else xml


#: A rendered body's paragraphs after :func:`_text_passes`, each with what lies between it and the previous
#: one, by that stretch as rendered (up to its ``</w:p>``): a batch's documents repeat the same clause
#: paragraphs and template text again and again.  When it holds :data:`_MAX_PASSED` of them it is set
#: aside as :data:`_PASSED_BEFORE` (looked up second; an entry found there is kept again) and a new one
#: begun, so that a long batch's memory stays flat (two memos at most) while the paragraphs every deal
#: repeats survive: emptying it instead made a 1,000-deal batch of full packs pass 61,280 pieces again,
#: not 29,795, of 24,096 distinct ones.  A stretch that holds no paragraph maps to None.
_PASSED: dict[str, tuple[str, frozenset[str] | None] | None] = {}
_PASSED_BEFORE: dict[str, tuple[str, frozenset[str] | None] | None] = {}
_MISSING = object()
_MAX_PASSED = 2048  # about 4.5 kB each (the paragraph, passed, and its words); a batch repeats a few hundred


def _text_passes(xml: str, body: int) -> list[tuple[str, frozenset[str] | None]]:
    """``curl_xml(_breaks_in_text(keep_together_xml(xml)))`` for a well-formed text part whose ``<w:body``
    is at ``body``, before its first paragraph, done paragraph by paragraph, each once per process: the
    pieces to join, each with the :func:`_long_words` of its text nodes (None: not known).

    A paragraph is what :func:`quotes.curl_xml` takes for one (``<w:p[ >]`` to the next ``</w:p>``); the
    first passes keep each one a paragraph and change nothing across its edges: keep_together_xml works
    between ``<`` and ``>`` and never makes or unmakes ``<w:p `` or ``</w:p>`` (it puts U+00A0 for a
    space after a digit, «_», «»», «№», «§» or «.»); _breaks_in_text changes a text node's line breaks
    inside the node, in the body; curl_xml converts each paragraph on its own.  So each piece (the
    paragraphs and what lies between them) can be passed on its own, the part's head (up to the first
    paragraph, with ``<w:body``) by the plain passes.

    The part after its head is cut at each ``</w:p>`` (in C): each stretch but the last is what lies
    between two paragraphs and the paragraph that the ``</w:p>`` closes, when it holds a paragraph's start;
    one that holds none (an ``</w:p>`` without its start) lies between paragraphs, with the next stretch.
    No ``<w:p[ >]`` spans a cut (``</w:p>`` holds no ``<w``).  The last stretch, and any without a
    paragraph before it, is what lies after the last paragraph.
    """
    found = quotes.PARAGRAPH_START.search(xml)
    if found is None or not 0 <= body < found.start():
        return [(quotes.curl_xml(_breaks_in_text(text.keep_together_xml(xml))), None)]
    global _PASSED, _PASSED_BEFORE
    head = found.start()
    pieces: list[tuple[str, frozenset[str] | None]] = [(_breaks_in_text(text.keep_together_xml(xml[:head])), None)]
    stretches = xml[head:].split("</w:p>")
    last = stretches.pop()
    carried = ""  # stretches without a paragraph, to lie between paragraphs with the next one
    for stretch in stretches:
        if carried:
            stretch = carried + stretch
        passed = _PASSED.get(stretch, _MISSING)
        if passed is _MISSING:
            passed = _PASSED_BEFORE.get(stretch, _MISSING)
            if passed is _MISSING:
                passed = _passed_stretch(stretch)
            elif passed is not None and passed[1] is None:
                passed = _with_words(passed[0])
            if len(_PASSED) >= _MAX_PASSED:
                _PASSED_BEFORE, _PASSED = _PASSED, {}
            _PASSED[stretch] = passed
        elif passed is not None and passed[1] is None:  # met again: now worth knowing its words
            passed = _PASSED[stretch] = _with_words(passed[0])
        if passed is None:
            carried = stretch + "</w:p>"
        else:
            carried = ""
            pieces.append(passed)
    pieces.append((_breaks_in_text(text.keep_together_xml(carried + last), after_body=True), None))
    return pieces


def _passed_stretch(stretch: str) -> tuple[str, frozenset[str] | None] | None:
    """What lies between two paragraphs and the paragraph after it (``stretch`` and its ``</w:p>``), passed;
    None when ``stretch`` holds no paragraph's start.  Its long words are left unknown (None: every name is
    looked for in it) until the stretch is met again: most stretches met once are a deal's own paragraphs,
    which name its parties anyway."""
    found = quotes.PARAGRAPH_START.search(stretch)
    if found is None:
        return None
    between = _breaks_in_text(text.keep_together_xml(stretch[:found.start()]), after_body=True)
    paragraph = _breaks_in_text(text.keep_together_xml(stretch[found.start():] + "</w:p>"), after_body=True)
    return between + quotes.curl_paragraph(paragraph), None


def _with_words(done: str) -> tuple[str, frozenset[str]]:
    """A passed stretch with the long words of its text nodes (of the markup too: twice the time)."""
    return done, _long_words(" ".join(_TEXT_NODE.findall(done)))


#: A passed paragraph with its names kept whole, by the paragraph and the names it holds: most paragraphs that
#: hold a name hold only those every deal shares (the supplier, the law's number, a product's), and come out
#: the same for hundreds of deals.  Emptied when it holds :data:`_MAX_UNHYPHENATED`.
_UNHYPHENATED: dict[tuple[str, frozenset[str]], str] = {}
_MAX_UNHYPHENATED = 2048


def _unhyphenated_pieces(pieces: list[tuple[str, frozenset[str] | None]], names: _Names, joined: str) -> str:
    """``_unhyphenated(joined, names, _may_hold(pieces, names))``, ``joined`` being the pieces joined: piece by
    piece, where no name is a run of two characters or fewer (a piece's words leave those out).  No text node
    crosses a piece's edge, and the run of each of a piece's text nodes starts in the piece (a paragraph holds
    its runs).  A piece whose words are known and hold no other name comes out the same for the same names
    among its words, which are all that :func:`_names_in` can find in it (each run of three characters or more
    is a word)."""
    runs, others = names.runs, names.others
    if any(len(word) <= 2 for word in runs):
        return _unhyphenated(joined, names)
    done = []
    for piece, words in pieces:
        if others and any(other in piece for other in others) or words is None:
            done.append(_unhyphenated(piece, names, [(0, len(piece))]))
            continue
        found = runs & words
        if not found:
            done.append(piece)
            continue
        key = (piece, found)
        kept = _UNHYPHENATED.get(key)
        if kept is None:
            if len(_UNHYPHENATED) >= _MAX_UNHYPHENATED:
                _UNHYPHENATED.clear()
            kept = _UNHYPHENATED[key] = _unhyphenated(piece, _Names.of(found), [(0, len(piece))])
        done.append(kept)
    return "".join(done)


def _long_words(xml: str) -> frozenset[str]:
    """The runs of word characters and hyphens of ``xml`` longer than two characters, markup included (each
    string kept once, however many pieces hold it)."""
    return frozenset(map(sys.intern, _LONG_RUN.findall(xml)))


def _may_hold(pieces: list[tuple[str, frozenset[str] | None]], names: _Names) -> list[tuple[int, int]] | None:
    """Where in the joined ``pieces`` a name may be (start, end of each piece that may hold one), or None:
    anywhere.  A name is looked for in text nodes only (:func:`_unhyphenated`), and a text node's runs are
    its piece's, none crossing its ``>`` or ``<``; so a piece none of whose text nodes' long words (the
    words given with it) is a name, and that holds none of the other names, holds no name."""
    if any(len(word) <= 2 for word in names.runs):
        return None
    spans, at = [], 0
    runs, others = names.runs, names.others
    for piece, words in pieces:
        end = at + len(piece)
        if words is None or not runs.isdisjoint(words) or others and any(other in piece for other in others):
            spans.append((at, end))
        at = end
    return spans


#: Per document: level 4.  zlib-ng deflates a rendered part about twice as fast as zlib at the same level, and
#: level 4 a third faster than docxtpl's 6 (0.97 ms, not 1.31, for an annex's body of 143 kB; 24,768 bytes, not
#: 23,556).  The documents stay smaller than docxtpl's all the same: the shipped templates hold their fixed
#: parts deflated by Zopfli (tools/build_templates.py), 2 kB smaller than level 9, and those are copied as
#: they are (:func:`_smallest`).
_LEVEL = 4
#: The parts every document shares (styles, theme) are deflated once per process (and kept by
#: clausegen.cache): at the best level, by whichever compressor makes them smaller, unless the template's
#: own stream is smaller still.
_FIXED_LEVEL = 9


def _deflate(data: bytes, level: int = _LEVEL) -> _Entry:
    """``data`` as a raw deflate stream by zlib-ng.  The same bytes in give the same bytes out for one version
    of zlib-ng: pyproject.toml bounds it (a new one may deflate differently, never wrongly)."""
    compressor = zlib_ng.compressobj(level, zlib_ng.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return _Entry(b"", zlib_ng.crc32(data), len(data), packed)


def _deflate_smallest(data: bytes) -> _Entry:
    """``data`` deflated at the best level by zlib-ng or by zlib, whichever is smaller (zlib-ng on a tie):
    for the fixed parts, deflated once, where every byte is in every document."""
    ours = _deflate(data, _FIXED_LEVEL)
    compressor = zlib.compressobj(_FIXED_LEVEL, zlib.DEFLATED, -15)
    packed = compressor.compress(data) + compressor.flush()
    return ours if len(ours.data) <= len(packed) else _Entry(b"", ours.crc, ours.size, packed)


def _smallest(data: bytes, stored: bytes | None) -> _Entry:
    """:func:`_deflate_smallest` of ``data``, or ``stored`` (the template's own deflate stream of the part)
    where that is smaller and inflates to exactly ``data``: a template is input, its streams are checked."""
    ours = _deflate_smallest(data)
    if stored is None or len(stored) >= len(ours.data):
        return ours
    inflater = zlib.decompressobj(-15)
    try:
        same = inflater.decompress(stored, len(data) + 1) == data and inflater.eof and not inflater.unused_data
    except zlib.error:
        same = False
    return _Entry(b"", ours.crc, ours.size, stored) if same else ours


def _stored_streams(data: bytes) -> dict[str, bytes]:
    """The raw deflate stream of each deflated, unencrypted part of the package ``data``, by name (zipfile
    reads parts only inflated); nothing where the package is not as its directory says."""
    streams: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for info in package.infolist():
                if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
                    continue
                at = info.header_offset
                signature, *_, name_length, extra_length = struct.unpack_from("<IHHHHHIIIHH", data, at)
                start = at + 30 + name_length + extra_length
                if signature != 0x04034B50 or start + info.compress_size > len(data):
                    return {}
                streams[info.filename] = data[start:start + info.compress_size]
    except (zipfile.BadZipFile, struct.error, ValueError):
        return {}
    return streams


#: What the fixed parts' bytes depend on besides the template: both compressors' versions.
COMPRESSORS = (f"zlib-ng {zlib_ng.ZLIBNG_VERSION}", f"zlib {zlib.ZLIB_RUNTIME_VERSION}")


def _write_zip(entries: list[_Entry]) -> bytes:
    out = io.BytesIO()
    central = []
    for entry in entries:
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, 0, _DOS_DATE, entry.crc,
                              len(entry.data), entry.size, len(entry.name), 0))
        out.write(entry.name)
        out.write(entry.data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 8, 0, _DOS_DATE, entry.crc,
                                   len(entry.data), entry.size, len(entry.name), 0, 0, 0, 0, 0, offset) + entry.name)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), size, start, 0))
    return out.getvalue()


def _named(entry: _Entry, name: str) -> _Entry:
    return _Entry(name.encode(), entry.crc, entry.size, entry.data)


def repack(data: bytes, deflate: Callable[[bytes], bytes] | None = None) -> bytes:
    """The same package with fixed timestamps and compression: the same content gives the same bytes
    (python-docx stamps each part with the clock).  ``deflate``: what makes a part's raw deflate stream
    (tools/build_templates.py gives Zopfli's), else this module's."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [(info.filename, package.read(info)) for info in package.infolist()]
    if deflate is None:
        return _write_zip([_named(_deflate(part), name) for name, part in parts])
    return _write_zip([_Entry(name.encode(), zlib.crc32(part), len(part), deflate(part)) for name, part in parts])


@dataclass(frozen=True)
class Properties:
    """Document properties, all derived from the deal (never from the clock)."""

    title: str
    subject: str
    creator: str
    keywords: str
    created: dt.date
    custom: tuple[tuple[str, str], ...]


def _core_xml(props: Properties) -> bytes:
    stamp = f"{props.created:%Y-%m-%d}T00:00:00Z"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_escape(props.title)}</dc:title><dc:subject>{xml_escape(props.subject)}</dc:subject>"
        f"<dc:creator>{xml_escape(props.creator)}</dc:creator><cp:keywords>{xml_escape(props.keywords)}</cp:keywords>"
        f"<cp:lastModifiedBy>clausegen</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def _custom_xml(props: Properties) -> bytes:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{xml_escape(name)}">'
        f"<vt:lpwstr>{xml_escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(props.custom, start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">' + items + "</Properties>"
    ).encode()


_IN_TAG = re.compile(r"{[{%].*?[}%]}", re.S)
_ENTITY = re.compile(r"&(apos|quot|amp|lt|gt|#\d+|#x[0-9a-fA-F]+);")
_NAMED = {"apos": "'", "quot": '"', "amp": "&", "lt": "<", "gt": ">"}


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _NAMED:
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    return chr(code) if 0 < code <= 0x10FFFF else match.group()


def _entities_in_tags(source: str) -> str:
    """Jinja sees ``'`` where the XML says ``&apos;``: LibreOffice writes quotes inside text as entities
    (``{%tr if row.kind == &apos;title&apos; %}``), which Word and docxtpl never do.  Only text inside
    ``{{ }}`` and ``{% %}`` changes; the XML around the tags keeps its entities."""
    return _IN_TAG.sub(lambda tag: _ENTITY.sub(_entity, tag.group()), source) if "&" in source else source


class CompiledTemplate:
    """A docxtpl template, compiled once, rendered many times; what compiling makes of a template's
    bytes is kept across processes by :mod:`clausegen.cache` (nor docxtpl nor Jinja's compiler is
    then needed)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # the register keeps the bytes, to regenerate a document as it was sent
        self.data = _read_template(path)  # refuses what is not a regular file or too large before reading it
        self.fingerprint = hashlib.sha256(self.data).hexdigest()  # recorded in every document
        self._listing: Any = None
        self._order: list[str] = []
        self._fixed: dict[str, _Entry] = {}
        self._templates: dict[str, Any] = {}
        self._codes: dict[str, CodeType] = {}
        self.sources: dict[str, str] = {}
        key = (jinja2.__version__, _docxtpl_version(), *COMPRESSORS, self.fingerprint)
        if not self._restore(cache.load("templates", key)):
            self._compile(_read_package(path))  # refuses what is not a DOCX, or a part that is not allowed
            cache.store("templates", key, self._state())

    def _compile(self, parts: list[tuple[str, bytes]]) -> None:
        path = self.path
        stored = _stored_streams(self.data)
        for name, data in parts:
            if name in (_CORE, _CUSTOM):
                continue
            try:
                if name == "[Content_Types].xml":
                    data = _with_custom_content_type(data)
                elif name == "_rels/.rels":
                    data = _with_custom_relationship(data)
                tagged = name.endswith(".xml") and name.startswith("word/") and _TAG.search(data.decode("utf-8",
                                                                                                          "replace"))
                text = data.decode("utf-8") if tagged else ""
            except UnicodeDecodeError as error:
                raise LibraryError([Problem(f"{name} is not UTF-8 text (byte {error.start})", "", str(path))],
                                   "broken template") from None
            self._order.append(name)
            if tagged:
                source = _entities_in_tags(self._helper.patch_xml(text))
                # A line per paragraph, so that tag errors name a useful line; the line break sits in
                # a Jinja comment and never reaches the output.
                source = re.sub(r"<w:p([ >])", "{#\n#}<w:p\\1", source)
                # Word trims a value's own edge spaces otherwise; values never hold a raw '<', so every
                # <w:t> of the output is one of these.
                source = source.replace("<w:t>", '<w:t xml:space="preserve">')
                try:
                    self._codes[name] = ENV.compile(source)  # what ENV.from_string does, with the code kept
                except TemplateError as error:
                    raise LibraryError([Problem(f"template tag error in {name}: {error}", "", str(path))],
                                       "broken template") from None
                self._templates[name] = template_from_code(self._codes[name])
                self.sources[name] = source
            else:
                if _TEXT_PART.fullmatch(name):  # the template's own text, in the quote style of its column
                    data = quotes.curl_xml(data.decode("utf-8")).encode("utf-8")
                self._fixed[name] = _named(_smallest(data, stored.get(name)), name)
        self._order += [_CORE, _CUSTOM]

    def _state(self) -> tuple[Any, ...]:
        """What compiling made, for :mod:`clausegen.cache`: the part order, the fixed parts deflated,
        and each tagged part's source with the code Jinja compiled it to."""
        fixed = tuple((name, entry.crc, entry.size, entry.data) for name, entry in self._fixed.items())
        tagged = tuple((name, source, self._codes[name]) for name, source in self.sources.items())
        return tuple(self._order), fixed, tagged

    def _restore(self, state: Any) -> bool:
        """Take a :meth:`_state` back; False (nothing taken) for anything else."""
        try:
            order, fixed, tagged = state
            entries = {name: _named(_Entry(b"", crc, size, data), name) for name, crc, size, data in fixed}
            sources = {name: (source, code) for name, source, code in tagged}
            if not all(isinstance(value, int) for _, crc, size, _ in fixed for value in (crc, size)) \
                    or not all(isinstance(data, bytes) for *_, data in fixed) \
                    or not all(isinstance(source, str) and isinstance(code, CodeType) for source, code in
                               sources.values()) \
                    or sorted(order) != sorted([*entries, *sources, _CORE, _CUSTOM]):
                return False
        except (TypeError, ValueError):
            return False
        self._order, self._fixed = list(order), entries
        self._codes = {name: code for name, (_, code) in sources.items()}
        self._templates = {name: template_from_code(code) for name, code in self._codes.items()}
        self.sources = {name: source for name, (source, _) in sources.items()}
        return True

    @property
    def _helper(self) -> Any:
        """docxtpl's template, only for its tag preprocessing (when compiling) and its line-break handling
        (:meth:`_resolve_listing`): imported when first needed (it does not read the file)."""
        if self._listing is None:
            from docxtpl import DocxTemplate

            self._listing = DocxTemplate(str(self.path))
        return self._listing

    def variables(self) -> set[str]:
        """The top-level names the template reads (for static checks)."""
        found: set[str] = set()
        for source in self.sources.values():
            found |= meta.find_undeclared_variables(ENV.parse(source))
        return found

    def render(self, context: dict[str, Any], props: Properties, names: frozenset[str] = frozenset()) -> bytes:
        """The finished DOCX as bytes; ``names``: words of personal and company names, never hyphenated."""
        words = _Names.of(names) if names else None
        entries = []
        for name in self._order:
            if name == _CORE:
                entries.append(_named(_deflate(_core_xml(props)), name))
            elif name == _CUSTOM:
                entries.append(_named(_deflate(_custom_xml(props)), name))
            elif name in self._fixed:
                entries.append(self._fixed[name])
            else:
                entries.append(_named(_deflate(self._render_part(name, context, words)), name))
        return _write_zip(entries)

    def _render_part(self, name: str, context: dict[str, Any], names: _Names | None = None) -> bytes:
        try:
            pieces = render_bounded(self._templates[name], context)
        except (TemplateError, *RENDER_FAILURES) as error:
            raise RenderError(f"template {self.path.name} ({name}): {error or type(error).__name__}") from None
        # Dates, numbers after «№», references and initials are kept on one line (U+00A0), in the values
        # and in the template's own text alike; one quote style per column (only text nodes change, so the
        # part stays as well-formed as it was proved to be).
        xml = "".join(pieces)
        body = xml.find("<w:body")
        if body >= 0 and _TEXT_PART.fullmatch(name) and not _paragraph_level(xml) and wellformed.proven(pieces):
            # the shape of most bodies is known: the same passes, paragraph by paragraph (_text_passes)
            pieces = _text_passes(xml, body)
            xml = "".join(piece for piece, _ in pieces)
            if names is not None:
                names = names.within(xml)
                xml = _unhyphenated_pieces(pieces, names, xml)
            return _ragged_around_addresses(xml).encode("utf-8")
        xml = text.keep_together_xml(xml)
        try:  # a failure is a bug, not a user error: never write a broken document
            if _paragraph_level(xml):
                xml = self._resolve_listing(xml)
                wellformed.parse(xml.encode("utf-8"))
            else:
                wellformed.check(pieces, xml)
                # Well-formedness survives this: it splits a text node only inside a text node.
                xml = _breaks_in_text(xml)
        except expat.ExpatError as error:
            raise RenderError(f"template {self.path.name} produced malformed XML in {name}: {error}") from None
        if _TEXT_PART.fullmatch(name):
            xml = quotes.curl_xml(xml)
            if names is not None:
                xml = _unhyphenated(xml, names)
            xml = _ragged_around_addresses(xml)
        return xml.encode("utf-8")

    def _resolve_listing(self, xml: str) -> str:
        """docxtpl's handling of \\n, \\t, \\a, \\f in text (line breaks, tabs, new paragraphs).

        docxtpl rewrites every paragraph of the document for it; only the few
        paragraphs that hold such a character need it, and those are found
        directly (it was most of a render's time).  Paragraphs do not nest,
        as docxtpl itself assumes.  When only line breaks are present (the
        only kind clausegen's texts make), :func:`_breaks_in_text` does the same.
        """
        pieces, done = [], 0
        for match in _LISTING.finditer(xml, xml.find("<w:body")):
            if match.start() < done:
                continue
            start = max(xml.rfind("<w:p>", done, match.start()), xml.rfind("<w:p ", done, match.start()))
            if start < 0 or xml.find("</w:p>", start, match.start()) >= 0:
                continue  # between paragraphs, where docxtpl leaves it too
            end = xml.find("</w:p>", match.start())
            if end < 0:
                continue
            end += len("</w:p>")
            pieces += [xml[done:start], self._helper.resolve_listing(xml[start:end])]
            done = end
        return "".join(pieces) + xml[done:] if pieces else xml


@lru_cache(maxsize=64)
def _words_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """One or more of ``names`` in a row (spaces between them): a name as a text prints it.

    This pattern defines what :func:`_names_in` finds; it is compiled only for a text that holds a name
    which is not a run of word characters and hyphens (an e-mail address), and then of the few names
    that text holds."""
    if not names:
        return None
    words = "|".join(re.escape(word) for word in sorted(names, key=lambda word: (-len(word), word)))
    # nor where it is an entity's name in the escaped text («&amp;» holds no name «amp»: splitting it there
    # would break the XML)
    return re.compile(rf"(?<![\w&-])(?<!&#)(?:{words})(?:[ \u00a0]+(?:{words}))*(?![\w-])")


_WORD_RUN = re.compile(r"[\w-]+")
_LONG_RUN = re.compile(r"[\w-]{3,}")  # greedy from a run's start, so each match is a whole run
_WORD_CHAR = re.compile(r"[\w-]")
_SPACES = " \u00a0"


@dataclass(frozen=True)
class _Names:
    """The words of a deal's names (:meth:`CompiledTemplate.render`), sorted for :func:`_names_in`."""

    words: frozenset[str]
    #: Names that are a run of word characters and hyphens («Jean-Luc», «Кузнецовой»): almost all.
    runs: frozenset[str]
    #: The others (an e-mail address, a name with a dot or an apostrophe).
    others: tuple[str, ...]

    @classmethod
    def of(cls, words: frozenset[str]) -> _Names:
        runs = frozenset(word for word in words if _WORD_RUN.fullmatch(word))
        return cls(words, runs, tuple(sorted(words - runs)))

    def within(self, xml: str) -> _Names:
        """These names without the others that ``xml`` does not hold (most parts hold no e-mail address):
        a name not in a part is in none of its text nodes."""
        others = tuple(other for other in self.others if other in xml)
        return self if others == self.others else _Names(self.words, self.runs, others)


_TEXT_NODE = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_JUSTIFIED, _FLUSH_LEFT = '<w:jc w:val="both"/>', '<w:jc w:val="left"/>'


def _ragged_around_addresses(xml: str) -> str:
    """Each justified paragraph that holds an e-mail address set flush left instead: the address is one
    word that cannot break, and justification stretches the line before it into wide gaps (review 10)."""
    at, done, pieces = xml.find("@"), 0, []
    while at >= 0:
        start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
        end = xml.find("</w:p>", at)
        if start < done or end < 0 or xml.find("</w:p>", start, at) >= 0:  # seen already, or in no paragraph
            at = xml.find("@", at + 1)
            continue
        paragraph = xml[start:end]
        if _JUSTIFIED in paragraph and _EMAIL.search("".join(_TEXT_NODE.findall(paragraph + "</w:p>"))):
            pieces += [xml[done:start], paragraph.replace(_JUSTIFIED, _FLUSH_LEFT, 1)]
            done = end
        at = xml.find("@", end)
    return "".join(pieces) + xml[done:] if pieces else xml


_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>", re.S)
_RUN_LANGUAGE = re.compile(r"<w:lang [^>]*/>")
_NO_LANGUAGE = '<w:lang w:val="zxx"/>'  # "no linguistic content": LibreOffice and Word do not hyphenate it
_NO_BREAK_HYPHEN = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'  # read back as "-" (python-docx, Word)


#: The runs of word characters and hyphens in a text node's content, by the content: a batch's documents
#: repeat the same clause paragraphs, whatever the deal's names.  Emptied when the contents kept reach
#: :data:`_MAX_RUN_CHARS` characters, so that a long batch's memory stays flat.
_RUNS: dict[str, frozenset[str]] = {}
_MAX_RUN_CHARS = 400_000
_run_chars = 0


def _runs_of(content: str) -> frozenset[str]:
    global _run_chars
    found = _RUNS.get(content)
    if found is None:
        if _run_chars + len(content) > _MAX_RUN_CHARS:
            _RUNS.clear()
            _run_chars = 0
        found = _RUNS[content] = frozenset(_WORD_RUN.findall(content))
        _run_chars += len(content)
    return found


def _names_in(names: _Names, content: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) of each match of ``_words_pattern(names.words)`` in ``content``, found without it.

    A match is one or more names separated by spaces (U+0020, U+00A0), with no word character or hyphen
    just before or just after it, nor «&» or «&#» just before it (an entity of the escaped text).  A name
    that is a run of word characters and hyphens can end a match or
    be followed by spaces only where its run ends, and starts where a run starts: it matches exactly
    where it is a whole run.  So when no other name is in the content, the matches are the longest
    stretches of runs that are names with only spaces between them; a set lookup per content, nothing
    compiled per deal.  Otherwise (an e-mail address in a letter's text) the pattern decides, made of
    the names the content holds: one it does not hold matches nowhere and changes nothing.
    """
    if names.others and any(other in content for other in names.others):
        pattern = _words_pattern(frozenset(word for word in names.words if word in content))
        assert pattern is not None
        return tuple(match.span() for match in pattern.finditer(content))
    runs = _runs_of(content)
    if names.runs.isdisjoint(runs):
        return ()
    whole = []  # where a name is a whole run: found in C (str.find), each run only checked at its edges
    for word in names.runs.intersection(runs):
        at = content.find(word)
        while at >= 0:
            end = at + len(word)
            if (at == 0 or not _WORD_CHAR.match(content, at - 1)) and not _WORD_CHAR.match(content, end) \
                    and not _in_entity(content, at):
                whole.append((at, end))
            at = content.find(word, end)  # an occurrence overlapping this one is inside a run
    found: list[tuple[int, int]] = []
    for start, end in sorted(whole):
        if found and not content[found[-1][1]:start].strip(_SPACES):  # only spaces between: one match
            found[-1] = (found[-1][0], end)
        else:
            found.append((start, end))
    return tuple(found)


def _in_entity(content: str, at: int) -> bool:
    """Whether a run starting at ``at`` of escaped text is an entity's name or number («amp» of «&amp;»,
    «34» of «&#34;»): text holds no other «&».  A name there is no name."""
    return content[at - 1:at] == "&" or content[max(0, at - 2):at] == "&#"


def _last_run(xml: str, before: int) -> int:
    """Where the last ``<w:r>`` or ``<w:r …>`` before ``before`` starts, or -1; looked for close by first
    (an occurrence outside the window starts before any inside it, so the nearer one wins either way)."""
    near = max(0, before - 2048)
    found = max(xml.rfind("<w:r>", near, before), xml.rfind("<w:r ", near, before))
    return found if found >= 0 or near == 0 else max(xml.rfind("<w:r>", 0, before), xml.rfind("<w:r ", 0, before))


def _unhyphenated(xml: str, names: _Names, spans: list[tuple[int, int]] | None = None) -> str:
    """Each name in a text node in a run of its own, in language ``zxx``, so that it is never hyphenated
    (LibreOffice ignores ``w:noProof`` for hyphenation; a paragraph's ``w:suppressAutoHyphens`` would
    stop it for the whole paragraph), its own hyphens non-breaking.  The text reads the same: only runs
    are split.  ``spans``: where the names may be (_may_hold), when known: the part is well-formed, so no
    text node crosses a piece's edge."""
    pieces, done = [], 0
    if spans is None:
        names, nodes = names.within(xml), _TEXT_NODE.finditer(xml)
    else:  # the caller has narrowed the names to the part's (_may_hold needs them so)
        nodes = (node for start, end in spans for node in _TEXT_NODE.finditer(xml, start, end))
    for node in nodes:
        found = _names_in(names, node.group(1))
        if not found:
            continue
        run = _last_run(xml, node.start())
        if run < 0:
            continue
        own = _RUN_PROPERTIES.search(xml, run, node.start())
        plain = own.group() if own else ""
        if not plain:
            bare = f"<w:rPr>{_NO_LANGUAGE}</w:rPr>"
        elif _RUN_LANGUAGE.search(plain):
            bare = _RUN_LANGUAGE.sub(_NO_LANGUAGE, plain)
        else:
            bare = plain.replace("</w:rPr>", _NO_LANGUAGE + "</w:rPr>")
        content, at, parts = node.group(1), 0, []
        for start, end in found:
            # and a compound name («Константинопольская-Кузнецова») does not break at its hyphen either
            whole = content[start:end].replace("-", _NO_BREAK_HYPHEN)
            parts += [content[at:start], f'</w:t></w:r><w:r>{bare}<w:t xml:space="preserve">', whole,
                      f'</w:t></w:r><w:r>{plain}<w:t xml:space="preserve">']
            at = end
        parts.append(content[at:])
        pieces += [xml[done:node.start()], '<w:t xml:space="preserve">', "".join(parts), "</w:t>"]
        done = node.end()
    return "".join(pieces) + xml[done:] if pieces else xml


def _read_package(path: Path) -> list[tuple[str, bytes]]:
    name = str(path)
    try:
        status = path.stat()
    except OSError as error:
        raise LibraryError([Problem(f"cannot read template: {error.strerror}", "", name)], "broken template") from None
    if not stat.S_ISREG(status.st_mode):  # a folder, or a device or pipe whose size says nothing
        raise LibraryError([Problem("not a regular file", "", name)], "template refused")
    size = status.st_size
    if size > MAX_TEMPLATE_BYTES:
        raise LibraryError([Problem(f"template larger than {MAX_TEMPLATE_BYTES >> 20} MiB", "", name)],
                           "template refused")
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_UNPACKED_BYTES:
                raise LibraryError([Problem(f"template would unpack to {unpacked >> 20} MiB "
                                            f"(limit {MAX_UNPACKED_BYTES >> 20} MiB)", "", name)], "template refused")
            parts = []
            for info in infos:
                if info.is_dir():
                    continue
                with package.open(info) as handle:  # read with a cap: declared sizes can lie
                    data = handle.read(MAX_UNPACKED_BYTES + 1)
                if len(data) > MAX_UNPACKED_BYTES:
                    raise LibraryError([Problem("template part too large when unpacked", info.filename, name)],
                                       "template refused")
                problem = _part_problem(info.filename, data)
                if problem:
                    raise LibraryError([Problem(problem, info.filename, name)], "template refused")
                parts.append((info.filename, data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError,
            RuntimeError) as error:  # unsupported compression; encryption
        raise LibraryError([Problem(f"not a DOCX file: {error}", "", name)], "broken template") from None
    except OSError as error:
        raise LibraryError([Problem(f"cannot read template: {error.strerror or error}", "", name)],
                           "broken template") from None
    if not any(part == "word/document.xml" for part, _ in parts):
        raise LibraryError([Problem("not a DOCX file: no word/document.xml", "", name)], "broken template")
    return parts


MAX_TAGS = 10_000  # template tags in one part; the shipped templates have a few dozen
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)


def _part_problem(part: str, data: bytes) -> str | None:
    """Why a template's part may not be used, or None.

    A part name that climbs out of the package (``../``), is absolute or uses backslashes would be
    written into every document, which Word repairs and LibreOffice refuses; a DOCTYPE or ENTITY can
    expand without end and is not allowed in Office XML; tens of thousands of tags are no template
    a person wrote, and compiling them would exhaust memory.
    """
    segments = part.split("/")
    if part.startswith("/") or "\\" in part or any(seg in ("", ".", "..") for seg in segments):
        return "a part name outside the package (absolute, '..', '.' or backslashes) is not allowed"
    if part.endswith((".xml", ".rels")):
        if _DTD.search(data):
            return "a DOCTYPE or ENTITY declaration is not allowed in a DOCX part"
        tags = data.count(b"{{") + data.count(b"{%")
        if tags > MAX_TAGS:
            return f"{tags} template tags in one part (at most {MAX_TAGS})"
    return None


def _with_custom_content_type(data: bytes) -> bytes:
    text = data.decode("utf-8")
    if "/docProps/custom.xml" not in text:
        text = text.replace("</Types>", f'<Override PartName="/docProps/custom.xml" ContentType="{_CUSTOM_CT}"/></Types>')
    return text.encode("utf-8")


def _with_custom_relationship(data: bytes) -> bytes:
    text = data.decode("utf-8")
    if _CUSTOM_REL not in text:
        text = text.replace(
            "</Relationships>",
            f'<Relationship Id="rIdClausegenCustom" Type="{_CUSTOM_REL}" Target="docProps/custom.xml"/></Relationships>',
        )
    return text.encode("utf-8")


def _read_template(path: Path) -> bytes:
    """The bytes of the template at ``path``, refused (:class:`LibraryError`) before reading when it is
    not a regular file or is larger than :data:`MAX_TEMPLATE_BYTES`."""
    name = str(path)
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a folder, or a device or pipe whose size says nothing
            raise LibraryError([Problem("not a regular file", "", name)], "template refused")
        if status.st_size > MAX_TEMPLATE_BYTES:
            raise LibraryError([Problem(f"template larger than {MAX_TEMPLATE_BYTES >> 20} MiB", "", name)],
                               "template refused")
        with path.open("rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise LibraryError([Problem(f"cannot read template: {error.strerror or error}", "", name)],
                           "broken template") from None
    if len(data) > MAX_TEMPLATE_BYTES:  # grew since its size was read
        raise LibraryError([Problem(f"template larger than {MAX_TEMPLATE_BYTES >> 20} MiB", "", name)],
                           "template refused")
    return data


def _docxtpl_version() -> str:
    """docxtpl's version, from its metadata (importing it is what a cached template saves)."""
    return cache.package_version("docxtpl") or "unknown"


@lru_cache(maxsize=32)
def _compiled(path: Path, mtime_ns: int, size: int) -> CompiledTemplate:
    return CompiledTemplate(path.resolve())  # the real file, which a message names


def compiled_template(path: Path) -> CompiledTemplate:
    """The compiled template for ``path``, cached per process while the file is unchanged."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise LibraryError([Problem("template not found", "", str(path))], "missing template") from None
    # keyed by the absolute path as given, not the real one: resolving it asked the system about every folder
    # on the way, for each document; a link retargeted meanwhile shows in the file's status all the same
    return _compiled(Path(os.path.abspath(path)), status.st_mtime_ns, status.st_size)


# ------------------------------------------------------------------ reading back


def _spaced(value: str) -> str:
    """Text as read back: a non-breaking space (line layout, :func:`text.keep_together`) reads as a space."""
    return value.replace(text.NBSP, " ")


def docx_rows(data: bytes) -> list[list[str]]:
    """The text of a DOCX: one list of cell texts per table row, one item per paragraph outside tables
    (a non-breaking space read as a space)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    rows: list[list[str]] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                rows.append([_spaced(block.text)])
        elif isinstance(block, Table):
            for row in block.rows:
                rows.append([_spaced(cell.text) for cell in row.cells])
    return rows


def docx_custom_properties(data: bytes) -> dict[str, str]:
    """The custom properties clausegen recorded in a DOCX."""
    from lxml import etree  # only to read documents back

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        try:
            root = etree.fromstring(package.read(_CUSTOM))
        except KeyError:
            return {}
    ns = {"c": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"}
    return {prop.get("name"): "".join(prop.itertext()) for prop in root.findall("c:property", ns)}


# ------------------------------------------------------------------ reading any document (clausegen verify)

#: Parts besides the body whose paragraphs can hold text (and so leftover template tags).
_SIDE_PART = re.compile(r"word/(header|footer|footnotes|endnotes|comments)\d*\.xml")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: The hidden point bookmarks at the first and at the last paragraph of an annex placed inside a host
#: document (:mod:`clausegen.combine`); two points, as LibreOffice cannot keep one bookmark that runs
#: from a table cell into another table.
ANNEX_MARKS = ("_clausegen_annex_start", "_clausegen_annex_end")


@dataclass(frozen=True)
class DocxRow:
    """One item of :func:`docx_rows`, with the body table it comes from (``None``: a paragraph)."""

    cells: tuple[str, ...]
    table: int | None


@dataclass(frozen=True)
class DocxText:
    """All the text of a DOCX that :mod:`clausegen.verify` checks."""

    rows: list[DocxRow]  # in the order (and with the numbering) of docx_rows()
    side: list[tuple[str, str]]  # (part, paragraph text) of headers, footers, notes and comments
    properties: dict[str, str]  # clausegen's custom properties


def not_a_docx(name: str) -> Any:
    """The refusal for a file that is not a readable DOCX, naming it."""
    def refuse(reason: str) -> InputError:
        return InputError([Problem(f"not a DOCX file: {reason}", "", name)], "cannot read the document")
    return refuse


def unpack_capped(data: bytes, refuse: Any) -> dict[str, bytes]:
    """Every part of a DOCX of unknown origin, read with a cap on the total (declared sizes can lie), and
    refused without ``word/document.xml``.  Zip errors are the caller's to translate (with its own parser's)."""
    parts: dict[str, bytes] = {}
    unpacked = 0
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            with package.open(info) as handle:
                parts[info.filename] = handle.read(MAX_UNPACKED_BYTES + 1 - unpacked)
            unpacked += len(parts[info.filename])
            if unpacked > MAX_UNPACKED_BYTES:
                raise refuse(f"it unpacks to more than {MAX_UNPACKED_BYTES >> 20} MiB")
    if "word/document.xml" not in parts:
        raise refuse("no word/document.xml")
    return parts


def read_docx_text(data: bytes, name: str = "document.docx") -> DocxText:
    """Read a DOCX of unknown origin; :class:`InputError` (naming ``name``) when it is not one.

    As for templates, every part is unpacked with a cap before python-docx reads
    it: the file may come from anyone, and declared sizes can lie.
    """
    import docx
    from docx.opc.exceptions import OpcError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml import etree

    safe = etree.XMLParser(resolve_entities=False, no_network=True)  # the file may come from anyone

    refuse = not_a_docx(name)
    try:
        parts = unpack_capped(data, refuse)
        side = [(part, _spaced("".join(t.text or "" for t in p.iter(f"{_W}t"))))
                for part in sorted(n for n in parts if _SIDE_PART.fullmatch(n))
                for p in etree.fromstring(parts[part], safe).iter(f"{_W}p")]
        properties = docx_custom_properties(data)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, KeyError, ValueError, OpcError,
            NotImplementedError, RuntimeError, etree.XMLSyntaxError) as error:
        # ValueError: python-docx's "not a Word file" (an .xlsx); NotImplementedError, RuntimeError:
        # a compression method zipfile lacks, an encrypted part
        raise refuse(str(error) or type(error).__name__) from None
    rows: list[DocxRow] = []
    tables = 0
    annex = _annex_blocks(document.element.body)
    for block in document.iter_inner_content():  # the same walk as docx_rows(), so row numbers agree
        if annex is not None and block._element not in annex:
            continue
        if isinstance(block, Paragraph):
            if block.text.strip():
                rows.append(DocxRow((_spaced(block.text),), None))
        elif isinstance(block, Table):
            rows += [DocxRow(tuple(_spaced(cell.text) for cell in row.cells), tables) for row in block.rows]
            tables += 1
    return DocxText(rows, side, properties)


def _annex_blocks(body: Any) -> set[Any] | None:
    """The body's blocks from the one that holds the first of :data:`ANNEX_MARKS` to the one that holds
    the second (an annex inside a contract), or None: the whole document is the annex."""
    found = {mark.get(f"{_W}name"): mark for mark in body.iter(f"{_W}bookmarkStart")
             if mark.get(f"{_W}name") in ANNEX_MARKS}
    if ANNEX_MARKS[0] not in found:
        return None

    def block_of(node: Any) -> Any:
        while node.getparent() is not body:
            node = node.getparent()
        return node

    blocks = list(body)
    first = blocks.index(block_of(found[ANNEX_MARKS[0]]))
    last = blocks.index(block_of(found[ANNEX_MARKS[1]])) if ANNEX_MARKS[1] in found else len(blocks) - 1
    return set(blocks[first:last + 1])  # lxml keeps these proxies while they are held: membership is identity
