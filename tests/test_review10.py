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


# ------------------------------------------------------------------ the transfer the deal is for (review 10, M1)


def _annex_cells(library, changes):
    deal = make_deal(changes)
    return [cell for row in docx_rows(api.build_annex(deal, screen(deal), library).data) for cell in row]


THIRD_PARTY_END_USER = {"solution.delivery": "embedded_in_hardware",
                        "end_use.end_users": [{"name": {"en": "Dubai Ports Authority"}, "country": "AE"}]}


def test_an_annex_consents_to_the_named_end_users_that_are_not_the_counterparty(shipped):
    cells = _annex_cells(shipped, THIRD_PARTY_END_USER)
    assert any("The Supplier consents, for the purposes of Clause" in c and "End Users named above" in c
               for c in cells)
    assert any("Поставщик даёт согласие для целей статьи" in c and "названным выше Конечным пользователям" in c
               for c in cells)


def test_the_equipment_may_go_to_the_end_users_without_a_further_consent(shipped):
    cells = _annex_cells(shipped, THIRD_PARTY_END_USER)
    assert any("transfer it to any person other than the End Users identified in accordance with Clause" in c
               for c in cells)
    assert any("передавать лицам, не являющимся Конечными пользователями" in c for c in cells)


def test_no_consent_sentence_when_the_counterparty_is_its_own_end_user(shipped):
    cells = _annex_cells(shipped, {})  # the base deal names the counterparty itself as the end user
    assert not any("End Users named above" in c or "названным выше Конечным пользователям" in c for c in cells)


# ------------------------------------------------------------------ a town's «г.» keeps its name (review 10, m5)


@pytest.mark.parametrize(("before", "after"), [
    ("в г. Пакше (Венгрия)", "в г.\u00a0Пакше (Венгрия)"),
    ("г. Москва, Пресненская наб., д. 12", "г.\u00a0Москва, Пресненская наб., д.\u00a012"),
    ("от 5 ноября 2026 г. Настоящим", "от 5\u00a0ноября 2026\u00a0г. Настоящим"),
    ("и т. д. Поставщик", "и т. д. Поставщик"),
])
def test_an_address_abbreviation_stays_with_what_it_names_but_a_year_does_not_take_the_next_sentence(before, after):
    from clausegen.text import keep_together

    assert keep_together(before) == after


# ------------------------------------------------------------------ an e-mail address in a justified line (m6)


def test_a_justified_paragraph_holding_an_e_mail_address_is_set_flush_left():
    from clausegen.render import _ragged_around_addresses

    both, left = '<w:jc w:val="both"/>', '<w:jc w:val="left"/>'
    xml = (f'<w:body><w:p><w:pPr>{both}</w:pPr><w:r><w:t>Write to export@neuroset.example today</w:t></w:r></w:p>'
           f'<w:p><w:pPr>{both}</w:pPr><w:r><w:t>No address here</w:t></w:r></w:p>'
           f'<w:p><w:pPr>{both}</w:pPr><w:r><w:t>a@b is no address</w:t></w:r></w:p></w:body>')
    out = _ragged_around_addresses(xml)
    assert out.count(left) == 1 and out.count(both) == 2
    assert out.index(left) < out.index("export@neuroset.example")


def test_the_letter_closing_with_the_supplier_e_mail_is_flush_left(shipped):
    import re
    import zipfile
    import io

    deal = make_deal({"screening.date": "2026-10-01"})
    data = api.build_letter("notice", deal, screen(deal), shipped).data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    holding = [p for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
               if "@" in "".join(re.findall(r"<w:t[^>]*>([^<]*)", p)) and "<w:jc " in p]
    assert holding and all('<w:jc w:val="left"/>' in p for p in holding)


# ------------------------------------------------------------------ review 11


def test_a_development_annex_hands_over_the_result_instead_of_supplying_it(shipped):
    cells = _annex_cells(shipped, {"contract.kind": "development", "red_flags": [5]})
    condition = [c for c in cells if "обусловлено получением Поставщиком от каждого Конечного пользователя заявления" in c]
    assert condition and "по передаче Решения ИИ как результата работ" in condition[0]
    assert any("to hand over the AI Solution as the result of the work" in c for c in cells)


def test_a_report_made_after_the_signature_says_so(shipped):
    deal = make_deal({"screening.date": "2026-12-02", "contract.date": "2026-10-05"})
    check = checkrecord.resolve(deal)
    rows = docx_rows(api.build_report(deal, screen(deal), shipped, check=check).data)
    dated = [row for row in rows if row[0] == "Дата проверки"]
    assert dated and "проверка проведена после заключения договора (5 октября 2026 г.)" in dated[0][1].replace("\xa0", " ")


def test_a_report_made_before_the_signature_says_nothing_of_it(shipped):
    deal = make_deal({"screening.date": "2026-10-01", "contract.date": "2026-10-05"})
    rows = docx_rows(api.build_report(deal, screen(deal), shipped).data)
    assert not any("после заключения договора" in cell for row in rows for cell in row)


def test_a_request_sent_with_a_hold_does_not_tie_the_commission_to_the_counterparty_activity(shipped):
    deal = make_deal({"counterparty.activities": ["military_research"], "solution.suitable_for": ["military"], **HELD})
    letter = api.build_letter("enduse-request", deal, screen(deal), shipped)
    cells = [cell for row in docx_rows(letter.data) for cell in row]
    ru = next(c for c in cells if "Поскольку Ваша компания выполняет" in c)
    en = next(c for c in cells if "As your company carries out research" in c)
    # the intro may say that the answers serve the application the hold letter announced; the question does
    # not give the counterparty's activity as the reason for it
    assert "Комисси" not in ru.split("просим:")[0] and "Commission" not in en.split("please:")[0]


# ------------------------------------------------------------------ review 12


def test_letters_dated_before_the_contract_they_cite_are_refused_naming_the_field(shipped):
    from clausegen.errors import DealError

    deal = make_deal({"contract.date": "2026-12-15", "letters.date": "2026-12-01", "screening.date": "2026-12-01"})
    with pytest.raises(DealError) as raised:
        api.build_letter("notice", deal, screen(deal), shipped)
    (problem,) = raised.value.problems
    assert problem.field == "letters.date" and "before the contract's date 2026-12-15" in problem.message


def test_a_request_does_not_ask_a_distributor_to_confirm_it_alone_uses_the_solution(shipped):
    deal = make_deal({"end_use.end_users": [], "red_flags": [1],
                      "end_use.end_user_purpose": {"ru": "Расшифровка звонков", "en": "Transcribing calls"}})
    text = " ".join(c for row in docx_rows(api.build_letter("enduse-request", deal, screen(deal), shipped).data)
                    for c in row)
    assert "просим прямо подтвердить это" not in text and "please confirm this expressly" not in text
    assert "каким образом Ваша компания проверяет таких лиц" in text and "how your company checks those persons" in text


def test_a_report_whose_date_is_not_in_the_deal_asks_to_record_it(shipped):
    deal = make_deal()
    assert deal.screening.date is None
    check = checkrecord.resolve(deal, date=dt.date(2026, 12, 2))
    cells = [c for row in docx_rows(api.build_report(deal, screen(deal), shipped, check=check).data) for c in row]
    assert any(c.startswith("Внести дату проверки в файл сделки") for c in cells) or \
        any("Внести дату проверки в файл сделки" in c for c in cells)
