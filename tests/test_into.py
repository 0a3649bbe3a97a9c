"""``annex --into`` / ``pack --into``: the annex inside a contract (tests/contracts.py makes a real-looking one)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from contracts import contract, section_sizes, write_contract
from docx.oxml.ns import qn
from helpers import COMPANY, EXAMPLE_DEALS, invoke

from clausegen import pdf
from clausegen.combine import PLACEHOLDER, combine
from clausegen.errors import InputError
from clausegen.render import docx_custom_properties, docx_rows
from clausegen.verify import verify_document

DEAL = EXAMPLE_DEALS["saas-clinic-ae"]
A5, A4 = (8391, 11906), (11906, 16838)
HAVE_READERS = pdf.available() and shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None
needs_libreoffice = pytest.mark.skipif(
    not HAVE_READERS and not os.environ.get("CLAUSEGEN_REQUIRE_READERS"),
    reason="LibreOffice (soffice) or poppler (pdftotext, pdfinfo) is not installed; CI installs both",
)


@pytest.fixture(scope="module")
def annex(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("annex") / "annex.docx"
    result = invoke("annex", str(DEAL), "--company", str(COMPANY), "-o", str(out), "--no-register")
    assert result.exit_code == 0, result.output
    return out.read_bytes()


@pytest.fixture(scope="module")
def appended(annex) -> bytes:
    return combine(contract(), annex, "contract.docx")


@pytest.fixture(scope="module")
def placed(annex) -> bytes:
    return combine(contract(placeholder=True), annex, "contract.docx")


def texts(data: bytes) -> list[str]:
    return [" | ".join(row) for row in docx_rows(data)]


def test_appended_annex_follows_the_whole_contract(appended, annex):
    host = texts(contract())
    assert texts(appended) == host + texts(annex)


def test_appended_annex_is_a_section_of_its_own_with_its_page_size(appended):
    assert section_sizes(appended) == [A5, A4]


def test_each_section_keeps_its_own_header_and_footer(appended):
    first, second = docx.Document(io.BytesIO(appended)).sections
    assert first.header.paragraphs[0].text.startswith("ACME Clinics LLC")
    assert first.footer.paragraphs[0].text == "Contract MSC-7/2026 — confidential"
    assert second.header.paragraphs[0].text.replace("\u00a0", " ").startswith("Приложение № 2 к Договору")
    assert "Стр." in "".join(t.text or "" for t in second.footer._element.iter(qn("w:t")))


def test_the_annex_header_is_used_on_even_and_first_pages_too(appended):
    section = docx.Document(io.BytesIO(appended)).sections[-1]._sectPr
    refs = {(ref.tag, ref.get(qn("w:type"))): ref.get(qn("r:id")) for ref in section if ref.tag.endswith("Reference")}
    assert refs[qn("w:headerReference"), "even"] == refs[qn("w:headerReference"), "first"] \
        == refs[qn("w:headerReference"), "default"]


def test_the_contract_keeps_its_footer_style_and_the_annex_footer_gets_a_copy(appended):
    document = docx.Document(io.BytesIO(appended))
    own = document.styles["Footer"]
    assert (own.font.italic, own.font.size.pt, str(own.font.color.rgb)) == (True, 7, "800000")
    annex_footer = document.sections[-1].footer.paragraphs[0]
    assert annex_footer.style.style_id != "Footer"
    assert annex_footer.style.font.italic is not True


def test_the_contract_keeps_its_normal_style(appended):
    normal = docx.Document(io.BytesIO(appended)).styles["Normal"]
    assert (normal.font.name, normal.font.size.pt) == ("Arial", 12)


def test_the_annex_keeps_its_own_font_in_the_contract(appended):
    document = docx.Document(io.BytesIO(appended))
    annex_table = document.tables[-2]  # the clause table; the signature table comes last
    run = annex_table.rows[3].cells[0].paragraphs[0].runs[0]
    assert (run.font.name, run.font.size.pt) == ("Times New Roman", 10.5)


def test_the_contract_numbering_is_kept(appended):
    document = docx.Document(io.BytesIO(appended))
    numbering = document.part.numbering_part.element
    abstract = numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='70']")
    assert abstract.find(qn("w:nsid")).get(qn("w:val")) == "1A2B3C4D"
    levels = [lvl.find(qn("w:lvlText")).get(qn("w:val")) for lvl in abstract.findall(qn("w:lvl"))]
    assert levels == ["%1.", "%1.%2.", "%1.%2.%3."]
    numbered = [p for p in document.paragraphs if p._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None]
    assert len(numbered) == 9  # 3 clauses with 2 items each, all still on list 70
    assert {p._p.find(f".//{qn('w:numId')}").get(qn("w:val")) for p in numbered} == {"70"}


def test_same_inputs_give_the_same_bytes(annex, appended):
    assert combine(contract(), annex, "contract.docx") == appended


def test_the_annex_custom_properties_go_into_the_combined_document(annex, appended):
    assert docx_custom_properties(appended) == docx_custom_properties(annex)


def test_verify_checks_the_annex_part_and_not_the_contract(annex, appended):
    inside, alone = verify_document(appended, "combined.docx"), verify_document(annex, "annex.docx")
    assert (inside.kind, inside.rows, inside.problems) == ("annex", alone.rows, [])


def test_verify_finds_an_edit_in_the_annex_part(appended):
    edited = docx.Document(io.BytesIO(appended))
    cell = edited.tables[-2].rows[2].cells[1].paragraphs[0].runs[0]  # «Moscow, 20 November 2026»
    cell.text = cell.text.replace("20\u00a0November 2026", "21\u00a0November 2026")  # dates keep a non-breaking space
    out = io.BytesIO()
    edited.save(out)
    codes = [problem.message.split("]")[0] + "]" for problem in verify_document(out.getvalue()).problems]
    assert "[dates]" in codes


def test_placeholder_puts_the_annex_where_it_was_and_removes_it(annex, placed):
    host = texts(contract(placeholder=True))
    at = host.index(PLACEHOLDER)
    assert texts(placed) == host[:at] + texts(annex) + host[at + 1:]


def test_placeholder_splits_the_contract_around_the_annex_section(placed):
    assert section_sizes(placed) == [A5, A4, A5]


def test_a_bookmark_places_the_annex_as_the_placeholder_does(annex):
    marked = combine(contract(bookmark=True), annex, "contract.docx")
    assert texts(marked) == texts(combine(contract(placeholder=True), annex, "contract.docx"))
    assert "clausegen_annex" not in {b.get(qn("w:name")) for b in
                                     docx.Document(io.BytesIO(marked)).element.body.iter(qn("w:bookmarkStart"))}


def test_a_contract_ending_with_a_table_still_gets_the_annex_checked(annex):
    host = docx.Document(io.BytesIO(contract()))
    host.add_table(rows=1, cols=2).rows[0].cells[0].text = "Stamp"
    out = io.BytesIO()
    host.save(out)
    combined = combine(out.getvalue(), annex, "contract.docx")
    assert section_sizes(combined) == [A5, A4]
    assert verify_document(combined).rows == verify_document(annex).rows


def test_the_contract_nested_bookmarks_keep_their_pairs(annex):
    host = docx.Document(io.BytesIO(contract()))
    first, last = host.paragraphs[0]._p, host.paragraphs[1]._p
    for parent, xml in ((first, '<w:bookmarkStart {} w:id="1" w:name="outer"/>'),
                        (first, '<w:bookmarkStart {} w:id="2" w:name="inner"/>'), (first, '<w:bookmarkEnd {} w:id="2"/>'),
                        (last, '<w:bookmarkEnd {} w:id="1"/>')):
        parent.append(docx.oxml.parse_xml(xml.format(docx.oxml.ns.nsdecls("w"))))
    out = io.BytesIO()
    host.save(out)
    body = docx.Document(io.BytesIO(combine(out.getvalue(), annex, "contract.docx"))).element.body
    ids = {b.get(qn("w:name")): b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkStart"))}
    ends = [e.get(qn("w:id")) for e in body.iter(qn("w:bookmarkEnd"))]
    assert ends[:2] == [ids["inner"], ids["outer"]] and ids["inner"] != ids["outer"]


def test_two_placeholders_are_refused_naming_the_host(annex):
    twice = docx.Document(io.BytesIO(contract(placeholder=True)))
    twice.add_paragraph(PLACEHOLDER)
    out = io.BytesIO()
    twice.save(out)
    with pytest.raises(InputError, match=r"contract\.docx.*appears 2 times"):
        combine(out.getvalue(), annex, "contract.docx")


def test_a_placeholder_in_a_table_cell_is_refused(annex):
    host = docx.Document(io.BytesIO(contract()))
    host.tables[0].rows[0].cells[0].text = PLACEHOLDER
    out = io.BytesIO()
    host.save(out)
    with pytest.raises(InputError, match="inside a table"):
        combine(out.getvalue(), annex, "contract.docx")


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken"])
def test_a_host_that_is_not_a_docx_is_exit_2_naming_it_and_writes_nothing(tmp_path, content):
    host, out = tmp_path / "contract.docx", tmp_path / "out.docx"
    host.write_bytes(content)
    result = invoke("annex", str(DEAL), "--company", str(COMPANY), "--into", str(host), "-o", str(out),
                    "--no-register")
    assert result.exit_code == 2
    assert f"{host}: not a readable DOCX file" in result.output
    assert not out.exists()


def test_a_missing_host_is_exit_2_naming_it(tmp_path):
    result = invoke("annex", str(DEAL), "--company", str(COMPANY), "--into", str(tmp_path / "none.docx"),
                    "-o", str(tmp_path / "out.docx"), "--no-register")
    assert (result.exit_code, f"{tmp_path / 'none.docx'}: cannot read" in result.output) == (2, True)


def test_annex_into_writes_the_combined_document(tmp_path, appended):
    host, out = write_contract(tmp_path / "contract.docx"), tmp_path / "out.docx"
    result = invoke("annex", str(DEAL), "--company", str(COMPANY), "--into", str(host), "-o", str(out),
                    "--no-register")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == appended


def test_pack_into_puts_only_the_annex_into_the_contract(tmp_path, appended):
    host = write_contract(tmp_path / "contract.docx")
    plain, inside = tmp_path / "plain", tmp_path / "inside"
    for folder, extra in ((plain, []), (inside, ["--into", str(host)])):
        result = invoke("pack", str(DEAL), "--company", str(COMPANY), "-o", str(folder), "--no-register", *extra)
        assert result.exit_code == 0, result.output
    made = {path.name: path.read_bytes() for path in inside.iterdir()}
    alone = {path.name: path.read_bytes() for path in plain.iterdir()}
    assert made.pop("contract-with-annex.docx") == appended
    assert made == {name: data for name, data in alone.items() if not name.endswith("-annex.docx")}


# ------------------------------------------------------------------ as LibreOffice lays it out


def _pdf(path: Path) -> Path:
    return pdf.convert([path])[0]  # a profile of its own: another LibreOffice running does not stop it


def _page_text(path: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def _page_sizes(path: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True,
                          text=True).stdout
    return [line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Page") and "size" in line]


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory, annex, appended, placed):
    folder = tmp_path_factory.mktemp("pdf")
    names = {"contract": contract(), "annex": annex, "appended": appended, "placed": placed,
             "host-placed": contract(placeholder=True)}
    for name, data in names.items():
        (folder / f"{name}.docx").write_bytes(data)
    return {name: _pdf(folder / f"{name}.docx") for name in names}


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_contract_first_page_is_identical_in_pdf(laid_out):
    assert _page_text(laid_out["appended"], 1) == _page_text(laid_out["contract"], 1)
    assert _page_sizes(laid_out["appended"])[0] == _page_sizes(laid_out["contract"])[0]


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_annex_pages_follow_with_their_own_page_size(laid_out):
    contract_pages, annex_pages = _page_sizes(laid_out["contract"]), _page_sizes(laid_out["annex"])
    assert _page_sizes(laid_out["appended"]) == contract_pages + annex_pages


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_annex_first_page_reads_as_the_annex_alone(laid_out):
    """Line for line, as wide as alone; LibreOffice sets the rows a fraction of a point taller inside
    the contract, so the page may end a row earlier (the footer counts the whole document's pages)."""
    first = len(_page_sizes(laid_out["contract"])) + 1
    inside = [line for line in _page_text(laid_out["appended"], first).splitlines() if line.strip()][:-1]
    alone = [line for line in _page_text(laid_out["annex"], 1).splitlines() if line.strip()][:-1]
    assert len(inside) > 40 and inside == alone[:len(inside)]


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_placeholder_annex_sits_between_the_contract_parts(laid_out):
    pages = len(_page_sizes(laid_out["placed"]))
    assert "Fees and payment".upper() in _page_text(laid_out["placed"], 1)
    assert "Приложение № 2" in _page_text(laid_out["placed"], 2)
    assert "3. TERM" in _page_text(laid_out["placed"], pages)
    assert PLACEHOLDER not in "".join(_page_text(laid_out["placed"], page) for page in range(1, pages + 1))


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_combined_document_survives_a_libreoffice_round_trip(tmp_path, appended):
    source = tmp_path / "combined.docx"
    source.write_bytes(appended)
    (tmp_path / "rt").mkdir()
    # a profile of its own, so that another LibreOffice running (a user's, another test's) does not stop it
    subprocess.run([pdf.executable() or "soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "docx", "--outdir", str(tmp_path / "rt"), str(source)],
                   check=True, capture_output=True)
    again = (tmp_path / "rt" / "combined.docx").read_bytes()
    report = verify_document(again, "round-trip.docx")
    assert (report.rows, report.problems) == (verify_document(appended).rows, [])
    assert section_sizes(again) == [A5, A4]


def _hyphenation_switches(data: bytes) -> tuple[bool, bool, set[str | None]]:
    document = docx.Document(io.BytesIO(data))
    on = document.settings.element.find(qn("w:autoHyphenation")) is not None
    defaults = document.styles.element.find(qn("w:docDefaults"))
    exempt = defaults is not None and defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}") is not None
    annex_rows = document.tables[-2]._tbl  # the annex's bilingual table (the signature table follows)
    values = {mark.get(qn("w:val")) for mark in annex_rows.iter(qn("w:suppressAutoHyphens"))}
    return on, exempt, values


def test_the_annex_stays_hyphenated_inside_a_contract_that_is_not(appended):
    assert _hyphenation_switches(appended)[:2] == (True, True)
    assert "0" in _hyphenation_switches(appended)[2]


def test_the_annexs_unhyphenated_titles_and_signature_lines_stay_unhyphenated_inside_a_contract(annex, appended):
    alone = docx.Document(io.BytesIO(annex))
    kept_whole = [p.text for p in alone.element.body.iter(qn("w:p"))
                  if p.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}") is not None
                  and p.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}").get(qn("w:val")) in (None, "1", "true")]
    inside = docx.Document(io.BytesIO(appended))
    still_whole = [p.text for p in inside.element.body.iter(qn("w:p"))
                   if p.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}") is not None
                   and p.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}").get(qn("w:val")) in (None, "1", "true")]
    assert kept_whole and set(kept_whole) <= set(still_whole)


def test_the_contracts_own_paragraphs_are_exempt_from_the_annexs_hyphenation(appended):
    body = docx.Document(io.BytesIO(appended)).paragraphs[0]._p
    assert body.find(f"{qn('w:pPr')}/{qn('w:suppressAutoHyphens')}") is None  # the document default exempts it
    assert _hyphenation_switches(contract())[:2] == (False, False)
