"""Typographic quotes (part of the rendering layer): one quote style per column, whatever was typed.

The clause sources, a lawyer's Word edit and the deal's values may quote with straight ``"`` and
``'`` or with typographic ones.  Every rendered document shows one style (drafting rule 3): the
English column “…” with ‘…’ inside and ’ as the apostrophe (Supplier’s), the Russian column «…» with
„…“ inside.  A straight quote opens where it follows the start of a line, a space or an opening
bracket or dash, and closes anywhere else; a typographic quote already in place stays as it is (in
Russian text, an English “…” pair becomes «…»).  The pass is pure and idempotent, so
``clausegen verify`` applies the same :func:`curl` to the text it expects.

:func:`curl_xml` runs it over the text nodes of a DOCX part, paragraph by paragraph (a quote may open
in a template's literal text and close after a value); it never touches markup.  A run's ``w:lang``
says its column's language; text without one (a running header, a signature line «Поставщик /
Supplier») is taken line by line and at each " / ", as Russian where it has a Cyrillic letter.
"""

from __future__ import annotations

import re

RU, EN = "ru", "en"
#: What may stand just before an opening quote.
_OPENS_AFTER = frozenset(" \t\n\u00a0\u2009\u202f([{«„“‘—–-/")
_CYRILLIC = re.compile("[А-Яа-яЁё]")
_QUOTES = frozenset("\"'“”")


def _opening(line: str, index: int) -> bool:
    return index == 0 or line[index - 1] in _OPENS_AFTER


#: The characters _english and _russian change or track; every other character is copied as it is, so
#: each looks only at these (found in C), not at every character of a paragraph (a third of the time of
#: a deal's new paragraphs went to the loop over every character).
_ENGLISH_MARKS = re.compile("[\"']")
_RUSSIAN_MARKS = re.compile("[«„»“”\"']")


def _english(line: str) -> str:
    out = []
    done = 0
    for found in _ENGLISH_MARKS.finditer(line):
        index = found.start()
        if line[index] == '"':
            char = "“" if _opening(line, index) else "”"
        else:
            char = "‘" if _opening(line, index) and index + 1 < len(line) and line[index + 1].isalnum() else "’"
        out += [line[done:index], char]
        done = index + 1
    if not out:
        return line
    out.append(line[done:])
    return "".join(out)


def _russian(line: str) -> str:
    out = []
    done = 0
    open_quotes: list[str] = []  # the quotes open at this point, innermost last
    for found in _RUSSIAN_MARKS.finditer(line):
        index = found.start()
        char = line[index]
        if char == "«" or char == "„":
            open_quotes.append(char)
            continue
        if char == "»":
            if open_quotes and open_quotes[-1] == "«":
                open_quotes.pop()
            continue
        if char == "“" and open_quotes and open_quotes[-1] == "„":
            open_quotes.pop()  # the inner pair „…“ as it should be
            continue
        if char == "'":
            char = "’"
        elif _opening(line, index) and (index + 1 < len(line) and not line[index + 1].isspace()):
            char = "„" if open_quotes else "«"
            open_quotes.append(char)
        elif open_quotes:
            char = "“" if open_quotes.pop() == "„" else "»"
        else:
            char = "»"
        out += [line[done:index], char]
        done = index + 1
    if not out:
        return line
    out.append(line[done:])
    return "".join(out)


def _by_script(line: str) -> str:
    return " / ".join(_russian(part) if _CYRILLIC.search(part) else _english(part) for part in line.split(" / "))


def curl(value: str, lang: str | None) -> str:
    """``value`` in the quote style of ``lang`` (``None``: each line, and each part of a line between
    " / ", by its script); each line starts afresh."""
    if not any(char in _QUOTES for char in value):
        return value
    convert = {RU: _russian, EN: _english}.get(lang or "", _by_script)
    return "\n".join(convert(line) for line in value.split("\n"))


# ------------------------------------------------------------------ over the XML of a part

#: Where a paragraph starts, for curl_xml (and clausegen.render, which passes paragraphs as curl_xml finds them).
PARAGRAPH_START = re.compile("<w:p[ >]")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
_RUN = re.compile(r"<w:r[ >]")
_LANG = re.compile(r'<w:lang [^>]*?w:val="([A-Za-z]{2})')
_LINE_BREAK = re.compile(r"<w:(?:br|cr|tab)\b")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_QUOTE_TEXT = re.compile(r"""["'“”]|&(?:#34|#39|#x22|#x27|quot|apos);""")


def _unescape(value: str) -> str:
    def one(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in _NAMED:
            return _NAMED[name]
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))

    return _ENTITY.sub(one, value) if "&" in value else value


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: Paragraphs already done: a batch's documents repeat the same paragraphs (a clause's text in its
#: row, the template's own lines) again and again.  Emptied when it holds :data:`_MAX_CURLED`
#: paragraphs, so that a long batch's memory stays flat.
_CURLED: dict[str, str] = {}
_MAX_CURLED = 4096


def curl_xml(xml: str) -> str:
    """Every paragraph of a DOCX part whose text holds a quote, in its column's quote style.

    A paragraph is what ``<w:p[ >].*?</w:p>`` matches, found from left to right; each is
    converted on its own (:func:`curl_paragraph`), once per process, and nothing outside one changes.
    """
    pieces: list[str] = []
    done = 0
    found = PARAGRAPH_START.search(xml)
    while found is not None:
        at = found.start()
        close = xml.find("</w:p>", at)
        if close < 0:
            break  # no later paragraph closes either
        end = close + len("</w:p>")
        paragraph = xml[at:end]
        curled = _CURLED.get(paragraph)
        if curled is None:
            if len(_CURLED) >= _MAX_CURLED:
                _CURLED.clear()
            curled = _CURLED[paragraph] = curl_paragraph(paragraph)
        if curled != paragraph:
            pieces += [xml[done:at], curled]
            done = end
        found = PARAGRAPH_START.search(xml, end)
    return "".join(pieces) + xml[done:] if pieces else xml


def curl_paragraph(xml: str) -> str:
    """One paragraph (``<w:p …>…</w:p>``) in its column's quote style, when its text holds a quote."""
    nodes = list(_TEXT.finditer(xml))
    if not any(_QUOTE_TEXT.search(node.group(1)) for node in nodes):
        return xml
    # The paragraph's lines: (language, [(node, its text)]); a break or tab between nodes starts a line.
    lines: list[tuple[str | None, list[tuple[re.Match[str], str]]]] = []
    previous_end, lang = 0, None
    for node in nodes:
        run = max((m.start() for m in _RUN.finditer(xml, previous_end, node.start())), default=-1)
        if run >= 0 or previous_end == 0:  # else the node is in the previous node's run: its language
            language = _LANG.search(xml, max(run, 0), node.start())
            lang = language.group(1).lower() if language and language.group(1).lower() in (RU, EN) else None
        if not lines or _LINE_BREAK.search(xml, previous_end, node.start()):
            lines.append((lang, []))
        elif lines[-1][0] is None and lang is not None:
            lines[-1] = (lang, lines[-1][1])
        lines[-1][1].append((node, _unescape(node.group(1))))
        previous_end = node.end()
    replaced: dict[int, str] = {}
    for lang, items in lines:
        joined = curl("".join(value for _, value in items), lang)
        at = 0
        for node, value in items:
            new = joined[at:at + len(value)]
            at += len(value)
            if new != value:
                replaced[node.start()] = _escape(new)
    if not replaced:
        return xml
    pieces, done = [], 0
    for node in nodes:
        if node.start() in replaced:
            pieces += [xml[done:node.start(1)], replaced[node.start()]]
            done = node.end(1)
    return "".join(pieces) + xml[done:]
