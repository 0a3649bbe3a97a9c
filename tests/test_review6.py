"""The sixth legal review's minors: what the documents name (the disclosed nuclear activity, product names, the
signatory), how the report counts and words things, what it asks next, the termination consequences of a sale,
the FSTEC notice, and the page layout of a letter's signature."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import pytest
from helpers import DATA, DELETE, EXAMPLE_DEALS, EXAMPLES, load_changed

from clausegen import api, checkrecord, compose, glossary, memo, pdf, salutation
from clausegen import library as lib
from clausegen.model import Party
from clausegen.phrases import indicators_fired
from clausegen.render import docx_rows
from clausegen.screening import screen
from clausegen.verify import wording
from clausegen.verify.common import EN, RU, Checker, Segment

REACTOR = DATA / "reactor-operator.yaml"
TEMPLATES = EXAMPLES.parent / "templates"


@pytest.fixture(scope="module")
def library() -> lib.Library:
    return lib.load_library()


def _text(data: bytes) -> str:
    return "\n".join(" | ".join(row) for row in docx_rows(data))


def _letter(path, kind: str, library, changes: dict | None = None) -> str:
    deal = load_changed(path, changes)
    return _text(api.build_letter(kind, deal, screen(deal), library).data)


def _report(path, library, changes: dict | None = None) -> str:
    deal = load_changed(path, changes)
    check = checkrecord.resolve(deal, user="test")
    return _text(api.build_report(deal, screen(deal), library, None, check).data)


def _steps(path, changes: dict | None = None) -> list[str]:
    deal = load_changed(path, changes)
    return [ru for ru, _ in memo.next_steps(deal, screen(deal), checkrecord.resolve(deal, user="test"))]


# ------------------------------------------------------------------ 1. the disclosed nuclear activity, narrowly


def test_an_operator_of_a_nuclear_power_plant_is_named_as_such_not_by_the_whole_of_item_19(library):
    deal = load_changed(REACTOR)
    annex = _text(api.build_annex(deal, screen(deal), library).data)
    request = _letter(REACTOR, "enduse-request", library)
    report = _report(REACTOR, library)
    assert "Контрагент: эксплуатация атомной электростанции (пункт 19" in annex
    assert "the Counterparty: operation of a nuclear power plant (item 19" in annex
    assert "(эксплуатация атомной электростанции), а решение «PumpGuard»" in request
    assert "(operation of a nuclear power plant) and “PumpGuard”" in request
    assert "Виды деятельности Контрагента: эксплуатация атомной электростанции" in report
    for document in (annex, request, report):
        for whole in ("производство и переработка ядерного топлива", "the production and processing of nuclear fuel",
                      "ядерных энергетических установок, их подсистем", "nuclear power installations, their subsystems",
                      "проектирование, строительство", "the design, construction"):
            assert whole not in document, whole


# ------------------------------------------------------------------ 2. the signature is never alone on a page


def test_a_letters_last_paragraphs_are_kept_with_its_signature():
    rows = [compose.Row("plain", "", "а", "a"), compose.Row("para", "1.", "б", "b"),
            compose.Row("plain", "", "в", "c"), compose.Row("plain", "", "г", "d"), compose.Row("plain", "", "д", "e")]
    kinds = [row.kind for row in compose._closing(rows)]
    assert kinds == ["plain", "para", "plain", "closing", "closing"]
    for name in ("letter.docx", "letter-single.docx"):
        xml = zipfile.ZipFile(TEMPLATES / name).read("word/document.xml").decode()
        branch = xml[xml.index("row.kind == &apos;closing&apos;") if "&apos;" in xml else xml.index(
            "row.kind == 'closing'"):]
        assert "<w:keepNext/>" in branch.split("else")[0], name


def test_the_report_is_russian_for_hyphenation_and_keeps_its_last_section_with_the_signatures():
    xml = zipfile.ZipFile(TEMPLATES / "screening-report.docx").read("word/document.xml").decode()
    assert xml.count('<w:lang w:val="ru-RU"/>') > 20 and "en-US" not in xml
    versions = xml[xml.index("report.versions"):xml.index("Подписи")]
    assert "<w:keepNext/>" in versions and "<w:cantSplit/>" in versions


@pytest.mark.skipif(not (pdf.available() and shutil.which("pdftotext")) and
                    not os.environ.get("CLAUSEGEN_REQUIRE_READERS"), reason="LibreOffice or pdftotext missing")
def test_the_reactor_request_ends_with_its_closing_paragraphs_above_the_signature(tmp_path, library):
    deal = load_changed(REACTOR)
    target = tmp_path / "request.docx"
    target.write_bytes(api.build_letter("enduse-request", deal, screen(deal), library).data)
    (converted,) = pdf.convert([target])
    pages = subprocess.run(["pdftotext", "-layout", str(converted), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    last = [page for page in pages if page.strip()][-1]
    assert "Благодарим Вас за содействие." in last and "М.С. Кузнецова" in last


def test_an_email_address_and_a_product_name_are_never_hyphenated():
    words = compose.unhyphenated_words(load_changed(REACTOR))
    assert "export-control@neuroset.example" in words and "PumpGuard" in words


# ------------------------------------------------------------------ 3. the count of indicators


@pytest.mark.parametrize(("numbers", "ru", "en"), [
    ([21], "выявлен признак № 21 приложения № 1", "Annex 1 indicator 21 fired"),
    ([10, 17], "выявлены признаки № 10 и 17 приложения № 1", "Annex 1 indicators 10 and 17 fired"),
    ([7, 13, 19], "выявлены признаки № 7, 13 и 19 приложения № 1", "Annex 1 indicators 7, 13 and 19 fired"),
])
def test_the_indicators_are_named_in_the_number_their_count_needs(numbers, ru, en):
    assert indicators_fired(numbers, "ru") == ru and indicators_fired(numbers, "en") == en
    assert indicators_fired(numbers, "ru", start=True) == ru[0].upper() + ru[1:]


def test_a_report_with_one_indicator_says_признак(library):
    text = _report(EXAMPLE_DEALS["weights-research-in"], library)
    assert "Выявлен признак № 21 приложения № 1" in text and "признак выявлен; решение определено п. 4.3" in text
    assert not re.search(r"признаки № \d+(?![\d,и ]*\d)", text)


def test_enhanced_due_diligence_on_one_indicator_is_worded_in_the_singular(library):
    text = _report(REACTOR, library)
    assert "Углублённая проверка: выявлен признак риска," in text


@pytest.mark.parametrize(("segment", "flagged"), [
    (Segment(1, RU, "Выявлены признаки № 21 приложения № 1"), True),
    (Segment(1, RU, "Выявлен признак № 21 приложения № 1"), False),
    (Segment(1, RU, "Выявлены признаки № 10 и 17 приложения № 1"), False),
    (Segment(1, RU, "Выявлен признак № 10, 17 приложения № 1"), True),
    (Segment(1, RU, "признаки № 19–22 приложения № 1"), False),
    (Segment(1, EN, "Annex 1 indicators 21 fired"), True),
    (Segment(1, EN, "Annex 1 indicator 10 or 17 fired"), False),
    (Segment(1, EN, "Annex 1 indicator 10, 17 fired"), True),
])
def test_verify_reports_an_indicator_word_that_disagrees_with_its_count(segment, flagged):
    checker = Checker("report.docx")
    wording.check([segment], checker)
    assert any("[number-agreement]" in p.message for p in checker.problems) == flagged


# ------------------------------------------------------------------ 4. the report names things in words


@pytest.mark.parametrize("stem", ["saas-clinic-ae", "reactor-maintenance-hu"])
def test_the_reports_terms_are_articles_in_words(library, stem):
    text = _report(EXAMPLE_DEALS[stem], library)
    terms = text[text.index("4. Условия, включённые в договор"):text.index("5. Дальнейшие действия")]
    assert "SaaS" not in text and "Заголовок приложения" not in terms and "Преамбула" not in terms
    assert not re.search(r"[a-z]+-[a-z]+", terms)
    assert re.search(r"Статья 1 «Термины и определения» \(редакция \d+\) — стандартное условие", terms)


def test_a_cloud_service_is_not_an_export_in_words(library):
    text = _report(EXAMPLE_DEALS["saas-clinic-ae"], library)
    assert "нет — облачный сервис без права изменения" in text
    assert "удалённый доступ как к облачному сервису" in text


# ------------------------------------------------------------------ 6. a listed solution


def test_a_listed_solution_is_not_weighed_under_the_declaration(library):
    text = _report(EXAMPLE_DEALS["controlled-item-am"], library)
    # every indicator and every rung but 1.3: «не рассматривается | Декларация к сделке не применяется (п. 1.3 …)»
    assert text.count("не рассматривается | Декларация к сделке не применяется (п. 1.3 Декларации)") == 22 + 6
    assert "не выявлен" not in text


def test_a_listed_solution_asks_for_the_end_user_of_the_licence():
    steps = _steps(EXAMPLE_DEALS["controlled-item-am"])
    step = next(s for s in steps if s.startswith("Установить конечного пользователя"))
    assert "лицензирование экспорта по Федеральному закону от 18 июля 1999 г. № 183-ФЗ" in step
    assert "конечным пользователем указан сам Контрагент" in step and "центре обработки данных банка" in step
    assert steps.index(step) == 1  # right after the licence itself


# ------------------------------------------------------------------ 7. an approval already recorded


def test_a_recorded_approval_is_no_step_left_to_take():
    approved = _steps(EXAMPLE_DEALS["reactor-maintenance-hu"])
    pending = _steps(EXAMPLE_DEALS["reactor-maintenance-hu"], {"screening.approved_by": DELETE,
                                                               "screening.approved_on": DELETE})
    assert not [s for s in approved if "утвержд" in s]
    assert any(s.endswith("и утверждения решения") for s in pending)
    assert any(s.startswith("Утвердить решение") for s in pending)


# ------------------------------------------------------------------ 8. the greeting


@pytest.mark.parametrize(("signatory", "ru", "en"), [
    (None, "Уважаемые дамы и господа!", "Dear Sir or Madam,"),
    ({"name": {"en": "Mehmet Kaya"}, "position": {"en": "Managing Director"}}, "Уважаемый господин Kaya!",
     "Dear Mr Kaya,"),
    ({"name": {"ru": "Надь Эва", "en": "Éva Nagy"}, "position": {"en": "CEO"}, "gender": "female"},
     "Уважаемая госпожа Надь!", "Dear Ms Nagy,"),
    ({"name": {"ru": "Саргсян Анаит Ашотовна", "en": "Anahit Sargsyan"}, "position": {"en": "Director"}},
     "Уважаемая Анаит Ашотовна!", "Dear Ms Sargsyan,"),
    ({"name": {"ru": "Тан Вэй Мин", "en": "Tan Wei Ming"}, "position": {"en": "Director"}, "gender": "male"},
     "Уважаемый господин Тан!", "Dear Mr Tan,"),
    ({"name": {"en": "Dr. Ananya Rao"}, "position": {"en": "Director"}, "gender": "female"},
     "Уважаемая госпожа Rao!", "Dear Dr Rao,"),
    ({"name": {"en": "Alex Morgan"}, "position": {"en": "Director"}}, "Уважаемые дамы и господа!",
     "Dear Sir or Madam,"),
])
def test_a_letter_greets_the_signatory_by_name_when_the_deal_names_one(signatory, ru, en):
    party = Party.model_validate({"name": {"en": "Acme Ltd"}, "country": "TR", "signatory": signatory})
    assert (salutation.salutation(party, "ru"), salutation.salutation(party, "en")) == (ru, en)


def test_the_hold_letter_greets_the_signatory_and_passes_verify(library):
    text = _letter(EXAMPLE_DEALS["hold-vision-tr"], "hold", library)
    assert "Уважаемый господин Kaya! | Dear Mr Kaya," in text and "Уважаемые дамы и господа!" not in text


# ------------------------------------------------------------------ 9. the sale of equipment


def test_equipment_sold_is_not_disabled_after_an_ordinary_termination(library):
    deal = load_changed(EXAMPLE_DEALS["hardware-camera-vn"])
    text = _text(api.build_annex(deal, screen(deal), library).data)
    assert "Прекращение Договора по иным основаниям, в том числе в связи с его исполнением, таких последствий не " \
           "влечёт" in text
    assert "under this Clause or Clause 10, the Counterparty shall immediately cease" not in text


# ------------------------------------------------------------------ 10. product names


@pytest.mark.parametrize(("ru", "en", "shown_ru", "shown_en"), [
    ("«PumpSense»", "PumpSense", "«PumpSense»", "“PumpSense”"),
    ("MedVision QA", "MedVision QA", "«MedVision QA»", "“MedVision QA”"),
    (None, "VisionKit SDK", "«VisionKit SDK»", "“VisionKit SDK”"),
    ("модуль CryptoEdge AI", "CryptoEdge AI module", "модуль CryptoEdge AI", "CryptoEdge AI module"),
    ("Камера «ТрафикВижн-М2» со встроенным модулем", "TrafficVision-M2 camera", "Камера «ТрафикВижн-М2» со "
     "встроенным модулем", "TrafficVision-M2 camera"),
])
def test_a_product_name_is_quoted_by_one_rule_in_both_columns(ru, en, shown_ru, shown_en):
    assert glossary.product_name(ru, en, "ru") == shown_ru and glossary.product_name(ru, en, "en") == shown_en


def test_the_report_quotes_the_product_as_the_documents_do(library):
    assert "Решение ИИ | «MedVision QA»" in _report(EXAMPLE_DEALS["saas-clinic-ae"], library)


# ------------------------------------------------------------------ 11, 12. FSTEC notice and the permission


def test_a_permitted_deal_is_performed_within_the_permission_and_screened_again_on_change():
    steps = _steps(EXAMPLE_DEALS["weights-research-in"])
    step = next(s for s in steps if s.startswith("Исполнять договор в пределах разрешения Комиссии"))
    assert "№ ЭК-2026/1187 от 28 ноября 2026 г. и соблюдать его условия" in step
    assert "повторить проверку до исполнения" in step
    assert not [s for s in steps if "После получения разрешения" in s]


def test_the_concern_rung_of_a_permitted_deal_does_not_read_as_if_no_permission_existed(library):
    text = _report(EXAMPLE_DEALS["weights-research-in"], library)
    concern = text[text.index("п. 4.2 |"):text.index("п. 4.3 |")]
    assert "Экспорт осуществляется на основании разрешения Комиссии (см. п. 4.3)" in concern
    assert "требуется разрешение Комиссии" not in concern


def test_the_fstec_notice_is_cited_in_the_regulatory_article(library):
    deal = load_changed(EXAMPLE_DEALS["weights-research-in"])
    text = _text(api.build_annex(deal, screen(deal), library).data)
    assert "(уведомление от 6 ноября 2026 г. № 240/33/1187)" in text
    assert "(notice No. 240/33/1187 of 6 November 2026)" in text
