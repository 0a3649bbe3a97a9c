"""The web form's message catalogue: extract the texts, update the Russian .po, compile the .mo.

    python3 tools/web_messages.py            # extract + update messages.po (new texts get an empty msgstr)
    python3 tools/web_messages.py --compile  # also write messages.mo beside it
    python3 tools/web_messages.py --check    # exit 1 if a text is untranslated or the .mo differs from the .po

The .po is the source (translators edit it); the .mo is compiled from it and kept in the
repository too, so that an install from a clone needs no build step.  tests/test_web_i18n.py
runs --check's comparison.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "clausegen" / "web"
PO = WEB / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}


def extract() -> Catalog:
    template = Catalog(project="clausegen", domain="messages")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(WEB), METHODS, keywords=KEYWORDS, options_map=OPTIONS, strip_comment_tags=True):
        if message:
            template.add(message, None, [(f"clausegen/web/{filename}", lineno)], auto_comments=comments,
                         context=context)
    return template


def load_po() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="ru")


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def missing(catalog: Catalog) -> list[str]:
    """Message ids without a (non-fuzzy) Russian text."""
    result = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy or not all(strings):
            result.append(message.id if isinstance(message.id, str) else message.id[0])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        catalog = load_po()
        problems = [f"untranslated: {m!r}" for m in missing(catalog)]
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
        present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        problems += [f"not in the .po: {m!r}" for m in sorted(extracted - present)]
        if MO.read_bytes() != compiled(catalog):
            problems.append(f"{MO.name} is not compiled from {PO.name}: run tools/web_messages.py --compile")
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    template = extract()
    if PO.exists():
        catalog = load_po()
        catalog.update(template, no_fuzzy_matching=True)
    else:
        catalog = Catalog(locale="ru", project="clausegen", domain="messages")
        catalog.update(template, no_fuzzy_matching=True)
    catalog.fuzzy = False  # the header: a fuzzy header would leave the plural rule out of the .mo
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False, ignore_obsolete=True)
    left = missing(catalog)
    print(f"{PO.relative_to(ROOT)}: {len(catalog)} messages, {len(left)} untranslated")
    if args.compile:
        MO.write_bytes(compiled(catalog))
        print(f"{MO.relative_to(ROOT)} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
