"""Language helpers: dates, amounts, country names and Russian declension.

Pure functions over values.  Babel gives dates, country and currency
names, num2words amounts in words, pytrovich declines Russian personal names
and pymorphy3 declines positions and documents («Генерального директора»,
«на основании Устава»).  What these libraries answer is kept across processes
(:func:`clausegen.cache.remembered`), and each is imported only for a question
not answered before: loading them was most of a single annex's start-up.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from .cache import derived, remembered

LANGS = ("ru", "en")


@lru_cache(maxsize=1024)  # pure; a batch's deals share a few hundred dates at most
def format_date(value: dt.date, lang: str, *, quoted: bool = False) -> str:
    """«20 ноября 2026 г.» (or «20» ноября 2026 г.) / "20 November 2026"."""
    if lang == "ru":
        month_year = _babel_date_as(value.isoformat(), "MMMM y", "ru")  # genitive month: «ноября 2026»
        day = f"«{value.day}»" if quoted else str(value.day)
        return f"{day} {month_year} г."
    return _babel_date_as(value.isoformat(), "d MMMM y", "en")


@remembered  # Babel loads a language's whole locale data for the first date it formats
def _babel_date_as(iso: str, pattern: str, locale: str) -> str:
    from babel.dates import format_date  # Babel is imported by what its answers are not yet known for

    return format_date(dt.date.fromisoformat(iso), pattern, locale=locale)


def format_number(value: Decimal | int, lang: str) -> str:
    """Figures grouped by thousands in the language's style (10 000,00 / 10,000.00)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.00", locale=lang)


@lru_cache(maxsize=256)  # amounts differ from deal to deal; a few repeat (a price list)
def format_amount(amount: Decimal, currency: str, lang: str) -> str:
    """The amount in figures and in words, as contracts state it."""
    from babel.numbers import get_currency_name
    from num2words import num2words  # 40 ms to import, for the documents that state an amount

    whole = int(amount)
    cents = int((amount - whole) * 100)
    words = num2words(whole, lang=lang).replace(",", "")
    name = get_currency_name(currency, count=whole, locale=lang)
    fraction = f" {cents:02d}/100" if cents else ""
    if lang == "ru":
        return f"{format_number(amount, 'ru')} ({words}{fraction}) {name}"
    return f"{currency} {format_number(amount, 'en')} ({words}{fraction} {name})"


@lru_cache(maxsize=None)
@remembered
def _territories(lang: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale(lang).territories)


def babel_territories(lang: str) -> dict[str, str]:
    """Babel's names of every territory in ``lang``, by code."""
    return _territories(lang)


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code Babel knows."""
    return len(code) == 2 and code.isalpha() and code in _territories("en")


def babel_country_name(code: str, lang: str) -> str:
    return _territories(lang).get(code, code)


@lru_cache(maxsize=1)
def _written_out() -> dict[str, dict[str, str]]:
    """The country names Babel abbreviates («Сейшельские о-ва»), written out: the ``country_names``
    of clausegen/glossary.yaml (read here, as the glossary module builds on this one)."""
    names: dict[str, dict[str, str]] = glossary_data()["country_names"]
    return names


@lru_cache(maxsize=1)
def glossary_data() -> dict[str, Any]:
    """clausegen/glossary.yaml, read once per process (this module and :mod:`clausegen.glossary` share it)."""
    import yaml

    data = Path(__file__).with_name("glossary.yaml").read_bytes()
    loaded: dict[str, Any] = derived("package-data", data, lambda: yaml.load(  # parsed, from the cache
        data.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), yaml.__version__)
    return loaded


def country_name(code: str, lang: str) -> str:
    """The short name of a country in ``lang`` («ОАЭ», "United Arab Emirates"): Babel's, written out
    where Babel abbreviates it; one spelling in every document."""
    return _written_out().get(lang, {}).get(code) or babel_country_name(code, lang)


@remembered
def is_currency(code: str) -> bool:
    """Whether Babel knows the ISO 4217 currency ``code``."""
    from babel import Locale

    return code in Locale("en").currencies


# ---------------------------------------------------------------- Russian cases


@lru_cache(maxsize=1)
def morph() -> Any:
    """pymorphy3's analyser, made once per process: its dictionaries take a while to load and are
    shared with :mod:`clausegen.activities`."""
    import pymorphy3  # only when needed

    return pymorphy3.MorphAnalyzer()


_morph = morph


@lru_cache(maxsize=4096)  # pure, and a batch declines the same supplier a thousand times
def detect_gender(full_name_ru: str) -> str:
    """``male`` or ``female`` from the patronymic (or first name) of a Russian name; ``male`` when
    nothing tells (for declension only: agreement uses :func:`gender_of_name`, which never guesses)."""
    return gender_of_name(full_name_ru) or "male"


@lru_cache(maxsize=4096)
def gender_of_name(full_name_ru: str) -> str | None:
    """``male`` or ``female`` when the patronymic or a given name of a Cyrillic name says so, else ``None``.

    The name is read in either order («Кузнецова Мария Сергеевна», «Мария Кузнецова»): a patronymic
    (-вна, -кызы / -вич, -оглы, -улы) decides; otherwise a word that pymorphy3 knows only as a given
    name of one gender («Мария», «Ержан»); a name known for both genders («Саша») decides nothing.
    """
    parts = [part for part in full_name_ru.replace(",", " ").split() if _is_cyrillic_word(part)]
    for part in parts[1:]:
        lowered = part.lower()
        if lowered.endswith(("вна", "чна", "кызы", "гызы")):
            return "female"
        if lowered.endswith(("вич", "ич", "оглы", "улы", "уулу")):
            return "male"
    found = set()
    for part in parts:
        genders = _given_name_genders(part)
        if len(genders) == 1:
            found |= {"female" if genders == {"femn"} else "male" if genders == {"masc"} else "both"}
    return found.pop() if len(found) == 1 and found != {"both"} else None


@remembered
def _given_name_genders(word: str) -> frozenset[str]:
    """The genders (``masc``, ``femn``) pymorphy3 knows ``word`` in as a given name in the nominative."""
    return frozenset(str(p.tag.gender) for p in _morph().parse(word)
                     if "Name" in p.tag and "nomn" in p.tag and p.score >= 0.3 and p.tag.gender)


#: Participles and adjectives that agree with a signatory: «действующего» / «действующей».
_AGREEING = {"acting": ("действующего", "действующей"), "authorised": ("уполномоченного", "уполномоченной")}


def agreeing(word: str, gender: str | None) -> str:
    """The genitive of ``word`` (``acting``, ``authorised``) agreeing with a signatory of ``gender``;
    both endings («действующего(-ей)») when the gender is unknown, which validation reports."""
    male, female = _AGREEING[word]
    if gender == "male":
        return male
    if gender == "female":
        return female
    return f"{male}(-ей)"


_PATRONYMIC_ENDINGS = ("вич", "вна", "чна", "ична", "инична", "оглы", "кызы", "гызы", "улы", "уулу")
#: Titles that are not part of a name («Dr. Ananya Rao»): left out where a name is declined or shortened.
_TITLES = frozenset({"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof.", "sir", "г-н", "г-жа",
                     "д-р", "проф."})


def _is_patronymic(word: str) -> bool:
    return word.lower().endswith(_PATRONYMIC_ENDINGS)


@remembered
def _is_given_name(word: str) -> bool:
    # a given name as written in a name: nominative singular («Надь» is only a form of «Надя»)
    return any("Name" in p.tag and "nomn" in p.tag and "sing" in p.tag and p.score >= 0.3
               for p in _morph().parse(word))


def without_title(full_name: str) -> str:
    """«Dr. Ananya Rao» → «Ananya Rao»: a title is not part of the name."""
    parts = full_name.split()
    while len(parts) > 1 and parts[0].lower() in _TITLES:
        parts = parts[1:]
    return " ".join(parts)


@lru_cache(maxsize=4096)
def name_parts(full_name_ru: str) -> tuple[str, str, str | None] | None:
    """(surname, given name, patronymic) of a Cyrillic name whose structure is known, else None.

    A Russian name is «Фамилия Имя Отчество» or «Имя Отчество Фамилия»; two words are read by which
    of them is a given name the morphology knows («Мариана Соуза» is given name, then surname).  A
    name of another structure («Тан Вэй Мин») is none of these and keeps its form.
    """
    parts = full_name_ru.split()
    if any(not _is_cyrillic_word(p) for p in parts):
        return None
    if len(parts) == 3:
        if _is_patronymic(parts[2]):
            return parts[0], parts[1], parts[2]
        if _is_patronymic(parts[1]):
            return parts[2], parts[0], parts[1]
        return None
    if len(parts) == 2:
        first_given, second_given = _is_given_name(parts[0]), _is_given_name(parts[1])
        if first_given and not second_given:
            return parts[1], parts[0], None
        return parts[0], parts[1], None
    return None


@lru_cache(maxsize=4096)
@remembered  # pytrovich is imported only for a name not seen before
def genitive_name(full_name_ru: str, gender: str | None = None) -> str:
    """«Кузнецова Мария Сергеевна» → «Кузнецовой Марии Сергеевны»; «Мариана Соуза» → «Марианы Соузы».

    Each word is declined as the part of the name it is, in the order written; a name whose
    structure is not known (Latin letters, one word, «Тан Вэй Мин») is returned as written.
    """
    from pytrovich.enums import Case, Gender, NamePart
    from pytrovich.maker import PetrovichDeclinationMaker

    found = name_parts(full_name_ru)
    if found is None:
        return full_name_ru
    surname, given, patronymic = found
    sex = Gender.FEMALE if (gender or detect_gender(full_name_ru)) == "female" else Gender.MALE
    maker = PetrovichDeclinationMaker()
    kinds = {surname: NamePart.LASTNAME, given: NamePart.FIRSTNAME}
    if patronymic:
        kinds[patronymic] = NamePart.MIDDLENAME
    def declined(word: str) -> str:
        # A woman's surname ending in a consonant or «ь» (Надь, Ковач) is not declined.
        if word == surname and sex == Gender.FEMALE and word[-1:].lower() not in "аяоеёиыуюэ":
            return word
        return maker.make(kinds[word], sex, Case.GENITIVE, word) if word in kinds else word

    return " ".join(declined(word) for word in full_name_ru.split())


def short_name(full_name: str, lang: str) -> str:
    """A name for a signature line: «М.С. Кузнецова», «М. Соуза», "M. Kuznetsova"; a name whose
    structure is not known is written out («Тан Вэй Мин», "Tan Wei Ming")."""
    name = without_title(full_name)
    if lang == "ru" and (found := name_parts(name)) is not None:
        surname, given, patronymic = found
        return f"{given[0]}.{patronymic[0] + '.' if patronymic else ''} {surname}"
    parts = name.split()
    if lang == "en" and len(parts) == 2 and all(p[:1].isupper() and p.isalpha() for p in parts):
        return f"{parts[0][0]}. {parts[1]}"
    return name


def _is_cyrillic_word(word: str) -> bool:
    return all("\u0400" <= ch <= "\u04ff" or ch == "-" for ch in word)


@lru_cache(maxsize=4096)
def genitive_phrase(phrase_ru: str) -> str:
    """Decline the head of a nominative phrase: «Генеральный директор» → «Генерального директора».

    Leading adjectives and the first noun are put in the genitive; the rest
    («по развитию», «№ 12 от 01.02.2026») stays as written.
    """
    words = phrase_ru.split(" ")
    out = []
    for index, word in enumerate(words):
        inflected = _genitive_word(word)
        if inflected is None:
            out.extend(words[index:])
            break
        out.append(inflected[0])
        if inflected[1]:  # the head noun: everything after it is a complement
            out.extend(words[index + 1 :])
            break
    return " ".join(out)


@remembered
def _genitive_word(word: str) -> tuple[str, bool] | None:
    if not word or not _is_cyrillic_word(word):
        return None
    for parse in _morph().parse(word):
        tag = parse.tag
        if "nomn" not in tag or tag.POS not in {"NOUN", "ADJF", "PRTF"}:
            continue
        form = parse.inflect({"gent"})
        if form is None:
            continue
        text = form.word
        if word[0].isupper():
            text = text[0].upper() + text[1:]
        return text, tag.POS == "NOUN"
    return None


# A value starting with a defined term of the annex keeps its capital (drafting rules 2: defined terms
# are capitalised every time).
DEFINED_START = re.compile(r"^(?:Договор|Приложени|Поставщик|Контрагент|Сторон|Решени[еяю] ИИ|Производн\w* решени|"
                            r"Конечн\w* пользовател|Декларац|Уполномоченн\w* орган|Раскрыт\w* деятельн|"
                            r"Заявленн\w* использовани|Counterparty|Supplier|Contract|Annex|AI Solution|End User|"
                            r"Declaration|Party|Parties)\b")
_PROPER_TAGS = frozenset({"Geox", "Name", "Surn", "Patr", "Orgn", "Trad", "Abbr"})


@lru_cache(maxsize=4096)  # pure; every document of a deal asks about the same purpose and location again
def common_start_ru(value: str) -> bool:
    """Whether a Russian value starts with a common word that pymorphy3 knows (not a place, a name, an
    organisation, an abbreviation or a defined term): only such a first letter may be lower-cased."""
    word = value.split(maxsplit=1)[0].strip("«»\"'(),.;:")
    if not word[:1].isupper() or any(c.isupper() for c in word[1:]) or DEFINED_START.match(value):
        return False
    return _common_word(word)


@remembered
def _common_word(word: str) -> bool:
    """Whether pymorphy3 knows ``word`` and in none of its readings as a proper name or an abbreviation."""
    morph = _morph()
    return morph.word_is_known(word.lower()) and not any(
        _PROPER_TAGS & set(str(parse.tag).replace(" ", ",").split(",")) for parse in morph.parse(word))




def inline_ru(value: str) -> str:
    """A Russian text after a colon inside a sentence: its first letter in lower case when it starts with
    a common word («редакция 2: включается всегда»); a name, an acronym or a defined term keeps its capital."""
    return value[:1].lower() + value[1:] if value and common_start_ru(value) else value


# ---------------------------------------------------------------- language of a text

_CYRILLIC_LANGS = frozenset({"ru", "uk", "bg", "mk", "sr", "be"})
MIN_WORDS_TO_JUDGE = 4
MIN_LETTERS_TO_JUDGE = 20


@lru_cache(maxsize=1)
def _detector_factory() -> Any:
    from langdetect import DetectorFactory  # profiles ship inside the package
    from langdetect.detector_factory import init_factory

    DetectorFactory.seed = 0  # langdetect is random by default; the answer must be stable
    init_factory()
    from langdetect import detector_factory

    return detector_factory._factory


@lru_cache(maxsize=4096)
def judge_language(text: str) -> str | None:
    """``ru`` or ``en`` (or another code) for text long enough to judge, else ``None``."""
    words = text.split()
    letters = sum(ch.isalpha() for ch in text)
    if len(words) < MIN_WORDS_TO_JUDGE or letters < MIN_LETTERS_TO_JUDGE:
        return None
    from langdetect.lang_detect_exception import LangDetectException

    factory = _detector_factory()
    detector = factory.create()
    try:
        detector.append(text)  # raises ValueError on a character unicodedata has no name for (Tangut)
        found: str = detector.detect()
    except (LangDetectException, ValueError):
        return None
    return found


@lru_cache(maxsize=2048)  # pure; a batch repeats the company's and the solution's texts in every deal
def looks_wrong_language(text: str, lang: str) -> str | None:
    """The language ``text`` seems to be in when it is not ``lang``, else ``None``.

    Only the script family is judged (Cyrillic vs. the rest): a Russian text that
    langdetect takes for Ukrainian is still in the right column.
    """
    letters = [ch for ch in text if ch.isalpha()]
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    if lang == "en" and not cyrillic:
        return None  # no Cyrillic at all: cannot be Russian; spares loading langdetect's profiles
    if lang == "ru" and letters and cyrillic * 2 >= len(letters):
        return None  # mostly Cyrillic: it is in the right script family
    found = judge_language(text)
    if found is not None and (lang == "ru") != is_cyrillic_language(found):
        return found
    return None


def is_cyrillic_language(code: str) -> bool:
    """Whether langdetect's ``code`` is a language written in Cyrillic."""
    return code in _CYRILLIC_LANGS


def noun_gender(words: list[str]) -> str | None:
    """Grammatical gender (``masc``, ``femn``, ``neut``) of the first noun among ``words``."""
    return _noun_gender(tuple(words))


@lru_cache(maxsize=4096)
@remembered
def _noun_gender(words: tuple[str, ...]) -> str | None:
    for word in words:
        for parse in _morph().parse(word):
            if "NOUN" in parse.tag and "nomn" in parse.tag:
                return str(parse.tag.gender) if parse.tag.gender else None
    return None


# ---------------------------------------------------------------- non-breaking spaces

NBSP = "\u00a0"
_RU_MONTHS = r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
_EN_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
#: What a line must not break inside (issue 12, review 3): «2026 г.», «№ 12», «ст. 406.1», «п. 4.3»,
#: «5 ноября», "5 November", "No. 12", initials and the surname («О. Хаддад», «М.С. Кузнецова», "M. Souza"),
#: an address's «г.», «ул.», «д.» and what they name («г. Пакш»).
#: Each pattern's group 1 is what precedes the space; the space alone becomes U+00A0.  Beside each, text
#: one of which every match holds (a space and what must come just before or after it), or () when there
#: is none to name: a pattern is not run over a value that holds none of its texts, since it cannot match
#: there (most values hold the texts of two or three).  A pattern whose match starts with a lookbehind
#: first looks ahead for the characters a match can start with: the regular expression engine then skips
#: to those in C instead of trying every lookbehind at every position (half the time of these passes).
_KEEP_PASSES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"([\d_]) (?=гг?\.)"), (" г",)),
    # a date to be filled in by hand: «___» ____________ 20___ г. / ____________ 20___
    (re.compile(r"(«_+») (?=_)"), ("» _",)),
    (re.compile(r"(_{3,}) (?=20_)"), ("_ 20_",)),
    (re.compile(r"((?=[№§N])(?:[№§]|(?<![\w.])No\.)) (?=\w)"), ("№ ", "§ ", "No. ")),
    (re.compile(r"((?=[спчагрAap])(?<![\w.])(?:ст|п|пп|ч|абз|подп|гл|разд|Art|art|para)\.) (?=\d)"), (". ",)),
    (re.compile(rf"((?=[\d«])(?<![\d.])(?:\d{{1,2}}|«\d{{1,2}}»)) (?={_RU_MONTHS}|{_EN_MONTHS})"),
     tuple(f" {month}" for month in f"{_RU_MONTHS[3:-1]}|{_EN_MONTHS[3:-1]}".split("|"))),
    (re.compile(r"((?=[А-ЯЁA-Z])(?<![\w.])[А-ЯЁA-Z]\.(?:[ \u00a0]?[А-ЯЁA-Z]\.)?) (?=[А-ЯЁA-Z][а-яёa-z])"), (". ",)),
    # «г. Пакш», «ул. Ленина», «наб. Пресненская», «д. 12» (review 10); not the year's «2026 г.», nor «т. д.»
    (re.compile(r"((?=[гупндкс])(?<![\w.])(?<!\d[ \u00a0])(?<!т\.[ \u00a0])"
                r"(?:г|ул|пр|наб|пер|пл|д|корп|стр|пом)\.) (?=[А-ЯЁ\d])"),
     ("г. ", "ул. ", "пр. ", "наб. ", "пер. ", "пл. ", "д. ", "корп. ", "стр. ", "пом. ")),
)
_KEEP_TOGETHER = [pattern for pattern, _ in _KEEP_PASSES]  # the patterns alone, in their order


def _space_to_nbsp(found: re.Match[str]) -> str:
    return found.group(1) + NBSP


def keep_together(value: str) -> str:
    """``value`` with a non-breaking space (U+00A0) wherever a line must not break: a date's day and
    month and its year and «г.», «№» and its number, an abbreviated reference and its number, initials
    and the surname.  Pure and idempotent; it replaces only a space between such words, so it is safe on
    the XML of a document part."""
    for pattern, needs in _KEEP_PASSES:
        if not needs or any(need in value for need in needs):
            value = pattern.sub(_space_to_nbsp, value)
    return value


#: Where :func:`keep_together` can change anything: a space right after a digit, «_», «»», «№», «§» or
#: «.», the last character of each pattern's group 1.  The space is matched first, so that the
#: regular expression engine skips to each space in C.
_MAY_KEEP = re.compile(r" (?<=[\d_»№§.] )")
_MARKUP = re.compile("[<>]")
#: Stretches of text already done: a batch's documents repeat the same clause paragraphs and template
#: text again and again.  A plain dict (one lookup, no bookkeeping), emptied when it holds
#: :data:`_MAX_KEPT` stretches, so that a long batch's memory stays flat; a stretch is a paragraph's
#: text at most.
_KEPT: dict[str, str] = {}
_MAX_KEPT = 4096


def keep_together_xml(xml: str) -> str:
    """:func:`keep_together` of ``xml``, the same string for any input, at a fraction of the cost on
    the XML of a document part: only the stretches between ``<`` and ``>`` that hold a candidate
    space are worked on, each once per process.

    It is the same because no pattern reads ``<`` or ``>``: neither what a match takes (group 1 and
    the space) nor what its lookahead asks for can be one, so no match crosses one, and each
    lookbehind only refuses a word character, a digit or a full stop, which ``<``, ``>`` and the
    start of a string all pass.  Each pattern's substitution over the whole string is therefore the
    same as over each stretch on its own, pattern after pattern.
    """
    pieces: list[str] = []
    done = end = 0  # end: 0 or the index of the ``<`` or ``>`` that closed the previous stretch
    found = _MAY_KEEP.search(xml)
    while found is not None:
        at = found.start()
        start = max(xml.rfind("<", end, at), xml.rfind(">", end, at)) + 1
        stop = _MARKUP.search(xml, at)
        end = stop.start() if stop is not None else len(xml)
        stretch = xml[start:end]
        kept = _KEPT.get(stretch)
        if kept is None:
            if len(_KEPT) >= _MAX_KEPT:
                _KEPT.clear()
            kept = _KEPT[stretch] = keep_together(stretch)
        if kept != stretch:
            pieces += [xml[done:start], kept]
            done = end
        found = _MAY_KEEP.search(xml, end)
    return "".join(pieces) + xml[done:] if pieces else xml
