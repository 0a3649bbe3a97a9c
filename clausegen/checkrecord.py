"""Who checked a deal and when: the 5.3 record's date, preparer, approver and user.

The date of the check is a fact to record, not the clock's: it comes from the
deal (``screening.date``), else from the caller (``--date``), else today, and
the source is kept so that the register says which.  Same inputs and date,
same bytes.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass

from .model import Bilingual, Deal, Person
from .screening import Decision

USER_ENV = "CLAUSEGEN_USER"
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
