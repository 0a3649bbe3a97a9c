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
rebuilt).  A worker writes each document to a temporary file beside its place;
the parent alone puts them in place (a rename), in input order, so that of two
rows with one deal_id the first wins and the second's files are discarded
without touching the first's.  The parent also appends the register rows, a
hundred per transaction, and, last, writes the manifest.  Memory stays flat:
deal files are read by the workers, and no document passes through the parent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import activities, api, checkrecord, checks, library as lib, render, sandbox, text, workbooks
from .errors import ClausegenError, DealError, InputError, LibraryError, OutputError, Problem
from .model import CompanyProfile
from .output import commit, discard, flush_all, sha256, stage, stage_open
from .register import Register, prepare_row
from .sheets import SUFFIXES as SHEET_SUFFIXES, read_rows, read_sheet
from .sources import RawRecord, read_file
from .validation import validate_deal, validate_profile

MANIFEST = "manifest.json"
DEAL_SUFFIXES = (".yaml", ".yml", ".json")
PROFILE_NAMES = ("clausegen.yaml", "clausegen.yml")
GENERATED, UNCHANGED, BLOCKED, FAILED = "generated", "unchanged", "blocked", "failed"
STATUSES = (GENERATED, UNCHANGED, BLOCKED, FAILED)
REGISTER_CHUNK = 100  # rows per register transaction; the manifest is written only after the last one


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
    found: list[Problem] = field(default_factory=list, repr=False)  # the problems, for the errors sheet

    @property
    def state(self) -> str:
        """The state of the deal's documents, for the manifest: a deal left unchanged is still generated."""
        return GENERATED if self.status == UNCHANGED else self.status

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
    """Every deal's outcome, in input order, and what the run wrote."""

    outcomes: list[Outcome]
    manifest: Path
    pdfs: list[Path] = field(default_factory=list)
    errors: Path | None = None  # errors.xlsx / errors.csv beside the manifest, for a sheet with failed rows
    skipped: list[str] = field(default_factory=list)  # files of a folder source that are not deals, and why

    @property
    def counts(self) -> Counter[str]:
        return Counter(outcome.status for outcome in self.outcomes)

    @property
    def files_written(self) -> int:
        return sum(outcome.written for outcome in self.outcomes)

    @property
    def failed(self) -> bool:
        return self.counts[FAILED] > 0

    def summary(self) -> str:
        counts = self.counts
        parts = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
        return (f"{len(self.outcomes)} deals: {parts}; {self.files_written} files written"
                + (f", {len(self.pdfs)} PDF" if self.pdfs else ""))


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


Item = Path | RawRecord | DealError  # a deal file (read by the worker), a sheet row, or a row's problems


def collect(source: Path, sheet: str | None = None, skipped: list[str] | None = None) -> list[tuple[str, Item]]:
    """The deals in ``source``: the files of a folder (not yet read), or the rows of a CSV/XLSX sheet.

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
        return [(str(path), path) for path in files]
    if source.suffix.lower() in SHEET_SUFFIXES:
        rows = read_sheet(source, sheet)
        if not rows:
            raise InputError([Problem("the spreadsheet has a header but no deal rows", "", str(source))])
        return [(_label(item, source), item) for item in rows]
    if not source.exists():
        raise InputError([Problem("not found", "", str(source))])
    raise InputError([Problem("give a folder of deal files, a .csv or an .xlsx file", "", str(source))])


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


def _read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    """The previous run's entries by deal id; an unreadable manifest means regenerate everything."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        # A failed entry (a duplicate deal_id, say) has no files and must not hide the good one.
        return {entry["deal_id"]: entry for entry in reversed(data["deals"])
                if entry.get("deal_id") and entry.get("status") != FAILED}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _unchanged(previous: dict[str, Any] | None, key: str, out: Path) -> bool:
    if not previous or previous.get("key") != key or previous.get("status") not in (GENERATED, BLOCKED):
        return False
    for entry in previous.get("files", []):
        path = out / entry["file"]
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
    except ClausegenError as error:
        _fail(outcome, [str(p) for p in error.problems] if isinstance(error, InputError) else [str(error)])
        outcome.found = list(error.problems) if isinstance(error, InputError) else [Problem(str(error))]
    except Exception as error:  # a bug must not take the other deals down with it
        _fail(outcome, [f"internal error (please report): {type(error).__name__}: {error}"])
    except BaseException:
        _unstage(outcome)
        raise
    return outcome


def _fail(outcome: Outcome, problems: list[str]) -> None:
    _unstage(outcome)
    outcome.status, outcome.key, outcome.row = FAILED, None, None
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
    outcome.key = api.inputs_key(deal, screening, job.library, job.templates, job.parts, check)
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
        outcome.staged.append((name, _stage(job.out / name, document.data)))
    outcome.status = BLOCKED if blocked else GENERATED
    if job.register and documents:
        row = api.register_row(deal, screening, documents, command="batch", source=outcome.source,
                               files={d["kind"]: str(job.out / d["file"]) for d in outcome.files}, check=check)
        outcome.row = prepare_row(row)  # encoded here, in parallel, not in the one process that records


def _stage(path: Path, data: bytes) -> Path | None:
    """The document written beside its place (the parent decides whether it goes there); None when
    the file there already holds these bytes."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return None
    except OSError:
        pass
    return stage(path, data)


def _write(outcome: Outcome, job: _Job, claimed: dict[str, str]) -> None:
    """Put one deal's staged documents in place (in the parent, in input order), unless another deal
    has its id."""
    if outcome.deal_id is not None and outcome.status != FAILED:
        first = claimed.setdefault(outcome.deal_id, outcome.source)
        if first != outcome.source:
            _fail(outcome, [f"{outcome.source}, deal_id: {outcome.deal_id!r} is already used by {first}"])
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
        if name not in keep and not Path(name).is_absolute() and ".." not in Path(name).parts:
            for stale in (out / name, (out / name).with_suffix(".pdf")):
                stale.unlink(missing_ok=True)


def _warm_up(library: lib.Library, templates: Path, parts: tuple[str, ...]) -> None:
    """Compile the templates and clauses ``parts`` use, and load the dictionaries, once, before the workers fork."""
    wanted = [kind for part in parts for kind in api.PART_KINDS[part]]
    for name in sorted({api.TEMPLATES[kind] for kind in wanted}):
        render.compiled_template(templates / name)
    documents = {"annex" if kind == "screening-report" else kind for kind in wanted}
    for clause in library.clauses.values():
        if clause.meta.document not in documents:
            continue
        for source in (clause.ru, clause.en):
            sandbox.compile_text(source)
            sandbox.paths_read(source)
        sandbox.compile_condition(clause.meta.when)
    text.genitive_phrase("Генеральный директор")  # loads pymorphy3's dictionaries
    activities.scan("")  # builds the vocabulary's lemma index (its own pymorphy3 analyser) once, before any fork


def _outcomes(tasks: list[tuple[str, Item]], workers: int) -> Iterator[Outcome]:
    if workers <= 1 or len(tasks) <= 1:
        yield from map(_process, tasks)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    initializer, arguments = (None, ()) if "fork" in methods else (_set_job, (_JOB,))
    with context.Pool(workers, initializer=initializer, initargs=arguments) as pool:
        # Small chunks keep both workers busy to the end; imap keeps input order and memory flat.
        yield from pool.imap(_process, tasks, chunksize=max(1, min(8, len(tasks) // (workers * 8))))


def _set_job(job: _Job) -> None:
    global _JOB
    _JOB = job


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
) -> BatchResult:
    """Generate every deal in ``source`` into ``out``; see the module docstring.

    ``progress`` is called after each deal with its outcome and the number of deals;
    ``sheet`` names the worksheet of an XLSX source.
    """
    skipped: list[str] = []
    items = collect(source, sheet, skipped)
    profile_record = api.profile_record(company)
    profile = validate_profile(profile_record) if profile_record is not None else None
    library = lib.load_library(clauses)
    # A clause that cannot be rendered would fail every deal alike: refuse the library once, up front.
    if problems := checks.render_problems(library):
        raise LibraryError(problems, f"broken clause library {library.root}")
    folder = lib.templates_dir(templates)
    _warm_up(library, folder, parts)
    store = register if isinstance(register, Register) else (Register(register) if record else None)
    if store is not None:
        store.engine  # an unreachable register is a failure before any document is written  # noqa: B018
        store.keep_texts(api.library_texts(library, templates))  # what the rows will name, for --as-sent
    job = _Job(out, library, templates, profile, profile_record, parts, strict, force, _read_manifest(out),
               store is not None, check_date, dt.date.today(), prepared_by, user,
               store.all_approvals() if store is not None else {})
    _set_job(job)
    outcomes: list[Outcome] = []
    pending: list[Outcome] = []  # with a register row, waiting for their chunk
    unsettled: list[Outcome] = []  # since the last chunk, in input order: the manifest takes them after it
    claimed: dict[str, str] = {}
    manifest: _Manifest | None = None
    try:
        manifest = _Manifest(out, library, source)
        for outcome in _outcomes(items, max(1, workers)):
            _write(outcome, job, claimed)
            outcomes.append(outcome)
            unsettled.append(outcome)
            if outcome.row is not None and store is not None:
                pending.append(outcome)
                if len(pending) >= REGISTER_CHUNK:
                    _record(store, pending)
                    manifest.add(unsettled)
            if progress is not None:
                progress(outcome, len(items))
        if store is not None:
            _record(store, pending)
        manifest.add(unsettled)
        result = BatchResult(outcomes, out / MANIFEST, skipped=skipped)
        if source.suffix.lower() in SHEET_SUFFIXES and not source.is_dir():
            result.errors = _errors_sheet(source, sheet, out, outcomes)
        if pdf:
            result.pdfs = _convert(outcomes, out)
        if result.files_written:
            flush_all()  # the documents are on disk before the manifest says so
        manifest.finish()
    finally:
        if manifest is not None:
            manifest.abandon()  # after finish(), nothing is left to abandon
        _set_job(None)  # type: ignore[arg-type]
        if store is not None and store is not register:
            store.close()
    return result


def _errors_sheet(source: Path, sheet: str | None, out: Path, outcomes: list[Outcome]) -> Path | None:
    """errors.xlsx (or .csv, as the source) with every failed row; a previous run's file removed when none failed."""
    path = out / f"{workbooks.ERRORS_STEM}{'.xlsx' if source.suffix.lower() == '.xlsx' else '.csv'}"
    failed = [o for o in outcomes if o.status == FAILED and o.sheet_row is not None]
    if not failed:
        path.unlink(missing_ok=True)
        return None
    rows, _ = read_rows(source, sheet)  # read again only now: no cell is kept in memory for every row
    header = [cell.strip() for cell in rows[0]]
    table = []
    for outcome in failed:
        assert outcome.sheet_row is not None
        cells = rows[outcome.sheet_row - 1] if outcome.sheet_row <= len(rows) else []
        table.append((outcome.sheet_row, list(cells), workbooks.problem_lines(outcome.found, header)))
    return workbooks.errors_sheet(path, header, table)


def _record(store: Register, pending: list[Outcome]) -> None:
    """Append the pending deals' rows to the register in one transaction, then forget them."""
    if not pending:
        return
    try:
        ids = store.insert_prepared([outcome.row for outcome in pending if outcome.row is not None])
    except ClausegenError as error:
        # Not recorded means not done: without a key in the manifest, the next run regenerates them.
        for outcome in pending:
            outcome.status, outcome.key = FAILED, None
            outcome.problems.append(str(error))
    else:
        for outcome, row_id in zip(pending, ids):
            outcome.register_id = row_id
    for outcome in pending:
        outcome.row = None
    pending.clear()


def _convert(outcomes: list[Outcome], out: Path) -> list[Path]:
    """PDFs for what was written this run, and for any DOCX whose PDF is missing: one LibreOffice call."""
    from . import pdf

    wanted = [out / entry["file"] for outcome in outcomes for entry in outcome.files
              if outcome.written or not (out / entry["file"]).with_suffix(".pdf").exists()]
    return pdf.convert(wanted) if wanted else []


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
        self.stream.write(data)
        self.digest.update(data)

    def add(self, outcomes: list[Outcome]) -> None:
        """Append the entries of ``outcomes`` (settled: recorded in the register, or with nothing to
        record), then forget them."""
        for outcome in outcomes:
            entry = json.dumps(outcome.manifest_entry(), ensure_ascii=False, indent=2).replace("\n", "\n    ")
            self._put(("," if self.entries else "") + "\n    " + entry)
            self.entries += 1
            self.counts[outcome.state] += 1
        outcomes.clear()

    def finish(self) -> None:
        self._put(f"\n  ],\n  \"counts\": {_json(dict(self.counts))}\n}}\n")
        try:
            self.stream.close()
        except OSError as error:
            raise OutputError(f"cannot write {self.path}: {error.strerror}") from None
        if _file_digest(self.path) == self.digest.digest():
            discard(self.temporary)
        else:
            commit(self.temporary, self.path)
        self.temporary = None

    def abandon(self) -> None:
        if self.temporary is not None:
            self.stream.close()
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
