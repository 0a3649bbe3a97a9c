"""The vocabulary of activity tags and the keyword scan of free text (issue 13, section 1).

The table itself is data (activities.yaml, read and checked once at import).  This module answers
three questions about it:

- what a tag means: :func:`label`, :func:`item`, :data:`ALL`, :func:`by_item`;
- what an unknown tag probably meant: :func:`explain` ("did you mean 'missile'?" for a spelling
  slip, "this looks like military_research (Annex 1 item 22)" for a synonym);
- which words of free text speak of items 19-22: :func:`scan` and, for a whole deal,
  :func:`possible_indicators` (warnings that never change a decision by themselves).

Words are compared as lemmas so that case, English plurals and Russian declension do not matter:
pymorphy3 gives every dictionary form a Russian word may have («ракетных» -> «ракетный»), a small
rule folds English plurals (there is no English lemmatiser among the dependencies, and the
vocabulary's English words only need -s/-es/-ies).
"""

from __future__ import annotations

import difflib
import importlib.resources
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from .cache import derived, language_versions, remembered

if TYPE_CHECKING:  # only for annotations: the model does not depend on this module
    from .model import Deal

ITEMS = (19, 20, 21, 22)
LANGS = ("ru", "en")
_TAG = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Item:
    """One of the sensitive items 19-22 of Annex 1."""

    number: int
    ru: str
    en: str
    suitability: tuple[str, ...]  # values of model.Suitability its note speaks of
    keywords: dict[str, tuple[str, ...]]
    synonyms: dict[str, tuple[str, ...]]
    exclude: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Tag:
    tag: str
    ru: str
    en: str
    item: int | None
    sub: str | None  # the lettered sub-item of Annex 1 (а-д, а-з), where the item has them
    keywords: dict[str, tuple[str, ...]]
    synonyms: dict[str, tuple[str, ...]]


def _words(entry: dict[str, Any], key: str, where: str) -> dict[str, tuple[str, ...]]:
    value = entry.get(key) or {}
    if not isinstance(value, dict) or set(value) - set(LANGS):
        raise ValueError(f"activities.yaml: {where}.{key} must be a mapping of ru and en word lists")
    words = {}
    for lang in LANGS:
        given = value.get(lang) or []
        if not isinstance(given, list) or not all(isinstance(w, str) and w.strip() for w in given):
            raise ValueError(f"activities.yaml: {where}.{key}.{lang} must be a list of words")
        words[lang] = tuple(given)
    return words


def _load() -> tuple[dict[int, Item], dict[str, Tag]]:
    """Read activities.yaml and check its shape; a broken table is a bug of the package, so it raises."""
    data = importlib.resources.files("clausegen").joinpath("activities.yaml").read_bytes()
    # libyaml still builds the objects in Python (a fiftieth of a second): kept in the cache, parsed
    raw = derived("package-data", data, lambda: yaml.load(data.decode("utf-8"), Loader=getattr(
        yaml, "CSafeLoader", yaml.SafeLoader)), yaml.__version__)
    if set(raw) != {"items", "tags"} or sorted(raw["items"]) != list(ITEMS):
        raise ValueError("activities.yaml must have 'items' (exactly 19, 20, 21, 22) and 'tags'")
    items = {}
    for number, entry in raw["items"].items():
        unknown = set(entry) - {"ru", "en", "suitability", "keywords", "synonyms", "exclude"}
        if unknown or not entry.get("ru") or not entry.get("en") or not entry.get("suitability"):
            raise ValueError(f"activities.yaml: items.{number} needs ru, en and suitability (unknown: {unknown})")
        items[number] = Item(number, entry["ru"], entry["en"], tuple(entry["suitability"]),
                             _words(entry, "keywords", f"items.{number}"), _words(entry, "synonyms", f"items.{number}"),
                             _words(entry, "exclude", f"items.{number}"))
    tags = {}
    for name, entry in raw["tags"].items():
        where = f"tags.{name}"
        unknown = set(entry) - {"ru", "en", "item", "sub", "keywords", "synonyms"}
        if not isinstance(name, str) or not _TAG.fullmatch(name) or unknown:
            raise ValueError(f"activities.yaml: {where}: a tag is lower_snake_case (unknown keys: {unknown})")
        if not entry.get("ru") or not entry.get("en"):
            raise ValueError(f"activities.yaml: {where} needs a ru and an en label")
        number = entry.get("item")
        if number not in (None, *ITEMS):
            raise ValueError(f"activities.yaml: {where}.item must be 19, 20, 21, 22 or absent")
        keywords = _words(entry, "keywords", where)
        if number is None and any(keywords.values()):
            # Only the sensitive items are scanned for: an ordinary activity has synonyms, not keywords.
            raise ValueError(f"activities.yaml: {where} serves no item, so it has synonyms but no keywords")
        tags[name] = Tag(name, entry["ru"], entry["en"], number, entry.get("sub"), keywords,
                         _words(entry, "synonyms", where))
    for number in ITEMS:
        if not any(t.item == number for t in tags.values()):
            raise ValueError(f"activities.yaml: item {number} has no tag")
    return items, tags


_ITEMS, _TAGS = _load()

#: Every tag, the sensitive ones first (by item, as in Annex 1), then the ordinary ones.
ALL: tuple[str, ...] = (
    tuple(t.tag for number in ITEMS for t in _TAGS.values() if t.item == number)
    + tuple(t.tag for t in _TAGS.values() if t.item is None)
)


def is_known(tag: str) -> bool:
    return tag in _TAGS


def label(tag: str, lang: str) -> str:
    """The Russian or English label of ``tag`` (KeyError for a tag not in the vocabulary)."""
    return getattr(_TAGS[tag], lang)


def item(tag: str) -> int | None:
    """The Annex 1 item (19-22) ``tag`` serves, or None for an ordinary activity."""
    return _TAGS[tag].item


def sub_item(tag: str) -> str | None:
    """The lettered sub-item of Annex 1 (e.g. «б» of item 21 for vaccines), where there is one."""
    return _TAGS[tag].sub


def item_label(number: int, lang: str) -> str:
    """The name of Annex 1 item ``number`` (19-22) in ``lang``."""
    return getattr(_ITEMS[number], lang)


def item_suitability(number: int) -> tuple[str, ...]:
    """The suitabilities (solution.suitable_for) of the note to item ``number``."""
    return _ITEMS[number].suitability


def tags_of_item(number: int | None) -> tuple[str, ...]:
    return tuple(tag for tag in ALL if _TAGS[tag].item == number)


def by_item() -> tuple[tuple[int | None, tuple[str, ...]], ...]:
    """The tags grouped for a form: items 19, 20, 21, 22, then None (ordinary activities)."""
    return tuple((number, tags_of_item(number)) for number in (*ITEMS, None))


def items_of(tags: list[str] | tuple[str, ...]) -> dict[int, list[str]]:
    """The sensitive items the known ``tags`` serve, each with its tags in the given order."""
    found: dict[int, list[str]] = {}
    for tag in tags:
        spec = _TAGS.get(tag)
        if spec is not None and spec.item is not None:
            found.setdefault(spec.item, []).append(tag)
    return found


# ---------------------------------------------------------------- words and lemmas

_WORD = re.compile(r"[^\W_]+")  # letters and digits; hyphens, underscores and spaces separate words
_CYRILLIC = re.compile("[а-яё]")


def _morph() -> Any:
    from .text import morph  # one analyser per process, shared with the Russian cases: its dictionaries are large

    return morph()


def _english(word: str) -> str:
    """An English word without its plural ending (both sides of a comparison go through this)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@lru_cache(maxsize=16384)
def lemmas(word: str) -> frozenset[str]:
    """Every dictionary form ``word`` may have (one for English and digits, possibly several for Russian)."""
    word = word.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        known = _known_lemmas().get(word)
        return known if known is not None else analysed_lemmas(word)
    return frozenset({_english(word)})


@remembered  # a deal's own words: known from an earlier run, they need no analyser
def analysed_lemmas(word: str) -> frozenset[str]:
    """What pymorphy3 makes of a lower-case Russian word (with ё written е): its normal forms, and itself."""
    return frozenset(p.normal_form.replace("ё", "е") for p in _morph().parse(word)) | {word}


LEMMAS_FILE = "activities_lemmas.json"


@lru_cache(maxsize=1)
def _known_lemmas() -> dict[str, frozenset[str]]:
    """The vocabulary's Russian words with their lemmas, as pymorphy3 gave them when
    ``tools/build_activity_lemmas.py`` wrote activities_lemmas.json: indexing the vocabulary
    then needs no analyser (loading its dictionaries and parsing some 700 words took a tenth
    of a second of every command).  Only for the dictionary version they were made with."""
    try:
        from pymorphy3_dicts_ru import __version__ as dictionary
    except ImportError:
        return {}
    data = json.loads(importlib.resources.files("clausegen").joinpath(LEMMAS_FILE).read_text("utf-8"))
    if data.get("dictionary") != dictionary:
        return {}
    return {word: frozenset(found) for word, found in data["lemmas"].items()}


def vocabulary_words() -> list[str]:
    """Every word of the vocabulary's phrases (tags, labels, keywords, synonyms, exclusions), once each."""
    return sorted({m.group() for phrase in _phrases() for m in _WORD.finditer(phrase)})


def _phrases() -> list[str]:
    found = []
    for spec in _ITEMS.values():
        for lang in LANGS:
            found += [*spec.keywords[lang], *spec.synonyms[lang], *spec.exclude[lang]]
    for spec in _TAGS.values():
        found += [spec.tag, spec.ru, spec.en]
        for lang in LANGS:
            found += [*spec.keywords[lang], *spec.synonyms[lang]]
    return found


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    lemmas: frozenset[str]


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.start(), m.end(), lemmas(m.group())) for m in _WORD.finditer(text)]


def _phrase(words: str) -> tuple[frozenset[str], ...]:
    return tuple(t.lemmas for t in _tokens(words))


@dataclass(frozen=True)
class _Entry:
    """One word or phrase of the vocabulary and what it points to."""

    phrase: tuple[frozenset[str], ...]
    item: int | None
    tag: str | None  # None: a word of the item as a whole
    scanned: bool  # a keyword (scanned in free text) rather than a synonym
    exclude: bool = False


@lru_cache(maxsize=1)
def _index() -> dict[str, list[_Entry]]:
    """Every entry, found by the lemmas of its first word (built on first use).  The entries come from
    the lemmas of the whole vocabulary (a fiftieth of a second of every deal's validation), so the
    cache keeps them, by the table, its lemmas and the analyser's version."""
    files = importlib.resources.files("clausegen")
    source = files.joinpath("activities.yaml").read_bytes() + b"\0" + files.joinpath(LEMMAS_FILE).read_bytes()
    rows = derived("activity-index", source, lambda: tuple(
        (e.phrase, e.item, e.tag, e.scanned, e.exclude) for e in _entries()), *language_versions())
    index: dict[str, list[_Entry]] = {}
    for phrase, number, tag, scanned, exclude in rows:
        entry = _Entry(phrase, number, tag, scanned, exclude)
        if entry.phrase:
            for first in entry.phrase[0]:
                index.setdefault(first, []).append(entry)
    return index


def _entries() -> list[_Entry]:
    """Every word and phrase of the vocabulary, with its lemmas."""
    entries: list[_Entry] = []
    for number, spec in _ITEMS.items():
        for lang in LANGS:
            entries += [_Entry(_phrase(w), number, None, True) for w in spec.keywords[lang]]
            entries += [_Entry(_phrase(w), number, None, False) for w in spec.synonyms[lang]]
            entries += [_Entry(_phrase(w), number, None, False, exclude=True) for w in spec.exclude[lang]]
    for spec in _TAGS.values():
        entries.append(_Entry(_phrase(spec.tag), spec.item, spec.tag, False))
        for lang in LANGS:
            entries.append(_Entry(_phrase(getattr(spec, lang)), spec.item, spec.tag, False))
            entries += [_Entry(_phrase(w), spec.item, spec.tag, True) for w in spec.keywords[lang]]
            entries += [_Entry(_phrase(w), spec.item, spec.tag, False) for w in spec.synonyms[lang]]
    return entries


@dataclass(frozen=True)
class _Match:
    entry: _Entry
    start: int  # character offsets in the text
    end: int


def _matches(text: str) -> list[_Match]:
    """Every entry whose phrase occurs in ``text`` on word boundaries, compared lemma by lemma."""
    tokens = _tokens(text)
    index = _index()
    found: list[_Match] = []
    for i, token in enumerate(tokens):
        seen: set[int] = set()
        for first in token.lemmas:
            for entry in index.get(first, ()):
                n = len(entry.phrase)
                if id(entry) in seen or i + n > len(tokens):
                    continue
                if all(tokens[i + k].lemmas & entry.phrase[k] for k in range(1, n)):
                    seen.add(id(entry))
                    found.append(_Match(entry, token.start, tokens[i + n - 1].end))
    return found


# ---------------------------------------------------------------- unknown tags


def _suggestions(matches: list[_Match]) -> list[tuple[int | None, str | None]]:
    """What the words of an unknown tag point to: sensitive items before ordinary activities (a
    missed item 19-22 is the costly mistake), tags before whole items, in order of appearance."""
    matches = [m for m in matches if not m.entry.exclude]
    # A word inside a longer phrase counts only as part of it: "chemical weapons" is item 21, not 22.
    matches = [m for m in matches if not any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                                             for o in matches)]
    sensitive = [m for m in matches if m.entry.item is not None]
    chosen = sensitive or matches
    tagged_items = {m.entry.item for m in chosen if m.entry.tag}
    result: list[tuple[int | None, str | None]] = []
    for m in sorted(chosen, key=lambda m: (m.entry.tag is None, m.start, -(m.end - m.start))):
        key = (m.entry.item, m.entry.tag)
        if m.entry.tag is None and m.entry.item in tagged_items:
            continue  # "military research": the tag says more than the item
        if key not in result:
            result.append(key)
    return result


def _looks_like(number: int | None, tag: str | None) -> str:
    if tag is not None:
        where = f" (Annex 1 item {number}: {item_label(number, 'en').lower()})" if number else ""
        return f"'{tag}'{where}"
    assert number is not None
    return f"Annex 1 item {number} ({item_label(number, 'en').lower()}): one of {', '.join(tags_of_item(number))}"


def _did_you_mean(typed: str, tag: str) -> str:
    spec = _TAGS[tag]
    where = f" (Annex 1 item {spec.item}: {item_label(spec.item, 'en').lower()})" if spec.item else ""
    return f"unknown activity tag {typed!r}: did you mean {tag!r}{where}?"


def explain(tag: str) -> str | None:
    """Why ``tag`` is not in the vocabulary and what was probably meant; None for a known tag.

    In order: the same words in another spelling ("Missiles", "nuclear reactors"); a word or phrase of
    the table that is the whole of what was typed ("army", «АЭС»); a slip of the pen in a tag
    ("militray_research"); a word of the table inside what was typed ("military logistics").
    """
    if tag in _TAGS:
        return None
    tokens = _tokens(tag)
    if not tokens:
        return f"unknown activity tag {tag!r}: a tag is a word of the vocabulary (`clausegen activities` lists them)"
    same = [t for t in ALL if len(_phrase(t)) == len(tokens) and all(a & b.lemmas for a, b in zip(_phrase(t), tokens))]
    if same:
        return _did_you_mean(tag, same[0])
    matches = [m for m in _matches(tag) if not m.entry.exclude]
    whole = [m for m in matches if m.start == tokens[0].start and m.end == tokens[-1].end]
    typed = "_".join(w.lower() for w in _WORD.findall(tag))
    close = difflib.get_close_matches(typed, ALL, n=1, cutoff=0.8)
    if not whole and close:
        return _did_you_mean(tag, close[0])
    if suggestions := _suggestions(whole or matches):
        options = "; or ".join(_looks_like(number, name) for number, name in suggestions[:3])
        return (f"unknown activity tag {tag!r}: this looks like {options}; use that tag, "
                "or put the text in activities_other")
    if close := difflib.get_close_matches(typed, ALL, n=1, cutoff=0.6):
        return _did_you_mean(tag, close[0])
    return (f"unknown activity tag {tag!r}: not in the vocabulary (`clausegen activities` lists the tags); "
            "use a tag from it, or put the text in activities_other")


# ---------------------------------------------------------------- free text


@dataclass(frozen=True)
class Hit:
    """Words of free text that speak of a sensitive item."""

    item: int
    tag: str | None  # the tag the words name, if they name one
    found: str  # the words as written in the text


@lru_cache(maxsize=4096)  # pure; a batch and the two passes of one deal (validation, screening) repeat texts
def scan(text: str) -> tuple[Hit, ...]:
    """The keywords of items 19-22 in ``text`` (word boundaries, lemmas), in order of appearance.

    Only keywords count: synonyms such as "defence" are too common in ordinary prose.  A keyword
    inside an excluded phrase of its item ("nuclear medicine") does not count.
    """
    matches = _matches(text)
    excluded = [(m.start, m.end, m.entry.item) for m in matches if m.entry.exclude]
    hits: list[Hit] = []
    taken: list[tuple[int, int]] = []
    # Longest first, so "nuclear reactor" is one hit rather than "nuclear" and "nuclear reactor".
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start), m.entry.tag is None)):
        entry = m.entry
        if not entry.scanned or entry.item is None:
            continue
        if any(s <= m.start < e and number == entry.item for s, e, number in excluded):
            continue
        if any(s <= m.start < e for s, e in taken):
            continue
        taken.append((m.start, m.end))
        hits.append(Hit(entry.item, entry.tag, text[m.start:m.end]))
    return tuple(hits)


@dataclass(frozen=True)
class PossibleIndicator:
    """A warning: free text of the deal speaks of item ``number``, which the deal does not declare.

    It never changes the decision; the deal team confirms (declares the activity or the
    suitability) or rewords the text.
    """

    number: int
    field: str  # e.g. end_use.purpose.en
    found: tuple[str, ...]  # the words as written
    kind: str  # "text": the words only; "suitability": also solution.suitable_for lacks the item's use
    message: str  # English, as `screen` prints it
    message_ru: str  # the same in Russian, for the report

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "field": self.field, "found": list(self.found), "kind": self.kind,
                "message": self.message, "message_ru": self.message_ru}


#: The fields whose text is scanned; the first two describe the use, so they also test suitable_for.
_USE_FIELDS = ("end_use.purpose", "end_use.end_user_purpose", "solution.description")


def _texts(deal: Deal) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for path, value in (("end_use.purpose", deal.end_use.purpose), ("end_use.end_user_purpose", deal.end_use.end_user_purpose),
                        ("solution.description", deal.solution.description)):
        if value is not None:
            texts += [(f"{path}.{lang}", getattr(value, lang)) for lang in LANGS if getattr(value, lang, None)]
    texts += [(f"counterparty.activities_other[{i}]", t) for i, t in enumerate(deal.counterparty.activities_other)]
    for u, user in enumerate(deal.end_use.end_users):
        texts += [(f"end_use.end_users[{u}].activities_other[{i}]", t) for i, t in enumerate(user.activities_other)]
    return texts


def declared_items(deal: Deal) -> set[int]:
    """Items 19-22 the deal already answers for: a declared tag of the item (counterparty or an end
    user) together with a suitability of its note, or the item declared in red_flags."""
    suitable = {s.value for s in deal.solution.suitable_for}
    tags = list(deal.counterparty.activities)
    for user in deal.end_use.end_users:
        tags += user.activities
    answered = {n for n in items_of(tags) if suitable & set(_ITEMS[n].suitability)}
    return answered | {n for n in deal.red_flags if n in ITEMS}


def possible_indicators(deal: Deal) -> tuple[PossibleIndicator, ...]:
    """Warnings for free text that speaks of items 19-22 the deal does not declare (never a decision)."""
    suitable = {s.value for s in deal.solution.suitable_for}
    answered = declared_items(deal)
    found: list[PossibleIndicator] = []
    for path, value in _texts(deal):
        by_item: dict[int, list[str]] = {}
        for hit in scan(value):
            if hit.item not in answered and hit.found not in by_item.get(hit.item, []):
                by_item.setdefault(hit.item, []).append(hit.found)
        for number, words in sorted(by_item.items()):
            found.append(_warning(number, path, tuple(words), suitable))
    return tuple(found)


def _warning(number: int, path: str, words: tuple[str, ...], suitable: set[str]) -> PossibleIndicator:
    spec = _ITEMS[number]
    quoted = ", ".join(f"«{w}»" for w in words)
    uses = " or ".join(spec.suitability)
    use_field = path.rsplit(".", 1)[0] in _USE_FIELDS
    if use_field and not suitable & set(spec.suitability):
        return PossibleIndicator(
            number, path, words, "suitability",
            f"possible indicator {number} ({spec.en.lower()}): {quoted} in {path} speaks of such a use, but "
            f"solution.suitable_for does not include {uses} — confirm by declaring the suitability (note to "
            f"item {number}) and the activity, or reword the text if it does not mean this",
            f"возможный признак № {number} ({spec.ru.lower()}): {quoted} в поле {path} указывает на такое "
            f"применение, но пригодность Решения ИИ для него не отмечена — подтвердите, отметив пригодность "
            f"(примечание к пункту {number}) и вид деятельности, либо уточните текст, если он означает иное")
    return PossibleIndicator(
        number, path, words, "text",
        f"possible indicator {number} ({spec.en.lower()}): {quoted} in {path} — confirm by declaring the activity "
        f"(activities) and the solution's suitability (solution.suitable_for), or reword the text if it does "
        f"not mean this",
        f"возможный признак № {number} ({spec.ru.lower()}): {quoted} в поле {path} — подтвердите, указав вид "
        f"деятельности и пригодность Решения ИИ, либо уточните текст, если он означает иное")

