"""The web form's languages: Russian by default, English on request, from one gettext catalogue.

Every text of the interface is written in the code and the templates in English (the
catalogue's message ids) and marked: ``_()`` where it is shown, ``N_()`` where it is only
defined (field labels, decisions), so that ``pybabel extract`` finds it.  The Russian texts
are in ``translations/ru/LC_MESSAGES/messages.po`` (compiled beside it to ``messages.mo``,
both kept in the repository so that an install from a clone needs no build step;
``tools/web_messages.py`` extracts, updates and compiles).  English needs no catalogue.

The language is chosen per request (the ``lang`` cookie, set by the switch in the header)
and kept in :data:`flask.g`, so threads serving different people do not mix.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from flask import g, has_request_context
from .. import labels

LANGUAGES = ("ru", "en")
DEFAULT = "ru"
COOKIE = "clausegen_lang"
CATALOGUE = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark a text for the catalogue where it is defined; it is translated where shown."""
    return message


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    found = Translations.load(str(CATALOGUE), [lang], DOMAIN)
    if not isinstance(found, Translations):
        raise RuntimeError(f"the {lang} message catalogue is missing from {CATALOGUE}")
    return found


def current() -> str:
    """The language of the page being made (Russian outside a request)."""
    if has_request_context():
        return getattr(g, "lang", DEFAULT)
    return DEFAULT


def choose(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT


def _(message: str, /, **values: Any) -> str:
    """``message`` in the page's language, with ``%(name)s`` filled from ``values``."""
    text = translations(current()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def pick(pair: Any) -> str:
    """The text of a (Russian, English) pair or a {"ru", "en"} mapping in the page's language."""
    lang = current()
    if hasattr(pair, "get"):  # a mapping, or the deal model's Bilingual text
        return pair.get(lang) or pair.get("en" if lang == "ru" else "ru") or ""
    ru, en = pair
    return ru if lang == "ru" else en


def install(jinja_env: Any) -> None:
    """``_``, ``ngettext`` and ``pick`` in templates (Jinja's i18n extension, new style: ``%(name)s``
    values are escaped, and ``_()`` of a message id is trusted as the code's own text)."""
    jinja_env.add_extension("jinja2.ext.i18n")
    jinja_env.install_gettext_callables(
        lambda message: translations(current()).gettext(message),
        lambda singular, plural, n: translations(current()).ngettext(singular, plural, n),
        newstyle=True)
    jinja_env.globals.update(pick=pick, current_lang=current)
    jinja_env.filters["t"] = lambda message: translations(current()).gettext(message)
    jinja_env.filters["day"] = day
    jinja_env.filters["amount"] = amount
    jinja_env.globals["evidence"] = lambda item: labels.evidence(item, current())


def amount(value: str) -> str:
    """A register's amount (decimal text) grouped by thousands as the page's language writes it (84 000 /
    84,000); text that is not a number is shown as it is."""
    from decimal import Decimal, InvalidOperation

    from babel.numbers import format_decimal

    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    pattern = "#,##0" if number == number.to_integral_value() else "#,##0.00"
    return format_decimal(number, format=pattern, locale=current())


def day(iso: str) -> str:
    """An ISO date as the page's language writes it (24.11.2026 in Russian)."""
    if current() == "ru" and isinstance(iso, str) and len(iso) >= 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}" + iso[10:]
    return iso
