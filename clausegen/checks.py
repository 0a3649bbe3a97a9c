"""``clausegen clauses check``: everything that can be verified about a library without a deal."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, meta

from . import text
from .errors import LibraryError, Problem, RenderError
from .library import DECLARATION_SECTIONS, Library, load_library_partial
from .lock import lock_problems
from .sandbox import ENV, compile_condition, escape_literals, paths_read, value_at

#: The top-level names a clause text may use (see clauses/README.md).
CLAUSE_VARIABLES = frozenset(
    {"lang", "contract", "supplier", "counterparty", "solution", "end_use", "permission", "payment", "screening",
     "ref", "loop"}
)
#: The annex's own sections (issue 12): the response period, the disclosed activities, the identification.
CLAUSE_VARIABLES |= {"terms", "disclosure", "identification"}
#: The commercial offer the annex and letters go with before a contract is signed (issue 15).
CLAUSE_VARIABLES |= {"offer"}
CONDITION_VARIABLES = frozenset({"deal", "screening"})
#: Grammar helpers that exist for one language's conventions: compared as the value they format.
_LANGUAGE_FORMS = {
    "contract.date_quoted": "contract.date",
    "offer.date_quoted": "offer.date",
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
    problems += _static_problems(library)
    if not problems:  # a text that does not even compile would only be reported again
        problems += render_problems(library)
    return library, problems + lock_problems(library)  # a reworded text that fails is reported as both


def _static_problems(library: Library) -> list[Problem]:
    problems: list[Problem] = []
    for clause in library.clauses.values():
        meta_file = str(library.root / "catalogue.yaml")
        for section in clause.meta.sections:
            if section not in DECLARATION_SECTIONS:
                problems.append(Problem(f"cites section {section!r}, which the Declaration does not have",
                                        f"{clause.id}.sections", meta_file))
        for condition in clause.meta.conditions:
            field = f"{clause.id}.when" if condition is clause.meta.when else f"{clause.id}.reason_if.when"
            try:
                compile_condition(condition)
                names = meta.find_undeclared_variables(ENV.parse("{{ " + condition + " }}"))
                for name in sorted(names - CONDITION_VARIABLES):
                    problems.append(Problem(f"condition uses unknown name {name!r} (use deal or screening)",
                                            field, meta_file))
            except TemplateError as error:
                problems.append(Problem(f"condition does not compile: {error}", field, meta_file))
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
    return problems


def render_problems(library: Library) -> list[Problem]:
    """Every clause rendered, in both languages, for each synthetic deal of ``check_deals.yaml``:
    a text that fails (``{{ 1/0 }}``), runs away (a width of a billion) or gives another result when
    rendered again (randomness) is reported by clause, language and line, once."""
    return [problem for _place, problem in render_findings(library)]


#: Where :func:`render_findings` found a problem: the check deal's, the language's and the clause's positions.
Place = tuple[int, int, int]


def render_findings(library: Library, share: tuple[int, int] = (0, 1)) -> list[tuple[Place, Problem]]:
    """:func:`render_problems` for the ``index``-th of ``count`` shares of the clauses (every count-th,
    from the index-th), each problem with the place it was found at.  The shares can be checked in
    parallel (a batch does, with its workers); sorted by place, their findings are render_problems'
    list, in its order."""
    from . import compose  # composing is above this module's layer; only this check needs it

    index, count = share

    numbers: dict[str, int | None] = {clause_id: n for n, clause_id in enumerate(library.clauses, start=1)}
    ref = compose.make_ref(numbers)
    found: dict[tuple[str, str], tuple[Place, Problem]] = {}
    # A text given the same values at the paths it reads renders the same (sandbox.paths_read): each
    # distinct set of values is rendered once, not once per check deal (a batch waits for this check).
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    shared = [(position, clause) for position, clause in enumerate(library.clauses.values())
              if position % count == index]
    for case, (variant, (deal, screening)) in enumerate(_check_deals().items()):
        for language, lang in enumerate(("ru", "en")):
            context = {**compose.language_context(deal, screening, lang), "ref": ref, "lang": lang}
            for position, clause in shared:
                if (clause.id, lang) in found:
                    continue
                try:
                    values = tuple(repr(value_at(context.get(read[0]), read[1:])) for read in paths_read(clause.text(lang)))
                except TemplateError:
                    values = (variant,)  # rendering names the syntax error
                if (clause.id, lang, values) in seen:
                    continue
                seen.add((clause.id, lang, values))
                path = str(library.root / lang / f"{clause.id}.txt")
                try:
                    first = compose.render_clause(clause, lang, context)
                    again = compose.render_clause(clause, lang, context)
                except RenderError as error:
                    found[clause.id, lang] = (case, language, position), Problem(
                        f"cannot be rendered for the check deal '{variant}': {error.reason}", "", path, None, error.line)
                    continue
                if first != again:
                    found[clause.id, lang] = (case, language, position), Problem(
                        "gives a different text each time it is rendered; a document must be the same for the same "
                        "deal", "", path)
    return list(found.values())


def check_deals() -> None:
    """Validate and screen the check deals now (once per process): a batch does before its workers fork."""
    _check_deals()


@lru_cache(maxsize=1)
def _check_deals() -> dict[str, tuple[Any, Any]]:
    """The synthetic deals, validated and screened (a mistake in them is a bug in clausegen)."""
    import copy

    import yaml

    from .screening import screen
    from .sources import RawRecord
    from .validation import validate_deal

    spec = yaml.load(resources.files("clausegen").joinpath("check_deals.yaml").read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    deals = {}
    for name, changes in spec["variants"].items():
        data = copy.deepcopy(spec["base"])
        for dotted, value in changes.items():
            *parents, last = dotted.split(".")
            node = data
            for part in parents:
                node = node.setdefault(part, {})
            if value is None:
                node.pop(last, None)
            else:
                node[last] = value
        deal = validate_deal(RawRecord(_plain(data), "check_deals.yaml")).deal
        deals[name] = (deal, screen(deal))
    return deals


def _plain(value: Any) -> Any:
    """Dates as the ISO text a deal file gives them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if hasattr(value, "isoformat") else value
