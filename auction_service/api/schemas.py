"""Request bodies. Money is a strict integer of fen from 1 to 10^15: floats, booleans, strings and
out-of-range numbers are 422 (pydantic's default int would accept ``false`` and ``"12"``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from ..clock import truncate_ms
from ..rules.profiles import CATEGORIES

MAX_MONEY = 10**15
Money = Annotated[int, Field(strict=True, ge=1, le=MAX_MONEY, description="integer fen (1 yuan = 100 fen)")]
Category = Literal["residential", "commercial", "land", "vehicle", "equity", "machinery", "other"]
assert set(Category.__args__) == set(CATEGORIES)  # type: ignore[attr-defined]
Username = Annotated[str, StringConstraints(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _utc_ms(value: datetime) -> datetime:
    return truncate_ms(value.astimezone(UTC))


UtcTime = Annotated[AwareDatetime, AfterValidator(_utc_ms)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BidderIn(Strict):
    username: Username
    password: Password
    real_name: ShortText


class LotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: ShortText
    category: Category
    appraisal: Money
    description: LongText | None = None
    case_number: Annotated[str, StringConstraints(max_length=100)] | None = None
    location: Annotated[str, StringConstraints(max_length=300)] | None = None
    # Further announcement fields (rule 6), all optional here.
    appraisal_method: Annotated[str, StringConstraints(max_length=300)] | None = None
    defects: LongText | None = None
    encumbrances: LongText | None = None
    taxes: LongText | None = None
    balance_deadline_days: Annotated[int, Field(strict=True, ge=1, le=365)] | None = None
    contact: Annotated[str, StringConstraints(max_length=300)] | None = None
    court: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="admin only: the court the lot belongs to"
    )

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
    rank: Annotated[int, Field(strict=True, ge=1, le=1000)]


class BidIn(Strict):
    amount: Money


class ReasonIn(Strict):
    reason: Reason


class SettlementIn(Strict):
    outcome: Literal["paid", "defaulted"]


class DispositionIn(Strict):
    outcome: Literal["creditor_taken", "returned"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
