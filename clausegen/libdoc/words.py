"""Jinja in words: the placeholders and condition markers a lawyer reads in the review document.

A clause text is Jinja; the review document shows each ``{{ value }}`` as a bracketed placeholder
(«[наименование Контрагента]» / "[Counterparty name]") and each ``{% if %}``, ``{% for %}`` and
their ends as a braced marker in words («{если Решение ИИ предоставляется как SaaS:}»).  The
words come from placeholders.yaml, a maintained map; an expression it does not know is shown as
written (a custom library still exports), and :func:`unknown` lists such expressions so that a
test keeps the shipped library fully worded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from jinja2 import Environment, TemplateSyntaxError, nodes

LANGS = ("ru", "en")
_PARSER = Environment()  # parsing only (never rendering): the sandbox's refusals do not matter here
_REF = re.compile(r"^ref\(\s*'([a-z0-9][a-z0-9-]*)'\s*(?:,\s*(\d+)\s*)?\)$")
_NUMBER = re.compile(r"\b\d+\b")
_WORDS = {
    "only": {"ru": "только если {}", "en": "only when {}"},
    "if": {"ru": "{{если {}:}}", "en": "{{if {}:}}"},
    "elif": {"ru": "{{иначе, если {}:}}", "en": "{{otherwise, if {}:}}"},
    "else": {"ru": "{иначе:}", "en": "{otherwise:}"},
    "endif": {"ru": "{конец условия}", "en": "{end of condition}"},
    "for": {"ru": "{{для каждого {}:}}", "en": "{{for each {}:}}"},
    "for_if": {"ru": "{{для каждого {}, если {}:}}", "en": "{{for each {}, if {}:}}"},
    "endfor": {"ru": "{конец перечня}", "en": "{end of list}"},
    "and": {"ru": " и ", "en": " and "},
    "or": {"ru": " или ", "en": " or "},
    "either": {"ru": "либо {}", "en": "either {}"},
    "not": {"ru": "не выполняется условие «{}»", "en": "it is not so that {}"},
    "raw": {"ru": "условие {}", "en": "condition {}"},
    "ref": {"ru": "№ статьи «{}»", "en": "number of Clause “{}”"},
    "ref_k": {"ru": "№ пункта {} статьи «{}»", "en": "number of paragraph {} of Clause “{}”"},
}


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """placeholders.yaml: variables, conditions, loops."""
    text = resources.files("clausegen.libdoc").joinpath("placeholders.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def inner(tag: str) -> str:
    """``{{- x -}}`` → ``x``; ``{% if y %}`` → ``if y``."""
    return tag[2:-2].strip("-+").strip()


# ------------------------------------------------------------------ variables


def variable_label(expression: str, lang: str, titles: dict[str, tuple[str, str]]) -> str | None:
    """The bracketed placeholder of ``{{ expression }}``, or None when the map does not know it.
    ``titles`` gives each clause id its (ru, en) title, for cross-references."""
    match = _REF.match(expression)
    if match:
        target, paragraph = match.groups()
        ru_en = titles.get(target, (target, target))
        title = ru_en[0] if lang == "ru" else ru_en[1]
        words = (_WORDS["ref_k"][lang].format(paragraph, title) if paragraph
                 else _WORDS["ref"][lang].format(title))
        return f"[{words}]"
    entry = vocabulary()["variables"].get(expression)
    return f"[{entry[lang]}]" if entry else None


# ------------------------------------------------------------------ conditions


def _source(node: nodes.Node) -> str:
    """A condition written back the way the catalogue writes it (``deal.`` left out)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _source(node.node)
        return node.attr if base == "deal" else f"{base}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_source(node.node)}[{_source(node.arg)}]"
    if isinstance(node, nodes.Const):
        return "true" if node.value is True else "false" if node.value is False else (
            "none" if node.value is None else repr(node.value))
    if isinstance(node, nodes.Tuple):
        return "(" + ", ".join(_source(item) for item in node.items) + ")"
    if isinstance(node, nodes.Not):
        return f"not {_wrapped(node.node)}"
    if isinstance(node, (nodes.And, nodes.Or)):
        word = "and" if isinstance(node, nodes.And) else "or"
        return f"{_wrapped(node.left)} {word} {_wrapped(node.right)}"
    if isinstance(node, nodes.Compare):
        ops = {"eq": "==", "ne": "!=", "in": "in", "notin": "not in", "gt": ">", "lt": "<", "gteq": ">=",
               "lteq": "<="}
        return _source(node.expr) + "".join(f" {ops[op.op]} {_source(op.expr)}" for op in node.ops)
    if isinstance(node, nodes.Filter):
        return f"{_source(node.node)}|{node.name}"
    if isinstance(node, nodes.Test):
        return f"{_source(node.node)} is {node.name}"
    raise ValueError(type(node).__name__)


def _wrapped(node: nodes.Node) -> str:
    text = _source(node)
    return f"({text})" if isinstance(node, (nodes.And, nodes.Or)) else text


def _entry(key: str) -> tuple[dict[str, Any] | None, str | None]:
    """The map's entry for a canonical atom, trying the numbered patterns; (entry, number)."""
    conditions = vocabulary()["conditions"]
    if key in conditions:
        return conditions[key], None
    numbers = _NUMBER.findall(key)
    if len(numbers) == 1 and (found := conditions.get(_NUMBER.sub("N", key))):
        return found, numbers[0]
    return None, None


def _phrase(entry: dict[str, Any], number: str | None, lang: str, negated: bool) -> str | None:
    text = entry["not"][lang] if negated and "not" in entry else None if negated else entry[lang]
    return re.sub(r"\bN\b", number, text) if text and number else text


def _words(node: nodes.Node, lang: str, missing: list[str]) -> str:
    key = _source(node)
    entry, number = _entry(key)
    if entry:
        return _phrase(entry, number, lang, False)
    if isinstance(node, nodes.Not):
        entry, number = _entry(_source(node.node))
        if entry and (phrase := _phrase(entry, number, lang, True)):
            return phrase
        return _WORDS["not"][lang].format(_words(node.node, lang, missing))
    if isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0].op in ("notin", "ne"):
        entry, number = _entry(key.replace(" not in ", " in ").replace(" != ", " == "))
        if entry and (phrase := _phrase(entry, number, lang, True)):
            return phrase
    if isinstance(node, nodes.Compare) and len(node.ops) == 1 and node.ops[0].op == "in" \
            and isinstance(node.ops[0].expr, nodes.Tuple):  # x in ('a', 'b'): x == 'a' or x == 'b'
        left = _source(node.expr)
        return _WORDS["or"][lang].join(
            _words(nodes.Compare(node.expr, [nodes.Operand("eq", item)]), lang, missing)
            if _entry(f"{left} == {_source(item)}")[0] else _raw(f"{left} == {_source(item)}", lang, missing)
            for item in node.ops[0].expr.items)
    if isinstance(node, nodes.And):
        parts = [_words(side, lang, missing) for side in (node.left, node.right)]
        parts = [_WORDS["either"][lang].format(p) if isinstance(side, nodes.Or) else p
                 for p, side in zip(parts, (node.left, node.right))]
        return _WORDS["and"][lang].join(parts)
    if isinstance(node, nodes.Or):
        return _WORDS["or"][lang].join(_words(side, lang, missing) for side in (node.left, node.right))
    return _raw(key, lang, missing)


def _raw(key: str, lang: str, missing: list[str]) -> str:
    missing.append(key)
    return _WORDS["raw"][lang].format(key.replace("{", "(").replace("}", ")").replace("[", "(").replace("]", ")"))


def condition_words(expression: str, lang: str, missing: list[str] | None = None) -> str:
    """A condition in words («Решение ИИ предоставляется как SaaS (удалённый доступ)»)."""
    missing = [] if missing is None else missing
    try:
        tree = _PARSER.parse("{{ " + expression + " }}")
        node = tree.body[0].nodes[0]
        return _words(node, lang, missing)
    except (TemplateSyntaxError, ValueError, IndexError, AttributeError):
        return _raw(expression, lang, missing)


def when_words(expression: str, lang: str, missing: list[str] | None = None) -> str:
    """A catalogue ``when`` for a clause heading: «всегда» or «только если …»."""
    words = condition_words(expression, lang, missing)
    return words if expression.strip() == "true" else _WORDS["only"][lang].format(words)


def tag_label(tag: str, lang: str, missing: list[str] | None = None) -> str:
    """The braced marker of a ``{% … %}`` tag."""
    missing = [] if missing is None else missing
    body = inner(tag)
    word, _, rest = body.partition(" ")
    if word in ("if", "elif"):
        return _WORDS[word][lang].format(condition_words(rest, lang, missing))
    if word in ("else", "endif", "endfor") and not rest:
        return _WORDS[word][lang]
    match = re.match(r"^for\s+\w+\s+in\s+(.+?)(?:\s+if\s+(.+))?$", body)
    if word == "for" and match:
        iterable, condition = match.groups()
        loop = vocabulary()["loops"].get(iterable.strip().removeprefix("deal."))
        what = loop[lang] if loop else _raw(iterable.strip(), lang, missing)
        if condition:
            return _WORDS["for_if"][lang].format(what, condition_words(condition, lang, missing))
        return _WORDS["for"][lang].format(what)
    missing.append(body)
    return "{" + body.replace("{", "(").replace("}", ")") + "}"
