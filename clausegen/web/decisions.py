"""What the page says about a screening decision, and which documents it offers.

The texts are message ids of the catalogue (:mod:`.i18n`), translated where shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..screening import Decision, Screening
from .i18n import N_


@dataclass(frozen=True)
class DecisionView:
    title: str
    tone: str  # ok | warn | stop
    summary: str
    next_steps: tuple[str, ...] = ()


DECISIONS: dict[str, DecisionView] = {
    Decision.PROCEED: DecisionView(
        N_("Proceed"), "ok",
        N_("No Annex 1 indicator found and nothing under section 4. Put the annex into the contract and send the "
           "counterparty the responsible-export notice.")),
    Decision.ENHANCED_DUE_DILIGENCE: DecisionView(
        N_("Enhanced due diligence"), "warn",
        N_("Annex 1 indicators fired (section 5.1). The annex carries the enhanced terms."),
        (N_("Send the counterparty the request for end-use information and the end-use statement to sign."),
         N_("Check the answers before the contract is signed; if they raise a concern under section 4, tick it "
            "under “What is known” and check again."),
         N_("Keep the screening report with the deal file."))),
    Decision.PROCEED_WITH_PERMISSION: DecisionView(
        N_("Proceed with the Commission's permission"), "ok",
        N_("Section 4.2/4.3 applies and the Export Control Commission's permission is on file; the annex cites it.")),
    Decision.PERMISSION_REQUIRED: DecisionView(
        N_("On hold: permission required"), "stop",
        N_("Section 4.2/4.3: the export needs the Export Control Commission's permission. Until it is granted, "
           "no annex may be signed."),
        (N_("Send the counterparty the hold letter below together with the request for end-use information and "
            "the end-user statement form: the hold letter cites both, and the application needs the end user's "
            "data."),
         N_("Apply to the Export Control Commission for permission with the answers and the signed statement."),
         N_("When the permission is granted, enter its number and date under “What is known” and check again: "
            "the annex then becomes available and cites the permission."))),
    Decision.REFUSE: DecisionView(
        N_("Refuse"), "stop",
        N_("Section 4.1/4.4: refrain from the export. No annex and no other letters."),
        (N_("Send the counterparty the refusal letter below."),
         N_("Keep the screening report; tell your export-control officer."))),
    Decision.OUTSIDE_DECLARATION: DecisionView(
        N_("Outside the Declaration"), "stop",
        N_("Section 1.3: the solution is on the control list (Government Resolution No. 1299). The statutory "
           "export-control procedure applies instead of the Declaration, so clausegen writes no annex and no "
           "letters."),
        (N_("Talk to your export-control officer about the statutory procedure."),
         N_("The screening report below records the decision."))),
}

LETTER_TITLES = {
    "notice": N_("Responsible export policy notice"),
    "enduse-request": N_("Request for end-use information"),
    "end-user-statement": N_("End-use and end-user statement"),
    "hold": N_("Notice of postponement"),
    "refusal": N_("Notice of refusal"),
}


@dataclass(frozen=True)
class Offer:
    """A document the page offers for download."""

    key: str  # screening-report | annex | letter:<kind>
    title: str
    note: str
    recommended: bool


def offers(screening: Screening) -> list[Offer]:
    """Exactly the documents the screening gate allows, the report first."""
    result = [Offer("screening-report", N_("Screening report"),
                    N_("Internal (section 5.3); not for the counterparty."), True)]
    if screening.annex_allowed:
        result.append(Offer("annex", N_("Contract annex"), N_("End-use terms (section 5.2) for the contract."), True))
    letters = sorted(screening.letters_allowed(), key=lambda kind: kind not in screening.letters)  # recommended first
    for kind in letters:
        result.append(Offer(f"letter:{kind}", LETTER_TITLES[kind], N_("Letter to the counterparty."),
                            kind in screening.letters))
    return result
