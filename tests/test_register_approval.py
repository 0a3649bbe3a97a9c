"""The register remembers who and when (issue 13, section 4): the user, the check date and its
source, the preparer and the approval; `register approve`; list and export filters; and a register
made before these columns existed keeps working (the migration is safe to run twice).  SQLite.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import yaml
from helpers import COMPANY, EXAMPLE_DEALS, invoke, write_deal

from sqlalchemy import Column, MetaData, Table, create_engine

from clausegen.register import COLUMNS, Register, records

EDD = EXAMPLE_DEALS["onprem-logistics-kz"]  # enhanced_due_diligence, EXP-2026-0157
SAAS = EXAMPLE_DEALS["saas-clinic-ae"]  # proceed, AE
REFUSED = EXAMPLE_DEALS["refuse-drone-xx"]  # refuse


def pack(deal, out, register, *extra):
    result = invoke("pack", deal, "--company", COMPANY, "-o", out, "--register", register, *extra)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    """The examples without their recorded check date (screening.date): these tests date the check
    with --date or leave it to today.  Who prepared and approved stays as the example records."""
    folder = tmp_path_factory.mktemp("undated")
    made = {}
    for key, path in (("edd", EDD), ("saas", SAAS), ("refused", REFUSED)):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data["screening"]["date"]
        made[key] = write_deal(folder, data, path.name)
    return made


@pytest.fixture()
def filled(tmp_path, undated):
    """Three deals checked on three dates by user 'anna'."""
    register = tmp_path / "register.sqlite"
    for deal, day in ((undated["edd"], "2026-11-10"), (undated["saas"], "2026-11-20"),
                      (undated["refused"], "2026-12-05")):
        pack(deal, tmp_path / "out", register, "--date", day, "--user", "anna")
    return register


def listed(register, *filters) -> list[str]:
    result = invoke("register", "list", "--register", register, *filters)
    assert result.exit_code == 0, result.output
    return [line.split()[0] for line in result.stdout.splitlines()]


def test_row_records_the_user_the_check_date_its_source_and_the_preparer(filled):
    row = Register(filled).history("EXP-2026-0157")[0]
    assert (row["user_name"], row["check_date"], row["check_date_source"]) == ("anna", "2026-11-10", "option")
    assert row["prepared_by"].startswith("Петрова Анна Сергеевна")
    assert row["approved_by"] is None


def test_date_recorded_in_the_example_deal_is_the_check_date_and_the_register_says_so(tmp_path):
    pack(SAAS, tmp_path / "out", tmp_path / "r.sqlite", "--date", "2026-12-01")
    row = Register(tmp_path / "r.sqlite").history()[0]
    assert (row["check_date"], row["check_date_source"]) == ("2026-11-13", "deal")


def test_user_comes_from_the_environment_when_no_option_is_given(tmp_path, monkeypatch, undated):
    monkeypatch.setenv("CLAUSEGEN_USER", "boris")
    pack(undated["saas"], tmp_path / "out", tmp_path / "r.sqlite")
    row = Register(tmp_path / "r.sqlite").history()[0]
    assert row["user_name"] == "boris" and row["check_date_source"] == "today"


def test_list_filters_by_check_date_range(filled):
    assert listed(filled, "--from", "2026-11-15", "--to", "2026-11-30") == ["EXP-2026-0142"]


def test_list_filters_by_decision(filled):
    assert listed(filled, "--decision", "refuse") == [Register(filled).latest(decision="refuse")[0]["deal_id"]]


def test_list_filters_by_country(filled):
    assert listed(filled, "--country", "ae") == ["EXP-2026-0142"]


def test_enhanced_due_diligence_is_pending_until_approved(filled):
    assert listed(filled, "--approval", "pending") == ["EXP-2026-0157"]
    result = invoke("register", "approve", "EXP-2026-0157", "--by", "Соколов Павел Андреевич",
                    "--position", "Заместитель генерального директора", "--user", "pavel", "--register", filled)
    assert result.exit_code == 0, result.output
    assert listed(filled, "--approval", "pending") == []
    # the refusal (EXP-2026-0188) was approved in its deal file (screening.approved_by)
    assert listed(filled, "--approval", "approved") == ["EXP-2026-0157", "EXP-2026-0188"]


def test_approval_is_its_own_append_only_row_naming_the_decision(filled):
    invoke("register", "approve", "EXP-2026-0157", "--by", "Соколов П. А.", "--register", filled)
    approval = Register(filled).approval("EXP-2026-0157")
    assert (approval["decision"], approval["name"]) == ("enhanced_due_diligence", "Соколов П. А.")
    with sqlite3.connect(filled) as connection, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("UPDATE approvals SET name = 'x'")


def test_report_made_after_approval_names_the_approver(filled, tmp_path, undated):
    invoke("register", "approve", "EXP-2026-0157", "--by", "Соколов П. А.", "--register", filled)
    pack(undated["edd"], tmp_path / "again", filled, "--date", "2026-11-11")
    row = Register(filled).latest()[[r["deal_id"] for r in Register(filled).latest()].index("EXP-2026-0157")]
    assert (row["approved_by"], row["approval_source"]) == ("Соколов П. А.", "register")
    result = invoke("screen", EDD, "--company", COMPANY, "--json", "--register", filled)
    assert json.loads(result.stdout)["check"]["approval_pending"] is False


def test_approving_an_unknown_deal_exits_1_naming_it(filled):
    result = invoke("register", "approve", "EXP-0000-0000", "--by", "X", "--register", filled)
    assert result.exit_code == 1 and "EXP-0000-0000" in result.stderr


def test_export_takes_the_same_filters(filled):
    result = invoke("register", "export", "--format", "json", "--decision", "proceed", "--register", filled)
    assert [row["deal_id"] for row in json.loads(result.stdout)] == ["EXP-2026-0142"]
    csv = invoke("register", "export", "--register", filled).stdout
    assert "user_name" in csv.splitlines()[0] and "check_date" in csv.splitlines()[0]


def test_register_made_before_the_new_columns_gains_them_and_keeps_its_rows(tmp_path, undated):
    made = tmp_path / "new.sqlite"
    pack(undated["saas"], tmp_path / "out", made)
    added = ("user_name", "check_date", "check_date_source", "prepared_by", "approved_by", "approval_source",
             "identification")
    old_columns = [c for c in COLUMNS if c not in added]
    # The records table as the first release made it, holding one row, and no approvals table.
    register = tmp_path / "old.sqlite"
    old = MetaData()
    Table("records", old, *[Column(name, records.c[name].type, primary_key=records.c[name].primary_key)
                            for name in old_columns])
    engine = create_engine(f"sqlite:///{register}")
    old.create_all(engine)
    with sqlite3.connect(made) as source:
        row = source.execute(f"SELECT {', '.join(old_columns)} FROM records").fetchone()
    with sqlite3.connect(register) as connection:
        connection.execute(f"INSERT INTO records ({', '.join(old_columns)}) VALUES "
                           f"({', '.join('?' for _ in old_columns)})", row)
    engine.dispose()
    for _ in range(2):  # the migration runs on every open: twice is harmless
        store = Register(register)
        rows = store.history()
        store.close()
    assert len(rows) == 1 and rows[0]["check_date"] is None
    pack(undated["saas"], tmp_path / "out", register, "--date", "2026-12-01")
    assert [row["check_date"] for row in Register(register).history()] == [None, "2026-12-01"]
    assert listed(register, "--from", "2026-12-01") == ["EXP-2026-0142"]
