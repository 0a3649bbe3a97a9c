"""``clausegen clauses check``: everything that can be verified about a library without a deal."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import TemplateError, meta

from . import text
from .errors import LibraryError, Problem
from .library import DECLARATION_SECTIONS, Library, load_library_partial
from .sandbox import ENV, compile_condition, escape_literals

#: The top-level names a clause text may use (see clauses/README.md).
CLAUSE_VARIABLES = frozenset(
    {"lang", "contract", "supplier", "counterparty", "solution", "end_use", "permission", "payment", "screening",
     "ref", "loop"}
)
CONDITION_VARIABLES = frozenset({"deal", "screening"})
#: Grammar helpers that exist for one language's conventions: compared as the value they format.
_LANGUAGE_FORMS = {
    "contract.date_quoted": "contract.date",
    "supplier.designation": "",
    "counterparty.designation": "",
}
#: The letters' own sections: the deal's letter numbers and response period, the end-user statement's issuer.
CLAUSE_VARIABLES |= {"letters", "statement"}
_EXPRESSION = re.compile(r"{{\s*(.*?)\s*}}", re.S)
_REF = re.compile(r"\bref\(\s*['\"]([^'\"]+)['\"]")
_TAGS = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def check_library(root: Path | None = None) -> tuple[Library | None, list[Problem]]:
    """Load the library and verify it; return it (when loadable) and every problem found."""
    try:
        library, problems = load_library_partial(root)
    except LibraryError as error:  # no library folder at all
        return None, error.problems
    for clause in library.clauses.values():
        meta_file = str(library.root / "catalogue.yaml")
        for section in clause.meta.sections:
            if section not in DECLARATION_SECTIONS:
                problems.append(Problem(f"cites section {section!r}, which the Declaration does not have",
                                        f"{clause.id}.sections", meta_file))
        try:
            compile_condition(clause.meta.when)
            names = meta.find_undeclared_variables(ENV.parse("{{ " + clause.meta.when + " }}"))
            for name in sorted(names - CONDITION_VARIABLES):
                problems.append(Problem(f"condition uses unknown name {name!r} (use deal or screening)",
                                        f"{clause.id}.when", meta_file))
        except TemplateError as error:
            problems.append(Problem(f"condition does not compile: {error}", f"{clause.id}.when", meta_file))
        expressions = {}
        paragraph_counts = {}
        for lang in ("ru", "en"):
            source = clause.text(lang)
            path = str(library.root / lang / f"{clause.id}.txt")
            try:
                parsed = ENV.parse(escape_literals(source))
                for name in sorted(meta.find_undeclared_variables(parsed) - CLAUSE_VARIABLES):
                    problems.append(Problem(f"uses unknown variable {name!r}", "", path))
            except TemplateError as error:
                line = getattr(error, "lineno", None)
                problems.append(Problem(f"does not compile: {error.message or error}", "", path, None, line))
            for target in _REF.findall(source):
                if target not in library.clauses:
                    problems.append(Problem(f"cross-reference to unknown clause {target!r}", "", path))
            normalized = (_LANGUAGE_FORMS.get(e, e) for e in (" ".join(x.split()) for x in _EXPRESSION.findall(source)))
            expressions[lang] = {e for e in normalized if e}
            paragraph_counts[lang] = len([b for b in _BLANK_LINE.split(source.strip()) if b.strip()])
            prose = _TAGS.sub(" ", source)
            found = text.judge_language(prose)
            if found is not None and text.is_cyrillic_language(found) != (lang == "ru"):
                problems.append(Problem(f"text is in another language ({found}), not {lang}", "", path))
        if expressions["ru"] != expressions["en"]:
            only_ru = sorted(expressions["ru"] - expressions["en"])
            only_en = sorted(expressions["en"] - expressions["ru"])
            detail = "; ".join(x for x in (f"only in ru: {only_ru}" if only_ru else "",
                                           f"only in en: {only_en}" if only_en else "") if x)
            problems.append(Problem(f"placeholders differ between ru and en ({detail})", "",
                                    str(library.root / "ru" / f"{clause.id}.txt")))
        if paragraph_counts["ru"] != paragraph_counts["en"]:
            problems.append(Problem(
                f"{paragraph_counts['ru']} paragraph(s) in ru but {paragraph_counts['en']} in en", "",
                str(library.root / "ru" / f"{clause.id}.txt")))
    orders: dict[tuple[str, int], str] = {}
    for clause in library.clauses.values():
        key = (clause.meta.document, clause.meta.order)
        if key in orders:
            problems.append(Problem(f"same order {key[1]} as {orders[key]!r} in document {key[0]}",
                                    f"{clause.id}.order", str(library.root / "catalogue.yaml")))
        orders[key] = clause.id
    return library, problems
