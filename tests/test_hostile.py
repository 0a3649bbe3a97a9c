"""Hostile templates and clause folders (issue 6, part 5).

A user may point ``--templates`` or ``--clauses`` at their own folder.  Everything in it is compiled
in the one Jinja sandbox (clausegen/sandbox.py): a tag that reaches for ``__class__``,
``__globals__``, ``__subclasses__``, a private attribute, or another file (``import``, ``include``)
fails with a named error (exit 2 from the command line, no traceback, no output file).  A DOCX
template larger than ``render.MAX_TEMPLATE_BYTES``, or whose parts would unpack beyond
``render.MAX_UNPACKED_BYTES`` (a zip bomb), is refused before it is read.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import yaml
from helpers import ANNEX_EXAMPLES, COMPANY, EXAMPLES, files_in, invoke

from clausegen import api, render
from clausegen.errors import ExitCode, LibraryError, RenderError
from clausegen.library import clauses_dir, templates_dir

DEAL = ANNEX_EXAMPLES["saas-clinic-ae"]

#: Tags that reach outside the sandbox, and a word the refusal must name (the first reach). ``OBJ`` stands for a
#: value the place provides (a dict in a DOCX template, a party in a clause text).
TAGS = {
    "str-class-mro": ("{{ ''.__class__.__mro__ }}", "__class__"),
    "cycler-init-globals": ("{{ cycler.__init__.__globals__ }}", "__init__"),
    "tuple-subclasses": ("{{ ().__class__.__base__.__subclasses__() }}", "__class__"),
    "import-os": ("{% import 'os' as os %}", "import"),
    "include-passwd": ("{% include '/etc/passwd' %}", "include"),
    "extends": ("{% extends '/etc/passwd' %}", "extends"),
    "private-attribute": ("{{ OBJ._private }}", "_private"),
    "object-dict": ("{{ OBJ.__dict__ }}", "__dict__"),
    "attr-filter": ("{{ OBJ|attr('__class__') }}", "__class__"),
    "method-globals": ("{{ OBJ.items.__func__.__globals__ }}", "__func__"),
}
#: The same reaches as a clause's ``when`` condition (an expression over ``deal`` and ``screening``).
CONDITIONS = {
    "str-class-mro": ("''.__class__.__mro__", "__class__"),
    "cycler-init-globals": ("cycler.__init__.__globals__", "__init__"),
    "tuple-subclasses": ("().__class__.__base__.__subclasses__()", "__class__"),
    "private-attribute": ("deal._private", "_private"),
    "object-dict": ("deal.__dict__", "__dict__"),
    "attr-filter": ("deal|attr('__class__')", "__class__"),
    "pydantic-internals": ("deal.__pydantic_fields__", "__pydantic_fields__"),
}

#: The tag of templates/annex.docx that the hostile tag replaces (it is always rendered).
ANNEX_TAG = "{{ sign.supplier.person }}"
#: The clause whose texts receive the hostile tag, and whose condition is replaced (annex, always selected).
CLAUSE = "definitions"


# ------------------------------------------------------------------ building hostile folders


def rewrite_docx(source: Path, target: Path, change) -> None:
    """Copy the DOCX ``source`` to ``target``, passing word/document.xml (text) through ``change``."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "word/document.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            copy.writestr(info, data)


def templates_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(templates_dir(), folder)
    return folder


def hostile_templates(tmp_path: Path, tag: str) -> Path:
    """A copy of the shipped templates whose annex.docx prints ``tag`` where the supplier's initials were."""
    folder = templates_copy(tmp_path)
    source = templates_dir() / "annex.docx"

    def change(xml: str) -> str:
        assert ANNEX_TAG in xml
        return xml.replace(ANNEX_TAG, escape(tag.replace("OBJ", "sign")))

    rewrite_docx(source, folder / "annex.docx", change)
    return folder


def clauses_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "clauses"
    shutil.copytree(clauses_dir(), folder)
    return folder


def hostile_clause_texts(tmp_path: Path, tag: str) -> Path:
    """A copy of the shipped clauses with ``tag`` at the end of both texts of one annex clause."""
    folder = clauses_copy(tmp_path)
    tag = tag.replace("OBJ", "counterparty")
    for lang in ("ru", "en"):
        path = folder / lang / f"{CLAUSE}.txt"
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + " " + tag + "\n", encoding="utf-8")
    return folder


def hostile_condition(tmp_path: Path, expression: str) -> Path:
    """A copy of the shipped clauses whose annex clause is selected ``when: expression``."""
    folder = clauses_copy(tmp_path)
    catalogue = folder / "catalogue.yaml"
    entries = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    (entry,) = [e for e in entries if e["id"] == CLAUSE]
    entry["when"] = expression
    catalogue.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def example():
    deal = api.load_deal(DEAL, COMPANY).deal
    return deal, api.screen_deal(deal)


@pytest.fixture
def out(tmp_path):
    """The output folder of a command (empty), and the annex path in it."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def annex_cli(out: Path, *options) -> object:
    return invoke("annex", DEAL, "-o", out / "annex.docx", "--company", COMPANY, *options)


def assert_refused(result, out: Path, *words: str) -> None:
    """Exit 2 (invalid input), a message naming ``words``, nothing written."""
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert result.stderr.startswith("error: "), result.stderr
    for word in words:
        assert word in result.stderr, f"{word!r} not in: {result.stderr}"
    assert "Traceback" not in result.output
    assert files_in(out) == set()


# ------------------------------------------------------------------ the shipped folders pass


def test_copied_templates_and_clauses_render_as_the_shipped_ones(tmp_path, out):
    """The control: the copies the hostile tests start from are good as they are."""
    result = annex_cli(out, "--templates", templates_copy(tmp_path), "--clauses", clauses_copy(tmp_path))
    assert result.exit_code == 0, result.output
    assert files_in(out) == {"annex.docx"}


# ------------------------------------------------------------------ DOCX templates


@pytest.mark.parametrize("case", TAGS)
def test_template_reaching_outside_the_sandbox_fails_with_an_error_naming_the_template(case, tmp_path, example,
                                                                                       library):
    tag, word = TAGS[case]
    folder = hostile_templates(tmp_path, tag)
    with pytest.raises((RenderError, LibraryError)) as caught:
        api.build_annex(*example, library, folder)
    assert "annex.docx" in str(caught.value)
    assert word in str(caught.value)


@pytest.mark.parametrize("case", TAGS)
def test_cli_annex_refuses_a_hostile_template_with_exit_2_and_writes_nothing(case, tmp_path, out):
    tag, word = TAGS[case]
    result = annex_cli(out, "--templates", hostile_templates(tmp_path, tag))
    assert_refused(result, out, "annex.docx", word)


# ------------------------------------------------------------------ clause texts and conditions


@pytest.mark.parametrize("case", TAGS)
def test_clauses_check_refuses_a_hostile_clause_text_naming_the_file(case, tmp_path):
    tag, word = TAGS[case]
    result = invoke("clauses", "check", "--clauses", hostile_clause_texts(tmp_path, tag))
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    for lang in ("ru", "en"):
        named = [line for line in result.stderr.splitlines() if f"{lang}/{CLAUSE}.txt" in line and word in line]
        assert named, result.stderr


@pytest.mark.parametrize("case", TAGS)
def test_cli_annex_refuses_a_hostile_clause_text_with_exit_2_and_writes_nothing(case, tmp_path, out):
    tag, word = TAGS[case]
    result = annex_cli(out, "--clauses", hostile_clause_texts(tmp_path, tag))
    assert_refused(result, out, CLAUSE, word)


@pytest.mark.parametrize("case", CONDITIONS)
def test_clauses_check_refuses_a_hostile_condition_naming_the_clause(case, tmp_path):
    expression, word = CONDITIONS[case]
    result = invoke("clauses", "check", "--clauses", hostile_condition(tmp_path, expression))
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    named = [line for line in result.stderr.splitlines()
             if "catalogue.yaml" in line and f"{CLAUSE}.when" in line and word in line]
    assert named, result.stderr


@pytest.mark.parametrize("case", CONDITIONS)
def test_cli_annex_refuses_a_hostile_condition_with_exit_2_and_writes_nothing(case, tmp_path, out):
    expression, word = CONDITIONS[case]
    result = annex_cli(out, "--clauses", hostile_condition(tmp_path, expression))
    assert_refused(result, out, f"{CLAUSE}.when", word)


# ------------------------------------------------------------------ what a template file may be


@pytest.fixture
def opened(monkeypatch):
    """The paths opened with io.open (so Path.read_bytes and zipfile) while the test runs."""
    paths: list[str] = []
    real_open = io.open

    def spy(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike):
            paths.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    return paths


@pytest.fixture
def unpacked(monkeypatch):
    """The names of the zip members opened for reading while the test runs."""
    names: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return names


def compile_refused(path: Path) -> LibraryError:
    with pytest.raises(LibraryError) as caught:
        render.compiled_template(path)
    assert str(path.resolve()) in str(caught.value)
    return caught.value


def test_template_larger_than_the_limit_is_refused_without_being_opened(tmp_path, opened):
    path = tmp_path / "annex.docx"
    with path.open("wb") as stream:
        stream.truncate(render.MAX_TEMPLATE_BYTES + 1)  # sparse: no disk space used
    opened.clear()
    error = compile_refused(path)
    assert f"larger than {render.MAX_TEMPLATE_BYTES >> 20} MiB" in str(error)
    assert str(path) not in opened


def _zip_bomb(path: Path, unpacked_size: int) -> None:
    """A DOCX whose word/document.xml unpacks to ``unpacked_size`` bytes of zeros (about 1/1000 of it packed)."""
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("word/document.xml", "w", force_zip64=True) as stream:
            for _ in range(unpacked_size // len(chunk)):
                stream.write(chunk)


def test_zip_bomb_template_is_refused_before_any_part_is_unpacked(tmp_path, unpacked):
    path = tmp_path / "annex.docx"
    _zip_bomb(path, 2 * render.MAX_UNPACKED_BYTES)  # 200 MiB of zeros in a file of about 200 KiB
    assert path.stat().st_size < render.MAX_TEMPLATE_BYTES
    error = compile_refused(path)
    assert f"limit {render.MAX_UNPACKED_BYTES >> 20} MiB" in str(error)
    assert unpacked == []


def _understate_sizes(path: Path, declared: int) -> None:
    """Rewrite every uncompressed size recorded in the zip at ``path`` (local and central headers) to ``declared``."""
    data = bytearray(path.read_bytes())
    offset = 0
    while (offset := data.find(b"PK\x03\x04", offset)) >= 0:
        struct.pack_into("<I", data, offset + 22, declared)
        offset += 4
    offset = 0
    while (offset := data.find(b"PK\x01\x02", offset)) >= 0:
        struct.pack_into("<I", data, offset + 24, declared)
        offset += 4
    path.write_bytes(bytes(data))


def test_template_whose_parts_lie_about_their_size_is_refused_after_the_declared_size(tmp_path, monkeypatch):
    path = tmp_path / "annex.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", bytes(20 << 20))  # 20 MiB of zeros, declared as 1 KiB below
    _understate_sizes(path, 1024)
    read: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def spy(self, n=-1):
        data = real_read(self, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    error = compile_refused(path)
    assert "not a DOCX file" in str(error)
    assert sum(read) <= 1024


def test_template_that_is_not_a_zip_is_refused_as_not_a_docx(tmp_path):
    path = tmp_path / "annex.docx"
    path.write_text("{{ ''.__class__ }} is not a document\n", encoding="utf-8")
    assert "not a DOCX file" in str(compile_refused(path))


def test_zip_without_a_document_part_is_refused_as_not_a_docx(tmp_path):
    path = tmp_path / "annex.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("hello.txt", "{{ ''.__class__ }}")
    assert "no word/document.xml" in str(compile_refused(path))


def test_template_whose_document_part_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "annex.docx"
    rewrite_docx(templates_dir() / "annex.docx", path, lambda xml: xml)
    with zipfile.ZipFile(path) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"</w:body>", b"\xff\xfe</w:body>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    error = compile_refused(path)
    assert "word/document.xml" in str(error)
    assert "UTF-8" in str(error)


def test_template_that_is_a_folder_is_refused(tmp_path):
    path = tmp_path / "annex.docx"
    path.mkdir()
    assert "not a regular file" in str(compile_refused(path))


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_template_that_is_a_device_is_refused_without_being_read(tmp_path, opened):
    # Its size says 0, but /dev/zero would never end; /dev/null shows the same check without that risk.
    path = tmp_path / "annex.docx"
    path.symlink_to("/dev/null")
    opened.clear()
    assert "not a regular file" in str(compile_refused(path))
    assert str(path) not in opened


def test_template_folder_without_annex_docx_is_refused_naming_the_missing_file(tmp_path, out):
    folder = templates_copy(tmp_path)
    (folder / "annex.docx").unlink()
    result = annex_cli(out, "--templates", folder)
    assert_refused(result, out, str(folder / "annex.docx"), "template not found")


def test_templates_option_naming_no_folder_is_refused(tmp_path, out):
    result = annex_cli(out, "--templates", tmp_path / "nowhere")
    assert_refused(result, out, str(tmp_path / "nowhere"), "templates folder not found")


@pytest.mark.parametrize("problem", ["not-a-zip", "zip-bomb"])
def test_cli_annex_refuses_a_broken_template_with_exit_2_and_writes_nothing(problem, tmp_path, out, monkeypatch):
    folder = templates_copy(tmp_path)
    path = folder / "annex.docx"
    if problem == "not-a-zip":
        path.write_bytes(b"PK\x03\x04 truncated")
    else:
        monkeypatch.setattr(render, "MAX_UNPACKED_BYTES", 1 << 20)
        _zip_bomb(path, 2 << 20)
    result = annex_cli(out, "--templates", folder)
    assert_refused(result, out, str(path))



# ------------------------------------------------------------------ what a clause library file may be


def _replace_with(path: Path, kind: str) -> None:
    """Replace the file at ``path`` by a folder, a device, or a text just above the size limit."""
    from clausegen import library

    path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "device":
        path.symlink_to("/dev/null")  # its size says 0; /dev/zero would never end
    else:
        path.write_text("Текст. " * (library.MAX_LIBRARY_FILE_BYTES // 7 + 1), encoding="utf-8")


LIBRARY_FILE_KINDS = {"folder": "not a regular file", "device": "not a regular file", "too-large": "larger than"}


@pytest.mark.parametrize("kind", LIBRARY_FILE_KINDS)
def test_clauses_check_reports_a_clause_text_that_is_no_readable_text_file(kind, tmp_path):
    folder = clauses_copy(tmp_path)
    path = folder / "ru" / f"{CLAUSE}.txt"
    _replace_with(path, kind)
    result = invoke("clauses", "check", "--clauses", folder)
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output
    assert any(str(path) in line and LIBRARY_FILE_KINDS[kind] in line for line in result.stderr.splitlines()), (
        result.stderr)


@pytest.mark.parametrize("kind", LIBRARY_FILE_KINDS)
def test_cli_annex_refuses_a_catalogue_that_is_no_readable_text_file(kind, tmp_path, out):
    folder = clauses_copy(tmp_path)
    path = folder / "catalogue.yaml"
    _replace_with(path, kind)
    result = annex_cli(out, "--clauses", folder)
    assert_refused(result, out, str(path), LIBRARY_FILE_KINDS[kind])


# ------------------------------------------------------------------ exhaustion by arithmetic, endless inputs


@pytest.mark.parametrize("source", [
    "{{ 'a' * 10**9 }}",
    "{{ 10**9 * 'a' }}",
    "{{ [0] * 10**8 }}",
    "{{ ((10 ** 60) ** 60) ** 60 }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ '{:>1000000000}'.format(1) }}",
    "{{ '%1000000000s' % 1 }}",
])
def test_the_sandbox_refuses_to_build_a_huge_value(source):
    from clausegen.sandbox import ENV, SecurityError

    with pytest.raises(SecurityError):
        ENV.from_string(source).render()


def test_small_arithmetic_still_works_in_the_sandbox():
    from clausegen.sandbox import ENV

    assert ENV.from_string("{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 3 * 4 }} {{ '%s-%02d' % ('a', 7) }} {{ 7 % 3 }}").render() \
        == "ababab 1024 12 a-07 1"


def test_a_device_given_as_the_deal_file_is_refused_not_read():
    from clausegen.errors import DealError
    from clausegen.sources import read_file

    with pytest.raises(DealError, match="not a regular file"):
        read_file(Path("/dev/zero"))


def test_a_fifo_given_as_the_deal_file_is_refused_not_waited_on(tmp_path):
    import os

    from clausegen.errors import DealError
    from clausegen.sources import read_file

    fifo = tmp_path / "deal.yaml"
    os.mkfifo(fifo)  # nobody writes to it: reading would block for ever
    with pytest.raises(DealError, match="not a regular file"):
        read_file(fifo)


def test_a_deal_file_larger_than_the_cap_is_refused_by_its_size(tmp_path):
    from clausegen.errors import DealError
    from clausegen.sources import MAX_DEAL_BYTES, read_file

    big = tmp_path / "deal.yaml"
    big.write_bytes(b"# " + b"x" * MAX_DEAL_BYTES + b"\n")
    with pytest.raises(DealError, match="larger than"):
        read_file(big)


# ------------------------------------------------------------------ hostile deals end in named errors (issue 16, 4)


def _annex_of(tmp_path, text: str, name: str = "deal.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "annex.docx"
    result = invoke("annex", path, "--company", COMPANY, "-o", out, "--no-register")
    return result, out


def _example_text() -> str:
    return (EXAMPLES / "saas-clinic-ae.yaml").read_text(encoding="utf-8")


def test_a_recursive_yaml_alias_in_a_list_is_invalid_input_naming_the_field(tmp_path):
    text = _example_text().replace("activities: [healthcare]", "activities: &a [healthcare, *a]")
    result, out = _annex_of(tmp_path, text)
    assert result.exit_code == 2 and not out.exists()
    assert "counterparty.activities[1]: a YAML alias refers to a value that contains it" in result.stderr


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_thousands_of_nested_brackets_are_invalid_input(tmp_path, suffix):
    text = '{"deal_id": "X", "contract": ' + "[" * 2000 + "]" * 2000 + "}"
    result, out = _annex_of(tmp_path, text, f"deal{suffix}")
    assert result.exit_code == 2 and not out.exists()
    assert "nested more than 32 levels deep" in result.stderr


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_an_integer_of_5000_digits_is_invalid_input(tmp_path, suffix):
    if suffix == ".yaml":
        text = _example_text().replace("amount: 1250000", "amount: " + "9" * 5000)
    else:
        text = '{"deal_id": "X", "payment": {"amount": ' + "9" * 5000 + "}}"
    result, out = _annex_of(tmp_path, text, f"deal{suffix}")
    assert result.exit_code == 2 and not out.exists(), result.stderr
    assert "no field takes one so long" in result.stderr


def test_a_script_the_language_tools_cannot_read_is_invalid_input_naming_the_field(tmp_path):
    text = _example_text().replace("name: {en: Omar Haddad}", "name: {ru: \U00017000\U00017001 Хаддад}")
    result, out = _annex_of(tmp_path, text)
    assert result.exit_code == 2 and not out.exists(), result.stderr
    assert "counterparty.signatory.name.ru: contains a character (U+17000)" in result.stderr
