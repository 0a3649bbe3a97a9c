"""A clause text cut into what a lawyer edits and what they must not.

A text is paragraphs separated by blank lines (each a row of the bilingual table); a paragraph is
plain text between Jinja tags.  Everything here is lossless: :func:`join` of :func:`split` gives
the source back byte for byte, so an import that changes nothing writes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_BLANK_LINE = re.compile(r"\n[ \t]*\n")  # as clausegen.compose cuts a text into paragraphs
_TAG = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.S)


@dataclass(frozen=True)
class Layout:
    """A text as paragraphs and what surrounds them (leading and trailing white space, separators)."""

    head: str
    paragraphs: list[str]
    separators: list[str]
    tail: str

    def source(self) -> str:
        body = self.paragraphs[0] if self.paragraphs else ""
        for separator, paragraph in zip(self.separators, self.paragraphs[1:]):
            body += separator + paragraph
        return self.head + body + self.tail


def split(source: str) -> Layout:
    head, body, tail = _EDGES.match(source).groups()
    if not body:
        return Layout(head, [], [], tail)
    separators = _BLANK_LINE.findall(body)
    return Layout(head, _BLANK_LINE.split(body), separators, tail)


def rebuilt(layout: Layout, paragraphs: list[str]) -> str:
    """The text with new paragraphs: the same separators where the count is unchanged."""
    if len(paragraphs) == len(layout.paragraphs):
        return Layout(layout.head, paragraphs, layout.separators, layout.tail).source()
    return Layout(layout.head, paragraphs, ["\n\n"] * max(len(paragraphs) - 1, 0), layout.tail or "\n").source()


@dataclass(frozen=True)
class Token:
    """Text, a value (``{{ }}``) or a tag (``{% %}``, ``{# #}``); ``source`` is exactly as written."""

    kind: str  # text | var | tag
    source: str

    @property
    def key(self) -> str:
        """A short stable name of a var or tag, kept in the review document's content control."""
        return "clausegen:" + hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]


def tokens(paragraph: str) -> list[Token]:
    found, done = [], 0
    for match in _TAG.finditer(paragraph):
        if match.start() > done:
            found.append(Token("text", paragraph[done:match.start()]))
        found.append(Token("var" if match.group().startswith("{{") else "tag", match.group()))
        done = match.end()
    if done < len(paragraph):
        found.append(Token("text", paragraph[done:]))
    return found


def join(items: list[Token]) -> str:
    return "".join(token.source for token in items)
