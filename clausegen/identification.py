"""The identification of the solution against the control list of Decree No. 1299 (1.3, 5.3).

Pure facts over a validated deal, shared by screening (the decision), the
screening report and the annex's wording: a document may say that the solution
is not on the list only when :func:`identification_status` is
``recorded_not_listed``.
"""

from __future__ import annotations

import datetime as dt
import re

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


_RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")
_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{1,2})\s+([A-Za-zА-Яа-яё]+)\s+(\d{4})")


def document_date(reference: str | None) -> dt.date | None:
    """The first date written in a document's reference («уведомление … от 6 ноября 2026 г. № …»), if any.

    The deal format has no field for the date of FSTEC's notice: its reference is the only place it is
    written, and the chronology check (identification not before the document it records) needs it.
    """
    for match in _DATE.finditer(reference or ""):
        iso_y, iso_m, iso_d, d, m, y, long_d, month, long_y = match.groups()
        try:
            if iso_y:
                return dt.date(int(iso_y), int(iso_m), int(iso_d))
            if y:
                return dt.date(int(y), int(m), int(d))
            name = month.lower()
            number = (_RU_MONTHS.index(name) if name in _RU_MONTHS else
                      _EN_MONTHS.index(name) if name in _EN_MONTHS else None)
            if number is not None:
                return dt.date(int(long_y), number + 1, int(long_d))
        except ValueError:
            continue
    return None


def chronology(deal: Deal) -> list[tuple[str, str]]:
    """Dates of the 5.3 record that run backwards: (field, message) for each, as warnings.

    A record dated before the permission it cites, or an identification dated before the notice it
    records, describes events after its own date (review5 M2).
    """
    found: list[tuple[str, str]] = []
    permitted = deal.permission.date
    record = deal.screening
    if permitted is not None and record is not None:
        for path, day in (("screening.date", record.date), ("screening.approved_on", record.approved_on)):
            if day is not None and day < permitted:
                found.append((path, f"{path} ({day.isoformat()}) is before permission.date "
                                    f"({permitted.isoformat()}): the record cites a permission granted after "
                                    f"it; record the check made after the permission with a later {path}"))
    ident = deal.identification
    if ident is not None and ident.result == IdentificationResult.FSTEC_NOTICE:
        notice = document_date(ident.reference)
        if notice is not None and ident.date < notice:
            found.append(("identification.date",
                          f"identification.date ({ident.date.isoformat()}) is before the date of the notice in "
                          f"identification.reference ({notice.isoformat()}): the identification cannot record a "
                          "notice received after it; give the date on or after the notice"))
    return found
