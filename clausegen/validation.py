"""From raw data to a validated :class:`~clausegen.model.Deal`, or every problem at once.

Pydantic checks types and names; this module adds what it cannot: characters a
DOCX cannot hold, known country and currency codes, the company profile merge,
and, as warnings (errors under ``strict``): text in the wrong language for its
column, text that a column would show in the other language because the deal
gives it in one language only and the glossary cannot translate it, and a
signatory whose gender neither the deal nor the name tells.
"""

from __future__ import annotations

import difflib
import functools
import fnmatch
import re
import unicodedata
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from . import activities, glossary, hints, identification, text
from .errors import DealError, Problem
from .model import Bilingual, CompanyProfile, Deal, Signatory, end_user_purpose, guess_script_language
from .sources import RawRecord, join_path

# XML 1.0 forbids these; python-docx would refuse or Word would call the file corrupt.  A carriage
# return (\r) is legal XML but no text a document can hold: every reader turns it into a line feed.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass
class Validated:
    """A valid deal and the warnings found on the way."""

    deal: Deal
    warnings: list[Problem] = field(default_factory=list)
    source: RawRecord | None = None


def validate_profile(record: RawRecord) -> CompanyProfile:
    """Validate a company profile file, raising :class:`DealError` with every problem."""
    problems = _illegal_characters(record)
    if not isinstance(record.data, dict):
        raise DealError([record.problem("a company profile is a mapping with a 'supplier' key")])
    try:
        profile = CompanyProfile.model_validate(record.data)
    except ValidationError as error:
        problems += _pydantic_problems(error, record, CompanyProfile)
        raise DealError(problems, "invalid company profile") from None
    if problems:
        raise DealError(problems, "invalid company profile")
    return profile


def validate_deal(record: RawRecord, profile: CompanyProfile | None = None, *, strict: bool = False,
                  profile_record: RawRecord | None = None, with_warnings: bool = True) -> Validated:
    """Validate one deal; raise :class:`DealError` listing all problems.

    ``with_warnings=False`` leaves out the checks that can only warn (half the time) for a caller that
    would discard what they find (the web form's download: the page showed them when the deal was
    checked); under ``strict`` they are problems, so they are made all the same.
    """
    if not isinstance(record.data, dict):
        raise DealError([record.problem("a deal file is a mapping of fields (deal_id, contract, ...)")])
    data = dict(record.data)
    if profile is not None:
        data["supplier"] = _merge_supplier(profile, data.get("supplier"))
        if profile.terms is not None and "terms" not in data:
            data["terms"] = profile.terms.model_dump(mode="json")
        if profile.compliance_officer is not None:
            data["screening"] = _merge_preparer(profile, data.get("screening"))
    problems = [*record.problems, *_illegal_characters(record), *_activity_tags(record), *_basis_missing(record)]
    deal: Deal | None = None
    try:
        deal = Deal.model_validate(data)
    except ValidationError as error:
        problems += _pydantic_problems(error, record, Deal)
    if deal is not None:
        problems += _codes(deal, record)
        problems += [record.problem(message, path) for path, message in identification.conflicts(deal)]
        problems += [record.problem(message, path) for path, message in basis_problems(deal)]
    warnings = _warnings(record, deal, profile_record) if with_warnings or strict else []
    if strict:
        problems += [Problem(p.message, p.field, p.file, p.row, p.line) for p in warnings]
        warnings = []
    if problems:
        if "supplier" not in data and profile is None:
            problems.append(record.problem("no supplier: give one in the deal or a company profile (--company)"))
        raise DealError(_dedupe(problems), warnings=warnings)
    assert deal is not None
    return Validated(deal, warnings, record)


def _warnings(record: RawRecord, deal: Deal | None, profile_record: RawRecord | None) -> list[Problem]:
    warnings = _language_warnings(record, Deal)
    if deal is not None:
        warnings += [record.problem(p.message, p.field, severity="warning") for p in activities.possible_indicators(deal)]
        warnings += _gender_warnings(deal, record)
        warnings += _permission_warnings(deal, record)
        warnings += [record.problem(message, path, severity="warning") for path, message in identification.chronology(deal)]
        warnings += [record.problem(message, path, severity="warning") for path, message in basis_warnings(deal)]
        warnings += _statement_purpose_warnings(deal, record)
    if profile_record is not None:
        own = record.data.get("supplier")
        overridden = set(own) if isinstance(own, dict) else set()  # the deal's own supplier fields win
        warnings += [w for w in _profile_warnings(profile_record)
                     if w.field.startswith("supplier.") and w.field.split(".")[1] not in overridden]
    return warnings


def _basis_missing(record: RawRecord) -> list[Problem]:
    """A deal that names neither a signed contract nor an offer, or a contract with half of its particulars;
    read from the raw data, so that it is reported beside every other problem of the file."""
    contract, offer = record.data.get("contract"), record.data.get("offer")
    if not isinstance(contract, dict | None) or not isinstance(offer, dict | None):
        return []  # another type is pydantic's to report
    contract = contract or {}
    number, date = contract.get("number") not in (None, ""), contract.get("date") not in (None, "")
    if number and not date:
        return [record.problem("missing (required): a contract with a number needs its date too", "contract.date")]
    if date and not number:
        return [record.problem("missing (required): a contract with a date needs its number too", "contract.number")]
    if not number and offer is None:
        return [record.problem("missing (required): give the contract's number and date (contract.number, "
                               "contract.date), or the commercial offer the annex goes with (offer.number, "
                               "offer.date)", "contract.number")]
    return []


def basis_problems(deal: Deal) -> list[tuple[str, str]]:
    """(field path, message) for an offer whose dates contradict each other or the contract's."""
    contract, offer = deal.contract, deal.offer
    found: list[tuple[str, str]] = []
    if offer is not None and offer.valid_until is not None and offer.valid_until < offer.date:
        found.append(("offer.valid_until", f"the offer cannot expire ({offer.valid_until.isoformat()}) before "
                                           f"its own date ({offer.date.isoformat()})"))
    if offer is not None and contract.date is not None and contract.date < offer.date:
        found.append(("contract.date", f"the contract ({contract.date.isoformat()}) cannot be dated before the "
                                       f"offer it is concluded on ({offer.date.isoformat()})"))
    return found


def basis_warnings(deal: Deal) -> list[tuple[str, str]]:
    """A contract dated after its offer expired: an acceptance out of time is itself a new offer (art. 442
    of the Civil Code), so the contract may rest on something other than the offer the deal records."""
    contract, offer = deal.contract, deal.offer
    if offer is None or offer.valid_until is None or contract.date is None or contract.date <= offer.valid_until:
        return []
    return [("contract.date", f"the contract ({contract.date.isoformat()}) is dated after the offer expired "
                              f"({offer.valid_until.isoformat()}): check that it was concluded on that offer")]


def _merge_supplier(profile: CompanyProfile, override: Any) -> Any:
    base = profile.supplier.model_dump(mode="json", exclude_none=True)
    if override is None:
        return base
    if not isinstance(override, dict):
        return override  # let pydantic report the wrong type
    return {**base, **override}


def _merge_preparer(profile: CompanyProfile, own: Any) -> Any:
    # The profile's compliance officer prepares the screening report unless the deal names someone.
    if own is not None and not isinstance(own, dict):
        return own  # let pydantic report the wrong type
    if isinstance(own, dict) and own.get("prepared_by") is not None:
        return own
    return {**(own or {}), "prepared_by": profile.compliance_officer.model_dump(mode="json", exclude_none=True)}


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _dotted(parts: tuple[Any, ...]) -> str:
    """The field path of ``parts``; made only for a problem, as most values have none."""
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path


@functools.lru_cache(maxsize=4096)
def _unnamed(value: str) -> str | None:
    """The first letter-like character Unicode gives no name to (the morphology and language
    detectors look letters up by name), else None."""
    for ch in value:
        if ord(ch) > 0x2FF and not unicodedata.name(ch, ""):
            return ch
    return None


def _illegal_characters(record: RawRecord) -> list[Problem]:
    problems: list[Problem] = []
    _find_illegal(record.data, (), record, problems)
    return problems


# A module-level function, not a closure: a closure that calls itself is a reference cycle, and it would
# keep each deal's parsed data alive until the garbage collector's next pass (most of a batch's collections).
def _find_illegal(value: Any, parts: tuple[Any, ...], record: RawRecord, problems: list[Problem]) -> None:
    if isinstance(value, str):
        found = _XML_ILLEGAL.search(value)
        if found:
            code = f"U+{ord(found.group()):04X}"
            problems.append(record.problem(f"contains a control character ({code}) a document cannot hold",
                                           _dotted(parts)))
        elif not value.isascii() and (unknown := _unnamed(value)):
            problems.append(record.problem(
                f"contains a character (U+{ord(unknown):04X}) that the language tools cannot read: "
                "unassigned, private-use or a script they do not know", _dotted(parts)))
    elif isinstance(value, dict):
        for key, item in value.items():
            _find_illegal(key, parts, record, problems)
            _find_illegal(item, (*parts, key), record, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _find_illegal(item, (*parts, index), record, problems)


def _pydantic_problems(error: ValidationError, record: RawRecord, root: type[BaseModel]) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc = [part for part in item["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
        path = ""
        for part in loc:
            path = join_path(path, part)
        kind = item["type"]
        if kind == "extra_forbidden":
            allowed = _allowed_keys(root, loc[:-1])
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            message = "unknown field" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            if allowed:
                message += "; allowed here: " + ", ".join(allowed)
        elif kind == "missing":
            message = "missing (required)"
        elif kind == "enum":
            allowed = re.findall(r"'([^']*)'", item.get("ctx", {}).get("expected", ""))
            message = f"unknown value {item['input']!r}" if isinstance(item.get("input"), str) else item["msg"]
            meant = hints.code_meant(item.get("input"), allowed)
            message += (f" (did you mean '{meant}'?)" if meant else "") + "; allowed here: " + ", ".join(allowed)
        elif loc[-2:] == ["payment", "amount"] and (written := hints.money(item.get("input"))):
            number, currency = written
            message = (f"write the amount as a number, and its currency in its own field: amount: {number}"
                       + (f" and currency: {currency}" if currency else "") + f" (got {item['input']!r})")
        else:
            message = item["msg"].removeprefix("Value error, ")
            if "input" in item and not isinstance(item["input"], dict | list):
                message += f" (got {item['input']!r})"
        problems.append(record.problem(message, path))
    return problems


def _allowed_keys(root: type[BaseModel], loc: list[Any]) -> list[str]:
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        info = next((f for n, f in model.model_fields.items() if (f.alias or n) == str(part)), None)
        model = _model_in(info.annotation) if info else None
    return [info.alias or name for name, info in model.model_fields.items()] if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None


def _codes(deal: Deal, record: RawRecord) -> list[Problem]:
    problems = []
    countries = [("supplier.country", deal.supplier.country), ("counterparty.country", deal.counterparty.country)]
    countries += [(f"end_use.end_users[{i}].country", u.country) for i, u in enumerate(deal.end_use.end_users)]
    for path, code in countries:
        if not text.is_country(code):
            problems.append(record.problem(f"unknown country code {code!r} (ISO 3166-1 alpha-2)", path))
    if deal.payment and not text.is_currency(deal.payment.currency):
        problems.append(record.problem(f"unknown currency {deal.payment.currency!r} (ISO 4217)", "payment.currency"))
    return problems


def _activity_tags(record: RawRecord) -> list[Problem]:
    """A tag outside the vocabulary, with what it probably meant (read from the raw data, so it is
    reported beside every other problem of the file, at its line)."""
    data = record.data
    lists: list[tuple[str, Any]] = []
    counterparty = data.get("counterparty")
    if isinstance(counterparty, dict):
        lists.append(("counterparty.activities", counterparty.get("activities")))
    end_use = data.get("end_use")
    users = end_use.get("end_users") if isinstance(end_use, dict) else None
    if isinstance(users, list):
        lists += [(f"end_use.end_users[{i}].activities", u.get("activities")) for i, u in enumerate(users)
                  if isinstance(u, dict)]
    problems = []
    for path, tags in lists:
        if isinstance(tags, list):  # another type is pydantic's to report
            for index, tag in enumerate(tags):
                if isinstance(tag, str) and tag.strip() and (why := activities.explain(tag)):
                    problems.append(record.problem(why, join_path(path, index)))
    return problems


def bilingual_fields(model: BaseModel, path: str = "") -> typing.Iterator[tuple[str, Bilingual]]:
    """Every :class:`Bilingual` value in ``model`` with its dotted path."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        yield from _bilingual_values(value, join_path(path, name))


def _bilingual_values(value: Any, path: str) -> typing.Iterator[tuple[str, Bilingual]]:
    if isinstance(value, Bilingual):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from bilingual_fields(value, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _bilingual_values(item, join_path(path, index))


def _language_warnings(record: RawRecord, root: type[BaseModel]) -> list[Problem]:
    """Text in the wrong language for its column, and text that one column would show in the other
    language, found in the raw data (so it is reported even when other fields are invalid, and
    located in the file it came from)."""
    warnings: list[Problem] = []
    _find_wrong_language(record.data, (), record, _bilingual_paths(root), warnings)
    return warnings


def _find_wrong_language(value: Any, parts: tuple[Any, ...], record: RawRecord, bilingual: frozenset[str],
                         warnings: list[Problem]) -> None:
    """:func:`_language_warnings` at ``value`` (module-level: see :func:`_find_illegal`)."""
    if isinstance(value, str) and _pattern(parts) in bilingual and value.strip():
        warnings.extend(_untranslated(record, _dotted(parts), {guess_script_language(value): value}))
    elif isinstance(value, dict):
        if value and set(value) <= {"ru", "en"}:
            for lang in text.LANGS:
                given = value.get(lang)
                if isinstance(given, str) and (found := text.looks_wrong_language(given, lang)):
                    warnings.append(record.problem(f"text under '{lang}' looks like another language ({found})",
                                                   _dotted((*parts, lang)), severity="warning"))
            if _pattern(parts) in bilingual:
                warnings.extend(_untranslated(record, _dotted(parts), value))
            return
        for key, item in value.items():
            _find_wrong_language(item, (*parts, str(key)), record, bilingual, warnings)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _find_wrong_language(item, (*parts, index), record, bilingual, warnings)


_LANGUAGE_NAMES = {"ru": "Russian", "en": "English"}


def field_kind(path: str) -> str:
    """What a bilingual field holds (glossary.yaml ``fields``): ``proper``, a glossary kind, or ``text``."""
    return _kind_of(re.sub(r"\[\d+\]", "[*]", path))


@functools.lru_cache(maxsize=None)  # a few dozen field paths, asked again for every deal of a batch
def _kind_of(pattern: str) -> str:
    for glob, kind in glossary.data()["fields"].items():
        if fnmatch.fnmatchcase(pattern, glob.replace("[*]", "[[]*[]]")):
            return str(kind)
    return "text"


def _untranslated(record: RawRecord, path: str, value: dict[str, Any]) -> list[Problem]:
    """A warning when the column of a missing language would show the other language's text (rule 1
    of drafting-rules.md): neither a proper name nor a value the glossary translates."""
    given = {lang: value.get(lang) for lang in text.LANGS
             if isinstance(value.get(lang), str) and value[lang].strip()}
    if len(given) != 1:
        return []
    (source, shown), = given.items()
    missing = "en" if source == "ru" else "ru"
    kind = field_kind(path)
    pattern = re.sub(r"\[\d+\]", "[*]", path)
    if missing == "en" and any(fnmatch.fnmatchcase(pattern, glob) for glob in glossary.data()["ru_only"]):
        return []  # shown only in a Russian document
    if kind == "proper" and (missing == "ru" or guess_script_language(shown) == "en"):
        return []  # a name or address may stay in Latin script
    if kind not in ("proper", "text") and glossary.find(kind, shown, source) is not None:
        return []
    name = _LANGUAGE_NAMES[missing]
    if kind == "proper":  # a Cyrillic-only name: the English column shows it with its transliteration
        shown = glossary.proper(shown, None, "en")
    return [record.problem(f"has no {name} text; the {name} column would show {shown!r}: give the {name} text "
                           f"('{missing}')", path, severity="warning")]


def _pattern(parts: tuple[Any, ...]) -> str:
    return ".".join("[*]" if isinstance(part, int) else str(part) for part in parts).replace(".[*]", "[*]")


@functools.lru_cache(maxsize=None)
def _bilingual_paths(root: type[BaseModel]) -> frozenset[str]:
    """The paths (list items as ``[*]``) of every :class:`Bilingual` field of ``root``."""
    paths: set[str] = set()

    def visit(annotation: Any, path: str) -> None:
        if isinstance(annotation, type) and issubclass(annotation, Bilingual):
            paths.add(path)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for name, info in annotation.model_fields.items():
                visit(info.annotation, f"{path}.{name}" if path else name)
        elif typing.get_origin(annotation) is list:
            for arg in typing.get_args(annotation):
                visit(arg, f"{path}[*]")
        elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
            for arg in typing.get_args(annotation):
                visit(arg, path)

    visit(root, "")
    return frozenset(paths)


def _gender_warnings(deal: Deal, record: RawRecord) -> list[Problem]:
    """A signatory whose gender neither the deal nor the name tells: the Russian participles that
    agree with the signatory («действующего» / «действующей») would show both endings.  The supplier's
    signatory may come from the company profile; the warning is the deal's all the same, as it is the
    deal's documents that would show both endings."""
    warnings = []
    for role, party in (("supplier", deal.supplier), ("counterparty", deal.counterparty)):
        sig: Signatory | None = party.signatory
        if sig is None or sig.acting_under is None:
            continue  # no «действующего на основании …»: nothing agrees with the signatory
        if glossary.signatory_gender(sig.gender, sig.name.ru, sig.name.en) is not None:
            continue
        warnings.append(record.problem(
            f"gender of the signatory {sig.name.get('en')!r} unknown: set {role}.signatory.gender (male or "
            "female); the Russian text would read «действующего(-ей)»", f"{role}.signatory.gender",
            severity="warning"))
    return warnings


def _permission_warnings(deal: Deal, record: RawRecord) -> list[Problem]:
    """A permission whose conditions are not recorded: the annex cannot bind the counterparty to them and
    falls back to an amendment mechanism, so the export would run before the conditions bind anyone."""
    if not deal.permission.given or deal.permission.conditions is not None:
        return []
    return [record.problem(
        "the permission's conditions are not recorded: list those that need the counterparty's or the end "
        "users' action in permission.conditions, or give [] if the permission sets none; the annex leaves "
        "them to an amendment", "permission.conditions", severity="warning")]


def _statement_purpose_warnings(deal: Deal, record: RawRecord) -> list[Problem]:
    """The deal's purpose is the counterparty's: where the end user is someone else (a distributor's
    customer, or not yet named), the end-user statement does not put it in the end user's mouth and leaves
    the end use blank, unless ``end_use.end_user_purpose`` gives the end user's own."""
    if deal.end_use.purpose is None or end_user_purpose(deal) is not None:
        return []
    if deal.knowledge.prohibited_use_known or deal.knowledge.harm_known or deal.solution.controlled_item:
        return []  # refused (4.1, 4.4) or outside the Declaration (1.3): no end-user statement is made
    return [record.problem(
        "the end user's own end use is not given: the end-user statement leaves it blank for the end user to "
        "fill, as end_use.purpose is the counterparty's; give it in end_use.end_user_purpose",
        "end_use.end_user_purpose", severity="warning")]


_PROFILE_WARNINGS: dict[int, tuple[RawRecord, list[Problem]]] = {}


def _profile_warnings(profile_record: RawRecord) -> list[Problem]:
    """The company profile's language warnings, found once for a batch rather than once per deal."""
    found = _PROFILE_WARNINGS.get(id(profile_record))
    if found is None or found[0] is not profile_record:
        _PROFILE_WARNINGS.clear()
        found = _PROFILE_WARNINGS[id(profile_record)] = (profile_record,
                                                         _language_warnings(profile_record, CompanyProfile))
    return found[1]
