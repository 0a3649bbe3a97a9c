"""The third legal review of issue 12: the end user's own purpose in the end-user statement, permission
conditions as undertakings, lower case after a colon, non-breaking spaces, the approval in the report,
the order of the next steps, and the letters' regeneration key."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import pytest
from helpers import COMPANY, DATA, EXAMPLE_DEALS, load_changed, validated

from clausegen import api, checkrecord, memo, text
from clausegen import library as lib
from clausegen.render import docx_rows
from clausegen.screening import screen

SPEECH = EXAMPLE_DEALS["permission-speech-rs"]


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


_load = load_changed


def _statement_row(deal, library, number: str) -> list[str]:
    rows = docx_rows(api.build_letter("end-user-statement", deal, screen(deal), library).data)
    return next(row for row in rows if len(row) == 2 and row[0].startswith(number))


# ------------------------------------------------------------------ 1. the end user's own purpose


def test_statement_gives_the_end_users_own_purpose_not_the_distributors(library):
    ru, en = _statement_row(_load(SPEECH), library, "4.")
    assert "расшифровка телефонных разговоров в собственных колл-центрах Конечного пользователя" in ru
    assert "transcribing telephone calls in the End User’s own call centres" in en
    assert "организаций, которые используют решение" not in ru and "organisations that use" not in en


def test_statement_without_the_end_users_purpose_leaves_a_blank_never_the_counterpartys(library):
    deal = _load(SPEECH, {"end_use.end_user_purpose": None})
    ru, en = _statement_row(deal, library, "4.")
    assert ru.endswith("самостоятельно и исключительно для указанных в настоящем пункте целей): ________________.")
    assert en.endswith("will itself use the AI Solution, and solely for the purposes stated in this item): "
                       "________________.")


def test_missing_end_user_purpose_is_a_warning_naming_the_field():
    found = validated({"end_use.end_users": [], "end_use.purpose": {"ru": "Перепродажа", "en": "Resale"}})
    assert [w.field for w in found.warnings if "end_user_purpose" in w.field] == ["end_use.end_user_purpose"]


def test_an_end_user_that_is_the_counterparty_speaks_the_deals_purpose_without_a_warning(library):
    deal = _load(EXAMPLE_DEALS["onprem-logistics-kz"])
    ru, _ = _statement_row(deal, library, "4.")
    assert "планирование маршрутов грузовых автомобилей" in ru
    assert not [w for w in api.load_deal(EXAMPLE_DEALS["onprem-logistics-kz"], COMPANY).warnings
                if "end_user_purpose" in w.field]


# ------------------------------------------------------------------ 4. lower case after a colon


def test_statement_description_after_a_colon_starts_in_lower_case(library):
    ru, en = _statement_row(_load(SPEECH), library, "2.")
    assert "Описание: модель распознавания речи" in ru and "Description: a speech recognition model" in en


def test_report_reasons_after_a_colon_start_in_lower_case_unless_a_defined_term():
    assert text.inline_ru("Включается всегда") == "включается всегда"
    assert text.inline_ru("Решение ИИ устанавливается") == "Решение ИИ устанавливается"


# ------------------------------------------------------------------ 5. permission conditions as undertakings


def test_statement_binds_the_end_user_to_the_permissions_conditions_as_an_undertaking(library):
    deal = _load(EXAMPLE_DEALS["weights-research-in"], {"permission.conditions": [
        {"ru": "Решение ИИ используется только в г. Хайдарабаде", "en": "The AI Solution is used only in Hyderabad"}]})
    rows = docx_rows(api.build_letter("end-user-statement", deal, screen(deal), library).data)
    (row,) = [row for row in rows if len(row) == 2 and "conditions of permission" in row[1]]
    assert "Конечный пользователь обязуется соблюдать следующие условия разрешения" in row[0]
    assert "The End User undertakes to comply with the following conditions of permission" in row[1]


# ------------------------------------------------------------------ 3, 7. non-breaking spaces


@pytest.mark.parametrize("written, kept", [
    ("от 5 ноября 2026 г. Настоящим", "от 5\u00a0ноября 2026\u00a0г. Настоящим"),
    ("№ 12 от «5» ноября", "№\u00a012 от «5»\u00a0ноября"),
    ("ст. 406.1 ГК РФ", "ст.\u00a0406.1 ГК РФ"),
    ("О. Хаддад, М.С. Кузнецова", "О.\u00a0Хаддад, М.С.\u00a0Кузнецова"),
    ("No. 12 dated 5 November 2026", "No.\u00a012 dated 5\u00a0November 2026"),
    ("Ф. И. О. / Full name", "Ф. И. О. / Full name"),
])
def test_keep_together_puts_a_non_breaking_space_only_where_a_line_must_not_break(written, kept):
    assert text.keep_together(written) == kept and text.keep_together(kept) == kept


def test_annex_xml_keeps_dates_numbers_and_signatory_initials_on_one_line(library):
    deal = _load(EXAMPLE_DEALS["saas-clinic-ae"])
    data = api.build_annex(deal, screen(deal), library).data
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "2026\u00a0г." in xml and "№\u00a0" in xml and "2026 г." not in xml
    # «М.С. Кузнецова» under the signature line (the surname in a run of its own: a name is never hyphenated)
    assert re.search(r"\b[А-Я]\.(?:[А-Я]\.)?\u00a0(?:</w:t></w:r><w:r>(?:(?!</w:rPr>).)*</w:rPr><w:t[^>]*>)?[А-Я][а-я]+",
                     xml)


# ------------------------------------------------------------------ 6. the report: approval and next steps


def _report(path: Path, **check) -> list[str]:
    deal = api.load_deal(path, COMPANY).deal
    screening = api.screen_deal(deal)
    resolved = checkrecord.resolve(deal, **check)
    return [" | ".join(row) for row in docx_rows(api.build_report(deal, screening, lib.load_library(), None,
                                                                  resolved).data)]


def test_report_states_who_approved_and_on_which_day_from_the_deal():
    rows = _report(EXAMPLE_DEALS["reactor-maintenance-hu"])
    assert "Статус утверждения | утверждено 25 ноября 2026 г. (внесено в файл сделки)" in rows


def test_report_states_an_approval_from_the_register_with_its_date():
    rows = _report(EXAMPLE_DEALS["onprem-logistics-kz"],
                   approval={"name": "Кузнецова Мария Сергеевна", "position": "Генеральный директор",
                             "date": "2026-12-02"})
    assert "Утвердил | Кузнецова Мария Сергеевна, генеральный директор" in rows
    assert "Статус утверждения | утверждено 2 декабря 2026 г. (запись в реестре сделок)" in rows


def test_report_pending_approval_names_the_next_step_that_asks_for_it():
    rows = _report(EXAMPLE_DEALS["onprem-logistics-kz"])
    (status,) = [row for row in rows if row.startswith("Статус утверждения")]
    number = re.search(r"см\. п\. (\d+) раздела 5", status).group(1)
    assert any(row.startswith(f"{number}. | Утвердить решение") for row in rows)


def test_enhanced_due_diligence_steps_follow_sections_4_and_5_request_statement_approve_sign():
    deal = api.load_deal(EXAMPLE_DEALS["onprem-logistics-kz"], COMPANY).deal
    steps = [ru for ru, _ in memo.next_steps(deal, api.screen_deal(deal), checkrecord.resolve(deal))]
    order = [next(i for i, step in enumerate(steps) if step.startswith(start))
             for start in ("Направить Контрагенту", "Получить от каждого конечного пользователя", "Утвердить решение",
                           "Подписать приложение")]
    assert order == sorted(order)


def test_a_refusal_is_approved_before_the_refusal_letter_is_sent():
    deal = api.load_deal(DATA / "man-signatory-ru.yaml", COMPANY).deal
    data = deal.model_copy(update={"knowledge": deal.knowledge.model_copy(update={"prohibited_use_known": True})})
    steps = [ru for ru, _ in memo.next_steps(data, api.screen_deal(data), checkrecord.resolve(data))]
    assert steps.index(next(s for s in steps if s.startswith("Утвердить решение"))) < \
        steps.index(next(s for s in steps if s.startswith("Направить Контрагенту")))


def test_approval_date_without_an_approver_is_refused():
    with pytest.raises(Exception, match="approved_on needs approved_by"):
        validated({"screening.approved_on": "2026-12-01"})


# ------------------------------------------------------------------ 8. the letters' regeneration key


def _reworded(library: lib.Library, clause_id: str) -> lib.Library:
    clause = library.get(clause_id)
    changed = dataclasses.replace(clause, ru=clause.ru.replace("Контрагент", "Контрагент ", 1))
    return dataclasses.replace(library, clauses={**library.clauses, clause_id: changed})


def test_a_reworded_annex_clause_that_a_letter_cites_changes_the_letters_key(library):
    deal = api.load_deal(EXAMPLE_DEALS["onprem-logistics-kz"], COMPANY).deal
    screening = api.screen_deal(deal)
    before = api.inputs_key(deal, screening, library, parts=("letters",))
    # the request cites the annex's information clause by number; the annex itself is not in these parts
    assert api.inputs_key(deal, screening, _reworded(library, "information-cooperation"), parts=("letters",)) != before


def test_an_annex_clause_no_letter_cites_leaves_the_letters_key_as_it_was(library):
    deal = api.load_deal(EXAMPLE_DEALS["onprem-logistics-kz"], COMPANY).deal
    screening = api.screen_deal(deal)
    before = api.inputs_key(deal, screening, library, parts=("letters",))
    assert api.inputs_key(deal, screening, _reworded(library, "payment-bank-transfer"), parts=("letters",)) == before
