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
from .recent import Recent
from .sandbox import compile_condition, paths_read, truth_at, truth_read, value_at
from .screening import Screening


@dataclass(frozen=True)
class ScreeningView:
    """What a condition may read of the screening result."""

    decision: str
    enhanced: bool
    is_export: bool
    fired: tuple[int, ...]
    blocked: bool
    disclosed: tuple[int, ...] = ()  # fired indicators the deal's data shows (Screening.disclosed)

    @classmethod
    def of(cls, screening: Screening) -> ScreeningView:
        return cls(str(screening.decision), screening.enhanced, screening.is_export, tuple(screening.fired),
                   screening.blocked, tuple(screening.disclosed))


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


def evaluate(clause: Clause, context: dict[str, Any], condition: str | None = None) -> bool:
    """Evaluate the clause's condition (or ``condition``, one of its reasons'); a broken condition is a
    library error."""
    condition = clause.meta.when if condition is None else condition
    try:
        return bool(compile_condition(condition)(**context))
    except TemplateError as error:
        where = "when" if condition == clause.meta.when else "reason_if.when"
        raise LibraryError(
            [Problem(f"condition {condition!r} failed: {error}", f"{clause.id}.{where}")],
            "broken clause condition",
        ) from None


def _reason(clause: Clause, context: dict[str, Any]) -> tuple[str, str]:
    """Why the clause is there: the first of its conditional reasons that holds, else its reason."""
    for alternative in clause.meta.reason_if:
        if evaluate(clause, context, alternative.when):
            return alternative.ru, alternative.en
    return clause.meta.reason.ru, clause.meta.reason.en


#: Selections by (document, the values the document's conditions read): a batch's deals differ in
#: names and amounts, which no condition reads, so a few dozen selections serve a thousand deals.
_SELECTIONS: Recent[tuple[Library, list[Selected]]] = Recent(256)


def select(library: Library, document: str, deal: Deal, screening: Screening) -> list[Selected]:
    """The clauses of ``document`` for this deal, numbered."""
    context = condition_context(deal, screening)
    try:
        paths = _condition_paths(library, document)
    except TemplateError:  # evaluate() reports the broken condition, naming its clause
        return _select(library, document, context)
    key = (id(library), document, tuple(truth_at(context, path) if tested else repr(value_at(context, path))
                                        for path, tested in paths))
    found = _SELECTIONS.get(key)
    if found is None or found[0] is not library:
        found = _SELECTIONS.put(key, (library, _select(library, document, context)))
    return list(found[1])


#: By (library, document): a server that loads a changed library again keeps no old one alive.
_PATHS: Recent[tuple[Library, list[tuple[tuple[str | int, ...], bool]]]] = Recent(16)


def _condition_paths(library: Library, document: str) -> list[tuple[tuple[str | int, ...], bool]]:
    """Every path the conditions of ``document``'s clauses read, each with whether they only test it for
    truth (a condition is true or false: ``not deal.end_use.end_users`` depends on whether the deal names
    end users, not on their names); raises TemplateSyntaxError."""
    found = _PATHS.get((id(library), document))
    if found is None or found[0] is not library:
        read: set[tuple[str | int, ...]] = set()
        tested: set[tuple[str | int, ...]] = set()
        for clause in library.for_document(document):
            for condition in clause.meta.conditions:  # the reasons' too: they vary the selection's text
                source = f"{{% if ({condition}) %}}{{% endif %}}"  # what evaluate() makes of the value: its truth
                only_tested = set(truth_read(source))
                tested |= only_tested
                read |= set(paths_read(source)) - only_tested
        paths = [(path, False) for path in read] + [(path, True) for path in tested - read]
        found = _PATHS.put((id(library), document), (library, sorted(paths, key=repr)))
    return found[1]


def _select(library: Library, document: str, context: dict[str, Any]) -> list[Selected]:
    selected = []
    article = 0
    for clause in library.for_document(document):
        if not evaluate(clause, context):
            continue
        number = None
        if clause.meta.numbering == "article":
            article += 1
            number = article
        selected.append(Selected(clause, number, *_reason(clause, context)))
    return selected
