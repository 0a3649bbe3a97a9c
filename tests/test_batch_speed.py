"""What the batch does to spend less per run and per deal, and that it changes nothing it makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLE_DEALS

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
