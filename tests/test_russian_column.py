"""Each column in its own language and Russian that agrees with the signatory (issue 12, blockers 1
and 2): what the glossary puts into the column a deal leaves empty, the warnings that name a field it
cannot fill, and the participles that follow the signatory's gender."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import COMPANY, DATA, DELETE, EXAMPLES, invoke, modified, pairs, validated, write_deal

from clausegen import api
from clausegen.render import docx_rows
from clausegen.sources import RawRecord
from clausegen.validation import validate_deal
from clausegen.web import create_app, forms

ENGLISH_ONLY = DATA / "english-only-counterparty.yaml"
MAN_IN_RUSSIAN = DATA / "man-signatory-ru.yaml"
WOMAN_EXAMPLE = EXAMPLES / "licence-imaging-am.yaml"


def annex_rows(library, path: Path) -> list[tuple[str, str]]:
    """The clause rows (Russian, English) of the annex of the deal file ``path``."""
    deal = api.load_deal(path, COMPANY).deal
    generated = api.build_annex(deal, api.screen_deal(deal), library)
    return pairs(docx_rows(generated.data)[: len(generated.rows)])


def preamble(rows: list[tuple[str, str]]) -> tuple[str, str]:
    (found,) = [row for row in rows if "«Контрагент»" in row[0] and "именуем" in row[0]]
    return found


def warnings_of(data: dict) -> list:
    return validated(data=data).warnings


def fields_warned(data: dict) -> set[str]:
    return {w.field for w in warnings_of(data)}


# ------------------------------------------------------------------ the Russian column is Russian


def proper_names(deal) -> list[str]:
    """What may stay in Latin script in the Russian column: names, addresses, e-mails, numbers."""
    names = [deal.contract.number, deal.solution.name.get("en"), deal.counterparty.email or "",
             deal.supplier.email or ""]
    for party in (deal.supplier, deal.counterparty):
        names += [party.name.get("en"), (party.short_name or party.name).get("en")]
        names += [party.address.get("en")] if party.address else []
        names += [party.signatory.name.get("en")] if party.signatory else []
    names += [user.name.get("en") for user in deal.end_use.end_users]
    return sorted({name for name in names if name}, key=len, reverse=True)


def test_an_english_only_counterparty_leaves_no_latin_word_in_the_russian_column_outside_proper_names(library):
    deal = api.load_deal(ENGLISH_ONLY, COMPANY).deal
    generated = api.build_annex(deal, api.screen_deal(deal), library)
    leftovers = []
    for russian, _ in pairs(docx_rows(generated.data)[: len(generated.rows)]):
        for name in proper_names(deal):
            russian = russian.replace(name, "")
        leftovers += re.findall(r"[A-Za-z]{2,}", russian.replace("API", ""))  # «API» is a Russian term too
    assert leftovers == []


def test_an_english_only_counterparty_raises_no_warning():
    assert validate_deal(RawRecord(_load(ENGLISH_ONLY), "deal.yaml"), api.load_profile(COMPANY)).warnings == []


def test_the_english_only_preamble_takes_position_and_power_of_attorney_from_the_glossary(library):
    russian, english = preamble(annex_rows(library, ENGLISH_ONLY))
    assert ("в лице Управляющего директора Layla Hassan, действующей на основании доверенности № 12 "
            "от 1 марта 2026 г.") in russian
    assert "represented by its Managing Director, Layla Hassan, acting under Power of Attorney No. 12 dated " \
           "1 March 2026" in english


def test_an_english_only_place_of_use_and_contract_title_are_translated(library):
    rows = annex_rows(library, ENGLISH_ONLY)
    assert any("г. Дубай, ОАЭ" in russian and "Dubai, United Arab Emirates" in english for russian, english in rows)
    assert rows[2] == ("г. Москва, «12» октября 2026 г.", "Moscow, 12 October 2026")


def test_the_signature_block_gives_the_position_in_both_languages(library):
    deal = api.load_deal(ENGLISH_ONLY, COMPANY).deal
    rows = docx_rows(api.build_annex(deal, api.screen_deal(deal), library).data)
    assert "Управляющий директор\nManaging Director" in rows[-1][1]


def test_a_russian_only_signatory_is_given_in_english_from_the_glossary(library):
    russian, english = preamble(annex_rows(library, MAN_IN_RUSSIAN))
    assert ("в лице Управляющего директора Жумабекова Нурлана Сериковича, действующего на основании доверенности "
            "№ 7 от 1 марта 2026 г.") in russian
    assert "represented by its Managing Director, Nurlan Zhumabekov, acting under Power of Attorney No. 7 dated " \
           "1 March 2026" in english


# ------------------------------------------------------------------ gender agreement


def test_a_woman_signatorys_preamble_reads_deystvuyushchey(library):
    russian, _ = preamble(annex_rows(library, WOMAN_EXAMPLE))
    assert ("в лице Коммерческого директора Саргсян Анаит Ашотовны, действующей на основании доверенности № 15 от "
            "2 февраля 2026 г.") in russian
    assert "действующего" not in russian  # the supplier's signatory is a woman too


def test_a_declared_gender_overrides_the_name(library, tmp_path):
    data = modified(_load(ENGLISH_ONLY), {"counterparty.signatory.gender": "male"})
    russian, _ = preamble(annex_rows(library, write_deal(tmp_path, data)))
    assert "Layla Hassan, действующего" in russian


def test_an_unknown_gender_is_a_warning_naming_the_gender_field_and_both_endings_are_shown(library, tmp_path):
    data = modified(changes={"counterparty.signatory.name": {"en": "Alex Kim"}})
    (warning,) = [w for w in warnings_of(data) if w.field == "counterparty.signatory.gender"]
    assert "Alex Kim" in warning.message and "set counterparty.signatory.gender" in warning.message
    russian, _ = preamble(annex_rows(library, write_deal(tmp_path, data)))
    assert "Alex Kim, действующего(-ей)" in russian


def test_a_known_gender_raises_no_gender_warning():
    assert "counterparty.signatory.gender" not in fields_warned(modified())


# ------------------------------------------------------------------ warnings that name the field


def test_a_position_the_glossary_cannot_translate_is_a_warning_naming_the_field():
    data = modified(changes={"counterparty.signatory.position": {"en": "Chief Happiness Officer"}})
    (warning,) = [w for w in warnings_of(data) if w.field == "counterparty.signatory.position"]
    assert warning.severity == "warning"
    assert warning.message.startswith("has no Russian text; the Russian column would show 'Chief Happiness Officer'")


def test_an_english_only_purpose_is_a_warning_as_it_is_no_proper_name():
    data = modified(changes={"end_use.purpose": {"en": "Sorting shipping documents"}})
    assert "end_use.purpose" in fields_warned(data)


def test_a_location_the_gazetteer_cannot_translate_is_a_warning():
    data = modified(changes={"end_use.location": {"en": "Jebel Ali Free Zone"}})
    assert "end_use.location" in fields_warned(data)


def test_an_english_only_name_or_address_is_no_warning():
    data = modified(changes={"counterparty.name": {"en": "Harbour Freight Analytics Ltd"},
                             "counterparty.address": {"en": "Unit 7, Dubai Internet City"}})
    assert not {"counterparty.name", "counterparty.address"} & fields_warned(data)


def test_a_cyrillic_only_name_is_a_warning_for_the_english_column():
    data = modified(changes={"counterparty.name": {"ru": "ООО «Гавань»"}})
    assert "counterparty.name" in fields_warned(data)


def test_a_plain_string_value_is_judged_by_its_script():
    data = modified(changes={"solution.description": "Система сортировки документов"})
    assert "solution.description" in fields_warned(data)


def test_the_warning_gives_the_line_of_the_field_in_the_deal_file(tmp_path):
    data = modified(changes={"counterparty.signatory.position": {"en": "Chief Happiness Officer"}})
    result = invoke("screen", write_deal(tmp_path, data), "--company", COMPANY)
    (line,) = [line for line in result.output.splitlines() if "counterparty.signatory.position" in line]
    assert re.match(r".*deal\.yaml:\d+, counterparty\.signatory\.position: warning: has no Russian text", line)


def test_strict_turns_a_language_warning_into_exit_2(tmp_path):
    data = modified(changes={"counterparty.signatory.position": {"en": "Chief Happiness Officer"}})
    result = invoke("annex", write_deal(tmp_path, data), "--company", COMPANY, "--strict", "--no-register",
                    "-o", tmp_path / "annex.docx")
    assert result.exit_code == 2
    assert "counterparty.signatory.position" in result.output
    assert not (tmp_path / "annex.docx").exists()


def test_strict_turns_an_unknown_gender_into_exit_2(tmp_path):
    data = modified(changes={"counterparty.signatory.name": {"en": "Alex Kim"}})
    result = invoke("annex", write_deal(tmp_path, data), "--company", COMPANY, "--strict", "--no-register",
                    "-o", tmp_path / "annex.docx")
    assert result.exit_code == 2 and "counterparty.signatory.gender" in result.output


def test_the_web_form_shows_the_language_warning_next_to_the_field(register_path):
    from webclient import SignedIn, add_users

    add_users(register_path)
    client = SignedIn(create_app(company=COMPANY, register=register_path), "anna", lang="en")
    data = modified(changes={"counterparty.signatory.position": {"en": "Chief Happiness Officer"}})
    values, leftovers = forms.deal_to_form(data)
    assert leftovers == []
    page = client.post("/check", data=values).get_data(as_text=True)
    assert 'id="warnings"' in page and "the Russian column would show" in page
    assert "Chief Happiness Officer" in page.split('id="warnings"')[1]


def _load(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_country_has_one_spelling_in_every_part_of_a_letter(library):
    deal = api.load_deal(EXAMPLES / "hold-vision-tr.yaml", COMPANY).deal  # its address ends "…, Turkey"
    rows = docx_rows(api.build_letter("hold", deal, api.screen_deal(deal), library).data)
    text = "\n".join(cell for row in rows for cell in row)
    assert "Turkey" not in text and "Istanbul 34906, Türkiye" in text and "Istanbul 34906, Турция" in text


def test_a_cyrillic_only_counterparty_name_appears_transliterated_in_the_english_column(library, tmp_path):
    data = modified(changes={"counterparty.name": {"ru": "ООО «Гавань»"}})
    (warning,) = [w for w in warnings_of(data) if w.field == "counterparty.name"]
    assert "ООО «Гавань» (OOO \"Gavan\")" in warning.message
    _, english = preamble(annex_rows(library, write_deal(tmp_path, data)))
    assert 'and ООО «Гавань» (OOO “Gavan”) (United Arab Emirates) (hereinafter the “Counterparty”)' in english


def test_an_unknown_gender_without_an_authority_document_is_no_warning():
    data = modified(changes={"counterparty.signatory.name": {"en": "Alex Kim"},
                             "counterparty.signatory.acting_under": DELETE})
    assert "counterparty.signatory.gender" not in fields_warned(data)
