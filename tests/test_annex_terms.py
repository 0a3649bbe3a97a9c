"""The annex's terms fit the deal (issue 12, items 3-7 and the minor items; drafting-rules.md 2-5).

Each test renders the annex of an example or of the base deal with a few changes and reads it
as a lawyer would: what the representations say, which termination consequences apply, what is
said about the identification, the end users, the permission and the time limits.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from helpers import ANNEX_EXAMPLES, COMPANY, DATA, header_text, make_deal, pairs

from clausegen import api
from clausegen.compose import business_days
from clausegen.render import docx_rows

PERMISSION = {"knowledge.military_or_wmd_concern": True,
              "permission": {"number": "КЭК-2026/0412", "date": "2026-11-30"}}


def annex_of(library, changes=None):
    """The base deal's annex with ``changes``: (clause ids, the clause rows as (ru, en) pairs)."""
    deal = make_deal(changes)
    generated = api.build_annex(deal, api.screen_deal(deal), library)
    return [cid for cid, _ in generated.clauses], pairs(docx_rows(generated.data)[: len(generated.rows)])


def article(rows, title_en: str) -> list[tuple[str, str]]:
    """The (ru, en) paragraphs of the article whose English heading is ``title_en``."""
    (number,) = [m.group(1) for _, en in rows if (m := re.fullmatch(rf"(\d+)\. {re.escape(title_en)}", en))]
    return [(ru, en) for ru, en in rows if ru.startswith(f"{number}.") and not ru.startswith(f"{number}. ")]


def data_annex(library, name: str):
    """The annex of tests/data/<name>.yaml: (clause ids, the clause rows as (ru, en) pairs)."""
    deal = api.load_deal(DATA / f"{name}.yaml", COMPANY).deal
    generated = api.build_annex(deal, api.screen_deal(deal), library)
    return [cid for cid, _ in generated.clauses], pairs(docx_rows(generated.data)[: len(generated.rows)])


def text_of(paragraphs, lang: str) -> str:
    return "\n".join(ru if lang == "ru" else en for ru, en in paragraphs)


def example_rows(annexes, stem):
    return pairs(annexes[stem].rows[: len(annexes[stem].generated.rows)])


# ------------------------------------------------------------------ representations (blocker 3)


def test_reactor_operator_does_not_represent_that_it_has_no_nuclear_activities(annexes):
    representations = article(example_rows(annexes, "reactor-maintenance-hu"), "Counterparty’s Representations")
    (listed,) = [en for _, en in representations if "is involved, directly or indirectly" in en]
    assert "nuclear" not in listed and "(items 20 to 22 of Annex 1" in listed
    (listed_ru,) = [ru for ru, _ in representations if "прямо или косвенно не участвуют" in ru]
    assert "ядерн" not in listed_ru and "(пункты 20–22 приложения № 1" in listed_ru


def test_disclosed_activity_is_recorded_with_its_item_in_both_columns(annexes):
    representations = article(example_rows(annexes, "reactor-maintenance-hu"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if "Disclosed Activities" in en][0]
    # what the deal disclosed, not the whole of item 19 (review 6)
    assert "the Counterparty: operation of a nuclear power plant (item 19" in en
    assert "Контрагент: эксплуатация атомной электростанции (пункт 19" in ru
    assert "fuel" not in en and "design" not in en
    assert "(item 19 of Annex 1 to the Declaration)" in en and "(пункт 19 приложения № 1 к Декларации)" in ru
    assert "«Раскрытая деятельность»" in ru


def test_disclosed_activity_binds_the_counterparty_to_the_declared_use(annexes):
    representations = article(example_rows(annexes, "reactor-maintenance-hu"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if "Declared Use" in en][0]
    assert "shall ensure that the AI Solution is used only for the stated end use, at the place of use and by " \
           "the End Users specified in Clause 5.1" in en
    assert "beyond the Declared Use" in en and "за пределами Заявленного использования" in ru


def test_vaccine_maker_buying_a_chatbot_is_not_made_to_deny_its_vaccine_business(annexes):
    representations = article(example_rows(annexes, "saas-chatbot-vaccines-br"), "Counterparty’s Representations")
    english = text_of(representations, "en")
    assert "the development and production of vaccines" in english
    (listed,) = [en for _, en in representations if "is involved, directly or indirectly" in en]
    assert "vaccines" not in listed and "(items 19, 20 and 22 of Annex 1" in listed


def test_disclosure_is_not_represented_as_complete_but_qualified_by_knowledge(annexes):
    representations = article(example_rows(annexes, "saas-chatbot-vaccines-br"), "Counterparty’s Representations")
    english, russian = text_of(representations, "en"), text_of(representations, "ru")
    assert "complete:" not in english and "являются полными" not in russian
    assert "to the best of its knowledge, apart from the Disclosed Activities neither the Counterparty" in english
    assert "насколько ему известно, помимо Раскрытой деятельности ни Контрагент" in russian


def test_disclosed_activities_include_those_disclosed_in_writing_before_signing(annexes):
    representations = article(example_rows(annexes, "reactor-maintenance-hu"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if '“Disclosed Activities”' in en][0]
    assert "together with any other activities disclosed to the Supplier in writing before this Annex is signed" in en
    assert "раскрытые Поставщику в письменной форме до подписания настоящего Приложения" in ru


def test_without_disclosed_activities_the_representation_covers_items_19_to_22(annexes):
    representations = article(example_rows(annexes, "saas-clinic-ae"), "Counterparty’s Representations")
    english = text_of(representations, "en")
    assert "(items 19 to 22 of Annex 1 to the Declaration)" in english
    assert "to the best of its knowledge, neither the Counterparty nor any End User" in english


def test_without_disclosed_activities_a_written_disclosure_before_signing_is_carved_out(annexes):
    representations = article(example_rows(annexes, "saas-clinic-ae"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if "save for activities disclosed" in en][0]
    assert 'save for activities disclosed to the Supplier in writing before this Annex is signed (the “Disclosed ' \
           'Activities”)' in en
    assert "за исключением деятельности, раскрытой Поставщику в письменной форме до подписания настоящего " \
           "Приложения (далее — «Раскрытая деятельность»)" in ru


def test_without_disclosed_activities_a_later_disclosed_activity_is_bound_to_the_declared_use(annexes):
    representations = article(example_rows(annexes, "saas-clinic-ae"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if "Declared Use" in en][0]
    assert en.split(" ", 1)[1].startswith("If the Counterparty or any End User carries on any Disclosed Activities, "
                                          "the Counterparty shall ensure")
    assert "за пределами Заявленного использования" in ru


def test_saas_representations_are_not_repeated_on_a_delivery(annexes):
    representations = article(example_rows(annexes, "saas-clinic-ae"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if "deemed repeated" in en][0]
    assert "each grant of access to the AI Solution" in en and "delivery of the AI Solution" not in en
    assert "каждого предоставления доступа к Решению ИИ" in ru and "поставки Решения ИИ" not in ru


def test_hardware_representations_are_not_repeated_on_a_grant_of_access(annexes):
    representations = article(example_rows(annexes, "hardware-camera-vn"), "Counterparty’s Representations")
    (ru, en) = [(ru, en) for ru, en in representations if "deemed repeated" in en][0]
    assert "each delivery of the AI Solution" in en and "grant of access" not in en
    assert "каждой поставки Решения ИИ" in ru and "предоставления доступа" not in ru


def test_an_end_users_disclosed_activity_is_recorded_under_its_name(library):
    _, rows = annex_of(library, {"end_use.end_users.0.activities": ["immunology"],
                                 "end_use.end_users.0.name": {"en": "Nile Immunology Centre"}})
    english = text_of(article(rows, "Counterparty’s Representations"), "en")
    assert "End User Nile Immunology Centre: immunology (item 21 of Annex 1 to the Declaration)" in english


# ------------------------------------------------------------------ termination (item 4)


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_termination_consequences_follow_only_an_export_control_termination(annexes, stem):
    paragraphs = article(example_rows(annexes, stem), "Suspension and Termination")
    english = text_of(paragraphs, "en")
    assert "on any ground" not in english and "по любому основанию" not in text_of(paragraphs, "ru")
    if stem == "hardware-camera-vn":
        # equipment sold stays the buyer's unless the contract ends for breach or on an authority's refusal
        # (review 6)
        assert re.search(r"If the Contract is terminated, in whole or in part, under Clause \d+\.2, or under Clause "
                         r"\d+\.4 because the Authorised Bodies have refused the permission", paragraphs[-1][1])
        assert "Termination of the Contract on any other ground, including by its performance, has no such " \
               "consequences" in paragraphs[-1][1]
    else:
        assert re.search(r"If the Contract is terminated, in whole or in part, under this Clause or Clause \d+,",
                         paragraphs[-1][1])


@pytest.mark.parametrize(("stem", "says", "never"), [
    ("saas-clinic-ae", "the Supplier shall end access to the AI Solution", ("destroy", "licence key", "weights")),
    ("hardware-camera-vn", "disabled or removed from that equipment", ("destroy", "access to the AI Solution")),
    ("onprem-logistics-kz", "the installed copies, the backup copies", ("model weights", "Article 1296")),
    ("weights-research-in", "the source code, the model weights", ("installed copies", "Article 1296")),
    ("development-retail-my", "Article 1296 of the Civil Code", ("all copies of the AI Solution",)),
])
def test_termination_consequences_fit_the_contract_and_the_delivery(annexes, stem, says, never):
    consequences = article(example_rows(annexes, stem), "Suspension and Termination")[-1][1]
    assert says in consequences
    assert not [word for word in never if word in consequences]


def test_saas_annex_speaks_of_no_licence_keys_equipment_or_destruction_of_weights(annexes):
    for stem in ("saas-clinic-ae", "saas-chatbot-vaccines-br"):
        rows = example_rows(annexes, stem)
        remote = {en for _, en in article(rows, "Remote Access Service")}
        other = "\n".join(en for _, en in rows if en not in remote)
        assert "licence key" not in other and "in which it is embedded" not in other
        assert "weights" not in other and "destroy" not in other


# ------------------------------------------------------------------ identification (item 5)


def test_recorded_identification_is_stated_with_its_date_and_reference(annexes):
    (first_ru, first_en) = article(example_rows(annexes, "reactor-maintenance-hu"),
                                   "Decisions of the Authorised Bodies")[0]
    assert "identification carried out by the Supplier on 18 November 2026 (document reference: ИД-2026/31 " \
           "(ID-2026/31)), the AI Solution is not included in the list" in first_en
    assert "проведённой Поставщиком 18 ноября 2026 г. (реквизиты документа: ИД-2026/31)" in first_ru


@pytest.mark.parametrize("identification", [None, {"date": "2026-09-01", "by": "Export control unit",
                                                   "result": "fstec_notice"}],
                         ids=["not-recorded", "fstec-notice"])
def test_without_a_recorded_not_listed_result_the_annex_gives_a_neutral_undertaking(library, identification):
    # An FSTEC notice holds the deal until the Commission permits it (4.3): the annex comes with the permission.
    changes = {"identification": identification, "permission.number": "ЭК-2026/0001",
               "permission.date": "2026-10-01"} if identification else {}
    _, rows = annex_of(library, changes)
    (first_ru, first_en) = article(rows, "Decisions of the Authorised Bodies")[0]
    if identification:
        # the notice the deal records is stated, dated, with no finding about the list (review 6)
        assert "has informed the Supplier in writing that the export of the AI Solution requires the approval of " \
               "the Authorised Bodies (notice of 1 September 2026)." in first_en
        assert "письменно уведомила Поставщика о необходимости согласования экспорта Решения ИИ с Уполномоченными " \
               "органами (уведомление от 1 сентября 2026 г.)." in first_ru
    else:
        assert "the Supplier shall identify whether the AI Solution is included in the list" in first_en
    assert "is not included" not in first_en and "не включено" not in first_ru


# ------------------------------------------------------------------ end users (item 6)


def test_no_end_users_named_they_are_named_in_the_end_user_statement(annexes):
    rows = example_rows(annexes, "development-retail-my")
    first_ru, first_en = article(rows, "End Users")[0]
    assert first_en.startswith("5.1. No End User of the AI Solution has been identified")
    assert re.search(r"that End User shall give its name, country and address in its own end-use and end-user "
                     r"statement provided for in Clause \d+", first_en)
    # the definition of End User (1.9) stands: one without an accepted statement may not use the solution at all
    assert "shall not be made available to, or used by, any End User whose statement the Supplier has not accepted" \
        in first_en and "The End Users are the persons" not in first_en
    assert "persons specified in the Contract" not in first_en and "лица, указанные в Договоре" not in first_ru


def test_no_end_users_named_the_end_user_statement_is_a_condition_precedent(annexes):
    rows = example_rows(annexes, "development-retail-my")
    first_en = article(rows, "End-Use Statement")[0][1]
    assert ("those obligations of the Supplier are conditional on the Supplier’s receipt of the statements of the "
            "End Users known to the Counterparty on the date on which those obligations are to be performed") in first_en


# ------------------------------------------------------------------ permission (item 7)


ENHANCED = {"end-user-statement-condition", "verification-on-premise", "suspension-pending-clarification"}


def test_permission_deal_with_fired_indicators_keeps_every_enhanced_term(library):
    ids, _ = annex_of(library, {**PERMISSION, "red_flags": [7]})
    assert "commission-permission" in ids
    assert ENHANCED <= set(ids)


def test_permission_deal_without_fired_indicators_has_no_enhanced_terms(library):
    ids, _ = annex_of(library, PERMISSION)
    assert "commission-permission" in ids
    assert not ENHANCED & set(ids)


def test_permission_deal_with_conditions_lists_them_and_keeps_the_enhanced_terms(library):
    ids, rows = data_annex(library, "permission-with-conditions")
    second_ru, second_en = article(rows, "Permission of the Export Control Commission")[1]
    assert "\n(a) the AI Solution shall be used only in the Counterparty’s structural biology laboratory in " \
           "Hyderabad;" in second_en
    assert "\nа) Решение ИИ используется исключительно в лаборатории структурной биологии Контрагента" in second_ru
    assert {"end-user-statement-condition", "verification-on-premise", "suspension-pending-clarification"} <= set(ids)


def test_permission_conditions_are_stated_in_both_columns(library):
    conditions = [{"ru": "Решение ИИ используется только в г. Дубае", "en": "The AI Solution is used only in Dubai."},
                  {"ru": "Ежегодный отчёт об использовании", "en": "An annual report on its use"}]
    _, rows = annex_of(library, {**PERMISSION, "permission.conditions": conditions})
    second_ru, second_en = article(rows, "Permission of the Export Control Commission")[1]
    assert second_en.split(" ", 1)[1] == "The Counterparty shall comply, and shall ensure that the End Users comply, with the following " \
        "conditions of the permission:\n(a) The AI Solution is used only in Dubai;\n(b) An annual report on its use."
    assert second_ru.split(" ", 1)[1] == "Контрагент обязуется соблюдать следующие условия разрешения и обеспечить их соблюдение " \
        "Конечными пользователями:\nа) Решение ИИ используется только в г. Дубае;\nб) Ежегодный отчёт об использовании."


def test_permission_conditions_are_referred_to_by_the_paragraph_that_states_them(library):
    conditions = [{"ru": "Решение ИИ используется только в г. Дубае", "en": "the AI Solution shall be used only in Dubai"}]
    _, rows = annex_of(library, {**PERMISSION, "permission.conditions": conditions})
    paragraphs = article(rows, "Permission of the Export Control Commission")
    number = paragraphs[1][1].split(" ", 1)[0].rstrip(".")
    third_ru, third_en = paragraphs[2]
    assert f"in breach of the conditions set out in Clause {number} or in any such amendment" in third_en
    assert f"с нарушением условий, изложенных в пункте {number} настоящего Приложения" in third_ru
    assert "set out in this Clause" not in third_en


def test_permission_recorded_as_setting_no_conditions_says_so(library):
    _, rows = annex_of(library, {**PERMISSION, "permission.conditions": []})
    paragraphs = article(rows, "Permission of the Export Control Commission")
    assert paragraphs[1][1].endswith(" The permission sets no condition that requires action by the Counterparty "
                                     "or the End Users.")
    assert paragraphs[1][0].endswith(" Разрешение не устанавливает условий, требующих действий Контрагента или "
                                     "Конечных пользователей.")
    english = text_of(paragraphs, "en")
    assert "amendment" not in english and "set out in" not in english


def test_permission_without_stated_conditions_binds_the_counterparty_to_none_unseen(library):
    _, rows = annex_of(library, PERMISSION)
    english = text_of(article(rows, "Permission of the Export Control Commission"), "en")
    assert "shall become binding on the Counterparty when the Parties set it out in an amendment" in english
    assert "set out in this Clause" not in english and "set out in Clause" not in english


def test_permission_after_an_fstec_notice_names_the_notice(annexes, library):
    after_notice = article(example_rows(annexes, "weights-research-in"), "Permission of the Export Control Commission")
    assert "obtained by the Supplier after the written notice of FSTEC of Russia referred to in Clause 12.1" \
        in after_notice[0][1]
    notice = article(example_rows(annexes, "weights-research-in"), "Decisions of the Authorised Bodies")[0]
    assert "(notice No. 240/33/1187 of 6 November 2026)" in notice[1]
    assert "(уведомление от 6 ноября 2026 г. № 240/33/1187)" in notice[0]
    _, rows = annex_of(library, PERMISSION)
    assert "FSTEC" not in article(rows, "Permission of the Export Control Commission")[0][1]


def test_cyrillic_permission_number_is_transliterated_in_the_english_column(library):
    _, rows = annex_of(library, PERMISSION)
    first_ru, first_en = article(rows, "Permission of the Export Control Commission")[0]
    assert "permission No. КЭК-2026/0412 (KEK-2026/0412) dated 30 November 2026" in first_en
    assert "№ КЭК-2026/0412 от 30 ноября 2026 г." in first_ru and "KEK" not in first_ru


# ------------------------------------------------------------------ time limits (item 12)


BUSINESS_DAYS = {"ru": re.compile(r"(\d+) \(([^)]+)\) Рабоч"), "en": re.compile(r"(\d+) \(([^)]+)\) Business Day")}


@pytest.mark.parametrize("days", [7, 21])
def test_every_period_in_business_days_is_the_deals_response_period(library, days):
    ids, rows = annex_of(library, {"terms": {"response_days": days}, "red_flags": [7]})
    for lang in ("ru", "en"):
        found = {int(m.group(1)) for ru, en in rows for m in BUSINESS_DAYS[lang].finditer(ru if lang == "ru" else en)}
        assert found == {days}, lang
    english = "\n".join(en for _, en in rows)
    assert english.count(business_days(days, "en")) >= 5  # request, changes, visit, payment, return of copies


@pytest.mark.parametrize(("days", "gent", "accs"), [
    (1, "1 (одного) Рабочего дня", "1 (один) Рабочий день"),
    (2, "2 (двух) Рабочих дней", "2 (два) Рабочих дня"),
    (10, "10 (десяти) Рабочих дней", "10 (десять) Рабочих дней"),
    (21, "21 (двадцати одного) Рабочего дня", "21 (двадцать один) Рабочий день"),
])
def test_russian_business_days_agree_with_the_number(days, gent, accs):
    assert business_days(days, "ru", "gent") == gent
    assert business_days(days, "ru", "accs") == accs


def test_english_business_days_agree_with_the_number():
    assert business_days(1, "en") == "1 (one) Business Day"
    assert business_days(10, "en") == "10 (ten) Business Days"


# ------------------------------------------------------------------ minor items (drafting rules 2-5)


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_business_day_is_capitalised_as_a_defined_term(annexes, stem):
    rows = example_rows(annexes, stem)
    assert not [ru for ru, _ in rows if re.search(r"\bрабоч(?:их|его|ий) д", ru)]
    assert not [en for _, en in rows if re.search(r"\bbusiness days?\b", en)]


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_quoted_date_only_on_the_place_and_date_line(annexes, stem):
    rows = example_rows(annexes, stem)
    quoted = [ru for ru, _ in rows if re.search(r"«\d{1,2}»", ru)]
    assert len(quoted) == 1 and quoted[0].startswith(("г. ", annexes[stem].deal.contract.place.get("ru")))


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_no_doubled_full_stops(annexes, stem):
    assert not [cell for row in example_rows(annexes, stem) for cell in row if re.search(r"(?<!\.)\.\.(?!\.)", cell)]


BANNED_ENGLISH = ("out of court", "is not in delay", "on its own decision", "regulatory legal act",
                  "under the Declaration is mandatory", "required by the Declaration", "Mandatory", "day off",
                  "is guided by", "Export Control Law prevails", "integrated into", "Responsible Export Policy")


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_english_column_has_none_of_the_phrases_the_review_struck_out(annexes, stem):
    english = "\n".join(en for _, en in example_rows(annexes, stem))
    assert [phrase for phrase in BANNED_ENGLISH if phrase in english] == []


def test_calque_on_access_is_gone(annexes):
    russian = "\n".join(ru for ru, _ in example_rows(annexes, "weights-research-in"))
    assert "предоставлять доступ к ним только лицам, которым" in russian
    assert "ограничить доступ к ним лицами" not in russian


def test_annex_names_the_contract_by_title_number_and_date(annexes):
    rows = example_rows(annexes, "reactor-maintenance-hu")
    (ru, en) = [(ru, en) for ru, en in rows if '“Contract” means' in en][0]
    assert '“Contract” means the Licence Agreement No. LA-0181/2026 dated 3 December 2026' in en
    assert "«Договор» — Лицензионный договор № LA-0181/2026 от 3 декабря 2026 г." in ru


def test_annex_refers_to_the_contracts_governing_law_and_dispute_clauses(annexes):
    english = text_of(article(example_rows(annexes, "saas-clinic-ae"), "Final Provisions"), "en")
    assert "This Annex is governed by the law that governs the Contract." in english
    assert "shall be resolved as provided in the Contract" in english


def test_annex_may_be_signed_in_counterparts(annexes):
    final = article(example_rows(annexes, "saas-clinic-ae"), "Final Provisions")
    assert any("in any number of counterparts" in en and "в нескольких экземплярах" in ru for ru, en in final)


def test_liability_means_compensation_of_losses_in_both_columns(annexes):
    (first_ru, first_en) = article(example_rows(annexes, "saas-clinic-ae"), "Liability")[0]
    assert "shall compensate the Supplier in full for all losses" in first_en
    assert "возместить Поставщику в полном объёме убытки" in first_ru


@pytest.mark.parametrize("stem", sorted(ANNEX_EXAMPLES))
def test_fines_are_an_article_406_1_indemnity_in_both_columns(annexes, stem):
    (first_ru, first_en) = article(example_rows(annexes, stem), "Liability")[0]
    assert "shall indemnify the Supplier, under Article 406.1 of the Civil Code of the Russian Federation, against " \
           "any loss arising from fines or other penalties" in first_en
    assert "в соответствии со статьёй 406.1 Гражданского кодекса Российской Федерации Контрагент обязуется " \
           "возместить Поставщику имущественные потери, возникшие в связи с наложением на Поставщика штрафов" in first_ru
    assert "в том числе штрафы" not in first_ru and "including fines" not in first_en


def test_indemnity_in_english_only_where_russian_has_the_art_406_1_concept(annexes):
    for stem in ANNEX_EXAMPLES:
        for ru, en in example_rows(annexes, stem):
            if "indemnif" in en:
                assert "406.1" in ru and "имущественные потери" in ru, (stem, en)


# ------------------------------------------------------------------ the template (header, footer, hyphenation)


def _part(annexes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(annexes["saas-clinic-ae"].generated.data)) as package:
        return package.read(name).decode("utf-8")


def test_footer_gives_page_x_of_y_in_both_languages(annexes):
    footer = "".join(_part(annexes, name) for name in ("word/footer1.xml",))
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert "Стр. " in footer and " из " in footer and "Page " in footer and " of " in footer


def test_running_header_names_the_annex_and_the_contract(annexes):
    header = header_text(annexes["saas-clinic-ae"].generated.data)
    # non-breaking spaces keep «№ 2», «20 ноября», «2026 г.», "No. 2" and "20 November" on one line
    assert "Приложение №\u00a02 к Договору №\u00a0SA-0142/2026 от 20\u00a0ноября 2026\u00a0г. / Annex No.\u00a02 to " \
           "Contract No.\u00a0SA-0142/2026 dated 20\u00a0November 2026" in header


def test_hyphenation_is_on_and_each_column_has_its_language(annexes):
    assert "<w:autoHyphenation/>" in _part(annexes, "word/settings.xml")
    body = _part(annexes, "word/document.xml")
    assert 'w:lang w:val="ru-RU"' in body and 'w:lang w:val="en-GB"' in body


# ------------------------------------------------------------------ payment (indicator 13)


def test_cash_payment_indicator_brings_a_bank_transfer_only_clause(annexes):
    payments = article(example_rows(annexes, "onprem-logistics-kz"), "Payments")
    (ru, en) = payments[0]
    assert "shall be made only by bank transfer from an account held in the Counterparty’s own name" in en
    assert "производятся исключительно банковским переводом со счёта, открытого на имя Контрагента" in ru
    assert "no such payment discharges the Counterparty’s payment obligation" in payments[1][1]


def test_no_payment_clause_without_indicator_13(library):
    ids, _ = annex_of(library, {"red_flags": [7]})
    assert "payment-bank-transfer" not in ids
    ids, _ = annex_of(library, {"red_flags": [13]})
    assert "payment-bank-transfer" in ids


# ------------------------------------------------------------------ deal values inside a sentence (m-2, m-17)


@pytest.mark.parametrize(("ru", "en", "shown_ru", "shown_en"), [
    ("Контроль качества снимков", "Quality control of images", "контроль качества снимков", "quality control of images"),
    ("Москва", "Moscow", "Москва", "Moscow"),
    ("Пакш, Венгрия", "Paks, Hungary", "Пакш, Венгрия", "Paks, Hungary"),
    ("Решение ИИ используется", "The AI Solution is used", "Решение ИИ используется", "the AI Solution is used"),
    ("ИИ-ассистент клиники", "AI assistant of the clinic", "ИИ-ассистент клиники", "AI assistant of the clinic"),
    ("Контрагент", "The Counterparty's warehouse", "Контрагент", "the Counterparty's warehouse"),
])
def test_a_value_inside_a_sentence_is_lower_cased_unless_a_name_acronym_or_defined_term(ru, en, shown_ru, shown_en):
    from clausegen.compose import inline
    from clausegen.model import Bilingual

    value = Bilingual(ru=ru, en=en)
    assert (inline(value, "ru"), inline(value, "en")) == (shown_ru, shown_en)


def test_english_only_value_keeps_its_capital(library):
    from clausegen.compose import inline
    from clausegen.model import Bilingual

    assert inline(Bilingual(en="Dubai, UAE"), "en") == "Dubai, UAE"


def test_stated_end_use_after_a_colon_starts_in_lower_case(annexes):
    (ru, en) = article(example_rows(annexes, "saas-clinic-ae"), "End Users")[0]
    assert "Заявленная цель использования Решения ИИ: автоматизированный контроль" in ru
    assert "Stated end use of the AI Solution: automated quality control" in en


def test_end_user_given_a_russian_name_is_named_in_russian_in_the_russian_column(annexes):
    (ru, en) = article(example_rows(annexes, "hardware-camera-vn"), "End Users")[0]
    assert "Департамент транспорта г. Хошимина (Вьетнам)" in ru
    assert "Ho Chi Minh City Department of Transport (Vietnam)" in en and "Департамент" not in en
