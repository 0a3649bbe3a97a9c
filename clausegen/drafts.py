"""Unfinished deals of the web form, kept in the register database by their owner.

A draft is the form as posted (its values, not a validated deal: it may be
incomplete) and the problems validation found when it was saved, so the list
can say what is still missing.  Only its owner sees, resumes or deletes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from .register import Register, drafts

MAX_DRAFTS = 200  # per owner: a list a person can read, and a bound on what one account can store


@dataclass(frozen=True)
class Draft:
    id: int
    owner: str
    saved_at: str
    deal_id: str
    title: str
    form: dict[str, Any]
    problems: list[tuple[str, str, str]]  # (severity, field, message)

    @property
    def errors(self) -> int:
        return sum(1 for severity, _, _ in self.problems if severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for severity, _, _ in self.problems if severity != "error")


def _draft(row: Any) -> Draft:
    return Draft(row["id"], row["owner"], row["saved_at"], row["deal_id"] or "", row["title"] or "",
                 json.loads(row["form"]), [tuple(p) for p in json.loads(row["problems"])])


def save(store: Register, owner: str, form: dict[str, Any], problems: list[tuple[str, str, str]], *,
         deal_id: str = "", title: str = "", draft_id: int | None = None) -> int:
    """Save a new draft, or overwrite ``draft_id`` when it is the owner's; return its id."""
    value = {"owner": owner, "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
             "deal_id": deal_id[:200], "title": title[:200],
             "form": json.dumps(form, ensure_ascii=False), "problems": json.dumps(problems, ensure_ascii=False)}
    try:
        with store.engine.begin() as connection:
            if draft_id is not None:
                changed = connection.execute(update(drafts).where(drafts.c.id == draft_id, drafts.c.owner == owner)
                                             .values(value)).rowcount
                if changed:
                    return draft_id
            count = len(connection.execute(select(drafts.c.id).where(drafts.c.owner == owner)).all())
            if count >= MAX_DRAFTS:
                raise TooManyDrafts(f"you have {count} drafts; delete some before saving another")
            return int(connection.execute(drafts.insert().returning(drafts.c.id), value).scalar_one())
    except SQLAlchemyError as error:
        raise store._fail("write to", error) from None


class TooManyDrafts(Exception):
    """An owner's drafts reached :data:`MAX_DRAFTS`."""


def mine(store: Register, owner: str) -> list[Draft]:
    """The owner's drafts, the latest first."""
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(drafts).where(drafts.c.owner == owner)
                                      .order_by(drafts.c.saved_at.desc(), drafts.c.id.desc())).mappings().all()
    except SQLAlchemyError as error:
        raise store._fail("read", error) from None
    return [_draft(row) for row in rows]


def get(store: Register, owner: str, draft_id: int) -> Draft | None:
    """The draft, if it is the owner's."""
    try:
        with store.engine.connect() as connection:
            row = connection.execute(select(drafts).where(drafts.c.id == draft_id, drafts.c.owner == owner)
                                     ).mappings().first()
    except SQLAlchemyError as error:
        raise store._fail("read", error) from None
    return _draft(row) if row else None


def remove(store: Register, owner: str, draft_id: int) -> bool:
    try:
        with store.engine.begin() as connection:
            return bool(connection.execute(delete(drafts).where(drafts.c.id == draft_id, drafts.c.owner == owner)
                                           ).rowcount)
    except SQLAlchemyError as error:
        raise store._fail("write to", error) from None
