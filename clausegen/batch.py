"""Many deals at once: a folder of deal files, or a CSV/XLSX sheet with one deal per row.

For each deal: validate, screen, and write the screening report, the annex when
allowed and the recommended letters into ``OUT/<deal_id>/``.  One deal's failure
is recorded in the manifest and never stops or touches the others.

Regeneration is decided without rendering: :func:`clausegen.api.inputs_key`
digests the deal, the clauses its documents use, the templates and the version.
A deal whose key is the one in ``OUT/manifest.json`` and whose files are still
there, unaltered, is left alone.

Reading, validation, screening, rendering and writing run in worker processes
(fork: the compiled templates and the loaded library are inherited, not
rebuilt).  With several workers, the library check that precedes every deal is
shared among as many processes too, while the parent opens the register; a library
that passed it is remembered (clausegen.cache) and not checked again by the next run.  A worker writes each document to a temporary file beside its place;
the parent alone puts them in place (a rename), in input order, so that of two
rows with one deal_id the first wins and the second's files are discarded
without touching the first's.  The parent also appends the register rows, a
hundred per transaction, and, last, writes the manifest.  Memory stays flat:
deal files are read by the workers, and no document passes through the parent.

A run may be killed (kill -9, a power cut), interrupted (Ctrl-C, SIGTERM) or stopped
by a full disk.  Before the register records a chunk, the parent appends its entries
to ``OUT/.manifest.journal``; the next run reads that journal as part of the previous
manifest, trusting an entry only when the register's latest row for the deal holds
the same documents.  So the rerun records no deal twice, finishes the rest, and
removes the staged ``.part`` files the killed run left.  Interrupted or out of space,
a run records what it has already put in place, removes its staged files, and ends
with one message.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import multiprocessing
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import api, cache, checkrecord, checks, library as lib, text, workbooks
from .errors import ClausegenError, DealError, InputError, LibraryError, Problem
from .model import CompanyProfile
from .output import DiskFullError, commit, discard, flush_all, remove_staged, sha256, stage, stage_open, write_error
from .sheets import SUFFIXES as SHEET_SUFFIXES, open_sheet, read_rows
from .sources import RawRecord, read_file
from .validation import validate_deal, validate_profile

if TYPE_CHECKING:  # SQLAlchemy is imported only when there is a register to write
    from multiprocessing.pool import Pool

    from .register import Register

MANIFEST = "manifest.json"
JOURNAL = ".manifest.journal"  # entries settled by a run that has not finished; removed when it does
DEAL_SUFFIXES = (".yaml", ".yml", ".json")
PROFILE_NAMES = ("clausegen.yaml", "clausegen.yml")
GENERATED, UNCHANGED, BLOCKED, FAILED = "generated", "unchanged", "blocked", "failed"
STATUSES = (GENERATED, UNCHANGED, BLOCKED, FAILED)
REGISTER_CHUNK = 100  # rows per register transaction; the manifest is written only after the last one
CHUNK = 8  # deals per task given to a worker, at most (see _chunks)
#: Allocations between two passes of the garbage collector while deals are processed (Python's default is
#: 700).  A deal makes and drops some thousands of containers, freed by their reference counts as soon as
#: they are dropped; at 700 the collector examined them in some 500 passes a thousand deals (0.37 s, about 3 %
#: of a batch's CPU), at this figure in 8 (0.06 s).  The few reference cycles a deal leaves are still collected.
COLLECT_AFTER = 20_000


@dataclass
class Outcome:
    """What happened to one deal."""

    source: str
    deal_id: str | None = None
    status: str = FAILED
    decision: str | None = None
    reasons: list[str] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)  # kind, file (relative to OUT), sha256
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: int = 0
    key: str | None = None
    register_id: int | None = None
    row: dict[str, Any] | None = field(default=None, repr=False)  # the register row, until recorded
    # Each document's name (relative to OUT) and its staged file, None when the file on disk is the same.
    staged: list[tuple[str, Path | None]] = field(default_factory=list, repr=False)
    sheet_row: int | None = None  # the row of a spreadsheet source
    # A regenerated annex whose text differs from the one it replaces: the clauses changed and its redline.
    changed: list[str] = field(default_factory=list)
    redline: str | None = None
    found: list[Problem] = field(default_factory=list, repr=False)  # the problems, for the errors sheet
    # The manifest entry as the manifest prints it, made by the worker (indented JSON is encoded in
    # Python, not C: the one process that settles every deal should not spend its time on it); None
    # once the parent changes the outcome.
    entry_text: str | None = field(default=None, repr=False)

    @property
    def state(self) -> str:
        """The state of the deal's documents, for the manifest: a deal left unchanged is still generated."""
        return GENERATED if self.status == UNCHANGED else self.status

    def manifest_text(self) -> str:
        """The manifest's entry for this deal, indented as the manifest prints it."""
        if self.entry_text is None:
            self.entry_text = json.dumps(self.manifest_entry(), ensure_ascii=False, indent=2).replace("\n", "\n    ")
        return self.entry_text

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "deal_id": self.deal_id,
            "status": self.state,  # so an unchanged run writes the manifest byte for byte again
            "decision": self.decision,
            "reasons": self.reasons,
            "files": self.files,
            "problems": self.problems,
            "key": self.key,
        }


@dataclass
class BatchResult:
    """What the run did: counts, the register rows it added, what it wrote, and (unless the caller
    takes them one by one through ``progress``) every deal's outcome, in input order."""

    outcomes: list[Outcome]
    manifest: Path
    pdfs: list[Path] = field(default_factory=list)
    errors: Path | None = None  # errors.xlsx / errors.csv beside the manifest, for a sheet with failed rows
    skipped: list[str] = field(default_factory=list)  # files of a folder source that are not deals, and why
    warnings: list[str] = field(default_factory=list)  # e.g. a manifest naming a file outside the output folder
    register: str | None = None  # where the rows were recorded
    counts: Counter[str] = field(default_factory=Counter)
    files_written: int = 0
    # The register rows this run added: how many, the first and the last.
    rows_recorded: int = 0
    first_row: int | None = None
    last_row: int | None = None
    # Each deal whose regenerated annex reads differently, in input order: its id, the clauses changed
    # and the redline's name (a few words per such deal, kept when the outcomes are not).
    redlines: list[tuple[str | None, tuple[str, ...], str]] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        """Add one settled deal to the totals."""
        self.counts[outcome.status] += 1
        self.files_written += outcome.written
        if outcome.redline is not None and outcome.status != FAILED:
            self.redlines.append((outcome.deal_id, tuple(outcome.changed), outcome.redline))
        if outcome.register_id is not None:
            self.rows_recorded += 1
            self.first_row = outcome.register_id if self.first_row is None else self.first_row
            self.last_row = outcome.register_id

    @property
    def recorded(self) -> list[int]:
        """The register rows this run added (from the outcomes, when they are kept)."""
        return [outcome.register_id for outcome in self.outcomes if outcome.register_id is not None]

    @property
    def deals(self) -> int:
        return sum(self.counts.values())

    @property
    def failed(self) -> bool:
        return self.counts[FAILED] > 0

    def summary(self) -> str:
        """The counts, then each deal whose annex now reads differently: its changed clauses and redline."""
        counts = self.counts
        parts = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
        lines = [f"{self.deals} deals: {parts}; {self.files_written} files written"
                 + (f", {len(self.pdfs)} PDF" if self.pdfs else "")]
        lines.extend(f"  {deal_id}: annex changed in {', '.join(changed)}; redline {redline}"
                     for deal_id, changed, redline in self.redlines)
        return "\n".join(lines)


@dataclass
class _Job:
    """What every worker needs, loaded once in the parent."""

    out: Path
    library: lib.Library
    templates: Path | None
    profile: CompanyProfile | None
    profile_record: RawRecord | None
    parts: tuple[str, ...]
    strict: bool
    force: bool
    previous: dict[str, dict[str, Any]]
    register: bool
    # The check's date (the same day for every deal of a run), preparer and user; approvals from the register.
    check_date: dt.date | None = None
    check_today: dt.date | None = None
    prepared_by: str | None = None
    user: str | None = None
    approvals: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


_JOB: _Job | None = None  # set in the parent before the workers fork
_STATE: _Job | lib.Library | None = None  # what a worker was started with: a job, or the library to check


Item = Path | RawRecord | DealError  # a deal file (read by the worker), a sheet row, or a row's problems


def collect(source: Path, sheet: str | None = None, skipped: list[str] | None = None) -> _Items:
    """The deals in ``source``: the files of a folder (not yet read), or the rows of a CSV/XLSX sheet
    (checked whole and counted now, read one at a time as they are used).

    Files of a folder that are not deals (the company profile, a JSON Schema) are left out and,
    when ``skipped`` is given, named there with the reason.
    """
    if source.is_dir():
        files = []
        for path in sorted(source.iterdir()):
            if not path.is_file() or path.suffix.lower() not in DEAL_SUFFIXES:
                continue
            if path.name in PROFILE_NAMES:
                continue  # the company profile sits beside the deals it serves
            reason = _not_a_deal(path)
            if reason is None:
                files.append(path)
            elif skipped is not None:
                skipped.append(f"{path}: {reason}")
        if not files:
            raise InputError([Problem("no deal files (.yaml, .yml, .json) in this folder", "", str(source))])
        return _Items(len(files), lambda: ((str(path), path) for path in files))
    if source.suffix.lower() in SHEET_SUFFIXES:
        rows = open_sheet(source, sheet)
        if not len(rows):
            raise InputError([Problem("the spreadsheet has a header but no deal rows", "", str(source))])
        return _Items(len(rows), lambda: ((_label(item, source), item) for item in rows))
    if not source.exists():
        raise InputError([Problem("not found", "", str(source))])
    raise InputError([Problem("give a folder of deal files, a .csv or an .xlsx file", "", str(source))])


@dataclass
class _Items:
    """The deals of a source: how many, and each (its label, the item) in order, made as they are used."""

    total: int
    each: Callable[[], Iterator[tuple[str, Item]]]

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[tuple[str, Item]]:
        return self.each()


def _not_a_deal(path: Path) -> str | None:
    """Why a file of a deal folder is not a deal, judged by its name (the workers read the deals)."""
    name = path.name.lower()
    if name.endswith((".schema.json", ".schema.yaml", ".schema.yml")) or name == "schema.json":
        return "a JSON Schema, not a deal"
    if name.startswith(".") or name.startswith("~$"):
        return "a hidden or temporary file"
    return None


def _label(item: RawRecord | DealError, source: Path) -> str:
    row = item.row if isinstance(item, RawRecord) else item.problems[0].row
    return f"{source}, row {row}"


class BatchInterrupted(ClausegenError):
    """SIGINT or SIGTERM during a batch: what was done is kept, and a rerun finishes the rest."""

    def __init__(self, done: int, total: int, signum: int) -> None:
        super().__init__(f"interrupted: {done} of {total} deals done; run the same command again to finish")
        self.exit_code = 128 + signum  # type: ignore[assignment]  # 130 for SIGINT, 143 for SIGTERM


class _Terminated(BaseException):
    """SIGTERM in the parent, raised where it is (as SIGINT raises KeyboardInterrupt)."""


def _read_manifest(out: Path, warnings: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The previous run's entries by deal id; an unreadable manifest means regenerate everything.

    The manifest is the tool's data, but a user can edit it: an entry whose files are not plain
    names inside ``out`` is left out (named in ``warnings``), so nothing is read or removed there.
    """
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        deals = data["deals"]
        if not isinstance(deals, list):
            return {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    # A failed entry (a duplicate deal_id, say) has no files and must not hide the good one.
    return {entry["deal_id"]: entry for entry in reversed(deals) if _sound_entry(entry, out, warnings)}


def _sound_entry(entry: Any, out: Path, warnings: list[str] | None) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("deal_id"), str) or entry.get("status") == FAILED:
        return False
    files = entry.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, dict) and isinstance(f.get("file"), str)
                                              and isinstance(f.get("sha256"), str) for f in files):
        return False
    outside = [f["file"] for f in files if inside(out, f["file"]) is None]
    if outside and warnings is not None:
        warnings.extend(f"{out / MANIFEST}: deal {entry['deal_id']} names {name!r}, which is not a file inside the "
                        "output folder (outside it, or through a symbolic link); left alone" for name in outside)
    return not outside


def inside(out: Path, name: str) -> Path | None:
    """``out / name`` when ``name`` is a relative path that stays inside ``out`` with no symbolic link on the
    way (the file itself may be one: removing a link removes only the link); None otherwise."""
    relative = Path(name)
    if not name or relative.is_absolute() or any(part in ("..", "") for part in relative.parts):
        return None
    folder = out
    for part in relative.parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return None
    path = out / relative
    try:
        if not path.parent.resolve().is_relative_to(out.resolve()):
            return None
    except (OSError, RuntimeError):
        return None
    return path


def _read_journal(out: Path, store: Register | None, previous: dict[str, dict[str, Any]],
                  warnings: list[str]) -> None:
    """Add to ``previous`` the entries a killed run settled, each only when the register holds its documents."""
    try:
        lines = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return
    entries: dict[str, dict[str, Any]] = {}
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # the line being written when the run was killed
        if _sound_entry(entry, out, warnings):
            entries[entry["deal_id"]] = entry
    # Journalled before the register's commit: a run killed between the two has no row for them.
    recorded = store.latest_documents(sorted(entries)) if store is not None and store.exists() else {}
    for deal_id, entry in entries.items():
        files = {(f.get("kind"), f["sha256"]) for f in entry["files"]}
        if store is None or not files or files == {(d.get("kind"), d.get("sha256")) for d in recorded.get(deal_id, [])}:
            previous[deal_id] = entry
        else:
            previous.pop(deal_id, None)  # its documents may be newer than the manifest says: regenerate


def _unchanged(previous: dict[str, Any] | None, key: str, out: Path) -> bool:
    if not previous or previous.get("key") != key or previous.get("status") not in (GENERATED, BLOCKED):
        return False
    for entry in previous.get("files", []):
        path = inside(out, entry["file"])
        if path is None or not path.is_file():
            return False
        try:
            if sha256(path.read_bytes()) != entry["sha256"]:
                return False
        except OSError:
            return False
    return True


def _process(task: tuple[str, Item]) -> Outcome:
    """One deal, up to its documents staged beside their places; never raises."""
    label, item = task
    outcome = Outcome(label, sheet_row=item.row if isinstance(item, RawRecord) else None)
    try:
        _generate(item, outcome)
    except DiskFullError:
        _unstage(outcome)
        raise  # every further deal would fail alike: the run stops
    except ClausegenError as error:
        _fail(outcome, [str(p) for p in error.problems] if isinstance(error, InputError) else [str(error)])
        outcome.found = list(error.problems) if isinstance(error, InputError) else [Problem(str(error))]
    except Exception as error:  # a bug must not take the other deals down with it
        _fail(outcome, [f"internal error (please report): {type(error).__name__}: {error}"])
    except BaseException:
        _unstage(outcome)
        raise
    outcome.manifest_text()  # encoded here, in parallel, not in the one process that settles every deal
    return outcome


def _fail(outcome: Outcome, problems: list[str]) -> None:
    _unstage(outcome)
    outcome.status, outcome.key, outcome.row, outcome.entry_text = FAILED, None, None, None
    outcome.files = []
    outcome.problems = problems


def _unstage(outcome: Outcome) -> None:
    for _name, temporary in outcome.staged:
        if temporary is not None:
            discard(temporary)
    outcome.staged = []


def _generate(item: Item, outcome: Outcome) -> None:
    job = _JOB
    assert job is not None
    if isinstance(item, DealError):
        raise item
    if isinstance(item, Path):
        item = read_file(item)
    if isinstance(item.data, dict) and isinstance(item.data.get("deal_id"), str):
        outcome.deal_id = item.data["deal_id"]
    validated = validate_deal(item, job.profile, strict=job.strict, profile_record=job.profile_record)
    deal = validated.deal
    outcome.warnings = [str(w) for w in validated.warnings]
    screening = api.screen_deal(deal)
    outcome.decision = str(screening.decision)
    outcome.reasons = [f"{r.section}: {r.en}" for r in screening.reasons]
    blocked = "annex" in job.parts and not screening.annex_allowed
    check = checkrecord.resolve(deal, date=job.check_date, prepared_by=job.prepared_by, user=job.user,
                                approval=job.approvals.get((deal.deal_id, str(screening.decision))),
                                today=job.check_today)
    deal_json = deal.model_dump_json()  # once, for the key and the register row
    outcome.key = api.inputs_key(deal, screening, job.library, job.templates, job.parts, check, deal_json)
    previous = job.previous.get(deal.deal_id)
    if not job.force and _unchanged(previous, outcome.key, job.out):
        assert previous is not None
        outcome.files = previous["files"]
        outcome.status = BLOCKED if blocked else UNCHANGED
        return
    documents = api.build_documents(deal, screening, job.library, job.templates, job.parts, check)
    for document in documents:
        name = f"{deal.deal_id}/{document.filename}"
        outcome.files.append({"kind": document.kind, "file": name, "sha256": document.sha256})
        if document.kind == "annex":
            _redline(outcome, job, name, document)  # read the annex it replaces before staging
        outcome.staged.append((name, _stage(job.out / name, document.data)))
    outcome.status = BLOCKED if blocked else GENERATED
    if job.register and documents:
        row = api.register_row(deal, screening, documents, command="batch", source=outcome.source,
                               files={d["kind"]: str(job.out / d["file"]) for d in outcome.files}, check=check,
                               deal_json=deal_json)
        from .register import prepare_row  # imported once the parent has opened the register

        outcome.row = prepare_row(row)  # encoded here, in parallel, not in the one process that records


def _redline(outcome: Outcome, job: _Job, name: str, document: api.Generated) -> None:
    """Beside an annex that replaces one of different text: ``annex.redline.docx``, the changes tracked, and
    the clauses changed named with their versions then and now (``end-use-restriction@2→3``)."""
    data = document.data
    if not os.path.lexists(job.out / name):
        return  # nothing there to compare with (a first run): spared inside()'s walk up the folders
    path = inside(job.out, name)
    try:
        previous = path.read_bytes() if path is not None and path.is_file() else None
    except OSError:
        previous = None
    if previous is None or previous == data:
        return
    from .compare import compare_documents  # lxml and the verifier's rules: only for an annex that changed

    try:
        comparison = compare_documents(previous, data, sent_name=f"the previous {name}", returned_name=name,
                                       library=job.library)
    except InputError:  # the file there is no DOCX (a user's): nothing to compare with
        return
    if comparison.identical:
        return
    redline = str(Path(name).with_suffix(".redline.docx"))
    now = {clause_id: str(version) for clause_id, version in document.clauses}
    outcome.changed = [_then_and_now(name, now) for name in comparison.clauses] \
        or sorted({f"row {change.row}" for change in comparison.changes})
    outcome.redline = redline
    outcome.staged.append((redline, _stage(job.out / redline, comparison.redline)))


def _then_and_now(name: str, now: dict[str, str]) -> str:
    """``id@2→3`` for a clause recorded as ``id@2`` whose version is 3 now; ``id@2`` when it is the same."""
    clause_id, _, version = name.rpartition("@")
    return f"{name}→{now[clause_id]}" if now.get(clause_id, version) != version else name


def _stage(path: Path, data: bytes) -> Path | None:
    """The document written beside its place (the parent decides whether it goes there); None when
    the file there already holds these bytes."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return None
    except OSError:
        pass
    return stage(path, data)


def _write(outcome: Outcome, job: _Job, claimed: dict[str, int | str]) -> None:
    """Put one deal's staged documents in place (in the parent, in input order), unless another deal
    has its id.

    ``claimed`` holds, for each deal id, where it was first seen: the row number of a sheet's row (the
    one record the parent keeps of every deal, so a small one), or a deal file's name."""
    if outcome.deal_id is not None and outcome.status != FAILED:
        here = outcome.sheet_row if outcome.sheet_row is not None else outcome.source
        first = claimed.setdefault(outcome.deal_id, here)
        if first != here:
            label = first if isinstance(first, str) else f"{outcome.source.rsplit(', row ', 1)[0]}, row {first}"
            _fail(outcome, [f"{outcome.source}, deal_id: {outcome.deal_id!r} is already used by {label}"])
            return
    for name, temporary in outcome.staged:
        if temporary is not None:
            commit(temporary, job.out / name)  # flushed once, before the manifest
            outcome.written += 1
    if outcome.staged:
        _remove_stale(job.previous.get(outcome.deal_id or ""), outcome.files, job.out, job.parts)
    outcome.staged = []


def _remove_stale(previous: dict[str, Any] | None, files: list[dict[str, str]], out: Path,
                  parts: tuple[str, ...]) -> None:
    """Delete what this tool wrote for the deal last time and no longer makes (an annex now refused).

    Only documents of the kinds this run makes: ``--documents annex`` leaves the letters alone.
    """
    keep = {entry["file"] for entry in files}
    for entry in (previous or {}).get("files", []):
        name = entry.get("file", "")
        if entry.get("kind") not in api.TEMPLATES or api.part_of(entry["kind"]) not in parts:
            continue
        path = inside(out, name)  # the previous entries were checked when read; checked again here, where it acts
        if name not in keep and path is not None:
            for stale in (path, path.with_suffix(".pdf")):
                if not stale.is_dir():
                    stale.unlink(missing_ok=True)


def _warm_up(library: lib.Library, templates: Path, parts: tuple[str, ...]) -> None:
    """Compile the templates and clauses ``parts`` use, and load the dictionaries, once, before the workers fork
    (those checking the library, then those making the documents)."""
    api.warm_up(library, templates, parts)  # a broken clause text is skipped: the library check, next, reports it


class _LibraryCheck:
    """:func:`checks.render_problems` under way: with several workers, its clauses shared among as many
    processes, forked now, while this one goes on (rendering every clause for every check deal, and
    compiling the clauses the run's documents do not use, costs most of a second, which no deal can
    start before); in this process, when asked, otherwise.

    A library that passed is remembered in :mod:`clausegen.cache` (:func:`_check_key`): the next run
    of the same library, with the same code and libraries, does not check it again.  A library that
    failed is never remembered, so its problems are found and said on every run."""

    KIND = "library-checks"

    def __init__(self, library: lib.Library, workers: int) -> None:
        self.library = library
        self.pool: Pool | None = None
        self.key = _check_key(library)
        self.passed = cache.load(self.KIND, self.key) is True
        if self.passed:
            return
        checks.check_deals()  # validated and screened once, not by each process that checks the library
        if workers > 1 and len(library.clauses) > 1 and "fork" in multiprocessing.get_all_start_methods():
            count = min(workers, len(library.clauses))
            self.pool = _forked(count, library)
            self.shares = self.pool.map_async(_check_share, [(index, count) for index in range(count)], chunksize=1)

    def refuse_broken(self) -> None:
        """Raise :class:`LibraryError` naming every clause that cannot be rendered, if any."""
        if self.passed:
            return
        if self.pool is None:
            problems = checks.render_problems(self.library)
        else:
            shares = self.shares.get()
            problems = [problem for _place, problem in sorted((found for share in shares for found in share),
                                                              key=lambda found: found[0])]
        if problems:
            raise LibraryError(problems, f"broken clause library {self.library.root}") from None
        cache.store(self.KIND, self.key, True)
        self.passed = True

    def __enter__(self) -> _LibraryCheck:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None


def _check_key(library: lib.Library) -> tuple[str, ...]:
    """What the library check's result depends on besides clausegen's code (each cache generation is
    that code's own): every text and the catalogue (the fingerprint), the check deals and the other data
    shipped with clausegen, and the libraries that render and inflect (Jinja, MarkupSafe, the language
    libraries)."""
    import jinja2

    return (library.fingerprint, cache.package_data_digest(), f"jinja2 {jinja2.__version__}",
            f"markupsafe {cache.package_version('markupsafe')}", *cache.language_versions())


def _check_share(share: tuple[int, int]) -> list[tuple[checks.Place, Problem]]:
    assert isinstance(_STATE, lib.Library)
    return checks.render_findings(_STATE, share)


def _outcomes(tasks: _Items, workers: int) -> Iterator[Outcome]:
    if workers <= 1 or len(tasks) <= 1:
        # as a forked worker's: what the run loaded is not walked by every collection, and collections are few
        with _frozen(), _collecting_after(COLLECT_AFTER):
            yield from map(_process, tasks)
        return
    with _forked(workers, _JOB) as pool, _collecting_after(COLLECT_AFTER):  # the parent's share too
        # imap keeps input order and memory flat.
        for outcomes in pool.imap(_process_chunk, _chunks(tasks, workers)):
            yield from outcomes


def _chunks(tasks: _Items, workers: int) -> Iterator[list[tuple[str, Item]]]:
    """The deals in chunks of up to ``CHUNK``, shrinking to one deal each towards the end.

    Passing a deal and its outcome to and fro cost the parent some 2 ms a deal on a busy machine, against
    a fraction of that a deal in chunks of 8; but a worker given a large last chunk keeps the others
    waiting: so large chunks while many deals remain, single deals at the end.
    """
    remaining = len(tasks)
    chunk: list[tuple[str, Item]] = []
    size = 0
    for task in tasks:
        if not chunk:
            size = max(1, min(CHUNK, remaining // (workers * 4)))
        chunk.append(task)
        if len(chunk) == size:
            remaining -= size
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _process_chunk(chunk: list[tuple[str, Item]]) -> list[Outcome]:
    return [_process(task) for task in chunk]


def _forked(workers: int, state: _Job | lib.Library | None) -> Pool:
    """A pool of ``workers`` processes, forked where the system can (inheriting the compiled templates
    and the loaded library, not rebuilding them), each holding ``state`` (a job or the library to check)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    # The objects a worker inherits are never freed: out of the collector's sight, its collections neither
    # walk them (a few ms a deal) nor write to their pages (which would copy them into every worker).
    with _frozen():
        return context.Pool(workers, initializer=_start_worker, initargs=(state,))  # forked: state is not pickled


@contextmanager
def _frozen() -> Iterator[None]:
    """Every object alive now moved out of the garbage collector's sight while the block runs (the compiled
    templates and clauses, the dictionaries, the models: none of it is garbage), and back afterwards.
    Not when the caller has frozen some itself (a server that forks): unfreezing would undo that."""
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()


@contextmanager
def _collecting_after(allocations: int) -> Iterator[None]:
    """The collector's first threshold raised to ``allocations`` while the block runs (see COLLECT_AFTER)."""
    thresholds = gc.get_threshold()
    _collect_after(allocations)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _collect_after(allocations: int) -> None:
    first, *others = gc.get_threshold()
    if first:  # 0: the collector switched off by the caller, left so
        gc.set_threshold(max(allocations, first), *others)


def _start_worker(state: _Job | lib.Library | None) -> None:
    """A worker leaves signals to the parent: Ctrl-C reaches the whole process group, and the parent alone
    reports it; SIGTERM (the parent ending the pool) just ends the worker; and when the parent is killed
    outright, the kernel ends its workers (Linux), which would otherwise wait for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    global _STATE
    _STATE = state
    if isinstance(state, _Job):
        _set_job(state)
        _collect_after(COLLECT_AFTER)  # a worker's own, for its life


def _die_with_parent() -> None:
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the workers end when they next read from the closed pipe
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def _set_job(job: _Job) -> None:
    global _JOB
    _JOB = job


class _Signals:
    """SIGTERM raises :class:`_Terminated` in the parent while a batch runs (SIGINT already raises
    KeyboardInterrupt); the previous handler comes back afterwards.  Only in the main thread."""

    def __enter__(self) -> _Signals:
        self.previous: Any = None
        if threading.current_thread() is threading.main_thread():
            self.previous = (signal.signal(signal.SIGTERM, self._raise), signal.getsignal(signal.SIGINT))
        return self

    @staticmethod
    def _raise(signum: int, frame: Any) -> None:
        raise _Terminated()

    def quiet(self) -> None:
        """Ignore further signals while the run records what it did (a second Ctrl-C must not lose it)."""
        if self.previous is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous[0])
            signal.signal(signal.SIGINT, self.previous[1])


def run_batch(
    source: Path,
    out: Path,
    *,
    company: Path | None = None,
    clauses: Path | None = None,
    templates: Path | None = None,
    workers: int = 1,
    force: bool = False,
    parts: tuple[str, ...] = api.PACK_PARTS,
    strict: bool = False,
    register: str | Path | Register | None = None,
    record: bool = True,
    pdf: bool = False,
    progress: Callable[[Outcome, int], None] | None = None,
    sheet: str | None = None,
    check_date: dt.date | None = None,
    prepared_by: str | None = None,
    user: str | None = None,
    keep_outcomes: bool = True,
) -> BatchResult:
    """Generate every deal in ``source`` into ``out``; see the module docstring.

    ``progress`` is called after each deal with its outcome and the number of deals;
    ``sheet`` names the worksheet of an XLSX source.  ``keep_outcomes=False`` keeps no outcome
    in the result (only the counts): the caller sees each through ``progress``, and memory does
    not grow with the number of deals.
    """
    skipped: list[str] = []
    items = collect(source, sheet, skipped)
    profile_record = api.profile_record(company)
    profile = validate_profile(profile_record) if profile_record is not None else None
    library = lib.load_library(clauses)
    folder = lib.templates_dir(templates)
    _warm_up(library, folder, parts)  # first: the processes that check the library inherit what it compiled
    # A clause that cannot be rendered would fail every deal alike: the library is refused once, up front.
    # While the workers check it, this process opens the register and reads the previous run's manifest.
    warnings: list[str] = []
    store: Register | None = None
    with _LibraryCheck(library, workers) as check:
        try:
            try:
                store = _store(register, record, api.profile_register(profile_record, profile))
                previous, approvals = _previous_run(out, store, library, templates, warnings)
            except ClausegenError:
                check.refuse_broken()  # a broken library is said first, as when it was checked before all else
                raise
            check.refuse_broken()
        except BaseException:
            if store is not None and store is not register:
                store.close()
            raise
    remove_staged(out)  # what a killed run left half-written; never read, never listed
    # Who runs the batch is asked of the system once (a password-database lookup), not once a deal.
    job = _Job(out, library, templates, profile, profile_record, parts, strict, force, previous,
               store is not None, check_date, dt.date.today(), prepared_by, checkrecord.current_user(user), approvals)
    _set_job(job)
    result = BatchResult([], out / MANIFEST, skipped=skipped, warnings=warnings,
                         register=store.where if store is not None else None)
    failed_rows: list[Outcome] = []  # for the errors sheet: the failed rows of a spreadsheet, slimmed
    converting: list[Path] = []  # with --pdf: the documents to convert
    pending: list[Outcome] = []  # with a register row, waiting for their chunk
    unsettled: list[Outcome] = []  # since the last chunk, in input order: the manifest takes them after it
    claimed: dict[str, int | str] = {}
    manifest: _Manifest | None = None
    journal = _Journal(out / JOURNAL)

    def settled(outcomes: list[Outcome]) -> None:
        """Each deal once its register row and manifest entry are written: counted, then kept or handed
        to ``progress`` and forgotten (what the errors sheet and the PDFs need is kept apart)."""
        for outcome in outcomes:
            result.count(outcome)
            if outcome.status == FAILED and outcome.sheet_row is not None:
                failed_rows.append(Outcome(outcome.source, sheet_row=outcome.sheet_row, found=outcome.found))
            if pdf:
                converting.extend(out / entry["file"] for entry in outcome.files
                                  if outcome.written or not (out / entry["file"]).with_suffix(".pdf").exists())
            if keep_outcomes:
                result.outcomes.append(outcome)
            if progress is not None:
                progress(outcome, len(items))

    running = _outcomes(items, max(1, workers))
    with _Signals() as signals:
        try:
            manifest = _Manifest(out, library, source)
            for outcome in running:
                _write(outcome, job, claimed)
                unsettled.append(outcome)
                if outcome.row is not None and store is not None:
                    pending.append(outcome)
                    if len(pending) >= REGISTER_CHUNK:
                        settled(_settle(store, pending, unsettled, journal, manifest))
                elif not pending:
                    settled(_settle(None, pending, unsettled, journal, manifest))
            settled(_settle(store, pending, unsettled, journal, manifest))
            if source.suffix.lower() in SHEET_SUFFIXES and not source.is_dir():
                result.errors = _errors_sheet(source, sheet, out, failed_rows)
            if pdf:
                from . import pdf as converter

                result.pdfs = converter.convert(converting) if converting else []
            if result.files_written:
                flush_all()  # the documents are on disk before the manifest says so
            manifest.finish()
            journal.remove()  # the manifest now says all the journal said
        except (KeyboardInterrupt, _Terminated) as stop:
            signals.quiet()
            done = result.deals + len(unsettled)  # the unsettled ones are recorded by the wind-up
            _wind_up(running, store, pending, unsettled, journal, manifest, out)
            signum = signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM
            raise BatchInterrupted(done, len(items), int(signum)) from None
        except BaseException:
            signals.quiet()
            _wind_up(running, store, pending, unsettled, journal, manifest, out)
            raise
        finally:
            running.close()
            journal.close()
            if manifest is not None:
                manifest.abandon()  # after finish(), nothing is left to abandon
            _set_job(None)  # type: ignore[arg-type]
            if store is not None and store is not register:
                store.close()
    return result


def _store(register: str | Path | Register | None, record: bool, named: str | None) -> Register | None:
    """The register the rows go to, or None (then SQLAlchemy is not even imported)."""
    if not record and (register is None or isinstance(register, (str, Path))):
        return None
    from .register import Register

    return register if isinstance(register, Register) else (
        Register(register, profile_register=named) if record else None)


def _previous_run(out: Path, store: Register | None, library: lib.Library, templates: Path | None,
                  warnings: list[str]) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    """The register made ready (its failure is one before any document is written) and what the previous
    run left: its manifest's entries with its journal's, and the approvals recorded."""
    if store is not None:
        store.check_creatable()  # an unusable register is a failure before any document is written
        # The clause texts and templates the rows will name (for --as-sent), stored with the first chunk.
        store.defer_texts(api.library_texts(library, templates))
    previous = _read_manifest(out, warnings)
    _read_journal(out, store, previous, warnings)
    return previous, store.all_approvals() if store is not None and store.exists() else {}


def _settle(store: Register | None, pending: list[Outcome], unsettled: list[Outcome], journal: _Journal,
            manifest: _Manifest | None) -> list[Outcome]:
    """Journal the deals settled since the last chunk, record their rows, then add them to the manifest;
    returns them (``unsettled`` is emptied).

    Ctrl-C and SIGTERM wait until this is done (they are blocked meanwhile): a chunk interrupted between
    the register's commit and forgetting its rows would be recorded twice by the wind-up.
    """
    with _signals_blocked():
        journal.add(unsettled)
        if store is not None:
            _record(store, pending)
        done = list(unsettled)
        if manifest is not None:
            manifest.add(unsettled)
        unsettled.clear()
    return done


class _signals_blocked:
    """SIGINT and SIGTERM held back (delivered on leaving) in the main thread, where Unix allows it."""

    SIGNALS = {signal.SIGINT, signal.SIGTERM}

    def __enter__(self) -> None:
        self.blocked = (hasattr(signal, "pthread_sigmask")
                        and threading.current_thread() is threading.main_thread())
        if self.blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)

    def __exit__(self, *exc: Any) -> None:
        if self.blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self.SIGNALS)


def _wind_up(running: Iterator[Outcome], store: Register | None, pending: list[Outcome],
             unsettled: list[Outcome], journal: _Journal, manifest: _Manifest | None, out: Path) -> None:
    """After an interruption or a failed write: stop the workers, record the documents already in place
    (none stays without its register row), and remove every staged file."""
    running.close()  # terminates the pool: its workers' staged files are swept below
    try:
        _settle(store, pending, unsettled, journal, manifest)
    except (ClausegenError, OSError):
        pass  # the disk is full, say: the next run records them, as their documents are not in the journal
    remove_staged(out)


def _errors_sheet(source: Path, sheet: str | None, out: Path, failed: list[Outcome]) -> Path | None:
    """errors.xlsx (or .csv, as the source) with every failed row; a previous run's file removed when none failed."""
    path = out / f"{workbooks.ERRORS_STEM}{'.xlsx' if source.suffix.lower() == '.xlsx' else '.csv'}"
    if not failed:
        path.unlink(missing_ok=True)
        return None
    # The sheet is read again only now, a row at a time, keeping the failed rows' cells alone.
    wanted = {outcome.sheet_row: outcome for outcome in failed}
    header: list[str] = []
    cells_of: dict[int, list[str]] = {}
    for number, cells in enumerate(read_rows(source, sheet), start=1):
        if number == 1:
            header = [cell.strip() for cell in cells]
        elif number in wanted:
            cells_of[number] = list(cells)
    table = []
    for outcome in failed:
        assert outcome.sheet_row is not None
        table.append((outcome.sheet_row, cells_of.get(outcome.sheet_row, []),
                      workbooks.problem_lines(outcome.found, header)))
    return workbooks.errors_sheet(path, header, table)


def _record(store: Register, pending: list[Outcome]) -> None:
    """Append the pending deals' rows to the register in one transaction, then forget them."""
    if not pending:
        return
    chunk = list(pending)
    pending.clear()  # first: whatever happens next, these rows are never offered to the register again
    try:
        ids = store.insert_prepared([outcome.row for outcome in chunk if outcome.row is not None])
    except ClausegenError as error:
        # Not recorded means not done: without a key in the manifest, the next run regenerates them.
        for outcome in chunk:
            outcome.status, outcome.key, outcome.entry_text = FAILED, None, None
            outcome.problems.append(str(error))
    else:
        for outcome, row_id in zip(chunk, ids):
            outcome.register_id = row_id
    for outcome in chunk:
        outcome.row = None


class _Journal:
    """OUT/.manifest.journal: one JSON line per settled deal, appended before the register records it, and
    flushed, so that a run killed at any point tells the next one what is already done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: Any = None

    def add(self, outcomes: list[Outcome]) -> None:
        if not outcomes:
            return
        lines = "".join(json.dumps(o.manifest_entry(), ensure_ascii=False) + "\n" for o in outcomes)
        try:
            if self.stream is None:
                self.stream = self.path.open("a", encoding="utf-8")
            self.stream.write(lines)
            self.stream.flush()
        except OSError as error:
            raise write_error(self.path, error) from None

    def close(self) -> None:
        if self.stream is not None:
            try:
                self.stream.close()
            except OSError:
                pass
            self.stream = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


class _Manifest:
    """OUT/manifest.json, written deal by deal as each one is settled, so that it never has to be
    held in memory whole; put in place at the end only if its bytes differ from the last run's."""

    def __init__(self, out: Path, library: lib.Library, source: Path) -> None:
        from . import __version__

        self.path = out / MANIFEST
        self.stream, temporary = stage_open(self.path)
        self.temporary: Path | None = temporary
        self.digest = hashlib.sha256()
        self.counts: Counter[str] = Counter({GENERATED: 0, BLOCKED: 0, FAILED: 0})
        self.entries = 0
        header = {"clausegen": __version__, "source": os.path.basename(os.path.normpath(source)),
                  "library": library.fingerprint}
        self._put("{\n" + "".join(f"  {_json(key)}: {_json(value)},\n" for key, value in header.items())
                  + '  "deals": [')

    def _put(self, text: str) -> None:
        data = text.encode("utf-8")
        try:
            self.stream.write(data)
        except OSError as error:
            raise write_error(self.path, error) from None
        self.digest.update(data)

    def add(self, outcomes: list[Outcome]) -> None:
        """Append the entries of ``outcomes`` (settled: recorded in the register, or with nothing to
        record), then forget them."""
        for outcome in outcomes:
            entry = outcome.manifest_text()
            self._put(("," if self.entries else "") + "\n    " + entry)
            self.entries += 1
            self.counts[outcome.state] += 1
        outcomes.clear()

    def finish(self) -> None:
        self._put(f"\n  ],\n  \"counts\": {_json(dict(self.counts))}\n}}\n")
        try:
            self.stream.close()
        except OSError as error:
            raise write_error(self.path, error) from None
        if _file_digest(self.path) == self.digest.digest():
            discard(self.temporary)
        else:
            commit(self.temporary, self.path)
        self.temporary = None

    def abandon(self) -> None:
        if self.temporary is not None:
            try:
                self.stream.close()
            except OSError:
                pass  # a full disk: the file is removed anyway
            discard(self.temporary)
            self.temporary = None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _file_digest(path: Path) -> bytes | None:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").digest()
    except OSError:
        return None
