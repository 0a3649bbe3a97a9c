"""Where the register lives, and commands that must not create one (issue 16, part 2), and documents
asked for as PDF by their name (part 5).

Precedence: --register, then $CLAUSEGEN_REGISTER, then the company profile's ``register:``, then
clausegen-register.sqlite in the user's data folder (platformdirs; XDG_DATA_HOME points into
tmp_path in these tests, as conftest.py does for the whole suite) — never the current directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import COMPANY, EXAMPLES, invoke, write_deal
from test_pdf import needs_libreoffice
from test_sheets import copies, example, write_sheet

from clausegen import pdf

DEAL = EXAMPLES / "saas-clinic-ae.yaml"


@pytest.fixture
def nothing_named(monkeypatch, tmp_path):
    """No --register, no $CLAUSEGEN_REGISTER; the user's data folder in tmp_path; run from an empty folder."""
    monkeypatch.delenv("CLAUSEGEN_REGISTER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def profile_with_register(folder: Path, register: str) -> Path:
    data = yaml.safe_load(COMPANY.read_text(encoding="utf-8"))
    data["register"] = register
    path = folder / "clausegen.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_without_any_setting_the_register_is_in_the_user_data_folder_not_the_current_one(nothing_named):
    result = invoke("annex", DEAL, "--company", COMPANY, "-o", "annex.docx")
    expected = nothing_named / "data" / "clausegen" / "clausegen-register.sqlite"
    assert expected.is_file()
    assert not (nothing_named / "work" / "clausegen-register.sqlite").exists()
    assert f"recorded in the register: {expected} (row 1)" in result.stderr


def test_the_company_profile_names_the_register_relative_to_its_own_folder(nothing_named):
    folder = nothing_named / "company"
    folder.mkdir()
    company = profile_with_register(folder, "records/register.sqlite")
    invoke("annex", DEAL, "--company", company, "-o", "annex.docx")
    assert (folder / "records" / "register.sqlite").is_file()


def test_the_environment_wins_over_the_company_profile(nothing_named, monkeypatch):
    company = profile_with_register(nothing_named, "profile.sqlite")
    monkeypatch.setenv("CLAUSEGEN_REGISTER", str(nothing_named / "env.sqlite"))
    invoke("annex", DEAL, "--company", company, "-o", "annex.docx")
    assert (nothing_named / "env.sqlite").is_file() and not (nothing_named / "profile.sqlite").exists()


def test_the_option_wins_over_the_environment(nothing_named, monkeypatch):
    monkeypatch.setenv("CLAUSEGEN_REGISTER", str(nothing_named / "env.sqlite"))
    invoke("annex", DEAL, "--company", COMPANY, "-o", "annex.docx", "--register", nothing_named / "option.sqlite")
    assert (nothing_named / "option.sqlite").is_file() and not (nothing_named / "env.sqlite").exists()


def test_batch_uses_the_company_profiles_register_and_says_where_it_recorded(nothing_named):
    company = profile_with_register(nothing_named, "batch.sqlite")
    sheet = write_sheet(nothing_named / "deals.csv", copies("saas-clinic-ae", 2))
    result = invoke("batch", sheet, "-o", nothing_named / "out", "--company", company)
    assert (nothing_named / "batch.sqlite").is_file()
    assert f"recorded in the register: {nothing_named / 'batch.sqlite'} (rows 1-2)" in result.stdout


def test_an_unknown_profile_key_near_register_suggests_register(tmp_path):
    data = yaml.safe_load(COMPANY.read_text(encoding="utf-8"))
    data["registr"] = "x.sqlite"
    company = tmp_path / "clausegen.yaml"
    company.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = invoke("screen", DEAL, "--company", company)
    assert result.exit_code == 2 and "did you mean 'register'?" in result.stderr


@pytest.mark.parametrize("command", ["annex", "letter", "pack"])
def test_an_invalid_deal_creates_no_register_file(tmp_path, command):
    deal = write_deal(tmp_path, example("saas-clinic-ae", {"counterparty.country": "XX-not-a-country"}))
    register = tmp_path / "register.sqlite"
    arguments = {"annex": ["annex", deal, "-o", tmp_path / "a.docx"],
                 "letter": ["letter", "notice", deal, "-o", tmp_path / "l.docx"],
                 "pack": ["pack", deal, "-o", tmp_path / "pack"]}[command]
    result = invoke(*arguments, "--company", COMPANY, "--register", register)
    assert result.exit_code == 2
    assert not register.exists()


@pytest.mark.parametrize("arguments", [["list"], ["show", "EXP-1"], ["export", "--format", "csv"],
                                       ["export", "--format", "json"], ["approve", "EXP-1", "--by", "I. Ivanov"]])
def test_reading_a_register_that_does_not_exist_is_an_error_and_creates_none(tmp_path, arguments):
    missing = tmp_path / "nowhere" / "register.sqlite"
    result = invoke("register", *arguments, "--register", missing)
    assert result.exit_code == 2
    assert f"no register at {missing}" in result.stderr
    assert not missing.exists() and not missing.parent.exists()


def test_screen_reads_no_register_that_does_not_exist_and_creates_none(tmp_path):
    missing = tmp_path / "register.sqlite"
    result = invoke("screen", DEAL, "--company", COMPANY, "--register", missing)
    assert result.exit_code == 0 and not missing.exists()


# ------------------------------------------------------------------ -o NAME.pdf


@needs_libreoffice
@pytest.mark.libreoffice
@pytest.mark.parametrize("command", ["annex", "letter", "screen"])
def test_output_named_pdf_is_a_pdf_with_its_docx_beside_it(tmp_path, command):
    target = tmp_path / "document.pdf"
    arguments = {"annex": ["annex", DEAL], "letter": ["letter", "notice", DEAL], "screen": ["screen", DEAL]}[command]
    extra = [] if command == "screen" else ["--register", tmp_path / "register.sqlite"]
    result = invoke(*arguments, "--company", COMPANY, "-o", target, *extra)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "document.docx").read_bytes().startswith(b"PK")


@pytest.mark.parametrize("command", ["annex", "letter", "screen"])
def test_output_named_pdf_without_libreoffice_is_refused_saying_how(tmp_path, monkeypatch, command):
    monkeypatch.setattr(pdf, "executable", lambda: None)
    target = tmp_path / "document.pdf"
    arguments = {"annex": ["annex", DEAL], "letter": ["letter", "notice", DEAL], "screen": ["screen", DEAL]}[command]
    result = invoke(*arguments, "--company", COMPANY, "-o", target, "--register", tmp_path / "register.sqlite")
    assert result.exit_code == 1
    assert "LibreOffice" in result.stderr and f"-o {tmp_path / 'document.docx'}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_batch_whose_every_deal_is_invalid_creates_no_register_file(tmp_path):
    sheet = write_sheet(tmp_path / "deals.csv", [example("saas-clinic-ae", {"counterparty.country": "XX-bad"})])
    register = tmp_path / "records" / "register.sqlite"
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY, "--register", register)
    assert result.exit_code == 1
    assert not register.exists() and not register.parent.exists()


def test_a_batch_into_a_register_folder_it_cannot_write_fails_before_any_document(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "file").write_text("")
    sheet = write_sheet(tmp_path / "deals.csv", copies("saas-clinic-ae", 1))
    result = invoke("batch", sheet, "-o", tmp_path / "out", "--company", COMPANY,
                    "--register", locked / "file" / "register.sqlite")
    assert result.exit_code == 1 and "register" in result.stderr
    assert not (tmp_path / "out").exists()
