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
