"""Review 10: the letters of a deal whose contract is not concluded bear the date of the check, not the
draft contract's planned date; `verify` makes a report and a letter again with the date they record."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import COMPANY, invoke, make_deal, write_deal, modified

from clausegen import api, checkrecord
from clausegen import library as lib
from clausegen.render import docx_custom_properties, docx_rows
from clausegen.screening import screen

REFUSED = {"knowledge.prohibited_use_known": True, "knowledge.uses": ["wmd"], "contract.date": "2026-12-10"}
HELD = {"knowledge.military_or_wmd_concern": True, "knowledge.uses": ["military"], "contract.date": "2026-12-10"}


def _letterhead(data: bytes) -> str:
    return docx_rows(data)[0][0]


@pytest.fixture(scope="module")
def shipped() -> lib.Library:
    return lib.load_library()


def test_a_refusal_is_dated_by_the_check_not_by_the_draft_contract(shipped):
    deal = make_deal({**REFUSED, "screening.date": "2026-12-01"})
    letter = api.build_letter("refusal", deal, screen(deal), shipped)
    assert "от 1 декабря 2026 г." in _letterhead(letter.data)
    assert "10 декабря" not in _letterhead(letter.data)
    assert docx_custom_properties(letter.data)["clausegen.letters_date"] == "2026-12-01"


def test_a_hold_letter_without_a_recorded_check_date_bears_the_date_given_to_the_check(shipped):
    deal = make_deal(HELD)
    assert deal.screening.date is None
    check = checkrecord.resolve(deal, date=dt.date(2026, 12, 2))
    letter = api.build_letter("hold", deal, screen(deal), shipped, check=check)
    assert "от 2 декабря 2026 г." in _letterhead(letter.data)


def test_letters_date_in_the_deal_still_governs_a_refused_deal(shipped):
    deal = make_deal({**REFUSED, "screening.date": "2026-12-01", "letters.date": "2026-12-04"})
    letter = api.build_letter("refusal", deal, screen(deal), shipped)
    assert "от 4 декабря 2026 г." in _letterhead(letter.data)
    assert "clausegen.letters_date" not in docx_custom_properties(letter.data)


def test_the_notice_of_a_deal_that_goes_ahead_keeps_the_contract_date(shipped):
    deal = make_deal({"screening.date": "2026-10-01"})
    letter = api.build_letter("notice", deal, screen(deal), shipped)
    assert f"от {deal.contract.date.day} " in _letterhead(letter.data)
    assert "clausegen.letters_date" not in docx_custom_properties(letter.data)


def test_the_letter_command_dates_a_refusal_by_its_date_option(tmp_path):
    deal = write_deal(tmp_path, modified(None, REFUSED))
    out = tmp_path / "refusal.docx"
    result = invoke("letter", "refusal", str(deal), "-o", str(out), "--company", str(COMPANY), "--no-register",
                    "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "от 30 ноября 2026 г." in _letterhead(out.read_bytes())


def test_verify_dates_a_refusal_as_it_records_on_any_later_day(tmp_path):
    deal = write_deal(tmp_path, modified(None, REFUSED))
    out = tmp_path / "refusal.docx"
    invoke("letter", "refusal", str(deal), "-o", str(out), "--company", str(COMPANY), "--no-register",
           "--date", "2020-01-15")
    result = invoke("verify", "--deal", str(deal), "--company", str(COMPANY), str(out))
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output
