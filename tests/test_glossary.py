"""The RU/EN glossary (issue 12, blocker 1): positions, authority documents, powers of attorney,
contract titles, countries and cities, both ways; and the gender of a signatory (blocker 2)."""

from __future__ import annotations

import datetime as dt

import pytest

from clausegen import glossary, text


# ------------------------------------------------------------------ positions and documents


@pytest.mark.parametrize(("english", "russian"), [
    ("Director", "Директор"),
    ("Managing Director", "Управляющий директор"),
    ("CEO", "Генеральный директор"),
    ("Chief Executive Officer", "Генеральный директор"),
    ("General Manager", "Генеральный управляющий"),
    ("Chairman of the Board", "Председатель совета директоров"),
    ("Chief Operating Officer", "Операционный директор"),
    ("Authorized Signatory", "Уполномоченный представитель"),
    ("Head of Legal", "Руководитель юридической службы"),
])
def test_an_english_position_has_its_russian_form(english, russian):
    assert glossary.translate("position", english, "en", "ru") == russian


@pytest.mark.parametrize(("russian", "english"), [
    ("Генеральный директор", "General Director"),
    ("генеральный директор", "General Director"),
    ("Управляющий директор", "Managing Director"),
    ("Коммерческий директор", "Commercial Director"),
])
def test_a_russian_position_has_its_english_form(russian, english):
    assert glossary.translate("position", russian, "ru", "en") == english


def test_a_position_the_glossary_does_not_know_is_not_translated():
    assert glossary.translate("position", "Chief Happiness Officer", "en", "ru") is None


@pytest.mark.parametrize(("english", "russian"), [
    ("the Articles of Association", "Устав"),
    ("Articles of Association", "Устав"),
    ("the Charter", "Устав"),
    ("Constitution", "Устав"),
    ("By-laws", "Устав"),
    ("the Memorandum of Association", "Учредительный меморандум"),
    ("Memorandum and Articles of Association", "Учредительный меморандум и Устав"),
])
def test_an_english_authority_document_has_its_russian_form(english, russian):
    assert glossary.translate("authority", english, "en", "ru") == russian


def test_the_russian_charter_is_the_charter_in_english():
    assert glossary.translate("authority", "Устав", "ru", "en") == "the Charter"


def test_authority_documents_are_declined_in_the_russian_preamble():
    assert glossary.genitive_ru("authority", None, "the Articles of Association") == "Устава"
    assert glossary.genitive_ru("authority", None, "Memorandum and Articles") == "Учредительного меморандума и Устава"
    assert glossary.genitive_ru("position", None, "Managing Director") == "Управляющего директора"


def test_a_contract_title_is_translated_both_ways():
    assert glossary.translate("title", "Services Agreement", "en", "ru") == "Договор об оказании услуг"
    assert glossary.translate("title", "Лицензионный договор", "ru", "en") == "Licence Agreement"


# ------------------------------------------------------------------ powers of attorney


@pytest.mark.parametrize("english", [
    "Power of Attorney No. 12 dated 1 March 2026",
    "power of attorney No 12 of 01.03.2026",
    "the Power of Attorney no. 12 dated March 1, 2026",
    "Power of Attorney #12 dated 2026-03-01",
])
def test_an_english_power_of_attorney_is_read_with_its_number_and_date(english):
    term = glossary.power_of_attorney(english, "en")
    assert term is not None
    assert term.ru == "доверенность № 12 от 1 марта 2026 г."
    assert term.genitive() == "доверенности № 12 от 1 марта 2026 г."
    assert term.en == "Power of Attorney No. 12 dated 1 March 2026"


@pytest.mark.parametrize("russian", [
    "доверенность № 12 от 01.03.2026",
    "Доверенность №12 от «1» марта 2026 г.",
    "доверенность № 12 от 1 марта 2026 года",
])
def test_a_russian_power_of_attorney_is_read_with_its_number_and_date(russian):
    term = glossary.power_of_attorney(russian, "ru")
    assert term is not None
    assert (term.ru, term.en) == ("доверенность № 12 от 1 марта 2026 г.", "Power of Attorney No. 12 dated 1 March 2026")


def test_a_slashed_date_that_could_be_either_day_or_month_is_not_guessed():
    assert glossary.power_of_attorney("Power of Attorney No. 3 dated 01/03/2026", "en") is None
    assert glossary.parse_date("13/03/2026", "en") == dt.date(2026, 3, 13)


def test_a_power_of_attorney_with_an_impossible_date_is_not_translated():
    assert glossary.power_of_attorney("Power of Attorney No. 3 dated 31 February 2026", "en") is None


def test_a_power_of_attorney_given_in_its_own_column_is_written_with_the_one_date_format():
    assert glossary.column("authority", "доверенность № 7 от 01.03.2026", None, "ru") == \
        "доверенность № 7 от 1 марта 2026 г."


# ------------------------------------------------------------------ countries and places


def test_a_location_of_known_city_and_country_is_translated_with_babels_country_names():
    term = glossary.location("Dubai, UAE", "en")
    assert (term.ru, term.en) == ("г. Дубай, ОАЭ", "Dubai, United Arab Emirates")
    back = glossary.location("г. Стамбул, Турецкая Республика", "ru")
    assert (back.ru, back.en) == ("г. Стамбул, Турция", "Istanbul, Türkiye")


def test_a_location_with_a_part_the_gazetteer_does_not_know_is_not_translated():
    assert glossary.location("Dubai Science Park, Dubai", "en") is None


def test_every_city_of_the_gazetteer_reads_both_ways():
    for entry in glossary.data()["cities"]:
        assert glossary.city(entry["en"], "en").ru == entry["ru"]
        assert glossary.city(f"г. {entry['ru']}", "ru").en == entry["en"]


def test_a_country_has_one_spelling_per_language():
    assert text.country_name("TR", "en") == "Türkiye"
    assert text.country_name("SC", "ru") == "Сейшельские Острова"  # Babel's «Сейшельские о-ва» written out
    assert glossary.country_code("Turkey") == glossary.country_code("Türkiye") == "TR"


def test_an_address_ending_in_another_spelling_of_its_country_takes_the_columns_name():
    address = "Teknopark Istanbul, Building 2, Pendik, Istanbul 34906, Turkey"
    assert glossary.localise_address(address, "TR", "en").endswith("Istanbul 34906, Türkiye")
    assert glossary.localise_address(address, "TR", "ru").endswith("Istanbul 34906, Турция")


def test_an_address_naming_its_country_elsewhere_gets_no_second_one():
    address = "010000, Республика Казахстан, г. Астана, пр. Мангилик Ел, д. 55/20"
    assert glossary.localise_address(address, "KZ", "ru") == address


# ------------------------------------------------------------------ gender


@pytest.mark.parametrize(("name", "gender"), [
    ("Кузнецова Мария Сергеевна", "female"),
    ("Сейткали Ержан Болатович", "male"),
    ("Мамедова Лейла Ильхам кызы", "female"),
    ("Мария Кузнецова", "female"),
    ("Саша Петров", None),
    ("Иванов", None),
])
def test_the_gender_of_a_cyrillic_name_is_told_only_when_the_name_says_it(name, gender):
    assert text.gender_of_name(name) == gender


@pytest.mark.parametrize(("name", "gender"), [
    ("Omar Haddad", "male"),
    ("Layla Hassan", "female"),
    ("Dr. Ananya Rao", "female"),
    ("Ms. Kim Lee", "female"),
    ("Tran Van Minh", "male"),
    ("Nguyen Thi Lan", "female"),
    ("Alex Kim", None),
])
def test_the_gender_of_a_latin_name_is_told_only_when_the_glossary_is_sure(name, gender):
    assert glossary.gender_of_latin_name(name) == gender


def test_the_declared_gender_wins_over_the_name():
    assert glossary.signatory_gender("male", "Кузнецова Мария Сергеевна", None) == "male"


def test_the_participle_agrees_with_the_gender_and_shows_both_endings_when_unknown():
    assert text.agreeing("acting", "female") == "действующей"
    assert text.agreeing("acting", "male") == "действующего"
    assert text.agreeing("acting", None) == "действующего(-ей)"


def test_every_glossary_section_has_both_languages():
    for section in ("positions", "authorities", "titles", "cities"):
        for entry in glossary.data()[section]:
            assert entry["ru"].strip() and entry["en"].strip(), entry


def test_the_authorised_participle_agrees_too():
    assert text.agreeing("authorised", "female") == "уполномоченной"
    assert text.agreeing("authorised", "male") == "уполномоченного"


def test_an_address_ending_in_a_name_of_another_country_is_left_as_written():
    address = "1 Peachtree Street, Atlanta, Georgia"  # a US state, not the country Georgia
    assert glossary.localise_address(address, "US", "en") == f"{address}, United States"


def test_a_cyrillic_only_proper_name_is_shown_with_its_transliteration_in_the_english_column():
    assert glossary.proper("ТОО «Алматы Дата Сервис»", None, "en") == 'ТОО «Алматы Дата Сервис» (TOO "Almaty Data Servis")'
    assert glossary.proper("Щукина Юлия", None, "en") == "Щукина Юлия (Shchukina Iuliia)"
    assert glossary.proper(None, "Omar Haddad", "ru") == "Omar Haddad"  # Latin script may stay in Russian


def test_a_word_in_capitals_is_transliterated_in_capitals():
    assert glossary.transliterate("ООО «ЩИТ»") == 'OOO "SHCHIT"'


def test_every_field_kind_of_the_data_is_one_the_glossary_or_validation_knows():
    assert set(glossary.data()["fields"].values()) <= {*glossary.KINDS, "proper", "text"}


@pytest.mark.parametrize(("name", "genitive", "short"), [
    ("Кузнецова Мария Сергеевна", "Кузнецовой Марии Сергеевны", "М.С. Кузнецова"),
    ("Мария Сергеевна Кузнецова", "Марии Сергеевны Кузнецовой", "М.С. Кузнецова"),
    ("Мариана Соуза", "Марианы Соузы", "М. Соуза"),  # given name first: read by the given name
    ("Ковач Андраш", "Ковача Андраша", "А. Ковач"),
    ("Тан Вэй Мин", "Тан Вэй Мин", "Тан Вэй Мин"),  # not a Russian name's structure: kept as written
])
def test_a_name_is_declined_and_shortened_by_the_part_each_word_is(name, genitive, short):
    from clausegen import text

    assert text.genitive_name(name) == genitive
    assert text.short_name(name, "ru") == short


def test_a_title_is_not_part_of_a_name():
    from clausegen import text

    assert text.without_title("Dr. Ananya Rao") == "Ananya Rao"
    assert text.short_name("Dr. Ananya Rao", "en") == "A. Rao"
