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


#: (template, values that pass, values that must then still be refused): each passing render leaves
#: its shape behind, and the second render, different only in where it must be, is parsed again.
REFUSED_AFTER_A_PASS = {
    "text before the root element, after whitespace there": ("{{ v }}<r/>", {"v": "  "}, {"v": "text"}),
    "a value inside a tag": ("<r><p {{ v }}/></r>", {"v": ""}, {"v": "b"}),
    "a value where an attribute name stands": ('<r><p {{ v }}="1"/></r>', {"v": "a"}, {"v": "a b"}),
    "a value inside a comment": ("<r><!-- a > sign, then {{ v }} --></r>", {"v": "text"}, {"v": "a -- b"}),
    "a branch that leaves an element open": ("<r>{% if open %}<b>{% endif %}</r>", {"open": False},
                                             {"open": True}),
    "an unknown entity in a safe value": ("<r>{{ v|safe }}</r>", {"v": "a &amp; b"}, {"v": "a &nbsp; b"}),
    "a value that closes a CDATA marker": ("<r>{{ v }}></r>", {"v": "a"}, {"v": "]]"}),
}


@pytest.mark.parametrize(("source", "good", "bad"), REFUSED_AFTER_A_PASS.values(), ids=REFUSED_AFTER_A_PASS.keys())
def test_malformed_xml_is_refused_after_a_well_formed_render_of_the_same_template(
        source: str, good: dict[str, object], bad: dict[str, object]) -> None:
    check(source, **good)
    with pytest.raises(expat.ExpatError):
        check(source, **bad)


def test_a_value_marked_safe_is_parsed_every_time(parses: list[bytes]) -> None:
    source = "<r>{{ v|safe }}</r>"
    check(source, v="<b/>")
    check(source, v="<b/>")
    assert len(parses) == 2
    with pytest.raises(expat.ExpatError):
        check(source, v="<b>")


def test_an_undeclared_prefix_is_refused() -> None:
    with pytest.raises(expat.ExpatError):
        check("<r><w:p/></r>")


def test_the_prefix_declared_in_a_passing_shape_still_counts(parses: list[bytes]) -> None:
    source = '<w:r xmlns:w="urn:x"><w:t>{{ v }}</w:t></w:r>'
    check(source, v="один")
    check(source, v="два")
    assert len(parses) == 1
