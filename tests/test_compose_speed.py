"""The fast paths of composing (clausegen.compose, clausegen.sandbox, clausegen.selection) give what the
plain way gives, on tricky inputs; and the memories they use stay bounded."""

from __future__ import annotations

import re
from typing import Any

import markupsafe
import pytest
from helpers import make_deal

from clausegen import compose, glossary, sandbox, selection
from clausegen import library as lib
from clausegen.recent import Recent
from clausegen.screening import screen
from clausegen.sandbox import (ENV, Markup, compile_text, escape_value, paths_read, render_bounded, truth_at,
                               truth_read, value_at)

_PLAIN_CARRIED = re.compile("\x01([0-9]+)\x02")


def _plain_put_back(joined: str) -> str:
    return _PLAIN_CARRIED.sub(lambda found: chr(int(found.group(1))), joined)


def _hidden(value: str) -> str:
    return compose._carried(value)


def test_put_back_matches_the_regular_expression_on_every_carried_character() -> None:
    tricky = [
        "Smith & Sons. Ltd.",
        "a\u00a0b\tc\nd\u2003e.f..g...",
        "\x01\x0132\x02",  # a stray \x01 before a carried space
        "\x0132\x0246\x02",  # a carried space followed by digits and \x02
        "\x01\x0146\x0232\x02",
        "\x0132\x0132\x02",
        "12.5 \x0110",
    ]
    for value in tricky:
        for joined in (value, _hidden(value), f"x {_hidden(value)} y", _hidden(value) + _hidden(value)):
            assert compose._put_back(joined) == _plain_put_back(joined), repr(joined)


def test_paragraphs_keep_a_doubled_stop_rule_and_carried_whitespace() -> None:
    rendered = f"Dated {_hidden('20 Nov. 2026 г.')}.\n\nNamed {_hidden('A.  B')}... and {_hidden('x..y')}.\n(a) one.."
    assert [str(p) for p in compose._paragraphs(rendered)] == [
        "Dated 20 Nov. 2026 г.", "Named A.  B... and x..y.\n(a) one."]


# ---------------------------------------------------------------- paths only tested for truth

def test_truth_read_finds_paths_tested_in_if_not_and_or_and_conditional_expressions() -> None:
    source = ("{% if a.x %}1{% elif not b.y %}2{% endif %}{% if c and (d.z or e) %}3{% endif %}"
              "{{ 'p' if f.w else 'q' }}{% for u in g.list if h.on %}{{ u }}{% endfor %}{{ not k }}")
    assert truth_read(source) == (("a", "x"), ("b", "y"), ("c",), ("d", "z"), ("e",), ("f", "w"), ("h", "on"), ("k",))


def test_truth_read_leaves_out_a_path_whose_value_is_used() -> None:
    # ``a and b`` prints a value; a compared, filtered or printed value counts whole; the loop's list is read
    source = ("{{ a and b }}{% if c == 1 %}{% endif %}{% if d|length %}{% endif %}{% if e is none %}{% endif %}"
              "{% if f %}{{ f }}{% endif %}{% for x in g %}{% endfor %}{% if h.i %}{{ h.i.j }}{% endif %}")
    assert truth_read(source) == (("h", "i"),)
    assert set(truth_read(source)) <= set(paths_read(source))


def test_truth_at_is_a_boolean_for_a_reached_value_and_a_repr_for_a_missing_step() -> None:
    assert truth_at({"a": {"b": []}}, ("a", "b")) is False
    assert truth_at({"a": {"b": ["x"]}}, ("a", "b")) is True
    assert truth_at({"a": True}, ("a", "b")) == "True"  # the text reads a step True lacks: not the same as True
    assert truth_at({"a": {"items": 1}}, ("a", "items")) == repr({"items": 1})  # a dict's method, not its key


_TEXTS = [
    "{% if a.x %}yes{% else %}no{% endif %}",
    "{% if not a.x and b %}1{% elif b or a.y %}2{% endif %}",
    "{{ 'p' if a.x else 'q' }}{{ not b }}",
    "{% for u in c if a.x %}{{ u }}{% endfor %}",
    "{% set t = not a.y %}{{ t }}{% if a.x %}{{ a.y }}{% endif %}",
    "{{ a.x and b }}",
    "{% if a.x.z %}deep{% endif %}",
]
_CONTEXTS = [
    {"a": {"x": "", "y": 0}, "b": [], "c": ["u1", "u2"]},
    {"a": {"x": "Smith & Sons", "y": 1}, "b": ["n"], "c": ["u1", "u2"]},
    {"a": {"x": "Other", "y": 2}, "b": ["m", "o"], "c": ["u3"]},
    {"a": {"x": {"z": "1"}, "y": None}, "b": "", "c": []},
    {"a": {"x": {"z": ""}, "y": "v"}, "b": "w", "c": ["u1"]},
    {"a": {"y": 1}, "b": [1], "c": []},  # a.x missing: StrictUndefined
    {"a": True, "b": 0, "c": ["u1"]},
]


def _rendered(source: str, context: dict[str, Any]) -> str:
    try:
        return "".join(render_bounded(compile_text(source), context))
    except Exception as error:  # noqa: BLE001 - a failure is an outcome to compare too
        return f"failed: {type(error).__name__}"


def test_texts_given_the_same_keys_render_the_same() -> None:
    for source in _TEXTS:
        tested = truth_read(source)
        outcomes: dict[tuple[Any, ...], str] = {}
        for context in _CONTEXTS:
            key = tuple(truth_at(context, path) if path in tested else repr(value_at(context, path))
                        for path in paths_read(source))
            assert outcomes.setdefault(key, _rendered(source, context)) == _rendered(source, context), source


# ---------------------------------------------------------------- printing values already escaped

class _Louder(Markup):
    def __html__(self) -> str:
        return self.upper()


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


_VALUES = [Markup("Smith &amp; Sons"), "Smith & Sons <Asia> \"q\" 'a'", _Louder("quiet"), _Html(), 42, None, 1.5,
           Markup(""), "", ["<x>"], {"k": "<v>"}]


def test_escape_value_gives_markupsafe_escape_for_every_kind_of_value() -> None:
    for value in _VALUES:
        assert escape_value(value) == markupsafe.escape(value)
        assert type(escape_value(value)) is Markup


def test_templates_print_values_as_jinja_does() -> None:
    source = "{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}|{{ f }}|{{ g }}|{{ h }}|{{ i }}|{{ j }}|{{ k }}"
    context = dict(zip("abcdefghijk", _VALUES))
    assert "".join(render_bounded(compile_text(source), context)) == ENV.from_string(source).render(context)


def test_templates_print_a_markup_value_without_copying_it() -> None:
    value = Markup("already &amp; escaped")
    assert next(compile_text("{{ v }}").generate(v=value)) is value


def test_hidden_is_translate_with_the_whole_table() -> None:
    every = "".join(chr(code) for code in compose._HIDE)
    values = ["", "plain", "Smith & Sons Ltd.", "a\u00a0b\u2003c\td\ne.f", every, every[::-1] + "x" + every,
              "\x01 \x02.", "12 . 5", "г. Москва, ул. Льва Толстого, д. 16"]
    for value in values:
        assert compose._hidden(value) == value.translate(compose._HIDE), repr(value)


# ---------------------------------------------------------------- what a new deal renders and selects again

@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The clauses rendered and the conditions evaluated, not reused; the memories start empty."""
    monkeypatch.setattr(compose, "_RENDERED", Recent(1024))
    monkeypatch.setattr(selection, "_SELECTIONS", Recent(256))
    calls: dict[str, list[str]] = {"rendered": [], "evaluated": []}
    render, evaluate = compose.render_clause, selection.evaluate

    def rendering(clause: lib.Clause, lang: str, context: dict[str, Any]) -> list[Any]:
        calls["rendered"].append(clause.id)
        return render(clause, lang, context)

    def evaluating(clause: lib.Clause, context: dict[str, Any], condition: str | None = None) -> bool:
        calls["evaluated"].append(clause.id)
        return evaluate(clause, context, condition)

    monkeypatch.setattr(compose, "render_clause", rendering)
    monkeypatch.setattr(selection, "evaluate", evaluating)
    return calls


def _annex_text(library: lib.Library, changes: dict[str, Any] | None = None) -> str:
    deal = make_deal(changes)
    screening = screen(deal)
    rows = compose.compose_rows(selection.select(library, "annex", deal, screening), deal, screening)
    return "\n".join(f"{row.text('ru')} | {row.text('en')}" for row in rows)


def test_other_end_user_names_render_again_only_the_clause_that_names_them(library: lib.Library,
                                                                           fresh: dict[str, list[str]]) -> None:
    _annex_text(library, {"red_flags": [5]})  # the end-user statement clause is in the annex
    fresh["rendered"].clear()
    fresh["evaluated"].clear()
    text = _annex_text(library, {"red_flags": [5], "end_use.end_users.0.name": {"en": "Lotus Imaging FZ-LLC"}})
    assert set(fresh["rendered"]) == {"end-users-flow-down"}
    assert fresh["evaluated"] == []  # the selection tests only whether there are end users
    assert "Lotus Imaging FZ-LLC" in text


def test_a_deal_naming_no_end_user_renders_and_selects_again(library: lib.Library,
                                                             fresh: dict[str, list[str]]) -> None:
    _annex_text(library, {"red_flags": [5]})
    fresh["rendered"].clear()
    fresh["evaluated"].clear()
    text = _annex_text(library, {"red_flags": [5], "end_use.end_users": []})
    assert {"representations", "end-user-statement-condition", "end-users-flow-down"} <= set(fresh["rendered"])
    assert fresh["evaluated"]
    assert "No End User of the AI Solution has been identified" in text


# ---------------------------------------------------------------- bounded memories

_VARIED = [{"counterparty.name": {"en": f"{name} {kind} Ltd"}, "contract.number": f"B-{index:03d}/2026",
            "end_use.end_users.0.name": {"en": f"{name} {kind} Ltd"}, "payment.amount": 1000 * (index + 1),
            **({"red_flags": [5]} if index % 3 == 0 else {})}
           for index, (name, kind) in enumerate((name, kind) for name in ("Harbour", "Cedar", "Lotus", "Atlas")
                                                for kind in ("Data", "Systems", "Imaging", "Robotics"))]


def test_the_memories_stay_within_their_bounds_and_give_what_fresh_ones_give(
        library: lib.Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compose, "_RENDERED", Recent(1024))
    monkeypatch.setattr(compose, "_NUMBERED", Recent(1024))
    monkeypatch.setattr(selection, "_SELECTIONS", Recent(256))
    expected = [_annex_text(library, changes) for changes in _VARIED]
    small = {"_RENDERED": Recent(12), "_NUMBERED": Recent(8)}
    for name, memory in small.items():
        monkeypatch.setattr(compose, name, memory)
    monkeypatch.setattr(selection, "_SELECTIONS", Recent(2))
    assert [_annex_text(library, changes) for changes in _VARIED * 2] == expected * 2
    assert len(compose._RENDERED) == 12 and len(compose._NUMBERED) == 8 and len(selection._SELECTIONS) == 2


def test_the_caches_of_texts_and_words_are_bounded() -> None:
    for cached in (compose._reads, sandbox._compiled, sandbox.compile_condition, compose.letter_period,
                   glossary.key, glossary._country_aliases):
        assert cached.cache_info().maxsize is not None


def test_a_countrys_aliases_are_every_name_the_table_gives_it() -> None:
    table = glossary._countries()
    for code in ("AE", "TR", "RU", "US", "XX"):
        assert glossary._country_aliases(code) == tuple(alias for alias, found in table.items() if found == code)
    assert glossary.localise_address("12 Main St, Istanbul", "TR", "en").startswith("12 Main St, Istanbul")


def test_the_selections_paths_are_kept_for_a_bounded_number_of_libraries(library: lib.Library) -> None:
    deal = make_deal()
    for _ in range(selection._PATHS.size + 3):
        selection.select(lib.load_library(), "annex", deal, screen(deal))
    assert len(selection._PATHS) <= selection._PATHS.size


def test_a_deals_unhyphenated_words_are_kept_for_that_deal_object_only() -> None:
    deal = make_deal()
    other = make_deal({"counterparty.name": {"en": "Saffron Robotics GmbH"}})
    assert compose.unhyphenated_words(deal) is compose.unhyphenated_words(deal)
    assert "Saffron" in compose.unhyphenated_words(other) and "Saffron" not in compose.unhyphenated_words(deal)
    assert compose.unhyphenated_words(other) == compose._unhyphenated_words(other)
    for _ in range(compose._WORDS.size + 2):
        compose.unhyphenated_words(make_deal())
    assert len(compose._WORDS) <= compose._WORDS.size
