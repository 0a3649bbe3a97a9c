"""The per-process memos of the rendering passes: each gives what the pass gives without it, and stays bounded."""

from __future__ import annotations

import random

from clausegen import compose, render

_WORDS = ["Li", "Neuroset", "Кузнецова", "183-ФЗ", "Harbour", "Analytics", "FZ-LLC", "Acme", "amp", "the", "Supplier",
          "Договор", "№", "12", "«", "»", ",", ".", "&amp;", "&#34;", "-", "Jean-Luc"]


def _paragraph(rng: random.Random) -> str:
    runs = []
    for _ in range(rng.randint(1, 3)):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 6)))
        properties = rng.choice(["", '<w:rPr><w:b w:val="0"/><w:lang w:val="en-GB"/></w:rPr>', "<w:rPr><w:b/></w:rPr>"])
        runs.append(f'<w:r>{properties}<w:t xml:space="preserve">{words}</w:t></w:r>')
    return f'<w:tc><w:p><w:pPr><w:jc w:val="both"/></w:pPr>{"".join(runs)}</w:p></w:tc>'


def test_names_kept_whole_piece_by_piece_are_those_kept_whole_in_the_joined_part():
    rng = random.Random(20261203)
    changed = 0
    for trial in range(400):
        names = render._Names.of(frozenset(rng.sample(["Neuroset", "Кузнецова", "183-ФЗ", "Harbour", "Analytics",
                                                        "FZ-LLC", "Acme", "amp", "Jean-Luc", "Li"],  # «Li»: too short
                                                       rng.randint(1, 5))))
        pieces = [('<w:document><w:body>', None)]
        for _ in range(rng.randint(1, 8)):
            piece = _paragraph(rng)
            # words known (a paragraph met before) or not (met for the first time)
            pieces.append(render._with_words(piece) if rng.random() < 0.6 else (piece, None))
        pieces.append(("</w:body></w:document>", None))
        joined = "".join(piece for piece, _ in pieces)
        expected = render._unhyphenated(joined, names, render._may_hold(pieces, names))
        assert render._unhyphenated_pieces(pieces, names, joined) == expected, (trial, joined)
        assert render._unhyphenated_pieces(pieces, names, joined) == expected  # again, from the memo
        changed += expected != joined
    assert changed > 200  # the test tests: most parts hold a name


def test_the_memo_of_names_kept_whole_stays_bounded():
    names = render._Names.of(frozenset({"Neuroset"}))
    for index in range(render._MAX_UNHYPHENATED + 500):
        piece = f'<w:p><w:r><w:t xml:space="preserve">Neuroset {index}</w:t></w:r></w:p>'
        render._unhyphenated_pieces([render._with_words(piece)], names, piece)
    assert 0 < len(render._UNHYPHENATED) <= render._MAX_UNHYPHENATED


def test_a_carried_string_is_the_string_hidden_as_before_and_the_memo_stays_bounded():
    for value in ["a b.", "2026 г.", "x\u2028y", "  lead", "end.", "", ".", "a\u00a0b. c."]:
        expected = compose._hidden(value[:-1]) + "." if value.endswith(".") else compose._hidden(value)
        assert compose._carried(value) == expected
        assert compose._carried(value) == expected  # again, from the memo
    for index in range(5000):
        compose._carried(f"clause value number {index} " * 20)
    assert 0 < compose._carried_chars <= compose._MAX_CARRIED_CHARS
    assert sum(map(len, compose._CARRIED_STRINGS)) == compose._carried_chars
