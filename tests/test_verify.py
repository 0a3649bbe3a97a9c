"""`clausegen verify` (issue 6, part 3): generated documents pass; damaged copies are rejected, row named.

Damaged copies are made by editing word/document.xml of a generated DOCX (see :func:`edit_cell`).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable

import pytest
from helpers import COMPANY, EXAMPLE_DEALS, ROOT

from clausegen import api
from clausegen.errors import ExitCode, InputError, Problem
from clausegen.render import docx_rows
from clausegen.verify import Report, expected_for, lint_rows, load_expected, row_problems, verify_document

LETTER_LANGS = ("both", "ru", "en")
BASE = "saas-clinic-ae"  # the example every damaged copy starts from


# ------------------------------------------------------------------ helpers


def problems_of(report: Report) -> str:
    return "\n".join(map(str, report.problems))


def assert_passes(data: bytes, name: str) -> Report:
    report = verify_document(data, name)
    assert report.problems == [], f"{name}:\n{problems_of(report)}"
    return report


_TC = re.compile(r"<w:tc>.*?</w:tc>|<w:tc .*?</w:tc>", re.S)
_T = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")


def with_document_xml(data: bytes, edit: Callable[[str], str]) -> bytes:
    """A copy of the DOCX ``data`` with word/document.xml passed through ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                part = edit(part.decode("utf-8")).encode("utf-8")
            target.writestr(info, part)
    return out.getvalue()


def edit_cell(data: bytes, starting: str, edit: Callable[[list[str]], list[str]]) -> bytes:
    """A copy of the DOCX whose first table cell starting with ``starting`` has its text runs edited.

    ``edit`` receives the texts of the cell's runs (<w:t>) in order and returns their new texts.
    """
    def change(xml: str) -> str:
        for cell in _TC.finditer(xml):
            runs = [html.unescape(m.group(2)) for m in _T.finditer(cell.group())]
            if "".join(runs).startswith(starting):
                texts = iter(edit(runs))
                new = _T.sub(lambda m: m.group(1) + html.escape(next(texts), quote=False) + m.group(3), cell.group())
                return xml[: cell.start()] + new + xml[cell.end():]
        raise AssertionError(f"no table cell starts with {starting!r}")

    return with_document_xml(data, change)


def replace_in_runs(old: str, new: str) -> Callable[[list[str]], list[str]]:
    """An ``edit`` for :func:`edit_cell`: ``old`` becomes ``new`` in the first run holding it."""
    def edit(runs: list[str]) -> list[str]:
        index = next(i for i, run in enumerate(runs) if old in run)
        return runs[:index] + [runs[index].replace(old, new, 1)] + runs[index + 1:]
    return edit


def whole_text(text: str) -> Callable[[list[str]], list[str]]:
    """An ``edit`` for :func:`edit_cell`: the cell says ``text`` (in its first run; the others emptied)."""
    return lambda runs: [text] + [""] * (len(runs) - 1)


def row_starting(data: bytes, prefix: str) -> tuple[int, list[str]]:
    """The 1-based number and cells of the first row whose first cell starts with ``prefix``."""
    for number, cells in enumerate(docx_rows(data), 1):
        if cells[0].startswith(prefix):
            return number, cells
    raise AssertionError(f"no row starts with {prefix!r}")


_CODE = re.compile(r"^\[([\w-]+)\] ")


def code_of(message: str) -> str:
    """The check's code of a problem message ("[numbers] numbers differ: …" -> "numbers")."""
    found = _CODE.match(message)
    assert found, f"a problem without a code: {message}"
    return found.group(1)


def text_of(message: str) -> str:
    """A problem message without its code."""
    return _CODE.sub("", message)


def problems_in_row(report: Report, row: int) -> list[str]:
    return [text_of(problem.message) for problem in report.problems if problem.row == row]


def added(original: bytes, damaged: bytes, expected=None) -> list[Problem]:
    """The problems the damage added: a check that now fails in a row and column where it passed (the
    original's own defects, if any, are not the test's subject)."""
    def key(problem: Problem) -> tuple:
        return problem.row, problem.field, code_of(problem.message)

    before = {key(problem) for problem in verify_document(original, "document.docx", expected).problems}
    return [problem for problem in verify_document(damaged, "document.docx", expected).problems
            if key(problem) not in before]


# ------------------------------------------------------------------ documents of the examples


@pytest.fixture(scope="module")
def screened(library):
    """Every example deal with its screening, keyed by file stem."""
    result = {}
    for stem, path in EXAMPLE_DEALS.items():
        deal = api.load_deal(path, COMPANY).deal
        result[stem] = (deal, api.screen_deal(deal))
    return result


@pytest.fixture(scope="module")
def base_annex(annexes) -> bytes:
    return annexes[BASE].generated.data


GROUPS = ("annex", "annex-en-ru", "report", "letters")


def example_documents(stem: str, group: str, library) -> list[tuple[str, bytes, tuple[str, ...]]]:
    """The documents of ``group`` that the example ``stem`` produces: (name, DOCX, expected columns)."""
    deal = api.load_deal(EXAMPLE_DEALS[stem], COMPANY).deal
    screening = api.screen_deal(deal)
    if group in ("annex", "annex-en-ru"):
        if not screening.annex_allowed:
            return []
        columns = ("ru", "en") if group == "annex" else ("en", "ru")
        return [(f"{stem}-{group}.docx", api.build_annex(deal, screening, library, columns=columns).data, columns)]
    if group == "report":
        return [(f"{stem}-report.docx", api.build_report(deal, screening, library).data, ("ru",))]
    documents = [(d.filename, d.data, ("ru", "en")) for d in api.build_pack(deal, screening, library)
                 if d.kind not in ("annex", "screening-report")]
    for kind in screening.letters_allowed():
        for lang in LETTER_LANGS:
            letter = api.build_letter(kind, deal, screening, library, lang=lang)
            documents.append((letter.filename, letter.data, ("ru", "en") if lang == "both" else (lang,)))
    return documents


_EXAMPLE_PROBLEMS: dict[tuple[str, str], list[tuple[str, str]]] = {}


def example_problems(stem: str, group: str, library) -> list[tuple[str, str]]:
    """(check code, problem) of every document of the group, checked with and without the deal (once)."""
    if (stem, group) not in _EXAMPLE_PROBLEMS:
        _EXAMPLE_PROBLEMS[stem, group] = _example_problems(stem, group, library)
    return _EXAMPLE_PROBLEMS[stem, group]


def _example_problems(stem: str, group: str, library) -> list[tuple[str, str]]:
    expected = load_expected(EXAMPLE_DEALS[stem], COMPANY)
    found = []
    for name, data, columns in example_documents(stem, group, library):
        for deal in (None, expected):
            report = verify_document(data, name, deal)
            assert report.columns == columns, name
            found += [(code_of(problem.message), str(problem)) for problem in report.problems]
    return found


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("stem", sorted(EXAMPLE_DEALS))
def test_every_document_of_every_example_passes_every_check(library, stem, group):
    problems = example_problems(stem, group, library)
    assert problems == [], "\n".join(problem for _, problem in problems)


def test_every_example_annex_row_is_compared(annexes):
    for stem, annex in annexes.items():
        report = verify_document(annex.generated.data, f"{stem}-annex.docx")
        assert report.rows == len(annex.generated.rows)  # every clause row was compared


def test_bilingual_letter_compares_its_letterhead_and_every_body_row(screened, library):
    deal, screening = screened["onprem-logistics-kz"]
    letter = api.build_letter("enduse-request", deal, screening, library)
    report = verify_document(letter.data)
    assert report.rows == 1 + len(letter.rows)


def test_screening_report_compares_the_22_indicator_titles(screened, library):
    deal, screening = screened[BASE]
    report = verify_document(api.build_report(deal, screening, library).data, "report.docx")
    assert (report.kind, report.rows) == ("screening-report", 22)
    assert [str(p) for p in report.problems if p.field.startswith("indicator")] == []


def test_report_dated_and_signed_by_options_passes_with_the_deal_on_another_day(library):
    """The date and preparer given on the command line are in the report, not the deal: verify makes the
    report again with the check the report records, not with today and no preparer."""
    from clausegen import checkrecord

    expected = load_expected(ROOT / "tests" / "data" / "base-deal.yaml", COMPANY)
    assert expected.deal.screening.date is None  # the date comes from the option alone
    check = checkrecord.resolve(expected.deal, date=__import__("datetime").date(2020, 1, 15),
                                prepared_by="Петрова Анна Сергеевна")
    data = api.build_report(expected.deal, expected.screening, library, check=check).data
    assert problems_of(verify_document(data, "report.docx", expected)) == ""


def test_a_check_property_that_cannot_be_read_falls_back_to_the_deal():
    from clausegen import checkrecord

    for recorded in ("", "{", "[]", '{"date": "yesterday"}', '{"date": "2026-12-02", "date_source": "x", '
                                                           '"prepared_by": {"name": 5}}'):
        assert checkrecord.decode(recorded) is None, recorded


# ------------------------------------------------------------------ damaged copies are rejected


def test_a_number_changed_in_one_column_is_rejected_naming_its_row(base_annex):
    row, (ru, _) = row_starting(base_annex, "12.2.")
    assert "10 (десяти)" in ru
    damaged = edit_cell(base_annex, ru[:30], replace_in_runs("10 (десяти)", "11 (десяти)"))
    # 11 working days here, 10 elsewhere: also one setting broken
    assert [(p.row, code_of(p.message)) for p in added(base_annex, damaged)] == [(row, "numbers"),
                                                                                 (row, "working-days")]
    assert problems_in_row(verify_document(damaged), row)[0].startswith("numbers differ: 11 only in ru")


def test_a_date_changed_in_one_column_is_rejected(base_annex):
    row, (_, en) = row_starting(base_annex, "1.2.")
    report = verify_document(edit_cell(base_annex, en[:30], replace_in_runs("20\u00a0November 2026", "21\u00a0November 2026")))
    assert [message.split(":")[0] for message in problems_in_row(report, row)] == ["dates differ"]
    assert "2026-11-21 only in en" in problems_in_row(report, row)[0]


def test_an_amount_changed_in_one_column_is_rejected():
    assert row_problems("Цена 1 250 000,00 (один миллион двести пятьдесят тысяч) евро",
                        "Price EUR 1,250,500.00 (one million two hundred and fifty thousand euros)") != []


def test_a_row_emptied_in_one_column_is_rejected(base_annex):
    row, (ru, _) = row_starting(base_annex, "3.2.")
    report = verify_document(edit_cell(base_annex, ru[:30], lambda runs: [""] * len(runs)))
    assert problems_in_row(report, row) and problems_in_row(report, row)[0].startswith("the ru column is empty")


def test_a_row_emptied_in_both_columns_is_rejected(base_annex):
    row, (ru, en) = row_starting(base_annex, "3.2.")
    emptied = edit_cell(edit_cell(base_annex, ru[:30], whole_text("")), en[:30], whole_text(""))
    assert problems_in_row(verify_document(emptied), row) == ["the row is empty"]


def test_a_clause_number_changed_in_one_column_is_rejected(base_annex):
    row, (_, en) = row_starting(base_annex, "4.1.")
    report = verify_document(edit_cell(base_annex, en[:30], replace_in_runs("4.1.", "4.2.")))
    assert problems_in_row(report, row)[0].startswith("clause numbers differ: 4.1. in ru, 4.2. in en")


def test_a_party_name_changed_in_one_column_is_rejected(base_annex):
    row, (_, en) = row_starting(base_annex, "1.5.")
    report = verify_document(edit_cell(base_annex, en[:30], replace_in_runs("Gulf Vision", "Gulf Visions")))
    assert problems_in_row(report, row)[0].startswith("names differ: Vision (ru)")


def test_an_email_changed_in_one_column_of_a_letter_is_rejected(screened, library):
    deal, screening = screened[BASE]
    letter = api.build_letter("notice", deal, screening, library).data
    row, (ru, _) = row_starting(letter, "Мы уверены")
    # the address is one unhyphenated run, its own hyphen a non-breaking one (review 6): edit after it
    report = verify_document(edit_cell(letter, ru[:30], replace_in_runs("control@neuroset", "ctrl@neuroset")))
    assert problems_in_row(report, row)[0].startswith("e-mail addresses differ: export-ctrl@neuroset.example only "
                                                      "in ru")


def test_a_leftover_template_tag_is_rejected(base_annex):
    row, (ru, _) = row_starting(base_annex, "2.1.")
    report = verify_document(edit_cell(base_annex, ru[:30], replace_in_runs("Поставщик", "{{ supplier.name }}")))
    assert any(message.startswith("leftover template tag '{{'") for message in problems_in_row(report, row))


def test_a_leftover_template_tag_outside_the_parallel_table_is_rejected(base_annex):
    damaged = with_document_xml(base_annex, lambda xml: xml.replace("ПОДПИСИ СТОРОН", "{% if sign %}ПОДПИСИ СТОРОН", 1))
    row, _ = row_starting(base_annex, "ПОДПИСИ СТОРОН")
    assert problems_in_row(verify_document(damaged), row)[0].startswith("leftover template tag '{%'")


def test_english_pasted_into_the_russian_column_is_rejected(base_annex):
    row, (ru, en) = row_starting(base_annex, "3.3.")
    damaged = edit_cell(base_annex, ru[:30], whole_text(en))
    assert problems_in_row(verify_document(damaged), row)[0] == f"the ru column has no Cyrillic text: «{en[:70]}…»"
    assert [code_of(p.message) for p in added(base_annex, damaged)] == ["language", "latin-in-ru"]


def test_russian_pasted_into_the_english_column_is_rejected_when_english_is_on_the_left(screened, library):
    deal, screening = screened[BASE]
    annex = api.build_annex(deal, screening, library, columns=("en", "ru")).data
    row, (en, ru) = row_starting(annex, "3.3.")
    damaged = edit_cell(annex, en[:30], whole_text(ru))
    assert problems_in_row(verify_document(damaged), row)[0].startswith("the en column has no Latin text")
    assert [code_of(p.message) for p in added(annex, damaged)] == ["language", "cyrillic-in-en"]


def test_an_english_sentence_added_to_a_russian_row_is_rejected(base_annex):
    row, (ru, _) = row_starting(base_annex, "3.2.")
    sentence = " Any breach hereof entitles us to terminate forthwith without liability whatsoever."
    damaged = edit_cell(base_annex, ru[:30], lambda runs: runs[:-1] + [runs[-1] + sentence * 3])
    problems = added(base_annex, damaged)
    assert [text_of(p.message).split(":")[0] for p in problems][:2] == ["names differ", "the ru column looks like "
                                                                        "another language (en)"]
    assert [code_of(p.message) for p in problems] == ["names", "language", "latin-in-ru"]
    assert {p.row for p in problems} == {row}


def test_the_english_text_kept_next_to_the_russian_is_rejected(base_annex):
    row, (ru, en) = row_starting(base_annex, "3.2.")
    report = verify_document(edit_cell(base_annex, ru[:30], lambda runs: runs[:-1] + [f"{runs[-1]} {en[5:]}"]))
    assert [p.split(":")[0] for p in problems_in_row(report, row)] == [
        "the ru column repeats the other column's text", "Latin-script words in the Russian column that are not "
                                                         "proper names (not capitalised like a name)"]


def test_an_english_gloss_put_back_under_a_report_indicator_is_rejected(screened, library):
    # The report is wholly Russian (drafting rules, 7): an English line in an indicator is a finding.
    deal, screening = screened[BASE]
    data = api.build_report(deal, screening, library).data
    row, cells = row_starting(data, "13")
    report = verify_document(edit_cell(data, cells[1], lambda runs: runs[:-1] + [
        runs[-1] + " unusually favourable payment terms offered by the counterparty"]))
    assert [p.field for p in report.problems if p.row == row] == ["indicator 13, ru column"]


def test_russian_pasted_into_a_single_language_english_letter_is_rejected(screened, library):
    deal, screening = screened[BASE]
    english = docx_rows(api.build_letter("notice", deal, screening, library, lang="en").data)
    russian = docx_rows(api.build_letter("notice", deal, screening, library, lang="ru").data)
    letter = api.build_letter("notice", deal, screening, library, lang="en").data
    # a paragraph that names no one: a name has a run of its own (never hyphenated), the rest is one run
    damaged = with_document_xml(letter, lambda xml: xml.replace(english[6][0], html.escape(russian[6][0], quote=False)))
    report = verify_document(damaged)
    assert [(p.row, text_of(p.message).split(":")[0]) for p in report.problems] == [
        (7, "next to no Latin text in a letter in en"), (7, "Cyrillic text in the English column that is not a "
                                                            "proper name")]


def test_a_single_language_letter_quoting_a_purpose_given_only_in_english_is_rejected(library):
    # Drafting rule 1: a purpose is translated, never copied into the Russian text (the deal's validation
    # warns about it; verify catches the document that was made anyway).
    from helpers import make_deal

    purpose = ("Sorting shipping documents in the company's own warehouse, including invoices, bills of lading, "
               "packing lists and customs declarations")
    deal = make_deal({"end_use.purpose": {"en": purpose}})
    letter = api.build_letter("end-user-statement", deal, api.screen_deal(deal), library, lang="ru")
    shown = purpose.replace("'", "’")  # as the document shows it (clausegen.quotes)
    assert shown in "\n".join(cell for row in docx_rows(letter.data) for cell in row)
    for expected in (None, expected_for(deal, library)):
        problems = [p for p in verify_document(letter.data, "statement-ru.docx", expected).problems
                    if code_of(p.message) == "latin-in-ru"]
        assert len(problems) == 1 and f"«{shown}»" in problems[0].message


def test_a_one_language_letter_is_summed_up_without_parallel_rows(library):
    from helpers import make_deal

    deal = make_deal({})
    letter = api.build_letter("notice", deal, api.screen_deal(deal), library, lang="en")
    summary = verify_document(letter.data, "notice-en.docx", expected_for(deal, library)).summary()
    assert "language en, one column, no parallel rows, no problems" in summary and "0 parallel rows" not in summary


# ------------------------------------------------------------------ comparing the two languages


def test_amounts_in_each_languages_format_are_the_same_number():
    ru = "Цена составляет 1\u00a0250\u00a0000,50 (один миллион двести пятьдесят тысяч 50/100) евро."
    en = "The price is EUR 1,250,000.50 (one million two hundred and fifty thousand 50/100 euros)."
    assert row_problems(ru, en) == []


def test_dates_in_each_languages_form_are_the_same_date():
    assert row_problems("Договор от «20» ноября 2026 г., изменения от 01.12.2026, акт от 2027-01-15.",
                        "Contract dated 20 November 2026, amended on December 1, 2026, act of 15 January 2027.") == []


def test_a_day_missing_from_one_column_is_a_date_difference_not_a_number_difference():
    problems = row_problems("Договор от 20 ноября 2026 г.", "Contract dated 21 November 2026")
    assert [problem.split(":")[0] for problem in problems] == ["[dates] dates differ"]


def test_a_russian_name_declined_in_russian_matches_its_nominative_in_english():
    assert row_problems("в лице Генерального директора Кузнецовой Марии Сергеевны",
                        "represented by its General Director, Кузнецова Мария Сергеевна") == []


def test_latin_names_in_russian_text_do_not_make_it_english():
    name = "Deccan Institute of Computational Sciences Private Research Foundation Limited"
    assert row_problems(f"Контрагент: {name} (Индия), в лице Director Ananya Raghunathan.",
                        f"Counterparty: {name} (India), represented by its Director, Ananya Raghunathan.") == []


def test_english_left_in_the_russian_column_is_rejected_even_with_a_russian_word_quoted_in_it():
    english = "5.2. The Counterparty represented by its Director acting under Устава shall notify the Supplier."
    assert [problem.split(":")[0] for problem in row_problems(english, english)] == [
        "[language] the ru column repeats the other column's text"]


def test_clause_references_with_dots_are_compared_as_written():
    assert row_problems("См. пункты 4.10 и 11.2.", "See clauses 4.1 and 11.2.") != []


# ------------------------------------------------------------------ the drafting rules, one check each (lint_rows)


def codes(problems: list[str]) -> list[str]:
    """The check codes of ``lint_rows`` problems ("row 1, ru column: [code] …")."""
    return [re.search(r"\[([\w-]+)\]", problem).group(1) for problem in problems]


PREAMBLE_EN = "Gulf Vision FZ-LLC, represented by its Chief Executive Officer, Omar Haddad, acting under the Charter"
DEAL_NAMES = frozenset({"Gulf Vision FZ-LLC", "Omar Haddad"})


def test_an_english_position_in_the_russian_column_is_rejected_when_the_deal_names_the_proper_names():
    problems = lint_rows([("компания Gulf Vision FZ-LLC в лице Chief Executive Officer Omar Haddad, действующего на "
                           "основании Устава", PREAMBLE_EN)], DEAL_NAMES)
    assert codes(problems) == ["latin-in-ru"]
    assert "«Chief Executive Officer»" in problems[0] and "Omar Haddad»," not in problems[0]


def test_the_deals_proper_names_in_latin_script_pass_in_the_russian_column():
    assert lint_rows([("компания Gulf Vision FZ-LLC в лице главного исполнительного директора Omar Haddad, "
                       "действующего на основании Устава", PREAMBLE_EN)], DEAL_NAMES) == []


def test_without_the_deal_a_lower_case_english_phrase_in_the_russian_column_is_rejected():
    problems = lint_rows([("действующего на основании the Articles of Association", "acting under the Articles of "
                                                                                     "Association")])
    assert codes(problems) == ["latin-in-ru"] and "«the Articles of Association»" in problems[0]


def test_without_the_deal_a_capitalised_name_e_mail_and_document_number_pass_in_the_russian_column():
    assert lint_rows([("Deccan Institute of Computational Sciences (export@deccan.example), счёт № INV-2026/7",
                       "Deccan Institute of Computational Sciences (export@deccan.example), invoice No. INV-2026/7")
                      ]) == []


def test_cyrillic_words_in_the_english_column_are_rejected():
    problems = lint_rows([("действующего на основании Устава", "acting under the устава")])
    assert "cyrillic-in-en" in codes(problems)


def test_a_cyrillic_name_in_the_english_column_needs_its_transliteration_in_brackets():
    assert codes(lint_rows([("разрешение № КЭК-2026/0412", "permission No. КЭК-2026/0412")])) == [
        "no-transliteration"]
    assert lint_rows([("разрешение № КЭК-2026/0412", "permission No. КЭК-2026/0412 (KEK-2026/0412)")]) == []


@pytest.mark.parametrize("ru", ["Способ оплаты: bank_transfer.", "Не указано: counterparty.signatory.position.",
                                "Письмо: hold (HLD).", "Модель поставки: saas."])
def test_a_code_leaked_into_the_text_is_rejected(ru):
    assert "code-leak" in codes(lint_rows([(ru, "Payment: bank transfer.")]))


def test_an_e_mail_address_with_an_underscore_is_no_code():
    assert lint_rows([("Пишите на export_control@neuroset.example.", "Write to export_control@neuroset.example.")]) \
        == []


@pytest.mark.parametrize(("ru", "en"), [
    ("по договору от 5 ноября 2026 г.. Настоящим сообщаем", "under the contract of 5 November 2026. We hereby"),
    ("г. Александрия.", "Alexandria.."),
    ("стороны,, а также", "the parties, and"),
])
def test_doubled_punctuation_is_rejected(ru, en):
    assert codes(lint_rows([(ru, en)])) == ["double-punctuation"]


def test_single_punctuation_after_an_abbreviation_and_an_ellipsis_pass():
    rows = [("по договору от 5 ноября 2026 г. Настоящим сообщаем…",
             "under the contract of 5 November 2026. We hereby, e.g., inform...")]
    assert lint_rows(rows) == []


def test_a_straight_quote_beside_curly_ones_is_rejected():
    problems = lint_rows([("«Поставщик»", "(the “Supplier”)"), ("«Контрагент»", '(the "Counterparty")')])
    assert codes(problems) == ["quote-style"] and problems[0].startswith("row 2, en column")


def test_a_straight_apostrophe_in_english_is_rejected():
    problems = lint_rows([("«Поставщик»", "(the “Supplier”)"), ("согласие Поставщика", "the Supplier's consent")])
    assert codes(problems) == ["quote-style"] and problems[0].startswith("row 2, en column")


@pytest.mark.parametrize("russian", ['именуемое "Поставщик"', "именуемое “Поставщик”"])
def test_english_quotes_in_the_russian_column_are_rejected(russian):
    assert codes(lint_rows([(russian, "(the “Supplier”)")])) == ["quote-style"]


def test_one_quote_style_per_column_passes():
    assert lint_rows([("«Поставщик» и «Контрагент „Альфа“»", "(the “Supplier”) and the Counterparty’s ‘own’")]) == []


def test_a_hyphen_used_as_a_dash_beside_typographic_dashes_is_rejected():
    assert codes(lint_rows([("«Договор» — договор", "“Contract” - the contract"),
                            ("«Сторона» — каждая", "“Party” — each")])) == ["dash-style"]


def test_one_country_spelt_two_ways_in_one_column_is_rejected():
    problems = lint_rows([("Анкара, Турция", "Ankara, Turkey"), ("в Турции", "in Türkiye")])
    assert codes(problems) == ["country-name"] and "«Turkey» (row 1) and «Türkiye»" in problems[0]
    assert codes(lint_rows([("Минск, Беларусь", "Minsk, Belarus"), ("в Белоруссии", "in Belarus")])) == [
        "country-name"]


def test_one_spelling_of_a_country_in_every_case_form_passes():
    assert lint_rows([("Анкара, Турция", "Ankara, Türkiye"), ("в Турции", "in Türkiye"),
                      ("Северная Македония", "North Macedonia")]) == []


@pytest.mark.parametrize(("ru", "en", "phrase"), [
    ("Уважаемые господа!", "Dear Sir or Madam,", "Уважаемые господа!"),
    ("ограничить доступ к ним лицами, которым это необходимо", "restrict access to persons who need it",
     "ограничить доступ к ним лицами"),
    ("Поставщик вправе отказаться от Договора.", "The Supplier may terminate the Contract out of court.",
     "out of court"),
    ("Декларация не является нормативным актом.", "The Declaration is not a regulatory legal act.",
     "regulatory legal act"),
    ("Это условие политики Поставщика.", "This term is mandatory under the Declaration.",
     "mandatory under the Declaration"),
])
def test_wording_a_lawyer_strikes_out_is_rejected_with_what_to_write(ru, en, phrase):
    problems = lint_rows([(ru, en)])
    assert codes(problems) == ["wording"] and f"«{phrase}»: write" in problems[0]


def test_the_wording_a_lawyer_would_use_passes():
    assert lint_rows([("Уважаемые дамы и господа!", "Dear Sir or Madam,"),
                      ("Поставщик вправе отказаться от Договора в одностороннем порядке.",
                       "The Supplier may terminate the Contract unilaterally, by notice.")]) == []


def test_a_refusal_promising_a_refund_is_rejected_and_another_letter_may_speak_of_refunds():
    rows = [("Денежные средства будут возвращены.", "Any payments will be refunded.")]
    assert codes(lint_rows(rows, kind="refusal")) == ["wording", "wording"]
    assert lint_rows(rows, kind="notice") == []


KUZNETSOVA = (("Кузнецо", "female"),)


def test_a_masculine_participle_after_a_woman_signatory_is_rejected():
    row = ("в лице Генерального директора Кузнецовой Марии Сергеевны, действующего на основании Устава",
           "represented by its General Director, Maria Kuznetsova, acting under the Charter")
    problems = lint_rows([row], signatories=KUZNETSOVA)
    assert codes(problems) == ["agreement"] and "write «действующей»" in problems[0]


def test_a_participle_agreeing_with_the_signatory_passes():
    assert lint_rows([("в лице Генерального директора Кузнецовой Марии Сергеевны, действующей на основании Устава",
                       "represented by its General Director, Maria Kuznetsova, acting under the Charter")],
                     signatories=KUZNETSOVA) == []


def test_the_deal_gives_each_signatorys_gender_from_the_patronymic_or_its_gender_field():
    from clausegen.verify.clausetext import deal_signatories
    from helpers import make_deal

    assert ("Кузнецо", "female") in deal_signatories(load_expected(EXAMPLE_DEALS[BASE], COMPANY).deal)
    deal = make_deal({"counterparty.signatory.name": {"en": "Alex Morgan"}, "counterparty.signatory.gender": "male"})
    assert ("Alex Morgan", "male") in deal_signatories(deal)


def test_the_deals_proper_names_exclude_positions_and_authorities():
    from clausegen.verify.clausetext import deal_names

    names = deal_names(load_expected(EXAMPLE_DEALS[BASE], COMPANY).deal)
    assert {"Omar Haddad", "Gulf Vision Analytics FZ-LLC", "MedVision QA"} <= names
    assert not names & {"Chief Executive Officer", "the Articles of Association"}


SUSPENSION = ("Поставщик вправе отозвать лицензионные ключи и заблокировать доступ к Решению ИИ.",
              "The Supplier may revoke licence keys and disable access to the AI Solution.")


@pytest.mark.parametrize("delivery", ["saas", "embedded_in_hardware"])
def test_terms_that_do_not_fit_the_delivery_are_rejected(delivery):
    assert codes(lint_rows([SUSPENSION], delivery=delivery)) == ["delivery-terms", "delivery-terms"]


def test_the_same_terms_pass_for_a_delivery_they_fit():
    assert lint_rows([SUSPENSION], delivery="on_premise") == []


def test_an_english_indemnity_against_russian_damages_is_rejected():
    problems = lint_rows([("Контрагент возмещает Поставщику все убытки.",
                           "The Counterparty shall indemnify the Supplier against all losses.")])
    assert codes(problems) == ["indemnity"] and problems[0].startswith("row 1, ru column")


def test_an_indemnity_in_both_languages_or_damages_in_both_pass():
    assert lint_rows([("Контрагент возмещает Поставщику имущественные потери.",
                       "The Counterparty shall indemnify the Supplier against all losses."),
                      ("Контрагент возмещает Поставщику убытки.",
                       "The Counterparty shall compensate the Supplier for damages.")]) == []


def test_the_same_date_quoted_and_unquoted_in_running_text_is_rejected():
    problems = lint_rows([("Приложение к Договору от «5» ноября 2026 г.", "Annex to the Contract of 5 November 2026"),
                          ("Договор от 5 ноября 2026 г.", "Contract of 5 November 2026")])
    assert codes(problems) == ["date-format"]
    assert "«5» ноября 2026 г." in problems[0] and problems[0].startswith("row 2, ru column")


def test_the_quoted_date_of_a_place_and_date_line_passes_beside_running_text():
    assert lint_rows([("г. Москва, «5» ноября 2026 г.", "Moscow, 5 November 2026"),
                      ("Договор от 5 ноября 2026 г.", "Contract of 5 November 2026")]) == []


def test_the_same_date_in_two_english_formats_is_rejected():
    assert codes(lint_rows([("от 5 ноября 2026 г.", "of 5 November 2026"),
                            ("от 5 ноября 2026 г.", "of November 5, 2026")])) == ["date-format"]


DEFINITIONS = [("1.1. «Рабочий день» — любой день, кроме выходных.", '1.1. “Business Day” means any day but a '
                                                                      "day off."),
               ("2.1. «Законодательство об экспортном контроле» — закон.", '2.1. “Export Control Law” means the law.')]


def test_a_defined_term_in_lower_case_is_rejected_in_any_of_its_russian_forms():
    problems = lint_rows(DEFINITIONS + [("3.1. В течение 10 (десяти) рабочих дней.", "3.1. Within 10 (ten) Business "
                                                                                     "Days.")])
    assert codes(problems) == ["term-case"] and "«рабочих дней»" in problems[0]
    assert problems[0].startswith("row 3, ru column")


def test_a_defined_term_in_lower_case_is_rejected_in_english():
    problems = lint_rows(DEFINITIONS + [("3.1. Соблюдать Законодательство об экспортном контроле.",
                                         "3.1. Comply with the export control law.")])
    assert codes(problems) == ["term-case"] and "«export control law»" in problems[0]


def test_a_defined_term_defined_in_lower_case_is_rejected():
    problems = lint_rows([("1.1. «рабочий день» — любой день.", '1.1. “Business Day” means any day.')])
    assert codes(problems) == ["term-case"] and "«рабочий день» is not capitalised" in problems[0]


def test_defined_terms_capitalised_everywhere_and_sentence_starts_pass():
    assert lint_rows(DEFINITIONS + [("3.1. В течение 10 (десяти) Рабочих дней. Рабочие дни считаются в Москве.",
                                     "3.1. Within 10 (ten) Business Days. Business days are counted in Moscow.")]) \
        == []


def test_different_numbers_of_working_days_in_one_document_are_rejected():
    problems = lint_rows([("1. Ответить в течение 10 (десяти) рабочих дней.", "1. Answer within 10 (ten) business "
                                                                              "days."),
                          ("2. Ответить в течение 5 (пяти) рабочих дней.", "2. Answer within 5 (five) business days."),
                          ("3. Вернуть в течение 10 (десяти) рабочих дней.",
                           "3. Return within 10 (ten) Business Days.")])
    assert codes(problems) == ["working-days"] and problems[0].startswith("row 2, ru column: [working-days] 5 working")


def test_a_reference_to_an_article_the_document_does_not_have_is_rejected():
    problems = lint_rows([("1. Термины", "1. Definitions"), ("1.1. См. статью 7 и пункт 1.1.", "1.1. See Clause 7 and "
                                                                                                "Clause 1.1.")])
    assert codes(problems) == ["clause-ref", "clause-ref"] and "a reference to 7," in problems[0]


def test_references_to_existing_clauses_and_to_other_instruments_pass():
    assert lint_rows([("1. Термины", "1. Definitions"),
                      ("1.1. См. пункт 1.1, пункт 5.2 Декларации, статью 1296 Гражданского кодекса и пункт 3 статьи "
                       "406.1 ГК РФ.",
                       "1.1. See Clause 1.1, clause 5.2 of the Declaration, Article 1296 of the Civil Code and "
                       "paragraph 3 of Article 406.1 of the Russian Civil Code.")]) == []


# ------------------------------------------------------------------ clause texts against the deal (--deal)


@pytest.fixture(scope="module")
def base_expected():
    return load_expected(EXAMPLE_DEALS[BASE], COMPANY)


def clause_text_problems(original: bytes, damaged: bytes, expected) -> list[Problem]:
    return [p for p in added(original, damaged, expected) if code_of(p.message) == "clause-text"]


def test_a_counterparty_weakening_shall_into_may_in_the_english_column_is_named_word_by_word(base_annex,
                                                                                             base_expected):
    row, (_, en) = row_starting(base_annex, "4.1.")
    damaged = edit_cell(base_annex, en[:30], replace_in_runs("shall use", "may use, with the Supplier's consent,"))
    problems = clause_text_problems(base_annex, damaged, base_expected)
    assert [(p.row, p.field) for p in problems] == [(row, "en column")]
    assert "clause end-use-restriction@" in problems[0].message
    assert "«shall» → «may»; added «, with the Supplier's consent,»" in problems[0].message


def test_a_counterparty_deleting_any_other_military_purpose_in_the_russian_column_is_named(base_annex, base_expected):
    row, (ru, _) = row_starting(base_annex, "4.1.")
    damaged = edit_cell(base_annex, ru[:30], replace_in_runs(", а также использование в любых иных военных целях", ""))
    problems = clause_text_problems(base_annex, damaged, base_expected)
    assert [(p.row, p.field) for p in problems] == [(row, "ru column")]
    assert "deleted «, а также использование в любых иных военных целях»" in problems[0].message


def test_the_same_deletion_in_english_with_english_on_the_left_is_named(screened, library, base_expected):
    deal, screening = screened[BASE]
    annex = api.build_annex(deal, screening, library, columns=("en", "ru")).data
    row, (en, _) = row_starting(annex, "4.1.")
    damaged = edit_cell(annex, en[:30], replace_in_runs(", or any other military purpose", ""))
    problems = clause_text_problems(annex, damaged, base_expected)
    assert [(p.row, p.field) for p in problems] == [(row, "en column")]
    assert "deleted «, or any other military purpose»" in problems[0].message


def test_a_changed_clause_passes_every_other_check_without_the_deal(base_annex):
    # Why --deal matters: both columns still agree in numbers, names and language.
    row, (_, en) = row_starting(base_annex, "4.1.")
    damaged = edit_cell(base_annex, en[:30], replace_in_runs("shall use", "may use, with the Supplier’s consent,"))
    assert added(base_annex, damaged) == []
    assert "clause texts not compared" in verify_document(damaged).summary()


def test_a_changed_clause_of_a_single_language_letter_is_named(screened, library, base_expected):
    deal, screening = screened[BASE]
    letter = api.build_letter("notice", deal, screening, library, lang="en").data
    damaged = with_document_xml(letter, lambda xml: xml.replace("we do not permit", "we rarely permit", 1))
    problems = clause_text_problems(letter, damaged, base_expected)
    assert len(problems) == 1 and "«do not» → «rarely»" in problems[0].message


def test_every_clause_row_of_an_untouched_document_equals_its_rendering(base_annex, base_expected):
    report = verify_document(base_annex, "annex.docx", base_expected)
    assert [p for p in report.problems if code_of(p.message).startswith("clause")] == []
    assert report.notes == []


def test_a_letterhead_changed_in_both_columns_is_named_only_with_the_deal(base_notice, base_expected):
    # Both columns still agree, so only the comparison with a fresh rendering sees it.
    damaged = with_document_xml(base_notice, lambda xml: xml.replace("Office 12, Building 4", "Office 99, Building 4"))
    assert added(base_notice, damaged) == []
    problems = [p for p in added(base_notice, damaged, base_expected) if code_of(p.message) == "document-text"]
    assert [(p.row, p.field) for p in problems] == [(1, "ru column"), (1, "en column")]
    assert "«12» → «99»" in problems[0].message


def test_a_changed_screening_report_row_is_named_with_the_deal(screened, library, base_expected):
    deal, screening = screened[BASE]
    report = api.build_report(deal, screening, library).data
    damaged = with_document_xml(report, lambda xml: xml.replace("один миллион двести", "один миллион сто", 1))
    problems = [p for p in added(report, damaged, base_expected) if code_of(p.message) == "document-text"]
    assert len(problems) == 1 and problems[0].field == "cell 2" and "«двести» → «сто»" in problems[0].message


def test_a_screening_report_may_name_the_clauses_it_lists_by_id(screened, library):
    deal, screening = screened[BASE]
    report = verify_document(api.build_report(deal, screening, library).data, "report.docx")
    assert not [p for p in report.problems if "end-use-restriction" in p.message]


def test_a_document_recording_another_clause_version_is_not_compared_and_says_so(base_annex, base_expected):
    import zipfile as zf

    def bump(data: bytes) -> bytes:
        source, out = zf.ZipFile(io.BytesIO(data)), io.BytesIO()
        with zf.ZipFile(out, "w", zf.ZIP_DEFLATED) as target:
            for info in source.infolist():
                part = source.read(info)
                if info.filename == "docProps/custom.xml":
                    part = part.replace(b"end-use-restriction@2", b"end-use-restriction@9")
                target.writestr(info, part)
        return out.getvalue()

    problems = verify_document(bump(base_annex), "annex.docx", base_expected).problems
    found = [text_of(p.message) for p in problems if code_of(p.message) == "clause-set"]
    assert len(found) == 1 and "recorded only: end-use-restriction@9" in found[0]
    assert "clause texts not compared" in found[0]


def test_a_document_checked_against_another_deal_is_rejected(screened, library, base_annex):
    other = load_expected(EXAMPLE_DEALS["hardware-camera-vn"], COMPANY)
    problems = verify_document(base_annex, "annex.docx", other).problems
    assert [text_of(p.message) for p in problems if code_of(p.message) == "deal"] == [
        "the document was made for deal EXP-2026-0142, the deal given is EXP-2026-0171: its clause texts and names "
        "are not compared with it"]


# ------------------------------------------------------------------ files that are not clausegen documents


def test_a_file_that_is_not_a_docx_is_refused_with_a_clear_error():
    with pytest.raises(InputError, match="not a DOCX file") as caught:
        verify_document(b"%PDF-1.7 not a word document", "letter.pdf")
    assert caught.value.exit_code == ExitCode.INVALID_INPUT
    assert "letter.pdf" in str(caught.value)


def test_a_zip_without_a_word_document_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="no word/document.xml"):
        verify_document(archive.getvalue(), "archive.zip")


def test_a_document_that_unpacks_beyond_the_limit_is_refused(base_annex, monkeypatch):
    from clausegen import render

    monkeypatch.setattr(render, "MAX_UNPACKED_BYTES", len(base_annex))  # the XML is far larger than the zip
    with pytest.raises(InputError, match="unpacks to more than"):
        verify_document(base_annex, "bomb.docx")


def test_a_docx_clausegen_did_not_generate_is_refused():
    template = (ROOT / "templates" / "annex.docx").read_bytes()
    with pytest.raises(InputError, match="not a document clausegen generated"):
        verify_document(template, "annex-template.docx")


# ------------------------------------------------------------------ the command (wired in clausegen/cli.py)


def run_verify(*args) -> object:
    from click.testing import CliRunner

    from clausegen.cli import cli

    return CliRunner().invoke(cli, ["verify", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def base_notice(screened, library) -> bytes:
    """The base example's notice with its known defects («Уважаемые господа!», «подготовки или совершения»;
    the letters helper's) put right by hand, so that it passes every check without the deal."""
    deal, screening = screened[BASE]
    letter = api.build_letter("notice", deal, screening, library).data
    return with_document_xml(letter, lambda xml: xml.replace("Уважаемые господа!", "Уважаемые дамы и господа!")
                             .replace("подготовки или совершения", "подготовки и (или) совершения"))


def test_command_compares_the_clause_texts_with_the_deal(tmp_path, screened, library):
    deal, screening = screened[BASE]
    path = tmp_path / "notice.docx"
    path.write_bytes(api.build_letter("notice", deal, screening, library).data)
    result = run_verify(path, "--deal", EXAMPLE_DEALS[BASE], "--company", COMPANY)
    assert (result.exit_code, result.stderr) == (0, "")
    assert "clause texts not compared" not in result.stdout  # every row was compared with its rendering


def test_command_passes_a_clean_document_with_exit_0(tmp_path, base_notice):
    path = tmp_path / "notice.docx"
    path.write_bytes(base_notice)
    result = run_verify(path)
    assert (result.exit_code, result.stderr) == (0, "")


def test_command_without_the_deal_says_that_the_clause_texts_were_not_compared(tmp_path, base_notice):
    path = tmp_path / "notice.docx"
    path.write_bytes(base_notice)
    result = run_verify(path)
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("no problems; clause texts not compared with the deal, and Latin words in "
                                          "Russian judged as names by their form (give --deal DEAL.yaml for both)")


def test_command_prints_each_problem_with_its_row_and_code_and_exits_2(tmp_path, base_annex):
    row, (ru, _) = row_starting(base_annex, "12.2.")
    path = tmp_path / "damaged.docx"
    path.write_bytes(edit_cell(base_annex, ru[:30], replace_in_runs("10 (десяти)", "11 (десяти)")))
    result = run_verify(path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert f"{path}, row {row}: [numbers] numbers differ" in result.stderr


def test_command_checks_every_file_it_is_given(tmp_path, base_notice, base_annex):
    clean, damaged = tmp_path / "notice.docx", tmp_path / "damaged.docx"
    clean.write_bytes(base_notice)
    row, (ru, _) = row_starting(base_annex, "12.2.")
    damaged.write_bytes(edit_cell(base_annex, ru[:30], replace_in_runs("10 (десяти)", "11 (десяти)")))
    result = run_verify(clean, damaged)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert f"{clean}: notice" in result.stdout and f"{damaged}: annex" in result.stderr


def test_command_refuses_an_invalid_deal_without_a_traceback(tmp_path, base_notice):
    path, deal = tmp_path / "notice.docx", tmp_path / "deal.yaml"
    path.write_bytes(base_notice)
    deal.write_text("deal_id: [not, a, string]\n", encoding="utf-8")
    result = run_verify(path, "--deal", deal)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "Traceback" not in result.stderr and "deal.yaml" in result.stderr


def test_command_refuses_a_file_that_is_not_a_docx_without_a_traceback(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("just text", encoding="utf-8")
    result = run_verify(path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.startswith("error: ") and "not a DOCX file" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_document_a_batch_of_the_examples_writes_verifies(tmp_path):
    from clausegen.batch import run_batch
    from clausegen.verify import verify_file

    result = run_batch(ROOT / "examples", tmp_path / "out", company=COMPANY, record=False)
    written = sorted((tmp_path / "out").rglob("*.docx"))
    assert len(written) == sum(len(outcome.files) for outcome in result.outcomes) >= 20
    problems = [str(problem) for path in written for problem in verify_file(path).problems]
    assert problems == []


def test_the_deals_outgoing_letter_numbers_count_as_its_document_numbers(screened):
    from clausegen.verify.clausetext import deal_names

    deal, _ = screened[BASE]
    assert f"{deal.deal_id}/NTC" in deal_names(deal) and f"{deal.deal_id}/REQ" in deal_names(deal)


def test_a_straight_quote_typed_into_a_generated_annex_is_rejected(base_annex):
    # clausegen renders “…” and ’ (clausegen.quotes): a straight one was typed in afterwards.
    _, (_, en) = row_starting(base_annex, "4.1.")
    damaged = edit_cell(base_annex, en[:30], replace_in_runs("shall use", 'shall use the "licensed"'))
    assert [code_of(problem.message) for problem in added(base_annex, damaged)] == ["quote-style"]


def test_a_generated_annex_quotes_typographically_in_both_columns(base_annex):
    text = "\n".join(cell for row in docx_rows(base_annex) for cell in row)
    assert '"' not in text and "'" not in text
    assert "“" in text and "’" in text and "«" in text
