"""The identification of the solution against the control list of Decree No. 1299 (1.3, 5.3).

Pure facts over a validated deal, shared by screening (the decision), the
screening report and the annex's wording: a document may say that the solution
is not on the list only when :func:`identification_status` is
``recorded_not_listed``.
"""

from __future__ import annotations

from .model import Deal, IdentificationResult

#: Every value :func:`identification_status` returns.
STATUSES = ("recorded_not_listed", "recorded_listed", "recorded_fstec_notice", "declared_controlled", "not_recorded")


def identification_status(deal: Deal) -> str:
    """What the deal records about the identification.

    ``recorded_not_listed`` / ``recorded_listed`` / ``recorded_fstec_notice``: an
    identification is recorded with that result; ``declared_controlled``: no
    identification, but ``solution.controlled_item`` says the solution is listed;
    ``not_recorded``: nothing is recorded (no statement about the list may be made).
    """
    found = deal.identification
    if found is not None:
        return f"recorded_{found.result.value}"
    return "declared_controlled" if deal.solution.controlled_item else "not_recorded"


def is_listed(deal: Deal) -> bool:
    """The solution is on the control list: outside the Declaration (1.3)."""
    found = deal.identification
    return deal.solution.controlled_item or (found is not None and found.result == IdentificationResult.LISTED)


def has_fstec_notice(deal: Deal) -> bool:
    """FSTEC of Russia informed the supplier in writing that the export needs approval (4.3)."""
    found = deal.identification
    return deal.knowledge.fstec_notice or (found is not None and found.result == IdentificationResult.FSTEC_NOTICE)


def list_item(deal: Deal) -> str | None:
    """The item of the control list the solution falls under, when the deal records one."""
    return deal.identification.list_item if deal.identification is not None else None


def conflicts(deal: Deal) -> list[tuple[str, str]]:
    """Contradictions in what the deal says about the identification, as (field path, message)."""
    found = deal.identification
    if found is None:
        return []
    problems = []
    if deal.solution.controlled_item and found.result != IdentificationResult.LISTED:
        problems.append(("identification.result",
                         f"the identification found {found.result.value!r}, but solution.controlled_item is true: "
                         "set result: listed (with list_item) or controlled_item: false"))
    if found.result == IdentificationResult.LISTED and found.list_item is None:
        problems.append(("identification.list_item",
                         "result: listed needs the item of the control list (list_item), e.g. \"4.A.5\""))
    return problems
