"""The well-formedness check that parses each shape of a rendered part once (clausegen.wellformed).

Each test renders a small template through clausegen's sandbox twice: first
with values that give well-formed XML (so the shape is remembered), then with
values that must still be refused, or must still be accepted without parsing.
"""

from __future__ import annotations

from xml.parsers import expat

import pytest

from clausegen import wellformed
from clausegen.sandbox import ENV


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wellformed, "_shapes", set())
    monkeypatch.setattr(wellformed, "_plain", {})


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every document expat is asked to parse."""
    calls: list[bytes] = []
    real = wellformed.parse

    def counting(data: bytes) -> None:
        calls.append(data)
        real(data)

    monkeypatch.setattr(wellformed, "parse", counting)
    return calls


def check(source: str, **values: object) -> None:
    pieces = list(ENV.from_string(source).generate(**values))
    wellformed.check(pieces, "".join(pieces))


def test_a_second_part_of_the_same_shape_is_not_parsed(parses: list[bytes]) -> None:
    source = '<r><p a="{{ v }}">{{ w }}</p></r>'
    check(source, v="1", w="Smith & Sons <Asia>")
    check(source, v="2 3", w="«Ромашка» 'Ltd' \"x\"")
    assert len(parses) == 1


def test_empty_whitespace_and_text_values_are_different_shapes(parses: list[bytes]) -> None:
    source = "<r>{{ v }}</r>"
    for value in ("", " ", "text", "other text", "  "):
        check(source, v=value)
    assert len(parses) == 3


def test_text_before_the_root_element_is_refused_after_whitespace_there_passed() -> None:
    check("{{ v }}<r/>", v="  ")
    with pytest.raises(expat.ExpatError):
        check("{{ v }}<r/>", v="text")


def test_a_value_inside_a_tag_is_parsed_every_time() -> None:
    check("<r><p {{ v }}/></r>", v="")
    with pytest.raises(expat.ExpatError):
        check("<r><p {{ v }}/></r>", v="b")


def test_a_value_in_an_attribute_name_position_is_parsed_every_time() -> None:
    source = '<r><p {{ v }}="1"/></r>'
    check(source, v="a")
    with pytest.raises(expat.ExpatError):
        check(source, v="a b")


def test_a_value_inside_a_comment_is_parsed_every_time() -> None:
    source = "<r><!-- a > sign, then {{ v }} --></r>"
    check(source, v="text")
    with pytest.raises(expat.ExpatError):
        check(source, v="a -- b")


def test_branches_that_leave_an_element_open_are_refused_after_a_balanced_branch_passed() -> None:
    source = "<r>{% if open %}<b>{% endif %}</r>"
    check(source, open=False)
    with pytest.raises(expat.ExpatError):
        check(source, open=True)


def test_a_value_marked_safe_is_parsed_every_time(parses: list[bytes]) -> None:
    source = "<r>{{ v|safe }}</r>"
    check(source, v="<b/>")
    check(source, v="<b/>")
    assert len(parses) == 2
    with pytest.raises(expat.ExpatError):
        check(source, v="<b>")


def test_an_unknown_entity_in_a_safe_value_is_refused() -> None:
    check("<r>{{ v|safe }}</r>", v="a &amp; b")
    with pytest.raises(expat.ExpatError):
        check("<r>{{ v|safe }}</r>", v="a &nbsp; b")


def test_a_value_that_could_close_a_cdata_marker_is_parsed() -> None:
    source = "<r>{{ v }}></r>"
    check(source, v="a")
    with pytest.raises(expat.ExpatError):
        check(source, v="]]")


def test_an_undeclared_prefix_is_refused() -> None:
    with pytest.raises(expat.ExpatError):
        check("<r><w:p/></r>")


def test_the_prefix_declared_in_a_passing_shape_still_counts(parses: list[bytes]) -> None:
    source = '<w:r xmlns:w="urn:x"><w:t>{{ v }}</w:t></w:r>'
    check(source, v="один")
    check(source, v="два")
    assert len(parses) == 1
