"""The clause library: catalogue, RU/EN texts, and where to find them.

``clauses_dir`` and ``templates_dir`` are the only places that build data
paths: an explicit folder wins, then the copy packaged in the wheel, then the
source checkout (editable installs and tests).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import cache
from .errors import DealError, LibraryError, Problem
from .sources import RawRecord, parse_text, read_capped

DOCUMENTS = ("annex", "notice", "enduse-request", "end-user-statement", "hold", "refusal")

#: Every section of the Declaration a clause may cite ("A1.n" = Annex 1, item n).
DECLARATION_SECTIONS = frozenset(
    [f"1.{i}" for i in range(1, 8)] + ["2.1", "2.2"] + [f"3.{i}" for i in range(1, 5)]
    + [f"4.{i}" for i in range(1, 5)] + ["5", "5.1", "5.2", "5.3", "6", "6.1", "6.2", "7", "7.1", "7.2"]
    + [f"A1.{i}" for i in range(1, 23)]
)


def _resolve(kind: str, explicit: Path | None) -> Path:
    if explicit is None and (env := os.environ.get(f"CLAUSEGEN_{kind.upper()}")):
        explicit = Path(env)
    if explicit is not None:
        if not explicit.is_dir():
            raise LibraryError([Problem(f"{kind} folder not found", "", str(explicit))], f"no {kind} folder")
        return explicit
    return _shipped(kind)


@lru_cache(maxsize=None)  # importlib.resources is slow, and a batch asks for every document
def _shipped(kind: str) -> Path:
    packaged = Path(str(importlib.resources.files("clausegen") / "_library" / kind))
    checkout = Path(__file__).resolve().parent.parent / kind
    for candidate in (packaged, checkout):
        if candidate.is_dir():
            return candidate
    raise LibraryError([Problem(f"the shipped {kind} are missing from this installation", "", str(checkout))])


def clauses_dir(explicit: Path | None = None) -> Path:
    """The clause folder: ``explicit``, $CLAUSEGEN_CLAUSES, the packaged copy, the checkout."""
    return _resolve("clauses", explicit)


def templates_dir(explicit: Path | None = None) -> Path:
    """The template folder: ``explicit``, $CLAUSEGEN_TEMPLATES, the packaged copy, the checkout."""
    return _resolve("templates", explicit)


class _Titles(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _ConditionalReason(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ClauseMeta(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    document: Literal["annex", "notice", "enduse-request", "end-user-statement", "hold", "refusal"]
    order: int
    version: int = Field(ge=1)
    numbering: Literal["article", "item", "none", "heading"]
    title: _Titles
    sections: list[str] = Field(default_factory=list)
    when: str = "true"
    reason: _Titles
    # A clause selected on either of two grounds cites the one that holds for the deal, not "X or Y"
    # (review 9, m7): the first alternative whose condition is true replaces ``reason``.
    reason_if: tuple[_ConditionalReason, ...] = ()

    @property
    def conditions(self) -> tuple[str, ...]:
        """Every condition of the entry: its ``when`` and those of its reasons."""
        return (self.when, *(r.when for r in self.reason_if))


@dataclass(frozen=True)
class Clause:
    """A clause: its catalogue entry and its two texts (Jinja source)."""

    meta: ClauseMeta
    ru: str
    en: str

    @property
    def id(self) -> str:
        return self.meta.id

    def text(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.en


@dataclass(frozen=True)
class Library:
    """The loaded clause library."""

    root: Path
    clauses: dict[str, Clause]
    fingerprint: str  # sha256 of the catalogue and every text

    def for_document(self, document: str) -> list[Clause]:
        return sorted((c for c in self.clauses.values() if c.meta.document == document), key=lambda c: c.meta.order)

    def get(self, clause_id: str) -> Clause:
        try:
            return self.clauses[clause_id]
        except KeyError:
            raise LibraryError([Problem(f"no clause with id {clause_id!r}", "", str(self.root))]) from None


#: A clause is a page of text and the catalogue a few dozen: anything larger is not a library file.
MAX_LIBRARY_FILE_BYTES = 1024 * 1024


def _read_file(path: Path) -> bytes:
    """The bytes of one library file.  OSError also for a folder, a device or a pipe (whose size says
    nothing, and which may never end) and for a file above the limit: refused before it is read."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise OSError("not a regular file")
    return read_capped(path, MAX_LIBRARY_FILE_BYTES)


def _parsed_catalogue(data: bytes, name: str) -> RawRecord:
    """The catalogue as read (its data and the line of each field), what a valid one gives kept in the
    cache (a fiftieth of a second of every command; one that fails to parse raises, and is not kept)."""
    import yaml

    def parse() -> tuple[Any, dict[str, int]]:
        record = parse_text(data.decode("utf-8"), name)
        return record.data, record.lines

    found, lines = cache.derived("catalogues", data, parse, yaml.__version__)
    return RawRecord(found, name, None, lines)


def read_catalogue(root: Path) -> tuple[list[ClauseMeta], list[Problem]]:
    """Parse catalogue.yaml; return the valid entries and the problems of the others."""
    path = root / "catalogue.yaml"
    problems: list[Problem] = []
    try:
        record = _parsed_catalogue(_read_file(path), str(path))
    except FileNotFoundError:
        return [], [Problem("catalogue.yaml not found", "", str(path))]
    except (UnicodeDecodeError, OSError) as error:
        return [], [Problem(f"cannot read: {error}", "", str(path))]
    except DealError as error:  # the shared YAML reader names it a deal problem; here it is the catalogue's
        return [], list(error.problems)
    if not isinstance(record.data, list):
        return [], [Problem("the catalogue is a list of clause entries", "", str(path))]
    metas = []
    for index, entry in enumerate(record.data):
        try:
            metas.append(ClauseMeta.model_validate(entry))
        except ValidationError as error:
            for item in error.errors(include_url=False):
                field = f"[{index}]" + "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in item["loc"])
                line = record.line_of(f"[{index}]")
                problems.append(Problem(item["msg"], field, str(path), None, line))
    return metas, problems


def load_library(root: Path | None = None, *, check_texts: bool = True) -> Library:
    """Load and structurally check the library; raise :class:`LibraryError` listing every problem."""
    library, problems = load_library_partial(root, check_texts=check_texts)
    if problems:
        raise LibraryError(problems, f"broken clause library {library.root}")
    return library


def load_library_partial(root: Path | None = None, *, check_texts: bool = True) -> tuple[Library, list[Problem]]:
    """The clauses that load, and the problems of those that do not (for ``clauses check``)."""
    root = clauses_dir(root)
    metas, problems = read_catalogue(root)
    clauses: dict[str, Clause] = {}
    digest = hashlib.sha256()
    catalogue = root / "catalogue.yaml"
    try:
        digest.update(_read_file(catalogue))
    except OSError:
        pass  # read_catalogue has reported it
    for meta in metas:
        if meta.id in clauses:
            problems.append(Problem(f"clause id {meta.id!r} appears twice", "id", str(catalogue)))
            continue
        texts = {}
        for lang in ("ru", "en"):
            path = root / lang / f"{meta.id}.txt"
            try:
                data = _read_file(path)
                texts[lang] = data.decode("utf-8")
                digest.update(f"{lang}/{meta.id}\0".encode() + data + b"\0")
            except FileNotFoundError:
                problems.append(Problem(f"clause {meta.id!r} has no {lang} text", "", str(path)))
            except UnicodeDecodeError:
                problems.append(Problem("not UTF-8 text", "", str(path)))
            except OSError as error:
                problems.append(Problem(f"cannot read: {error}", "", str(path)))
        if len(texts) == 2:
            clauses[meta.id] = Clause(meta, texts["ru"], texts["en"])
    if check_texts:
        for lang in ("ru", "en"):
            folder = root / lang
            for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
                if path.stem not in {m.id for m in metas}:
                    problems.append(Problem("text file with no catalogue entry", "", str(path)))
    return Library(root, clauses, digest.hexdigest()), problems
