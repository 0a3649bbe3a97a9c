"""Versions tied to texts: ``clauses/clauses.lock`` and ``clausegen clauses bump``.

The register and every document name a clause as ``id@version``; that name is only worth
something if one version is one wording.  The lock file records, for every version of every
clause, the sha256 of its Russian text, of its English text and of the catalogue fields that
change what is printed (title, numbering, condition), and the *text hash* of all of them
together, which documents and the register record beside ``id@version``.  ``clauses check``
compares the library with the lock, so a rewording without a new version is caught before a
document is made from it.  Entries of past versions are kept: the lock is the history of
which hash each version had.

The lock is JSON written with sorted keys and a fixed indentation, so the same library always
gives the same bytes (and a readable diff in review).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from .errors import LibraryError, Problem
from .library import Clause, Library, load_library
from .output import write_atomic
from .sources import parse_text, read_capped

LOCK_NAME = "clauses.lock"
FORMAT = 1
#: The parts of a clause version the lock hashes separately, so a message can say which one changed.
PARTS = ("ru", "en", "meta")
_PART_NAMES = {"ru": "ru", "en": "en", "meta": "catalogue: title, numbering or when"}
#: A version's entry is some 350 bytes: this is thousands of versions, and no pipe or device read for ever.
MAX_LOCK_BYTES = 16 * 1024 * 1024


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _printed_meta(clause: Clause) -> dict[str, Any]:
    """The catalogue fields that change a document's text (order only moves a clause; sections and
    reason are not printed in the documents the clause is part of)."""
    m = clause.meta
    return {"title": {"ru": m.title.ru, "en": m.title.en}, "numbering": m.numbering, "when": m.when}


#: By id(): clauses are unhashable, and a batch asks for the same few dozen thousands of times;
#: the entry keeps the clause alive, so its id is not reused.
_RECORDS: dict[int, tuple[Clause, bytes, str]] = {}


def _record_of(clause: Clause) -> tuple[bytes, str]:
    cached = _RECORDS.get(id(clause))
    if cached is None or cached[0] is not clause:
        data = _canonical({**_printed_meta(clause), "ru": clause.ru, "en": clause.en})
        cached = _RECORDS[id(clause)] = (clause, data, _sha256(data))
    return cached[1], cached[2]


def text_record(clause: Clause) -> bytes:
    """What the register keeps of a clause version: its two texts and printed catalogue fields,
    as canonical JSON (the text hash is the sha256 of these bytes, so a stored text proves itself)."""
    return _record_of(clause)[0]


def text_hash(clause: Clause) -> str:
    """The sha256 that documents and the register record beside ``id@version``."""
    return _record_of(clause)[1]


def from_record(clause_id: str, version: int, document: str, data: bytes) -> Clause:
    """A clause version back from :func:`text_record`'s bytes (for regenerating a document as sent)."""
    from .library import ClauseMeta

    fields = json.loads(data.decode("utf-8"))
    meta = ClauseMeta(id=clause_id, document=document, order=0, version=version, numbering=fields["numbering"],
                      title=fields["title"], when=fields["when"], reason={"ru": "—", "en": "—"})
    return Clause(meta, fields["ru"], fields["en"])


def entry(clause: Clause) -> dict[str, str]:
    """The lock entry of the clause as it is now."""
    return {"ru": _sha256(clause.ru.encode("utf-8")), "en": _sha256(clause.en.encode("utf-8")),
            "meta": _sha256(_canonical(_printed_meta(clause))), "text": text_hash(clause)}


def lock_path(library: Library) -> Path:
    return library.root / LOCK_NAME


def read_lock(root: Path) -> tuple[dict[str, dict[str, dict[str, str]]] | None, list[Problem]]:
    """The lock's clauses ({id: {version: entry}}), or None when the library has no lock file."""
    path = root / LOCK_NAME
    try:
        data = json.loads(read_capped(path, MAX_LOCK_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return None, []
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, [Problem(f"cannot read the lock file: {error}", "", str(path))]
    clauses = data.get("clauses") if isinstance(data, dict) else None
    valid = isinstance(clauses, dict) and data.get("format") == FORMAT and all(
        isinstance(versions, dict) and all(
            version.isdigit() and isinstance(found, dict)
            and all(isinstance(found.get(key), str) for key in (*PARTS, "text"))
            for version, found in versions.items())
        for versions in clauses.values())
    if not valid:
        return None, [Problem(f"not a clausegen lock file (format {FORMAT}): regenerate it with "
                              "`clausegen clauses lock --force`", "", str(path))]
    return clauses, []


def lock_problems(library: Library) -> list[Problem]:
    """A clause whose text differs from what the lock recorded for its version, or whose version the
    lock does not know.  A library without a lock gives none (see :func:`lock_notes`)."""
    locked, problems = read_lock(library.root)
    if locked is None:
        return problems
    path = str(lock_path(library))
    for clause in sorted(library.clauses.values(), key=lambda c: c.id):
        if clause.meta.version not in {int(v) for v in locked.get(clause.id, {})}:
            problems.append(Problem(
                f"clause {clause.id}: version {clause.meta.version} is not in the lock: run `clausegen clauses "
                f"lock` to record its text (next time `clausegen clauses bump {clause.id}` changes both)", "", path))
    return problems + _changed(library, locked)


def _changed(library: Library, locked: dict[str, dict[str, dict[str, str]]]) -> list[Problem]:
    """The clauses whose text differs from what the lock holds for their version."""
    problems = []
    for clause in sorted(library.clauses.values(), key=lambda c: c.id):
        version = clause.meta.version
        recorded = locked.get(clause.id, {}).get(str(version))
        changed = [part for part in PARTS if recorded is not None and entry(clause)[part] != recorded[part]]
        if changed:
            what = ", ".join(_PART_NAMES[part] for part in changed)
            problems.append(Problem(f"clause {clause.id}: text changed ({what}) but version is still {version}: "
                                    f"run `clausegen clauses bump {clause.id}`", "", str(lock_path(library))))
    return problems


def lock_notes(library: Library) -> list[Problem]:
    """A library without a lock file: allowed (a custom library), but nothing ties its versions to texts."""
    if (library.root / LOCK_NAME).exists():
        return []
    return [Problem(f"no {LOCK_NAME}: versions are not tied to texts; run `clausegen clauses lock` to create it",
                    "", str(library.root), severity="warning")]


def _dump(clauses: dict[str, dict[str, dict[str, str]]]) -> bytes:
    # Versions sort as numbers (2 before 10); json's sort_keys would sort them as text.
    ordered = {cid: {v: clauses[cid][v] for v in sorted(clauses[cid], key=int)} for cid in sorted(clauses)}
    return (json.dumps({"format": FORMAT, "clauses": ordered}, ensure_ascii=False, indent=2) + "\n").encode()


def write_lock(root: Path | None = None, *, force: bool = False) -> tuple[Path, list[str]]:
    """Record the current version of every clause in the lock; return its path and the ``id@version``
    added.  Versions already locked keep their entry: one whose text changed is refused (bump it),
    unless ``force`` (a lock broken by a merge, or a library reworded before it had versions tied),
    which records the current texts under the current versions and keeps the past versions' entries
    (all of them lost only when the lock cannot be read)."""
    library = load_library(root)
    locked, problems = read_lock(library.root)
    if problems and not force:
        raise LibraryError(problems, "cannot update the lock")
    locked = {} if locked is None else locked
    if not force and (changed := _changed(library, locked)):
        raise LibraryError(changed, "texts changed without a new version; nothing written")
    added = []
    for clause in library.clauses.values():
        versions = locked.setdefault(clause.id, {})
        if versions.get(str(clause.meta.version)) != entry(clause):
            versions[str(clause.meta.version)] = entry(clause)
            added.append(f"{clause.id}@{clause.meta.version}")
    path = lock_path(library)
    data = _dump(locked)
    try:
        unchanged = path.read_bytes() == data
    except OSError:
        unchanged = False
    if not unchanged:  # idempotent: an up-to-date lock is not even rewritten
        write_atomic(path, data)
    return path, sorted(added)


_VERSION = re.compile(r"\bversion:(\s*)(\d+)\b")


def bump(ids: list[str], root: Path | None = None) -> list[tuple[str, int, int]]:
    """Give each clause of ``ids`` the next version: the ``version:`` line of its catalogue entry is
    edited in place (comments and layout kept), then the lock records the new versions' texts.
    Returns (id, old, new) for each."""
    library = load_library(root)
    unknown = [cid for cid in ids if cid not in library.clauses]
    if unknown:
        raise LibraryError([Problem(f"no clause with id {cid!r}", "", str(library.root / "catalogue.yaml"))
                            for cid in unknown], "nothing bumped")
    locked, problems = read_lock(library.root)
    if problems:
        raise LibraryError(problems, "nothing bumped")
    catalogue = library.root / "catalogue.yaml"
    source = catalogue.read_bytes().decode("utf-8")
    record = parse_text(source, str(catalogue))
    lines = source.splitlines(keepends=True)
    index = {entry_.get("id"): n for n, entry_ in enumerate(record.data) if isinstance(entry_, dict)}
    done = []
    for cid in dict.fromkeys(ids):  # a clause named twice is bumped once
        old = library.clauses[cid].meta.version
        number = record.lines.get(f"[{index[cid]}].version")
        found = list(_VERSION.finditer(lines[number - 1])) if number else []
        if len(found) != 1 or int(found[0].group(2)) != old:
            raise LibraryError([Problem(f"cannot find the version of {cid!r} on one line; edit it by hand and run "
                                        "`clausegen clauses lock`", f"{cid}.version", str(catalogue), None, number)],
                               "nothing bumped")
        line, match = lines[number - 1], found[0]
        lines[number - 1] = line[:match.start(2)] + str(old + 1) + line[match.end(2):]
        done.append((cid, old, old + 1))
    write_atomic(catalogue, "".join(lines).encode("utf-8"))
    try:
        bumped = load_library(library.root)
        if any(bumped.get(cid).meta.version != new for cid, _, new in done):
            raise LibraryError([Problem("the edited catalogue does not give the new versions", "", str(catalogue))])
        if locked is None:  # a library without a lock gets one now, from its current texts
            locked = {c.id: {str(c.meta.version): entry(c)} for c in bumped.clauses.values()}
        for cid, _, new in done:
            locked.setdefault(cid, {})[str(new)] = entry(bumped.get(cid))
        write_atomic(lock_path(bumped), _dump(locked))
    except LibraryError:
        write_atomic(catalogue, source.encode("utf-8"))  # never leave a half-done bump
        raise
    return done
