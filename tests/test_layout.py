"""What a lawyer sees on the page: names that never break, signature blocks a line per item (issue 12)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn
from helpers import make_deal

from clausegen import api, pdf, text
from clausegen.render import docx_rows

LONG = {"ru": "Константинопольская-Кузнецова Мария-Александра Владимировна",
        "en": "Maria-Alexandra Konstantinopolskaya-Kuznetsova"}
needs_libreoffice = pytest.mark.skipif(not pdf.available() or shutil.which("pdftotext") is None,
                                       reason="LibreOffice (soffice) or pdftotext is not installed")


@pytest.fixture(scope="module")
def long_annex(library) -> bytes:
    deal = make_deal({"counterparty.signatory.name": LONG})
    return api.build_annex(deal, api.screen_deal(deal), library).data


def signature_paragraphs(data: bytes) -> list:
    cell = docx.Document(io.BytesIO(data)).tables[-1].rows[0].cells[1]  # the Counterparty's block
    return cell.paragraphs


def test_the_signature_line_the_names_and_the_date_line_are_each_a_line_of_their_own(long_annex):
    lines = [p.text.replace("\u00a0", " ") for p in signature_paragraphs(long_annex)]
    signature = lines.index("________________________")
    assert lines[signature + 1].split("\n") == ["М.В. Константинопольская-Кузнецова",
                                                "Maria-Alexandra Konstantinopolskaya-Kuznetsova"]
    assert lines[signature + 2] == "Дата / Date: ________________"


def test_no_line_of_a_signature_block_is_hyphenated(long_annex):
    paragraphs = signature_paragraphs(long_annex)
    assert all(p._p.pPr is not None and p._p.pPr.find(qn("w:suppressAutoHyphens")) is not None for p in paragraphs)


def test_a_name_in_running_text_is_in_a_run_of_no_language_with_non_breaking_hyphens(long_annex):
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(long_annex)).read("word/document.xml").decode()
    run = re.search(r"<w:r><w:rPr>(?:(?!</w:rPr>).)*</w:rPr><w:t[^>]*>Константинопольской</w:t>"
                    r"<w:noBreakHyphen/><w:t[^>]*>Кузнецовой", xml)
    assert run is not None and '<w:lang w:val="zxx"/>' in run.group()
    # the text reads as the deal gives it
    preamble = next(row[0] for row in docx_rows(long_annex) if "в лице" in row[0])
    assert "Константинопольской-Кузнецовой Марии-Александры Владимировны" in preamble


def test_a_blank_date_keeps_its_parts_on_one_line():
    assert text.keep_together("от «___» ________________ 20___ г.") == \
        "от «___»\u00a0________________\u00a020___\u00a0г."


@needs_libreoffice
def test_in_the_pdf_a_long_name_is_neither_hyphenated_nor_broken_at_its_hyphen(long_annex, tmp_path):
    source = tmp_path / "annex.docx"
    source.write_bytes(long_annex)
    pdf.convert([source])
    lines = [" ".join(line.split()) for line in subprocess.run(
        ["pdftotext", str(source.with_suffix(".pdf")), "-"], capture_output=True, text=True, check=True).stdout
        .splitlines()]
    assert "М.В. Константинопольская-Кузнецова" in lines
    assert "Maria-Alexandra Konstantinopolskaya-Kuznetsova" in lines
    assert not any(re.search(r"(Константин|Кузнец|Konstantin|Kuznets)\w*-$", line) for line in lines)
