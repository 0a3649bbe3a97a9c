"""The clause library as a lawyer reviews it: per clause its heading facts and rows RU | EN.

Both formats (DOCX, XLSX) are written from this view and read back against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..library import DOCUMENTS, Clause, Library
from . import tokens as tk
from . import words

#: Each document of the library by name, for the clause headings.
DOCUMENT_NAMES = {
    "annex": ("Приложение к договору", "Contract annex"),
    "notice": ("Уведомление Контрагента", "Notice to the Counterparty"),
    "enduse-request": ("Запрос о конечном использовании", "End-use request"),
    "end-user-statement": ("Заявление о конечном использовании", "End-user statement"),
    "hold": ("Письмо о приостановлении", "Hold letter"),
    "refusal": ("Письмо об отказе", "Refusal letter"),
}


@dataclass(frozen=True)
class Piece:
    """One piece of a cell: text as written, or a value/tag shown as its label."""

    kind: str  # text | var | tag
    text: str  # what the reader sees
    source: str  # the Jinja it stands for ("" for text)
    key: str  # the content control's tag ("" for text)


@dataclass(frozen=True)
class RowView:
    number: int
    ru: tuple[Piece, ...]
    en: tuple[Piece, ...]

    def cell(self, lang: str) -> tuple[Piece, ...]:
        return self.ru if lang == "ru" else self.en


@dataclass(frozen=True)
class ClauseView:
    id: str
    version: int
    document: str
    title: tuple[str, str]
    sections: tuple[str, ...]
    when: tuple[str, str]
    rows: tuple[RowView, ...]


def titles(library: Library) -> dict[str, tuple[str, str]]:
    return {c.id: (c.meta.title.ru, c.meta.title.en) for c in library.clauses.values()}


def piece(token: tk.Token, lang: str, names: dict[str, tuple[str, str]], missing: list[str] | None = None) -> Piece:
    if token.kind == "text":
        return Piece("text", token.source, "", "")
    if token.kind == "var":
        label = words.variable_label(words.inner(token.source), lang, names)
        if label is None:
            if missing is not None:
                missing.append(words.inner(token.source))
            label = "[" + words.inner(token.source).replace("[", "(").replace("]", ")") + "]"
        return Piece("var", label, token.source, token.key)
    return Piece("tag", words.tag_label(token.source, lang, missing), token.source, token.key)


def clause_view(clause: Clause, names: dict[str, tuple[str, str]], missing: list[str] | None = None) -> ClauseView:
    layouts = {lang: tk.split(clause.text(lang)) for lang in ("ru", "en")}
    count = max(len(layouts["ru"].paragraphs), len(layouts["en"].paragraphs))
    rows = []
    for index in range(count):
        cells = {}
        for lang in ("ru", "en"):
            paragraphs = layouts[lang].paragraphs
            text = paragraphs[index] if index < len(paragraphs) else ""
            cells[lang] = tuple(piece(t, lang, names, missing) for t in tk.tokens(text))
        rows.append(RowView(index + 1, cells["ru"], cells["en"]))
    meta = clause.meta
    return ClauseView(meta.id, meta.version, meta.document, (meta.title.ru, meta.title.en), tuple(meta.sections),
                      (words.when_words(meta.when, "ru", missing), words.when_words(meta.when, "en", missing)),
                      tuple(rows))


def library_view(library: Library, missing: list[str] | None = None) -> list[ClauseView]:
    """Every clause, document by document in the library's order."""
    names = titles(library)
    return [clause_view(clause, names, missing) for document in DOCUMENTS for clause in library.for_document(document)]


def text_of(pieces: tuple[Piece, ...] | list[Piece]) -> str:
    return "".join(p.text for p in pieces)
