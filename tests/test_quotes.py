"""One quote style per column (clausegen.quotes): what a lawyer sees, whatever was typed."""

from __future__ import annotations

import pytest

from clausegen import quotes


@pytest.mark.parametrize("typed, shown", [
    ('the "Supplier" means', "the “Supplier” means"),
    ("the Supplier's consent", "the Supplier’s consent"),
    ("(the \"Contract\")", "(the “Contract”)"),
    ("a 'deemed' export", "a ‘deemed’ export"),
    ('"Acme"', "“Acme”"),
    ("the Parties' obligations", "the Parties’ obligations"),
])
def test_english_straight_quotes_become_curly_by_position(typed, shown):
    assert quotes.curl(typed, "en") == shown


@pytest.mark.parametrize("typed, shown", [
    ('ООО "Нейросеть"', "ООО «Нейросеть»"),
    ('компания "Acme"', "компания «Acme»"),
    ('«ООО "Нейросеть"»', "«ООО „Нейросеть“»"),
    ('ООО "Фирма "Ромашка""', "ООО «Фирма „Ромашка“»"),
    ("компания “Acme”", "компания «Acme»"),
])
def test_russian_quotes_become_guillemets_with_low_high_quotes_inside(typed, shown):
    assert quotes.curl(typed, "ru") == shown


def test_quotes_already_typographic_are_left_as_they_are():
    for lang, value in (("en", "the “Supplier’s” ‘own’ terms"), ("ru", "«ООО „Нейросеть“»")):
        assert quotes.curl(value, lang) == value


def test_the_pass_is_idempotent():
    once = quotes.curl('the "Supplier\'s" \'term\'', "en")
    assert quotes.curl(once, "en") == once


def test_text_without_a_language_is_taken_by_script_at_each_slash():
    assert quotes.curl('ООО "Нейросеть" / Neuroset "LLC"', None) == "ООО «Нейросеть» / Neuroset “LLC”"


def test_each_line_starts_afresh():
    assert quotes.curl('a "b\n"c" d', "en") == "a “b\n“c” d"


def test_xml_quotes_change_only_in_text_nodes_by_the_run_language():
    xml = ('<w:p><w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">the &#34;</w:t></w:r>'
           '<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t>Supplier&#34; &amp; it&#39;s</w:t></w:r></w:p>'
           '<w:p><w:r><w:rPr><w:lang w:val="ru-RU"/></w:rPr><w:t>ООО "Нейросеть"</w:t></w:r></w:p>')
    assert quotes.curl_xml(xml) == (
        '<w:p><w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">the “</w:t></w:r>'
        '<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t>Supplier” &amp; it’s</w:t></w:r></w:p>'
        '<w:p><w:r><w:rPr><w:lang w:val="ru-RU"/></w:rPr><w:t>ООО «Нейросеть»</w:t></w:r></w:p>')


def test_xml_a_line_break_between_runs_starts_a_new_line():
    xml = '<w:p><w:r><w:t>"a</w:t><w:br/><w:t>"b"</w:t></w:r></w:p>'
    assert quotes.curl_xml(xml) == '<w:p><w:r><w:t>“a</w:t><w:br/><w:t>“b”</w:t></w:r></w:p>'


def test_xml_without_quotes_is_returned_unchanged():
    xml = '<w:p w:rsidR="00A1"><w:r><w:t>no quotes here</w:t></w:r></w:p>'
    assert quotes.curl_xml(xml) is xml


def test_xml_a_line_after_a_break_in_the_same_run_keeps_the_run_language():
    # Latin-only text on the second line of a Russian run is still Russian text: «», not “”
    xml = '<w:p><w:r><w:rPr><w:lang w:val="ru-RU"/></w:rPr><w:t>а</w:t><w:br/><w:t>"Acme"</w:t></w:r></w:p>'
    assert quotes.curl_xml(xml) == '<w:p><w:r><w:rPr><w:lang w:val="ru-RU"/></w:rPr><w:t>а</w:t><w:br/><w:t>«Acme»</w:t></w:r></w:p>'


# The per-character passes as first written: the specification the faster ones (which look only at the
# characters they change or track) are held to.
def _english_by_character(line: str) -> str:
    out = []
    for index, char in enumerate(line):
        if char == '"':
            char = "“" if quotes._opening(line, index) else "”"
        elif char == "'":
            char = "‘" if quotes._opening(line, index) and index + 1 < len(line) and line[index + 1].isalnum() else "’"
        out.append(char)
    return "".join(out)


def _russian_by_character(line: str) -> str:
    out, open_quotes = [], []
    for index, char in enumerate(line):
        if char in "«„":
            open_quotes.append(char)
        elif char == "»":
            if open_quotes and open_quotes[-1] == "«":
                open_quotes.pop()
        elif char == "“" and open_quotes and open_quotes[-1] == "„":
            open_quotes.pop()
        elif char in "\"“”":
            if quotes._opening(line, index) and (index + 1 < len(line) and not line[index + 1].isspace()):
                char = "„" if open_quotes else "«"
                open_quotes.append(char)
            elif open_quotes:
                char = "“" if open_quotes.pop() == "„" else "»"
            else:
                char = "»"
        elif char == "'":
            char = "’"
        out.append(char)
    return "".join(out)


def test_each_column_pass_equals_its_per_character_specification_on_random_text():
    import random

    rng = random.Random(20261203)
    alphabet = "\"'“”«»„‘’ \u00a0\t([{—–-/aZ9яЖ.,"
    for _ in range(20000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert quotes._english(line) == _english_by_character(line), line
        assert quotes._russian(line) == _russian_by_character(line), line
