"""Minor findings of reviews 25 and 26, mended: one word for one thing in the refusal letter, the statement's
reference line as an English form has it, and a report that says «not required» as at the check."""

from __future__ import annotations

from helpers import COMPANY, EXAMPLE_DEALS
from test_report import build, report_text

from clausegen import api
from clausegen import library as lib
from clausegen.render import docx_rows
from clausegen.screening import screen


def _rows(stem: str, kind: str) -> list[list[str]]:
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
    return docx_rows(api.build_letter(kind, deal, screen(deal), lib.load_library()).data)


def test_the_refusal_letter_calls_the_refusal_a_refusal_and_keeps_the_word_решение_for_the_product():
    text = "\n".join(" | ".join(row) for row in _rows("refuse-drone-xx", "refusal"))
    assert "мы отказываемся от заключения договора" in text and "Этот отказ основан на нашей политике" in text
    assert "приняли решение" not in text and "Решение принято" not in text
    assert "we decline to enter into contract" in text and "This refusal rests on our export control policy" in text
    assert "This decision" not in text


def test_the_statements_reference_line_reads_dated_in_english():
    cells = [cell for row in _rows("onprem-logistics-kz", "end-user-statement") for cell in row]
    assert any("Ref. No. ________________ dated ________________ 20___" in cell for cell in cells)
    assert not any(" of ________________ 20___" in cell for cell in cells)
    assert any("Исх. № ________________ от «___» ________________ 20___ г." in cell for cell in cells)


def test_the_reports_permission_row_says_not_required_as_at_the_date_of_the_check():
    assert "Разрешение Комиссии\nне требуется на дату проверки" in report_text(build("saas-clinic-ae")[0])
    assert "Разрешение Комиссии\nне требуется на дату проверки" in report_text(build("onprem-logistics-kz")[0])
