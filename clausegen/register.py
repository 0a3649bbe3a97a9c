"""The register of export deals (Declaration 5.3), handed to the authorities on request (6.1).

One table, ``records``, one row per generated set of documents.  History is
append-only: regenerating a deal adds a row and never rewrites one; the
database itself refuses UPDATE and DELETE (a trigger on SQLite and PostgreSQL),
so a bug or a stray script cannot quietly change what was recorded.

Storage is SQLAlchemy Core, so the register is a SQLite file by default and a
PostgreSQL database when given a URL (``postgresql+psycopg://...``), with no
other change.  Nested data (end users, indicators, documents) is stored as JSON
text: every backend has text, and the authorities get it back as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (Boolean, Column, DDL, Integer, LargeBinary, MetaData, String, Table, Text, bindparam,
                        create_engine, event, func, inspect, select)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from .errors import ClausegenError, ExitCode, OutputError
from .kinds import APPROVAL_STATES, REGISTER_ENV, EncodedJSON

DEFAULT_FILE = "clausegen-register.sqlite"
ENV_VAR = REGISTER_ENV


class NoRegisterError(ClausegenError):
    """A command that reads the register was pointed at a file that does not exist: nothing to read,
    and creating an empty register there would hide the mistake."""

    exit_code = ExitCode.INVALID_INPUT

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", String(32), nullable=False),  # UTC, ISO 8601
    Column("deal_id", String(200), nullable=False, index=True),
    Column("command", String(32), nullable=False),  # annex, letter, pack, batch, web
    Column("source", Text, nullable=False),  # the deal file (and spreadsheet row)
    # The documents the deal rests on.
    Column("contract_number", Text, nullable=False),
    Column("contract_date", String(10), nullable=False),
    Column("contract_kind", String(32), nullable=False),
    Column("annex_number", Integer),
    # The counterparty and the other foreign persons (end users).
    Column("counterparty_name_ru", Text, nullable=False),
    Column("counterparty_name_en", Text, nullable=False),
    Column("counterparty_country", String(2), nullable=False),
    Column("end_users", Text, nullable=False),  # JSON
    # The subject.
    Column("solution_name_ru", Text, nullable=False),
    Column("solution_name_en", Text, nullable=False),
    Column("delivery", String(32), nullable=False),
    Column("is_export", Boolean, nullable=False),
    Column("payment_amount", Text),
    Column("payment_currency", String(3)),
    # Identification and screening.
    Column("decision", String(32), nullable=False, index=True),
    Column("indicators", Text, nullable=False),  # JSON
    Column("reasons", Text, nullable=False),  # JSON
    Column("permission_number", Text),
    Column("permission_date", String(10)),
    # What was generated, from what.
    Column("documents", Text, nullable=False),  # JSON: kind, file, sha256, clauses
    Column("clauses", Text, nullable=False),  # JSON: "id@version", sorted
    Column("library_hash", String(64), nullable=False),
    Column("clausegen_version", String(32), nullable=False),
    # Who checked and when (issue 13); nullable: rows recorded before these columns have none.
    Column("user_name", String(200)),
    Column("check_date", String(10), index=True),
    Column("check_date_source", String(16)),  # deal | option | today
    Column("prepared_by", Text),
    Column("approved_by", Text),
    Column("approval_source", String(16)),  # deal | register
    Column("identification", String(32)),
    # Versions tied to texts (issue 14); nullable, as above.
    Column("clause_hashes", Text),  # JSON: {"id@version": sha256 of its texts}, the key of the texts table
    Column("deal", Text),  # JSON: the validated deal the documents were made from
    # What the documents are made for (issue 15): "contract", or "offer" before one is signed, when
    # contract_number and contract_date are empty; the offer recorded with either; and the record whose
    # clause versions a regeneration kept (annex --versions-from-register).  Nullable, as above.
    Column("basis", String(16)),
    Column("offer_number", Text),
    Column("offer_date", String(10)),
    Column("offer_valid_until", String(10)),
    Column("versions_from", Integer),
)

#: Every clause text and template a recorded document was made from, once each, by its sha256:
#: a document can be regenerated as it was sent after the library has moved on.  Append-only.
texts = Table(
    "texts",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # clause (lock.text_record) | template (the DOCX)
    Column("content", LargeBinary, nullable=False),
)

#: Approvals of a deal's decision (`clausegen register approve`), append-only like the records:
#: an approval is a new fact about a deal, never a change to a row already recorded.
approvals = Table(
    "approvals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("approved_at", String(32), nullable=False),  # UTC, ISO 8601
    Column("deal_id", String(200), nullable=False, index=True),
    Column("record_id", Integer, nullable=False),  # the record whose decision was approved
    Column("decision", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("position", Text),
    Column("user_name", String(200), nullable=False),
)

#: The web form's users (issue 15): sign-in names, roles and scrypt password hashes, with the
#: lock-out state.  Not append-only: a user is removed, a password changed, a lock-out counted.
users = Table(
    "users",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("role", String(16), nullable=False),  # sales | legal | admin
    Column("password_hash", Text, nullable=False),
    Column("display_name", Text),  # the name an approval is recorded under (default: the sign-in name)
    Column("created_at", String(32), nullable=False),
    Column("failures", Integer, nullable=False, default=0),  # failed sign-ins since the last success
    Column("locked_until", String(32)),  # UTC, ISO 8601; sign-in refused until then
)

#: Unfinished deals saved from the web form, by their owner; deleted when the owner says so.
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(200), nullable=False, index=True),
    Column("saved_at", String(32), nullable=False),  # UTC, ISO 8601
    Column("deal_id", Text),  # as typed, for the list; may be empty
    Column("title", Text),  # counterparty or solution, for the list
    Column("form", Text, nullable=False),  # JSON: the form's values as posted
    Column("problems", Text, nullable=False),  # JSON: [severity, field, message] when saved
)

TABLES = ("records", "approvals", "texts", "users", "drafts")

#: Columns added after the first release, with their types: added to an older register on open.
_ADDED_COLUMNS = ("user_name", "check_date", "check_date_source", "prepared_by", "approved_by", "approval_source",
                  "identification", "clause_hashes", "deal", "basis", "offer_number", "offer_date", "offer_valid_until",
                  "versions_from")
#: Decisions that need an approval (as checkrecord.NEEDS_APPROVAL; the register does not import screening).
_NEEDS_APPROVAL = ("enhanced_due_diligence", "proceed_with_permission", "permission_required", "refuse",
                   "outside_declaration")

JSON_COLUMNS = ("end_users", "indicators", "reasons", "documents", "clauses", "clause_hashes", "deal")
COLUMNS = tuple(column.name for column in records.columns)

_APPEND_ONLY = "the register is append-only: rows are never changed or deleted"
# SQLite's triggers are (re)created on every connection, so a register made by an older
# version gains them too.  INSERT OR REPLACE deletes without firing DELETE triggers, hence the third.
_SQLITE_TRIGGERS = tuple(
    statement.format(table=table, key="sha256" if table == "texts" else "id")
    for table in ("records", "approvals", "texts") for statement in (
        f"CREATE TRIGGER IF NOT EXISTS {{table}}_no_update BEFORE UPDATE ON {{table}} "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {{table}}_no_delete BEFORE DELETE ON {{table}} "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {{table}}_no_replace BEFORE INSERT ON {{table}} "
        f"WHEN NEW.{{key}} IS NOT NULL AND EXISTS (SELECT 1 FROM {{table}} WHERE {{key}} = NEW.{{key}}) "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
    )
)
def _append_only_in_postgresql(table: Table) -> None:
    """PostgreSQL refuses to change or delete a row of ``table`` (one trigger function serves every table)."""
    event.listen(table, "after_create", DDL(
        "CREATE OR REPLACE FUNCTION records_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$; "
        f"CREATE TRIGGER {table.name}_append_only BEFORE UPDATE OR DELETE ON {table.name} "
        "FOR EACH ROW EXECUTE FUNCTION records_append_only()"
    ).execute_if(dialect="postgresql"))


for _table in (records, texts, approvals):
    _append_only_in_postgresql(_table)


# One statement for all the rows, built once: SQLAlchemy then finds its compiled form in the
# engine's cache by identity of structure, and a long-lived engine (the web form's) compiles it once.
_INSERT = records.insert().returning(records.c.id, sort_by_parameter_order=True)
# The web form asks for a deal's approval on every download: built once too (a statement object keeps its
# cache key, so the engine's compiled form is found without building or hashing the query again).
_LATEST_APPROVAL = (select(approvals).where(approvals.c.deal_id == bindparam("deal_id"))
                    .order_by(approvals.c.id.desc()).limit(1))
_LATEST_APPROVAL_OF = (select(approvals).where(approvals.c.deal_id == bindparam("deal_id"),
                                               approvals.c.decision == bindparam("decision"))
                       .order_by(approvals.c.id.desc()).limit(1))
_ROW_BY_ID = select(records).where(records.c.id == bindparam("record_id"))

# The same three statements as SQL for the sqlite3 driver itself (:class:`_Direct`): a long-lived process
# on a SQLite register (the web form) runs them on each thread's own connection, where SQLAlchemy's
# connection, compiled-cache and result layers cost three to seven times the statement's own work.
_INSERTED_COLUMNS = tuple(name for name in COLUMNS if name != "id")
_DIRECT_INSERT = (f"INSERT INTO records ({', '.join(_INSERTED_COLUMNS)}) "
                  f"VALUES ({', '.join(':' + name for name in _INSERTED_COLUMNS)})")
_DIRECT_APPROVAL_OF = ("SELECT * FROM approvals WHERE deal_id = :deal_id AND decision = :decision "
                       "ORDER BY id DESC LIMIT 1")
_DIRECT_APPROVAL = "SELECT * FROM approvals WHERE deal_id = :deal_id ORDER BY id DESC LIMIT 1"
_DIRECT_ROW_BY_ID = "SELECT * FROM records WHERE id = :record_id"


def default_file() -> Path:
    """The register when nothing names one: in the user's data folder, not wherever the command runs."""
    import platformdirs

    return Path(platformdirs.user_data_dir("clausegen", appauthor=False)) / DEFAULT_FILE


def target_url(target: str | Path | None = None, profile_register: str | None = None) -> str:
    """The database URL for ``target`` (a URL or a file path), else $CLAUSEGEN_REGISTER, else the company
    profile's ``register:``, else :func:`default_file`."""
    if target is None or target == "":
        target = os.environ.get(ENV_VAR) or profile_register or default_file()
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while a writer appends; the busy timeout makes concurrent
    # writers (batch workers, two people at once) wait for each other instead of failing.
    # synchronous = FULL: a commit is on the disk before the row's documents are handed out.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _direct_file(url: str) -> str | None:
    """The SQLite file of a register URL that :class:`_Direct` can open exactly as SQLAlchemy does (the
    standard driver, a file, no options in the URL), else None."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite") or parsed.query:
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return parsed.database


_DIRECT_OPENING = threading.Lock()


class _Direct:
    """Each thread's own sqlite3 connection to a SQLite register, with the pragmas SQLAlchemy's have.

    For the statements a web download runs (a row appended, an approval looked up): they are the same
    SQL on the same file with the same durability (WAL, ``synchronous = FULL``, the append-only triggers
    are the database's own), without SQLAlchemy's layers around each one.  Connections are made on a
    thread's first use and all closed by :meth:`close` (before a fork, at the end).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        found = getattr(self._local, "connection", None)
        if found is None:
            # autocommit mode: the transactions below are explicit; check_same_thread off only so that
            # close() may close every thread's connection from one thread
            found = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            _sqlite_pragmas(found, None)
            with self._lock:
                self._opened.append(found)
            self._local.connection = found
        return found

    def insert(self, value: dict[str, Any]) -> int:
        """Append one row (every column of :data:`_INSERTED_COLUMNS`) and commit; its id."""
        connection = self.connection()
        # IMMEDIATE: the write lock is taken (or waited for, busy_timeout) before the row is written,
        # as a writer that may have to wait is better off waiting at the start
        connection.execute("BEGIN IMMEDIATE")
        try:
            row_id = connection.execute(_DIRECT_INSERT, value).lastrowid
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return int(row_id)

    def first(self, query: str, values: dict[str, Any]) -> dict[str, Any] | None:
        cursor = self.connection().execute(query, values)
        found = cursor.fetchone()
        return None if found is None else dict(zip((column[0] for column in cursor.description), found))

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()
        self._local = threading.local()


# json.dumps(value, ensure_ascii=False), without making an encoder for every column of every row
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def prepare_row(row: dict[str, Any]) -> dict[str, Any]:
    """A register row as the table stores it: JSON columns encoded (a value encoded already, as is),
    ``recorded_at`` left to the insert."""
    return {name: _column(name, row.get(name)) for name in COLUMNS if name != "id"}


def _column(name: str, value: Any) -> Any:
    if value is None or name not in JSON_COLUMNS:
        return value
    return str(value) if isinstance(value, EncodedJSON) else _to_json(value)  # a plain str for the driver


class Register:
    """A connection to the register.  Cheap to create; connects on first use."""

    def __init__(self, target: str | Path | None = None, *, profile_register: str | None = None,
                 must_exist: bool = False) -> None:
        self.url = target_url(target, profile_register)
        self.must_exist = must_exist  # reading commands: a missing SQLite file is an error, not a new register
        self._deferred: dict[str, tuple[str, bytes]] = {}
        self._engine: Engine | None = None
        self._direct: _Direct | None = None
        self._direct_checked = False  # whether the URL was looked at for _direct (it is None for other URLs)
        # Texts known to be in the table (it is append-only, so they stay): a long-lived register (the web
        # form's) asks the database once per text, not once per document.
        self._stored: set[str] = set()

    @property
    def where(self) -> str:
        """The register's location for messages (the password of a URL hidden)."""
        try:
            url = make_url(self.url)
            if url.get_backend_name() == "sqlite" and url.database:
                return url.database  # a file: its path, as the user would type it
            return url.render_as_string(hide_password=True)
        except ArgumentError:
            return self.url

    def check_creatable(self) -> None:
        """Fail now, as the first write would, when the register cannot be opened or made here; but make
        no file: a run that ends up recording nothing (every deal invalid) leaves no empty register."""
        if self.exists():
            self.engine  # noqa: B018
            return
        try:
            database = make_url(self.url).database
        except ArgumentError:
            self.engine  # noqa: B018 - raises the usual "not a database URL or path"
            return
        folder = Path(database or ".").parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"cannot open the register {self.where}: {folder} is not a folder this user can "
                              "write in")

    def exists(self) -> bool:
        """Whether there is a register to read: a SQLite file that exists, or any database URL."""
        try:
            url = make_url(self.url)
        except ArgumentError:
            return False
        return url.get_backend_name() != "sqlite" or not url.database or Path(url.database).is_file()

    def _fail(self, action: str, error: Exception) -> OutputError:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return OutputError(f"cannot {action} the register {self.where}: {detail}")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._connect()
        return self._engine

    def direct(self) -> _Direct | None:
        """The sqlite3 connections for a plain SQLite file register (opened, its tables made, by the
        engine first), else None: the statement then goes through SQLAlchemy."""
        if not self._direct_checked:
            with _DIRECT_OPENING:  # threads starting at once share one set of connections (close() closes all)
                if not self._direct_checked:
                    self.engine  # noqa: B018 - the file, its tables, columns and triggers, as for any use
                    path = _direct_file(self.url)
                    self._direct = _Direct(path) if path is not None else None
                    self._direct_checked = True
        return self._direct

    def _connect(self) -> Engine:
        try:
            url = make_url(self.url)
            if url.get_backend_name() == "sqlite" and url.database:
                if self.must_exist and not Path(url.database).is_file():
                    raise NoRegisterError(f"no register at {url.database}: give the register with --register or "
                                          f"${ENV_VAR}, or generate documents first")
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, future=True)
        except NoSuchModuleError as error:
            raise OutputError(f"register {self.where}: unsupported database ({error}); for PostgreSQL install "
                              "'clausegen[postgresql]' and use postgresql+psycopg://...") from None
        except ModuleNotFoundError as error:
            raise OutputError(f"register {self.where}: the database driver is not installed ({error.name}); "
                              "for PostgreSQL: pip install 'clausegen[postgresql]'") from None
        except (ArgumentError, ValueError, OSError) as error:
            raise OutputError(f"register {self.where!s}: not a database URL or path ({error})") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        self._create_tables(engine)
        return engine

    def _create_tables(self, engine: Engine) -> None:
        # Two processes opening a new register at once both see no table; the loser's
        # CREATE fails, and the table it wanted is then there.
        for attempt in range(5):
            try:
                found = inspect(engine)
                if not all(found.has_table(name) for name in TABLES):
                    metadata.create_all(engine)  # checkfirst: creates only the missing tables
                self._add_columns(engine)
                if engine.dialect.name == "sqlite":
                    with engine.begin() as connection:
                        for statement in _SQLITE_TRIGGERS:
                            connection.exec_driver_sql(statement)
                return
            except SQLAlchemyError as error:
                if attempt == 4:
                    raise self._fail("open", error) from None
                time.sleep(0.05 * (attempt + 1))

    @staticmethod
    def _add_columns(engine: Engine) -> None:
        """Bring a register made by an older version up to date: add the missing columns.

        Safe to run twice (only absent columns are added) and on every open; ALTER TABLE
        ADD COLUMN changes no row, so the append-only triggers do not object.
        """
        present = {column["name"] for column in inspect(engine).get_columns("records")}
        missing = [name for name in _ADDED_COLUMNS if name not in present]
        if not missing:
            return
        preparer = engine.dialect.identifier_preparer
        with engine.begin() as connection:
            for name in missing:
                kind = records.c[name].type.compile(dialect=engine.dialect)
                connection.exec_driver_sql(f"ALTER TABLE records ADD COLUMN {preparer.quote(name)} {kind}")

    def record(self, row: dict[str, Any]) -> int:
        """Append one row; return its id."""
        return self.record_many([row])[0]

    def record_many(self, rows: list[dict[str, Any]]) -> list[int]:
        """Append rows in one transaction (all or none); return their ids.

        A commit waits for the disk; a batch commits its rows a hundred at a time.
        """
        return self.insert_prepared([prepare_row(row) for row in rows])

    def insert_prepared(self, values: list[dict[str, Any]]) -> list[int]:
        """:meth:`record_many` for rows already made by :func:`prepare_row` (a batch's workers do that)."""
        if not values:
            return []
        if self._deferred:
            self.keep_texts(self._deferred)
            self._deferred = {}
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        values = [value if value.get("recorded_at") else {**value, "recorded_at": now} for value in values]
        # One statement for all the rows: compiling an INSERT per row cost more than the row's document.
        # A single row (a web download) goes as one set of parameters, not a list of one: that skips the
        # executemany path (a third of the insert's time).
        try:
            if len(values) == 1 and (direct := self.direct()) is not None:
                return [direct.insert({name: values[0].get(name) for name in _INSERTED_COLUMNS})]
            with self.engine.begin() as connection:
                if len(values) == 1:
                    return [int(connection.execute(_INSERT, values[0]).scalar_one())]
                return [int(row_id) for row_id in connection.execute(_INSERT, values).scalars()]
        except (SQLAlchemyError, DBAPIError, sqlite3.Error) as error:
            raise self._fail("write to", error) from None

    def defer_texts(self, found: dict[str, tuple[str, bytes]]) -> None:
        """Texts to store (:meth:`keep_texts`) just before the first rows are inserted: a run that
        records nothing leaves no register behind."""
        self._deferred = dict(found)

    def keep_texts(self, found: dict[str, tuple[str, bytes]]) -> None:
        """Store the clause texts and templates (sha256 -> (kind, bytes)) the register does not hold yet."""
        found = {digest: text for digest, text in found.items() if digest not in self._stored}
        if not found:
            return
        for attempt in range(5):  # two writers may store the same text at once: the loser retries
            try:
                with self.engine.begin() as connection:
                    held = set(connection.execute(select(texts.c.sha256).where(texts.c.sha256.in_(list(found))))
                               .scalars())
                    missing = [{"sha256": digest, "kind": kind, "content": data}
                               for digest, (kind, data) in sorted(found.items()) if digest not in held]
                    if missing:
                        connection.execute(texts.insert(), missing)
                self._stored |= set(found)
                return
            except (SQLAlchemyError, DBAPIError) as error:
                if attempt == 4:
                    raise self._fail("write to", error) from None
                time.sleep(0.05 * (attempt + 1))

    def text(self, digest: str) -> tuple[str, bytes] | None:
        """A stored clause text or template: (kind, bytes), or None."""
        try:
            with self.engine.connect() as connection:
                found = connection.execute(select(texts.c.kind, texts.c.content)
                                           .where(texts.c.sha256 == digest)).first()
        except SQLAlchemyError as error:
            raise self._fail("read", error) from None
        return (found[0], bytes(found[1])) if found is not None else None

    def latest_documents(self, deal_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The documents of the latest row of each of ``deal_ids`` that has one."""
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(deal_ids), 500):
            chunk = deal_ids[start:start + 500]
            newest = (select(func.max(records.c.id)).where(records.c.deal_id.in_(chunk))
                      .group_by(records.c.deal_id).scalar_subquery())
            query = select(records.c.deal_id, records.c.documents).where(records.c.id.in_(newest))
            try:
                with self.engine.connect() as connection:
                    for deal_id, documents in connection.execute(query):
                        found[deal_id] = json.loads(documents) if isinstance(documents, str) else documents
            except SQLAlchemyError as error:
                raise self._fail("read", error) from None
        return found

    def _rows(self, query: Any, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        try:
            with self.engine.connect() as connection:
                fetched = connection.execute(query, values).mappings().all()
        except SQLAlchemyError as error:
            raise self._fail("read", error) from None
        return [_decoded(dict(row)) for row in fetched]

    def history(self, deal_id: str | None = None) -> list[dict[str, Any]]:
        """Every row (of one deal, or all), oldest first."""
        query = select(records).order_by(records.c.id)
        if deal_id is not None:
            query = query.where(records.c.deal_id == deal_id)
        return self._rows(query)

    def row(self, record_id: int) -> dict[str, Any] | None:
        """The row with this id, or None."""
        if (direct := self.direct()) is not None:
            try:
                found = direct.first(_DIRECT_ROW_BY_ID, {"record_id": record_id})
            except sqlite3.Error as error:
                raise self._fail("read", error) from None
            return _decoded(found) if found is not None else None
        rows = self._rows(_ROW_BY_ID, {"record_id": record_id})
        return rows[0] if rows else None

    def latest(self, **filters: Any) -> list[dict[str, Any]]:
        """The newest row of each deal, by deal id (filters as :meth:`history`, applied to that row)."""
        newest = select(func.max(records.c.id)).group_by(records.c.deal_id).scalar_subquery()
        query = select(records).where(records.c.id.in_(newest)).order_by(records.c.deal_id)
        return self._filtered(self._rows(query), **filters)

    def filtered_history(self, **filters: Any) -> list[dict[str, Any]]:
        """Every row, oldest first, that passes the filters of :meth:`_filtered`."""
        return self._filtered(self.history(), **filters)

    def _filtered(self, rows: list[dict[str, Any]], *, date_from: str | None = None, date_to: str | None = None,
                  decision: str | None = None, country: str | None = None,
                  approval: str | None = None) -> list[dict[str, Any]]:
        """Rows whose check date (else recording date) is within [date_from, date_to] (ISO dates),
        with this decision, counterparty country, and approval state (approved | pending | not_required)."""
        approved = self.approved_deals() if approval else set()
        kept = []
        for row in rows:
            day = row.get("check_date") or str(row["recorded_at"])[:10]
            if (date_from and day < date_from) or (date_to and day > date_to):
                continue
            if decision and row["decision"] != decision:
                continue
            if country and row["counterparty_country"] != country.upper():
                continue
            if approval and approval_state(row, approved) != approval:
                continue
            kept.append(row)
        return kept

    def approve(self, deal_id: str, name: str, position: str | None, user: str) -> dict[str, Any]:
        """Record the approval of the latest decision of ``deal_id``; return the approval."""
        rows = self._rows(select(records).where(records.c.deal_id == deal_id).order_by(records.c.id.desc()).limit(1))
        if not rows:
            raise OutputError(f"no record of deal {deal_id!r} in the register {self.where}: generate its "
                              "documents first")
        latest = rows[0]
        value = {"approved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "deal_id": deal_id,
                 "record_id": latest["id"], "decision": latest["decision"], "name": name, "position": position,
                 "user_name": user}
        try:
            with self.engine.begin() as connection:
                value["id"] = int(connection.execute(approvals.insert().returning(approvals.c.id), value).scalar_one())
        except (SQLAlchemyError, DBAPIError) as error:
            raise self._fail("write to", error) from None
        return value

    def approval(self, deal_id: str, decision: str | None = None) -> dict[str, Any] | None:
        """The latest approval of ``deal_id`` (of ``decision``, when given): ``name``, ``position``,
        ``date``, ``decision``; or none."""
        values = {"deal_id": deal_id} if decision is None else {"deal_id": deal_id, "decision": decision}
        try:
            if (direct := self.direct()) is not None:
                found = direct.first(_DIRECT_APPROVAL if decision is None else _DIRECT_APPROVAL_OF, values)
            else:
                with self.engine.connect() as connection:
                    found = connection.execute(_LATEST_APPROVAL if decision is None else _LATEST_APPROVAL_OF,
                                               values).mappings().first()
        except (SQLAlchemyError, sqlite3.Error) as error:
            raise self._fail("read", error) from None
        if found is None:
            return None
        return {**dict(found), "date": str(found["approved_at"])[:10]}

    def all_approvals(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The latest approval of each (deal id, decision), as :meth:`approval` gives it."""
        try:
            with self.engine.connect() as connection:
                found = connection.execute(select(approvals).order_by(approvals.c.id)).mappings().all()
        except SQLAlchemyError as error:
            raise self._fail("read", error) from None
        return {(row["deal_id"], row["decision"]): {**dict(row), "date": str(row["approved_at"])[:10]}
                for row in found}

    def approved_deals(self) -> set[tuple[str, str]]:
        """(deal id, decision) pairs with an approval recorded in the register.

        An approval covers the decision it approved: a deal screened again to another decision needs a new one.
        """
        try:
            with self.engine.connect() as connection:
                pairs = connection.execute(select(approvals.c.deal_id, approvals.c.decision).distinct()).all()
                return {(deal_id, decision) for deal_id, decision in pairs}
        except SQLAlchemyError as error:
            raise self._fail("read", error) from None

    def count(self) -> int:
        try:
            with self.engine.connect() as connection:
                return int(connection.execute(select(func.count()).select_from(records)).scalar_one())
        except SQLAlchemyError as error:
            raise self._fail("read", error) from None

    def close(self) -> None:
        if self._direct is not None:
            self._direct.close()
        self._direct, self._direct_checked = None, False
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def approval_state(row: dict[str, Any], approved_deals: set[tuple[str, str]]) -> str:
    """approved (in the deal or the register), pending (the decision needs one), or not_required."""
    if row.get("approved_by") or (row["deal_id"], row["decision"]) in approved_deals:
        return "approved"
    return "pending" if row["decision"] in _NEEDS_APPROVAL else "not_required"


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for name in JSON_COLUMNS:
        if isinstance(row.get(name), str):
            row[name] = json.loads(row[name])
    row["is_export"] = bool(row["is_export"])
    return row


def flat(row: dict[str, Any]) -> dict[str, Any]:
    """A row for CSV: nested columns as JSON text, booleans as true/false."""
    result = {}
    for name in COLUMNS:
        value = row.get(name)
        if name in JSON_COLUMNS and value is not None:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        result[name] = "" if value is None else value
    return result


def iter_csv_rows(rows: Iterable[dict[str, Any]]) -> Iterator[list[str]]:
    """The header and then each row, as lists of strings, for :mod:`csv`.

    A cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR: a
    counterparty's name is theirs to choose) gets a leading apostrophe (the OWASP rule).
    """
    from .workbooks import neutral

    yield list(COLUMNS)
    for row in rows:
        values = flat(row)
        yield [neutral(str(values[name])) for name in COLUMNS]
