"""The one exception base of clausegen and the problem records it carries.

Every failure caused by the user's input (a deal, a spreadsheet row, a clause
library, a template) is a :class:`ClausegenError`; the CLI turns it into a
message and an exit code in one place.  Any other exception is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the command line."""

    OK = 0
    FAILURE = 1
    INVALID_INPUT = 2
    BLOCKED = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    message: str
    field: str = ""
    file: str = ""
    row: int | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"

    def where(self) -> str:
        """The location, e.g. ``deal.yaml, row 4, counterparty.country``."""
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(self.field)
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}" if where else prefix + self.message


class ClausegenError(Exception):
    """Base of every error caused by input; ``str()`` is the user message."""

    exit_code: ExitCode = ExitCode.FAILURE


class InputError(ClausegenError):
    """Input (deal, spreadsheet, library, template) is invalid; nothing was written."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems: list[Problem], summary: str = "invalid input") -> None:
        self.problems = list(problems)
        self.summary = summary
        super().__init__(self.__str__())

    def __str__(self) -> str:
        lines = [f"{self.summary} ({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}):"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class DealError(InputError):
    """A deal file (or spreadsheet row) failed validation.

    ``warnings`` are what validation also found that does not block (text in the
    wrong language), so a form can show them beside the errors.
    """

    def __init__(self, problems: list[Problem], summary: str = "invalid input",
                 warnings: list[Problem] | None = None) -> None:
        super().__init__(problems, summary)
        self.warnings = list(warnings or [])


class LibraryError(InputError):
    """The clause library or a template is broken."""


class RenderError(ClausegenError):
    """A template or clause could not be rendered for this deal.

    ``reason`` is what went wrong without naming the clause, ``line`` the line of the text where it
    did, when known (for ``clausegen clauses check``).
    """

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, message: str, *, reason: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        self.line = line


class OutputError(ClausegenError):
    """An output file could not be written."""


class BlockedError(ClausegenError):
    """Screening forbids generating this document for this deal."""

    exit_code = ExitCode.BLOCKED
