"""The names the command line offers as choices, in a module that imports nothing (and
:class:`EncodedJSON`, which the API and the register share without importing each other).

They live here, not beside the code that acts on them, so that ``clausegen --help``
and every command's option parsing start without importing that code (SQLAlchemy,
pydantic, Jinja): each command imports what it uses when it runs.
"""

from __future__ import annotations

#: The letters clausegen writes.
LETTER_KINDS = ("notice", "enduse-request", "end-user-statement", "hold", "refusal")
#: The parts of a pack (``--documents``).
PACK_PARTS = ("report", "annex", "letters")
#: The documents `register show --as-sent` can regenerate: those made from clause texts alone.  The
#: screening report is the record of the check itself (its date, approver, the register's state).
AS_SENT_KINDS = ("annex", *LETTER_KINDS)
#: The approval states of a deal's latest decision in the register.
APPROVAL_STATES = ("approved", "pending", "not_required")
#: The decisions of the section 4 ladder, in its order.
DECISIONS = ("outside_declaration", "refuse", "permission_required", "proceed_with_permission",
             "enhanced_due_diligence", "proceed")
#: The formats of the clause library's review document (`clauses export --format`).
LIBRARY_FORMATS = ("docx", "xlsx")
#: Who generates (for the register), when --user is not given.
USER_ENV = "CLAUSEGEN_USER"
#: The register, when --register is not given.
REGISTER_ENV = "CLAUSEGEN_REGISTER"


class EncodedJSON(str):
    """A value already encoded as JSON text (pydantic's, of a deal): the register stores it as it is, where it
    would encode any other value (``register.prepare_row``).  A batch encodes each deal once, for its inputs
    key and its register row alike."""
