"""Reusing a rendered clause for the next deal (clausegen.compose) only where its inputs are the same.

The paths a clause text reads come from clausegen.sandbox.paths_read; a clause
whose values at those paths are unchanged is not rendered again, and any
change at a path it reads gives a fresh rendering.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import make_deal

from clausegen import compose
from clausegen import library as lib
from clausegen.recent import Recent
from clausegen.sandbox import paths_read, value_at
from clausegen.screening import screen
from clausegen.selection import select


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(clause id, language) of every clause rendered, not reused; the memory starts empty."""
    monkeypatch.setattr(compose, "_RENDERED", Recent(1024))
    calls: list[tuple[str, str]] = []
    real = compose.render_clause

    def counting(clause: lib.Clause, lang: str, context: dict[str, Any]) -> list[Any]:
        calls.append((clause.id, lang))
        return real(clause, lang, context)

    monkeypatch.setattr(compose, "render_clause", counting)
    return calls


def _rows(library: lib.Library, changes: dict[str, Any] | None = None) -> list[compose.Row]:
    deal = make_deal(changes)
    screening = screen(deal)
    return compose.compose_rows(select(library, "annex", deal, screening), deal, screening)


def _text(rows: list[compose.Row]) -> str:
    return "\n".join(f"{row.ru} | {row.en}" for row in rows)


def test_paths_read_follow_attribute_and_constant_item_chains() -> None:
    source = "{{ contract.number }} {{ contract['date'] }} {{ end_use.end_users[0].name }} {{ ref('x') }}"
    assert paths_read(source) == (("contract", "date"), ("contract", "number"),
                                  ("end_use", "end_users", 0, "name"), ("ref",))


def test_paths_read_take_a_name_used_otherwise_whole() -> None:
    assert paths_read("{% if contract %}x{% endif %}{{ supplier[key] }}{{ solution|attr('name') }}") == (
        ("contract",), ("key",), ("solution",), ("supplier",))


def test_paths_read_leave_out_loop_variables_but_keep_what_the_loop_reads() -> None:
    assert paths_read("{% for user in end_use.end_users %}{{ user.name }}{% endfor %}") == (("end_use", "end_users"),)


def test_a_second_identical_deal_renders_no_clause_again(library: lib.Library, renders: list) -> None:
    first = _rows(library)
    count = len(renders)
    second = _rows(library)
    assert count > 20
    assert len(renders) == count
    assert _text(second) == _text(first)


def test_another_counterparty_renders_again_only_the_clauses_that_name_it(library: lib.Library,
                                                                           renders: list) -> None:
    _rows(library)
    renders.clear()
    rows = _rows(library, {"counterparty.name": {"en": "Meridian Robotics GmbH"}})
    rendered = {clause_id for clause_id, _ in renders}
    assert rendered and rendered <= {"annex-preamble", "definitions", "end-users-flow-down"}
    assert "Meridian Robotics GmbH" in _text(rows)


def test_a_reused_clause_never_carries_the_previous_deals_values(library: lib.Library, renders: list) -> None:
    _rows(library)
    rows = _rows(library, {"contract.number": "ZZ-9999/2026", "counterparty.name": {"en": "Cedar Imaging JSC"},
                           "end_use.end_users.0.name": {"en": "Cedar Imaging JSC"}})
    text = _text(rows)
    assert "LA-0001/2026" not in text and "Harbour Freight" not in text
    assert "ZZ-9999/2026" in text and "Cedar Imaging JSC" in text


def test_a_reused_rendering_equals_a_fresh_one(library: lib.Library, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = {"counterparty.name": {"en": "Atlas Data Pte Ltd"}, "payment.amount": 12345}
    reused = _text(_rows(library, changes))
    monkeypatch.setattr(compose, "_RENDERED", Recent(1024))
    assert _text(_rows(library, changes)) == reused


def test_a_dict_method_name_makes_the_whole_value_the_key() -> None:
    context = {"contract": {"items": "a key named items", "number": "1"}}
    # Jinja reads contract.items as the dict's method, so the whole dict is what the text depends on.
    assert value_at(context, ("contract", "items")) == context["contract"]
    assert value_at(context, ("contract", "number")) == "1"
    assert value_at(context, ("contract", "missing")) == context["contract"]


# ------------------------------------------------------------------ selection


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The clause ids whose conditions were evaluated, not reused; the memory starts empty."""
    from clausegen import selection

    monkeypatch.setattr(selection, "_SELECTIONS", Recent(256))
    calls: list[str] = []
    real = selection.evaluate

    def counting(clause: lib.Clause, context: dict[str, Any], condition: str | None = None) -> bool:
        calls.append(clause.id)
        return real(clause, context, condition)

    monkeypatch.setattr(selection, "evaluate", counting)
    return calls


def _selected(library: lib.Library, changes: dict[str, Any] | None = None) -> list[str]:
    deal = make_deal(changes)
    return [s.clause.id for s in select(library, "annex", deal, screen(deal))]


def test_a_deal_differing_only_in_names_reuses_the_selection(library: lib.Library, evaluations: list) -> None:
    first = _selected(library)
    count = len(evaluations)
    second = _selected(library, {"counterparty.name": {"en": "Zenith Systems LLC"}, "contract.number": "Q-1"})
    assert count > 20 and len(evaluations) == count
    assert second == first


def test_another_delivery_model_selects_again(library: lib.Library, evaluations: list) -> None:
    on_premise = _selected(library)
    saas = _selected(library, {"solution.delivery": "saas"})
    assert "delivery-on-premise" in on_premise and "delivery-on-premise" not in saas
    assert "delivery-saas" in saas


def test_a_red_flag_that_changes_the_decision_selects_again(library: lib.Library, evaluations: list) -> None:
    plain = _selected(library)
    count = len(evaluations)
    flagged = _selected(library, {"red_flags": [5]})
    assert len(evaluations) > count
    assert screen(make_deal({"red_flags": [5]})).enhanced
    assert "end-user-statement-condition" in flagged and "end-user-statement-condition" not in plain
