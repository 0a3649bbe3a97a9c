"""Real readers (issue 6, part 1): every document of every example, read by programs that are not clausegen.

For each of the 7 examples, everything ``api.build_pack`` produces (the screening report, the annex
when the decision allows it, the recommended letters) is written to a temporary folder, then:

* LibreOffice converts all of them to PDF in one ``soffice --headless --convert-to pdf`` call, and
  ``pdftotext`` reads each PDF back: the text must carry Russian and English prose, both parties
  and the contract number;
* python-docx opens every DOCX, and mammoth (an independent DOCX reader, pure Python: about half a
  second a document) converts it to HTML with no error message; both find the counterparty.

Where ``soffice`` or ``pdftotext`` is missing the PDF tests skip with the reason, unless
``CLAUSEGEN_REQUIRE_READERS`` is set (CI sets it): then they fail.

pdftotext wraps long names across lines and joins a word broken at a hyphen by dropping the
hyphen ("FZ-LLC" at a line end reads "FZLLC"), so texts are compared with whitespace and hyphens
removed (:func:`squeezed`).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import docx
import mammoth
import pytest
from helpers import COMPANY, EXAMPLE_DEALS

from clausegen import api
from clausegen.model import Deal

#: Set (to anything but "" or "0") in CI: missing readers are a failure there, not a reason to skip.
REQUIRE_ENV = "CLAUSEGEN_REQUIRE_READERS"
#: A hang guard for LibreOffice (it converts the 20 documents in seconds), not a performance limit.
SOFFICE_TIMEOUT = 900

#: What `clausegen pack` produces for each example, in order: the documents these tests read.
#: test_every_document_of_every_pack_is_read keeps this table equal to what build_pack returns.
PACKS = {
    "saas-clinic-ae": ("screening-report", "annex", "notice"),
    "hardware-camera-vn": ("screening-report", "annex", "notice"),
    "onprem-logistics-kz": ("screening-report", "annex", "notice", "enduse-request", "end-user-statement"),
    "weights-research-in": ("screening-report", "annex", "notice", "end-user-statement"),
    "hold-vision-tr": ("screening-report", "hold", "notice", "enduse-request", "end-user-statement"),
    "permission-speech-rs": ("screening-report", "hold", "notice", "enduse-request", "end-user-statement"),
    "refuse-drone-xx": ("screening-report", "refusal"),
    "controlled-item-am": ("screening-report",),
}
DOCUMENTS = [(stem, kind) for stem, kinds in PACKS.items() for kind in kinds]
IDS = [f"{stem}/{kind}" for stem, kind in DOCUMENTS]

#: The screening report is an internal record wholly in Russian (no English glosses): it names both
#: parties in their Russian form only. Every other document is bilingual.
RUSSIAN_RECORDS = {"screening-report"}

#: Words that only running prose has in numbers (names and addresses rarely do).
RUSSIAN_WORDS = frozenset({"и", "в", "на", "с", "по", "не", "от", "для", "или", "к"})
ENGLISH_WORDS = frozenset({"the", "of", "and", "to", "or", "in", "for", "by", "any"})
MIN_PROSE_WORDS = 10
PROVIDERS = {"soffice": "LibreOffice", "pdftotext": "poppler-utils"}


def readers_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def require_program(name: str) -> str:
    """The path of ``name``; where it is missing, skip, or fail when CI requires the readers."""
    found = shutil.which(name)
    if found:
        return found
    reason = f"{name} not found on PATH (install {PROVIDERS[name]})"
    if readers_required():
        pytest.fail(f"{reason}, and {REQUIRE_ENV} is set: the real-reader tests must run here")
    pytest.skip(f"{reason}; set {REQUIRE_ENV}=1 to make this a failure, as CI does")


def squeezed(text: str) -> str:
    """``text`` without whitespace, hyphens and soft hyphens, compatibility forms folded (ligatures)."""
    return re.sub(r"[\s\u00ad\u2010\u2011-]+", "", unicodedata.normalize("NFKC", text))


def contains(haystack: str, needle: str) -> bool:
    return squeezed(needle) in squeezed(haystack)


@dataclass(frozen=True)
class Document:
    """One generated document and what its text must name."""

    stem: str
    kind: str
    path: Path
    deal: Deal

    @property
    def languages(self) -> tuple[str, ...]:
        return ("ru",) if self.kind in RUSSIAN_RECORDS else ("ru", "en")

    def party_names(self) -> list[str]:
        """The counterparty's and the supplier's full names, in each language the document uses.

        A name given in one language only is printed as written in the other column too.
        """
        deal = self.deal
        names = [deal.counterparty.name.get(lang) for lang in self.languages]
        names += [deal.supplier.name.get(lang) for lang in self.languages]
        return list(dict.fromkeys(names))

    @property
    def counterparty(self) -> str:
        return self.deal.counterparty.name.get(self.languages[-1])

    @property
    def contract_number(self) -> str:
        return self.deal.contract.number


@pytest.fixture(scope="session")
def packs(library) -> dict[str, tuple[Deal, list[api.Generated]]]:
    """Every example's deal and pack (in memory), keyed by example stem."""
    built = {}
    for stem, path in EXAMPLE_DEALS.items():
        deal = api.load_deal(path, COMPANY).deal
        built[stem] = (deal, api.build_pack(deal, api.screen_deal(deal), library))
    return built


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory, packs) -> dict[tuple[str, str], Document]:
    """Every example's pack written to one folder, keyed by (example stem, document kind)."""
    folder = tmp_path_factory.mktemp("packs")
    written = {}
    for stem, (deal, generated) in packs.items():
        for document in generated:
            path = folder / document.filename
            path.write_bytes(document.data)
            written[stem, document.kind] = Document(stem, document.kind, path, deal)
    return written


@dataclass(frozen=True)
class Conversion:
    folder: Path
    output: str  # what soffice printed, for failure messages


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory: pytest.TempPathFactory, documents) -> Conversion:
    """All the documents converted to PDF by one LibreOffice run with a private profile."""
    soffice = require_program("soffice")
    require_program("pdftotext")  # before converting: without it the PDFs cannot be read
    out = tmp_path_factory.mktemp("pdf")
    profile = tmp_path_factory.mktemp("soffice-profile")
    sources = sorted(str(d.path) for d in documents.values())
    try:
        run = subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(out), *sources],
            capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"soffice did not finish converting {len(sources)} documents in {SOFFICE_TIMEOUT} s")
    output = f"exit code {run.returncode}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    assert run.returncode == 0, f"soffice failed: {output}"
    return Conversion(out, output)


@pytest.fixture(scope="session")
def pdf_text(pdfs: Conversion):
    """``pdf_text(document)``: what pdftotext reads in the document's PDF (cached)."""
    pdftotext = require_program("pdftotext")
    cache: dict[Path, str] = {}

    def read(document: Document) -> str:
        pdf = pdfs.folder / f"{document.path.stem}.pdf"
        if pdf not in cache:
            assert pdf.is_file(), f"LibreOffice wrote no PDF for {document.path.name}; {pdfs.output}"
            run = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=False)
            assert run.returncode == 0, f"pdftotext failed on {pdf.name}: {run.stderr.decode(errors='replace')}"
            cache[pdf] = run.stdout.decode("utf-8")
        return cache[pdf]

    return read


def _document(documents: dict[tuple[str, str], Document], stem: str, kind: str) -> Document:
    assert (stem, kind) in documents, f"the pack of {stem} has no {kind}"
    return documents[stem, kind]


# ------------------------------------------------------------------ the set of documents


def test_real_readers_are_installed_where_ci_requires_them():
    for program in ("soffice", "pdftotext"):
        require_program(program)


@pytest.mark.parametrize("stem", list(PACKS))
def test_every_document_of_every_pack_is_read(stem, packs):
    _deal, generated = packs[stem]
    assert tuple(document.kind for document in generated) == PACKS[stem]


# ------------------------------------------------------------------ LibreOffice and pdftotext


@pytest.mark.libreoffice
@pytest.mark.parametrize(("stem", "kind"), DOCUMENTS, ids=IDS)
def test_pdf_text_has_russian_and_english_prose(stem, kind, documents, pdf_text):
    words = re.findall(r"\w+", pdf_text(_document(documents, stem, kind)).lower())
    russian = sum(word in RUSSIAN_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    assert russian >= MIN_PROSE_WORDS, f"only {russian} Russian function words: no Russian prose"
    if kind in RUSSIAN_RECORDS:  # wholly Russian: English only in proper names and addresses
        assert english < MIN_PROSE_WORDS, f"{english} English function words: English prose in a Russian record"
    else:
        assert english >= MIN_PROSE_WORDS, f"only {english} English function words: no English prose"


@pytest.mark.libreoffice
@pytest.mark.parametrize(("stem", "kind"), DOCUMENTS, ids=IDS)
def test_pdf_text_names_both_parties_in_each_language(stem, kind, documents, pdf_text):
    document = _document(documents, stem, kind)
    text = pdf_text(document)
    missing = [name for name in document.party_names() if not contains(text, name)]
    assert not missing, f"{document.path.name}: the PDF text does not name {missing}"


@pytest.mark.libreoffice
@pytest.mark.parametrize(("stem", "kind"), DOCUMENTS, ids=IDS)
def test_pdf_text_carries_the_contract_number(stem, kind, documents, pdf_text):
    document = _document(documents, stem, kind)
    assert contains(pdf_text(document), document.contract_number)


# ------------------------------------------------------------------ python-docx and mammoth


def _python_docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]

    def tables(items) -> None:
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    texts.extend(paragraph.text for paragraph in cell.paragraphs)
                    tables(cell.tables)

    tables(document.tables)
    return "\n".join(texts)


@pytest.mark.parametrize(("stem", "kind"), DOCUMENTS, ids=IDS)
def test_python_docx_reads_the_document_and_the_counterparty(stem, kind, documents):
    document = _document(documents, stem, kind)
    assert contains(_python_docx_text(document.path), document.counterparty)


@pytest.mark.parametrize(("stem", "kind"), DOCUMENTS, ids=IDS)
def test_mammoth_converts_the_document_to_html_naming_the_counterparty(stem, kind, documents):
    document = _document(documents, stem, kind)
    with document.path.open("rb") as stream:
        result = mammoth.convert_to_html(stream)
    errors = [message.message for message in result.messages if message.type == "error"]
    assert not errors
    assert contains(html.unescape(re.sub(r"<[^>]*>", " ", result.value)), document.counterparty)
