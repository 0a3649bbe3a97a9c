"""What the batch does to spend less per run and per deal, and that it changes nothing it makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, modules_after_one_batch

from clausegen import batch, checks
from clausegen.batch import GENERATED, run_batch


def _one_deal(tmp_path: Path, stem: str = "saas-clinic-ae") -> Path:
    folder = tmp_path / "deals"
    folder.mkdir(exist_ok=True)
    shutil.copy(EXAMPLE_DEALS[stem], folder / f"{stem}.yaml")
    return folder


def _run(source: Path, out: Path, **options):
    return run_batch(source, out, company=COMPANY, record=False, parts=("annex",), **options)


def _a_clause_reworded(tmp_path: Path) -> Path:
    """The shipped library with a clause's English text ending in a Jinja comment naming ``tmp_path``: a library
    no other test has checked (the suite's cache is shared by its tests)."""
    from clausegen.library import clauses_dir

    root = tmp_path / "clauses"
    shutil.copytree(clauses_dir(), root)
    path = root / "en" / "definitions.txt"
    path.write_text(path.read_text(encoding="utf-8") + f"{{# {tmp_path} #}}", encoding="utf-8")
    return root


@pytest.mark.parametrize("workers", [1, 2])
def test_a_library_that_passed_the_check_is_not_checked_again(tmp_path, monkeypatch, workers):
    source = _one_deal(tmp_path)
    clauses = _a_clause_reworded(tmp_path)  # a library no other test has checked
    assert _run(source, tmp_path / "first", clauses=clauses, workers=workers).counts[GENERATED] == 1

    def checked(*args, **named):
        raise AssertionError("the library was checked again")

    monkeypatch.setattr(checks, "render_findings", checked)
    monkeypatch.setattr(checks, "render_problems", checked)
    assert _run(source, tmp_path / "again", clauses=clauses, workers=workers).counts[GENERATED] == 1


def test_a_changed_library_is_checked_again(tmp_path, monkeypatch):
    source = _one_deal(tmp_path)
    _run(source, tmp_path / "first", workers=1)
    seen = []
    monkeypatch.setattr(checks, "render_problems", lambda library: seen.append(library.fingerprint) or [])
    clauses = _a_clause_reworded(tmp_path)
    _run(source, tmp_path / "again", clauses=clauses, workers=1)
    assert len(seen) == 1


def test_a_broken_library_is_never_remembered_as_passed(tmp_path):
    from test_batch import broken_library

    from clausegen.library import load_library

    library = load_library(broken_library(tmp_path))
    for _ in range(2):
        with batch._LibraryCheck(library, 1) as check, pytest.raises(batch.LibraryError):
            check.refuse_broken()


def test_a_one_worker_run_keeps_what_it_loaded_frozen_while_it_runs_and_unfreezes_it_after(tmp_path):
    import gc

    frozen = []
    _run(_one_deal(tmp_path), tmp_path / "out", workers=1,
         progress=lambda outcome, total: frozen.append(gc.get_freeze_count()))
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0


def _two_deals(tmp_path: Path) -> Path:
    source = _one_deal(tmp_path)
    shutil.copy(EXAMPLE_DEALS["hardware-camera-vn"], source / "hardware-camera-vn.yaml")
    return source


@pytest.mark.parametrize("workers", [1, 2])
def test_the_collector_runs_less_often_while_deals_are_processed_and_as_before_after_the_run(tmp_path, workers):
    import gc

    before = gc.get_threshold()
    seen = []
    _run(_two_deals(tmp_path), tmp_path / "out", workers=workers,
         progress=lambda outcome, total: seen.append(gc.get_threshold()[0]))
    assert seen == [batch.COLLECT_AFTER] * 2
    assert gc.get_threshold() == before


def test_a_worker_processes_its_deals_with_the_collector_running_less_often(tmp_path, monkeypatch):
    import gc

    generate = batch._generate

    def generate_noting_the_threshold(item, outcome):
        generate(item, outcome)
        outcome.problems.append(f"threshold {gc.get_threshold()[0]}")  # carried back to the parent

    monkeypatch.setattr(batch, "_generate", generate_noting_the_threshold)  # inherited by the forked workers
    seen = []
    _run(_two_deals(tmp_path), tmp_path / "out", workers=2,
         progress=lambda outcome, total: seen.append(outcome.problems[-1]))
    assert seen == [f"threshold {batch.COLLECT_AFTER}"] * 2


def test_a_collector_the_caller_switched_off_stays_off_during_a_run(tmp_path):
    import gc

    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        seen = []
        _run(_one_deal(tmp_path), tmp_path / "out", workers=1,
             progress=lambda outcome, total: seen.append(gc.get_threshold()[0]))
        assert seen == [0]
    finally:
        gc.set_threshold(*before)


def test_the_user_is_asked_of_the_system_once_a_run_not_once_a_deal(tmp_path, monkeypatch):
    from clausegen import checkrecord
    from clausegen.kinds import USER_ENV

    source = _one_deal(tmp_path)
    shutil.copy(EXAMPLE_DEALS["hardware-camera-vn"], source / "hardware-camera-vn.yaml")
    monkeypatch.delenv(USER_ENV, raising=False)
    asked = []
    monkeypatch.setattr(checkrecord.getpass, "getuser", lambda: asked.append(1) or "someone")
    result = run_batch(source, tmp_path / "out", company=COMPANY, register=tmp_path / "register.sqlite",
                       parts=("annex",), workers=1)
    assert result.counts[GENERATED] == 2 and len(asked) == 1
    import sqlite3

    with sqlite3.connect(tmp_path / "register.sqlite") as connection:
        assert {user for (user,) in connection.execute("SELECT user_name FROM records")} == {"someone"}


def test_a_first_run_does_not_import_the_comparison_of_annexes(tmp_path):
    source = _one_deal(tmp_path)
    assert modules_after_one_batch(source, tmp_path / "out", "clausegen.compare") == []
