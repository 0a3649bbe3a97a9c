"""Deterministic output (issue 2, item 7): same inputs, same bytes; properties from the deal, not the clock."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from helpers import ANNEX_EXAMPLES, COMPANY, invoke

from clausegen import api
from clausegen.library import clauses_dir, load_library
from clausegen.render import docx_custom_properties

SAAS = ANNEX_EXAMPLES["saas-clinic-ae"]


def fresh_annex() -> bytes:
    """Load, screen and render the SaaS example from scratch (new deal, new library objects)."""
    deal = api.load_deal(SAAS, COMPANY).deal
    return api.build_annex(deal, api.screen_deal(deal), load_library()).data


def test_rendering_the_same_deal_twice_gives_identical_bytes():
    assert fresh_annex() == fresh_annex()


def test_two_cli_runs_write_identical_files(tmp_path):
    for name in ("first.docx", "second.docx"):
        assert invoke("annex", SAAS, "-o", tmp_path / name, "--company", COMPANY).exit_code == 0
    assert (tmp_path / "first.docx").read_bytes() == (tmp_path / "second.docx").read_bytes()


def test_cli_writes_exactly_the_bytes_the_api_renders(tmp_path, annexes):
    assert invoke("annex", SAAS, "-o", tmp_path / "out.docx", "--company", COMPANY).exit_code == 0
    assert (tmp_path / "out.docx").read_bytes() == annexes["saas-clinic-ae"].generated.data


def test_another_process_with_another_hash_seed_writes_identical_bytes(tmp_path, annexes):
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("CLAUSEGEN_CLAUSES", None)
    env.pop("CLAUSEGEN_TEMPLATES", None)
    out = tmp_path / "out.docx"
    subprocess.run([sys.executable, "-m", "clausegen", "annex", str(SAAS), "-o", str(out), "--company", str(COMPANY)],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    assert out.read_bytes() == annexes["saas-clinic-ae"].generated.data


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_zip_entries_carry_a_fixed_timestamp(annexes, stem):
    with zipfile.ZipFile(io.BytesIO(annexes[stem].generated.data)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_core_properties_are_dated_by_the_contract_not_the_clock(annexes, stem):
    # (by the offer while the deal names no signed contract)
    annex = annexes[stem]
    with zipfile.ZipFile(io.BytesIO(annex.generated.data)) as package:
        core = package.read("docProps/core.xml").decode()
    stamp = f"{annex.deal.basis_date:%Y-%m-%d}T00:00:00Z"
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [stamp, stamp]


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_custom_properties_record_deal_id(annexes, stem):
    annex = annexes[stem]
    assert docx_custom_properties(annex.generated.data)["clausegen.deal_id"] == annex.deal_id


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_custom_properties_record_clause_ids_with_versions(annexes, library, stem):
    annex = annexes[stem]
    recorded = docx_custom_properties(annex.generated.data)["clausegen.clauses"].split(";")
    assert recorded == [f"{cid}@{library.get(cid).meta.version}" for cid, _ in annex.generated.clauses]
    assert f"end-use-restriction@{library.get('end-use-restriction').meta.version}" in recorded


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_custom_properties_record_the_library_hash(annexes, library, stem):
    recorded = docx_custom_properties(annexes[stem].generated.data)["clausegen.library"]
    assert recorded == library.fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", recorded)


def test_library_hash_does_not_depend_on_where_the_library_is(tmp_path, library):
    shutil.copytree(clauses_dir(), tmp_path / "copy")
    assert load_library(tmp_path / "copy").fingerprint == library.fingerprint


def test_library_hash_changes_when_a_clause_text_changes(tmp_path, library):
    shutil.copytree(clauses_dir(), tmp_path / "copy")
    text = tmp_path / "copy" / "en" / "liability.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("Supplier", "supplier", 1), encoding="utf-8")
    assert load_library(tmp_path / "copy").fingerprint != library.fingerprint
