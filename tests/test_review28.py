"""Findings of reviews 25, 26 and 28, mended: one word for one thing in the refusal letter, the statement's
reference line as an English form has it, a report that says «not required» as at the check, and an offer
that the supplier may revoke before its acceptance — which the refusal of an offer's deal then does."""

from __future__ import annotations

import io

import docx
import yaml
from docx.oxml.ns import qn
from helpers import COMPANY, EXAMPLE_DEALS, write_deal
from test_report import build, report_text

from clausegen import api
from clausegen import library as lib
from clausegen.model import Deal
from clausegen.render import docx_rows
from clausegen.screening import screen


def _example(stem: str) -> Deal:
    return api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal


def _letter(deal: Deal, kind: str) -> bytes:
    return api.build_letter(kind, deal, screen(deal), lib.load_library()).data


def _rows(stem: str, kind: str) -> list[list[str]]:
    return docx_rows(_letter(_example(stem), kind))


def _text(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(row) for row in rows)


def _annex_text(stem: str) -> str:
    deal = _example(stem)
    return _text(docx_rows(api.build_annex(deal, screen(deal), lib.load_library()).data))


def _offer_refused_deal(tmp_path, uses: list[str]) -> Deal:
    """The offer's deal once the supplier reliably knows of a use named in 4.1: refused."""
    data = yaml.safe_load(EXAMPLE_DEALS["offer-ocr-bank-uz"].read_text(encoding="utf-8"))
    data["knowledge"] = {"prohibited_use_known": True, "uses": uses}
    deal = api.load_deal(write_deal(tmp_path, data), COMPANY).deal
    assert str(screen(deal).decision) == "refuse"
    return deal


def test_the_refusal_letter_calls_the_refusal_a_refusal_and_keeps_the_word_решение_for_the_product():
    text = _text(_rows("refuse-drone-xx", "refusal"))
    assert "мы отказываемся от заключения договора" in text \
        and "Настоящий отказ основан на результатах проверки сделки" in text
    assert "приняли решение" not in text and "Решение принято" not in text
    assert "we decline to enter into contract" in text \
        and "This refusal follows a check of the transaction under our export control policy" in text
    assert "This decision" not in text


def test_the_statements_reference_line_reads_dated_in_english():
    cells = [cell for row in _rows("onprem-logistics-kz", "end-user-statement") for cell in row]
    assert any("Ref. No. ________________ dated ________________ 20___" in cell for cell in cells)
    assert not any(" of ________________ 20___" in cell for cell in cells)
    assert any("Исх. № ________________ от «___» ________________ 20___ г." in cell for cell in cells)


def test_the_reports_permission_row_says_not_required_as_at_the_date_of_the_check():
    assert "Разрешение Комиссии\nне требуется на дату проверки" in report_text(build("saas-clinic-ae")[0])
    assert "Разрешение Комиссии\nне требуется на дату проверки" in report_text(build("onprem-logistics-kz")[0])


def test_the_offers_annex_reserves_the_suppliers_right_to_revoke_the_offer_before_its_acceptance():
    text = _annex_text("offer-ocr-bank-uz")
    assert "Поставщик вправе отозвать Предложение в любое время до его акцепта, в том числе до истечения указанного в " \
           "Предложении срока для акцепта" in text
    assert "The Supplier may revoke the Offer at any time before its acceptance, including before the period for " \
           "acceptance stated in the Offer has expired" in text


def test_the_offers_annex_applies_its_reservation_and_its_acceptance_terms_from_the_offer_not_from_the_contract():
    text = _annex_text("offer-ocr-bank-uz")
    assert "Статья 1 и пункты 14.1, 14.3 и 14.4 настоящего Приложения применяются с момента направления Предложения " \
           "Контрагенту; в остальной части настоящее Приложение вступает в силу с момента заключения Договора." in text
    assert "Clause 1 and Clauses 14.1, 14.3 and 14.4 apply from the time the Offer is sent to the Counterparty; in all " \
           "other respects, this Annex takes effect on the conclusion of the Contract." in text


def test_a_contracts_annex_has_no_reservation_about_an_offer():
    text = _annex_text("saas-clinic-ae")
    assert "отозвать Предложение" not in text and "revoke the Offer" not in text


def test_the_refusal_of_an_offers_deal_revokes_the_offer_under_its_annex_and_terminates_a_contract_held_concluded(
        tmp_path):
    text = _text(docx_rows(_letter(_offer_refused_deal(tmp_path, ["terrorism"]), "refusal")))
    assert "Предложение настоящим отзывается до его акцепта на основании нашего права отозвать его, оговорённого в " \
           "статье «Заключительные положения» приложения к Предложению" in text
    assert "the Offer is hereby revoked before its acceptance under our right to revoke it reserved in the Final " \
           "Provisions of the annex to the Offer" in text
    assert "настоящее письмо является уведомлением о нашем отказе от исполнения Договора по основаниям и в порядке, " \
           "предусмотренным статьёй «Приостановление и расторжение» приложения к Предложению, и Договор считается " \
           "расторгнутым с даты получения Вами настоящего письма" in text
    assert "this letter is notice of our termination of the Contract on the grounds and in the manner provided for in " \
           "the Suspension and Termination clause of the annex to the Offer, with effect from the date on which you " \
           "receive this letter" in text
    assert "Уведомление об отзыве коммерческого предложения № КП-0231/2026" in text
    assert "Notice of revocation of Commercial Offer No. КП-0231/2026" in text and "and of refusal to enter into a " \
           "contract" in text
    assert "Поставщика" not in text.split("Уважаем")[1].split("Генеральный")[0]  # the letter speaks as «мы»
    assert "Мы не будем заключать Договор" in text and "We will not enter into the Contract" in text
    assert "decline to enter into the contract that might be concluded on the basis of our commercial offer" in text
    assert "any contract" not in text


def test_a_refusal_withdraws_the_proposals_by_the_letter_itself_in_both_languages():
    text = _text(_rows("refuse-drone-xx", "refusal"))
    assert "настоящим отзываются" in text and "is hereby withdrawn" in text
    assert "считаются отозванными" not in text
    assert "Мы не будем подписывать Договор" in text  # a contract's deal: nothing was offered to accept
    assert "Предложение" not in text and "revoke" not in text


def test_an_indicator_found_in_the_deal_says_выявлен_once_and_then_what_the_deal_records():
    text = report_text(build("onprem-logistics-kz")[0])
    assert "выявлен\nпо данным сделки:\nСпособ оплаты: наличные денежные средства" in text
    assert "выявлен по данным сделки" not in text


def test_the_enhanced_due_diligence_outcomes_are_one_situation_to_a_line_and_4_1_bars_intermediaries_both_ways():
    from clausegen import checkrecord, memo

    deal = _example("onprem-logistics-kz")
    ru, en = next(pair for pair in memo.next_steps(deal, screen(deal), checkrecord.resolve(deal))
                  if pair[0].startswith("Внести полученные сведения"))
    assert [line[:3] for line in ru.split("\n")[1:]] == ["а) ", "б) ", "в) ", "г) "]
    assert [line[:4] for line in en.split("\n")[1:]] == ["(a) ", "(b) ", "(c) ", "(d) "]
    assert "в том числе через посредников, отказаться" in ru and "посредником для такого экспорта не выступать " \
           "(абз. 2 п. 4.1)" in ru
    assert "including through intermediaries" in en and "act as no intermediary for such an export (4.1, second " \
           "paragraph)" in en


def _offer_refused_report(tmp_path, uses: list[str]) -> str:
    deal = _offer_refused_deal(tmp_path, uses)
    return report_text(api.build_report(deal, screen(deal), lib.load_library()).data)


def test_a_refusal_on_known_terrorist_use_has_the_report_consider_reporting_the_crime_with_a_lawyer(tmp_path):
    text = _offer_refused_report(tmp_path, ["terrorism"])
    assert "До направления уведомления Контрагенту незамедлительно рассмотреть с юристом сообщение в органы власти, " \
           "уполномоченные рассматривать сообщения о преступлении" in text
    assert "готовит, совершает или совершило хотя бы одно из преступлений, указанных в ст. 205.6 Уголовного кодекса " \
           "Российской Федерации (обязанность лежит на работниках, которым эти сведения известны)" in text
    # before the notice of refusal is sent, not after
    assert text.index("ст. 205.6") < text.index("Направить Контрагенту уведомление об отзыве")


def test_a_refusal_on_known_wmd_use_has_no_step_about_terrorism(tmp_path):
    assert "205.6" not in _offer_refused_report(tmp_path, ["wmd"])
    assert "205.6" not in report_text(build("refuse-drone-xx")[0])


def test_an_offers_refusal_report_names_the_letter_by_its_title_and_the_deal_not_an_offer_received(tmp_path):
    text = _offer_refused_report(tmp_path, ["wmd"])
    assert "Уведомление об отзыве коммерческого предложения и об отказе от заключения договора" in text
    assert "сведений о сделке (пп. 3.1, 3.3 Декларации" in text and "поступившем предложении" not in text


def test_the_report_names_the_refusal_letter_as_its_title_does_in_both_its_forms():
    text = report_text(build("refuse-drone-xx")[0])
    assert "Уведомление об отказе от заключения договора" in text
    assert "Направить Контрагенту уведомление об отказе от заключения договора" in text
    assert "об отказе от сделки" not in text


def test_the_english_title_of_a_contracts_refusal_says_refusal_as_the_russian_does():
    rows = _rows("refuse-drone-xx", "refusal")
    assert any("Notice of refusal to enter into contract No. LA-0188/2026" in cell for row in rows for cell in row)
    assert not any("will not be concluded" in cell for row in rows for cell in row)


def _unhyphenated(paragraph) -> bool:
    return paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:suppressAutoHyphens")) is not None


def _head_paragraphs(stem: str, kind: str, tables: int) -> list:
    """The paragraphs with text in the first row of the letter's first ``tables`` tables (its head)."""
    document = docx.Document(io.BytesIO(_letter(_example(stem), kind)))
    return [p for table in document.tables[:tables] for cell in table.rows[0].cells for p in cell.paragraphs
            if p.text.strip()]


def test_a_letters_letterhead_and_addressee_are_never_hyphenated():
    paragraphs = _head_paragraphs("refuse-drone-xx", "refusal", 1)
    assert any("Сейшельские Острова" in p.text for p in paragraphs)
    assert paragraphs and all(_unhyphenated(p) for p in paragraphs)


def test_an_end_user_statements_particulars_and_addressee_are_never_hyphenated():
    paragraphs = _head_paragraphs("onprem-logistics-kz", "end-user-statement", 2)
    assert any("Neuroset" in p.text for p in paragraphs)
    assert paragraphs and all(_unhyphenated(p) for p in paragraphs)
