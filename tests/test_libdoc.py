"""The clause library as a Word (or Excel) document, both ways (issue 14, part 1).

`clausegen clauses export` writes the library as one bilingual review document; a lawyer edits it
in Word (typing, or with tracked changes) and `clausegen clauses import` writes back exactly the
accepted wording of the clauses that changed, each with its version bumped and locked, or refuses
with the clause, paragraph and column of what it cannot take.  The edits here are made with
python-docx and lxml the way Word stores them: text split across runs, typographic quotes, and
tracked changes (``w:ins`` kept, ``w:del`` dropped).
"""

from __future__ import annotations

import copy
import shutil
import statistics
import subprocess
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from helpers import invoke
from openpyxl import load_workbook

from clausegen.checks import check_library
from clausegen.errors import InputError
from clausegen.libdoc import changes_of, export_library, import_library
from clausegen.libdoc import words
from clausegen.libdoc.view import library_view
from clausegen.library import clauses_dir, load_library
from clausegen.lock import read_lock, text_hash

SHIPPED = clauses_dir()
CLAUSE = "delivery-saas"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the shipped library, lock included, to import into."""
    return Path(shutil.copytree(SHIPPED, tmp_path / "clauses"))


@pytest.fixture
def exported(library: Path, tmp_path: Path) -> Path:
    path, _ = export_library(load_library(library), tmp_path / "library.docx")
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ editing like Word


def clause_table(document: docx.document.Document, clause_id: str):
    """The review table of ``clause_id``: the first table after its heading."""
    body = document.element.body
    found = False
    for block in body.iterchildren():
        if block.tag == qn("w:p") and "".join(t.text or "" for t in block.iter(qn("w:t"))).startswith(
                f"{clause_id} v"):
            found = True
        elif block.tag == qn("w:tbl") and found:
            return block
    raise AssertionError(f"no table for {clause_id}")


def cell_paragraph(document, clause_id: str, number: int, lang: str):
    """The paragraph element of paragraph ``number`` of ``clause_id``, column ``lang``."""
    row = clause_table(document, clause_id).findall(qn("w:tr"))[number]  # row 0 is the header
    return row.findall(qn("w:tc"))[1 if lang == "ru" else 2].find(qn("w:p"))


def run(text: str, deleted: bool = False):
    element = docx.oxml.OxmlElement("w:r")
    text_element = docx.oxml.OxmlElement("w:delText" if deleted else "w:t")
    text_element.set(qn("xml:space"), "preserve")
    text_element.text = text
    element.append(text_element)
    return element


def tracked(kind: str, text: str):
    """A tracked insertion or deletion as Word writes it."""
    element = docx.oxml.OxmlElement(f"w:{kind}")
    element.set(qn("w:id"), "901" if kind == "ins" else "902")
    element.set(qn("w:author"), "Юрист")
    element.set(qn("w:date"), "2026-12-01T10:00:00Z")
    element.append(run(text, deleted=kind == "del"))
    return element


def replace_runs(paragraph, pieces) -> None:
    """The paragraph's runs (not its content controls' or properties) replaced by ``pieces``."""
    for child in list(paragraph):
        if child.tag != qn("w:pPr"):
            paragraph.remove(child)
    for piece in pieces:
        paragraph.append(piece)


#: delivery-saas, paragraph 2 in English, reworded in Word: split runs, smart quotes, a tracked
#: change («require» deleted, «demand» inserted) and an accepted insertion.
WORD_RUNS = [run("No cop"), run("ies of the AI Solution, its source or object code, or the weights or "),
             run("other parameters of its models are delivered to the Counterparty, and the Counterparty has no "
                 "right to "), tracked("del", "require"), tracked("ins", "demand"),
             run(" their delivery"), tracked("ins", " (the “No Delivery” rule)"), run(".")]
WORD_TEXT = ("No copies of the AI Solution, its source or object code, or the weights or other parameters of its "
             "models are delivered to the Counterparty, and the Counterparty has no right to demand their delivery "
             "(the “No Delivery” rule).")


def edit_in_word(path: Path, clause_id: str, number: int, lang: str, pieces) -> None:
    document = docx.Document(str(path))
    replace_runs(cell_paragraph(document, clause_id, number, lang), pieces)
    document.save(str(path))


# ------------------------------------------------------------------ the words


def test_every_variable_and_condition_of_the_shipped_clauses_is_in_words():
    missing: list[str] = []
    library_view(load_library(SHIPPED), missing)
    assert missing == []


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_placeholder_labels_are_unique_in_each_language(lang):
    labels = [entry[lang] for entry in words.vocabulary()["variables"].values()]
    assert len(labels) == len(set(labels))


def test_a_catalogue_condition_reads_as_words_in_both_languages():
    when = load_library(SHIPPED).get(CLAUSE).meta.when
    assert words.when_words(when, "en") == "only when the AI Solution is provided as SaaS (remote access)"
    assert words.when_words(when, "ru") == "только если Решение ИИ предоставляется как SaaS (удалённый доступ)"


def test_a_counterparty_name_is_a_readable_placeholder_in_both_columns():
    assert words.variable_label("counterparty.name", "ru", {}) == "[наименование Контрагента]"
    assert words.variable_label("counterparty.name", "en", {}) == "[Counterparty name]"


# ------------------------------------------------------------------ export


def test_export_holds_every_clause_with_its_heading_and_rows(exported: Path):
    document = docx.Document(str(exported))
    text = "\n".join(p.text for p in document.paragraphs)
    for clause in load_library(SHIPPED).clauses.values():
        assert f"{clause.id} v{clause.meta.version} — {clause.meta.title.ru} / {clause.meta.title.en}" in text
    assert "Условие: только если Решение ИИ предоставляется как SaaS (удалённый доступ)." in text


def test_placeholders_and_markers_are_locked_content_controls(exported: Path):
    row = cell_paragraph(docx.Document(str(exported)), CLAUSE, 5, "en")
    controls = row.findall(qn("w:sdt"))
    texts = ["".join(t.text for t in c.iter(qn("w:t"))) for c in controls]
    assert texts == ["{if the Counterparty can modify the AI Solution:}", "{end of condition}"]
    assert {c.find(qn("w:sdtPr")).find(qn("w:lock")).get(qn("w:val")) for c in controls} == {"contentLocked"}


@pytest.mark.parametrize("suffix", ["docx", "xlsx"])
def test_the_same_library_exports_the_same_bytes(tmp_path: Path, suffix):
    library = load_library(SHIPPED)
    first, _ = export_library(library, tmp_path / f"a.{suffix}")
    second, _ = export_library(library, tmp_path / f"b.{suffix}")
    assert first.read_bytes() == second.read_bytes()


# ------------------------------------------------------------------ import


@pytest.mark.parametrize("suffix", ["docx", "xlsx"])
def test_a_round_trip_without_edits_changes_no_byte_of_the_library(library: Path, tmp_path: Path, suffix):
    before = snapshot(library)
    path, _ = export_library(load_library(library), tmp_path / f"library.{suffix}")
    result = import_library(path, library)
    assert (result.changes, result.written) == ([], False)
    assert snapshot(library) == before


def test_a_word_edit_is_imported_as_that_exact_wording_with_a_bumped_version(library: Path, exported: Path):
    old = load_library(library).get(CLAUSE)
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    result = import_library(exported, library)
    new = load_library(library).get(CLAUSE)
    paragraphs = new.en.split("\n\n")
    assert paragraphs[1] == WORD_TEXT
    assert new.en.replace(WORD_TEXT, "") == old.en.replace(old.en.split("\n\n")[1], "")
    assert new.ru == old.ru
    assert (new.meta.version, [c.id for c in result.changes]) == (old.meta.version + 1, [CLAUSE])


def test_an_imported_edit_is_locked_and_the_library_passes_check(library: Path, exported: Path):
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    import_library(exported, library)
    locked, _ = read_lock(library)
    clause = load_library(library).get(CLAUSE)
    assert locked[CLAUSE][str(clause.meta.version)]["text"] == text_hash(clause)
    assert check_library(library)[1] == []


def test_the_summary_names_the_clause_the_column_and_the_words(library: Path, exported: Path):
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    (change,) = changes_of(exported, load_library(library))
    assert change.lines == ("¶2 EN: − “require” + “demand” − “delivery.” + “delivery (the “No Delivery” rule).”",)


def test_typographic_quotes_are_kept_as_typed_without_a_warning(library: Path, exported: Path):
    # Rendering shows one quote style per column whatever the source holds (clausegen.quotes).
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    (change,) = changes_of(exported, load_library(library))
    assert "(the “No Delivery” rule)" in change.en
    assert change.warnings == ()


def test_only_the_changed_clause_files_are_written(library: Path, exported: Path):
    before = snapshot(library)
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    import_library(exported, library)
    changed = {name for name, data in snapshot(library).items() if before.get(name) != data}
    assert changed == {f"en/{CLAUSE}.txt", "catalogue.yaml", "clauses.lock"}


def test_text_around_a_placeholder_can_be_edited(library: Path, exported: Path):
    document = docx.Document(str(exported))
    paragraph = cell_paragraph(document, CLAUSE, 4, "en")
    first = paragraph.find(qn("w:r")).find(qn("w:t"))
    first.text = first.text.replace("may be used only by", "is reserved to")
    document.save(str(exported))
    import_library(exported, library)
    assert "Access to the AI Solution is reserved to the End Users identified in accordance with Clause " \
           "{{ ref('end-users-flow-down') }} and" in load_library(library).get(CLAUSE).en


def test_dry_run_reports_the_change_and_writes_nothing(library: Path, exported: Path):
    before = snapshot(library)
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    result = import_library(exported, library, dry_run=True)
    assert ([c.id for c in result.changes], result.written) == ([CLAUSE], False)
    assert snapshot(library) == before


def refused(path: Path, library: Path) -> list[str]:
    before = snapshot(library)
    with pytest.raises(InputError) as error:
        import_library(path, library)
    assert snapshot(library) == before
    return [str(problem) for problem in error.value.problems]


def test_a_reworded_placeholder_is_refused_naming_clause_paragraph_and_column(library: Path, exported: Path):
    document = docx.Document(str(exported))
    control = cell_paragraph(document, CLAUSE, 4, "en").find(qn("w:sdt"))
    control.find(".//" + qn("w:t")).text = "[number of the End Users clause]"
    document.save(str(exported))
    assert refused(exported, library) == [
        f"{exported}, clause {CLAUSE}, paragraph 4, EN column: placeholder “[number of Clause “End Users”]” was "
        "changed to “[number of the End Users clause]”: placeholders cannot be edited"]


def test_a_placeholder_broken_in_plain_text_is_refused(library: Path, exported: Path):
    document = docx.Document(str(exported))
    paragraph = cell_paragraph(document, CLAUSE, 4, "ru")
    control = paragraph.find(qn("w:sdt"))
    paragraph.replace(control, run("[№ статьи «Конечные пользовател"))
    document.save(str(exported))
    problems = refused(exported, library)
    assert problems == [f"{exported}, clause {CLAUSE}, paragraph 4, RU column: placeholder “[№ статьи «Конечные "
                        "пользователи»]” is missing (deleted, or its words or brackets broken)"]


def test_a_removed_condition_marker_is_refused(library: Path, exported: Path):
    document = docx.Document(str(exported))
    paragraph = cell_paragraph(document, CLAUSE, 5, "ru")
    paragraph.remove(paragraph.findall(qn("w:sdt"))[-1])
    document.save(str(exported))
    assert refused(exported, library) == [
        f"{exported}, clause {CLAUSE}, paragraph 5, RU column: condition marker “{{конец условия}}” was removed"]


def test_a_paragraph_emptied_in_one_column_only_is_refused(library: Path, exported: Path):
    edit_in_word(exported, CLAUSE, 3, "en", [])
    assert refused(exported, library) == [
        f"{exported}, clause {CLAUSE}, paragraph 3: a paragraph removed from one column only: the EN cell is "
        "empty and the RU one is not"]


def test_a_row_added_with_one_column_only_is_refused(library: Path, exported: Path):
    document = docx.Document(str(exported))
    table = clause_table(document, CLAUSE)
    row = copy.deepcopy(table.findall(qn("w:tr"))[2])
    cells = row.findall(qn("w:tc"))
    replace_runs(cells[0].find(qn("w:p")), [])
    replace_runs(cells[1].find(qn("w:p")), [run("Новый абзац.")])
    replace_runs(cells[2].find(qn("w:p")), [])
    table.append(row)
    document.save(str(exported))
    assert refused(exported, library) == [
        f"{exported}, clause {CLAUSE}, new paragraph: a paragraph added to one column only: the EN cell is empty "
        "and the RU one is not"]


def test_a_row_added_in_both_columns_becomes_a_new_paragraph(library: Path, exported: Path):
    document = docx.Document(str(exported))
    table = clause_table(document, CLAUSE)
    row = copy.deepcopy(table.findall(qn("w:tr"))[2])
    cells = row.findall(qn("w:tc"))
    replace_runs(cells[0].find(qn("w:p")), [])
    replace_runs(cells[1].find(qn("w:p")), [run("Стороны вправе изменить настоящую статью.")])
    replace_runs(cells[2].find(qn("w:p")), [run("The Parties may amend this Clause.")])
    table.append(row)
    document.save(str(exported))
    import_library(exported, library)
    clause = load_library(library).get(CLAUSE)
    assert clause.en.endswith("\n\nThe Parties may amend this Clause.\n")
    assert clause.ru.endswith("\n\nСтороны вправе изменить настоящую статью.\n")


def test_template_syntax_typed_into_a_cell_is_refused(library: Path, exported: Path):
    edit_in_word(exported, CLAUSE, 2, "en", [run("No copies {{ deal.secret }} are delivered.")])
    assert refused(exported, library) == [
        f"{exported}, clause {CLAUSE}, paragraph 2, EN column: “{{{{” is template syntax and cannot be typed into "
        "a clause text"]


def test_an_edit_of_a_clause_exported_at_an_older_version_is_refused(library: Path, exported: Path):
    version = load_library(library).get(CLAUSE).meta.version
    invoke("clauses", "bump", CLAUSE, "--clauses", library)
    edit_in_word(exported, CLAUSE, 2, "en", WORD_RUNS)
    (problem,) = refused(exported, library)
    assert f"exported at version {version}, but the library now has version {version + 1}" in problem


def test_an_xlsx_edit_is_imported_with_placeholders_typed_as_words(library: Path, tmp_path: Path):
    path, _ = export_library(load_library(library), tmp_path / "library.xlsx")
    workbook = load_workbook(path)
    sheet = workbook["Статьи"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == CLAUSE and row[3].value == 4:
            row[5].value = row[5].value.replace("may be used only by", "is reserved to")
    workbook.save(path)
    (change,) = import_library(path, library).changes
    assert change.lines == ("¶4 EN: − “may be used only by” + “is reserved to”",)
    assert "{{ ref('end-users-flow-down') }}" in load_library(library).get(CLAUSE).en


def test_an_xlsx_placeholder_renamed_is_refused(library: Path, tmp_path: Path):
    path, _ = export_library(load_library(library), tmp_path / "library.xlsx")
    workbook = load_workbook(path)
    for row in workbook["Статьи"].iter_rows(min_row=2):
        if row[0].value == CLAUSE and row[3].value == 4:
            row[5].value = row[5].value.replace("[number of Clause “End Users”]", "[End Users clause]")
            where = row[0].row
    workbook.save(path)
    problems = refused(path, library)
    assert f"{path}, clause {CLAUSE}, paragraph 4, EN column: unknown placeholder “[End Users clause]” (broken or " \
           "renamed?); brackets and braces are kept for placeholders and conditions" in problems
    assert where > 1


# ------------------------------------------------------------------ the commands


def test_clauses_export_and_import_commands(library: Path, tmp_path: Path):
    target = tmp_path / "review.docx"
    version = load_library(library).get(CLAUSE).meta.version
    exported = invoke("clauses", "export", "-o", target, "--clauses", library)
    assert (exported.exit_code, exported.stdout) == (0, f"{target}: 69 clauses\n")
    edit_in_word(target, CLAUSE, 2, "en", WORD_RUNS)
    imported = invoke("clauses", "import", target, "--clauses", library)
    assert imported.exit_code == 0
    assert imported.stdout.splitlines()[:2] == [f"{CLAUSE}: version {version} -> {version + 1}",
                                                "  ¶2 EN: − “require” + “demand” − “delivery.” + “delivery (the "
                                                "“No Delivery” rule).”"]


def test_clauses_import_refusal_exits_2_with_the_location(library: Path, exported: Path):
    edit_in_word(exported, CLAUSE, 3, "ru", [])
    result = invoke("clauses", "import", exported, "--clauses", library)
    assert result.exit_code == 2
    assert f"clause {CLAUSE}, paragraph 3: a paragraph removed from one column only" in result.stderr


def test_format_follows_the_suffix_and_the_option(tmp_path: Path):
    invoke("clauses", "export", "-o", tmp_path / "a.xlsx")
    invoke("clauses", "export", "-o", tmp_path / "b.bin", "--format", "xlsx")
    assert load_workbook(tmp_path / "a.xlsx")["Статьи"]["A1"].value == "id"
    with (tmp_path / "b.bin").open("rb") as handle:
        assert load_workbook(handle)["Статьи"]["A1"].value == "id"


def test_round_trip_time_of_the_whole_library_is_measured(library: Path, tmp_path: Path, record_property):
    """Not a limit: the median of five export + import round trips, recorded for the report."""
    times = []
    for attempt in range(5):
        start = time.perf_counter()
        path, _ = export_library(load_library(library), tmp_path / f"r{attempt}.docx")
        import_library(path, library)
        times.append(time.perf_counter() - start)
    record_property("round_trip_median_s", round(statistics.median(times), 3))
    assert len(times) == 5


# ------------------------------------------------------------------ LibreOffice


@pytest.mark.libreoffice
def test_a_template_resaved_by_libreoffice_renders_the_same_rows(tmp_path: Path):
    from clausegen import api
    from clausegen.library import templates_dir
    from clausegen.render import docx_rows
    from helpers import COMPANY, EXAMPLE_DEALS

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    resaved = tmp_path / "templates"
    shutil.copytree(templates_dir(), resaved)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"),
                    str(resaved / "annex.docx")], check=True, capture_output=True, timeout=600)
    shutil.copy(tmp_path / "out" / "annex.docx", resaved / "annex.docx")
    with zipfile.ZipFile(resaved / "annex.docx") as package:
        assert "&apos;title&apos;" in package.read("word/document.xml").decode("utf-8")  # what LibreOffice writes
    validated = api.load_deal(EXAMPLE_DEALS["saas-clinic-ae"], COMPANY)
    screening = api.screen_deal(validated.deal)
    library = load_library()
    shipped = api.build_annex(validated.deal, screening, library, None)
    again = api.build_annex(validated.deal, screening, library, resaved)
    assert docx_rows(again.data) == docx_rows(shipped.data)


@pytest.mark.libreoffice
def test_a_review_document_saved_by_libreoffice_imports_without_a_change(library: Path, exported: Path,
                                                                          tmp_path: Path):
    """LibreOffice 7.4 keeps the content controls but drops their tags and locks: the words map back."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"), str(exported)],
                   check=True, capture_output=True, timeout=600)
    before = snapshot(library)
    result = import_library(tmp_path / "out" / "library.docx", library)
    assert (result.changes, snapshot(library)) == ([], before)
