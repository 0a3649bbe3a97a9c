"""Batches that survive a crash, a full disk and a hostile manifest (issue 16, part 2).

The crash tests run the real command in a subprocess and send it a real signal once the run has
settled its first chunk of deals (the journal beside the manifest exists), then run it again and
check that documents, manifest and register agree: every deal recorded exactly once, every file
the manifest lists on disk with its sha256, nothing half-written left.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import COMPANY, ROOT, invoke
from test_sheets import copies, write_sheet

from clausegen import output
from clausegen.batch import JOURNAL, MANIFEST, run_batch

DEALS = 600  # enough that the run is still busy when its first chunk of 100 is settled


@pytest.fixture(scope="module")
def big_sheet(tmp_path_factory) -> Path:
    return write_sheet(tmp_path_factory.mktemp("sheet") / "deals.csv", copies("saas-clinic-ae", DEALS))


def command(sheet: Path, out: Path, register: Path) -> list[str]:
    return [sys.executable, "-m", "clausegen", "batch", str(sheet), "-o", str(out), "--company", str(COMPANY),
            "--register", str(register), "--workers", "2", "--documents", "annex"]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def interrupted_run(sheet: Path, out: Path, register: Path, signum: int) -> subprocess.CompletedProcess:
    """Start the batch, send ``signum`` once its journal shows progress, and wait for it to end."""
    process = subprocess.Popen(command(sheet, out, register), env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        progress = out / JOURNAL
        while not (progress.exists() and progress.stat().st_size):
            if process.poll() is not None:
                pytest.fail("the batch ended before it could be interrupted:\n" + process.stderr.read())
            time.sleep(0.01)
        process.send_signal(signum)
        stdout, stderr = process.communicate()
    finally:
        if process.poll() is None:
            process.kill()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # any worker of the process this test started
        except ProcessLookupError:
            pass
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def finish(sheet: Path, out: Path, register: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command(sheet, out, register), env=environment(), capture_output=True, text=True)


def records_per_deal(register: Path) -> Counter[str]:
    """Rows per deal; none when the run was killed before it made the register (or its table)."""
    if not register.exists():
        return Counter()
    with sqlite3.connect(register) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchone():
            return Counter()
        return Counter(deal_id for (deal_id,) in connection.execute("SELECT deal_id FROM records"))


def staged_files(out: Path) -> list[Path]:
    return [path for path in out.rglob("*") if path.name.endswith(".part")]


def assert_in_agreement(out: Path, register: Path) -> None:
    """Every deal generated once: in the manifest with files whose sha256 match, and once in the register."""
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["counts"] == {"generated": DEALS, "blocked": 0, "failed": 0}
    for entry in manifest["deals"]:
        for document in entry["files"]:
            assert hashlib.sha256((out / document["file"]).read_bytes()).hexdigest() == document["sha256"]
    counts = records_per_deal(register)
    assert len(counts) == DEALS and set(counts.values()) == {1}
    assert staged_files(out) == []
    assert not (out / JOURNAL).exists()


@dataclass
class Crash:
    """A batch stopped by a signal, and the same command run again."""

    out: Path
    register: Path
    stopped: subprocess.CompletedProcess
    done: Counter[str]  # the register after the stop
    staged: list[Path]  # staged files after the stop
    rerun: subprocess.CompletedProcess


SIGNALS = {"INT": signal.SIGINT, "TERM": signal.SIGTERM, "KILL": signal.SIGKILL}
answered = pytest.mark.parametrize("crash", ["INT", "TERM"], indirect=True)  # kill -9 cannot be answered


@pytest.fixture(scope="module", params=list(SIGNALS))
def crash(request, big_sheet, tmp_path_factory) -> Crash:
    folder = tmp_path_factory.mktemp("crash")
    out, register = folder / "out", folder / "register.sqlite"
    stopped = interrupted_run(big_sheet, out, register, SIGNALS[request.param])
    done, staged = records_per_deal(register), staged_files(out)
    return Crash(out, register, stopped, done, staged, finish(big_sheet, out, register))


@answered
def test_an_interrupted_batch_ends_with_one_line_and_the_signals_exit_code(crash, request):
    code = 130 if request.node.callspec.params["crash"] == "INT" else 143
    assert crash.stopped.returncode == code, crash.stopped.stderr
    (line,) = crash.stopped.stderr.strip().splitlines()
    assert line.startswith("interrupted: ")
    assert line.endswith(f" of {DEALS} deals done; run the same command again to finish")


@answered
def test_an_interrupted_batch_leaves_no_staged_file(crash):
    assert crash.staged == []


def test_a_stopped_batch_has_recorded_no_deal_twice_and_not_all(crash):
    assert len(crash.done) < DEALS and set(crash.done.values()) <= {1}


def test_the_rerun_after_a_signal_finishes_the_rest(crash):
    assert crash.rerun.returncode == 0, crash.rerun.stderr
    assert f"{DEALS} deals:" in crash.rerun.stdout


def test_after_the_rerun_documents_manifest_and_register_agree(crash):
    assert_in_agreement(crash.out, crash.register)


def test_an_interruption_just_after_the_register_commits_a_chunk_records_it_once(tmp_path, monkeypatch):
    """Ctrl-C arriving as the register's transaction commits (where the parent spends its time)."""
    from clausegen.batch import BatchInterrupted
    from clausegen.register import Register

    real_insert = Register.insert_prepared
    interrupted: list[bool] = []

    def insert_then_interrupt(self, values):
        ids = real_insert(self, values)
        if not interrupted:
            interrupted.append(True)
            raise KeyboardInterrupt
        return ids

    monkeypatch.setattr(Register, "insert_prepared", insert_then_interrupt)
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 3))
    with pytest.raises(BatchInterrupted):
        run_batch(sheet, tmp_path / "out", company=COMPANY, register=tmp_path / "register.sqlite")
    assert records_per_deal(tmp_path / "register.sqlite") == Counter({f"EXP-COPY-{n:04d}": 1 for n in (1, 2, 3)})


def test_a_rerun_removes_the_staged_files_a_killed_run_left(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 2))
    out = tmp_path / "out"
    left = [out / ".manifest.json.k3j_9xq2.part", out / "EXP-COPY-0001" / ".annex.docx.a1b2c3d4.part"]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a document")
    run_batch(sheet, out, company=COMPANY, register=tmp_path / "register.sqlite")
    assert staged_files(out) == []


def test_a_rerun_keeps_a_users_file_that_only_looks_like_a_part_file(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 1))
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.part").write_text("mine")
    run_batch(sheet, out, company=COMPANY, register=tmp_path / "register.sqlite")
    assert (out / "notes.part").exists()


# ------------------------------------------------------------------ a full disk


class _FullDisk:
    """Writes of staged files succeed ``room`` times, then fail as a full disk does."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = output.stage_open

    def __call__(self, path: Path):
        stream, temporary = self.real(path)
        budget = self

        class Stream:
            def write(self, data: bytes) -> int:
                if budget.room <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                budget.room -= 1
                return stream.write(data)

            def __getattr__(self, name: str):
                return getattr(stream, name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                stream.close()

        return Stream(), temporary


@pytest.fixture
def full_disk_run(tmp_path, monkeypatch):
    """A batch of 4 deals (3 documents each) on a disk that fills up in the second deal."""
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 4))
    monkeypatch.setattr(output, "stage_open", _FullDisk(room=3 + 1))  # one deal's documents and one more
    out, register = tmp_path / "out", tmp_path / "register.sqlite"
    result = invoke("batch", sheet, "-o", out, "--company", COMPANY, "--register", register)
    return result, out, register


def test_a_full_disk_stops_the_batch_with_one_error_and_exit_1(full_disk_run):
    result, out, _ = full_disk_run
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: no space left on device while writing ")


def test_a_full_disk_leaves_no_temporary_file(full_disk_run):
    _, out, _ = full_disk_run
    assert staged_files(out) == []


def test_a_full_disk_leaves_no_document_without_its_register_row(full_disk_run):
    _, out, register = full_disk_run
    documents = {path.parent.name for path in out.rglob("*.docx")}
    assert documents == {"EXP-COPY-0001"}
    assert records_per_deal(register) == Counter({"EXP-COPY-0001": 1})


def test_a_full_disk_names_itself_when_a_single_document_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "stage_open", _FullDisk(room=0))
    result = invoke("annex", ROOT / "examples" / "saas-clinic-ae.yaml", "--company", COMPANY,
                    "-o", tmp_path / "annex.docx", "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 1
    assert "no space left on device while writing" in result.stderr
    assert not (tmp_path / "annex.docx").exists()
    assert staged_files(tmp_path) == []


# ------------------------------------------------------------------ a hostile manifest


@pytest.fixture
def generated(tmp_path):
    """One deal generated, its manifest then edited by a test to name another file for the deal."""
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 1))
    out = tmp_path / "out"
    run_batch(sheet, out, company=COMPANY, register=tmp_path / "register.sqlite")
    return sheet, out


def edit_manifest(out: Path, name: str) -> None:
    """Add to the deal's entry a letter of the kind a rerun no longer makes, at ``name``."""
    path = out / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["deals"][0]["files"].append({"kind": "enduse-request", "file": name, "sha256": "0" * 64})
    path.write_text(json.dumps(manifest), encoding="utf-8")


def rerun(sheet: Path, out: Path, tmp_path: Path):
    return invoke("batch", sheet, "-o", out, "--company", COMPANY, "--register", tmp_path / "register.sqlite")


def test_a_manifest_naming_a_file_beside_the_output_folder_is_reported_and_the_file_kept(generated, tmp_path):
    sheet, out = generated
    victim = tmp_path / "outside.docx"
    victim.write_text("keep me")
    edit_manifest(out, "../outside.docx")
    result = rerun(sheet, out, tmp_path)
    assert victim.read_text() == "keep me"
    assert "warning:" in result.stderr and "'../outside.docx'" in result.stderr


def test_a_manifest_naming_an_absolute_path_is_reported_and_never_touched(generated, tmp_path):
    sheet, out = generated
    victim = tmp_path / "absolute.docx"
    victim.write_text("keep me")
    edit_manifest(out, str(victim))
    result = rerun(sheet, out, tmp_path)
    assert victim.read_text() == "keep me"
    assert f"'{victim}'" in result.stderr


def test_a_manifest_naming_etc_passwd_is_reported_and_never_read_or_removed(generated, tmp_path, monkeypatch):
    sheet, out = generated
    edit_manifest(out, "/etc/passwd")
    removed: list[str] = []
    real_unlink = Path.unlink
    monkeypatch.setattr(Path, "unlink", lambda self, *a, **k: removed.append(str(self)) or real_unlink(self, *a, **k))
    result = rerun(sheet, out, tmp_path)
    assert "'/etc/passwd'" in result.stderr
    assert "/etc/passwd" not in removed


def test_a_manifest_naming_a_file_through_a_symlinked_folder_leaves_the_target_alone(generated, tmp_path):
    sheet, out = generated
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "request.docx").write_text("keep me")
    (out / "linked").symlink_to(elsewhere, target_is_directory=True)
    edit_manifest(out, "linked/request.docx")
    result = rerun(sheet, out, tmp_path)
    assert (elsewhere / "request.docx").read_text() == "keep me"
    assert "'linked/request.docx'" in result.stderr


def test_a_manifest_naming_a_stale_file_inside_the_output_folder_still_has_it_removed(generated, tmp_path):
    sheet, out = generated
    stale = out / "EXP-COPY-0001" / "old-request.docx"
    stale.write_text("made by an earlier run")
    edit_manifest(out, "EXP-COPY-0001/old-request.docx")
    rerun(sheet, out, tmp_path)
    assert not stale.exists()
