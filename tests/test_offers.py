"""Annexes for commercial offers (issue 15, part 1): a deal that names an offer before (or instead of)
a contract, its annex and letters, the same deal once the contract is signed, and the register
linking the two.

The offer deal is examples/offer-ocr-bank-uz.yaml; tests/data/offer-ocr-bank-uz-signed.yaml is the
same deal with the contract's number and date added.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import yaml
from helpers import COMPANY, DATA, EXAMPLE_DEALS, DELETE, header_text, invoke, lines_naming, modified, pairs, screen, write_deal
from sqlalchemy import Column, MetaData, Table, create_engine

from clausegen import api
from clausegen.library import load_library
from clausegen.register import COLUMNS, Register, records
from clausegen.render import docx_custom_properties, docx_rows

OFFER = EXAMPLE_DEALS["offer-ocr-bank-uz"]
SIGNED = DATA / "offer-ocr-bank-uz-signed.yaml"
DEAL_ID = "EXP-2026-0231"
OFFER_FIELDS = {"offer": {"number": "КП-0231/2026", "date": "2026-12-01", "valid_until": "2026-12-31"}}


def annex_of(path, columns=("ru", "en"), clauses=None):
    validated = api.load_deal(path, COMPANY)
    screening = api.screen_deal(validated.deal)
    return api.build_annex(validated.deal, screening, load_library(clauses), columns=columns)


def offer_only(changes=None):
    """The base deal with its contract's number and date replaced by an offer."""
    return modified(changes={"contract.number": DELETE, "contract.date": DELETE, **OFFER_FIELDS, **(changes or {})})


@pytest.fixture(scope="module")
def offer_annex():
    return annex_of(OFFER)


@pytest.fixture(scope="module")
def offer_rows(offer_annex):
    return docx_rows(offer_annex.data)


# ------------------------------------------------------------------ the annex


def test_offer_annex_title_names_the_offer_in_both_columns(offer_rows):
    ru, en = offer_rows[0]
    assert ru == "Приложение № 1 к коммерческому предложению № КП-0231/2026 от 1 декабря 2026 г."
    assert en == "Annex No. 1 to Commercial Offer No. КП-0231/2026 (KP-0231/2026) dated 1 December 2026"


def test_offer_annex_title_keeps_its_columns_in_english_first_order():
    ru_first = docx_rows(annex_of(OFFER, ("en", "ru")).data)[0]
    assert ru_first[0].startswith("Annex No. 1 to Commercial Offer") and ru_first[1].startswith("Приложение № 1 к коммерческому")


def test_offer_annex_final_provisions_make_it_part_of_the_contract_concluded_on_the_offer(offer_rows):
    final = [pair for pair in pairs(offer_rows) if pair[0].startswith("14.1.")][0]
    ru, en = final
    assert "неотъемлемой частью Предложения" in ru and "акцептом Предложения не является" in ru
    # the contract's own law governs: no article of the Russian Civil Code is cited (review 10)
    assert "Гражданского кодекса" not in ru and "Civil Code" not in en
    assert "с момента заключения Договора настоящее Приложение является его неотъемлемой частью" in ru
    assert "integral part of the Offer" in en and "is not an acceptance of the Offer" in en
    assert "from the conclusion of the Contract this Annex forms an integral part of it" in en


def test_offer_annex_takes_effect_on_the_conclusion_of_the_contract(offer_rows):
    ru, en = [pair for pair in pairs(offer_rows) if pair[0].startswith("14.6.")][0]
    assert ru.endswith("вступает в силу с момента заключения Договора.")
    assert en.endswith("takes effect on the conclusion of the Contract.")


def test_offer_annex_defines_the_contract_concluded_on_the_offer_once(offer_rows):
    texts = [cell for row in offer_rows for cell in row]
    definitions = [text for text in texts if "«Договор» —" in text]
    assert len(definitions) == 1
    assert "путём акцепта Контрагентом коммерческого предложения Поставщика № КП-0231/2026" in definitions[0]
    assert "действующего до 31 декабря 2026 г. включительно (далее — «Предложение»)" in definitions[0]
    english = [text for text in texts if "“Contract” means" in text]
    assert len(english) == 1 and "(the “Offer”)" in english[0] and "31 December 2026 inclusive" in english[0]


def test_offer_annex_names_no_contract_number_or_date(offer_rows):
    texts = " ".join(cell for row in offer_rows for cell in row)
    assert "к Договору №" not in texts and "Contract No." not in texts


def test_offer_annex_running_header_and_properties_name_the_offer(offer_annex):
    from zipfile import ZipFile
    import io

    headers = header_text(offer_annex.data).replace("\xa0", " ")  # «№ 1» is kept on one line
    with ZipFile(io.BytesIO(offer_annex.data)) as package:
        core = package.read("docProps/core.xml").decode()
    assert "Приложение № 1 к коммерческому предложению № КП-0231/2026 от 1 декабря 2026 г." in headers
    assert "<dc:title>Annex No. 1 to Commercial Offer No. КП-0231/2026</dc:title>" in core
    assert "2026-12-01T00:00:00Z" in core  # the offer's date: no contract date yet
    assert docx_custom_properties(offer_annex.data)["clausegen.deal_id"] == DEAL_ID


def test_signed_contract_governs_a_deal_that_also_names_its_offer():
    title = docx_rows(annex_of(SIGNED).data)[0]
    assert title == ["Приложение № 1 к Договору № LA-0231/2026 от 15 декабря 2026 г.",
                     "Annex No. 1 to Contract No. LA-0231/2026 dated 15 December 2026"]


# ------------------------------------------------------------------ letters and the pack


def test_offer_notice_cites_the_offer_in_its_subject(tmp_path):
    result = invoke("letter", "notice", OFFER, "--company", COMPANY, "-o", tmp_path / "n.docx", "--no-register")
    assert result.exit_code == 0, result.output
    texts = [" | ".join(row) for row in docx_rows((tmp_path / "n.docx").read_bytes())]
    assert any("(к коммерческому предложению № КП-0231/2026 от 1 декабря 2026 г.)" in text for text in texts)
    assert any("(commercial offer No. КП-0231/2026 (KP-0231/2026) dated 1 December 2026)" in text for text in texts)
    assert any("Исх. № EXP-2026-0231/NTC от 1 декабря 2026 г." in text for text in texts)


def test_offer_pack_writes_the_report_the_annex_and_the_notice(tmp_path):
    result = invoke("pack", OFFER, "--company", COMPANY, "-o", tmp_path / "pack", "--no-register")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (tmp_path / "pack").iterdir()) == [
        f"{DEAL_ID}-annex.docx", f"{DEAL_ID}-notice.docx", f"{DEAL_ID}-screening.docx"]


def test_offer_screening_report_records_the_offer_and_no_contract(tmp_path):
    invoke("screen", OFFER, "--company", COMPANY, "-o", tmp_path / "r.docx")
    texts = " ".join(cell for row in docx_rows((tmp_path / "r.docx").read_bytes()) for cell in row)
    assert "коммерческое предложение № КП-0231/2026 от 1 декабря 2026 г., действует до 31 декабря 2026 г. " \
           "включительно; договор не заключён" in texts


@pytest.mark.parametrize("kind, changes, expected", [
    ("hold", {"knowledge.fstec_notice": True}, "к нашему коммерческому предложению № КП-0231/2026"),
    ("refusal", {"knowledge.prohibited_use_known": True},
     "от заключения договора, который мог бы быть заключён на основании нашего коммерческого"),
    ("enduse-request", {"red_flags": [7]}, "в нашем коммерческом предложении № КП-0231/2026"),
    ("end-user-statement", {"red_flags": [7]}, "Решение ИИ предложено к поставке Поставщиком в коммерческом"),
], ids=["hold", "refusal", "enduse-request", "end-user-statement"])
def test_offer_letters_cite_the_offer_not_a_contract(tmp_path, kind, changes, expected):
    deal = write_deal(tmp_path, offer_only(changes))
    result = invoke("letter", kind, deal, "--company", COMPANY, "-o", tmp_path / "l.docx", "--no-register")
    assert result.exit_code == 0, result.output
    texts = " ".join(cell for row in docx_rows((tmp_path / "l.docx").read_bytes()) for cell in row)
    assert expected in texts
    assert "договор № " not in texts and "contract No. " not in texts  # no empty contract number anywhere


# ------------------------------------------------------------------ validation


def test_a_deal_without_a_contract_or_an_offer_is_refused_naming_file_line_and_field(tmp_path):
    deal = write_deal(tmp_path, modified(changes={"contract.number": DELETE, "contract.date": DELETE}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert result.exit_code == 2 and not (tmp_path / "a.docx").exists()
    [line] = lines_naming(result.stderr, "contract.number")
    assert f"{deal}:2, contract.number: missing (required)" in line and "offer.number" in line  # line 2: contract


def test_an_offer_without_number_or_date_names_each_field(tmp_path):
    deal = write_deal(tmp_path, offer_only({"offer.number": DELETE, "offer.date": DELETE}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert result.exit_code == 2
    assert "missing (required)" in lines_naming(result.stderr, "offer.number")[0]
    assert "missing (required)" in lines_naming(result.stderr, "offer.date")[0]


def test_an_offer_that_expires_before_its_date_is_refused(tmp_path):
    deal = write_deal(tmp_path, offer_only({"offer.valid_until": "2026-11-30"}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert result.exit_code == 2
    assert "cannot expire (2026-11-30) before its own date (2026-12-01)" in lines_naming(result.stderr,
                                                                                         "offer.valid_until")[0]


def test_a_contract_dated_before_its_offer_is_refused(tmp_path):
    deal = write_deal(tmp_path, modified(changes={**OFFER_FIELDS, "contract.date": "2026-11-20"}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert result.exit_code == 2
    assert "before the offer it is concluded on" in lines_naming(result.stderr, "contract.date")[0]


@pytest.mark.parametrize("missing, named", [("contract.date", "contract.date"), ("contract.number", "contract.number")])
def test_a_contract_with_half_of_its_particulars_is_refused_even_beside_an_offer(tmp_path, missing, named):
    deal = write_deal(tmp_path, modified(changes={**OFFER_FIELDS, missing: DELETE}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert result.exit_code == 2
    assert "missing (required): a contract with a" in lines_naming(result.stderr, named)[0]


def test_a_contract_signed_after_the_offer_expired_is_a_warning(tmp_path):
    deal = write_deal(tmp_path, modified(changes={"offer": {"number": "КП-1", "date": "2026-09-01",
                                                            "valid_until": "2026-09-30"}}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert result.exit_code == 0, result.output
    assert "dated after the offer expired" in lines_naming(result.stderr, "contract.date")[0]


def test_a_missing_contract_is_reported_beside_other_problems_of_the_file(tmp_path):
    deal = write_deal(tmp_path, modified(changes={"contract.number": DELETE, "contract.date": DELETE,
                                                  "counterparty.country": "XX"}))
    result = invoke("annex", deal, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register")
    assert lines_naming(result.stderr, "contract.number") and lines_naming(result.stderr, "counterparty.country")


def test_offer_deal_screens_like_the_same_deal_with_a_contract():
    assert screen(data=offer_only()).decision == screen().decision


# ------------------------------------------------------------------ the register


@pytest.fixture()
def offer_then_contract(tmp_path):
    """A register holding the offer's annex (made from a library since reworded) and the contract's
    annex made with --versions-from-register from today's library."""
    register, library = tmp_path / "register.sqlite", tmp_path / "clauses"
    shutil.copytree(load_library().root, library)
    first = invoke("annex", OFFER, "--company", COMPANY, "--clauses", library, "-o", tmp_path / "offer.docx",
                   "--register", register)
    assert first.exit_code == 0, first.output
    text = library / "ru" / "liability.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("в полном объёме", "полностью"), encoding="utf-8")
    english = library / "en" / "liability.txt"
    english.write_text(english.read_text(encoding="utf-8").replace("in full", "fully"), encoding="utf-8")
    assert invoke("clauses", "bump", "liability", "--clauses", library).exit_code == 0
    second = invoke("annex", SIGNED, "--company", COMPANY, "--clauses", library, "-o", tmp_path / "contract.docx",
                    "--register", register, "--versions-from-register")
    assert second.exit_code == 0, second.output
    return register, library, tmp_path


def test_offer_row_records_the_offer_and_no_contract(offer_then_contract):
    register, _, _ = offer_then_contract
    offer_row = Register(register).history(DEAL_ID)[0]
    assert (offer_row["basis"], offer_row["offer_number"], offer_row["offer_date"], offer_row["offer_valid_until"]) \
        == ("offer", "КП-0231/2026", "2026-12-01", "2026-12-31")
    assert (offer_row["contract_number"], offer_row["contract_date"]) == ("", "")


def test_contract_annex_keeps_the_clause_versions_recorded_for_the_offer(offer_then_contract):
    register, _, folder = offer_then_contract
    offer_row, contract_row = Register(register).history(DEAL_ID)
    assert (contract_row["basis"], contract_row["contract_number"]) == ("contract", "LA-0231/2026")
    assert contract_row["clauses"] == offer_row["clauses"]
    assert contract_row["versions_from"] == offer_row["id"]
    properties = docx_custom_properties((folder / "contract.docx").read_bytes())
    assert "liability@3" in properties["clausegen.clauses"]
    texts = " ".join(cell for row in docx_rows((folder / "contract.docx").read_bytes()) for cell in row)
    assert "возместить Поставщику в полном объёме" in texts and "Приложение № 1 к Договору № LA-0231/2026" in texts


def test_contract_annex_without_the_option_takes_the_library_as_it_is_today(offer_then_contract):
    _, library, folder = offer_then_contract
    result = invoke("annex", SIGNED, "--company", COMPANY, "--clauses", library, "-o", folder / "today.docx",
                    "--no-register")
    assert result.exit_code == 0, result.output
    assert "liability@4" in docx_custom_properties((folder / "today.docx").read_bytes())["clausegen.clauses"]


def test_versions_from_register_notes_what_todays_library_would_select_otherwise(offer_then_contract):
    register, library, folder = offer_then_contract
    result = invoke("annex", SIGNED, "--company", COMPANY, "--clauses", library, "-o", folder / "again.docx",
                    "--register", register, "--versions-from-register")
    assert "new: liability@4; not now: liability@3" in result.stderr


def test_register_show_prints_the_offer_and_the_contract_records_linked(offer_then_contract):
    register, _, _ = offer_then_contract
    result = invoke("register", "show", DEAL_ID, "--register", register)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "offer КП-0231/2026 of 2026-12-01, valid until 2026-12-31 (the documents are made for it)" in out
    assert "contract not signed yet (license), annex 1" in out
    assert "contract LA-0231/2026 of 2026-12-15 (license), annex 1" in out
    assert "clause versions kept from record 1" in out
    assert "records 1 were made for the offer, 2 for the contract signed on it" in out


def test_versions_from_register_without_an_offer_record_is_refused(tmp_path):
    register = tmp_path / "register.sqlite"
    invoke("annex", EXAMPLE_DEALS["saas-clinic-ae"], "--company", COMPANY, "-o", tmp_path / "a.docx",
           "--register", register)
    result = invoke("annex", EXAMPLE_DEALS["saas-clinic-ae"], "--company", COMPANY, "-o", tmp_path / "b.docx",
                    "--register", register, "--versions-from-register")
    assert result.exit_code == 1 and "made for its offer" in result.stderr
    assert not (tmp_path / "b.docx").exists()


def test_versions_from_register_cannot_go_with_no_register(tmp_path):
    result = invoke("annex", SIGNED, "--company", COMPANY, "-o", tmp_path / "a.docx", "--no-register",
                    "--versions-from-register")
    assert result.exit_code == 2 and "--no-register" in result.output


def test_register_made_before_offers_gains_the_columns_and_records_an_offer(tmp_path):
    added = ("basis", "offer_number", "offer_date", "offer_valid_until", "versions_from")
    register = tmp_path / "old.sqlite"
    old = MetaData()  # the records table as the previous release made it: contract number and date NOT NULL
    Table("records", old, *[Column(name, records.c[name].type, primary_key=records.c[name].primary_key,
                                   nullable=records.c[name].nullable if name not in ("contract_number",
                                                                                     "contract_date") else False)
                            for name in COLUMNS if name not in added])
    engine = create_engine(f"sqlite:///{register}")
    old.create_all(engine)
    engine.dispose()
    for _ in range(2):  # the migration runs on every open: twice is harmless
        result = invoke("annex", OFFER, "--company", COMPANY, "-o", tmp_path / "a.docx", "--register", register)
        assert result.exit_code == 0, result.output
    with sqlite3.connect(register) as connection:
        present = {row[1] for row in connection.execute("PRAGMA table_info(records)")}
    assert set(added) <= present
    assert [row["basis"] for row in Register(register).history(DEAL_ID)] == ["offer", "offer"]


def test_offer_deal_goes_through_the_spreadsheet_columns(tmp_path):
    result = invoke("batch", OFFER.parent / "deals.csv", "-o", tmp_path / "out", "--company", COMPANY,
                    "--documents", "annex", "--no-register")
    assert result.exit_code == 0, result.output
    title = docx_rows((tmp_path / "out" / DEAL_ID / f"{DEAL_ID}-annex.docx").read_bytes())[0]
    assert title[0].startswith("Приложение № 1 к коммерческому предложению № КП-0231/2026")


def test_the_signed_variant_differs_from_the_example_only_by_the_contract():
    offer, signed = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in (OFFER, SIGNED))
    assert {k: v for k, v in signed["contract"].items() if k not in ("number", "date")} == offer["contract"]
    # and by the letters' date: the offer's day is before the contract's, which the signed letters cite
    assert "letters" not in signed and offer["letters"]["date"] < signed["contract"]["date"]
    assert {k: v for k, v in signed.items() if k != "contract"} == \
        {k: v for k, v in offer.items() if k not in ("contract", "letters")}


def test_offer_pack_into_the_offer_document_gives_one_file_with_the_offer_annex(tmp_path):
    from contracts import write_contract  # a host document; here it stands for the sales team's offer

    host = write_contract(tmp_path / "offer.docx")
    result = invoke("pack", OFFER, "--company", COMPANY, "-o", tmp_path / "pack", "--into", host, "--no-register")
    assert result.exit_code == 0, result.output
    combined = (tmp_path / "pack" / "offer-with-annex.docx").read_bytes()
    texts = " ".join(cell for row in docx_rows(combined) for cell in row)
    assert "Приложение № 1 к коммерческому предложению № КП-0231/2026" in texts
