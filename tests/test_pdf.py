"""PDF copies (--pdf): LibreOffice headless, one call for a whole batch, a clear error without it."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner
from helpers import COMPANY, EXAMPLES

from clausegen import pdf
from clausegen.batch import run_batch
from clausegen.cli import cli
from clausegen.errors import OutputError

HAVE_LIBREOFFICE = pdf.available() and shutil.which("pdftotext") is not None
needs_libreoffice = pytest.mark.skipif(
    not HAVE_LIBREOFFICE and not os.environ.get("CLAUSEGEN_REQUIRE_READERS"),
    reason="LibreOffice (soffice) or pdftotext is not installed; CI installs both",
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def soffice_calls(monkeypatch):
    """The number of documents in each LibreOffice call, in order (the calls still run)."""
    calls = []
    real_run = pdf._run
    monkeypatch.setattr(pdf, "_run", lambda program, documents, targets: (calls.append(len(documents)),
                                                                          real_run(program, documents, targets)))
    return calls


@pytest.fixture
def no_libreoffice(monkeypatch):
    monkeypatch.setattr(pdf, "executable", lambda: None)


def test_without_libreoffice_pdf_is_a_clear_error_and_no_document_is_written(no_libreoffice, tmp_path):
    out = tmp_path / "annex.docx"
    result = invoke("annex", str(EXAMPLES / "saas-clinic-ae.yaml"), "--company", str(COMPANY), "-o", str(out),
                    "--pdf", "--no-register")
    assert result.exit_code == 1
    assert "LibreOffice is not installed" in result.output
    assert not out.exists()


def test_convert_without_libreoffice_raises_output_error(no_libreoffice, tmp_path):
    with pytest.raises(OutputError, match="LibreOffice is not installed"):
        pdf.convert([tmp_path / "a.docx"])


@needs_libreoffice
def test_annex_with_pdf_writes_a_pdf_beside_the_docx_that_reads_as_the_annex(tmp_path):
    import subprocess

    out = tmp_path / "annex.docx"
    result = invoke("annex", str(EXAMPLES / "saas-clinic-ae.yaml"), "--company", str(COMPANY), "-o", str(out),
                    "--pdf", "--no-register")
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out.with_suffix(".pdf")), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Gulf Vision Analytics" in " ".join(text.split())
    assert "Приложение" in text


@needs_libreoffice
def test_batch_with_pdf_converts_every_document_in_one_libreoffice_call(tmp_path, soffice_calls):
    result = run_batch(EXAMPLES, tmp_path / "out", company=COMPANY, record=False, pdf=True)
    documents = [entry["file"] for outcome in result.outcomes for entry in outcome.files]
    assert soffice_calls == [len(documents)]
    assert all((tmp_path / "out" / name).with_suffix(".pdf").stat().st_size > 0 for name in documents)


@needs_libreoffice
def test_documents_with_the_same_name_go_in_separate_calls(tmp_path, soffice_calls):
    run_batch(EXAMPLES, tmp_path / "out", company=COMPANY, record=False, parts=("annex",))
    first = next((tmp_path / "out").rglob("*-annex.docx"))
    twin = tmp_path / "elsewhere" / first.name
    twin.parent.mkdir()
    shutil.copy(first, twin)
    made = pdf.convert([first, twin])
    assert soffice_calls == [1, 1]
    assert all(path.is_file() for path in made)
