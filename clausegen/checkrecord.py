"""Who checked a deal and when: the 5.3 record's date, preparer, approver and user.

The date of the check is a fact to record, not the clock's: it comes from the
deal (``screening.date``), else from the caller (``--date``), else today, and
the source is kept so that the register says which.  Same inputs and date,
same bytes.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass

from .kinds import USER_ENV
from .model import Bilingual, Deal, Person
from .screening import Decision

#: Decisions that stand only once a second person has approved them: every decision but "proceed"
#: (a refusal, a hold or a control-list finding is graver than enhanced due diligence, not lighter).
NEEDS_APPROVAL = frozenset(Decision) - {Decision.PROCEED}


@dataclass(frozen=True)
class Check:
    date: dt.date
    date_source: str  # deal | option | today
    prepared_by: Person | None
    approved_by: Person | None
    approval_source: str | None  # deal | register | None
    approved_on: dt.date | None
    user: str

    def approval_pending(self, decision: Decision) -> bool:
        """The decision needs an approval that is not recorded yet."""
        return decision in NEEDS_APPROVAL and self.approved_by is None


def current_user(user: str | None = None) -> str:
    """Who runs clausegen: ``user``, else $CLAUSEGEN_USER, else the OS user."""
    if user and user.strip():
        return user.strip()
    if os.environ.get(USER_ENV, "").strip():
        return os.environ[USER_ENV].strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"


def person(name: str, position: str | None = None) -> Person:
    """A person from plain strings (command-line options); the language is judged by the script."""
    return Person(name=Bilingual.model_validate(name),
                  position=Bilingual.model_validate(position) if position else None)


def resolve(deal: Deal, *, date: dt.date | None = None, prepared_by: str | None = None, user: str | None = None,
            approval: dict | None = None, today: dt.date | None = None) -> Check:
    """The check of ``deal``: the deal's own record first, then the caller's options, then defaults.

    ``approval`` is the register's latest approval of the deal (``name``, ``position``, ``date``),
    used when the deal itself names no approver.
    """
    record = deal.screening
    if record.date is not None:
        when, source = record.date, "deal"
    elif date is not None:
        when, source = date, "option"
    else:
        when, source = today or dt.date.today(), "today"
    preparer = record.prepared_by or (person(prepared_by) if prepared_by else None)
    approver, approval_source = record.approved_by, "deal" if record.approved_by else None
    approved_on = record.approved_on if record.approved_by else None
    if approver is None and approval:
        approver = person(approval["name"], approval.get("position"))
        approval_source = "register"
        approved_on = dt.date.fromisoformat(approval["date"]) if approval.get("date") else None
    return Check(when, source, preparer, approver, approval_source, approved_on, current_user(user))


def encode(check: Check) -> str:
    """``check`` as the screening report's property ``clausegen.check`` keeps it: what `verify` needs to
    make the same report again when the date or the preparer came from options or the register."""
    def who(someone: Person | None) -> dict | None:
        return someone.model_dump(mode="json", exclude_none=True) if someone else None

    return json.dumps({"date": check.date.isoformat(), "date_source": check.date_source,
                       "prepared_by": who(check.prepared_by), "approved_by": who(check.approved_by),
                       "approval_source": check.approval_source,
                       "approved_on": check.approved_on.isoformat() if check.approved_on else None},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # not the user: same bytes for all


def decode(recorded: str) -> Check | None:
    """The check :func:`encode` kept; None when there is none or it cannot be read (a document made by
    an older version, or edited): the caller then falls back to :func:`resolve`."""
    try:
        data = json.loads(recorded)
        return Check(dt.date.fromisoformat(data["date"]), str(data["date_source"]),
                     Person.model_validate(data["prepared_by"]) if data.get("prepared_by") else None,
                     Person.model_validate(data["approved_by"]) if data.get("approved_by") else None,
                     data.get("approval_source"),
                     dt.date.fromisoformat(data["approved_on"]) if data.get("approved_on") else None, "")
    except (ValueError, TypeError, KeyError, AttributeError):  # pydantic's ValidationError is a ValueError
        return None


def dated(recorded: str | None) -> Check | None:
    """A check known only by its ISO date, as a letter's property or a register row keeps it; None when
    there is none or it cannot be read."""
    try:
        return Check(dt.date.fromisoformat(recorded or ""), "option", None, None, None, None, "")
    except ValueError:
        return None
