"""The register's direct SQLite path (a row appended, an approval or a row looked up on each thread's own
sqlite3 connection): it stores and returns what the SQLAlchemy path does, keeps the register durable and
append-only, and is used only where it opens the same database.

Every test names its own register file in tmp_path.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest

from clausegen import register as reg
from clausegen.errors import OutputError
from clausegen.register import Register


def a_row(deal_id: str = "EXP-1") -> dict:
    return {"deal_id": deal_id, "command": "web", "source": "web form", "contract_number": "1",
            "contract_date": "2026-01-01", "contract_kind": "license", "annex_number": 2,
            "counterparty_name_ru": "Клиника", "counterparty_name_en": "Clinic", "counterparty_country": "AE",
            "end_users": [{"name": {"ru": "Клиника", "en": "Clinic"}, "country": "AE"}],
            "solution_name_ru": "Система", "solution_name_en": "System", "delivery": "saas", "is_export": True,
            "payment_amount": "10.50", "payment_currency": "USD", "decision": "proceed", "indicators": [],
            "reasons": [{"section": "1", "en": "ok", "ru": "да"}], "documents": [{"kind": "annex"}],
            "clauses": ["A@1"], "library_hash": "abc", "clausegen_version": "1", "user_name": "token",
            "deal": {"deal_id": deal_id, "nested": ["«ёлка»", None, 1.5]}, "recorded_at": "2026-12-02T10:00:00+00:00"}


def without_id(row: dict) -> dict:
    return {name: value for name, value in row.items() if name != "id"}


def test_a_plain_sqlite_file_register_uses_the_direct_path(tmp_path):
    assert Register(tmp_path / "r.sqlite").direct() is not None


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///{path}?timeout=5"])
def test_an_in_memory_register_or_one_with_url_options_stays_on_sqlalchemy(tmp_path, url):
    assert Register(url.format(path=tmp_path / "r.sqlite")).direct() is None


def test_a_row_recorded_directly_reads_back_as_one_recorded_through_sqlalchemy(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    direct_id = store.record(a_row())  # one row: the direct path
    sqlalchemy_ids = store.record_many([a_row(), a_row()])  # several: SQLAlchemy's executemany
    rows = {row["id"]: row for row in store.history()}
    assert sorted(rows) == sorted([direct_id, *sqlalchemy_ids])
    assert without_id(rows[direct_id]) == without_id(rows[sqlalchemy_ids[0]])
    assert rows[direct_id]["is_export"] is True and rows[direct_id]["deal"]["nested"][0] == "«ёлка»"


def test_the_stored_cells_are_the_same_bytes_whichever_path_wrote_them(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    direct_id = store.record(a_row())
    other_id = store.record_many([a_row(), a_row()])[0]
    store.close()
    with sqlite3.connect(tmp_path / "r.sqlite") as connection:
        cells = {row[0]: row[1:] for row in connection.execute("SELECT * FROM records")}
    assert cells[direct_id] == cells[other_id]


def test_row_by_id_is_the_same_from_either_path(tmp_path, monkeypatch):
    store = Register(tmp_path / "r.sqlite")
    row_id = store.record(a_row())
    direct = store.row(row_id)
    monkeypatch.setattr(Register, "direct", lambda self: None)
    assert direct == store.row(row_id)
    assert store.row(row_id + 1) is None


def test_an_approval_is_the_same_from_either_path(tmp_path, monkeypatch):
    store = Register(tmp_path / "r.sqlite")
    store.record(a_row())
    store.approve("EXP-1", "Ирина Петрова", "юрист", "legal")
    direct = (store.approval("EXP-1"), store.approval("EXP-1", "proceed"), store.approval("EXP-1", "refuse"),
              store.approval("EXP-2"))
    monkeypatch.setattr(Register, "direct", lambda self: None)
    assert direct == (store.approval("EXP-1"), store.approval("EXP-1", "proceed"),
                      store.approval("EXP-1", "refuse"), store.approval("EXP-2"))
    assert direct[0]["name"] == "Ирина Петрова" and direct[2] is None and direct[3] is None


def test_the_direct_connection_waits_for_the_disk_on_commit_in_wal_mode(tmp_path):
    connection = Register(tmp_path / "r.sqlite").direct().connection()
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 30000


def test_the_direct_path_still_meets_the_append_only_triggers(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    row_id = store.record(a_row())
    connection = store.direct().connection()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("UPDATE records SET deal_id = 'X' WHERE id = ?", (row_id,))
    with pytest.raises(OutputError, match="cannot write to the register"):
        store.insert_prepared([{**reg.prepare_row(a_row()), "id": row_id, "deal_id": None}])


def test_a_failed_direct_insert_leaves_no_transaction_open(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    with pytest.raises(OutputError, match="NOT NULL"):
        store.record({**a_row(), "deal_id": None})
    assert not store.direct().connection().in_transaction
    assert store.record(a_row()) >= 1


def test_each_thread_has_its_own_connection_and_close_closes_them_all(tmp_path):
    store = Register(tmp_path / "r.sqlite")
    connections, ids = [], []

    def work() -> None:
        connections.append(store.direct().connection())
        ids.append(store.record(a_row()))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(connection) for connection in connections}) == 4 and len(set(ids)) == 4
    store.close()
    for connection in connections:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    assert store.record(a_row()) == max(ids) + 1  # opened again after close
