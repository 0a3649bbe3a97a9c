"""The web form's users: who may sign in, with which role, kept in the register database.

Passwords are stored as werkzeug.security's scrypt hashes: scrypt is memory-hard (a GPU
guesses slowly), it is in the Python standard library's hashlib, and werkzeug already
comes with Flask, so no compiled package is added (argon2-cffi would be one).  A
sign-in compares hashes in fixed time (``hmac.compare_digest`` inside werkzeug), and
an unknown name costs one hash too, so timing does not tell which names exist.

Lock-out: :data:`MAX_FAILURES` failed sign-ins in a row lock the name for
:data:`LOCK_MINUTES`; a success resets the count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import ClausegenError, ExitCode
from .register import Register, users

ROLES = ("sales", "legal", "admin")
MIN_PASSWORD = 10
MAX_FAILURES = 5
LOCK_MINUTES = 15
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_HASH_METHOD = "scrypt"
#: Checked against when the name is unknown, so that answering takes as long as for a known name.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method=_HASH_METHOD)


class AccountError(ClausegenError):
    """A user cannot be added or removed as asked."""

    exit_code = ExitCode.INVALID_INPUT


@dataclass(frozen=True)
class User:
    name: str
    role: str
    display_name: str | None = None

    @property
    def shown(self) -> str:
        """The name an approval or a page shows."""
        return self.display_name or self.name

    def may_approve(self) -> bool:
        return self.role in ("legal", "admin")


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or why not (``wrong`` | ``locked``) and until when."""

    user: User | None
    refused: str | None = None
    locked_until: datetime | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise AccountError(f"a user name is 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or "
                           f"digit (got {name!r})")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")
    return password


def add_user(store: Register, name: str, role: str, password: str, display_name: str | None = None) -> User:
    """Add a user; an existing name is an error (remove it first)."""
    check_name(name)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    check_password(password)
    value = {"name": name, "role": role, "password_hash": generate_password_hash(password, method=_HASH_METHOD),
             "display_name": (display_name or "").strip() or None,
             "created_at": _now().isoformat(timespec="seconds"), "failures": 0, "locked_until": None}
    try:
        with store.engine.begin() as connection:
            connection.execute(users.insert(), value)
    except IntegrityError:
        raise AccountError(f"there is already a user {name!r} in the register {store.where}") from None
    except SQLAlchemyError as error:
        raise store._fail("write to", error) from None
    return User(name, role, value["display_name"])


def list_users(store: Register) -> list[tuple[User, str | None]]:
    """Every user, by name, with the time they are locked until (None when not locked)."""
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(users).order_by(users.c.name)).mappings().all()
    except SQLAlchemyError as error:
        raise store._fail("read", error) from None
    now = _now().isoformat(timespec="seconds")
    return [(User(row["name"], row["role"], row["display_name"]),
             row["locked_until"] if row["locked_until"] and row["locked_until"] > now else None) for row in rows]


def remove_user(store: Register, name: str) -> None:
    try:
        with store.engine.begin() as connection:
            removed = connection.execute(delete(users).where(users.c.name == name)).rowcount
    except SQLAlchemyError as error:
        raise store._fail("write to", error) from None
    if not removed:
        raise AccountError(f"no user {name!r} in the register {store.where}")


def has_users(store: Register) -> bool:
    try:
        with store.engine.connect() as connection:
            return connection.execute(select(users.c.name).limit(1)).first() is not None
    except SQLAlchemyError as error:
        raise store._fail("read", error) from None


#: Asked on every request of a signed-in browser: built once (see register._LATEST_APPROVAL).
_USER = select(users).where(users.c.name == bindparam("name"))


def get_user(store: Register, name: str) -> User | None:
    """The user still registered as ``name`` (a removed user's session ends with the next request)."""
    try:
        with store.engine.connect() as connection:
            row = connection.execute(_USER, {"name": name}).mappings().first()
    except SQLAlchemyError as error:
        raise store._fail("read", error) from None
    return User(row["name"], row["role"], row["display_name"]) if row else None


def sign_in(store: Register, name: str, password: str, now: datetime | None = None) -> SignIn:
    """Check a name and password; count a failure, lock after :data:`MAX_FAILURES`."""
    now = now or _now()
    try:
        with store.engine.begin() as connection:
            row = connection.execute(select(users).where(users.c.name == name)).mappings().first()
            if row is None:
                check_password_hash(_DUMMY_HASH, password)  # the same work as for a real name
                return SignIn(None, "wrong")
            if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
                check_password_hash(_DUMMY_HASH, password)
                return SignIn(None, "locked", datetime.fromisoformat(row["locked_until"]))
            if check_password_hash(row["password_hash"], password):
                if row["failures"] or row["locked_until"]:
                    connection.execute(update(users).where(users.c.name == name)
                                       .values(failures=0, locked_until=None))
                return SignIn(User(row["name"], row["role"], row["display_name"]))
            failures = (row["failures"] or 0) + 1
            locked = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            connection.execute(update(users).where(users.c.name == name).values(
                failures=0 if locked else failures,
                locked_until=locked.isoformat(timespec="seconds") if locked else None))
            return SignIn(None, "locked" if locked else "wrong", locked)
    except SQLAlchemyError as error:
        raise store._fail("read", error) from None
