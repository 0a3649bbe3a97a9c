"""The annex inside a host document (a contract, an offer): rendering layer, with docxcompose.

docxcompose copies the annex's body into the host, keeps the host's styles and
numbering, adds the annex's own styles (a style of the same name but other
formatting comes in as a renamed copy, ``preserve_styles``) and renumbers the
numbering it brings.  It does not keep the added document's page setup, header
or footer, and nothing in it is deterministic at the byte level; this module
adds what clausegen needs around it:

* the annex is a section of its own: page size, orientation, margins, header
  and footer stay the annex's, and the host's sections stay as they were;
* the annex's formatting from its own defaults and styles is written onto its
  paragraphs and runs, so the host's ``Normal`` (another font, other spacing)
  cannot restyle it;
* hidden bookmarks mark the annex's first and last paragraph, and the annex's
  ``clausegen.*`` custom properties are copied into the host's, so ``verify``
  finds and checks the annex part;
* the same inputs give the same bytes (fixed zip timestamps, no random ids).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from copy import deepcopy
from typing import Any

from docxcompose.composer import Composer
from lxml import etree

from .errors import InputError, Problem
from .render import ANNEX_MARKS, repack

PLACEHOLDER = "[[clausegen:annex]]"
HOST_BOOKMARK = "clausegen_annex"
MAX_HOST_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = f"{{{_W_NS}}}"
_PAIR = "{urn:clausegen:compose}pair"  # a bookmark's partner, across docxcompose's renumbering; removed after
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

# The schema order of the children of w:pPr and w:rPr (Word refuses a document whose order is wrong).
_PPR_ORDER = ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
              "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
              "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
              "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()
_RPR_ORDER = ("rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
              "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
              "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath rPrChange").split()
#: Elements of w:settings that the schema places after w:autoHyphenation (the common ones).
_AFTER_AUTO_HYPHENATION = set(("consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope "
                               "summaryLength clickAndTypeStyle defaultTableStyle evenAndOddHeaders "
                               "bookFoldRevPrinting bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
                               "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
                               "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
                               "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData "
                               "noPunctuationKerning characterSpacingControl printTwoOnOne strictFirstAndLastChars "
                               "noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema "
                               "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
                               "saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags alwaysMergeEmptyNamespace "
                               "updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids mathPr "
                               "attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
                               "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
                               "schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator").split())
#: What a style gives that is not baked onto the paragraph or run: references, and what is not formatting.
_NOT_BAKED = {"pStyle", "rStyle", "numPr", "rPr", "sectPr", "pPrChange", "rPrChange"}
#: Elements whose attributes add up along the style chain instead of replacing each other.
_MERGED = {"rFonts", "spacing", "ind", "lang"}
_FONT_PAIRS = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme", "cs": "cstheme"}


def combine(host: bytes, annex: bytes, host_name: str) -> bytes:
    """``annex`` (a DOCX clausegen rendered) inside ``host``: at the paragraph that holds only
    ``[[clausegen:annex]]`` or carries the bookmark ``clausegen_annex``, else after the host's end on a
    new page; :class:`InputError` naming ``host_name`` when the host is not a readable DOCX or the
    place is ambiguous."""
    document = _open(host, host_name)
    addition = _open(annex, "annex")
    body, added_body = document.element.body, addition.element.body
    spot = _spot(body, host_name)
    own_section = deepcopy(added_body.find(f"{_W}sectPr"))
    _bake_defaults(addition, added_body)
    _pair_bookmarks(body, "h")
    _pair_bookmarks(added_body, "a")
    numbering_before = _abstract_ids(document)
    if spot is None:
        index = body.index(_close_last_section(body))  # before the body's sectPr, which becomes the annex's
    else:
        _split_section_at(spot)
        index = body.index(spot) + 1
    before = set(body)  # lxml keeps one proxy per node while it is referenced: identity is stable
    composer = _Composer(document, preserve_styles=True)
    composer.insert(index, addition)
    inserted = [element for element in body if element not in before and element.tag != f"{_W}sectPr"]

    section = _annex_section(document, addition, composer, own_section)
    if spot is None:
        body.remove(body.find(f"{_W}sectPr"))
        body.append(section)
    else:
        closing = etree.Element(f"{_W}p")
        inserted[-1].addnext(closing)
        etree.SubElement(closing, f"{_W}pPr").append(section)
    _hyphenate_annex_only(document, addition, inserted)
    _fix_bookmarks(body, inserted)
    _fix_numbering_ids(document, numbering_before)
    _copy_properties(document, addition)
    out = io.BytesIO()
    document.save(out)
    return repack(out.getvalue())


class _Composer(Composer):  # type: ignore[misc]
    def retain_formatting_from_default_styles(self, doc: Any) -> None:
        """Left to :func:`_bake_defaults`: docxcompose's own appends a run property a run already has
        (two ``w:sz`` in one ``w:rPr``), out of schema order."""


# ------------------------------------------------------------------ reading


def _open(data: bytes, name: str) -> Any:
    """python-docx's document for ``data``, read with caps (the host may come from anyone)."""
    import docx
    from docx.opc.exceptions import OpcError

    def refuse(reason: str) -> InputError:
        return InputError([Problem(f"not a readable DOCX file: {reason}", "", name)], "cannot read the host document")

    if len(data) > MAX_HOST_BYTES:
        raise refuse(f"larger than {MAX_HOST_BYTES >> 20} MiB")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = 0
            for info in package.infolist():
                with package.open(info) as handle:  # declared sizes can lie: count what comes out
                    while chunk := handle.read(1 << 20):
                        unpacked += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES:
                            raise refuse(f"it unpacks to more than {MAX_UNPACKED_BYTES >> 20} MiB")
            if "word/document.xml" not in package.namelist():
                raise refuse("no word/document.xml")
        return docx.Document(io.BytesIO(data))
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, KeyError, ValueError, OpcError,
            NotImplementedError, RuntimeError, etree.XMLSyntaxError) as error:
        raise refuse(str(error) or type(error).__name__) from None


def _text(paragraph: Any) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{_W}t"))


def _spot(body: Any, host_name: str) -> Any | None:
    """The host's paragraph where the annex goes, or None (after the end)."""
    held = [p for p in body.iter(f"{_W}p") if _text(p).strip() == PLACEHOLDER]
    marked = [start for start in body.iter(f"{_W}bookmarkStart") if start.get(f"{_W}name") == HOST_BOOKMARK]
    found = held or [_paragraph_of(start) for start in marked]
    if not found:
        return None
    what = f"the placeholder {PLACEHOLDER}" if held else f"the bookmark {HOST_BOOKMARK}"
    if len(found) > 1:
        raise InputError([Problem(f"{what} appears {len(found)} times; keep one, where the annex goes", "",
                                  host_name)], "cannot place the annex")
    spot = found[0]
    if spot is None or spot.getparent() is not body:
        raise InputError([Problem(f"{what} is inside a table, text box or field; the annex is a section of its "
                                  f"own and needs a paragraph of its own in the body", "", host_name)],
                         "cannot place the annex")
    if held:
        for child in list(spot):  # the placeholder goes; the paragraph's formatting and any bookmarks stay
            if child.tag not in (f"{_W}pPr", f"{_W}bookmarkStart", f"{_W}bookmarkEnd"):
                spot.remove(child)
    for start in marked:
        _remove_bookmark(body, start)
    return spot


def _paragraph_of(start: Any) -> Any | None:
    """The paragraph a bookmark marks: the one it is in, else (a bookmark between blocks) the next one."""
    for ancestor in start.iterancestors(f"{_W}p"):
        return ancestor
    following = start.getnext()
    while following is not None and following.tag != f"{_W}p":
        following = following.getnext()
    return following


def _remove_bookmark(body: Any, start: Any) -> None:
    mark = start.get(f"{_W}id")
    for end in body.iter(f"{_W}bookmarkEnd"):
        if end.get(f"{_W}id") == mark:
            end.getparent().remove(end)
            break
    start.getparent().remove(start)


# ------------------------------------------------------------------ sections


def _close_last_section(body: Any) -> Any:
    """End the host's last section at its last paragraph, with its own page setup; return the body's
    sectPr, which then belongs to the annex.  A paragraph is added only when the host ends with a table."""
    section = body.find(f"{_W}sectPr")
    if section is None:  # allowed, if rare: the application's default page
        section = etree.SubElement(body, f"{_W}sectPr")
    blocks = [element for element in body if element.tag in (f"{_W}p", f"{_W}tbl", f"{_W}sdt")]
    last = blocks[-1] if blocks else None
    if last is None or last.tag != f"{_W}p" or last.find(f"{_W}pPr/{_W}sectPr") is not None:
        last = etree.Element(f"{_W}p")
        section.addprevious(last)
    _set_child(_get_or_add(last, "pPr", _PPR_ORDER, first=True), "sectPr", deepcopy(section), _PPR_ORDER)
    return section


def _split_section_at(spot: Any) -> None:
    """The host's section around ``spot`` ends at ``spot`` (with its page setup); the rest of it starts
    again after the annex, on a new page, without a second title page or a page-number restart."""
    if spot.find(f"{_W}pPr/{_W}sectPr") is not None:
        return  # the spot already ends a section
    governing = None
    for following in spot.itersiblings():
        governing = following.find(f"{_W}pPr/{_W}sectPr") if following.tag == f"{_W}p" else None
        if following.tag == f"{_W}sectPr":
            governing = following
        if governing is not None:
            break
    if governing is None:
        governing = etree.Element(f"{_W}sectPr")
        spot.getparent().append(governing)
    _set_child(_get_or_add(spot, "pPr", _PPR_ORDER, first=True), "sectPr", deepcopy(governing), _PPR_ORDER)
    for title_page in governing.findall(f"{_W}titlePg"):
        governing.remove(title_page)
    for numbering in governing.findall(f"{_W}pgNumType"):
        numbering.attrib.pop(f"{_W}start", None)


def _annex_section(document: Any, addition: Any, composer: Any, section: Any) -> Any:
    """The annex's own sectPr, its header and footer copied into the host.

    Every kind of header and footer (default, first, even) points at the annex's own, so none is
    inherited from the host's section before it.  Its pages take their place in the document's count
    (``Page 14 of 16``): LibreOffice does not compute SECTIONPAGES, the field an annex-own count
    would need.
    """
    found: dict[tuple[str, str], str] = {}
    for ref in [e for e in section if e.tag in (f"{_W}headerReference", f"{_W}footerReference")]:
        kind = etree.QName(ref).localname.removesuffix("Reference")
        source = addition.part.related_parts[ref.get(f"{{{_R_NS}}}id")]
        found[kind, ref.get(f"{_W}type", "default")] = _copy_story(document, addition, composer, source, kind)
        section.remove(ref)
    references = []
    for kind in ("header", "footer"):  # the schema puts every headerReference before any footerReference
        for type_ in ("default", "even", "first"):
            rid = found.get((kind, type_), found.get((kind, "default")))
            if rid:
                ref = etree.Element(f"{_W}{kind}Reference")
                ref.set(f"{_W}type", type_)
                ref.set(f"{{{_R_NS}}}id", rid)
                references.append(ref)
    for ref in reversed(references):
        section.insert(0, ref)
    section.attrib.clear()  # rsids of the template's editing sessions
    return section


def _copy_story(document: Any, addition: Any, composer: Any, source: Any, kind: str) -> str:
    """A copy of the annex's header or footer part in the host; its relationship id."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.parts.hdrftr import FooterPart, HeaderPart

    element = deepcopy(source.element)
    _bake_defaults(addition, element)
    composer.add_styles(addition, element)
    used = {str(part.partname) for part in document.part.package.iter_parts()}
    number = next(n for n in range(1, 10_000) if f"/word/{kind}{n}.xml" not in used)
    cls, content_type = (HeaderPart, CT.WML_HEADER) if kind == "header" else (FooterPart, CT.WML_FOOTER)
    blob = etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)
    part = cls.load(PackURI(f"/word/{kind}{number}.xml"), content_type, blob, document.part.package)
    renamed = {}
    for rel in sorted(source.rels.values(), key=lambda r: r.rId):
        renamed[rel.rId] = composer.add_relationship(source, part, rel).rId
    for node in part.element.iter():
        for name, value in node.attrib.items():
            if name.startswith(f"{{{_R_NS}}}") and value in renamed:
                node.set(name, renamed[value])
    return document.part.relate_to(part, RT.HEADER if kind == "header" else RT.FOOTER)


# ------------------------------------------------------------------ formatting


def _bake_defaults(addition: Any, root: Any) -> None:
    """Write onto each paragraph and run of ``root`` what the annex's own defaults and styles give it.

    Direct formatting outranks every style, so the host's ``Normal`` or a same-named style cannot
    change how the annex looks; the style references stay (for the outline and for editing).
    """
    styles = addition.styles.element
    by_id = {style.get(f"{_W}styleId"): style for style in styles.findall(f"{_W}style")}
    defaults = styles.find(f"{_W}docDefaults")
    base_p = _props(defaults, "pPrDefault/pPr")
    base_r = _props(defaults, "rPrDefault/rPr")
    normal = next((s.get(f"{_W}styleId") for s in by_id.values() if s.get(f"{_W}type") == "paragraph"
                   and s.get(f"{_W}default") in ("1", "true")), None)
    chains: dict[str | None, tuple[dict[str, Any], dict[str, Any]]] = {}

    def chain(style_id: str | None, seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
        if style_id not in chains:
            style = by_id.get(style_id) if style_id else None
            if style is None or style_id in seen:
                return {}, {}
            parent = style.find(f"{_W}basedOn")
            above = chain(parent.get(f"{_W}val"), seen + (style_id,)) if parent is not None else ({}, {})
            chains[style_id] = (_merged(above[0], _props(style, "pPr")), _merged(above[1], _props(style, "rPr")))
        return chains[style_id]

    for paragraph in root.iter(f"{_W}p"):
        ppr = paragraph.find(f"{_W}pPr")
        style = ppr.find(f"{_W}pStyle") if ppr is not None else None
        p_style, r_style_of_p = chain(style.get(f"{_W}val") if style is not None else normal)
        own = _props(paragraph, "pPr")
        if own or p_style or base_p:
            _write(_get_or_add(paragraph, "pPr", _PPR_ORDER, first=True),
                   _merged(_merged(base_p, p_style), own), _PPR_ORDER)
        mark = _merged(_merged(base_r, r_style_of_p), _props(paragraph, "pPr/rPr"))
        if mark:  # the paragraph mark: an empty paragraph is as tall as its mark's font
            properties = _get_or_add(paragraph, "pPr", _PPR_ORDER, first=True)
            _write(_get_or_add(properties, "rPr", _PPR_ORDER), mark, _RPR_ORDER)
        for run in paragraph.iter(f"{_W}r"):
            rpr = run.find(f"{_W}rPr")
            r_style = rpr.find(f"{_W}rStyle") if rpr is not None else None
            character = chain(r_style.get(f"{_W}val"))[1] if r_style is not None else {}
            wanted = _merged(_merged(_merged(base_r, r_style_of_p), character), _props(run, "rPr"))
            if wanted:
                _write(_get_or_add(run, "rPr", _RPR_ORDER, first=True), wanted, _RPR_ORDER)


def _props(parent: Any, path: str) -> dict[str, Any]:
    """The formatting children at ``path`` under ``parent``, by local name (references left out)."""
    if parent is None:
        return {}
    found = parent.find("/".join(f"{_W}{step}" for step in path.split("/")))
    if found is None:
        return {}
    return {etree.QName(child).localname: child for child in found
            if etree.QName(child).localname not in _NOT_BAKED and isinstance(child.tag, str)}


def _merged(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``under``: attribute by attribute for fonts, spacing, indents and languages."""
    result = dict(under)
    for name, element in over.items():
        if name in _MERGED and name in result:
            combined = deepcopy(result[name])
            for attribute, value in element.attrib.items():
                local = etree.QName(attribute).localname
                if local in _FONT_PAIRS:  # a named font outranks the theme font it inherited
                    combined.attrib.pop(f"{_W}{_FONT_PAIRS[local]}", None)
                combined.set(attribute, value)
            result[name] = combined
        else:
            result[name] = element
    return result


def _write(target: Any, props: dict[str, Any], order: list[str]) -> None:
    for name, element in props.items():
        if name in order:
            _set_child(target, name, deepcopy(element), order)


def _get_or_add(parent: Any, name: str, order: list[str], *, first: bool = False) -> Any:
    found = parent.find(f"{_W}{name}")
    if found is None:
        found = etree.Element(f"{_W}{name}")
        if first:
            parent.insert(0, found)
        else:
            _set_child(parent, name, found, order)
    return found


def _set_child(parent: Any, name: str, element: Any, order: list[str]) -> None:
    """Put ``element`` (named ``name``) into ``parent`` in schema order, replacing one of the same name."""
    old = parent.find(f"{_W}{name}")
    if old is not None:
        old.addnext(element)
        parent.remove(old)
        return
    rank = order.index(name)
    for index, child in enumerate(parent):
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local in order and order.index(local) > rank:
            parent.insert(index, element)
            return
    parent.append(element)


def _hyphenate_annex_only(document: Any, addition: Any, inserted: list[Any]) -> None:
    """Keep the annex hyphenated (its narrow justified Russian column gapes without it) and the contract
    as it was.

    Hyphenation is switched on for a whole document (``w:autoHyphenation`` in settings), so when the
    annex brings it and the host lacks it, the host's paragraphs are exempted through the document
    defaults (``w:suppressAutoHyphens``) and each annex paragraph says ``w:val="0"`` itself.
    """
    wanted = addition.settings.element.find(f"{_W}autoHyphenation")
    if wanted is None or wanted.get(f"{_W}val") in ("0", "false", "off"):
        return
    settings = document.settings.element
    present = settings.find(f"{_W}autoHyphenation")
    if present is not None and present.get(f"{_W}val") not in ("0", "false", "off"):
        return  # the host hyphenates already: its own paragraphs are as its author left them
    if present is not None:
        settings.remove(present)
    element = etree.Element(f"{_W}autoHyphenation")
    tab_stop = settings.find(f"{_W}defaultTabStop")  # the schema puts autoHyphenation right after it
    later = next((child for child in settings if isinstance(child.tag, str)
                  and etree.QName(child).localname in _AFTER_AUTO_HYPHENATION), None)
    if tab_stop is not None:
        tab_stop.addnext(element)
    elif later is not None:
        later.addprevious(element)
    else:
        settings.append(element)
    defaults = document.styles.element.find(f"{_W}docDefaults")
    if defaults is None:
        defaults = etree.Element(f"{_W}docDefaults")
        document.styles.element.insert(0, defaults)
    p_default = _get_or_add(defaults, "pPrDefault", ["rPrDefault", "pPrDefault"])
    _set_child(_get_or_add(p_default, "pPr", _PPR_ORDER), "suppressAutoHyphens",
               etree.Element(f"{_W}suppressAutoHyphens"), _PPR_ORDER)
    for top in inserted:
        for paragraph in top.iter(f"{_W}p"):
            if paragraph.find(f"{_W}pPr/{_W}suppressAutoHyphens") is not None:
                continue  # titles, headings and signature lines the annex itself keeps whole (baked from its styles)
            on = etree.Element(f"{_W}suppressAutoHyphens")
            on.set(f"{_W}val", "0")
            _set_child(_get_or_add(paragraph, "pPr", _PPR_ORDER, first=True), "suppressAutoHyphens", on, _PPR_ORDER)


# ------------------------------------------------------------------ ids, properties, bytes


def _pair_bookmarks(body: Any, prefix: str) -> None:
    """Mark each bookmark's start and end as partners: docxcompose renumbers starts and ends each in
    document order, which swaps the ids of nested bookmarks."""
    starts = {start.get(f"{_W}id"): start for start in body.iter(f"{_W}bookmarkStart")}
    for end in body.iter(f"{_W}bookmarkEnd"):
        start = starts.get(end.get(f"{_W}id"))
        if start is not None:
            start.set(_PAIR, f"{prefix}{end.get(f'{_W}id')}")
            end.set(_PAIR, f"{prefix}{end.get(f'{_W}id')}")


def _fix_bookmarks(body: Any, inserted: list[Any]) -> None:
    """Partners share one id again, every bookmark its own; then the hidden point bookmarks at the
    annex's first and last paragraph (:data:`ANNEX_MARKS`), where verify finds it."""
    ids: dict[str, str] = {}
    for mark in body.iter(f"{_W}bookmarkStart", f"{_W}bookmarkEnd"):
        pair = mark.attrib.pop(_PAIR, None)
        key = pair if pair is not None else f"single{len(ids)}"
        mark.set(f"{_W}id", ids.setdefault(key, str(len(ids))))
    paragraphs = [p for block in inserted for p in block.iter(f"{_W}p")]
    if not paragraphs:
        return
    for name, paragraph in zip(ANNEX_MARKS, (paragraphs[0], paragraphs[-1])):
        number = str(len(ids))
        ids[name] = number
        start = etree.Element(f"{_W}bookmarkStart")
        start.set(f"{_W}id", number)
        start.set(f"{_W}name", name)
        end = etree.Element(f"{_W}bookmarkEnd")
        end.set(f"{_W}id", number)
        properties = paragraph.find(f"{_W}pPr")
        if properties is not None:
            properties.addnext(start)
        else:
            paragraph.insert(0, start)
        start.addnext(end)


def _abstract_ids(document: Any) -> set[str]:
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return set()
    return {n.get(f"{_W}abstractNumId") for n in numbering.findall(f"{_W}abstractNum")}


def _fix_numbering_ids(document: Any, before: set[str]) -> None:
    """docxcompose gives each list it adds a random nsid; the same list gets the same one here."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return
    for abstract in numbering.findall(f"{_W}abstractNum"):
        number = abstract.get(f"{_W}abstractNumId")
        nsid = abstract.find(f"{_W}nsid")
        if number not in before and nsid is not None:
            digest = hashlib.sha256(f"clausegen-annex-list-{number}".encode()).hexdigest()
            nsid.set(f"{_W}val", digest[:8].upper())


def _copy_properties(document: Any, addition: Any) -> None:
    """The annex's ``clausegen.*`` custom properties, into the host's (its own ones kept, older
    ``clausegen.*`` ones replaced): ``verify`` reads what the annex is from them."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    def custom_part(package: Any) -> Any | None:
        return next((rel.target_part for rel in package.rels.values()
                     if rel.reltype == _CUSTOM_RT and not rel.is_external), None)

    source = custom_part(addition.part.package)
    if source is None:
        return
    annex_props = [p for p in etree.fromstring(source.blob) if p.get("name", "").startswith("clausegen.")]
    package = document.part.package
    target = custom_part(package)
    root = etree.fromstring(target.blob) if target is not None else etree.Element(
        f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    for prop in list(root):
        if prop.get("name", "").startswith("clausegen."):
            root.remove(prop)
    for prop in annex_props:
        root.append(deepcopy(prop))
    for pid, prop in enumerate(root, start=2):
        prop.set("pid", str(pid))
        prop.set("fmtid", prop.get("fmtid") or _FMTID)
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if target is not None:
        target._blob = blob
    else:
        package.relate_to(Part(PackURI("/docProps/custom.xml"), _CUSTOM_CT, blob, package), _CUSTOM_RT)
