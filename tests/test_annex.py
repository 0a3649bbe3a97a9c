"""The bilingual annex (issue 2, items 5 and 6; issue 3, item 4): text, numbering, columns, safe rendering."""

from __future__ import annotations

import difflib
import re
import shutil

import pytest
from helpers import (
    ANNEX_EXAMPLES,
    COMPANY,
    GOLDEN,
    cell_number,
    files_in,
    golden_text,
    invoke,
    make_deal,
    modified,
    pairs,
    write_deal,
)

from clausegen import api, quotes
from clausegen.render import docx_rows

EXAMPLES = sorted(ANNEX_EXAMPLES)


def render_annex(library, changes=None) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """The base deal's annex with ``changes``: (the clause rows as (left, right) pairs, every docx row)."""
    deal = make_deal(changes)
    generated = api.build_annex(deal, api.screen_deal(deal), library)
    rows = docx_rows(generated.data)
    return pairs(rows[: len(generated.rows)]), rows


def article_number(rows: list[list[str]], title_en: str) -> str:
    """The number of the article whose English heading is ``title_en``."""
    heading = re.compile(rf"(\d+)\. {re.escape(title_en)}")
    (number,) = [m.group(1) for _, right in pairs(rows) if (m := heading.fullmatch(right))]
    return number


def paragraphs_of(rows: list[list[str]], number: str) -> list[tuple[str, str]]:
    """The (ru, en) paragraphs of article ``number``."""
    return [(left, right) for left, right in pairs(rows) if left.startswith(f"{number}.") and
            cell_number(left) not in (None, f"{number}.")]


# ------------------------------------------------------------------ golden text


@pytest.mark.parametrize("stem", EXAMPLES)
def test_annex_text_matches_golden_dump(annexes, update_golden, stem):
    annex = annexes[stem]
    path = GOLDEN / f"{annex.deal_id}-annex.txt"
    actual = golden_text(annex.deal_id, f"examples/{annex.source.name}", annex.rows)
    if update_golden:
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
    assert path.is_file(), f"{path} is missing: run pytest with --update-golden once"
    expected = path.read_text(encoding="utf-8")
    diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(), "golden", "rendered",
                                         lineterm="", n=1))
    assert actual == expected, f"annex text differs from {path.name} (rerun with --update-golden if intended):\n{diff}"


# ------------------------------------------------------------------ numbering


@pytest.mark.parametrize("stem", EXAMPLES)
def test_every_numbered_row_has_the_same_number_in_both_columns(annexes, stem):
    numbered = [(cell_number(left), cell_number(right)) for left, right in pairs(annexes[stem].rows)
                if cell_number(left) or cell_number(right)]
    assert len(numbered) > 20
    assert [pair for pair in numbered if pair[0] != pair[1]] == []


@pytest.mark.parametrize("stem", EXAMPLES)
def test_articles_and_paragraphs_are_numbered_without_gaps(annexes, stem):
    numbers = [n for left, _ in pairs(annexes[stem].rows) if (n := cell_number(left))]
    expected, article, paragraph = [], 0, 0
    for number in numbers:
        if number.count(".") == 1:
            article, paragraph = article + 1, 0
            expected.append(f"{article}.")
        else:
            paragraph += 1
            expected.append(f"{article}.{paragraph}.")
    assert numbers == expected


@pytest.mark.parametrize("stem", EXAMPLES)
def test_one_article_per_selected_article_clause(annexes, library, stem):
    annex = annexes[stem]
    articles = [n for left, _ in pairs(annex.rows) if (n := cell_number(left)) and n.count(".") == 1]
    selected = [cid for cid, _ in annex.generated.clauses if library.get(cid).meta.numbering == "article"]
    assert len(articles) == len(selected)


@pytest.mark.parametrize("stem", EXAMPLES)
def test_cross_references_resolve_to_the_final_article_numbers(annexes, stem):
    rows = annexes[stem].rows
    end_users = article_number(rows, "End Users")
    suspension = article_number(rows, "Suspension and Termination")
    (definition,) = [(left, right) for left, right in pairs(rows) if '“End User” means' in right]
    assert f"статьёй {end_users} " in definition[0]
    assert f"Clause {end_users} " in definition[1]
    liability = paragraphs_of(rows, article_number(rows, "Liability"))
    cites_ru = re.compile(rf"статьёй {suspension}(?!\.?\d)")
    cites_en = re.compile(rf"under Clause {suspension}(?!\.?\d)")
    assert any(cites_ru.search(ru) and cites_en.search(en) for ru, en in liability)


def test_inserted_enhanced_clauses_shift_the_numbers_cross_references_point_to(annexes):
    proceed = annexes["saas-clinic-ae"].rows
    enhanced = annexes["onprem-logistics-kz"].rows
    title = "Suspension and Termination"
    assert int(article_number(enhanced, title)) > int(article_number(proceed, title))


# ------------------------------------------------------------------ layout and content


def test_heading_names_annex_and_contract_in_both_languages(annexes):
    assert annexes["saas-clinic-ae"].rows[0] == [
        "Приложение № 2 к Договору № SA-0142/2026 от 20 ноября 2026 г.",
        "Annex No. 2 to Contract No. SA-0142/2026 dated 20 November 2026",
    ]


def test_preamble_gives_the_supplier_signatory_in_the_genitive(annexes):
    (preamble,) = [row for row in pairs(annexes["saas-clinic-ae"].rows) if "«Поставщик»" in row[0]
                   and "именуем" in row[0]]
    assert ("в лице Генерального директора Кузнецовой Марии Сергеевны, действующей на основании Устава"
            in preamble[0])
    assert "represented by its General Director, Maria Kuznetsova, acting under the Charter" in preamble[1]


def test_value_given_in_one_language_appears_as_written_in_both_columns(annexes):
    (definition,) = [row for row in pairs(annexes["saas-clinic-ae"].rows) if '“Counterparty” means' in row[1]]
    assert all("(Gulf Vision Analytics FZ-LLC)" in cell for cell in definition)


@pytest.mark.parametrize(("stem", "ru", "en"), [
    ("saas-clinic-ae", "имеет текст на русском языке", "the Russian text prevails"),
    ("weights-research-in", "имеет текст на английском языке", "the English text prevails"),
])
def test_prevailing_language_clause_follows_the_contract(annexes, stem, ru, en):
    assert any(ru in left and en in right for left, right in pairs(annexes[stem].rows))


@pytest.mark.parametrize("stem", EXAMPLES)
def test_signature_blocks_for_both_parties(annexes, stem):
    annex = annexes[stem]
    supplier, counterparty = annex.rows[-1]
    assert supplier.startswith("Поставщик / Supplier")
    assert counterparty.startswith("Контрагент / Counterparty")
    assert "М.С. Кузнецова" in supplier
    assert annex.deal.counterparty.name.get("en") in counterparty
    for block in (supplier, counterparty):
        assert "М.П. (при наличии) / Seal (if any)" in block
        assert "________________" in block


@pytest.mark.parametrize(("stem", "delivery_clause"), [
    ("saas-clinic-ae", "delivery-saas"),
    ("onprem-logistics-kz", "delivery-on-premise"),
    ("weights-research-in", "delivery-code-weights"),
    ("hardware-camera-vn", "delivery-hardware"),
])
def test_annex_has_the_variant_for_its_delivery_model(annexes, stem, delivery_clause):
    ids = [cid for cid, _ in annexes[stem].generated.clauses]
    assert [cid for cid in ids if cid.startswith("delivery-")] == [delivery_clause]


def test_columns_en_ru_put_english_on_the_left(annexes, library):
    annex = annexes["saas-clinic-ae"]
    swapped = docx_rows(api.build_annex(annex.deal, annex.screening, library, columns=("en", "ru")).data)
    assert swapped[0][0].startswith("Annex No. 2 to Contract No. SA-0142/2026")
    clause_rows = len(annex.generated.rows)
    assert swapped[:clause_rows] == [row[::-1] for row in annex.rows[:clause_rows]]


def test_annex_under_permission_cites_the_commission_permission(annexes):
    rows = annexes["weights-research-in"].rows
    assert any("№ ЭК-2026/1187 от 28 ноября 2026 г." in left
               and "permission No. ЭК-2026/1187 (EK-2026/1187) dated 28 November 2026" in right
               for left, right in pairs(rows))


def test_annex_without_permission_does_not_cite_one(annexes):
    assert not any("ЭК-" in left for left, _ in pairs(annexes["saas-clinic-ae"].rows))


def test_enhanced_annex_makes_the_end_user_statement_a_condition_of_delivery(annexes):
    rows = annexes["onprem-logistics-kz"].rows
    number = article_number(rows, "End-Use Statement")
    first_ru, first_en = paragraphs_of(rows, number)[0]
    assert "conditional on the Supplier’s receipt, from each End User, of an end-use and end-user statement" in first_en
    assert "получением Поставщиком от каждого Конечного пользователя заявления" in first_ru


def test_annex_without_enhanced_due_diligence_has_no_end_user_statement_condition(annexes):
    ids = [cid for cid, _ in annexes["saas-clinic-ae"].generated.clauses]
    assert "end-user-statement-condition" not in ids


@pytest.mark.parametrize(("delivery", "verification"), [
    ("saas", "verification-saas"), ("on_premise", "verification-on-premise"),
])
def test_enhanced_annex_adds_verification_suited_to_the_delivery_model(library, delivery, verification):
    deal = make_deal({"solution.delivery": delivery, "red_flags": [7]})
    ids = [cid for cid, _ in api.build_annex(deal, api.screen_deal(deal), library).clauses]
    assert [cid for cid in ids if cid.startswith("verification-")] == [verification]
    assert "suspension-pending-clarification" in ids




# ------------------------------------------------------------------ template variables (static)


def _attribute_paths(source: str) -> tuple[set[tuple[str, ...]], dict[str, str]]:
    """Every ``name.attr.attr`` chain a template reads, and its for-loop aliases (loop var -> iterable)."""
    from jinja2 import nodes

    from clausegen.sandbox import ENV

    tree = ENV.parse(source)
    aliases = {loop.target.name: loop.iter.name for loop in tree.find_all(nodes.For)
               if isinstance(loop.target, nodes.Name) and isinstance(loop.iter, nodes.Name)}
    paths = set()
    for node in tree.find_all(nodes.Getattr):
        chain, current = [], node
        while isinstance(current, nodes.Getattr):
            chain.append(current.attr)
            current = current.node
        if isinstance(current, nodes.Name):
            paths.add((current.name, *reversed(chain)))
    return paths, aliases


def _resolves(value, attrs) -> bool:
    for attr in attrs:
        if isinstance(value, dict) and attr in value:
            value = value[attr]
        elif hasattr(value, attr):
            value = getattr(value, attr)
        else:
            return False
    return True


@pytest.fixture(scope="module")
def annex_template():
    from clausegen.library import templates_dir
    from clausegen.render import compiled_template

    return compiled_template(templates_dir() / "annex.docx")


@pytest.fixture(scope="module")
def saas_context(annexes):
    from clausegen.compose import annex_context

    annex = annexes["saas-clinic-ae"]
    return annex_context(list(annex.generated.rows), annex.deal, ("ru", "en"))


def test_annex_template_reads_exactly_the_variables_the_code_provides(annex_template, saas_context):
    assert annex_template.variables() == set(saas_context)


def test_every_attribute_the_annex_template_reads_exists_in_the_context(annex_template, saas_context):
    missing = []
    for source in annex_template.sources.values():
        paths, aliases = _attribute_paths(source)
        assert paths, "the template reads no attributes: the walk found nothing"
        for name, *attrs in paths:
            if name in aliases:
                items = saas_context[aliases[name]]
                missing += [(name, *attrs)] if not all(_resolves(item, attrs) for item in items) else []
            elif not _resolves(saas_context.get(name), attrs):
                missing.append((name, *attrs))
    assert missing == []


# ------------------------------------------------------------------ safe rendering


NASTY_NAME = 'Smith & Sons <Asia> "Ltd"'


def test_name_with_xml_special_characters_appears_as_typed_with_each_columns_quotes(library):
    clause_rows, rows = render_annex(library, {"counterparty.name": {"en": NASTY_NAME},
                                               "end_use.end_users.0.name": {"en": NASTY_NAME}})
    shown = ('Smith & Sons <Asia> «Ltd»', "Smith & Sons <Asia> “Ltd”")  # Russian, English (clausegen.quotes)
    with_name = [row for row in clause_rows if shown[0] in row[0] or shown[1] in row[1]]
    assert len(with_name) >= 3  # preamble, definition, end users
    assert all(shown[0] in left and shown[1] in right for left, right in with_name)
    assert shown[1] in rows[-1][1]  # the counterparty's signature block
    assert not any("&amp;" in cell or "&lt;" in cell or "&quot;" in cell for row in rows for cell in row)


@pytest.mark.parametrize("name", ["{{ 7*7 }}", "{% if true %}x{% endif %}", "{{ ''.__class__.__mro__ }}"])
def test_template_code_in_a_deal_value_is_printed_as_typed(library, name):
    clause_rows, _ = render_annex(library, {"counterparty.name": {"en": name}})
    (definition,) = [row for row in clause_rows if '“Counterparty” means' in row[1]]
    assert all(f"({quotes.curl(name, lang)})" in cell for cell, lang in zip(definition, ("ru", "en")))


def test_failing_render_leaves_no_file_and_no_partial_file(tmp_path, monkeypatch):
    clauses = tmp_path / "library"
    shutil.copytree(api.lib.clauses_dir(), clauses)
    for lang in ("ru", "en"):
        text = clauses / lang / "final-provisions.txt"
        text.write_text(text.read_text(encoding="utf-8") + "\n{{ counterparty.nickname }}\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    write_deal(work, modified())
    result = invoke("annex", "deal.yaml", "-o", "out.docx", "--company", COMPANY, "--clauses", clauses)
    assert result.exit_code == 2, result.output
    assert "nickname" in result.stderr and "final-provisions" in result.stderr
    assert files_in(work) == {"deal.yaml"}


def test_failing_write_leaves_no_file_and_no_partial_file(tmp_path, monkeypatch):
    from clausegen import output
    from clausegen.errors import OutputError

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "replace", full_disk)
    with pytest.raises(OutputError, match="no space left on device while writing"):
        output.write_atomic(tmp_path / "out.docx", b"data")
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize("number", ["..", "A..B", "X-1."])
def test_full_stops_in_a_value_are_printed_as_typed(library, number):
    # «2026 г.» followed by a typed stop becomes one stop; the stops of a value itself are never touched
    clause_rows, _ = render_annex(library, {"contract.number": number})
    (definition,) = [row for row in clause_rows if '“Contract” means' in row[1]]
    assert f"No. {number} " in definition[1] and f"№ {number} " in definition[0]
