"""The command line: exit codes, the company profile, options (issue 2, items 1, 2 and 5)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import pytest
from helpers import ANNEX_EXAMPLES, COMPANY, DELETE, files_in, invoke, modified, write_deal

from clausegen.render import docx_rows


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty working folder (no ./clausegen.yaml), the current directory for the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_annex_writes_the_document_and_nothing_else(workdir):
    write_deal(workdir, modified())
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 0, result.output
    assert "out.docx" in result.stdout
    assert files_in(workdir) == {"deal.yaml", "out.docx"}
    assert docx_rows((workdir / "out.docx").read_bytes())[0][1].startswith("Annex No. 1 to Contract No. LA-0001/2026")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_annex_file_gets_the_mode_a_normally_created_file_gets(workdir):
    write_deal(workdir, modified())
    previous = os.umask(0o022)
    try:
        result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY)
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((workdir / "out.docx").stat().st_mode) == 0o644


def test_annex_creates_the_output_folder(workdir):
    write_deal(workdir, modified())
    result = invoke("annex", "deal.yaml", "-o", "annexes/2026/out.docx", "--company", COMPANY)
    assert result.exit_code == 0, result.output
    assert (workdir / "annexes" / "2026" / "out.docx").is_file()


def test_annex_columns_en_ru_puts_english_on_the_left(workdir):
    result = invoke("annex", ANNEX_EXAMPLES["saas-clinic-ae"], "-o", "out.docx", "--columns", "en,ru",
                    "--company", COMPANY)
    assert result.exit_code == 0, result.output
    left, right = docx_rows((workdir / "out.docx").read_bytes())[0]
    assert left.startswith("Annex No. 2")
    assert right.startswith("Приложение № 2")


@pytest.mark.parametrize("columns", ["ru,ru", "en", "de,en"])
def test_annex_rejects_other_column_orders_with_exit_2(workdir, columns):
    result = invoke("annex", ANNEX_EXAMPLES["saas-clinic-ae"], "-o", "out.docx", "--columns", columns,
                    "--company", COMPANY)
    assert result.exit_code == 2
    assert "ru,en or en,ru" in result.stderr
    assert files_in(workdir) == set()


def test_missing_deal_file_exits_2_naming_it(workdir):
    result = invoke("annex", "nowhere.yaml", "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.stderr
    assert files_in(workdir) == set()


def test_company_profile_is_read_from_the_current_folder(workdir):
    shutil.copy(COMPANY, workdir / "clausegen.yaml")
    write_deal(workdir, modified())
    result = invoke("annex", "deal.yaml", "-o", "out.docx")
    assert result.exit_code == 0, result.output
    preamble = docx_rows((workdir / "out.docx").read_bytes())[3][0]
    assert preamble.startswith("Общество с ограниченной ответственностью «Нейросеть»")


def test_deal_without_supplier_and_without_profile_is_an_error(workdir):
    write_deal(workdir, modified())
    result = invoke("annex", "deal.yaml", "-o", "out.docx")
    assert result.exit_code == 2
    assert "supplier" in result.stderr and "deal.yaml" in result.stderr
    assert files_in(workdir) == {"deal.yaml"}


def test_supplier_in_the_deal_overrides_the_profile(workdir):
    signatory = {
        "name": {"ru": "Петров Пётр Петрович", "en": "Petr Petrov"},
        "position": {"ru": "Коммерческий директор", "en": "Commercial Director"},
        "acting_under": {"ru": "Доверенность № 15 от 01.02.2026", "en": "Power of Attorney No. 15 of 1 February 2026"},
    }
    write_deal(workdir, modified(changes={"supplier": {"signatory": signatory}}))
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 0, result.output
    preamble = docx_rows((workdir / "out.docx").read_bytes())[3]
    assert "в лице Коммерческого директора Петрова Петра Петровича" in preamble[0]
    assert "Общество с ограниченной ответственностью «Нейросеть»" in preamble[0]  # the rest from the profile
    assert "Commercial Director, Petr Petrov" in preamble[1]


def test_invalid_company_profile_exits_2_naming_it(workdir):
    (workdir / "profile.yaml").write_text("supplier:\n  name: {en: Neuroset}\n  contry: RU\n", encoding="utf-8")
    write_deal(workdir, modified())
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", "profile.yaml")
    assert result.exit_code == 2
    assert any("profile.yaml" in line and "supplier.contry" in line for line in result.stderr.splitlines())
    assert files_in(workdir) == {"deal.yaml", "profile.yaml"}


def test_deal_without_optional_parts_renders(workdir):
    write_deal(workdir, modified(changes={
        "counterparty.signatory": DELETE, "counterparty.address": DELETE, "contract.place": DELETE,
        "payment": DELETE, "solution.description": DELETE,
    }))
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY)
    assert result.exit_code == 0, result.output
    assert (workdir / "out.docx").is_file()


def test_python_m_clausegen_runs_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "clausegen", "--version"], cwd=tmp_path, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("clausegen ")
