"""``clausegen clauses import``: an edited review document written back into the clause library.

Each cell is decoded back into Jinja source: its plain text as typed, each placeholder and
condition marker back to the exact ``{{ }}``/``{% %}`` it stood for (by the content control's tag,
or, where there is none — a spreadsheet, a copy pasted as plain text — by its words).  Then every
paragraph is checked against the library's text of the same clause and number: the condition
markers must all be there, in order; no placeholder may be lost or reworded, and one may be added
only to both columns of a row; a paragraph may be added or deleted only in both columns.  Any
problem refuses the whole import, naming the clause, the paragraph and the column, and writes
nothing.

Only clauses whose text changed are written, each with its version bumped and locked
(:func:`clausegen.lock.bump`); the result is first built and checked (``clauses check``: every
text compiles and renders for the synthetic deals) in a scratch copy of the library, so a text
that would break a document is refused before the library is touched.
"""

from __future__ import annotations

import difflib
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, LibraryError, Problem
from ..library import Clause, Library, load_library
from ..output import write_atomic
from . import tokens as tk
from .reading import Control, DocClause, DocRow, Item, read_document
from .view import Piece, piece, titles
from .words import vocabulary

_LABEL = re.compile(r"\[[^\[\]\n]*\]|\{[^{}\n]*\}")
_JINJA = re.compile(r"{{|{%|{#|}}|%}|#}")
_REF_PARAGRAPH = re.compile(r"ref\(\s*'([a-z0-9-]+)'\s*,\s*(\d+)\s*\)")
_COLUMN = {"ru": "RU column", "en": "EN column"}
@dataclass(frozen=True)
class ClauseChange:
    id: str
    old_version: int
    new_version: int
    lines: tuple[str, ...]  # what changed: "¶4 EN: − “shall” + “must”"
    ru: str
    en: str
    warnings: tuple[str, ...] = ()


@dataclass
class ImportResult:
    changes: list[ClauseChange] = field(default_factory=list)
    written: bool = False
    unchanged: int = 0


class _Labels:
    """Every value and tag of the library by its key and by its words, in each language."""

    def __init__(self, library: Library) -> None:
        self.names = titles(library)
        self.by_key: dict[str, tk.Token] = {}
        self.by_label: dict[str, dict[str, tk.Token]] = {"ru": {}, "en": {}}
        for expression in vocabulary()["variables"]:
            self._add(tk.Token("var", "{{ " + expression + " }}"))
        for clause in library.clauses.values():
            for lang in ("ru", "en"):
                for token in tk.tokens(clause.text(lang)):
                    if token.kind != "text":
                        self._add(token, lang)

    def _add(self, token: tk.Token, only: str | None = None) -> None:
        self.by_key.setdefault(token.key, token)
        for lang in ("ru", "en"):
            if only is None or lang == only or token.kind == "var":
                self.by_label[lang].setdefault(self.piece(token, lang).text, token)

    def piece(self, token: tk.Token, lang: str) -> Piece:
        return piece(token, lang, self.names)


def _decode(items: list[Item], lang: str, original: list[tk.Token] | None, labels: _Labels,
            where: str, problems: list[Problem], path: Path) -> list[tk.Token]:
    """A cell's items back into tokens; problems name ``where``."""
    local = {labels.piece(t, lang).text: t for t in original or [] if t.kind != "text"}
    found: list[tk.Token] = []

    def problem(message: str) -> None:
        problems.append(Problem(message, where, str(path)))

    for item in items:
        if isinstance(item, Control):
            token = labels.by_key.get(item.key)
            if token is None:
                problem(f"placeholder “{item.text}” is not one clausegen exported (its control was copied from "
                        "elsewhere?)")
                continue
            expected = labels.piece(token, lang).text
            if item.text != expected:  # reported once, as changed, not also as missing
                problem(f"placeholder “{expected}” was changed to “{item.text}”: placeholders cannot be edited")
            found.append(token)
            continue
        if jinja := _JINJA.search(item):
            problem(f"“{jinja.group()}” is template syntax and cannot be typed into a clause text")
            found.append(tk.Token("text", item))  # kept, so the paragraph is not also reported as emptied
            continue
        done = 0
        for match in _LABEL.finditer(item):
            if match.start() > done:
                found.append(tk.Token("text", item[done:match.start()]))
            token = local.get(match.group()) or labels.by_label[lang].get(match.group())
            if token is None:
                kind = "condition marker" if match.group().startswith("{") else "placeholder"
                problem(f"unknown {kind} “{match.group()}” (broken or renamed?); brackets and braces are kept for "
                        "placeholders and conditions")
            else:
                found.append(token)
            done = match.end()
        if done < len(item):
            found.append(tk.Token("text", item[done:]))
    merged: list[tk.Token] = []
    for token in found:
        if token.kind == "text" and merged and merged[-1].kind == "text":
            merged[-1] = tk.Token("text", merged[-1].source + token.source)
        else:
            merged.append(token)
    return merged


def _structure_problems(new: dict[str, list[tk.Token]], old: dict[str, list[tk.Token]] | None,
                        labels: _Labels, where: str, path: Path) -> list[Problem]:
    """Markers kept in order, placeholders neither lost nor added to one column only."""
    problems = []
    additions = {}
    for lang in ("ru", "en"):
        spot = f"{where}, {_COLUMN[lang]}"
        before = old[lang] if old is not None else []
        tags_before = [t for t in before if t.kind == "tag"]
        tags_after = [t for t in new[lang] if t.kind == "tag"]
        if tags_before != tags_after:
            lost = Counter(tags_before) - Counter(tags_after)
            extra = Counter(tags_after) - Counter(tags_before)
            for token in lost:
                problems.append(Problem(f"condition marker “{labels.piece(token, lang).text}” was removed", spot,
                                        str(path)))
            for token in extra:
                problems.append(Problem(f"condition marker “{labels.piece(token, lang).text}” was added", spot,
                                        str(path)))
            if not lost and not extra:
                problems.append(Problem("condition markers were moved: keep them in their order", spot, str(path)))
        vars_before = Counter(t for t in before if t.kind == "var")
        vars_after = Counter(t for t in new[lang] if t.kind == "var")
        for token in vars_before - vars_after:
            problems.append(Problem(f"placeholder “{labels.piece(token, lang).text}” is missing (deleted, or its "
                                    "words or brackets broken)", spot, str(path)))
        additions[lang] = vars_after - vars_before
    if additions["ru"] != additions["en"]:
        for lang in ("ru", "en"):
            for token in additions[lang] - additions["en" if lang == "ru" else "ru"]:
                problems.append(Problem(f"placeholder “{labels.piece(token, lang).text}” added to this column only",
                                        f"{where}, {_COLUMN[lang]}", str(path)))
    return problems


def _words_changed(old: str, new: str) -> str:
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            parts.append("− “" + " ".join(a[i1:i2]) + "”")
        if op in ("replace", "insert"):
            parts.append("+ “" + " ".join(b[j1:j2]) + "”")
    return " ".join(parts) or "white space"


def _display(tokens: list[tk.Token], lang: str, labels: _Labels) -> str:
    return "".join(labels.piece(t, lang).text for t in tokens)


def _clause_problems_and_change(doc: DocClause, clause: Clause, labels: _Labels, cited: set[str],
                                path: Path) -> tuple[list[Problem], ClauseChange | None]:
    problems: list[Problem] = []
    layouts = {lang: tk.split(clause.text(lang)) for lang in ("ru", "en")}
    originals = [{lang: tk.tokens(layouts[lang].paragraphs[i]) if i < len(layouts[lang].paragraphs) else []
                  for lang in ("ru", "en")} for i in range(max(len(layouts["ru"].paragraphs),
                                                               len(layouts["en"].paragraphs)))]
    paragraphs: dict[str, list[str]] = {"ru": [], "en": []}
    lines: list[str] = []
    warnings: list[str] = []
    seen: set[int] = set()
    structural = False
    for row in doc.rows:
        where = f"clause {clause.id}, paragraph {row.number}" if row.number else f"clause {clause.id}, new paragraph"
        if row.number == -1:
            problems.append(Problem("the № cell must hold the paragraph's number, or be empty for a new paragraph",
                                    row.where, str(path)))
            continue
        if row.number is not None and (row.number < 1 or row.number > len(originals) or row.number in seen):
            problems.append(Problem(f"paragraph number {row.number} is not one of 1–{len(originals)} or appears "
                                    "twice", row.where, str(path)))
            continue
        old = originals[row.number - 1] if row.number else None
        new = {lang: _decode(getattr(row, lang), lang, old[lang] if old else None, labels,
                             f"{where}, {_COLUMN[lang]}", problems, path) for lang in ("ru", "en")}
        empty = {lang: not tk.join(new[lang]).strip() for lang in ("ru", "en")}
        if row.number:
            seen.add(row.number)
        if empty["ru"] and empty["en"]:
            if row.number:
                structural = True
                lines.append(f"¶{row.number} deleted")
            continue
        if empty["ru"] != empty["en"]:
            gone = "ru" if empty["ru"] else "en"
            what = "removed from" if row.number else "added to"
            problems.append(Problem(f"a paragraph {what} one column only: the {gone.upper()} cell is empty and the "
                                    f"{'EN' if gone == 'ru' else 'RU'} one is not", where, str(path)))
            continue
        problems += _structure_problems(new, old, labels, where, path)
        for lang in ("ru", "en"):
            paragraphs[lang].append(tk.join(new[lang]))
            if old is None:
                continue
            before, after = _display(old[lang], lang, labels), _display(new[lang], lang, labels)
            if tk.join(new[lang]) != tk.join(old[lang]):
                lines.append(f"¶{row.number} {lang.upper()}: {_words_changed(before, after)}")
        if old is None:
            structural = True
            lines.append(f"¶ new after {len(paragraphs['ru']) - 1 or 'the start'}: "
                         f"“{_display(new['ru'], 'ru', labels)[:60]}” / “{_display(new['en'], 'en', labels)[:60]}”")
    for number in range(1, len(originals) + 1):
        if number not in seen:
            structural = True
            lines.append(f"¶{number} deleted (its row is gone)")
    if structural and clause.id in cited:
        problems.append(Problem("paragraphs were added or deleted, but other clauses cite this clause's paragraphs "
                                f"by number (ref('{clause.id}', k)): edit the paragraphs instead",
                                f"clause {clause.id}", str(path)))
    if problems:
        return problems, None
    texts = {lang: tk.rebuilt(layouts[lang], paragraphs[lang]) for lang in ("ru", "en")}
    if texts["ru"] == clause.ru and texts["en"] == clause.en:
        return [], None
    if doc.version is not None and doc.version != clause.meta.version:
        return [Problem(f"exported at version {doc.version}, but the library now has version {clause.meta.version}: "
                        "export the library again and redo the edit", f"clause {clause.id}", str(path))], None
    version = clause.meta.version
    return [], ClauseChange(clause.id, version, version + 1, tuple(lines), texts["ru"], texts["en"],
                            tuple(warnings))


def changes_of(path: Path, library: Library) -> list[ClauseChange]:
    """What the document changes in the library; raises InputError listing every problem."""
    labels = _Labels(library)
    cited = {match.group(1) for clause in library.clauses.values() for lang in ("ru", "en")
             for match in _REF_PARAGRAPH.finditer(clause.text(lang))}
    problems: list[Problem] = []
    changes = []
    seen: set[str] = set()
    for doc in read_document(path):
        clause = library.clauses.get(doc.id)
        if clause is None or doc.id in seen:
            problems.append(Problem(f"no clause {doc.id!r} in the library" if clause is None
                                    else f"clause {doc.id} appears twice", doc.where, str(path)))
            continue
        seen.add(doc.id)
        found, change = _clause_problems_and_change(doc, clause, labels, cited, path)
        problems += found
        if change:
            changes.append(change)
    if problems:
        raise InputError(problems, f"{path.name} not imported; nothing written")
    return changes


def import_library(path: Path, root: Path | None = None, *, dry_run: bool = False) -> ImportResult:
    """Write back the clauses the document changed (versions bumped, lock updated) unless ``dry_run``."""
    from ..checks import check_library
    from ..lock import LOCK_NAME, bump

    library = load_library(root)
    changes = changes_of(path, library)
    result = ImportResult(changes, False, len(library.clauses) - len(changes))
    if not changes:
        return result
    with tempfile.TemporaryDirectory(prefix="clausegen-import-") as scratch:
        copy = Path(scratch) / "clauses"
        shutil.copytree(library.root, copy, symlinks=False)
        for change in changes:
            for lang in ("ru", "en"):
                (copy / lang / f"{change.id}.txt").write_bytes(getattr(change, lang).encode("utf-8"))
        bump([c.id for c in changes], copy)
        _, problems = check_library(copy)
        if problems:
            located = [Problem(p.message, p.field, p.file.replace(str(copy), str(library.root)), p.row, p.line,
                               p.severity) for p in problems]
            raise LibraryError(located, f"{path.name} not imported: the edited texts fail `clausegen clauses check`")
        if dry_run:
            return result
        written = [Path(lang) / f"{c.id}.txt" for c in changes for lang in ("ru", "en")]
        for relative in written + [Path("catalogue.yaml"), Path(LOCK_NAME)]:
            write_atomic(library.root / relative, (copy / relative).read_bytes())
    result.written = True
    return result
