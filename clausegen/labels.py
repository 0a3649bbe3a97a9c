"""Russian and English labels of the deal format's codes (data: labels.yaml).

The screening report is the Russian 5.3 record: it shows no enum value and no
field path, only these labels.  Activity tags are labelled by
:mod:`clausegen.activities` (the vocabulary), not here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DATA = Path(__file__).with_name("labels.yaml")
_INDEX = re.compile(r"\[(\d+)\]")


@cache
def _table() -> dict[str, dict[str, dict[str, str]]]:
    with _DATA.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: a tenth of the time


def groups() -> tuple[str, ...]:
    """The groups of codes that have labels (delivery, payment_method, field, ...)."""
    return tuple(_table())


def codes(group: str) -> tuple[str, ...]:
    """Every code of ``group`` that has a label."""
    return tuple(_table()[group])


def label(group: str, code: Any, lang: str = "ru") -> str:
    """The label of ``code`` (an enum or its value) in ``group``; KeyError for a code without one."""
    return _table()[group][str(code)][lang]


def has(group: str, code: Any) -> bool:
    return str(code) in _table().get(group, {})


def activity(tag: str, lang: str = "ru", *, inline: bool = False) -> str:
    """An activity tag's label, from the vocabulary (clausegen.activities); ``inline``: as words inside a
    sentence or after a colon, the first letter in lower case (the vocabulary's labels start with a capital)."""
    try:
        from . import activities
    except ImportError:  # pragma: no cover - the vocabulary module comes with the vocab branch
        return tag
    found = activities.label(tag, lang)
    return found[:1].lower() + found[1:] if inline and not found[1:2].isupper() else found


def field_path(path: str, lang: str = "ru") -> str:
    """A dotted field path by its name: ``end_use.end_users[1].activities`` → «Виды деятельности
    конечного пользователя № 2».  Unknown paths fall back to their nearest known parent."""
    numbers = [int(n) + 1 for n in _INDEX.findall(path)]
    bare = _INDEX.sub("", path)
    fields = _table()["field"]
    probe = bare
    while probe and probe not in fields:
        probe = probe.rsplit(".", 1)[0] if "." in probe else ""
    name = fields[probe][lang] if probe else bare
    if numbers:
        name += f" № {numbers[-1]}" if lang == "ru" else f" No. {numbers[-1]}"
    return name


_ACTIVITY_FIELDS = re.compile(r"(^|\.)activities$")


def value(path: str, raw: str, lang: str = "ru") -> str:
    """A value of field ``path`` as evidence shows it, labelled: tags, enum values, yes/no."""
    bare = _INDEX.sub("", path)
    table = _table()
    if raw in table["value"]:
        return table["value"][raw][lang]
    groups_by_field = {"payment.method": "payment_method", "solution.delivery": "delivery",
                       "solution.suitable_for": "suitability", "contract.kind": "contract_kind",
                       "identification.result": "identification_result"}
    group = groups_by_field.get(bare)
    if group or _ACTIVITY_FIELDS.search(bare):
        parts = [part.strip() for part in raw.split(",")]
        named = [label(group, part, lang) if group and has(group, part) else
                 activity(part, lang, inline=True) if not group else part for part in parts]
        return ", ".join(named)
    return raw


_EVIDENCE = re.compile(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (.*)$", re.S)


def evidence(item: str, lang: str = "ru") -> str:
    """One evidence string of screening (``field: value; field: value``) with labels for codes.

    Text that is not of that form (a note, a free-text quotation) is returned as it is.
    """
    out = []
    for part in item.split("; "):
        match = _EVIDENCE.match(part)
        if match:
            path, raw = match.groups()
            if path == "red_flags":  # «Признаки, отмеченные командой сделки: отмечен командой сделки» says it twice
                out.append(value(path, raw, lang))
            else:
                out.append(f"{field_path(path, lang)}: {value(path, raw, lang)}")
        else:
            out.append(part)
    return "; ".join(out)
