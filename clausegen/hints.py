"""Hints for values of the wrong form (data: hints.yaml): an unknown code with the code it probably
means, and an amount written with its currency with how to write the two fields."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import yaml

_DATA = Path(__file__).with_name("hints.yaml")
_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "₽": "RUB", "£": "GBP", "¥": "CNY", "руб": "RUB", "р": "RUB"}


@cache
def _synonyms() -> dict[str, str]:
    with _DATA.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)["synonyms"])


def _key(value: str) -> str:
    return re.sub(r"[\s\-/.]+", "_", value.strip().lower()).strip("_")


def code_meant(value: object, allowed: list[str]) -> str | None:
    """The allowed code ``value`` probably means: the same code written another way (``on-premise``),
    a word for it (``wire``), or a close spelling; None when nothing is close."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = _key(value)
    if key in allowed:
        return key
    synonym = _synonyms().get(key)
    if synonym in allowed:
        return synonym
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def money(value: object) -> tuple[str, str | None] | None:
    """An amount written as text with its currency or separators (``EUR 480,000.00``, ``480 000,50 ₽``):
    the number as ``amount`` takes it and the currency code, if one was written; None when it is no amount."""
    if not isinstance(value, str):
        return None
    text = value.replace("\u00a0", " ").replace("\u202f", " ").strip()
    currency = None
    found = re.search(r"\b([A-Za-z]{3})\b", text)
    if found:
        currency = found.group(1).upper()
        text = text[:found.start()] + text[found.end():]
    else:
        for sign, code in _CURRENCY_SIGNS.items():
            if sign in text.lower():
                currency = code
                text = re.sub(re.escape(sign) + r"\.?", "", text, flags=re.IGNORECASE)
                break
    digits = re.sub(r"[\s']", "", text)
    if not re.fullmatch(r"\d[\d.,]*", digits or "x"):
        return None
    last = max(digits.rfind(","), digits.rfind("."))
    if last >= 0 and len(digits) - last - 1 in (1, 2):  # a decimal separator: one or two digits follow it
        whole, fraction = digits[:last], digits[last + 1:]
    else:
        whole, fraction = digits, ""
    whole = whole.replace(",", "").replace(".", "")
    try:
        number = Decimal(f"{whole}.{fraction}" if fraction else whole)
    except InvalidOperation:
        return None
    return (f"{number:f}", currency)
