"""Selection: which clauses a document gets for this deal, in what order, with what number.

A clause is selected when its ``when`` condition, evaluated in the Jinja
sandbox over the deal and the screening result, is true.  Article numbers are
assigned here, after selection, so the numbering never has gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError

from .errors import LibraryError, Problem
from .library import Clause, Library
from .model import Deal
from .sandbox import compile_condition
from .screening import Screening


@dataclass(frozen=True)
class ScreeningView:
    """What a condition may read of the screening result."""

    decision: str
    enhanced: bool
    is_export: bool
    fired: tuple[int, ...]
    blocked: bool

    @classmethod
    def of(cls, screening: Screening) -> ScreeningView:
        return cls(str(screening.decision), screening.enhanced, screening.is_export, tuple(screening.fired),
                   screening.blocked)


@dataclass(frozen=True)
class Selected:
    """A selected clause with its final number (articles only) and why it is there."""

    clause: Clause
    number: int | None
    reason_ru: str
    reason_en: str


def condition_context(deal: Deal, screening: Screening) -> dict[str, Any]:
    """The names a ``when`` condition can use."""
    return {"deal": deal, "screening": ScreeningView.of(screening)}


def evaluate(clause: Clause, context: dict[str, Any]) -> bool:
    """Evaluate the clause's condition; a broken condition is a library error."""
    try:
        return bool(compile_condition(clause.meta.when)(**context))
    except TemplateError as error:
        raise LibraryError(
            [Problem(f"condition {clause.meta.when!r} failed: {error}", f"{clause.id}.when")],
            "broken clause condition",
        ) from None


def select(library: Library, document: str, deal: Deal, screening: Screening) -> list[Selected]:
    """The clauses of ``document`` for this deal, numbered."""
    context = condition_context(deal, screening)
    selected = []
    article = 0
    for clause in library.for_document(document):
        if not evaluate(clause, context):
            continue
        number = None
        if clause.meta.numbering == "article":
            article += 1
            number = article
        selected.append(Selected(clause, number, clause.meta.reason.ru, clause.meta.reason.en))
    return selected
