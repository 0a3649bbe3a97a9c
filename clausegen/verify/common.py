"""What every family of checks shares: the document's text by column, scripts, excerpts, the problem list."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Problem

RU, EN = "ru", "en"
SCRIPT = {RU: "Cyrillic", EN: "Latin"}
#: A cell is judged by language only with at least this many letters (shorter text misleads langdetect).
MIN_LETTERS_TO_JUDGE = 40
CLAUSE_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*\.)\s")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)\S+")
WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Segment:
    """One piece of text in one language: a cell of a parallel row, a paragraph of a one-language letter.

    ``running`` is False for text that is not prose of the document's own (a letterhead, a signature
    block), where the typographic rules of running text do not apply.
    """

    row: int
    lang: str
    text: str
    field: str = ""
    running: bool = True

    @property
    def where(self) -> str:
        """The column named in a problem ("ru", or the field and the column)."""
        column = f"{self.lang} column"
        return f"{self.field}, {column}" if self.field else column


class Checker:
    """Collects problems, each with a short stable code and located by row (and column) in ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, row: int | None, field: str = "") -> None:
        self.problems.append(Problem(f"[{code}] {message}", field, self.name, row))

    def at(self, code: str, message: str, segment: Segment) -> None:
        self.add(code, message, segment.row, segment.where)


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f"


def words(cell: str, script: Callable[[str], bool] | None = None) -> list[str]:
    """The words of ``cell``; with ``script``, only those written wholly in it."""
    return [word for word in WORD.findall(cell) if script is None or all(map(script, word))]


def cyrillic_share(cell: str) -> float:
    letters = [ch for ch in cell if ch.isalpha()]
    return sum(map(is_cyrillic, letters)) / len(letters) if letters else 0.0


def excerpt(cell: str, at: int = 0, width: int = 70) -> str:
    """About ``width`` characters of ``cell`` around position ``at``, on one line, quoted."""
    start = max(0, min(at - width // 3, len(cell) - width))
    piece = cell[start:start + width].replace("\n", " / ")
    return "«" + ("…" if start else "") + piece.strip() + ("…" if start + width < len(cell) else "") + "»"


def blank(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by spaces: positions found later still point into it."""
    return text[:start] + " " * (end - start) + text[end:]


def blank_all(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda found: " " * len(found.group()), text)


def listed(items: list[str], limit: int = 5) -> str:
    """«a», «b» and 3 more."""
    unique = list(dict.fromkeys(items))
    shown = ", ".join(f"«{item}»" for item in unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")
