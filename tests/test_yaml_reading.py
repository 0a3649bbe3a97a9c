"""Reading YAML deal files (clausegen.sources): the one-pass builder gives PyYAML's own data.

clausegen builds plain maps, lists and strings itself while it records each
field's line, and leaves everything else (merge keys, sets, binary, recursive
aliases) to PyYAML's constructor.  Either way the data must be what PyYAML's
safe loader (dates kept as text) makes of the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import DATA, EXAMPLES

from clausegen.errors import DealError
from clausegen.sources import _Loader, parse_text

YAML_FILES = sorted([*EXAMPLES.glob("*.yaml"), *DATA.rglob("*.yaml")])

SPECIAL = {
    "alias": "a: &x {b: 1}\nc: *x\n",
    "merge key": "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "set": "s: !!set {a, b}\n",
    "scalars": "a: [1, 2.5, true, null, '3', 2026-11-25, ~, '']\n",
    "non-string keys": "1: a\n2.5: b\nnull: c\n",
    "binary": "a: !!binary aGVsbG8=\n",
    "ordered map": "o: !!omap [{a: 1}, {b: 2}]\n",
    "explicit str": "n: !!str 42\n",
    "nested lists": "a: [[1, [2, {b: [3]}]], []]\n",
}


def _pyyaml(text: str) -> object:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - clausegen's safe loader


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: str(path.relative_to(path.parents[1])))
def test_every_shipped_and_test_yaml_file_reads_as_pyyaml_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = _pyyaml(text)
    except yaml.YAMLError:
        with pytest.raises(DealError):
            parse_text(text, str(path))
        return
    try:
        assert parse_text(text, str(path)).data == expected
    except DealError as error:  # only a key given twice, which PyYAML silently accepts
        assert all("appears twice" in problem.message for problem in error.problems)


@pytest.mark.parametrize("text", SPECIAL.values(), ids=SPECIAL.keys())
def test_yaml_features_read_as_pyyaml_reads_them(text: str) -> None:
    expected = _pyyaml(text)
    assert parse_text(text, "deal.yaml").data == expected


def test_every_field_path_keeps_its_line() -> None:
    record = parse_text("deal_id: X\ncontract:\n  number: N-1\nend_use:\n  end_users:\n    - name: {en: A}\n",
                        "deal.yaml")
    assert record.lines["contract.number"] == 3
    assert record.lines["end_use.end_users[0].name.en"] == 6


def test_a_key_given_twice_is_reported_with_its_line() -> None:
    with pytest.raises(DealError) as raised:
        parse_text("deal_id: A\ncontract:\n  number: 1\n  number: 2\n", "deal.yaml")
    (problem,) = raised.value.problems
    assert (problem.field, problem.line) == ("contract.number", 4)
    assert "appears twice" in problem.message


def test_a_key_given_twice_inside_a_merged_document_is_still_reported() -> None:
    with pytest.raises(DealError) as raised:
        parse_text("base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n  y: 3\n", "deal.yaml")
    assert [problem.field for problem in raised.value.problems] == ["d.y"]


def test_an_unknown_tag_is_invalid_yaml_naming_its_line() -> None:
    with pytest.raises(DealError) as raised:
        parse_text("a: 1\nb: !custom 2\n", "deal.yaml")
    (problem,) = raised.value.problems
    assert "not valid YAML" in problem.message and problem.line == 2


@pytest.mark.parametrize(("scalar", "read_as"), [
    ("010", "8"),  # YAML 1.1 octal
    ("012345670123", "1402433619"),  # an INN with a leading zero becomes another number
    ("1:30", "90"),  # base 60
    ("1_000", "1000"),
    ("0x10", "16"),
    ("1:30.5", "90.5"),
])
def test_an_unquoted_number_yaml_would_change_is_a_problem_naming_its_field(scalar: str, read_as: str) -> None:
    with pytest.raises(DealError) as raised:
        parse_text(f"deal_id: A\nsupplier:\n  registration:\n    inn: {scalar}\n", "deal.yaml")
    (problem,) = raised.value.problems
    assert (problem.field, problem.line) == ("supplier.registration.inn", 4)
    assert f"number {read_as}" in problem.message and f'"{scalar}"' in problem.message


def test_the_same_number_in_quotes_is_text() -> None:
    assert parse_text('inn: "012345670123"\n', "deal.yaml").data == {"inn": "012345670123"}


def test_a_yaml_surprise_inside_a_merged_document_is_still_reported() -> None:
    with pytest.raises(DealError) as raised:
        parse_text("base: &b {x: 010}\nd:\n  <<: *b\n", "deal.yaml")
    assert [problem.field for problem in raised.value.problems] == ["base.x"]


@pytest.mark.parametrize("scalar", ["12", "-3", "0", "2.5", "1e3", ".5"])
def test_ordinary_numbers_are_read_as_numbers(scalar: str) -> None:
    assert parse_text(f"a: {scalar}\n", "deal.yaml").data == {"a": yaml.safe_load(scalar)}


def test_a_recursive_alias_is_refused_naming_where_it_refers_back() -> None:
    with pytest.raises(DealError) as raised:
        parse_text("a: &x [1, *x]\n", "deal.yaml")
    (problem,) = raised.value.problems
    assert problem.field == "a[1]" and "refers to a value that contains it" in problem.message


def test_the_loader_resolves_a_scalar_as_pyyaml_does_however_often_it_is_read():
    from clausegen import sources

    text = ("a: 1\nb: '1'\nc: yes\nd: 2026-01-01\ne: null\nf: ~\ng: 1.5\nh: .inf\ni: [1, '2', x, 0x1F, 0o17]\n"
            "j: {k: True, l: 'True', m: \"null\"}\n")
    expected = yaml.load(text, Loader=sources._PythonLoader)  # pure PyYAML, the same resolvers, no memo
    for _ in range(3):  # the first reading fills the memo, the others read from it
        loader = sources._Loader(text)
        try:
            assert loader.construct_document(loader.get_single_node()) == expected
        finally:
            loader.dispose()


def test_the_loaders_memo_of_scalars_stays_bounded(monkeypatch):
    from clausegen import sources

    monkeypatch.setattr(sources, "_MAX_RESOLVED", 10)
    sources._RESOLVED.clear()
    text = "\n".join(f"k{index}: v{index}" for index in range(50)) + "\nlong: " + "x" * 500 + "\n"
    loader = sources._Loader(text)
    try:
        data = loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()
    assert data["k49"] == "v49" and len(sources._RESOLVED) <= 10
    assert all(len(value) <= sources._MAX_RESOLVED_TEXT for value, _ in sources._RESOLVED)
