"""The seventh legal review's minors: the rung a permission is cited under, the basis for informing FSTEC on
one's own initiative, the controlled-item report's section 1, the hold letter against the request, the nuclear
assurance, one English term for «военных ведомств», 13.3's antecedent, annex 5.1's English and the trade name."""

from __future__ import annotations

import pytest
from helpers import DATA, EXAMPLES, load_changed

from clausegen import api, checkrecord
from clausegen import library as lib
from clausegen.render import docx_rows
from clausegen.screening import screen

PERMISSION = DATA / "permission-with-conditions.yaml"


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


def _text(data: bytes) -> str:
    return "\n".join(" | ".join(row) for row in docx_rows(data))


def _report(path, library, changes: dict | None = None) -> str:
    deal = load_changed(path, changes)
    check = checkrecord.resolve(deal, user="test")
    return _text(api.build_report(deal, screen(deal), library, None, check).data)


def _letter(path, kind: str, library, changes: dict | None = None) -> str:
    deal = load_changed(path, changes)
    return _text(api.build_letter(kind, deal, screen(deal), library).data)


# ------------------------------------------------------------------ M3: a permission after an FSTEC notice is 4.3


@pytest.mark.parametrize("path", [PERMISSION, EXAMPLES / "weights-research-in.yaml"])
def test_a_permission_after_an_fstec_notice_is_cited_under_4_3_alone(path, library):
    report = _report(path, library)
    assert "экспорт разрешён Комиссией по экспортному контролю (п. 4.3 Декларации)" in report
    assert "пп. 4.2, 4.3" not in report
    deal = load_changed(path)
    summary = api.screening_summary(deal, screen(deal), library)
    reasons = {c["id"]: c for c in summary["clauses"]}["commission-permission"]
    assert reasons["reason"].endswith("(Declaration 4.3)") and reasons["reason_ru"].endswith("(п. 4.3 Декларации)")


# ------------------------------------------------------------------ M4: informing FSTEC unasked is not 6.1


def test_the_refusal_report_cites_3_1_and_3_3_for_informing_fstec_on_its_own_initiative(library):
    deal = load_changed(EXAMPLES / "refuse-drone-xx.yaml")
    from clausegen import memo
    steps = memo.next_steps(deal, screen(deal), checkrecord.resolve(deal, user="test"))
    fstec = [(ru, en) for ru, en in steps if "ФСТЭК" in ru]
    assert len(fstec) == 1
    ru, en = fstec[0]
    assert "по собственной инициативе" in ru and "(пп. 3.1, 3.3 Декларации;" in ru and "6.1" not in ru
    assert "on our own initiative" in en and "3.1 and 3.3 of the Declaration" in en and "6.1" not in en
    assert "(пп. 3.1, 3.3 Декларации;" in _report(EXAMPLES / "refuse-drone-xx.yaml", library)


# ------------------------------------------------------------------ M5: section 1 agrees with 3.4 on 2.1


def test_the_controlled_item_report_does_not_weigh_2_1_in_section_1_either(library):
    report = _report(EXAMPLES / "controlled-item-am.yaml", library)
    assert "Экспорт в смысле п. 2.1 | не рассматривается (п. 1.3 Декларации: Декларация к сделке не применяется); " \
           "экспорт по Федеральному закону от 18 июля 1999 г. № 183-ФЗ «Об экспортном контроле» — да" in report
    assert "Экспорт в смысле п. 2.1 | да" not in report
    # a deal inside the Declaration still answers the 2.1 question
    assert "Экспорт в смысле п. 2.1 | да" in _report(EXAMPLES / "development-retail-my.yaml", library)


# ------------------------------------------------------------------ M1: the hold letter agrees with the request


@pytest.mark.parametrize("name", ["hold-vision-tr", "permission-speech-rs"])
def test_the_hold_letter_says_the_application_follows_the_answers_as_the_request_does(name, library):
    hold = _letter(EXAMPLES / f"{name}.yaml", "hold", library)
    request = _letter(EXAMPLES / f"{name}.yaml", "enduse-request", library)
    assert "До получения ответов мы не сможем обратиться в Комиссию" in request
    assert "мы обращаемся в Комиссию" not in hold and "we are applying to" not in hold
    assert "мы намерены обратиться в Комиссию по экспортному контролю Российской Федерации" in hold
    assert "подадим обращение, как только получим от Вас сведения, о которых говорится ниже" in hold
    assert "will file our application as soon as we have received from you the information described below" in hold


# ------------------------------------------------------------------ M2: no other installation at all


@pytest.mark.parametrize("path", [EXAMPLES / "reactor-maintenance-hu.yaml", DATA / "reactor-operator.yaml"])
def test_the_nuclear_assurance_bars_every_other_installation(path, library):
    statement = _letter(path, "end-user-statement", library)
    assert "На какой-либо иной ядерной установке Решение ИИ не используется." in statement
    assert "The AI Solution shall not be used at any other nuclear installation." in statement
    assert "не находящихся под гарантиями МАГАТЭ, Решение ИИ не используется" not in statement
    assert "other nuclear installation that is not under IAEA safeguards" not in statement


# ------------------------------------------------------------------ M9: one English term for «военных ведомств»


def test_военных_ведомств_is_military_authorities_in_every_english_text(library):
    statement = _letter(EXAMPLES / "hold-vision-tr.yaml", "end-user-statement", library)
    assert "carried out for military authorities or special services" in statement
    assert "to any such authority or service" in statement
    for clause in library.clauses.values():
        assert "military agenc" not in clause.en and "military agenc" not in clause.meta.title.en, clause.id
    from clausegen import activities
    assert "military agenc" not in activities.__file__ and "military agenc" not in \
        (EXAMPLES.parent / "clausegen" / "activities.yaml").read_text(encoding="utf-8")


# ------------------------------------------------------------------ M11: 13.3 names the annex, not «к нему»


def test_the_permission_conditions_clause_names_the_annex_the_amendment_is_to(library):
    deal = load_changed(PERMISSION)
    annex = _text(api.build_annex(deal, screen(deal), library).data)
    assert "или в дополнительном соглашении к настоящему Приложению. Использование Решения ИИ с нарушением " \
           "условий, изложенных в пункте" in annex
    assert "в таком дополнительном соглашении" in annex
    assert "дополнительном соглашении к нему" not in annex


# ------------------------------------------------------------------ M12: annex 5.1 in three sentences


def test_end_users_named_later_are_set_out_in_three_sentences_in_both_columns(library):
    deal = load_changed(EXAMPLES / "development-retail-my.yaml")
    annex = _text(api.build_annex(deal, screen(deal), library).data)
    assert "provided for in Clause 8. The AI Solution shall not be made available to, or used by, any End User " \
           "whose statement the Supplier has not accepted. Once the Supplier has accepted a person’s statement, the " \
           "Supplier is deemed to have consented, for the purposes of Clause 6, to the AI Solution being made " \
           "available to that person." in annex
    assert "предусмотренном статьёй 8 настоящего Приложения. Решение ИИ не может предоставляться Конечному " \
           "пользователю, заявление которого не принято Поставщиком, и использоваться таким Конечным " \
           "пользователем. После того как Поставщик примет заявление лица, предоставление Решения ИИ этому лицу " \
           "считается согласованным Поставщиком для целей статьи 6 настоящего Приложения." in annex
    assert "is deemed consented to" not in annex


# ------------------------------------------------------------------ M13: one trade name in both columns


def test_the_camera_keeps_its_latin_trade_name_in_the_russian_column(library):
    deal = load_changed(EXAMPLES / "hardware-camera-vn.yaml")
    annex = _text(api.build_annex(deal, screen(deal), library).data)
    # the trade name alone, the same in both columns and quoted as a name (review 8, N1)
    assert "(«TrafficVision-M2»)" in annex
    assert "(“TrafficVision-M2”)" in annex
    assert "ТрафикВижн" not in annex and "Камера «" not in annex
