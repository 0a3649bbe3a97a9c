"""The register on PostgreSQL: the same code, given a URL instead of a file.

Runs when $CLAUSEGEN_TEST_POSTGRES_URL names an empty database (``.ci/run``
starts a throwaway PostgreSQL server and sets it when the machine has one);
skips otherwise, saying so.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from helpers import COMPANY, EXAMPLE_DEALS, EXAMPLES

from clausegen.batch import run_batch
from clausegen.cli import cli
from clausegen.register import Register

URL = os.environ.get("CLAUSEGEN_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="no PostgreSQL: set CLAUSEGEN_TEST_POSTGRES_URL to an empty database")


@pytest.fixture
def register():
    from sqlalchemy import text

    store = Register(URL)
    with store.engine.begin() as connection:  # a clean database for each test: drop what the last one made
        connection.execute(text("DROP TABLE IF EXISTS records CASCADE"))
        connection.execute(text("DROP TABLE IF EXISTS texts CASCADE"))
        connection.execute(text("DROP TABLE IF EXISTS users CASCADE"))
        connection.execute(text("DROP TABLE IF EXISTS drafts CASCADE"))
        connection.execute(text("DROP FUNCTION IF EXISTS records_append_only() CASCADE"))
    store.close()
    store = Register(URL)
    yield store
    store.close()


def test_a_batch_records_every_deal_in_postgresql(register, tmp_path):
    result = run_batch(EXAMPLES, tmp_path / "out", company=COMPANY, register=register, workers=2)
    assert register.count() == len(result.outcomes) == len(EXAMPLE_DEALS)
    assert {row["deal_id"] for row in register.latest()} == {o.deal_id for o in result.outcomes}


def test_postgresql_refuses_to_change_a_recorded_row(register, tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    result = run_batch(EXAMPLES, tmp_path / "out", company=COMPANY, register=register)
    for statement in ("UPDATE records SET decision = 'proceed'", "DELETE FROM records"):
        with pytest.raises(DBAPIError, match="append-only"):
            with register.engine.begin() as connection:
                connection.execute(text(statement))
    assert register.count() == len(result.outcomes)


def test_register_commands_read_postgresql(register, tmp_path):
    runner = CliRunner()
    pack = runner.invoke(cli, ["pack", str(EXAMPLES / "saas-clinic-ae.yaml"), "-o", str(tmp_path / "pack"),
                               "--company", str(COMPANY), "--register", URL])
    assert pack.exit_code == 0, pack.output
    shown = runner.invoke(cli, ["register", "show", "EXP-2026-0142", "--register", URL])
    assert shown.exit_code == 0, shown.output
    assert "Gulf Vision Analytics FZ-LLC" in shown.output


def test_offer_and_contract_records_of_one_deal_are_linked_in_postgresql(register, tmp_path):
    from helpers import DATA

    runner = CliRunner()
    offer = runner.invoke(cli, ["annex", str(EXAMPLES / "offer-ocr-bank-uz.yaml"), "-o", str(tmp_path / "o.docx"),
                                "--company", str(COMPANY), "--register", URL])
    assert offer.exit_code == 0, offer.output
    signed = runner.invoke(cli, ["annex", str(DATA / "offer-ocr-bank-uz-signed.yaml"), "-o", str(tmp_path / "c.docx"),
                                 "--company", str(COMPANY), "--register", URL, "--versions-from-register"])
    assert signed.exit_code == 0, signed.output
    first, second = register.history("EXP-2026-0231")
    assert (first["basis"], first["contract_number"], second["basis"], second["versions_from"]) == (
        "offer", "", "contract", first["id"])
    assert second["clauses"] == first["clauses"]


def test_a_postgresql_register_made_before_offers_gains_their_columns(register, tmp_path):
    from sqlalchemy import Column, MetaData, Table

    from clausegen.register import COLUMNS, records

    added = ("basis", "offer_number", "offer_date", "offer_valid_until", "versions_from")
    old = MetaData()
    Table("records", old, *[Column(name, records.c[name].type, primary_key=records.c[name].primary_key,
                                   nullable=records.c[name].nullable) for name in COLUMNS if name not in added])
    with register.engine.begin() as connection:
        records.drop(connection, checkfirst=True)
        old.create_all(connection)
    register.close()
    store = Register(URL)
    try:
        result = CliRunner().invoke(cli, ["annex", str(EXAMPLES / "offer-ocr-bank-uz.yaml"), "-o",
                                          str(tmp_path / "o.docx"), "--company", str(COMPANY), "--register", URL])
        assert result.exit_code == 0, result.output
        assert [row["basis"] for row in store.history("EXP-2026-0231")] == ["offer"]
    finally:
        store.close()


def test_web_users_sign_in_and_lock_out_on_postgresql(register):
    from clausegen import accounts

    accounts.add_user(register, "anna", "sales", "a long enough password")
    assert accounts.sign_in(register, "anna", "a long enough password").user.name == "anna"
    for _ in range(accounts.MAX_FAILURES):
        assert accounts.sign_in(register, "anna", "wrong password").user is None
    assert accounts.sign_in(register, "anna", "a long enough password").refused == "locked"


def test_web_drafts_are_saved_listed_and_removed_on_postgresql(register):
    from clausegen import drafts

    form = {"deal_id": "DRAFT-1", "counterparty.name": "ТОО «Степной Логистик»"}
    draft_id = drafts.save(register, "anna", form, [("deal_id", "error", "нет даты")], deal_id="DRAFT-1")
    assert [d.form for d in drafts.mine(register, "anna")] == [form]
    assert drafts.mine(register, "boris") == []
    assert drafts.get(register, "boris", draft_id) is None  # another user's draft is not theirs to open
    assert drafts.remove(register, "anna", draft_id)
    assert drafts.mine(register, "anna") == []
