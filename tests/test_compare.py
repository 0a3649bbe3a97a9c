"""`clausegen compare` (issue 14, part 3): what a counterparty changed in a returned annex, as a summary and
a Word redline; `batch` writes a redline beside an annex that a library change rewrote.

Returned copies are made from a generated annex the way Word stores edits: a typed change splits the run
it is typed into (:func:`typed`), a tracked change wraps the old words in ``w:del`` and the new ones in
``w:ins`` by their author (:func:`tracked`).
"""

from __future__ import annotations

import copy
import io
import os
import random
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import COMPANY, EXAMPLES, ROOT, invoke
from lxml import etree

from clausegen import compare, redline
from clausegen.batch import run_batch
from clausegen.errors import ExitCode, InputError
from clausegen.library import load_library

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
BASE = "saas-clinic-ae"
COUNTERPARTY = "Omar Haddad"
MILITARY = ", or any other military purpose"  # end-use-restriction (Declaration 5.2), clause 4.1 (c)

_SHIPPED = load_library()


def at(clause_id: str) -> str:
    """How the summary names a clause of the shipped library: id@version (versions move as texts do)."""
    return f"{clause_id}@{_SHIPPED.get(clause_id).meta.version}"


# ------------------------------------------------------------------ making returned copies


def with_tree(data: bytes, edit: Callable[[etree._Element], None], modified: str | None = None) -> bytes:
    """A copy of the DOCX with word/document.xml edited as a tree (and, given, a new modified date)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                tree = etree.fromstring(part)
                edit(tree)
                part = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif info.filename == "docProps/core.xml" and modified is not None:
                part = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + modified.encode(), part)
            target.writestr(info, part)
    return out.getvalue()


def _run_holding(tree: etree._Element, cell_start: str, old: str) -> etree._Element:
    for cell in tree.iter(W + "tc"):
        if "".join(t.text or "" for t in cell.iter(W + "t")).startswith(cell_start):
            for run in cell.iter(W + "r"):
                if old in _run_text(run):
                    return run
    raise AssertionError(f"no run holding {old!r} in a cell starting {cell_start!r}")


def _run_text(run: etree._Element) -> str:
    """The run's text as Word shows it: a name's non-breaking hyphen (clausegen.render) is a hyphen."""
    marks = {W + "br": "\n", W + "noBreakHyphen": "-"}
    return "".join(t.text or "" if t.tag == W + "t" else marks[t.tag] for t in run.iter(W + "t", *marks))


def _split(run: etree._Element, old: str) -> tuple[etree._Element, etree._Element, etree._Element]:
    """``run`` cut in three runs of its formatting: before ``old``, ``old``, after it (line breaks kept)."""
    text = _run_text(run)
    at = text.index(old)
    pieces = []
    for part in (text[:at], old, text[at + len(old):]):
        piece = etree.Element(W + "r")
        if run.find(W + "rPr") is not None:
            piece.append(copy.deepcopy(run.find(W + "rPr")))
        for index, line in enumerate(part.split("\n")):
            if index:
                etree.SubElement(piece, W + "br")
            t = etree.SubElement(piece, W + "t")
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        pieces.append(piece)
    run.addnext(pieces[0])
    pieces[0].addnext(pieces[1])
    pieces[1].addnext(pieces[2])
    run.getparent().remove(run)
    return pieces[0], pieces[1], pieces[2]


def typed(data: bytes, cell_start: str, old: str, new: str) -> bytes:
    """``old`` retyped as ``new`` without tracking: Word keeps the new words in a run of their own."""
    def edit(tree: etree._Element) -> None:
        _, middle, _ = _split(_run_holding(tree, cell_start, old), old)
        middle.find(W + "t").text = new
        middle.set(W + "rsidR", "00A1B2C3")
    return with_tree(data, edit)


def tracked(data: bytes, cell_start: str, old: str, new: str, author: str = COUNTERPARTY) -> bytes:
    """``old`` replaced by ``new`` with tracked changes on, by ``author``."""
    def edit(tree: etree._Element) -> None:
        _, middle, _ = _split(_run_holding(tree, cell_start, old), old)
        deletion = etree.Element(W + "del", {W + "id": "901", W + "author": author, W + "date": "2026-12-01T10:00:00Z"})
        middle.addprevious(deletion)
        deletion.append(middle)
        middle.find(W + "t").tag = W + "delText"
        if new:
            insertion = etree.Element(W + "ins", {W + "id": "902", W + "author": author,
                                                  W + "date": "2026-12-01T10:00:00Z"})
            added = copy.deepcopy(middle)
            added.find(W + "delText").tag = W + "t"
            added.find(W + "t").text = new
            insertion.append(added)
            deletion.addnext(insertion)
    return with_tree(data, edit)


def row_removed(data: bytes, cell_start: str) -> bytes:
    def edit(tree: etree._Element) -> None:
        for row in tree.iter(W + "tr"):
            if "".join(t.text or "" for t in row.iter(W + "t")).startswith(cell_start):
                row.getparent().remove(row)
                return
        raise AssertionError(cell_start)
    return with_tree(data, edit)


def row_copied(data: bytes, cell_start: str, ru: str, en: str) -> bytes:
    """A row saying ``ru`` | ``en`` added after the row starting ``cell_start`` (untracked)."""
    def edit(tree: etree._Element) -> None:
        for row in tree.iter(W + "tr"):
            if "".join(t.text or "" for t in row.iter(W + "t")).startswith(cell_start):
                added = copy.deepcopy(row)
                for cell, text in zip(added.findall(W + "tc"), (ru, en), strict=True):
                    texts = list(cell.iter(W + "t"))
                    texts[0].text = text
                    for t in texts[1:]:
                        t.text = ""
                row.addnext(added)
                return
        raise AssertionError(cell_start)
    return with_tree(data, edit)


def tracked_marks(data: bytes) -> list[tuple[str, str, str]]:
    """(kind, author, text) of every w:ins and w:del run in the body, in order."""
    tree = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    found = []
    for mark in tree.iter(W + "ins", W + "del"):
        if mark.getparent().tag in (W + "rPr", W + "trPr"):
            continue
        text = "".join(t.text or "" for t in mark.iter(W + "t", W + "delText"))
        found.append((etree.QName(mark).localname, mark.get(W + "author"), text))
    return found


@pytest.fixture(scope="module")
def sent(annexes) -> bytes:
    return annexes[BASE].generated.data


@pytest.fixture(scope="module")
def cells(sent) -> dict[str, tuple[str, str]]:
    """The Russian and English text of the annex's clause rows, by clause number ("4.1")."""
    rows = {}
    for row in redline.read(sent).rows:
        texts = row.texts("current")
        found = re.match(r"(\d+\.\d+)\. ", texts[0])
        if found and len(texts) == 2:
            rows[found.group(1)] = texts
    return rows


def changes_of(sent: bytes, returned: bytes) -> list[str]:
    return [str(change) for change in compare.compare_documents(sent, returned).changes]


# ------------------------------------------------------------------ what changed


def test_a_one_word_change_in_the_russian_column_is_named_by_clause_column_and_words(sent, cells):
    returned = typed(sent, cells["5.2"][0][:30], "обязуется", "вправе")
    assert changes_of(sent, returned) == [f"row 37 ({at('end-users-flow-down')}, 5.2), ru: «обязуется» → «вправе»"]


def test_a_one_word_change_in_the_english_column_is_named_by_clause_column_and_words(sent, cells):
    returned = typed(sent, cells["4.2"][1][:30], "shall not assist", "shall not knowingly assist")
    assert changes_of(sent, returned) == [f"row 33 ({at('end-use-restriction')}, 4.2), en: added «knowingly»"]


def test_the_phrase_deleted_from_the_end_use_restriction_is_found(sent, cells):
    returned = typed(sent, cells["4.1"][1][:30], MILITARY, "")
    assert changes_of(sent, returned) == [f"row 32 ({at('end-use-restriction')}, 4.1), en: deleted «{MILITARY}»"]


def test_a_change_in_the_preamble_is_named_by_its_clause(sent):
    returned = typed(sent, "Neuroset Limited", "Gulf Vision Analytics FZ-LLC", "Gulf Vision Holdings Ltd")
    # the sent name's hyphen is non-breaking (a name never breaks across lines), and the redline reads it so
    assert changes_of(sent, returned) == [f"row 4 ({at('annex-preamble')}), en: «Analytics FZ\u2011LLC» → «Holdings Ltd»"]


def test_an_identical_document_has_no_changes(sent):
    comparison = compare.compare_documents(sent, sent)
    assert comparison.identical
    assert comparison.summary() == "returned.docx: no change from sent.docx"


def test_a_deleted_row_is_reported_with_its_clause(sent, cells):
    returned = row_removed(sent, cells["4.3"][0][:30])
    (change,) = changes_of(sent, returned)
    assert change.startswith(f"sent row 34 ({at('end-use-restriction')}, 4.3): row deleted: «4.3. Контрагент обязуется")


def test_an_added_row_is_reported(sent, cells):
    returned = row_copied(sent, cells["4.3"][0][:30], "4.4. Новое условие.", "4.4. A new term.")
    assert changes_of(sent, returned) == [
        f"row 35 ({at('end-use-restriction')}, 4.4): row added: «4.4. Новое условие. | 4.4. A new term.»"]


def test_the_counterpartys_tracked_change_is_reported_as_tracked_by_it(sent, cells):
    returned = tracked(sent, cells["5.2"][1][:30], "shall bind", "may bind")
    assert changes_of(sent, returned) == [
        f"row 37 ({at('end-users-flow-down')}, 5.2), en: «shall» → «may» [tracked by {COUNTERPARTY}]"]


def test_a_document_that_is_no_docx_is_refused_naming_it(sent):
    with pytest.raises(InputError, match="returned.docx: not a DOCX file"):
        compare.compare_documents(sent, b"plain text")


# ------------------------------------------------------------------ the redline


def test_the_redline_tracks_the_deleted_and_inserted_words_by_clausegen(sent, cells):
    returned = typed(sent, cells["5.2"][0][:30], "обязуется", "вправе")
    marks = tracked_marks(compare.compare_documents(sent, returned).redline)
    assert marks == [("del", "clausegen", "обязуется"), ("ins", "clausegen", "вправе")]


def test_rejecting_the_redline_gives_the_sent_text_and_accepting_it_the_returned_text(sent, cells):
    returned = typed(typed(sent, cells["4.1"][1][:30], MILITARY, ""), cells["5.2"][0][:30], "обязуется",
                     "вправе")
    returned = row_copied(row_removed(returned, cells["8.2"][0][:30]), cells["4.3"][0][:30], "Новый.", "New.")
    marked = redline.read(compare.compare_documents(sent, returned).redline)
    assert [row.texts("base") for row in marked.rows if row.state != "ins"] \
        == [row.texts("current") for row in redline.read(sent).rows]
    assert [row.texts("current") for row in marked.rows if row.state != "del"] \
        == [row.texts("current") for row in redline.read(returned).rows]


def _mutate(tree: etree._Element, rng: random.Random) -> None:
    """A few edits a counterparty might make: words typed, deleted or replaced, rows removed or copied, a
    paragraph copied, a run deleted or a word inserted with tracked changes on."""
    words = ["и", "не", "shall", "may", "Поставщик", "the", ",", "«новое»", "", "  "]
    for _ in range(rng.randint(1, 6)):
        runs = [r for r in tree.iter(W + "r") if r.find(W + "t") is not None]
        rows = list(tree.iter(W + "tr"))
        choice = rng.random()
        if choice < 0.6:
            t = rng.choice(runs).find(W + "t")
            text = (t.text or "").split(" ")
            at = rng.randrange(len(text))
            text[at:at + rng.randint(0, 1)] = [rng.choice(words)] if rng.random() < 0.7 else []
            t.text = " ".join(text)
        elif choice < 0.7 and len(rows) > 2:
            row = rng.choice(rows)
            row.getparent().remove(row)
        elif choice < 0.8:
            rng.choice(rows).addnext(copy.deepcopy(rng.choice(rows)))
        elif choice < 0.9:
            paragraphs = list(tree.iter(W + "p"))
            rng.choice(paragraphs).addnext(copy.deepcopy(rng.choice(paragraphs)))
        else:
            run = rng.choice(runs)
            if run.getparent().tag != W + "p":
                continue
            if rng.random() < 0.5:
                mark = etree.Element(W + "del", {W + "id": "7", W + "author": COUNTERPARTY})
                run.addprevious(mark)
                mark.append(run)
                for t in run.findall(W + "t"):
                    t.tag = W + "delText"
            else:
                added = copy.deepcopy(run)
                added.find(W + "t").text = rng.choice(words) + " "
                mark = etree.Element(W + "ins", {W + "id": "8", W + "author": COUNTERPARTY})
                mark.append(added)
                run.addnext(mark)


def _texts(rows: list[redline.Row], view: str, leave_out: str = "none") -> list[tuple[str, ...]]:
    """The rows' texts in ``view`` (base: changes rejected; current: accepted), a row tracked as ``leave_out``
    (inserted, deleted) left out, spacing normalised, empty rows dropped."""
    found = [tuple(" ".join(cell.split()) for cell in row.texts(view)) for row in rows if row.state != leave_out]
    return [cells for cells in found if any(cells)]


def test_for_random_edits_rejecting_the_redline_gives_the_sent_text_and_accepting_it_the_returned_text(annexes):
    rng = random.Random(14)
    sents = [annexes[stem].generated.data for stem in sorted(annexes)]
    for case in range(30):
        sent = rng.choice(sents)
        returned = with_tree(sent, lambda tree: _mutate(tree, rng))
        marked = redline.read(compare.compare_documents(sent, returned).redline).rows
        assert _texts(marked, "base", "ins") == _texts(redline.read(sent).rows, "current"), f"case {case}"
        assert _texts(marked, "current", "del") == _texts(redline.read(returned).rows, "current"), f"case {case}"


def test_the_counterpartys_tracked_changes_stay_attributed_to_it_beside_clausegens(sent, cells):
    returned = tracked(sent, cells["5.2"][1][:30], "shall bind", "may bind")
    returned = typed(returned, cells["4.1"][1][:30], MILITARY, "")  # and one it did not track
    marks = tracked_marks(compare.compare_documents(sent, returned).redline)
    assert marks == [("del", "clausegen", MILITARY), ("del", COUNTERPARTY, "shall bind"),
                     ("ins", COUNTERPARTY, "may bind")]


def test_added_and_deleted_rows_are_tracked_as_rows(sent, cells):
    returned = row_copied(row_removed(sent, cells["8.2"][0][:30]), cells["4.3"][0][:30], "Новый.", "New.")
    tree = etree.fromstring(zipfile.ZipFile(io.BytesIO(compare.compare_documents(sent, returned).redline))
                            .read("word/document.xml"))
    rows = {etree.QName(mark).localname: "".join(t.text or "" for t in mark.getparent().getparent()
                                                 .iter(W + "t", W + "delText"))
            for mark in tree.iter(W + "ins", W + "del") if mark.getparent().tag == W + "trPr"}
    assert rows["ins"] == "Новый.New."
    assert rows["del"] == "".join(cells["8.2"])


def test_the_redline_is_dated_as_the_returned_document_and_the_same_every_time(sent, cells):
    returned = with_tree(typed(sent, cells["5.2"][0][:30], "обязуется", "вправе"), lambda tree: None,
                         modified="2026-12-01T09:30:00Z")
    first = compare.compare_documents(sent, returned).redline
    assert first == compare.compare_documents(sent, returned).redline
    dates = set(re.findall(rb'w:date="([^"]*)"', zipfile.ZipFile(io.BytesIO(first)).read("word/document.xml")))
    assert dates == {b"2026-12-01T09:30:00Z"}


# ------------------------------------------------------------------ the command


def test_compare_prints_the_changes_writes_the_redline_and_exits_1(sent, cells, tmp_path):
    (tmp_path / "sent.docx").write_bytes(sent)
    (tmp_path / "back.docx").write_bytes(typed(sent, cells["4.1"][1][:30], MILITARY, ""))
    result = invoke("compare", str(tmp_path / "sent.docx"), str(tmp_path / "back.docx"),
                    "-o", str(tmp_path / "redline.docx"))
    assert result.exit_code == ExitCode.FAILURE
    assert f"row 32 ({at('end-use-restriction')}, 4.1), en: deleted «{MILITARY}»" in result.stdout
    assert ("del", "clausegen", MILITARY) in tracked_marks((tmp_path / "redline.docx").read_bytes())


def test_compare_of_identical_documents_exits_0(sent, tmp_path):
    (tmp_path / "sent.docx").write_bytes(sent)
    result = invoke("compare", str(tmp_path / "sent.docx"), str(tmp_path / "sent.docx"))
    assert result.exit_code == ExitCode.OK
    assert "no change" in result.stdout


def test_compare_of_a_file_that_is_no_docx_exits_2_and_writes_nothing(sent, tmp_path):
    (tmp_path / "sent.docx").write_bytes(sent)
    (tmp_path / "back.docx").write_text("not a document")
    result = invoke("compare", str(tmp_path / "sent.docx"), str(tmp_path / "back.docx"),
                    "-o", str(tmp_path / "redline.docx"))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "back.docx: not a DOCX file" in result.stderr
    assert not (tmp_path / "redline.docx").exists()


def test_compare_against_the_register_regenerates_the_sent_annex(cells, tmp_path):
    register = str(tmp_path / "register.sqlite")
    made = invoke("annex", str(EXAMPLES / f"{BASE}.yaml"), "--company", str(COMPANY), "-o",
                  str(tmp_path / "annex.docx"), "--register", register)
    assert made.exit_code == 0, made.output
    back = tmp_path / "back.docx"
    back.write_bytes(typed((tmp_path / "annex.docx").read_bytes(), cells["4.1"][1][:30], MILITARY, ""))
    result = invoke("compare", "--against-register", str(back), "--register", register)
    assert result.exit_code == ExitCode.FAILURE, result.output
    assert f"({at('end-use-restriction')}, 4.1), en: deleted «{MILITARY}»" in result.stdout
    assert "from the annex of record 1" in result.stdout


def test_compare_against_a_register_without_the_deal_says_so(sent, tmp_path):
    (tmp_path / "back.docx").write_bytes(sent)
    empty = tmp_path / "empty.sqlite"
    invoke("annex", str(EXAMPLES / "hardware-camera-vn.yaml"), "--company", str(COMPANY), "-o",
           str(tmp_path / "other.docx"), "--register", str(empty))
    result = invoke("compare", "--against-register", str(tmp_path / "back.docx"), "--register", str(empty))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "back.docx: no annex of deal 'EXP-2026-0142'" in result.stderr


# ------------------------------------------------------------------ batch


def test_batch_writes_a_redline_beside_an_annex_a_clause_change_rewrote_and_names_the_clause(tmp_path):
    library = tmp_path / "clauses"
    shutil.copytree(ROOT / "clauses", library)
    deals = tmp_path / "deals"
    deals.mkdir()
    shutil.copy(EXAMPLES / f"{BASE}.yaml", deals)
    out = tmp_path / "out"
    options = dict(company=COMPANY, clauses=library, parts=("annex",), record=False)
    run_batch(deals, out, **options)
    text = library / "en" / "end-use-restriction.txt"
    text.write_text(text.read_text(encoding="utf-8").replace(MILITARY, ""), encoding="utf-8")
    assert invoke("clauses", "bump", "end-use-restriction", "--clauses", str(library)).exit_code == 0
    result = run_batch(deals, out, **options)
    deal = next(o for o in result.outcomes).deal_id
    redline_file = f"{deal}/{deal}-annex.redline.docx"
    before = _SHIPPED.get("end-use-restriction").meta.version
    assert f"  {deal}: annex changed in end-use-restriction@{before}→{before + 1}; redline {redline_file}" \
        in result.summary().splitlines()
    marks = tracked_marks((out / redline_file).read_bytes())
    assert ("del", "clausegen", MILITARY) in marks


def test_batch_command_prints_the_redline_line_though_it_keeps_no_outcome(tmp_path):
    library = tmp_path / "clauses"
    shutil.copytree(ROOT / "clauses", library)
    deals = tmp_path / "deals"
    deals.mkdir()
    shutil.copy(EXAMPLES / f"{BASE}.yaml", deals)
    out = tmp_path / "out"
    command = ("batch", deals, "-o", out, "--company", COMPANY, "--clauses", library, "--documents", "annex",
               "--no-register")
    assert invoke(*command).exit_code == 0
    text = library / "en" / "end-use-restriction.txt"
    text.write_text(text.read_text(encoding="utf-8").replace(MILITARY, ""), encoding="utf-8")
    assert invoke("clauses", "bump", "end-use-restriction", "--clauses", str(library)).exit_code == 0
    result = invoke(*command)
    deal = next(path.name for path in out.iterdir() if path.is_dir())
    before = _SHIPPED.get("end-use-restriction").meta.version
    assert (f"  {deal}: annex changed in end-use-restriction@{before}→{before + 1}; "
            f"redline {deal}/{deal}-annex.redline.docx") in result.stdout.splitlines()


def test_batch_writes_no_redline_for_an_annex_it_made_for_the_first_time(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    shutil.copy(EXAMPLES / f"{BASE}.yaml", deals)
    result = run_batch(deals, tmp_path / "out", company=COMPANY, parts=("annex",), record=False)
    assert not list((tmp_path / "out").rglob("*.redline.docx"))
    assert len(result.summary().splitlines()) == 1


# ------------------------------------------------------------------ LibreOffice


def _libreoffice() -> tuple[str, str]:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if not (soffice and pdftotext):
        if os.environ.get("CLAUSEGEN_REQUIRE_READERS", "") not in ("", "0"):
            pytest.fail("soffice or pdftotext not found, and CLAUSEGEN_REQUIRE_READERS is set")
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed; CI installs both")
    return soffice, pdftotext


def _convert(path: Path, to: str, folder: Path) -> Path:
    """``path`` converted by LibreOffice headless (``to``: pdf, or docx as Word 2007-365) into ``folder``."""
    soffice, _ = _libreoffice()
    folder.mkdir(exist_ok=True)
    target = "pdf" if to == "pdf" else "docx:MS Word 2007 XML"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder.parent}/profile", "--convert-to",
                    target, "--outdir", str(folder), str(path)], check=True, capture_output=True, timeout=900)
    return folder / f"{path.stem}.{to}"


@pytest.mark.libreoffice
def test_the_redline_pdf_shows_the_deleted_and_the_inserted_words(sent, cells, tmp_path):
    _, pdftotext = _libreoffice()
    returned = typed(typed(sent, cells["4.1"][1][:30], MILITARY, ""), cells["5.2"][0][:30], "обязуется",
                     "безусловно вправе")
    path = tmp_path / "redline.docx"
    path.write_bytes(compare.compare_documents(sent, returned).redline)
    pdf = _convert(path, "pdf", tmp_path / "pdf")
    text = " ".join(subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True).stdout.decode().split())
    assert "any other military purpose" in text  # deleted, shown struck through
    assert "безусловно вправе" in text  # inserted
    assert re.search(r"обязуется\s*безусловно", text)  # the deletion beside the insertion that replaces it


@pytest.mark.libreoffice
def test_an_annex_saved_again_by_libreoffice_compares_as_unchanged(sent, tmp_path):
    (tmp_path / "annex.docx").write_bytes(sent)
    resaved = _convert(tmp_path / "annex.docx", "docx", tmp_path / "resaved")
    assert compare.compare_documents(sent, resaved.read_bytes()).changes == []


@pytest.mark.libreoffice
def test_libreoffice_reads_the_redlines_changes_as_tracked_by_each_author(sent, cells, tmp_path):
    returned = tracked(typed(sent, cells["4.1"][1][:30], MILITARY, ""), cells["5.2"][1][:30], "shall bind",
                       "may bind")
    (tmp_path / "redline.docx").write_bytes(compare.compare_documents(sent, returned).redline)
    resaved = _convert(tmp_path / "redline.docx", "docx", tmp_path / "resaved").read_bytes()
    assert {(kind, author) for kind, author, _ in tracked_marks(resaved)} \
        == {("del", "clausegen"), ("del", COUNTERPARTY), ("ins", COUNTERPARTY)}
