"""The cache on disk (clausegen.cache): the same bytes warm or cold, nothing trusted blindly, never an error.

The end-to-end checks run ``clausegen annex`` in fresh interpreters (a warm run is a new process that
finds the entries a previous one wrote) with a cache folder of their own.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import COMPANY, EXAMPLES, ROOT

DEAL = EXAMPLES / "saas-clinic-ae.yaml"
#: What compiling a template, loading the analyser or Babel's locale data needs: a warm annex needs none.
COLD_ONLY = {"docxtpl", "docx", "lxml", "pymorphy3", "pytrovich", "num2words", "babel"}


def annex(tmp_path: Path, cache: Path, *options: str, name: str = "annex.docx") -> tuple[bytes, set[str]]:
    """``clausegen annex`` of the clinic deal in a fresh interpreter, with the cache at ``cache``: the
    document and the top-level packages the run imported."""
    out = tmp_path / name
    args = ["annex", str(DEAL), "--company", str(COMPANY), "-o", str(out), "--no-register", *options]
    probe = (f"import json, sys\nfrom clausegen.cli import cli\ntry:\n    cli({args!r})\n"
             f"except SystemExit as stop:\n    assert not stop.code, stop.code\n"
             f"print(json.dumps(sorted({{name.split('.')[0] for name in sys.modules}})))")
    env = {**os.environ, "CLAUSEGEN_CACHE_DIR": str(cache),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "cache" not in done.stderr.lower(), done.stderr
    return out.read_bytes(), set(json.loads(done.stdout.strip().splitlines()[-1]))


def entries(cache: Path, kind: str | None = None) -> list[Path]:
    return sorted(p for p in cache.glob(f"*/{kind or '*'}/*") if p.is_file())


def is_valid(entry: Path) -> bool:
    from clausegen.cache import MAGIC

    data = entry.read_bytes()
    digest = hashlib.sha256().digest_size
    return data.startswith(MAGIC) and hashlib.sha256(data[len(MAGIC) + digest:]).digest() == \
        data[len(MAGIC):len(MAGIC) + digest]


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> tuple[Path, bytes]:
    """A cache filled by a cold annex (a folder to copy, not to write to), and that annex."""
    work = tmp_path_factory.mktemp("filled")
    cold, imports = annex(work, work / "cache")
    assert COLD_ONLY & imports  # the cold run did the work a warm one skips
    return work / "cache", cold


def test_a_warm_run_gives_the_bytes_of_a_cold_one_without_compiling_or_loading_dictionaries(tmp_path, filled):
    cache = tmp_path / "cache"
    shutil.copytree(filled[0], cache)
    assert {"clause-texts", "conditions", "templates", "language", "package-data"} <= \
        {p.parent.name for p in entries(cache)}
    warm, imports = annex(tmp_path, cache)
    assert warm == filled[1]
    assert not COLD_ONLY & imports


def test_a_corrupt_or_foreign_entry_is_ignored_and_made_again(tmp_path, filled):
    cache = tmp_path / "cache"
    shutil.copytree(filled[0], cache)
    found = entries(cache)
    texts = entries(cache, "clause-texts")
    damaged = {entries(cache, "templates")[0]: b"",  # emptied
               entries(cache, "language")[0]: entries(cache, "language")[0].read_bytes()[:-7],  # truncated
               texts[0]: texts[1].read_bytes()}  # another input's entry, intact but foreign
    flipped = entries(cache, "conditions")[0].read_bytes()
    damaged[entries(cache, "conditions")[0]] = flipped[:-1] + bytes([flipped[-1] ^ 1])  # one bit
    for path, data in damaged.items():
        path.write_bytes(data)
    again, imports = annex(tmp_path, cache)
    assert again == filled[1]
    assert "docxtpl" in imports  # the damaged template entry was compiled again ...
    assert all(is_valid(path) for path in found)  # ... and every damaged entry written anew
    assert texts[0].read_bytes() != texts[1].read_bytes()


def test_an_unwritable_cache_folder_changes_nothing_but_the_time(tmp_path, filled):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable, _ = annex(tmp_path, blocker / "cache", name="unwritable.docx")  # cannot be made, whoever runs
    assert unwritable == filled[1]
    shared = tmp_path / "shared"
    shutil.copytree(filled[0], shared)
    shared.chmod(0o777)  # anyone may write here: its entries would be code anyone could plant
    before = entries(shared)
    from_shared, imports = annex(tmp_path, shared, name="shared.docx")
    assert from_shared == filled[1]
    assert "docxtpl" in imports and entries(shared) == before  # neither read nor written


def test_changing_a_clause_text_makes_a_new_entry_for_it_alone(tmp_path, filled):
    clauses = tmp_path / "clauses"
    shutil.copytree(ROOT / "clauses", clauses)
    cache = tmp_path / "cache"
    shutil.copytree(filled[0], cache)
    known = set(entries(cache, "clause-texts"))
    text = clauses / "en" / "end-use-restriction.txt"
    text.write_text(text.read_text(encoding="utf-8").rstrip("\n") + " Amended by the cache test.\n", encoding="utf-8")
    after, _ = annex(tmp_path, cache, "--clauses", str(clauses))
    from clausegen.render import docx_rows

    assert after != filled[1]
    assert any("Amended by the cache test." in cell for row in docx_rows(after) for cell in row)
    assert len(set(entries(cache, "clause-texts")) - known) == 1  # the English text changed, not the Russian


# ---------------------------------------------------------------- the entries themselves


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUSEGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_entry_is_read_back_only_for_its_own_key(own_cache):
    from clausegen import cache

    cache.store("unit", ("a",), {"value": (1, "x", frozenset({"y"}))})
    cache.store("unit", ("b",), "b's value")
    assert cache.load("unit", ("a",)) == {"value": (1, "x", frozenset({"y"}))}
    assert cache.load("unit", ("c",)) is None
    path_a, path_b = (cache._entry("unit", (key,))[0] for key in ("a", "b"))
    shutil.copyfile(path_b, path_a)  # b's entry under a's name: checksum fine, key foreign
    assert cache.load("unit", ("a",)) is None
    data = bytearray(path_b.read_bytes())
    data[-1] ^= 0xFF
    path_b.write_bytes(bytes(data))
    assert cache.load("unit", ("b",)) is None
    path_b.write_bytes(cache.MAGIC + b"\0" * 32 + marshal.dumps(("x", 1)))
    assert cache.load("unit", ("b",)) is None


def test_a_value_marshal_cannot_write_is_simply_not_kept(own_cache):
    from clausegen import cache

    cache.store("unit", ("object",), object())
    assert cache.load("unit", ("object",)) is None


def test_generations_nobody_wrote_to_for_a_week_go_when_a_new_one_is_made(own_cache):
    from clausegen import cache

    cache.store("unit", ("x",), 1)  # clausegen makes (and tags) the folder
    assert (own_cache / cache.TAG).read_text().startswith(cache.TAG_SIGNATURE)
    current = own_cache / cache.generation()
    name_length = len(current.name)
    old, recent = own_cache / ("0" * name_length), own_cache / ("1" * name_length)
    for folder in (old, recent):
        (folder / "templates").mkdir(parents=True)
    week_ago = time.time() - cache.STALE_AFTER - 60
    for folder in (old, current):
        os.utime(folder, (week_ago, week_ago))
    shutil.rmtree(current)  # as if this version of clausegen had never run here
    cache.store("unit", ("x",), 2)
    assert not old.exists() and recent.exists()
    assert cache.load("unit", ("x",)) == 2


def test_a_folder_the_user_named_is_never_pruned(own_cache):
    from clausegen import cache

    own_cache.mkdir()  # the user's own folder: clausegen did not make it
    stranger = own_cache / ("0" * len(cache.generation()))
    stranger.mkdir()
    week_ago = time.time() - cache.STALE_AFTER - 60
    os.utime(stranger, (week_ago, week_ago))
    cache.store("unit", ("x",), 1)
    assert stranger.exists() and not (own_cache / cache.TAG).exists()


def test_the_suite_never_writes_to_the_users_cache_folder():
    import tempfile

    from clausegen import cache

    assert Path(tempfile.gettempdir()) in cache.root().parents  # tests/conftest.py, before clausegen is imported
