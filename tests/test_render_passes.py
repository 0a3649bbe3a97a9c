"""The passes over a rendered part (non-breaking spaces, quotes, names kept whole) give exactly what the
whole-part passes they replaced gave (issues 15 and 17: faster, not one byte different).

Each fast pass is compared with the plain pass, kept here as the reference: on XML chosen to be
awkward (entities, text nodes split mid-phrase, attribute values with spaces, text outside any
paragraph, unclosed paragraphs) and on many random strings made of the pieces that matter.
"""

from __future__ import annotations

import random
import re

import pytest

from clausegen import quotes, render, text, wellformed


def _strings(tokens: list[str], count: int, seed: int, longest: int = 40) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(tokens) for _ in range(rng.randint(0, longest))) for _ in range(count)]


def _parts(words: list[str], properties: list[str], count: int, seed: int, noise: list[str]) -> list[str]:
    """Random parts shaped like a document's: paragraphs of runs of text nodes and breaks, the text
    made of ``words``, each run with one of ``properties``; now and then a stray piece of ``noise``."""
    rng = random.Random(seed)

    def node() -> str:
        if rng.random() < 0.15:
            return rng.choice(["<w:br/>", "<w:tab/>", "<w:cr/>"])
        opening = rng.choice(["<w:t>", '<w:t xml:space="preserve">'])
        return opening + "".join(rng.choice(words) for _ in range(rng.randint(0, 6))) + "</w:t>"

    def run() -> str:
        opening = rng.choice(["<w:r>", '<w:r w:rsidR="00A1">'])
        return opening + rng.choice(properties) + "".join(node() for _ in range(rng.randint(1, 3))) + "</w:r>"

    def paragraph() -> str:
        opening = rng.choice(["<w:p>", '<w:p w:rsidR="1 2">'])
        head = rng.choice(["", '<w:pPr><w:pStyle w:val="a"/></w:pPr>'])
        return opening + head + "".join(run() for _ in range(rng.randint(1, 4))) + "</w:p>"

    found = []
    for _ in range(count):
        pieces = [paragraph() for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            pieces.insert(rng.randint(0, len(pieces)), rng.choice(noise))
        found.append("".join(pieces))
    return found


# ------------------------------------------------------------------ keep_together over XML

_KEEP_TOKENS = ["<", ">", " ", " ", " ", "\u00a0", "№", "§", "No.", "no.", "ст.", "п.", "пп.", "Art.", "para.",
                "12", "5", "2026", "406.1", "г.", "гг.", "«", "»", "«5»", "_", "___", "20_", "ноября", "November",
                "А.", "Б.", "М.С.", "M.", "Кузнецова", "Souza", "x", ".", "&amp;", "&#34;", '"', "=", "w:t",
                "<w:t>", "</w:t>", '<w:t xml:space="preserve">', "\n", "-"]


@pytest.mark.parametrize("xml", [
    '<w:p><w:r><w:t xml:space="preserve">от 20 ноября 2026 г. № 12, ст. 406.1 и п. 4.3</w:t></w:r></w:p>',
    # split mid-phrase: the space after «№» is in another node than the number, and stays a space
    '<w:r><w:t>Договор №</w:t></w:r><w:r><w:t xml:space="preserve"> 12 от 5</w:t></w:r><w:r><w:t> ноября</w:t></w:r>',
    '<w:t>М.С. Кузнецова</w:t><w:t>М. С. Кузнецова, О. Хаддад, M. Souza</w:t>',
    '<w:t>«___» ________________ 20___ г.</w:t><w:t>____________ 20___</w:t>',
    # entities around the candidates, and candidates inside attribute values and tags
    '<w:t>&amp;No. 5 &#8470; 7 &lt;ст. 3&gt;</w:t><w:bookmarkStart w:name="No. 5 ст. 6" w:id="1 2"/>',
    '<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; 12 November"/><w:h1 w:x="5" г.="x"/>',
    "no markup at all: No. 5, 12 ноября 2026 г.",
    "5 ноября<", ">5 ноября", "> No. 5 <", "", " ", "<>", "№ 1<№ 2>№ 3",
])
def test_keep_together_xml_is_keep_together(xml):
    assert text.keep_together_xml(xml) == text.keep_together(xml)
    assert text.keep_together_xml(xml) == text.keep_together(xml)  # again, from what was kept


def test_keep_together_xml_is_keep_together_on_random_strings():
    for value in _strings(_KEEP_TOKENS, 3000, 20261202):
        assert text.keep_together_xml(value) == text.keep_together(value), value


def test_keep_together_xml_is_keep_together_on_random_parts():
    words = ["№", "No.", "ст.", "п.", "12", "5", "2026", "г.", "ноября", "November", "М.С.", "А.", "Кузнецова",
             "«5»", "___", "20_", "«___»", " ", " ", " ", "\u00a0", "x", ".", "&amp;"]
    parts = _parts(words, ["", "<w:rPr><w:b/></w:rPr>"], 1500, 20261207, ['<w:x w:a="No. 5"/>', "5 ноября"])
    assert sum(text.keep_together(value) != value for value in parts) > len(parts) // 4  # the test tests
    for value in parts:
        assert text.keep_together_xml(value) == text.keep_together(value), value


def test_keep_together_skips_a_pattern_only_where_it_cannot_match():
    # every pattern, run over every value in turn (the pass as first written), against the pass that
    # skips a pattern for a value holding none of the texts its matches need
    rng = random.Random(20261203)
    pieces = list("0123456789_»«№§. гулдпрстчNo\u00a0АЯЁAZаяa") + ["января", "May ", "ст", "No.", "20_", "___",
                                                                   "г.", "ул.", "М.С.", "п. 4", "§ 2"]
    for _ in range(50000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = value
        for pattern in text._KEEP_TOGETHER:
            expected = pattern.sub(lambda found: found.group(1) + text.NBSP, expected)
        assert text.keep_together(value) == expected, repr(value)


#: The keep-together patterns as first written (review 10): the passes' patterns, rewritten to skip in C to
#: where a match can start, must find exactly what these find.
_KEEP_AS_FIRST_WRITTEN = [re.compile(source) for source in (
    r"([\d_]) (?=гг?\.)",
    r"(«_+») (?=_)",
    r"(_{3,}) (?=20_)",
    r"([№§]|(?<![\w.])No\.) (?=\w)",
    r"((?<![\w.])(?:ст|п|пп|ч|абз|подп|гл|разд|Art|art|para)\.) (?=\d)",
    rf"((?<![\d.])(?:\d{{1,2}}|«\d{{1,2}}»)) (?={text._RU_MONTHS}|{text._EN_MONTHS})",
    r"((?<![\w.])[А-ЯЁA-Z]\.(?:[ \u00a0]?[А-ЯЁA-Z]\.)?) (?=[А-ЯЁA-Z][а-яёa-z])",
    r"((?<!\d[ \u00a0])(?<!т\.[ \u00a0])(?<![\w.])(?:г|ул|пр|наб|пер|пл|д|корп|стр|пом)\.) (?=[А-ЯЁ\d])",
)]


def test_keep_together_finds_what_the_patterns_as_first_written_find():
    rng = random.Random(20261204)
    pieces = list("0123456789_»«№§. гулдпрстчNo\u00a0АЯЁAZаяaxт") + [
        "января", "мая", "маяк", "May ", "November", "December", "ст", "No.", "20_", "___", "г.", "ул.", "наб.",
        "корп.", "пом.", "стр.", "д.", "т.", "Art.", "para.", "подп.", "М.С.", "О. ", "п. 4", "§ 2", "«5»", "12"]
    changed = 0
    for _ in range(60000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = value
        for pattern in _KEEP_AS_FIRST_WRITTEN:
            expected = pattern.sub(lambda found: found.group(1) + text.NBSP, expected)
        changed += expected != value
        assert text.keep_together(value) == expected, repr(value)
    assert changed > 6000  # the test tests: a tenth of the values hold a space to keep


def test_keep_together_xml_returns_its_argument_when_nothing_changes():
    xml = '<w:p w:rsidR="00A1"><w:r><w:t xml:space="preserve">nothing to keep. Here</w:t></w:r></w:p>'
    assert text.keep_together_xml(xml) is xml


# ------------------------------------------------------------------ quotes over XML

_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.S)


def _curl_xml_reference(xml: str) -> str:
    """The pass as it was: every paragraph the pattern matches, converted in place."""
    return _PARAGRAPH.sub(lambda found: quotes.curl_paragraph(found.group()), xml)


_QUOTE_TOKENS = ["<w:p>", '<w:p w:x="a b">', "</w:p>", "<w:pPr/>", '<w:pStyle w:val="x"/>', "<w:r>",
                 '<w:r w:rsidR="1">', "</w:r>", '<w:rPr><w:lang w:val="ru-RU"/></w:rPr>',
                 '<w:rPr><w:lang w:val="en-GB"/></w:rPr>', "<w:t>", '<w:t xml:space="preserve">', "</w:t>",
                 "<w:br/>", "<w:tab/>", '"', '"', "'", "“", "”", "&#34;", "&#39;", "&quot;", "&amp;", "a", "б",
                 " ", "«", "»", "Acme", " / ", "<", ">", "\n"]


@pytest.mark.parametrize("xml", [
    '<w:p><w:r><w:t>the "Supplier"</w:t></w:r></w:p><w:p><w:r><w:t>no quote</w:t></w:r></w:p>',
    # a paragraph's properties and a style are no paragraphs; quotes in attributes never change
    '<w:p w:x="&quot;a&quot;"><w:pPr><w:pStyle w:val="q"/></w:pPr><w:r><w:t>ООО "Нейросеть"</w:t></w:r></w:p>',
    # text outside any paragraph, and a paragraph never closed, stay as they are
    '<w:t>"outside"</w:t><w:p><w:r><w:t>"in"</w:t></w:r></w:p><w:p><w:r><w:t>"open"</w:t></w:r>',
    # a quote opened in one node and closed in another, a run split mid-word
    '<w:p><w:r><w:t xml:space="preserve">the &#34;Sup</w:t></w:r><w:r><w:t>plier&#34;&#39;s</w:t></w:r></w:p>',
    '<w:p><w:p><w:r><w:t>"nested"</w:t></w:r></w:p></w:p>',
    "", "<w:p>", "</w:p>", "<w:p></w:p>",
])
def test_curl_xml_is_the_paragraph_by_paragraph_pass(xml):
    assert quotes.curl_xml(xml) == _curl_xml_reference(xml)
    assert quotes.curl_xml(xml) == _curl_xml_reference(xml)


def test_curl_xml_is_the_paragraph_by_paragraph_pass_on_random_strings():
    for value in _strings(_QUOTE_TOKENS, 3000, 20261203):
        assert quotes.curl_xml(value) == _curl_xml_reference(value), value


_QUOTE_WORDS = ['"', '"', "'", "“", "”", "„", "&#34;", "&#39;", "&quot;", "&amp;", "a", "Acme", "б", "ООО", " ",
                " / ", "«", "»", "(", "\n"]
_QUOTE_PROPERTIES = ["", '<w:rPr><w:lang w:val="ru-RU"/></w:rPr>', '<w:rPr><w:lang w:val="en-GB"/></w:rPr>',
                     '<w:rPr><w:lang w:val="de-DE"/></w:rPr>', "<w:rPr><w:b/></w:rPr>"]


def test_curl_xml_is_the_paragraph_by_paragraph_pass_on_random_parts():
    parts = _parts(_QUOTE_WORDS, _QUOTE_PROPERTIES, 1500, 20261205, ["<w:p>", "</w:p>", '<w:t>"</w:t>', "<w:p "])
    assert sum(_curl_xml_reference(value) != value for value in parts) > len(parts) // 2  # the test tests
    for value in parts:
        assert quotes.curl_xml(value) == _curl_xml_reference(value), value


# ------------------------------------------------------------------ names kept whole

_TEXT_NODE = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def _unhyphenated_reference(xml: str, names: re.Pattern[str]) -> str:
    """render._unhyphenated as it was: every search from the start of the part."""
    pieces, done = [], 0
    for node in _TEXT_NODE.finditer(xml):
        found = list(names.finditer(node.group(1)))
        if not found:
            continue
        run = max(xml.rfind("<w:r>", 0, node.start()), xml.rfind("<w:r ", 0, node.start()))
        if run < 0:
            continue
        own = render._RUN_PROPERTIES.search(xml, run, node.start())
        plain = own.group() if own else ""
        if not plain:
            bare = f"<w:rPr>{render._NO_LANGUAGE}</w:rPr>"
        elif render._RUN_LANGUAGE.search(plain):
            bare = render._RUN_LANGUAGE.sub(render._NO_LANGUAGE, plain)
        else:
            bare = plain.replace("</w:rPr>", render._NO_LANGUAGE + "</w:rPr>")
        content, at, parts = node.group(1), 0, []
        for name in found:
            whole = name.group().replace("-", render._NO_BREAK_HYPHEN)
            parts += [content[at:name.start()], f'</w:t></w:r><w:r>{bare}<w:t xml:space="preserve">', whole,
                      f'</w:t></w:r><w:r>{plain}<w:t xml:space="preserve">']
            at = name.end()
        parts.append(content[at:])
        pieces += [xml[done:node.start()], '<w:t xml:space="preserve">', "".join(parts), "</w:t>"]
        done = node.end()
    return "".join(pieces) + xml[done:] if pieces else xml


_WORDS = frozenset({"Acme", "Кузнецова", "Мария", "Jean-Luc", "Souza"})
_NAMES = render._Names.of(_WORDS)
_PATTERN = render._words_pattern(_WORDS)
_FAR = "<w:bookmarkStart/>" * 200  # more than the near window between a run's start and its text
_NAME_TOKENS = ["<w:r>", '<w:r w:rsidR="1">', "</w:r>", '<w:rPr><w:lang w:val="ru-RU"/></w:rPr>',
                "<w:rPr><w:b/></w:rPr>", "<w:t>", '<w:t xml:space="preserve">', "</w:t>", "Acme", "Кузнецова",
                "Мария", "Jean-Luc", "Souza", " ", "\u00a0", "-", "x", "<w:p>", "</w:p>", _FAR]


@pytest.mark.parametrize("xml", [
    '<w:p><w:r><w:rPr><w:lang w:val="ru-RU"/></w:rPr><w:t>Кузнецова Мария, Acme и Jean-Luc</w:t></w:r></w:p>',
    f'<w:p><w:r><w:rPr><w:b/></w:rPr>{_FAR}<w:t>Souza</w:t></w:r></w:p>',  # the run starts far back
    f'<w:r>{_FAR}{_FAR}<w:t>Acme</w:t>',
    "<w:t>Acme</w:t>",  # no run at all: left as it is
    "<w:r><w:t>Acmes and xAcme</w:t></w:r>",
])
def test_unhyphenated_is_the_pass_searching_from_the_start(xml):
    assert render._unhyphenated(xml, _NAMES) == _unhyphenated_reference(xml, _PATTERN)


def test_unhyphenated_on_random_strings():
    for value in _strings(_NAME_TOKENS, 1500, 20261204, longest=25):
        assert render._unhyphenated(value, _NAMES) == _unhyphenated_reference(value, _PATTERN), value


def test_unhyphenated_on_random_parts():
    words = ["Acme", "Кузнецова", "Мария", "Jean-Luc", "Souza", " ", " ", "\u00a0", "-", "x", "и", "Acmes"]
    properties = ["", '<w:rPr><w:lang w:val="ru-RU"/></w:rPr>', "<w:rPr><w:b/></w:rPr>", f"{_FAR}"]
    parts = _parts(words, properties, 1500, 20261206, ["<w:t>Acme</w:t>", _FAR, "<w:r>"])
    assert sum(_unhyphenated_reference(value, _PATTERN) != value for value in parts) > len(parts) // 2
    for value in parts:
        assert render._unhyphenated(value, _NAMES) == _unhyphenated_reference(value, _PATTERN), value


def test_last_run_is_the_nearest_run_start_however_far():
    rng = random.Random(7)
    for value in _strings(["<w:r>", "<w:r ", "<w:rPr>", "x" * 700, "<w:t>"], 300, 8, longest=30):
        for before in sorted({rng.randint(0, len(value)) for _ in range(5)}):
            assert render._last_run(value, before) == max(value.rfind("<w:r>", 0, before),
                                                          value.rfind("<w:r ", 0, before))


# ------------------------------------------------------------------ where names stand, without a pattern per deal

_TRICKY_NAMES = [
    frozenset({"Jean-Luc", "Jean", "Luc", "Константинопольская-Кузнецова", "Кузнецова", "Мария"}),  # hyphens
    frozenset({"O'Brien", "Brien", "St.", "A&B", "Smith & Sons", "legal7@example.com", "example"}),  # not \w
    frozenset({"Acme", "Acmes", "Acme-Tech", "acme@x.com", "acme", "Tech"}),  # prefixes of one another
    frozenset({"Harbour", "Analytics", "FZ-LLC", "Harbour Analytics", " Acme", "Acme ", "x\u00a0y"}),
    frozenset({"Gulf", "Vision", "Analytics", "Мариана", "Соуза", "Souza", "Omar", "Haddad", "Ltd"}),
    frozenset({"", "Acme"}),  # an empty word matches everywhere: the pattern decides, as before
    frozenset({"Acme_1", "Acme", "1st", "__"}),  # underscores and digits are word characters too
    frozenset({"amp", "quot", "x27", "034", "Tom"}),  # an entity's name or number is no name («&amp;»)
]
_NAMES_TOKENS = ["Jean-Luc", "Jean", "Luc", "Константинопольская-Кузнецова", "Кузнецова", "Мария", "O'Brien",
                 "Brien", "St.", "A&B", "Smith", "&", "Sons", "legal7@example.com", "example", ".com", "Acme",
                 "Acmes", "Acme-Tech", "acme@x.com", "acme", "Tech", "Harbour", "Analytics", "FZ-LLC", "Gulf",
                 "Vision", "Мариана", "Соуза", "Souza", "Omar", "Haddad", "Ltd", "Acme_1", "1st", "_", "1", "x",
                 "y", " ", " ", " ", "  ", "\u00a0", "\u00a0 ", "\u2009", "-", "-", ".", ",", "'", "@", "«", "»",
                 "&amp;", "(", "\t", "\n", "é", "\u0301", "&#034;", "&quot;", "&#x27;", "amp", "Tom"]


def _names_reference(words: frozenset[str], content: str) -> tuple[tuple[int, int], ...]:
    pattern = render._words_pattern(words)
    return tuple(match.span() for match in pattern.finditer(content)) if pattern else ()


@pytest.mark.parametrize("words", _TRICKY_NAMES, ids=range(len(_TRICKY_NAMES)))
def test_names_in_finds_what_the_pattern_of_the_names_finds(words):
    names = render._Names.of(words)
    seed = sum(map(ord, "".join(sorted(words))))
    contents = _strings(_NAMES_TOKENS + sorted(words) * 3, 2500, seed, longest=14)
    contents += ["Jean-Luc Кузнецова\u00a0Мария", "O'Brien & A&B, St. Brien", "Acme  Acmes Acme-Tech acme@x.com",
                 "Acme\u00a0\u00a0Tech-", "-Acme Tech", "Harbour Analytics FZ-LLC", "x\u00a0y Acme  x\u00a0y",
                 "Smith & Sons legal7@example.com example", "Гульф Gulf Vision Мариана Соуза", "Acme_1 Acme __"]
    assert sum(bool(_names_reference(words, content)) for content in contents) > len(contents) // 10  # the test tests
    for content in contents:
        assert render._names_in(names, content) == _names_reference(words, content), (sorted(words), content)
        assert render._names_in(names, content) == _names_reference(words, content)  # again, from the memo


def test_a_name_that_is_an_entitys_name_is_not_kept_whole_inside_the_entity():
    # a signatory typed «&amp;» is printed «&amp;amp;»: splitting the first «amp» off would break the XML
    xml = '<w:p><w:r><w:t xml:space="preserve">Director, &amp;amp; and &#034;Tom&#034;</w:t></w:r></w:p>'
    done = render._unhyphenated(xml, render._Names.of(frozenset({"amp", "034", "Tom"})))
    wellformed.parse(f'<w:document xmlns:w="urn:w">{done}</w:document>'.encode())
    assert "Director, &amp;</w:t>" in done  # the entity whole
    assert '<w:t xml:space="preserve">amp</w:t>' in done  # the name «amp» after it, in a run of its own
    assert '<w:t xml:space="preserve">Tom</w:t>' in done


def test_names_in_compiles_nothing_for_names_that_are_runs_of_letters():
    render._words_pattern.cache_clear()
    for index in range(50):  # fifty deals, fifty sets of names
        names = render._Names.of(frozenset({f"Harbour{index}x", "Analytics", "FZ-LLC", "Кузнецова"}))
        assert render._names_in(names, f"ООО «Harbour{index}x Analytics FZ-LLC» и Кузнецова") != ()
    assert render._words_pattern.cache_info().misses == 0


def test_the_memo_of_runs_stays_bounded():
    for index in range(3000):
        render._runs_of(f"clause paragraph number {index} " * 20)
    assert 0 < render._run_chars <= render._MAX_RUN_CHARS
    assert sum(map(len, render._RUNS)) == render._run_chars


# ------------------------------------------------------------------ the text passes, paragraph by paragraph

_BODY_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="urn:w">'
              '<w:body>\n')


def _text_passes_reference(xml: str) -> str:
    return quotes.curl_xml(render._breaks_in_text(text.keep_together_xml(xml)))


def _text_passes(xml: str) -> str:
    return "".join(piece for piece, _ in render._text_passes(xml, xml.find("<w:body")))


def _bodies(count: int, seed: int) -> list[str]:
    """Well-formed bodies (text passes run only on a part whose shape is proven): random paragraphs with
    numbers, dates, quotes and line breaks, some in a table, between a head and a tail."""
    words = ["№", "No.", "ст.", "12", "5", "2026", "г.", "ноября", "November", "М.С.", "Кузнецова", '"', "'",
             "&#34;", "&quot;", "«", "»", "“", "Acme", "б", " ", " ", " ", "\u00a0", "\n", "\n", ".", "&amp;"]
    properties = ["", '<w:rPr><w:lang w:val="ru-RU"/></w:rPr>', '<w:rPr><w:lang w:val="en-GB"/></w:rPr>']
    rng = random.Random(seed)
    found = []
    for part in _parts(words, properties, count, seed, ["<w:bookmarkStart/>", '<w:t>"out" No. 5</w:t>']):
        if rng.random() < 0.3:
            part = f'<w:tbl><w:tr w:x="5 ноября"><w:tc>{part}</w:tc><w:tc>{part}</w:tc></w:tr></w:tbl>'
        tail = rng.choice(["", '<w:sectPr w:a="No. 5"/>', "\n"])
        found.append(f"{_BODY_HEAD}{part}{tail}</w:body></w:document>")
    return found


def test_text_passes_by_paragraph_are_the_passes_over_the_part():
    bodies = _bodies(1500, 20261209)
    assert sum(_text_passes_reference(xml) != xml for xml in bodies) > len(bodies) // 2  # the test tests
    for xml in bodies:
        render.wellformed.parse(xml.encode("utf-8"))  # what the passes may assume
        assert _text_passes(xml) == _text_passes_reference(xml), xml
        assert _text_passes(xml) == _text_passes_reference(xml)  # from the memo


@pytest.mark.parametrize("xml", [
    "<w:document><w:body></w:body></w:document>",  # no paragraph at all
    '<w:document><w:p><w:r><w:t>"5 ноября"</w:t></w:r></w:p><w:body><w:p><w:r><w:t>"a"</w:t></w:r></w:p>'
    "</w:body></w:document>",  # a paragraph before the body: the plain passes
    f'{_BODY_HEAD}<w:p><w:r><w:t>"open</w:t></w:r><w:p><w:r><w:t>No. 5\n"</w:t></w:r></w:p></w:body>',
    # an </w:p> without its start, between paragraphs and after the last; a paragraph never closed
    f'{_BODY_HEAD}<w:p><w:r><w:t>"a" No. 1</w:t></w:r></w:p><w:x>No. 2</w:x></w:p><w:y/></w:p>'
    '<w:p><w:r><w:t>"b"</w:t></w:r></w:p></w:p><w:z>No. 3 "c"</w:z></w:body>',
    f'{_BODY_HEAD}<w:p><w:r><w:t>"a"</w:t></w:r></w:p><w:p><w:r><w:t>No. 4 "d"</w:t></w:r></w:body>',
    f'{_BODY_HEAD}<w:p><w:r><w:t>"a"</w:t></w:r></w:p></w:p></w:p>',
])
def test_text_passes_on_awkward_bodies(xml):
    assert _text_passes(xml) == _text_passes_reference(xml)
    assert _text_passes(xml) == _text_passes_reference(xml)  # from the memo


def test_the_memo_of_passed_paragraphs_stays_bounded():
    for index in range(3 * render._MAX_PASSED + 10):
        xml = f'{_BODY_HEAD}<w:p><w:r><w:t>No. {index} "x"</w:t></w:r></w:p></w:body>'
        render._text_passes(xml, xml.find("<w:body"))
    assert 0 < len(render._PASSED) <= render._MAX_PASSED
    assert len(render._PASSED_BEFORE) <= render._MAX_PASSED


def test_the_memo_of_passed_paragraphs_keeps_what_every_document_repeats(monkeypatch):
    """When the memo fills, the paragraphs still in use are not passed again (it is set aside, not emptied)."""
    hot = '<w:p><w:r><w:t>The same clause "text" No. 1 of every deal</w:t></w:r></w:p>'
    passed = []
    curl = quotes.curl_paragraph
    monkeypatch.setattr(quotes, "curl_paragraph", lambda xml: passed.append(xml) or curl(xml))
    done = []
    for index in range(3 * render._MAX_PASSED):  # the memo fills several times over
        xml = f'{_BODY_HEAD}{hot}<w:p><w:r><w:t>No. {index} "x"</w:t></w:r></w:p></w:body>'
        done.append((xml, _text_passes(xml)))
    assert sum("of every deal" in paragraph for paragraph in passed) <= 1  # once at most (or already passed)
    assert len(passed) >= 3 * render._MAX_PASSED - 1  # the others, once each
    monkeypatch.undo()
    assert all(result == _text_passes_reference(xml) for xml, result in done)


def test_unhyphenated_where_names_may_be_is_unhyphenated_everywhere():
    words = frozenset({"Acme", "Кузнецова", "Мария", "Jean-Luc", "Souza", "legal7@example.com", "O'Brien"})
    changed = 0
    for index, xml in enumerate(_bodies(600, 20261210)):
        xml = xml.replace("Acme", ["Acme", "Jean-Luc Souza", "legal7@example.com", "O'Brien", "Acmes"][index % 5])
        pieces = render._text_passes(xml, xml.find("<w:body"))
        passed = "".join(piece for piece, _ in pieces)
        names = render._Names.of(words).within(passed)
        whole = render._unhyphenated(passed, names)
        assert render._unhyphenated(passed, names, render._may_hold(pieces, names)) == whole, passed
        changed += whole != passed
    assert changed > 300  # the test tests


def test_names_of_two_letters_are_looked_for_everywhere():
    xml = _BODY_HEAD + "<w:p><w:r><w:t>Li Wu</w:t></w:r></w:p></w:body>"
    pieces = render._text_passes(xml, xml.find("<w:body"))
    assert render._may_hold(pieces, render._Names.of(frozenset({"Li", "Wu"}))) is None


def test_long_words_are_the_runs_longer_than_two_characters():
    for value in _strings(["ab", "abc", "-", "a", " ", "<", "Ж", "_", "1", "\u00a0", ".", "x-y"], 2000, 20261211):
        assert render._long_words(value) == {run for run in re.findall(r"[\w-]+", value) if len(run) > 2}, value


def test_the_lexer_states_kept_per_literal_stay_bounded():
    from markupsafe import Markup

    for index in range(render.wellformed._MAX_TRANSITIONS + 10):
        render.wellformed._shape([f'<w:t w:x="{index}">', Markup("a"), "</w:t>"])
    assert all(len(table) <= render.wellformed._MAX_TRANSITIONS for table in render.wellformed._transitions)
