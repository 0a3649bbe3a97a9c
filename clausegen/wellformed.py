"""Proving rendered XML well-formed without parsing every document (part of the rendering layer).

A rendered part is the template's literal XML with escaped values between its
pieces.  Jinja hands the pieces over separately: the literals as ``str``, each
value as ``Markup``.  When a value is plain text (no ``<``, ``>``, quote, ``]``,
control character, and ``&`` only in the five entities markupsafe writes), what
it is does not matter to the XML, only where it stands and whether it is empty,
whitespace or text.  So a part whose *shape* (the literal pieces, exactly, and
for each plain value in element content or an attribute value, its class) was
once parsed well-formed by expat is well-formed again, whatever the values.

A value anywhere else (inside a tag, a comment, a processing instruction,
CDATA) enters the shape whole; a value that is not plain text, or any piece
that is not a ``str`` or ``Markup``, sends the part to expat.  A batch of a
thousand annexes has a few dozen shapes: it parses those, not a thousand
documents.
"""

from __future__ import annotations

import re
from typing import Any
from xml.parsers import expat

from markupsafe import Markup

# Where a piece of XML leaves the lexer: in content, in a tag, in a double- or single-quoted
# attribute value, in a comment, a processing instruction, CDATA, or somewhere not followed (DOCTYPE).
CONTENT, TAG, DQ, SQ, COMMENT, PI, CDATA, UNKNOWN = range(8)
_VALUE_SAFE = (CONTENT, DQ, SQ)  # where a plain value's content cannot change well-formedness
_NOT_PLAIN = re.compile("[<>\"'\\]\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BAD_REFERENCE = re.compile("&(?!(?:amp|lt|gt|#34|#39);)")
_TAG_STOP = re.compile("[\"'>]")
_CLOSERS = {COMMENT: "-->", PI: "?>", CDATA: "]]>"}
_EMPTY, _SPACE, _TEXT = ("value", 0), ("value", 1), ("value", 2)  # tuples: never equal to a literal piece

_MAX_SHAPES = 1024
_shapes: set[tuple[Any, ...]] = set()
#: The lexer state after a literal piece, by the state before it (an index) and the piece.
_transitions: list[dict[str, int]] = [{} for _ in range(UNKNOWN + 1)]
_MAX_TRANSITIONS = 8192
# Most values are clause paragraphs that a batch renders the same for many deals: their verdict is
# looked up (a hash and a compare) rather than searched again.  Bounded by characters kept.
_MAX_KEPT_CHARS = 1_000_000
_plain: dict[str, bool] = {}
_kept_chars = 0


def _is_plain(value: str) -> bool:
    global _kept_chars
    verdict = _plain.get(value)
    if verdict is None:
        verdict = _NOT_PLAIN.search(value) is None and ("&" not in value or _BAD_REFERENCE.search(value) is None)
        if _kept_chars + len(value) > _MAX_KEPT_CHARS:
            _plain.clear()
            _kept_chars = 0
        _plain[value] = verdict
        _kept_chars += len(value)
    return verdict


def _advance(state: int, piece: str) -> int:
    """The lexer state after ``piece``, from ``state``."""
    index = 0
    while True:
        if state == CONTENT:
            found = piece.find("<", index)
            if found < 0:
                return state
            if piece.startswith("<!--", found):
                state, index = COMMENT, found + 4
            elif piece.startswith("<![CDATA[", found):
                state, index = CDATA, found + 9
            elif piece.startswith("<?", found):
                state, index = PI, found + 2
            elif piece.startswith("<!", found):
                return UNKNOWN  # a DOCTYPE: not followed; every later value enters the shape whole
            else:
                state, index = TAG, found + 1
        elif state == TAG:
            stop = _TAG_STOP.search(piece, index)
            if stop is None:
                return state
            state, index = {'"': DQ, "'": SQ, ">": CONTENT}[stop.group()], stop.end()
        elif state in (DQ, SQ):
            found = piece.find('"' if state == DQ else "'", index)
            if found < 0:
                return state
            state, index = TAG, found + 1
        elif state in _CLOSERS:
            found = piece.find(_CLOSERS[state], index)
            if found < 0:
                return state
            state, index = CONTENT, found + len(_CLOSERS[state])
        else:
            return UNKNOWN


def _shape(pieces: list[Any]) -> tuple[Any, ...] | None:
    """The part's shape, or None when it has to be parsed (a value that is not plain text).

    One loop over a thousand pieces per part: the known answers are looked up inline (the lexer state
    after a literal in a table per state, a value's verdict in :data:`_plain`), as a call or a tuple key
    per piece was most of its time."""
    shape: list[Any] = []
    append = shape.append
    state = CONTENT
    plain, tables = _plain, _transitions
    for piece in pieces:
        kind = type(piece)
        if kind is str:
            append(piece)
            after = tables[state].get(piece)
            state = _transition(state, piece) if after is None else after
        elif kind is Markup:
            verdict = plain.get(piece)
            if not (_is_plain(piece) if verdict is None else verdict):
                return None
            if state in _VALUE_SAFE:
                append(_EMPTY if not piece else _SPACE if piece.isspace() else _TEXT)
            else:
                append(("value", str(piece)))
        else:
            return None
    return tuple(shape)


def _transition(state: int, piece: str) -> int:
    """:func:`_advance`, kept in the state's table (emptied when it holds :data:`_MAX_TRANSITIONS`)."""
    table = _transitions[state]
    if len(table) >= _MAX_TRANSITIONS:
        table.clear()
    after = table[piece] = _advance(state, piece)
    return after


def parse(data: bytes) -> None:
    """Raise :class:`expat.ExpatError` unless ``data`` is well-formed XML with declared prefixes."""
    expat.ParserCreate(namespace_separator=" ").Parse(data, True)


def proven(pieces: list[Any]) -> bool:
    """Whether the part these pieces join to is well-formed by its shape alone (no need to parse it)."""
    shape = _shape(pieces)
    return shape is not None and shape in _shapes


def check(pieces: list[Any], text: str) -> None:
    """Raise :class:`expat.ExpatError` unless ``text`` (the pieces joined) is well-formed XML."""
    shape = _shape(pieces)
    if shape is not None and shape in _shapes:
        return
    parse(text.encode("utf-8"))
    if shape is not None:
        if len(_shapes) >= _MAX_SHAPES:
            _shapes.clear()
        _shapes.add(shape)
