"""The deal: a frozen, strict model of the deal file (documented for users in docs/deal-format.md).

Field names and meanings are the users' interface and never change; optional
fields added by clausegen say their default in the JSON Schema.
"""

from __future__ import annotations

import re
import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LETTER = re.compile(r"[^\W\d_]")


def guess_script_language(text: str) -> str:
    """``ru`` when most letters are Cyrillic, otherwise ``en`` (for plain strings)."""
    letters = _LETTER.findall(text)
    cyrillic = sum(1 for ch in letters if _CYRILLIC.match(ch))
    return "ru" if letters and cyrillic * 2 >= len(letters) else "en"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _digits_as_text(value: Any) -> Any:
    # Registration numbers written without quotes in YAML arrive as integers.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Digits = Annotated[str, BeforeValidator(_digits_as_text)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("an activity is empty")
    return value


Activity = Annotated[str, AfterValidator(_not_blank)]  # each item checked, so a problem names its index
Lang = Literal["ru", "en"]


class Bilingual(_Strict):
    """A text in Russian and English; either may be missing, not both.

    A plain string is accepted too: its language is judged by its script.
    Where only one language is given, the other column uses it as written.
    """

    ru: str | None = Field(None, description="Russian text")
    en: str | None = Field(None, description="English text")

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {guess_script_language(value): value}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Bilingual:
        if not (self.ru or "").strip() and not (self.en or "").strip():
            raise ValueError("give the text in Russian (ru), English (en) or both")
        return self

    def get(self, lang: str) -> str:
        """The text in ``lang``, or in the other language when ``lang`` is missing."""
        own = self.ru if lang == "ru" else self.en
        other = self.en if lang == "ru" else self.ru
        return own if (own or "").strip() else (other or "")

    def has(self, lang: str) -> bool:
        """Whether the text is given in ``lang`` itself."""
        return bool(((self.ru if lang == "ru" else self.en) or "").strip())


def _text(description: str) -> Any:
    return Field(None, description=description)


class ContractKind(StrEnum):
    LICENSE = "license"
    SAAS = "saas"
    DEVELOPMENT = "development"
    HARDWARE_SUPPLY = "hardware_supply"


class Delivery(StrEnum):
    SAAS = "saas"
    ON_PREMISE = "on_premise"
    SOURCE_CODE = "source_code"
    MODEL_WEIGHTS = "model_weights"
    EMBEDDED_IN_HARDWARE = "embedded_in_hardware"


class Suitability(StrEnum):
    NUCLEAR = "nuclear"
    MISSILE = "missile"
    CHEMICAL_BIOLOGICAL = "chemical_biological"
    MILITARY = "military"
    INTELLIGENCE = "intelligence"


class KnownUse(StrEnum):
    """Which prohibited use the knowledge of 4.1 or the concern of 4.2 is about (the Declaration's bullets)."""
    WMD = "wmd"  # weapons of mass destruction and their delivery means (4.1, 4.2)
    MILITARY = "military"  # conventional arms and military equipment, or any other military use (4.2 only)
    TERRORISM = "terrorism"  # preparing or committing terrorist acts (4.1, 4.2)


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    LETTER_OF_CREDIT = "letter_of_credit"
    CASH = "cash"
    CRYPTO = "crypto"
    OTHER = "other"


class Contract(_Strict):
    # Both or neither: a deal that names only an offer gives the contract's kind, title and annex number
    # here and its number and date once the contract is signed (validation.basis_problems).
    number: str | None = Field(
        None, min_length=1, description="Contract number, e.g. LA-0142/2026; required unless the deal names an offer"
    )
    date: dt.date | None = Field(
        None, description="Contract date, ISO format (2026-11-20); required unless the deal names an offer"
    )
    kind: ContractKind = Field(ContractKind.LICENSE, description="Kind of contract; default license")
    title: Bilingual = Field(
        Bilingual(ru="Договор", en="Contract"), description="Title of the contract; default Договор / Contract"
    )
    place: Bilingual | None = _text("Place of signing, e.g. {ru: г. Москва, en: Moscow}")
    prevailing_language: Lang = Field("ru", description="Which text prevails if the two differ; default ru")
    annex_number: int = Field(1, ge=1, le=999, description="The annex's number within the contract; default 1")


    @property
    def signed(self) -> bool:
        """Whether the contract itself is named (its number and its date): it then governs the documents."""
        return self.number is not None and self.date is not None


class Offer(_Strict):
    """The supplier's commercial offer, when the annex goes with it before a contract exists."""

    number: str = Field(min_length=1, description="Number of the commercial offer, e.g. КП-0231/2026")
    date: dt.date = Field(description="Date of the offer, ISO format (2026-12-01)")
    valid_until: dt.date | None = Field(
        None, description="Last day on which the offer may be accepted; not before its date"
    )


class Registration(_Strict):
    ogrn: Digits | None = Field(None, pattern=r"^\d{13}(\d{2})?$", description="ОГРН (13 digits; 15 for an ОГРНИП)")
    inn: Digits | None = Field(None, pattern=r"^\d{10}(\d{2})?$", description="ИНН (10 digits; 12 for a person)")
    kpp: Digits | None = Field(None, pattern=r"^\d{9}$", description="КПП (9 digits)")
    number: str | None = Field(None, min_length=1, description="A foreign registration or licence number")


class Signatory(_Strict):
    name: Bilingual = Field(description="Full name in the nominative; the project declines it")
    position: Bilingual = Field(description="Position in the nominative, e.g. Генеральный директор")
    acting_under: Bilingual | None = Field(None, description="Authority in the nominative, e.g. Устав / the Charter")
    gender: Literal["male", "female"] | None = Field(
        None, description="Overrides the gender detected from the Russian patronymic"
    )
    name_genitive: str | None = Field(None, min_length=1, description="Overrides the declined Russian name")
    position_genitive: str | None = Field(None, min_length=1, description="Overrides the declined Russian position")
    acting_under_genitive: str | None = Field(None, min_length=1, description="Overrides the declined authority")


class Party(_Strict):
    name: Bilingual = Field(description="Full legal name")
    short_name: Bilingual | None = _text("Short name; default the full name")
    country: str = Field(description="ISO 3166-1 alpha-2 country code")
    address: Bilingual | None = _text("Address")
    registration: Registration | None = _text("Registration numbers")
    signatory: Signatory | None = _text("Who signs for the party")
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="E-mail for notices")

    @field_validator("country")
    @classmethod
    def _alpha2(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value):
            raise ValueError("use an ISO 3166-1 alpha-2 code in capitals, e.g. AE")
        return value


class Supplier(Party):
    country: str = Field("RU", description="ISO 3166-1 alpha-2 country code; default RU")


class Counterparty(Party):
    address_is_po_box: bool = Field(False, description="The address is a PO box (Annex 1, indicator 9)")
    activities: list[Activity] = Field(
        default_factory=list, description="Activity tags from the vocabulary; see docs/deal-format.md (Annex 1, items 19-22)"
    )
    activities_other: list[Activity] = Field(
        default_factory=list,
        description="Activities that no tag of the vocabulary covers, as free text (shown in the report, scanned for indicators)",
    )


class Solution(_Strict):
    name: Bilingual = Field(description="Name of the AI solution")
    description: Bilingual | None = _text("What the solution does")
    version: str | None = Field(None, min_length=1, description="Version of the solution")
    quantity: Bilingual | None = _text(
        "What is supplied and how much, for the end-user statement, e.g. {ru: 50 пользовательских лицензий, en: 50 user licences}"
    )
    delivery: Delivery = Field(description="How the solution reaches the counterparty")
    counterparty_can_modify: bool = Field(
        False, description="The counterparty can modify the solution (section 2.1); default false"
    )
    suitable_for: list[Suitability] = Field(
        default_factory=list, description="Potential suitability (notes to Annex 1, items 19-22)"
    )
    controlled_item: bool = Field(
        False, description="On the control list of Decree No. 1299: outside the Declaration (1.3)"
    )


class EndUser(_Strict):
    name: Bilingual
    country: str = Field(description="ISO 3166-1 alpha-2 country code")
    address: Bilingual | None = None
    activities: list[Activity] = Field(
        default_factory=list, description="The end user's activity tags, as for the counterparty (Annex 1, items 19-22)"
    )
    activities_other: list[Activity] = Field(
        default_factory=list, description="The end user's activities that no tag covers, as free text"
    )

    @field_validator("country")
    @classmethod
    def _alpha2(cls, value: str) -> str:
        return Party._alpha2(value)


class EndUse(_Strict):
    purpose: Bilingual | None = _text("The stated end use; missing fires indicator 1")
    end_user_purpose: Bilingual | None = _text(
        "The end use in the end user's own words, for the end-user statement, where the end user is not the "
        "counterparty (a distributor's customer: «расшифровка телефонных разговоров в собственных колл-центрах "
        "Конечного пользователя»); without it the statement leaves the end use blank for the end user to fill"
    )
    end_users: list[EndUser] = Field(default_factory=list, description="End users; none fires indicator 1")
    location: Bilingual | None = _text("Place of use")


class Payment(_Strict):
    amount: Decimal = Field(ge=0, max_digits=18, decimal_places=2, description="Contract price")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")
    method: PaymentMethod = Field(PaymentMethod.BANK_TRANSFER, description="Payment method; default bank_transfer")


class Knowledge(_Strict):
    prohibited_use_known: bool = Field(False, description="4.1: reliable knowledge of WMD or terrorist use")
    military_or_wmd_concern: bool = Field(False, description="4.2: reasonable concern of WMD, military or terrorist use")
    fstec_notice: bool = Field(False, description="4.3: written notice from FSTEC requiring a permission")
    harm_known: bool = Field(False, description="4.4: reliable knowledge of other harm")
    uses: list[KnownUse] = Field(
        default_factory=list,
        description="Which use the knowledge (4.1) or the concern (4.2) is about: wmd (weapons of mass destruction "
        "and their delivery means), military (arms, military equipment, other military use; 4.2 only), terrorism; "
        "the screening report names only these grounds",
    )

    @model_validator(mode="after")
    def _uses_need_a_ground(self) -> Knowledge:
        if self.uses and not (self.prohibited_use_known or self.military_or_wmd_concern):
            raise ValueError("uses says which use 4.1 or 4.2 is about: set prohibited_use_known or "
                             "military_or_wmd_concern as well, or leave uses out")
        if self.prohibited_use_known and self.uses and set(self.uses) <= {KnownUse.MILITARY}:
            raise ValueError("4.1 (prohibited_use_known) covers only wmd and terrorism; a military use is a "
                             "concern under 4.2 (military_or_wmd_concern)")
        return self


class Permission(_Strict):
    number: str | None = Field(None, min_length=1, description="Number of the Export Control Commission's permission")
    date: dt.date | None = Field(None, description="Date of the permission")
    # None and [] differ: None is "not recorded" (the annex keeps an amendment mechanism and validation
    # warns), [] is "recorded: the permission sets no condition that needs the counterparty's action".
    conditions: list[Bilingual] | None = Field(
        None,
        description="Conditions of the permission that bind the counterparty; the annex states each of them; "
        "[] when the permission sets none, omitted when not recorded",
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> Permission:
        if (self.number is None) != (self.date is None):
            raise ValueError("give both the permission's number and its date, or neither")
        return self

    @property
    def given(self) -> bool:
        """Whether a permission has been obtained."""
        return self.number is not None


class Letters(_Strict):
    date: dt.date | None = Field(None, description="Date of the outgoing letters; default the contract date, else the "
                                                   "offer date (for a deal refused or held for a permission, the date "
                                                   "of the check)")
    number_prefix: str | None = Field(
        None, min_length=1, description="Prefix of outgoing letter numbers; default the deal id"
    )


class Person(_Strict):
    """A member of the supplier's staff who prepares or approves a record."""

    name: Bilingual = Field(description="Full name, e.g. {ru: Петрова Анна Сергеевна, en: Anna Petrova}")
    position: Bilingual | None = _text("Position, e.g. {ru: Руководитель службы экспортного контроля}")


class IdentificationResult(StrEnum):
    NOT_LISTED = "not_listed"
    LISTED = "listed"
    FSTEC_NOTICE = "fstec_notice"


class Identification(_Strict):
    """The identification of the solution against the control list of Decree No. 1299 (1.3, 5.3)."""

    date: dt.date = Field(description="When the identification was made")
    by: str = Field(min_length=1, description="Who made it: a person, the export control unit, or an expert body")
    result: IdentificationResult = Field(
        description="not_listed: not on the list; listed: on the list (outside the Declaration, 1.3); "
                    "fstec_notice: FSTEC informed the supplier in writing (4.3)"
    )
    list_item: str | None = Field(None, min_length=1, description="The item of the control list, when listed")
    reference: str | None = Field(None, min_length=1, description="The identification's document: number, report, letter")


class ScreeningRecord(_Strict):
    """Who checked the deal and when (the 5.3 record)."""

    date: dt.date | None = Field(None, description="Date of the check; default --date, else the day of generation")
    prepared_by: Person | None = Field(None, description="Who prepared the check; default the profile's compliance officer")
    approved_by: Person | None = Field(None, description="Who approved the decision")
    approved_on: dt.date | None = Field(None, description="When the decision was approved (with approved_by)")

    @model_validator(mode="after")
    def _approval_date_with_approver(self) -> ScreeningRecord:
        if self.approved_on is not None and self.approved_by is None:
            raise ValueError("approved_on needs approved_by: who approved the decision")
        return self


class Terms(_Strict):
    """Settings of the export-control terms shared by the annex and the letters."""

    response_days: int = Field(
        10, ge=1, le=90, description="Business days the counterparty has to answer a request; default 10"
    )


Indicator = Annotated[int, Field(ge=1, le=22)]


def statement_issuer(deal: "Deal") -> EndUser | None:
    """Who issues the end-user statement when the deal says: its one named end user, else None (a blank)."""
    users = deal.end_use.end_users
    return users[0] if len(users) == 1 else None


def issuer_is_counterparty(deal: "Deal") -> bool:
    """Whether the one named end user is the counterparty itself (by its name in either language)."""
    issuer = statement_issuer(deal)
    return issuer is not None and names_counterparty(deal, issuer.name)


def names_counterparty(deal: "Deal", name: Bilingual) -> bool:
    """Whether ``name`` is the counterparty's own (in either language)."""
    party = deal.counterparty.name
    return name.get("en").casefold() == party.get("en").casefold() \
        or name.get("ru").casefold() == party.get("ru").casefold()


def end_user_purpose(deal: "Deal") -> Bilingual | None:
    """The end use the end-user statement puts in the end user's mouth: its own (``end_user_purpose``),
    or the deal's purpose where the end user is the counterparty itself; else None (a blank to fill).
    The deal's ``purpose`` is the counterparty's: a distributor's purpose is not its customers'."""
    own = deal.end_use.end_user_purpose
    if own is not None:
        return own
    return deal.end_use.purpose if issuer_is_counterparty(deal) else None


class Deal(_Strict):
    """One export deal of an AI solution."""

    deal_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="Unique id; names output files and register rows (letters, digits, . _ -)",
    )
    contract: Contract = Field(
        default_factory=Contract,
        description="The contract: its number and date once signed; its kind, title and annex number in any case",
    )
    offer: Offer | None = Field(
        None, description="The commercial offer the annex goes with, before (or instead of) a signed contract"
    )
    supplier: Supplier = Field(description="The Russian developer; may come from the company profile")
    counterparty: Counterparty
    solution: Solution
    end_use: EndUse = Field(default_factory=EndUse)
    payment: Payment | None = None
    red_flags: list[Indicator] = Field(default_factory=list, description="Annex 1 indicators observed (1-22)")
    knowledge: Knowledge = Field(default_factory=Knowledge)
    permission: Permission = Field(default_factory=Permission)
    letters: Letters = Field(default_factory=Letters)
    identification: Identification | None = Field(
        None, description="The identification against the control list (1.3, 5.3); none: not recorded"
    )
    screening: ScreeningRecord = Field(default_factory=ScreeningRecord, description="Who checked the deal and when")
    terms: Terms = Field(default_factory=Terms, description="Time limits shared by the annex and the letters")


    @property
    def basis(self) -> str:
        """What the documents are made for: ``contract`` once it is signed (an offer is then only its
        basis, recorded), else ``offer``."""
        return "contract" if self.contract.signed or self.offer is None else "offer"

    @property
    def basis_date(self) -> dt.date:
        """The date of the document the deal's papers attach to: the contract's, else the offer's."""
        if self.basis == "offer":
            assert self.offer is not None
            return self.offer.date
        assert self.contract.date is not None, "a validated deal has a signed contract or an offer"
        return self.contract.date


class CompanyProfile(_Strict):
    """The company profile (clausegen.yaml): the supplier shared by every deal."""

    supplier: Supplier
    compliance_officer: Person | None = Field(
        None, description="Prepares screening reports unless the deal names someone else"
    )
    terms: Terms | None = Field(None, description="Default terms for every deal that gives none")
    # "register" in the file; another name here, as pydantic's BaseModel has a register() of its own.
    register_at: str | None = Field(
        None, alias="register", min_length=1, max_length=1000,
        description="Where generations are recorded: a SQLite file (relative to this profile's folder) or a "
                    "database URL; --register and $CLAUSEGEN_REGISTER take precedence",
    )
