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
from helpers import ANNEX_EXAMPLES, COMPANY, EXAMPLE_DEALS, ROOT

from clausegen import api
from clausegen.errors import ExitCode, InputError
from clausegen.render import docx_rows
from clausegen.verify import Report, row_problems, verify_document

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


def problems_in_row(report: Report, row: int) -> list[str]:
    return [problem.message for problem in report.problems if problem.row == row]


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


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_every_example_annex_passes(annexes, stem):
    report = assert_passes(annexes[stem].generated.data, f"{stem}-annex.docx")
    assert report.columns == ("ru", "en")
    assert report.rows == len(annexes[stem].generated.rows)  # every clause row was compared


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_every_example_annex_with_english_on_the_left_passes(screened, library, stem):
    deal, screening = screened[stem]
    generated = api.build_annex(deal, screening, library, columns=("en", "ru"))
    report = assert_passes(generated.data, f"{stem}-annex-en-ru.docx")
    assert report.columns == ("en", "ru")


@pytest.mark.parametrize("stem", sorted(EXAMPLE_DEALS))
def test_every_document_of_every_example_pack_passes(screened, library, stem):
    deal, screening = screened[stem]
    documents = api.build_pack(deal, screening, library)
    assert documents, "a pack always has the screening report"
    for document in documents:
        assert_passes(document.data, document.filename)


@pytest.mark.parametrize("lang", LETTER_LANGS)
@pytest.mark.parametrize("stem", sorted(EXAMPLE_DEALS))
def test_every_letter_an_example_allows_passes_in_each_language(screened, library, stem, lang):
    deal, screening = screened[stem]
    for kind in screening.letters_allowed():
        letter = api.build_letter(kind, deal, screening, library, lang=lang)
        report = assert_passes(letter.data, letter.filename)
        assert report.columns == (("ru", "en") if lang == "both" else (lang,))


def test_bilingual_letter_compares_its_letterhead_and_every_body_row(screened, library):
    deal, screening = screened["onprem-logistics-kz"]
    letter = api.build_letter("enduse-request", deal, screening, library)
    report = verify_document(letter.data)
    assert report.rows == 1 + len(letter.rows)


def test_screening_report_compares_the_22_indicator_titles(screened, library):
    deal, screening = screened[BASE]
    report = verify_document(api.build_report(deal, screening, library).data, "report.docx")
    assert (report.kind, report.rows, report.problems) == ("screening-report", 22, [])


# ------------------------------------------------------------------ damaged copies are rejected


def test_a_number_changed_in_one_column_is_rejected_naming_its_row(base_annex):
    row, (ru, _) = row_starting(base_annex, "12.2.")
    assert "10 (десяти)" in ru
    report = verify_document(edit_cell(base_annex, ru[:30], replace_in_runs("10 (десяти)", "11 (десяти)")))
    assert not report.ok
    assert [p.row for p in report.problems] == [row]
    assert problems_in_row(report, row)[0].startswith("numbers differ: 11 only in ru")


def test_a_date_changed_in_one_column_is_rejected(base_annex):
    row, (_, en) = row_starting(base_annex, "1.2.")
    report = verify_document(edit_cell(base_annex, en[:30], replace_in_runs("20 November 2026", "21 November 2026")))
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
    report = verify_document(edit_cell(letter, ru[:30], replace_in_runs("export-control@", "export@")))
    assert problems_in_row(report, row)[0].startswith("e-mail addresses differ: export@neuroset.example only in ru")


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
    report = verify_document(edit_cell(base_annex, ru[:30], whole_text(en)))
    assert problems_in_row(report, row) == [f"the ru column has no Cyrillic text: «{en[:70]}…»"]


def test_russian_pasted_into_the_english_column_is_rejected_when_english_is_on_the_left(screened, library):
    deal, screening = screened[BASE]
    annex = api.build_annex(deal, screening, library, columns=("en", "ru")).data
    row, (en, ru) = row_starting(annex, "3.3.")
    report = verify_document(edit_cell(annex, en[:30], whole_text(ru)))
    assert [m.split(":")[0] for m in problems_in_row(report, row)] == ["the en column has no Latin text"]


def test_an_english_sentence_added_to_a_russian_row_is_rejected(base_annex):
    row, (ru, _) = row_starting(base_annex, "3.2.")
    sentence = " Any breach hereof entitles us to terminate forthwith without liability whatsoever."
    report = verify_document(edit_cell(base_annex, ru[:30], lambda runs: runs[:-1] + [runs[-1] + sentence * 3]))
    assert [p.message.split(":")[0] for p in report.problems] == ["names differ", "the ru column looks like another "
                                                                  "language (en)"]
    assert {p.row for p in report.problems} == {row}


def test_the_english_text_kept_next_to_the_russian_is_rejected(base_annex):
    row, (ru, en) = row_starting(base_annex, "3.2.")
    report = verify_document(edit_cell(base_annex, ru[:30], lambda runs: runs[:-1] + [f"{runs[-1]} {en[5:]}"]))
    assert [p.message.split(":")[0] for p in report.problems if p.row == row] == [
        "the ru column repeats the other column's text"]


def test_an_english_indicator_title_removed_from_the_screening_report_is_rejected(screened, library):
    deal, screening = screened[BASE]
    data = api.build_report(deal, screening, library).data
    row, cells = row_starting(data, "13")
    title_ru = cells[1].split("\n")[0]
    report = verify_document(edit_cell(data, title_ru, lambda runs: [runs[0]] + [""] * (len(runs) - 1)))
    assert [(p.field, p.message.split(" (")[0]) for p in report.problems if p.row == row] == [
        ("indicator 13", "the en column is empty")]


def test_russian_pasted_into_a_single_language_english_letter_is_rejected(screened, library):
    deal, screening = screened[BASE]
    english = docx_rows(api.build_letter("notice", deal, screening, library, lang="en").data)
    russian = docx_rows(api.build_letter("notice", deal, screening, library, lang="ru").data)
    letter = api.build_letter("notice", deal, screening, library, lang="en").data
    damaged = with_document_xml(letter, lambda xml: xml.replace(english[3][0], html.escape(russian[3][0], quote=False)))
    report = verify_document(damaged)
    assert [(p.row, p.message.split(":")[0]) for p in report.problems] == [
        (4, "next to no Latin text in a letter in en")]


def test_a_single_language_letter_may_quote_a_value_given_only_in_the_other_language(library):
    from helpers import make_deal

    purpose = ("Sorting shipping documents in the company's own warehouse, including invoices, bills of lading, "
               "packing lists and customs declarations")
    deal = make_deal({"end_use.purpose": {"en": purpose}})
    letter = api.build_letter("end-user-statement", deal, api.screen_deal(deal), library, lang="ru")
    assert purpose in "\n".join(cell for row in docx_rows(letter.data) for cell in row)
    assert_passes(letter.data, "statement-ru.docx")


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
    assert [problem.split(":")[0] for problem in problems] == ["dates differ"]


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
        "the ru column repeats the other column's text"]


def test_clause_references_with_dots_are_compared_as_written():
    assert row_problems("См. пункты 4.10 и 11.2.", "See clauses 4.1 and 11.2.") != []


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


def run_verify(path) -> object:
    from click.testing import CliRunner

    from clausegen.cli import cli

    return CliRunner().invoke(cli, ["verify", str(path)], catch_exceptions=False)


def test_command_passes_a_generated_annex_with_exit_0(tmp_path, base_annex):
    path = tmp_path / "annex.docx"
    path.write_bytes(base_annex)
    result = run_verify(path)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.strip().endswith("no problems")


def test_command_prints_each_problem_with_its_row_and_exits_2(tmp_path, base_annex):
    row, (ru, _) = row_starting(base_annex, "12.2.")
    path = tmp_path / "damaged.docx"
    path.write_bytes(edit_cell(base_annex, ru[:30], replace_in_runs("10 (десяти)", "11 (десяти)")))
    result = run_verify(path)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert f"{path}, row {row}: numbers differ" in result.stderr


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
    assert len(written) == sum(len(outcome.files) for outcome in result.outcomes) == 26  # 8 examples
    problems = [str(problem) for path in written for problem in verify_file(path).problems]
    assert problems == []
