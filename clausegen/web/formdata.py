"""URL-encoded form bodies read as Werkzeug reads them, with the common case done in C.

Every download posts the checked deal back as one form field: a few KiB of JSON in which each
Cyrillic letter is two ``%XX`` escapes.  The standard library decodes escapes one at a time in
Python (0.75 ms for an annex's deal, more than the rest of the form handling); a value whose every
``%`` starts a valid escape and that is UTF-8 once decoded is here decoded by
``codecs.escape_decode``, and any other value goes to the standard library exactly as before
(``urllib.parse.unquote`` with Werkzeug's error handler), so both give the same fields.
"""

from __future__ import annotations

import codecs
from typing import IO, Any
from urllib.parse import unquote

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" error handler used below
from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

URLENCODED = "application/x-www-form-urlencoded"


def unquote_plus(text: str) -> str:
    """``urllib.parse.unquote`` of ``text`` with ``+`` as a space, as Werkzeug decodes a form field."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    if text.isascii():
        # every "%XX" becomes "\xXX" and every backslash "\\": escape_decode then makes exactly the bytes
        # unquote_to_bytes would, and refuses (ValueError) exactly where a "%" does not start an "%XX"
        # (a "\x" needs two hex digits too), which the standard library keeps as it is
        try:
            return codecs.escape_decode(text.encode("ascii").replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0] \
                .decode("utf-8")
        except ValueError:
            pass  # a bad escape, or not UTF-8 (its error handler re-quotes that): the standard library does it
    return unquote(text, "utf-8", "werkzeug.url_quote")


def parse_urlencoded(body: str) -> list[tuple[str, str]]:
    """The fields of a form body, as ``urllib.parse.parse_qsl(body, keep_blank_values=True)`` gives them."""
    fields = []
    for pair in body.split("&"):
        if not pair:
            continue
        name, _equals, value = pair.partition("=")
        fields.append((unquote_plus(name), unquote_plus(value)))
    return fields


class FormParser(FormDataParser):
    """Werkzeug's form parser with :func:`parse_urlencoded` for URL-encoded bodies (multipart as before)."""

    def parse(self, stream: IO[bytes], mimetype: str, content_length: int | None,
              options: dict[str, str] | None = None) -> Any:
        if mimetype != URLENCODED:
            return super().parse(stream, mimetype, content_length, options)
        if self.max_form_memory_size is not None and content_length is not None \
                and content_length > self.max_form_memory_size:
            raise RequestEntityTooLarge()
        try:
            fields = parse_urlencoded(stream.read().decode())
        except ValueError:  # not UTF-8: an empty form, as Werkzeug's silent parser gives
            if not self.silent:
                raise
            return stream, self.cls(), self.cls()
        return stream, self.cls(fields), self.cls()


class FormRequest(Request):
    form_data_parser_class = FormParser
