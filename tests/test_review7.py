"""The seventh legal review's minors: the rung a permission is cited under, the basis for informing FSTEC on
one's own initiative, the controlled-item report's section 1, the hold letter against the request, the nuclear
assurance, one English term for «военных ведомств», 13.3's antecedent, annex 5.1's English and the trade name."""

from __future__ import annotations

import pytest
from helpers import DATA, EXAMPLES, load_changed

from clausegen import api, checkrecord
from clausegen import library as lib
from clausegen.render import docx_rows
from clausegen.screening import screen

PERMISSION = DATA / "permission-with-conditions.yaml"


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


def _text(data: bytes) -> str:
    return "\n".join(" | ".join(row) for row in docx_rows(data))


def _report(path, library, changes: dict | None = None) -> str:
    deal = load_changed(path, changes)
    check = checkrecord.resolve(deal, user="test")
    return _text(api.build_report(deal, screen(deal), library, None, check).data)


def _letter(path, kind: str, library, changes: dict | None = None) -> str:
    deal = load_changed(path, changes)
    return _text(api.build_letter(kind, deal, screen(deal), library).data)


# ------------------------------------------------------------------ M3: a permission after an FSTEC notice is 4.3


@pytest.mark.parametrize("path", [PERMISSION, EXAMPLES / "weights-research-in.yaml"])
def test_a_permission_after_an_fstec_notice_is_cited_under_4_3_alone(path, library):
    report = _report(path, library)
    assert "экспорт разрешён Комиссией по экспортному контролю (п. 4.3 Декларации)" in report
    assert "пп. 4.2, 4.3" not in report
    deal = load_changed(path)
    summary = api.screening_summary(deal, screen(deal), library)
    reasons = {c["id"]: c for c in summary["clauses"]}["commission-permission"]
    assert reasons["reason"].endswith("(Declaration 4.3)") and reasons["reason_ru"].endswith("(п. 4.3 Декларации)")
