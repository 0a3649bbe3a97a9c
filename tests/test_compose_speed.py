"""The fast paths of composing (clausegen.compose, clausegen.sandbox, clausegen.selection) give what the
plain way gives, on tricky inputs; and the memories they use stay bounded."""

from __future__ import annotations

import re

from clausegen import compose

_PLAIN_CARRIED = re.compile("\x01([0-9]+)\x02")


def _plain_put_back(joined: str) -> str:
    return _PLAIN_CARRIED.sub(lambda found: chr(int(found.group(1))), joined)


def _hidden(value: str) -> str:
    return compose._carried(value)


def test_put_back_matches_the_regular_expression_on_every_carried_character() -> None:
    tricky = [
        "Smith & Sons. Ltd.",
        "a\u00a0b\tc\nd\u2003e.f..g...",
        "\x01\x0132\x02",  # a stray \x01 before a carried space
        "\x0132\x0246\x02",  # a carried space followed by digits and \x02
        "\x01\x0146\x0232\x02",
        "\x0132\x0132\x02",
        "12.5 \x0110",
    ]
    for value in tricky:
        for joined in (value, _hidden(value), f"x {_hidden(value)} y", _hidden(value) + _hidden(value)):
            assert compose._put_back(joined) == _plain_put_back(joined), repr(joined)


def test_paragraphs_keep_a_doubled_stop_rule_and_carried_whitespace() -> None:
    rendered = f"Dated {_hidden('20 Nov. 2026 г.')}.\n\nNamed {_hidden('A.  B')}... and {_hidden('x..y')}.\n(a) one.."
    assert [str(p) for p in compose._paragraphs(rendered)] == [
        "Dated 20 Nov. 2026 г.", "Named A.  B... and x..y.\n(a) one."]
