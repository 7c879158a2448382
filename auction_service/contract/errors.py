"""The error envelope every non-2xx answer carries, and the catalogue of its codes.

``{"error": {"code", "message", "fields"?, ...}}``: ``code`` is a stable snake_case name a client can
branch on, ``message`` human text, ``fields`` the fields a validation error found wrong; a refused bid
also says the lowest valid amount (``minimum``). ``ERROR_CODES`` says, for every code the services
raise, its kind (the transports turn a kind into an HTTP status, ``api/errors.py``) and what it means:
the OpenAPI document lists, per operation, the codes it can answer from here (``api/responses.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from auction_rules.errors import Kind


class FieldError(BaseModel):
    """One field a validation error found wrong."""

    model_config = ConfigDict(extra="allow")
    field: str = Field(description="dotted path of the field (``amount``, ``query.limit``); empty for the body")
    message: str
    type: str | None = Field(default=None, description="the validator's error type, when there is one")


class ErrorDetail(BaseModel):
    """The error itself; further keys may be added (the contract allows extra keys)."""

    model_config = ConfigDict(extra="allow")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="stable snake_case name of the refusal")
    message: str = Field(description="human text saying what is wrong and how to fix it")
    fields: list[FieldError] | None = Field(default=None, description="validation errors: each bad field")
    minimum: int | None = Field(default=None, description="a refused bid: the lowest valid amount, in fen")
    dependencies: dict[str, str] | None = Field(
        default=None, description="the health check's 503: each dependency, ``ok`` or why it is down"
    )
    retry_after: int | None = Field(default=None, description="429 and 503: seconds to wait (also ``Retry-After``)")
    missing: list[str] | None = Field(
        default=None, description="``announcement_incomplete``: the announcement fields still to set"
    )


class ErrorEnvelope(BaseModel):
    """Every non-2xx answer: ``{"error": {"code", "message", ...}}``."""

    error: ErrorDetail


@dataclass(frozen=True, slots=True)
class ErrorCode:
    kind: Kind | None  # None: answered by the transport itself, not a refusal (``api/responses.py``)
    meaning: str


VALIDATION_ERROR = "validation_error"
INTERNAL_ERROR = "internal_error"
STORAGE_UNAVAILABLE = "storage_unavailable"

ERROR_CODES: dict[str, ErrorCode] = {
    # 401
    "unauthorized": ErrorCode(Kind.UNAUTHENTICATED, "no bearer token, or an invalid or expired one"),
    "invalid_credentials": ErrorCode(Kind.UNAUTHENTICATED, "wrong username or password"),
    # 403
    "staff_only": ErrorCode(Kind.NOT_ALLOWED, "only court staff may do this"),
    "wrong_court": ErrorCode(Kind.NOT_ALLOWED, "staff of another court than the lot's"),
    "staff_cannot_bid": ErrorCode(Kind.NOT_ALLOWED, "court staff may not register or bid"),
    "excluded_bidder": ErrorCode(Kind.NOT_ALLOWED, "a bidder barred from this lot after 悔拍 (defaulting)"),
    "not_registered": ErrorCode(Kind.NOT_ALLOWED, "bidding needs a registration (a frozen deposit) first"),
    # 404
    "auction_not_found": ErrorCode(Kind.NOT_FOUND, "no such auction"),
    "lot_not_found": ErrorCode(Kind.NOT_FOUND, "no such lot"),
    "account_not_found": ErrorCode(Kind.NOT_FOUND, "no such account"),
    "document_not_found": ErrorCode(Kind.NOT_FOUND, "no such document of this lot"),
    # 409
    "username_taken": ErrorCode(Kind.CONFLICT, "the username is already in use (compared without case)"),
    "registration_closed": ErrorCode(Kind.CONFLICT, "registration is closed: bidding has ended"),
    "auction_not_live": ErrorCode(Kind.CONFLICT, "the auction is not taking bids now"),
    "bid_too_low": ErrorCode(Kind.CONFLICT, "below the lowest valid amount (``minimum``)"),
    "bid_not_on_increment": ErrorCode(Kind.CONFLICT, "not the current price plus a whole number of increments"),
    "auction_not_ended": ErrorCode(Kind.CONFLICT, "bidding has not ended yet"),
    "auction_not_sold": ErrorCode(Kind.CONFLICT, "the auction did not end in a sale"),
    "winner_ineligible": ErrorCode(
        Kind.CONFLICT, "the winner may not buy the lot (listed, or its debtor): no confirmation; the court rules"
    ),
    "already_settled": ErrorCode(Kind.CONFLICT, "the sale's settlement is already recorded"),
    "auction_ended": ErrorCode(Kind.CONFLICT, "bidding has ended"),
    "not_a_bidder": ErrorCode(Kind.CONFLICT, "the account is not a bidder"),
    "auction_not_suspendable": ErrorCode(Kind.CONFLICT, "only an announced or live auction can be suspended"),
    "auction_not_suspended": ErrorCode(Kind.CONFLICT, "only a suspended auction can be resumed"),
    "auction_not_withdrawable": ErrorCode(Kind.CONFLICT, "an ended auction cannot be withdrawn"),
    "auction_open": ErrorCode(Kind.CONFLICT, "the lot already has an auction that has not ended"),
    "lot_already_sold": ErrorCode(Kind.CONFLICT, "the lot is sold"),
    "lot_concluded": ErrorCode(Kind.CONFLICT, "the lot's fate is settled (taken by the creditor or returned)"),
    "disposition_not_allowed": ErrorCode(
        Kind.CONFLICT, "disposition comes after round 2 or the sale failed, or a missed relisting window"
    ),
    # 413
    "payload_too_large": ErrorCode(Kind.TOO_LARGE, "the body is larger than anything this operation accepts"),
    "document_too_large": ErrorCode(Kind.TOO_LARGE, "a document may be at most 10 MiB"),
    # 422
    VALIDATION_ERROR: ErrorCode(Kind.INVALID, "malformed input: ``fields`` names each bad field"),
    "invalid_json": ErrorCode(Kind.INVALID, "the body is not JSON"),
    "invalid_form": ErrorCode(Kind.INVALID, "the body is not a form (multipart or urlencoded) that can be read"),
    "invalid_idempotency_key": ErrorCode(Kind.INVALID, "an Idempotency-Key is 1 to 200 characters"),
    "idempotency_key_reused": ErrorCode(Kind.INVALID, "this Idempotency-Key was used for another bid"),
    "invalid_status": ErrorCode(Kind.INVALID, "an unknown status in the filter"),
    "court_required": ErrorCode(Kind.INVALID, "an admin must name the lot's court"),
    "starting_price_below_floor": ErrorCode(Kind.INVALID, "the starting price is below the round's floor"),
    "deposit_out_of_range": ErrorCode(Kind.INVALID, "the deposit is outside the allowed share of the price"),
    "increment_not_positive": ErrorCode(Kind.INVALID, "the increment must be positive"),
    "increment_too_large": ErrorCode(Kind.INVALID, "the increment is too large for the starting price"),
    "announcement_too_short": ErrorCode(Kind.INVALID, "the announcement period is too short"),
    "bidding_period_too_short": ErrorCode(Kind.INVALID, "the bidding period is too short"),
    "start_in_past": ErrorCode(Kind.INVALID, "bidding cannot start in the past"),
    "price_cut_too_deep": ErrorCode(Kind.INVALID, "round 2 cuts the price by more than the rules allow"),
    "reauction_announced_too_late": ErrorCode(Kind.INVALID, "the next round was announced too long after"),
    "sale_price_mismatch": ErrorCode(Kind.INVALID, "a sale (变卖) keeps the last round's price"),
    "sale_deposit_must_be_full_price": ErrorCode(Kind.INVALID, "a sale's deposit is its full price"),
    "sale_window_too_long": ErrorCode(Kind.INVALID, "a sale's window is longer than the rules allow"),
    "sale_window_too_short": ErrorCode(Kind.INVALID, "a sale's window is shorter than the rules' window"),
    "announcement_incomplete": ErrorCode(
        Kind.INVALID, "the lot's announcement lacks required fields: ``missing`` names them (``none known`` counts)"
    ),
    "reason_required": ErrorCode(Kind.INVALID, "this step needs its grounds: a non-empty ``reason``"),
    "ground_required": ErrorCode(Kind.INVALID, "a withdrawal names one of the legal grounds (``ground``)"),
    "unknown_ground": ErrorCode(Kind.INVALID, "not one of the legal grounds of a withdrawal"),
    "invalid_period": ErrorCode(Kind.INVALID, "a 暂缓 period must end today or later"),
    "invalid_date": ErrorCode(Kind.INVALID, "a day outside what the step allows (the future, or before the pause)"),
    "balance_not_due": ErrorCode(
        Kind.CONFLICT, "悔拍 before the balance deadline needs the buyer's written renunciation (``renounced``)"
    ),
    "payment_amount_mismatch": ErrorCode(
        Kind.INVALID, "a payment's stated amount is the balance due (price - deposit)"
    ),
    "id_number_taken": ErrorCode(Kind.CONFLICT, "an account with this identity number exists (one per person)"),
    "empty_document": ErrorCode(Kind.INVALID, "the file is empty"),
    "invalid_document_kind": ErrorCode(Kind.INVALID, "kind is appraisal_report or photo"),
    "unsupported_document_type": ErrorCode(Kind.INVALID, "not a PDF, JPEG, PNG or WebP, or not the kind declared"),
    # the court desk (action log, lot edits, deadlines, case file; api/court_desk.py)
    "court_not_found": ErrorCode(Kind.NOT_FOUND, "no such court"),
    "lot_auction_opened": ErrorCode(Kind.CONFLICT, "the lot's auction has opened: its announcement is fixed"),
    "lot_terms_announced": ErrorCode(Kind.CONFLICT, "appraisal or category cannot change while a round is announced"),
    "nothing_to_change": ErrorCode(Kind.INVALID, "an edit must name at least one field"),
    "invalid_action": ErrorCode(Kind.INVALID, "an unknown action in the filter"),
    "invalid_horizon": ErrorCode(Kind.INVALID, "horizon_days is 0 to 90"),
    "invalid_limit": ErrorCode(Kind.INVALID, "limit is 1 to 500"),
    "invalid_offset": ErrorCode(Kind.INVALID, "offset is 0 to 10^9"),
    # eligibility: identity numbers, the restriction list, a lot's debtor, court regions
    "admin_only": ErrorCode(Kind.NOT_ALLOWED, "only a platform administrator may do this"),
    "debtor_cannot_bid": ErrorCode(Kind.NOT_ALLOWED, "the debtor of the lot's enforcement case may not bid for it"),
    "bidder_restricted": ErrorCode(Kind.NOT_ALLOWED, "on the restriction list (限制消费) for this category"),
    "restricted_person_not_found": ErrorCode(Kind.NOT_FOUND, "no such entry on the restriction list"),
    "identity_already_set": ErrorCode(Kind.CONFLICT, "the identity number is already recorded"),
    "already_restored": ErrorCode(Kind.CONFLICT, "this person's credit was already restored"),
    "invalid_id_number": ErrorCode(Kind.INVALID, "not a resident identity number (17 digits and a check digit)"),
    "restriction_list_invalid": ErrorCode(Kind.INVALID, "the list is refused whole: ``rows`` names each bad line"),
    "invalid_court_level": ErrorCode(Kind.INVALID, "level is basic, intermediate, high or supreme"),
    "duplicate_key": ErrorCode(Kind.INVALID, "a key appears more than once in the JSON body"),
    "terms_not_accepted": ErrorCode(Kind.INVALID, "registration requires acknowledging the terms (竞买须知)"),
    "terms_changed": ErrorCode(
        Kind.CONFLICT, "the terms (竞买须知) accepted are not the current version: read them again"
    ),
    "invalid_round": ErrorCode(Kind.INVALID, 'round is 1, 2 or "sale"'),
    "invalid_group_by": ErrorCode(Kind.INVALID, "an unknown or repeated dimension in group_by"),
    "invalid_month": ErrorCode(Kind.INVALID, "a month that is not YYYY-MM"),
    # 429
    "rate_limited": ErrorCode(Kind.RATE_LIMITED, "too many requests from this caller: retry after ``retry_after``"),
    # 503
    STORAGE_UNAVAILABLE: ErrorCode(Kind.UNAVAILABLE, "the database did not answer; nothing was decided, retry"),
    "shutting_down": ErrorCode(Kind.UNAVAILABLE, "the service is stopping; retry on another process"),
    "registration_failed": ErrorCode(Kind.UNAVAILABLE, "the registration could not be stored; retry"),
    "pdf_font_unavailable": ErrorCode(Kind.UNAVAILABLE, "no CJK font to render the PDF; the HTML page works"),
    "document_missing": ErrorCode(Kind.UNAVAILABLE, "the document's file is not in the documents directory"),
    "document_damaged": ErrorCode(Kind.UNAVAILABLE, "the document's file does not match its recorded SHA-256"),
    # answered by the HTTP transport itself
    "not_found": ErrorCode(None, "no such path"),
    "method_not_allowed": ErrorCode(None, "the path does not take this method (``Allow`` lists those it does)"),
    "unsupported_media_type": ErrorCode(None, "the body is not sent as the declared media type (JSON)"),
    INTERNAL_ERROR: ErrorCode(None, "the server failed to handle the request"),
}
