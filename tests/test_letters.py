"""Counterparty letters (issues 4 and 12): golden texts, the questions the request asks, the end-user
statement as the end user's document, the hold and refusal letters, the screening gate."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from clausegen import api, compose, salutation
from clausegen import library as lib
from clausegen.cli import cli
from clausegen.model import Deal
from clausegen.render import docx_rows
from clausegen.screening import screen
from clausegen.validation import validate_deal
from clausegen.sources import RawRecord

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "letters"
PROFILE = EXAMPLES / "clausegen.yaml"
DATA = Path(__file__).resolve().parent / "data"
#: A nuclear power plant operator (Annex 1 item 19 fired from the deal's own data).
REACTOR = DATA / "reactor-operator.yaml"


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


def _load(name: str | Path) -> Deal:
    return api.load_deal(name if isinstance(name, Path) else EXAMPLES / name, PROFILE).deal


def _dump(data: bytes) -> str:
    return "\n".join(" | ".join(cell.replace("\n", " / ") for cell in row) for row in docx_rows(data)) + "\n"


LETTER_CASES = [
    ("onprem-logistics-kz.yaml", "notice", "both"),
    ("onprem-logistics-kz.yaml", "enduse-request", "both"),
    ("onprem-logistics-kz.yaml", "end-user-statement", "both"),
    ("hold-vision-tr.yaml", "hold", "both"),
    ("hold-vision-tr.yaml", "enduse-request", "both"),
    ("hold-vision-tr.yaml", "end-user-statement", "both"),
    ("permission-speech-rs.yaml", "hold", "both"),
    ("permission-speech-rs.yaml", "enduse-request", "both"),
    ("permission-speech-rs.yaml", "end-user-statement", "both"),
    ("permission-speech-rs.yaml", "end-user-statement", "en"),
    (REACTOR, "enduse-request", "both"),
    (REACTOR, "end-user-statement", "both"),
    ("refuse-drone-xx.yaml", "refusal", "both"),
    # the end users are franchisees, not the Counterparty: the Counterparty countersigns (review M-10)
    ("development-retail-my.yaml", "enduse-request", "both"),
    ("development-retail-my.yaml", "end-user-statement", "both"),
    # a product name that is a noun phrase of its own («Камера …») after «решения под наименованием» (m-1)
    ("hardware-camera-vn.yaml", "notice", "both"),
    ("saas-clinic-ae.yaml", "notice", "en"),
    ("saas-clinic-ae.yaml", "notice", "ru"),
    # a notice that goes with a commercial offer, before any contract (issue 15)
    ("offer-ocr-bank-uz.yaml", "notice", "both"),
]


@pytest.mark.parametrize(("example", "kind", "lang"), LETTER_CASES,
                         ids=[f"{Path(e).stem}-{k}-{lang}" for e, k, lang in LETTER_CASES])
def test_letter_text_matches_golden(example: str | Path, kind: str, lang: str, library: lib.Library,
                                    request: pytest.FixtureRequest) -> None:
    deal = _load(example)
    letter = api.build_letter(kind, deal, screen(deal), library, lang=lang)
    golden = GOLDEN / f"{deal.deal_id}-{kind}-{lang}.txt"
    text = _dump(letter.data)
    if request.config.getoption("--update-golden", default=False) or not golden.exists():
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_bilingual_letter_rows_carry_the_same_number_in_both_columns(library: lib.Library) -> None:
    deal = _load("onprem-logistics-kz.yaml")
    letter = api.build_letter("enduse-request", deal, screen(deal), library)
    numbered = [row for row in letter.rows if row.number]
    assert numbered, "the request has numbered questions"
    for row in numbered:
        assert row.text("ru").startswith(row.number) and row.text("en").startswith(row.number)


def test_letter_has_letterhead_reference_addressee_and_signature(library: lib.Library) -> None:
    deal = _load("onprem-logistics-kz.yaml")
    text = _dump(api.build_letter("notice", deal, screen(deal), library).data)
    for expected in ("Нейросеть", "ОГРН 1157746000000", "Исх. № EXP-2026-0157/NTC от 24 ноября 2026 г.",
                     "Our ref.: EXP-2026-0157/NTC, 24 November 2026", "Astana Logistic Systems LLP",
                     "Генеральный директор / General Director", "ООО «Нейросеть» / Neuroset LLC",
                     "М.С. Кузнецова / M. Kuznetsova"):
        assert expected in text


def test_single_language_letter_has_no_other_language(library: lib.Library) -> None:
    deal = _load("saas-clinic-ae.yaml")
    text = _dump(api.build_letter("notice", deal, screen(deal), library, lang="en").data)
    assert "Dear" in text
    assert not any("\u0400" <= ch <= "\u04ff" for ch in text.replace("Нейросеть", ""))


def test_end_user_statement_has_no_supplier_signature_block(library: lib.Library) -> None:
    deal = _load("onprem-logistics-kz.yaml")
    text = _dump(api.build_letter("end-user-statement", deal, screen(deal), library).data)
    assert "М.С. Кузнецова" not in text


# ------------------------------------------------------------ one question per indicator


def _base_deal_data() -> dict:
    data = yaml.safe_load((EXAMPLES / "saas-clinic-ae.yaml").read_text(encoding="utf-8"))
    data["contract"]["date"] = str(data["contract"]["date"])
    return data


def _deal(data: dict) -> Deal:
    profile = api.load_profile(PROFILE)
    return validate_deal(RawRecord(data, "test.yaml"), profile).deal


#: The questions asked because an Annex 1 indicator fired (the others depend on what the deal gives).
QUESTIONS = [clause for clause in lib.load_library().for_document("enduse-request")
             if clause.id.startswith("question-") and re.match(r"\d+ in screening\.fired", clause.meta.when)]


def _indicators_of(clause_id: str) -> list[int]:
    meta = lib.load_library().get(clause_id).meta
    return [int(s.split(".")[1]) for s in meta.sections if s.startswith("A1.")]


@pytest.mark.parametrize("question", [q.id for q in QUESTIONS])
def test_question_appears_exactly_when_its_indicator_fires(question: str, library: lib.Library) -> None:
    number = _indicators_of(question)[0]
    fired_data = _base_deal_data()
    fired_data["red_flags"] = [number]
    if number in (12, 15, 18):  # these count only for equipment with an embedded AI solution
        fired_data["solution"]["delivery"] = "embedded_in_hardware"
    quiet_data = copy.deepcopy(fired_data)
    quiet_data["red_flags"] = [2] if number != 2 else [3]

    fired, quiet = _deal(fired_data), _deal(quiet_data)
    clause = library.get(question)
    context = compose.language_context(fired, screen(fired), "en")
    expected = compose.render_clause(clause, "en", {**context, "ref": lambda *a: ""})[0]
    fired_text = _dump(api.build_letter("enduse-request", fired, screen(fired), library).data)
    quiet_text = _dump(api.build_letter("enduse-request", quiet, screen(quiet), library).data)
    plain = expected.unescape()
    assert plain[:60] in fired_text
    assert plain[:60] not in quiet_text


def _example_data(name: str) -> dict:
    """An example deal as plain data, its dates as ISO strings (as a deal file read as text gives them)."""
    return json.loads(json.dumps(yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8")), default=str))


def _letter_en(deal: Deal, kind: str, library: lib.Library) -> str:
    return _dump(api.build_letter(kind, deal, screen(deal), library, lang="en").data)


def _letter_both(deal: Deal, kind: str, library: lib.Library) -> str:
    return _dump(api.build_letter(kind, deal, screen(deal), library).data)


# ------------------------------------------------------------ the request asks what the deal does not say


def test_request_to_a_reactor_operator_asks_for_the_plant_not_whether_it_is_nuclear(library: lib.Library) -> None:
    text = _letter_en(_load(REACTOR), "enduse-request", library)
    assert "takes part, directly or indirectly, in any nuclear activity" not in text
    for needed in ("nuclear installation", "its owner and its operator", "IAEA safeguards",
                   "will be used only at that installation for the stated purpose"):
        assert needed in text, needed


def test_request_does_not_ask_for_end_users_purpose_or_place_the_deal_gives(library: lib.Library) -> None:
    text = _letter_en(_load(REACTOR), "enduse-request", library)
    assert "Please identify every end user" not in text
    assert "Please describe the specific tasks" not in text
    assert "Please state where" not in text


def test_request_asks_for_the_end_users_and_place_a_deal_lacks_but_not_its_given_purpose(
        library: lib.Library) -> None:
    text = _letter_en(_load("permission-speech-rs.yaml"), "enduse-request", library)
    assert "Please identify every end user" in text
    assert "Please state where" in text
    assert "Please describe the specific tasks" not in text


def test_request_asks_about_nuclear_activity_when_indicator_19_is_only_declared(library: lib.Library) -> None:
    data = _base_deal_data()
    data["red_flags"] = [19]
    text = _letter_en(_deal(data), "enduse-request", library)
    assert "takes part, directly or indirectly, in any nuclear activity" in text
    assert "IAEA safeguards" in text


# ------------------------------------------------------------ the end-user statement is the end user's document


def test_end_user_statement_is_issued_by_the_end_user_to_the_supplier(library: lib.Library) -> None:
    text = _letter_both(_load(REACTOR), "end-user-statement", library)
    assert "ОГРН" not in text and "Our ref.:" not in text, "not on the Supplier’s letterhead"
    assert "End User’s letterhead (particulars)" in text
    assert "To: / Neuroset Limited Liability Company" in text
    assert "Danube Nuclear Generation JSC (the “End User”) hereby makes the following statement" in text
    assert "to whom this statement is addressed: " \
           "Neuroset Limited Liability Company (the “Supplier”)" in text
    assert "version 2.0" in text and "Quantity (scope): 1 site licence" in text
    assert "Contract price: EUR 150,000.00" in text
    assert "For the End User" in text and "Seal (if any)" in text and "М.П. (при наличии)" in text
    assert "Кузнецова" not in text, "the Supplier does not sign the end user’s statement"


def test_end_user_statement_undertakings_use_the_declarations_full_wmd_wording(library: lib.Library) -> None:
    text = _letter_both(_load("onprem-logistics-kz.yaml"), "end-user-statement", library)
    for words in ("research, development, manufacture, testing, operation and maintenance of nuclear, chemical, "
                  "bacteriological (biological) or toxin weapons",
                  "subsystems and components of such weapons, missiles and unmanned aerial vehicles",
                  "technology, materials, equipment and software related to them",
                  "научные исследования, разработка, изготовление, испытание, эксплуатация и техническое "
                  "обслуживание ядерного, химического, бактериологического (биологического) или токсинного оружия",
                  "подсистем и компонентов указанных видов оружия",
                  "the preparation and/or commission of terrorist acts", "as well as any other military purpose",
                  "without the Supplier’s prior written consent, re-export"):
        assert words in text, words


def test_end_user_statement_lasts_as_long_as_the_annexs_restrictions(library: lib.Library) -> None:
    # The annex: obligations survive 5 years after the Contract ends, the prohibited purposes without limit.
    annex = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "clauses" / "en").glob("final-provisions.txt"))
    assert "5 (five) years" in annex and "without limit of time" in annex
    text = _letter_en(_load("onprem-logistics-kz.yaml"), "end-user-statement", library)
    assert "Prohibited Purposes remain in force without limit of time" in text
    assert "for 5 (five) years after its termination or expiry" in text


def test_end_user_statement_gives_the_nuclear_assurances_only_when_item_19_fired(library: lib.Library) -> None:
    nuclear = _letter_en(_load(REACTOR), "end-user-statement", library)
    plain = _letter_en(_load("onprem-logistics-kz.yaml"), "end-user-statement", library)
    for words in ("owner of the installation", "operator of the installation", "IAEA safeguards agreement",
                  "uranium enrichment, the reprocessing of irradiated nuclear fuel, heavy water production"):
        assert words in nuclear and words not in plain, words


def test_end_user_statement_leaves_the_issuer_blank_when_the_deal_names_no_end_user(library: lib.Library) -> None:
    text = _letter_en(_load("permission-speech-rs.yaml"), "end-user-statement", library)
    assert "Full legal name: ________________" in text
    assert "The person named in the particulars at the head of this statement" in text
    assert "to which the other party will be Balkan Voice Systems d.o.o." in text  # a deal on hold: not signed


def test_end_user_statement_binds_the_end_user_to_the_permissions_conditions(library: lib.Library) -> None:
    data = _example_data("weights-research-in.yaml")
    data["permission"]["conditions"] = [{"ru": "Решение ИИ используется только в г. Хайдарабаде",
                                         "en": "The AI Solution is used only in Hyderabad."}]
    rows = docx_rows(_letter_bytes(_deal(data), "end-user-statement", library))
    (row,) = [row for row in rows if len(row) == 2 and "conditions of permission" in row[1]]
    assert "— Решение ИИ используется только в г. Хайдарабаде." in row[0]
    # a Cyrillic permission number is transliterated in the English column; one full stop, not two
    assert "permission No. ЭК-2026/1187 (EK-2026/1187) dated 28 November 2026" in row[1]
    assert "— The AI Solution is used only in Hyderabad." in row[1] and ".." not in row[1]


def _letter_bytes(deal: Deal, kind: str, library: lib.Library) -> bytes:
    return api.build_letter(kind, deal, screen(deal), library).data


# ------------------------------------------------------------ hold, refusal, and what every letter shares


def test_hold_letter_rests_on_the_law_and_the_pre_signature_stage_not_on_a_contract_clause(
        library: lib.Library) -> None:
    text = _letter_both(_load("hold-vision-tr.yaml"), "hold", library)
    for absent in ("terms of the contract", "условиями договора", "in accordance with the Contract"):
        assert absent not in text, absent
    assert "Federal Law No. 183-FZ" in text and "Export Control Commission of the Russian Federation" in text
    assert "draft contract No. LA-0180/2026" in text and "we cannot sign the Contract" in text


def test_hold_letter_discloses_no_internal_concern(library: lib.Library) -> None:
    text = _letter_en(_load("hold-vision-tr.yaml"), "hold", library).casefold()
    for word in ("concern", "military", "suspect", "risk", "indicator", "red flag"):
        assert word not in text, word


def test_hold_letter_names_what_happens_next(library: lib.Library) -> None:
    text = _letter_en(_load("hold-vision-tr.yaml"), "hold", library)
    assert "our ref. EXP-2026-0180/REQ" in text and "form No. EXP-2026-0180/EUS" in text
    assert "If the permission is granted, we will send you the Contract for signature" in text
    assert "If the permission is refused, the Contract cannot be concluded" in text


def test_permission_pack_holds_the_hold_letter_the_notice_the_request_and_the_end_user_statement(
        tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pack", str(EXAMPLES / "permission-speech-rs.yaml"), "--company",
                                      str(PROFILE), "-o", str(tmp_path), "--no-register"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"EXP-2026-0195-{kind}.docx" for kind in ("screening", "hold", "notice", "enduse-request", "end-user-statement"))


def test_refusal_is_itself_the_notice_and_promises_no_money(library: lib.Library) -> None:
    text = _letter_both(_load("refuse-drone-xx.yaml"), "refusal", library)
    assert "With effect from the date of this letter, our negotiations on the Contract are at an end" in text
    assert "С даты настоящего письма прекращаются наши переговоры" in text
    for money in ("refund", "repay", "payment", "возвра", "денежн", "расчёт"):
        assert money not in text.casefold(), money


LETTER_DEALS = [("onprem-logistics-kz.yaml", ("notice", "enduse-request", "end-user-statement")),
                ("permission-speech-rs.yaml", ("hold", "notice", "enduse-request", "end-user-statement")),
                ("refuse-drone-xx.yaml", ("refusal",))]


@pytest.mark.parametrize(("example", "kinds"), LETTER_DEALS, ids=[e for e, _ in LETTER_DEALS])
def test_every_letter_greets_its_addressee_and_calls_the_declaration_advisory(
        example: str, kinds: tuple[str, ...], library: lib.Library) -> None:
    deal = _load(example)
    for kind in kinds:
        text = _letter_both(deal, kind, library)
        assert "Уважаемые господа!" not in text and "Dear Sirs" not in text, kind
        if kind != "end-user-statement":
            # the signatory by name where the deal names one (review 6), else the collective greeting
            greeting = (salutation.salutation(deal.counterparty, "ru"), salutation.salutation(deal.counterparty, "en"))
            assert greeting[0] in text and greeting[1] in text, kind
            if deal.counterparty.signatory is None:
                assert greeting == ("Уважаемые дамы и господа!", "Dear Sir or Madam,"), kind
        for wrong in ("required by the Declaration", "mandatory under the Declaration", "требует Декларация",
                      "обязательн"):
            assert wrong not in text, (kind, wrong)


def test_one_response_time_in_every_letter(library: lib.Library) -> None:
    data = _example_data("permission-speech-rs.yaml")
    data["terms"] = {"response_days": 7}
    deal = _deal(data)
    for kind in ("hold", "enduse-request", "end-user-statement"):
        text = _letter_both(deal, kind, library)
        assert "7 (seven) business days" in text and "7 (семи) рабочих дней" in text, kind
        assert "10 (ten)" not in text and "(десяти)" not in text, kind


def test_a_full_stop_after_a_value_ending_in_one_is_not_doubled() -> None:
    assert compose._paragraphs("от 10 декабря 2026 г.. Это решение") == ["от 10 декабря 2026 г. Это решение"]
    assert compose._paragraphs("Alexandria.. Then… and so...") == ["Alexandria. Then… and so..."]


# ------------------------------------------------------------ the screening gate


@pytest.mark.parametrize(
    ("example", "kind"),
    [("refuse-drone-xx.yaml", "notice"), ("refuse-drone-xx.yaml", "hold"), ("hold-vision-tr.yaml", "refusal"),
     ("saas-clinic-ae.yaml", "hold"), ("saas-clinic-ae.yaml", "refusal"), ("controlled-item-am.yaml", "notice")],
)
def test_letter_that_does_not_fit_the_decision_exits_3_naming_the_kinds_that_fit(
    example: str, kind: str, tmp_path: Path
) -> None:
    out = tmp_path / "letter.docx"
    result = CliRunner().invoke(cli, ["letter", kind, str(EXAMPLES / example), "--company", str(PROFILE),
                                      "-o", str(out)])
    assert result.exit_code == 3
    assert "letters that fit this decision" in result.stderr
    assert not out.exists()


def test_pack_writes_report_annex_and_recommended_letters(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pack", str(EXAMPLES / "onprem-logistics-kz.yaml"), "--company", str(PROFILE),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["EXP-2026-0157-screening.docx", "EXP-2026-0157-annex.docx",
                            "EXP-2026-0157-notice.docx", "EXP-2026-0157-enduse-request.docx",
                            "EXP-2026-0157-end-user-statement.docx"])


def test_pack_for_a_refused_deal_writes_no_annex(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["pack", str(EXAMPLES / "refuse-drone-xx.yaml"), "--company", str(PROFILE),
                                      "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["EXP-2026-0188-refusal.docx", "EXP-2026-0188-screening.docx"]


def test_letterhead_names_the_country_of_an_english_only_address_once_in_each_columns_language(
        library: lib.Library) -> None:
    deal = _load("weights-research-in.yaml")
    rows = docx_rows(api.build_letter("notice", deal, screen(deal), library).data)
    ru, en = [cell for row in rows for cell in row if "Hyderabad 500078" in cell]
    assert "Hyderabad 500078, Индия" in ru and "India" not in ru, ru
    assert en.count("India") == 1 and "Индия" not in en, en


# The review's letter findings (/tmp/review/REVIEW.md, M-7 to M-11, m-20 to m-22, m-27, m-28, m-30, m-31).

def _text(example: str | Path, kind: str, library: lib.Library) -> str:
    deal = _load(example)
    return _dump(api.build_letter(kind, deal, screen(deal), library).data)


def test_statement_for_end_users_other_than_the_counterparty_has_the_counterpartys_countersignature(
        library: lib.Library) -> None:
    text = _text("development-retail-my.yaml", "end-user-statement", library)
    assert "За Контрагента / For the Counterparty" in text
    assert "Компания «Стрейтс Ритейл Текнолоджиз Сдн. Бхд.» / Straits Retail Technologies Sdn. Bhd." in text


def test_statement_issued_by_the_counterparty_as_its_own_end_user_has_no_countersignature(
        library: lib.Library) -> None:
    assert "For the Counterparty" not in _text("onprem-logistics-kz.yaml", "end-user-statement", library)


def test_annex_condition_precedent_asks_for_the_countersignature_the_statement_carries(library: lib.Library) -> None:
    deal = _load("development-retail-my.yaml")
    rows = api.build_annex(deal, screen(deal), library).rows
    condition = next(row for row in rows if "conditional on the Supplier" in row.text("en"))
    assert "countersigned by an authorised representative of the Counterparty" in condition.text("en")
    assert "также подписанного уполномоченным представителем Контрагента" in condition.text("ru")


def test_statement_defines_the_counterparty_it_names(library: lib.Library) -> None:
    text = _text("development-retail-my.yaml", "end-user-statement", library)
    assert "«Стрейтс Ритейл Текнолоджиз Сдн. Бхд.» (далее — Контрагент)" in text
    assert 'Straits Retail Technologies Sdn. Bhd. (the “Counterparty”)' in text


def test_statement_shows_a_third_party_end_user_no_contract_price(library: lib.Library) -> None:
    text = _text("development-retail-my.yaml", "end-user-statement", library)
    assert "220 000" not in text and "220,000" not in text
    assert "as per the Counterparty’s invoice to, or contract with, the End User" in text


def test_statement_leaves_the_street_address_of_the_site_blank_after_the_place_of_use(library: lib.Library) -> None:
    text = _text("development-retail-my.yaml", "end-user-statement", library)
    assert "5. Place of use (Malaysia): the AI Solution will be installed and used only at the following address " \
           "(street, building, premises, town or city, country): ________________." in text


def test_statement_prefills_the_quantity_the_deal_records(library: lib.Library) -> None:
    text = _text("onprem-logistics-kz.yaml", "end-user-statement", library)
    assert "Количество (объём): 1 (одна) серверная лицензия." in text and "Quantity (scope): 1 (one) server licence." in text


def test_request_cites_the_annex_clause_and_counts_from_receipt_when_an_annex_exists(library: lib.Library) -> None:
    text = _text("onprem-logistics-kz.yaml", "enduse-request", library)
    assert "в срок, установленный пунктом 9.1 Приложения № 1 к Договору (10 (десять) Рабочих дней с даты " \
           "получения настоящего запроса)" in text
    assert "within the time limit set by Clause 9.1 of Annex No. 1 to the Contract (10 (ten) Business Days of " \
           "receipt of this request)" in text


def test_request_and_hold_count_from_receipt_and_cite_no_annex_when_none_exists(library: lib.Library) -> None:
    for kind in ("enduse-request", "hold"):
        text = _text("hold-vision-tr.yaml", kind, library)
        assert "Приложени" not in text and "Annex" not in text, kind
        assert "с даты получения настоящего" in text and "of receipt of this" in text, kind
        assert "с даты настоящего письма" not in text and "of the date of this letter" not in text, kind


def test_request_sent_with_a_hold_neither_discloses_the_concern_nor_says_there_is_no_doubt(
        library: lib.Library) -> None:
    text = _text("hold-vision-tr.yaml", "enduse-request", library)
    assert "сомнений в добросовестности" not in text and "doubt" not in text
    assert "Нам известно" not in text and "We understand" not in text
    # the deal records the military research: the request asks what the Commission needs (review 4, M2)
    assert "Поскольку Ваша компания выполняет исследования или разработки в интересах военных ведомств" in text


def test_request_on_cash_and_confidentiality_asks_who_the_end_users_are_and_states_the_payment_rule(
        library: lib.Library) -> None:
    text = _text("onprem-logistics-kz.yaml", "enduse-request", library)
    assert "Please confirm that “RouteMind Enterprise” will be used only by your company" in text
    assert "You have proposed to pay in cash." in text and "for example" not in text
    assert "Payment under the Contract can be made only by bank transfer from your company’s own account." in text


def test_nuclear_question_states_the_counterpartys_recorded_activity_instead_of_hedging_it(
        library: lib.Library) -> None:
    text = _text(REACTOR, "enduse-request", library)
    assert "Поскольку Ваша компания осуществляет деятельность в ядерной области (" in text
    assert "а решение «PumpGuard» будет использоваться на ядерной установке, для завершения проверки" in text
    assert "As your company carries on activities in the nuclear field (" in text
    # the activities are the company's, not the solution's use (review5 M3)
    assert "будет использоваться в деятельности" not in text and "will be used in your company" not in text
    assert "Ваша компания или конечный пользователь осуществляет" not in text


def test_notice_says_information_may_be_given_to_the_authorities(library: lib.Library) -> None:
    text = _text("onprem-logistics-kz.yaml", "notice", library)
    assert "могут быть предоставлены уполномоченным государственным органам Российской Федерации" in text
    assert "may be provided to the authorised state bodies of the Russian Federation" in text


def test_request_reference_code_is_req_not_the_euro_code() -> None:
    assert compose.letter_number(_load("onprem-logistics-kz.yaml"), "enduse-request") == "EXP-2026-0157/REQ"


def test_statement_of_an_end_user_that_is_the_counterparty_gives_the_counterpartys_address(
        library: lib.Library) -> None:
    text = _text("reactor-maintenance-hu.yaml", "end-user-statement", library)
    assert "Адрес (место нахождения): ________________" not in text
    assert "Address (registered office): ________________" not in text
    assert "Адрес (место нахождения): Венгрия, 7030, г. Пакш, ул. Атомерёму, д. 1" in text
    assert "Address (registered office): 1 Atomeromu Street, Paks 7030, Hungary" in text
