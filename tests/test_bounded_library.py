"""A lawyer's library is trusted to say what it likes, not to stop the machine (issue 16, part 3).

Each text below would, unbounded, exhaust memory, run for ever or end in a traceback.  In the
sandbox each is refused: by ``clausegen clauses check`` (which compiles every clause and renders it
against the synthetic deals of clausegen/check_deals.yaml), naming the clause file and line, and by
``batch`` once, before any deal, with exit 2.
"""

from __future__ import annotations

import shutil

import pytest
from helpers import COMPANY, EXAMPLES, invoke

from clausegen.library import clauses_dir
from clausegen.sandbox import ENV, MAX_OUTPUT, OutputTooLarge, SecurityError, render_bounded

#: A text put in front of the definitions clause (both languages), and words the refusal contains.
HOSTILE = {
    "center-width": ("{{ 'x'|center(1000000000) }}", "a width of 1000000000"),
    "format-width": ("{{ '%1000000000s'|format('x') }}", "width or precision above"),
    "percent-precision": ("{{ '%.999999999f' % 1.0 }}", "width or precision above"),
    "indent-width": ("{{ 'ab'|indent(1000000000, true) }}", "an indent of 1000000000"),
    "wordwrap-width": ("{{ 'x'|wordwrap(1000000000) }}", "a width of 1000000000"),
    "replace-multiplies": ("{{ ('x' * 1000)|replace('x', 'x' * 1000) }}", "replacing would make more"),
    "join-multiplies": ("{{ (['a'] * 1000)|join('y' * 1000) }}", "joining would make more"),
    "plus-grows": ("{% set a = 'x' * 90000 %}{{ a + a }}", "joining two values"),
    "huge-power": ("{{ 10**5000 }}", "a power of 5001 digits"),
    "huge-product": ("{% set a = 10**3000 %}{{ a * a }}", "a product of more than"),
    "division-by-zero": ("{{ 1/0 }}", "division by zero"),
    "nested-loops": ("{% for a in end_use.end_users %}{% for b in end_use.end_users %}{% endfor %}{% endfor %}",
                     "a loop inside another loop"),
    "loop-over-computed": ("{% for a in 'x' * 50000 %}{% endfor %}", "not over a computed value"),
    "concat-operator": ("{{ 'a' ~ 'b' }}", "the '~' operator"),
    "random": ("{{ [1, 2, 3]|random }}", "No filter named 'random'"),
    "batch-fill": ("{{ [1]|batch(1000000000, 'x')|list }}", "a batch of 1000000000"),
}


def _library_with(tmp_path, text: str):
    root = tmp_path / "clauses"
    shutil.copytree(clauses_dir(), root)
    for lang in ("ru", "en"):
        path = root / lang / "definitions.txt"
        path.write_text(text + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.mark.parametrize(("tag", "words"), HOSTILE.values(), ids=HOSTILE.keys())
def test_clauses_check_reports_an_exhausting_or_failing_text_by_file_and_line(tmp_path, tag, words):
    result = invoke("clauses", "check", "--clauses", _library_with(tmp_path, tag))
    assert result.exit_code == 2, result.stdout
    lines = [line for line in result.stderr.splitlines() if "definitions.txt:1:" in line]
    assert len(lines) == 2 and all(words in line for line in lines), result.stderr


@pytest.mark.parametrize("name", ["division-by-zero", "center-width"])
def test_batch_refuses_a_broken_library_once_before_any_deal(tmp_path, name):
    out = tmp_path / "out"
    result = invoke("batch", EXAMPLES, "-o", out, "--company", COMPANY, "--no-register",
                    "--clauses", _library_with(tmp_path, HOSTILE[name][0]))
    assert result.exit_code == 2
    assert result.stderr.count("definitions.txt:1:") == 2, result.stderr  # once per language, not per deal
    assert not out.exists()


def test_a_single_document_from_a_broken_library_is_invalid_input_naming_the_clause_and_line(tmp_path):
    result = invoke("annex", EXAMPLES / "saas-clinic-ae.yaml", "--company", COMPANY, "--no-register",
                    "-o", tmp_path / "a.docx", "--clauses", _library_with(tmp_path, "\n{{ 1/0 }}"))
    assert result.exit_code == 2 and not (tmp_path / "a.docx").exists()
    assert "clause 'definitions' (ru, line 2) cannot be rendered for this deal: division by zero" in result.stderr


def test_what_one_text_renders_is_capped():
    template = ENV.from_string("{% for u in users %}{{ text }}{% endfor %}")
    with pytest.raises(OutputTooLarge):
        render_bounded(template, {"users": list(range(100)), "text": "x" * (MAX_OUTPUT // 50)})


def test_ordinary_arithmetic_and_filters_still_work():
    template = ENV.from_string("{{ 2**10 }} {{ 'a'|center(5) }} {{ 'x' * 3 }} {{ [1, 2]|join(', ') }} "
                               "{{ 'a b'|replace(' ', '-') }} {{ 3 + 4 }} {{ '%5.2f' % 1.5 }}")
    assert template.render() == "1024   a   xxx 1, 2 a-b 7  1.50"


def test_string_methods_that_multiply_text_are_not_available():
    with pytest.raises(SecurityError):
        ENV.from_string("{{ ','.join(['a'] * 10) }}").render()


# ------------------------------------------------------------------ templates of the user's own


def _template_with(tmp_path, change) -> "Path":
    import zipfile

    from clausegen.library import templates_dir

    folder = tmp_path / "templates"
    shutil.copytree(templates_dir(), folder)
    source = folder / "annex.docx"
    with zipfile.ZipFile(source) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts = change(parts)
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return folder


@pytest.mark.parametrize(("change", "words"), [
    (lambda p: {**p, "word/document.xml": p["word/document.xml"].replace(
        b"?>", b'?><!DOCTYPE w:document [<!ENTITY a "x">]>', 1)}, "DOCTYPE or ENTITY"),
    (lambda p: {**p, "../outside.xml": b"<x/>"}, "outside the package"),
    (lambda p: {**p, "word/document.xml": p["word/document.xml"].replace(
        b"</w:body>", b"<w:p><w:r><w:t>" + b"{{ x }}" * 200_000 + b"</w:t></w:r></w:p></w:body>")},
     "template tags in one part"),
], ids=["doctype", "part-outside", "200000-tags"])
def test_a_template_that_no_reader_could_open_or_that_would_exhaust_memory_is_refused(tmp_path, change, words):
    out = tmp_path / "a.docx"
    result = invoke("annex", EXAMPLES / "saas-clinic-ae.yaml", "--company", COMPANY, "--no-register",
                    "-o", out, "--templates", _template_with(tmp_path, change))
    assert result.exit_code == 2 and not out.exists(), result.stderr
    assert words in result.stderr
