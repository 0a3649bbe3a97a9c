"""How a document's parts are deflated: the parts a template holds unchanged are copied as the template
deflated them when that is smaller (the shipped templates are deflated by Zopfli), checked first; the rest
are deflated per document."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from helpers import ANNEX_EXAMPLES, COMPANY, ROOT

from clausegen import api
from clausegen.library import load_library
from clausegen.render import _deflate, _deflate_smallest, _smallest, _stored_streams

TEMPLATES = ROOT / "templates"
SAAS = ANNEX_EXAMPLES["saas-clinic-ae"]
#: Parts of the annex template that clausegen writes into every annex as they are.
UNCHANGED = ("word/styles.xml", "word/stylesWithEffects.xml", "word/theme/theme1.xml", "word/numbering.xml")


def _annex(templates=None) -> bytes:
    deal = api.load_deal(SAAS, COMPANY).deal
    return api.build_annex(deal, api.screen_deal(deal), load_library(), templates).data


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


@pytest.fixture(scope="module")
def annex() -> bytes:
    return _annex()


@pytest.mark.parametrize("name", UNCHANGED)
def test_a_part_the_template_holds_unchanged_is_copied_as_the_template_deflated_it(annex, name):
    assert _stored_streams(annex)[name] == _stored_streams((TEMPLATES / "annex.docx").read_bytes())[name]


@pytest.mark.parametrize("name", UNCHANGED)
def test_the_shipped_template_deflates_its_fixed_parts_smaller_than_zlib_at_its_best(name):
    part = _parts((TEMPLATES / "annex.docx").read_bytes())[name]
    assert len(_stored_streams((TEMPLATES / "annex.docx").read_bytes())[name]) < len(_deflate_smallest(part).data)


def test_a_part_the_template_holds_changed_is_deflated_again(annex):
    # [Content_Types].xml gains the custom properties' type: the template's stream would be the old part
    template = _parts((TEMPLATES / "annex.docx").read_bytes())["[Content_Types].xml"]
    written = _parts(annex)["[Content_Types].xml"]
    assert written != template and b"custom-properties" in written


def test_every_part_of_an_annex_inflates_to_what_its_directory_says(annex):
    with zipfile.ZipFile(io.BytesIO(annex)) as package:
        assert package.testzip() is None


def test_a_stored_stream_of_other_bytes_is_not_used():
    part = (b"<w:styles>" + b"<w:style/>" * 500) + b"</w:styles>"
    other = _deflate(b"<w:styles/>", 9).data  # smaller than any stream of part, and valid
    assert _smallest(part, other) == _deflate_smallest(part)


def test_a_stored_stream_that_is_not_deflate_is_not_used():
    part = b"<w:styles>" + b"<w:style/>" * 500 + b"</w:styles>"
    assert _smallest(part, b"\xff\x00") == _deflate_smallest(part)


def test_a_stored_stream_with_bytes_after_its_end_is_not_used():
    template = (TEMPLATES / "annex.docx").read_bytes()
    part, stream = _parts(template)["word/styles.xml"], _stored_streams(template)["word/styles.xml"]
    assert _smallest(part, stream).data == stream  # smaller than ours (Zopfli's), and taken
    assert _smallest(part, stream + b"\x00") == _deflate_smallest(part)  # still smaller, but not the part alone


def test_a_template_with_its_parts_stored_uncompressed_renders_the_same_text(tmp_path, annex):
    # A template saved by another program: nothing to copy, every part deflated by clausegen itself.
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    parts = _parts((TEMPLATES / "annex.docx").read_bytes())
    with zipfile.ZipFile(folder / "annex.docx", "w", zipfile.ZIP_STORED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    assert _stored_streams((folder / "annex.docx").read_bytes()) == {}
    rendered = _parts(_annex(folder))
    assert {name: data for name, data in rendered.items() if name != "docProps/custom.xml"} == \
        {name: data for name, data in _parts(annex).items() if name != "docProps/custom.xml"}


def test_the_shipped_templates_carry_fixed_timestamps():
    # tools/build_templates.py repacks what python-docx saved: the same build gives the same bytes
    for path in sorted(TEMPLATES.glob("*.docx")):
        with zipfile.ZipFile(path) as package:
            assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}, path.name
