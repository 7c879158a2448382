"""Every JSON answer of the HTTP API as a pydantic model, for the OpenAPI document.

Why models beside the functions that build the JSON (``auctions.py``, ``accounts.py``...): the functions
stay the one place an answer is shaped (fast, plain dicts, no re-validation on the hot paths), and these
models describe exactly what they produce, so a generated client is typed and right. The routes declare
them with ``api/responses.py``; ``tests/api/test_openapi_truth.py`` drives a whole flow and fails when an
answer carries a key, a type or a status these models do not declare (every object is checked closed).

Times are RFC 3339 strings in UTC (``format: date-time``); money is integer fen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.config import JsonDict

Fen = Annotated[int, Field(description="integer fen (1 yuan = 100 fen)")]
Time = Annotated[datetime, Field(description="RFC 3339, UTC, on the server's clock")]
Rate = Annotated[float, Field(description="a ratio (0.25 = 25%)")]
Round = Annotated[int | Literal["sale"], Field(description='1, 2, or "sale" (变卖, the fixed-price sale)')]
AuctionStatus = Literal["announced", "live", "sold", "unsold", "suspended", "withdrawn"]
DepositStatus = Literal["frozen", "released", "applied", "forfeited"]
SettlementOutcome = Literal["paid", "defaulted"]
DispositionOutcome = Literal["creditor_taken", "returned"]
Category = Literal[
    "residential", "commercial", "land", "vehicle", "equity", "machinery", "other", "vessel", "property_right"
]


class Answer(BaseModel):
    """Base of the answers: documentation only (routes never re-validate through these). Examples carry
    no ``null``: FastAPI drops null values from the document, which would leave an example incomplete."""

    model_config = ConfigDict(frozen=True)


# -- accounts -------------------------------------------------------------------------------------------


TOKEN_EXAMPLE: JsonDict = {
    "access_token": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
    "token_type": "bearer",
    "role": "bidder",
    "account_role": "bidder",
    "expires_in": 86400,
}


class Token(Answer):
    model_config = ConfigDict(json_schema_extra={"examples": [TOKEN_EXAMPLE]})
    access_token: str
    token_type: Literal["bearer"]
    role: Literal["bidder", "staff"] = Field(description="the contract's two roles: an admin is staff")
    account_role: Literal["bidder", "staff", "admin"]
    expires_in: int = Field(description="seconds until the token expires")


class SignedUp(Token):
    """The new account, and (an addition) its token as ``POST /auth/token`` would issue it: a sign-up
    need not pay for a second password hash to log in. Always a bidder's."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 7, "username": "zhang_san", **TOKEN_EXAMPLE}]})
    id: int
    username: str
    role: Literal["bidder"] = Field(description="a sign-up makes a bidder")
    account_role: Literal["bidder"]


class Me(Answer):
    id: int
    username: str
    role: Literal["bidder", "staff", "admin"]
    real_name: str | None
    court: str | None = Field(description="staff: the court's name")


# -- auctions -------------------------------------------------------------------------------------------


class Auction(Answer):
    """An auction as ``GET /auctions/{id}`` answers it (and every list, and the live feed's snapshot)."""

    id: int
    lot_id: int
    round: Round
    status: AuctionStatus = Field(description="the effective status at server_time")
    appraisal: Fen
    starting_price: Fen
    increment: Fen
    deposit: Fen
    start_at: Time
    scheduled_end_at: Time
    end_at: Time = Field(description="the end including every extension so far")
    current_price: Fen | None = Field(description="null before the first bid")
    leading_code: str | None = Field(description="the leading bidder's anonymous code; null before the first bid")
    leading_priority_rank: int | None = Field(
        default=None, description="the leader's priority rank, shown with the code (Art. 19); null for others"
    )
    bid_count: int
    extension_count: int
    registrations: int
    server_time: Time
    seq: int = Field(description="the last bid's seq (0 before the first bid)")
    status_reason: str | None
    minimum_bid: Fen = Field(description="the lowest amount a bid may have now")
    settlement: SettlementOutcome | None
    watchers: int = Field(description="live-feed watchers (across processes when they share Redis)")
    title: str | None
    category: Category | None
    court: str | None
    court_id: int | None


class AuctionList(Answer):
    items: list[Auction]
    total: int
    limit: int
    offset: int


class UnsoldResult(Answer):
    outcome: Literal["unsold"]
    price: None
    winner_code: None
    winner_name: None
    premium_rate_over_start: None
    premium_rate_over_appraisal: None
    ended_at: Time
    bid_count: int
    extension_count: int


class SoldResult(Answer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "outcome": "sold",
                    "price": 705_000_000,
                    "winner_code": "K3821",
                    "winner_name": "张三",
                    "premium_rate_over_start": 0.0071,
                    "premium_rate_over_appraisal": -0.295,
                    "ended_at": "2026-06-02T02:31:00Z",
                    "bid_count": 11,
                    "extension_count": 6,
                    "settlement": "paid",
                }
            ]
        }
    )
    outcome: Literal["sold"]
    price: Fen
    winner_code: str
    winner_priority_rank: int | None = Field(
        default=None, description="the winner's priority rank, shown with the code (Art. 19); null for others"
    )
    winner_name: str | None
    premium_rate_over_start: Rate
    premium_rate_over_appraisal: Rate
    ended_at: Time
    bid_count: int
    extension_count: int
    settlement: SettlementOutcome | None


class AuctionResult(RootModel[Annotated[SoldResult | UnsoldResult, Field(discriminator="outcome")]]):
    """The outcome of an ended auction; a sale also reports its settlement."""


class Registration(Answer):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "bidder_code": "K3821",
                    "deposit": 70_000_000,
                    "deposit_status": "frozen",
                    "priority_rank": 1,
                    "auction_id": 12,
                    "registered_at": "2026-05-20T08:00:00Z",
                }
            ]
        }
    )
    bidder_code: str
    deposit: Fen
    deposit_status: DepositStatus
    priority_rank: int | None
    auction_id: int
    registered_at: Time
    terms_version: str | None = Field(
        default=None, description="the version (SHA-256) of the 竞买须知 the bidder accepted; null if none was"
    )


PriorityKind = Literal["co_owner", "tenant", "shareholder", "other"]


class PriorityHolder(Answer):
    """The declared holder with the grounds the court stated (null where none was stated)."""

    auction_id: int
    username: str
    rank: int
    kind: PriorityKind | None = Field(default=None, description="the kind of right (共有人, 承租人, 股东...)")
    basis: str | None = Field(default=None, description="what the right rests on (lease, register, articles)")
    notice_date: str | None = Field(default=None, description="the day the holder was notified (YYYY-MM-DD)")
    reason: str | None = Field(default=None, description="the grounds of a declaration after bidding opened")


class PublishedPriorityHolder(Answer):
    rank: int
    kind: PriorityKind | None = Field(default=None, description="the kind of right, published with the rank")
    name: str | None = Field(description="null until bidding ends (identities are secret until then)")
    bidder_code: str | None = Field(description="null until the holder registers, and until bidding ends")


class PriorityHolderList(Answer):
    items: list[PublishedPriorityHolder]
    identities_published: bool = Field(description="false before the close: names and codes are withheld")


class Settlement(Answer):
    """The settlement with the grounds recorded for it (each present when stated)."""

    auction_id: int
    outcome: SettlementOutcome
    settled_at: Time
    balance_due_at: Time = Field(description="the balance deadline the settlement was judged against")
    renounced: bool | None = Field(default=None, description="defaulted: on the buyer's written renunciation")
    reason: str | None = None
    ruling_number: str | None = None
    evidence: str | None = None
    amount: int | None = Field(default=None, description="paid: the balance received, fen")
    paid_on: str | None = Field(default=None, description="paid: the day received (YYYY-MM-DD)")


class PlacedBid(Answer):
    """The answer to an accepted bid (HTTP 201; the websocket's ``bid_result`` carries the same keys)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "seq": 4,
                    "amount": 701_500_000,
                    "bidder_code": "K3821",
                    "placed_at": "2026-06-02T02:01:31.004Z",
                    "end_at": "2026-06-02T02:06:31.004Z",
                    "priority": False,
                }
            ]
        }
    )

    seq: int
    amount: Fen
    bidder_code: str
    placed_at: Time
    end_at: Time = Field(description="the auction's end after this bid")
    priority: bool = Field(description="placed by a priority holder (优先购买权人)")
    priority_rank: int | None = Field(
        default=None, description="the holder's rank (1 best), shown with the code (Art. 19); null for others"
    )


class RecordedBid(Answer):
    seq: int
    amount: Fen
    bidder_code: str
    placed_at: Time
    priority: bool
    end_at: Time
    chain_hash: str | None
    priority_rank: int | None = Field(
        default=None, description="the holder's rank (1 best), shown with the code (Art. 19); null for others"
    )


class BidRecord(Answer):
    items: list[RecordedBid] = Field(description="ascending seq, no gaps")


class AuditReport(Answer):
    auction_id: int
    valid: bool
    bids: int
    head: str | None
    first_bad_seq: int | None
    problem: str | None
    genesis: str
    algorithm: str


# -- lots -----------------------------------------------------------------------------------------------


class Lot(Answer):
    """A lot, with the further announcement fields (rule 6) given at listing as top-level keys."""

    id: int
    court: str | None
    court_id: int
    title: str
    category: Category
    appraisal: Fen
    description: str | None
    case_number: str | None
    location: str | None
    disposition: DispositionOutcome | None
    disposition_note: str | None
    disposition_price: Fen | None
    disposed_at: Time | None
    created_at: Time
    appraisal_method: str | None = Field(default=None, description="present when given at listing")
    defects: str | None = Field(default=None, description="present when given at listing")
    encumbrances: str | None = Field(default=None, description="present when given at listing")
    taxes: str | None = Field(default=None, description="present when given at listing")
    balance_deadline_days: int | None = Field(default=None, description="present when given at listing")
    contact: str | None = Field(default=None, description="present when given at listing")


class LotWithAuctions(Lot):
    auctions: list[Auction] = Field(description="every round, oldest first")


class LotList(Answer):
    items: list[Lot]


class Court(Answer):
    id: int
    name: str


class CourtList(Answer):
    items: list[Court]


class Document(Answer):
    id: int
    lot_id: int
    kind: Literal["appraisal_report", "photo"]
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: Time
    url: str = Field(description="where the document's bytes are served")


class DocumentList(Answer):
    items: list[Document]


# -- a bidder's own page --------------------------------------------------------------------------------


class MyAuction(Answer):
    title: str | None
    status: AuctionStatus
    round: Round
    current_price: Fen | None
    end_at: Time
    leading_code: str | None


class MyRegistration(Answer):
    auction_id: int
    bidder_code: str
    deposit: Fen
    deposit_status: DepositStatus
    deposit_updated_at: Time | None
    priority_rank: int | None
    registered_at: Time
    terms_version: str | None = Field(default=None, description="the version (SHA-256) of the 竞买须知 accepted")
    won: bool
    balance_due: Fen | None = Field(description="on an unsettled win: the price less the deposit")
    auction: MyAuction


class MyRegistrations(Answer):
    items: list[MyRegistration]
    deposit_totals: dict[DepositStatus, Fen]
    deposits_total: Fen


class MyBid(Answer):
    auction_id: int
    seq: int
    amount: Fen
    bidder_code: str
    placed_at: Time
    priority: bool
    priority_rank: int | None = Field(
        default=None, description="the holder's rank (1 best), shown with the code (Art. 19); null for others"
    )


class MyBids(Answer):
    items: list[MyBid] = Field(description="newest first")


# -- court staff ----------------------------------------------------------------------------------------


class LedgerItem(Answer):
    registration_id: int
    bidder_code: str
    deposit: Fen
    deposit_status: DepositStatus
    priority_rank: int | None
    registered_at: Time
    deposit_updated_at: Time | None


class Tally(Answer):
    count: int
    amount: Fen


class DepositsLedger(Answer):
    auction_id: int
    status: AuctionStatus
    settlement: SettlementOutcome | None
    deposit: Fen
    currency: Literal["CNY"]
    items: list[LedgerItem]
    totals: dict[DepositStatus, Tally]
    total: Tally
    balanced: bool = Field(description="the totals per status sum to the total the database sums itself")


class Disposition(Answer):
    lot_id: int
    disposition: DispositionOutcome | None
    disposition_note: str | None
    disposition_price: Fen | None
    disposed_at: Time | None


# -- statistics, clock, health --------------------------------------------------------------------------


class RateSummary(Answer):
    mean: float | None
    median: float | None
    max: float | None
    weighted: float | None = Field(
        default=None, description="amount-weighted: sum(price - base) / sum(base) over the sales"
    )


class Corrections(Answer):
    sales: int = Field(description="minus the sales of earlier periods undone by a 悔拍 in this one")
    deal_amount: int = Field(description="minus their prices, in fen")
    lots_sold: int = Field(description="minus the lots those sales concluded (lots concluded and lots sold)")


class TermsAnswer(Answer):
    """The 竞买须知 of an auction as it reads now, with its version."""

    auction_id: int
    version: str = Field(description="SHA-256 of what the terms say: name it as terms_version when registering")
    title: str
    intro: str
    paragraphs: list[str]
    html_url: str
    pdf_url: str
    announcement_url: str = Field(description="the 竞买公告 (HTML; add .pdf for the PDF)")


class Statistics(Answer):
    auctions_ended: int
    sold: int
    unsold: int
    withdrawn: int
    transaction_rate: Rate | None
    transaction_rate_denominator: str
    lots_concluded: int
    lots_sold: int
    lot_transaction_rate: Rate | None
    lot_transaction_rate_denominator: str
    deal_amount: Fen
    premium_rate_over_start: RateSummary
    premium_rate_over_appraisal: RateSummary
    discount_rate: RateSummary
    bids_per_auction: float | None
    extensions_per_auction: float | None
    defaulted: int = Field(description="sales that ended in 悔拍: neither sold nor unsold")
    defaulted_note: str
    highest_price: Fen | None
    bidders_per_auction: float | None = Field(description="distinct bidders who bid, over sold + unsold")
    registrations_per_auction: float | None = Field(description="registrations (deposits paid), over sold + unsold")
    sold_by_round: dict[str, int] = Field(
        description='sold auctions per round ("1", "2", "sale"; a research profile\'s later rounds where one ended)'
    )
    share_sold_by_round: dict[str, Rate | None]
    share_sold_by_round_denominator: str
    creditor_taken: Tally = Field(description="以物抵债: lots the creditor took, and at what total")
    proceeds: Fen = Field(description="执行到位 from sales: the prices of sales whose balance was paid")
    proceeds_note: str
    paid_sales: int
    weighted_meaning: str
    ended_by_round: dict[str, int] = Field(description="auctions ended (sold + unsold) per round")
    forfeited_deposits: Tally = Field(description="deposits forfeited by 悔拍, dated by the 悔拍")
    execution_total: Fen = Field(description="执行到位: paid balances + 以物抵债 + forfeited deposits")
    execution_total_note: str
    corrections: Corrections = Field(
        description="earlier, closed periods' sales undone by a 悔拍 in this one (negative): that period stays as "
        "reported"
    )
    corrections_note: str


class MonthStatistics(Statistics):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM in China time (UTC+8)")


class MonthlyStatistics(Answer):
    timezone: Literal["UTC+08:00"]
    month_of: str
    items: list[MonthStatistics]


class YearOnYear(Answer):
    """The change against the same group a year before: relative for counts and amounts, in points for
    the transaction rate; null without a base."""

    compared_with: str | None = Field(description="the group's period a year before")
    sold: float | None
    auctions_ended: float | None
    deal_amount: float | None
    proceeds: float | None
    creditor_taken_amount: float | None
    execution_total: float | None
    transaction_rate_points: float | None = Field(
        description="the difference of the transaction rates in percentage points (14.23)"
    )
    transaction_rate_difference: float | None = Field(description="the same difference as a fraction (0.1423)")


class GroupStatistics(Statistics):
    group: dict[str, str | int | None] = Field(description="the group's value of each dimension of ``by``")
    yoy: YearOnYear | None


class GroupedStatistics(Answer):
    by: list[str]
    timezone: Literal["UTC+08:00"]
    period_of: str
    yoy_meaning: str
    items: list[GroupStatistics]


class CourtReportRow(Statistics):
    court: str | None = Field(description="the court (null: the grand total of every court)")
    category: str | None = Field(description="the lot category (null: the court's total)")
    total: bool


class CourtReport(Answer):
    """The monthly 司法网拍 report for the higher court."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    timezone: Literal["UTC+08:00"]
    from_: Time = Field(alias="from")
    to: Time
    final: bool = Field(description="the month has closed: these figures will not change")
    court: str | None
    generated_at: Time
    dating_rule: str
    items: list[CourtReportRow]


class Clock(Answer):
    now: Time
    speed: float = Field(description="simulated seconds per real second")
    rules: str = Field(description="the rule profile: judicial-2016 or sandbox")


class Health(Answer):
    status: Literal["ok", "degraded"] = Field(
        description="ok; or degraded: the database answers (bids work) but an optional dependency does not"
    )
    database: str = Field(description="the database's dialect: sqlite or postgresql")
    dependencies: dict[str, str] = Field(
        description='each dependency checked: "ok" or why it is down (redis: live events reach only this '
        "process's watchers and rate limits are not applied until it is back)"
    )
    server_time: Time


class Liveness(Answer):
    status: Literal["alive"]


# -- eligibility and court regions ----------------------------------------------------------------------


class IdentityRecorded(Answer):
    id_number_recorded: Literal[True]


class ImportOutcome(Answer):
    rows: int
    added: int
    updated: int


class ListedPerson(Answer):
    """An entry of a restriction list (失信被执行人 or 限制消费): never an identity number, not even its
    hash."""

    id: int
    name: str
    court: str
    restricted_on: str
    list: Literal["dishonest", "consumption_restriction"] = Field(
        description="which list: dishonest (失信被执行人名单) or consumption_restriction (限制消费)"
    )
    list_name: str = Field(description="the list's name in Chinese")
    case_number: str | None = Field(description="the case number (案号) of the court's decision; null if not given")
    imported_at: Time
    restored_at: Time | None
    restored_reason: str | None
    status: Literal["restricted", "restored"]


class RestrictionList(Answer):
    items: list[ListedPerson]
    total: int
    limit: int
    offset: int


class DebtorRecorded(Answer):
    lot_id: int
    debtor_recorded: bool


class CourtRegions(Answer):
    id: int
    name: str
    province: str | None
    city: str | None
    level: str | None = Field(description="basic, intermediate, high or supreme")
    level_name: str | None = Field(description="基层, 中级, 高级 or 最高")
