"""What a request may carry: bodies, ids, paging and filters. Checked here, at the edge, so that nothing
malformed reaches a service or a group commit (one bad row would fail the whole group's transaction).

* Money is a strict integer of fen from 1 to 10^15: numbers with a fraction, booleans, strings and
  out-of-range numbers are 422 (pydantic's default int would accept ``false`` and ``"12"``). A whole
  number written with a fraction (``1.0``) is that integer, as JSON and JSON Schema count it
  (``contract/numbers.py``): the document's ``type: integer`` accepts it, so validation does too.
* Ids, offsets, limits and seq are written with the ASCII digits 0-9 only (``int("١") == 1`` in Python)
  and bounded to their columns (ids are PostgreSQL ``integer``: 1..2^31-1): beyond, PostgreSQL would
  fail the query with a 500.
* Text never holds control characters (PostgreSQL refuses NUL in text; the others are never meant):
  single-line fields refuse every one, multi-line fields allow tab, newline and carriage return.
  Lone surrogates (``"\ud800"`` escaped in JSON) are refused too: they cannot be stored as UTF-8.
* Times lie between the years 2000 and 2100 (``0001-01-01T00:00:00+04:00`` cannot even be converted
  to UTC).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from auction_rules.priority import PriorityGrounds
from auction_rules.profiles import CATEGORIES
from auction_rules.settlement import SettlementRequest
from auction_rules.withdrawal import GROUNDS as WITHDRAWAL_GROUNDS

from ..clock import truncate_ms
from ..contract.numbers import INT4_MAX, plain_digits, whole_number

MAX_MONEY = 10**15
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

_CONTROL_ANY = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def ascii_digits(value: Any) -> Any:
    """An integer written as a string (path, query) must be plain ASCII digits: no sign, no spaces, no
    underscores, no other script's digits."""
    if isinstance(value, str) and not plain_digits(value):
        raise ValueError("must be written with the digits 0-9 only")
    return value


def single_line(value: str) -> str:
    if _CONTROL_ANY.search(value):
        raise ValueError("must not contain control characters (NUL, line breaks, ...)")
    return value


def multi_line(value: str) -> str:
    if _CONTROL_MULTILINE.search(value):
        raise ValueError("must not contain control characters other than tab and line breaks")
    return value


def optional_line(value: str | None) -> str | None:
    return value if value is None else single_line(value)


@dataclass(frozen=True)
class Stated:
    """A check that the OpenAPI document states too: ``check`` runs after the type's own validation and
    ``pattern`` is written into the field's JSON schema, so a client (or a fuzzer) that builds requests
    from the document never sends one that validation refuses. The check stays the authority (it also
    refuses lone surrogates, which no pattern can name)."""

    check: Callable[[Any], Any]
    pattern: str
    replaces_format: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        stated = handler(schema)
        stated["pattern"] = self.pattern
        if self.replaces_format:
            for option in (stated, *stated.get("anyOf", ())):
                option.pop("format", None)
        return stated


def not_null(schema: dict[str, Any]) -> None:
    """For a field that may be left out but not sent as ``null`` (a required field of a correction, an
    optional form field: a form cannot carry null): the document drops ``null`` from the field's types."""
    options = [option for option in schema.pop("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


NotNull = Field(json_schema_extra=not_null)


# What the checks accept, as patterns: no control character (multi-line: tab and line breaks allowed);
# the ``Filled`` forms also need one character that is not white space (the text is stripped, then
# must not be empty).
_LINE = "[^\\x00-\\x1f\\x7f-\\x9f]"
_LINES = "[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]"
LINE_PATTERN = f"^{_LINE}*$"
LINES_PATTERN = f"^{_LINES}*$"
FILLED_LINE_PATTERN = f"^{_LINE}*[^\\s\\x00-\\x1f\\x7f-\\x9f]{_LINE}*$"
FILLED_LINES_PATTERN = f"^{_LINES}*[^\\s\\x00-\\x1f\\x7f-\\x9f]{_LINES}*$"
# An RFC 3339 time whose own year (before conversion to UTC) is 2000 to 2100, with only the days its
# month has. The pattern replaces ``format: date-time``: with both, a generator draws times of any year
# and throws away nearly all of them.
_YEAR, _LEAP = "(20[0-9][0-9]|2100)", "20([02468][048]|[13579][26])"
_DAY = (
    f"({_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|{_YEAR}-(0[13-9]|1[0-2])-(29|30)"
    f"|{_YEAR}-(0[13578]|1[02])-31|{_LEAP}-02-29)"
)
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
TIME_PATTERN = f"^{_DAY}T{_CLOCK}$"

Line = Stated(single_line, LINE_PATTERN)
Lines = Stated(multi_line, LINES_PATTERN)
FilledLine = Stated(single_line, FILLED_LINE_PATTERN)
FilledLines = Stated(multi_line, FILLED_LINES_PATTERN)

# Path and query parameters.
Id = Annotated[int, Path(ge=1, le=INT4_MAX, description="an id (1 to 2^31-1)"), BeforeValidator(ascii_digits)]
Offset = Annotated[int, Query(ge=0, le=INT4_MAX), BeforeValidator(ascii_digits)]
AfterSeq = Annotated[int, Query(ge=0, le=INT4_MAX), BeforeValidator(ascii_digits)]
OptionalId = Annotated[int | None, Query(ge=1, le=INT4_MAX), BeforeValidator(ascii_digits)]
Limit500 = Annotated[int, Query(ge=1, le=500), BeforeValidator(ascii_digits)]
Limit10k = Annotated[int, Query(ge=1, le=10_000), BeforeValidator(ascii_digits)]
# Which restriction list (``auction_rules/eligibility.py``), as the query parameter ``list``.
ListKind = Annotated[
    Literal["dishonest", "consumption_restriction"] | None,
    Query(alias="list", description="dishonest (失信被执行人) or consumption_restriction (限制消费)"),
]
Filter = Annotated[str | None, Query(max_length=200), Stated(optional_line, LINE_PATTERN)]
# Integers in bodies: strict (no bools, no strings), a whole-number float taken as its integer. The
# validator comes after the constraints: it then runs first, and the document keeps ``minimum`` and
# ``maximum`` (placed before them, pydantic would write its own ``ge``/``le`` keys, which JSON Schema
# does not know, and a client would take 0 as a valid amount).
WholeNumber = BeforeValidator(whole_number)
Money = Annotated[
    int, Field(strict=True, ge=1, le=MAX_MONEY, description="integer fen (1 yuan = 100 fen)"), WholeNumber
]
DeadlineDays = Annotated[int, Field(strict=True, ge=1, le=365), WholeNumber]
Category = Literal[
    "residential", "commercial", "land", "vehicle", "equity", "machinery", "other", "vessel", "property_right"
]
assert set(Category.__args__) == set(CATEGORIES)  # type: ignore[attr-defined]
Username = Annotated[str, StringConstraints(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), Line]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), FilledLine]
# a person's name: ``accounts.real_name`` holds 200 characters (PostgreSQL refuses more with a 500)
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), FilledLine]
LongText = Annotated[str, StringConstraints(max_length=20_000), Lines]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), FilledLines]


def _day_text(value: object) -> object:
    """A day is written ``YYYY-MM-DD``: a number (read by pydantic as seconds since 1970) is refused."""
    if not isinstance(value, str | date):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A calendar day written YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_day_text)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Lines]
# single-line texts of at most N characters (named, not built by a function: a type checker reads them)
OneLine20 = Annotated[str, StringConstraints(max_length=20), Line]
OneLine50 = Annotated[str, StringConstraints(max_length=50), Line]
OneLine100 = Annotated[str, StringConstraints(max_length=100), Line]
OneLine200 = Annotated[str, StringConstraints(max_length=200), Line]
OneLine300 = Annotated[str, StringConstraints(max_length=300), Line]


def _utc_ms(value: datetime) -> datetime:
    # The year is checked before converting: a time near year 1 or 9999 overflows when moved to UTC.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return truncate_ms(value.astimezone(UTC))


UtcTime = Annotated[AwareDatetime, Stated(_utc_ms, TIME_PATTERN, replaces_format=True)]
TimeInRange = Stated(
    lambda v: v if v is None else _utc_ms(v), TIME_PATTERN, replaces_format=True
)  # an optional time (query)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BidderIn(Strict):
    username: Username
    password: Password
    real_name: PersonName
    id_number: Annotated[str, StringConstraints(max_length=32), Line] = Field(
        description="the resident identity number (18 characters, ISO 7064 MOD 11-2 check character, X allowed"
        " last); one account per number; stored only as a keyed hash",
        examples=["11010519491231002X"],
    )


class LotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: ShortText
    category: Category
    appraisal: Money
    description: LongText | None = None
    case_number: OneLine100 | None = None
    location: OneLine300 | None = None
    # Further announcement fields (rule 6), all optional here.
    appraisal_method: OneLine300 | None = None
    defects: LongText | None = None
    encumbrances: LongText | None = None
    taxes: LongText | None = None
    balance_deadline_days: DeadlineDays | None = None
    contact: OneLine300 | None = None
    court: OneLine200 | None = Field(default=None, description="admin only: the court the lot belongs to")

    def details(self) -> dict[str, Any]:
        keys = ("appraisal_method", "defects", "encumbrances", "taxes", "balance_deadline_days", "contact")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}


class AuctionIn(Strict):
    starting_price: Money
    increment: Money
    deposit: Money
    start_at: UtcTime
    end_at: UtcTime


class PriorityHolderIn(Strict):
    username: Username
    rank: Annotated[int, Field(strict=True, ge=1, le=1000), WholeNumber]
    reason: Reason | None = Field(
        default=None, description="required once bidding has opened: the grounds of the late declaration"
    )
    kind: Literal["co_owner", "tenant", "shareholder", "other"] | None = Field(
        default=None, description="the kind of right: co-owner (共有人), tenant (承租人), shareholder (股东), other"
    )
    basis: Note | None = Field(default=None, description="what the right rests on (lease, register entry...)")
    notice_date: Day | None = Field(default=None, description="the day the holder was notified of the auction")

    def grounds(self) -> PriorityGrounds:
        return PriorityGrounds(
            kind=self.kind,
            basis=self.basis,
            notice_date=self.notice_date.isoformat() if self.notice_date else None,
            reason=self.reason,
        )


class BidIn(Strict):
    amount: Money


class ReasonIn(Strict):
    reason: Reason


class PostponeIn(Strict):
    """暂缓 with its grounds: the published ``reason``, and the ruling's period (``until``, its last day,
    court time) and number. The deadlines desk counts the resumption limit from the period's end. Both
    may be left out (the older form): the limit then counts from the postponement."""

    reason: Reason
    until: Day | None = Field(default=None, description="the last day of the 暂缓 period (YYYY-MM-DD, court time)")
    ruling_number: OneLine100 | None = Field(default=None, description="the 暂缓 ruling (决定书/裁定书) number")


class ResumeIn(Strict):
    """Why the auction resumes (the cause removed, the period over) and the ruling to resume, recorded in
    the action log."""

    reason: Reason
    ruling_number: OneLine100 | None = Field(default=None, description="the ruling (决定书/裁定书) to resume")


class SuspendIn(Strict):
    """中止 with its published ``reason`` and, when given, the ruling's number (中止裁定书). A 中止 has no
    period: it lasts until its cause is removed (``POST .../cause-removed``)."""

    reason: Reason
    ruling_number: OneLine100 | None = Field(default=None, description="the 中止 ruling (裁定书) number")


class CauseRemovedIn(Strict):
    """The pause's cause was removed: on which day (court time), why, and the ruling, if any."""

    removed_on: Day = Field(description="the day the cause was removed (YYYY-MM-DD, court time)")
    reason: Reason
    ruling_number: OneLine100 | None = Field(default=None, description="the ruling (决定书/裁定书) number, if any")


class WithdrawIn(Strict):
    """A withdrawal (撤回) names one of the legal grounds (``auction_rules/withdrawal.py``); ``reason`` is
    a note added to it (required with ``other``). A ``reason`` alone, the older form, is ``other``."""

    ground: str | None = Field(
        default=None,
        max_length=64,
        description="one of: " + ", ".join(WITHDRAWAL_GROUNDS),
        json_schema_extra={"enum": list(WITHDRAWAL_GROUNDS)},
    )
    reason: Reason | None = Field(default=None, description="a note added to the ground, in the court's words")


class SettlementIn(Strict):
    """The outcome and its grounds. ``defaulted`` (悔拍) before the balance deadline needs
    ``renounced: true`` (the buyer's written renunciation) with a ``reason``."""

    outcome: Literal["paid", "defaulted"]
    reason: Reason | None = Field(default=None, description="the grounds, in the court's words")
    renounced: Annotated[bool, Field(strict=True)] = Field(
        default=False, description="defaulted only: the buyer renounced the purchase in writing"
    )
    ruling_number: OneLine100 | None = Field(default=None, description="the ruling (裁定书) number, if any")
    evidence: Note | None = Field(default=None, description="what it rests on: receipt, renunciation, notice")
    amount: Money | None = Field(default=None, description="paid only: the balance received (price - deposit)")
    paid_on: Day | None = Field(default=None, description="paid only: the day the balance was received")

    def request(self) -> SettlementRequest:
        return SettlementRequest(
            outcome=self.outcome,
            reason=self.reason,
            renounced=self.renounced,
            ruling_number=self.ruling_number,
            evidence=self.evidence,
            amount=self.amount,
            paid_on=self.paid_on.isoformat() if self.paid_on else None,
        )


class DispositionIn(Strict):
    outcome: Literal["creditor_taken", "returned"]
    note: Note | None = None


# --- eligibility and court regions (docs/api-extensions.md) -----------------------------------------------

IdNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
    Line,
    Field(description="a resident identity number (18 characters)"),
]


def _true_or_null(schema: dict[str, Any]) -> None:
    """``false`` is refused (422 ``terms_not_accepted``, the rule's own code): the document says only
    ``true`` or ``null`` is accepted."""
    schema.pop("anyOf", None)
    schema["anyOf"] = [{"const": True, "type": "boolean"}, {"type": "null"}]


class RegistrationIn(Strict):
    accept_terms: Annotated[
        bool | None,
        Field(
            strict=True,
            description="true: the bidder acknowledges the terms (竞买须知); false is refused",
            json_schema_extra=_true_or_null,
        ),
    ] = None
    terms_version: Annotated[
        str | None,
        Field(
            pattern=r"^[0-9a-f]{64}$",
            description="the version of the 竞买须知 the bidder read and accepts (``GET /auctions/{id}/terms.json``); "
            "409 ``terms_changed`` if it is no longer the current one",
        ),
    ] = None


class IdentityIn(Strict):
    id_number: IdNumber


class DebtorIn(Strict):
    id_number: IdNumber | None = Field(description="the debtor's identity number; null clears it")


class CourtRegionsIn(Strict):
    province: OneLine50 | None = None
    city: OneLine50 | None = None
    level: OneLine20 | None = Field(
        default=None, description="basic, intermediate, high, supreme (基层/中级/高级/最高)"
    )
