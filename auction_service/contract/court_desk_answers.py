"""The court desk's answers as pydantic models, for the OpenAPI document (like ``contract/answers.py``:
documentation only; ``contract/court_desk.py`` shapes the JSON)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from .answers import Answer, Fen, Time

Action = Literal[
    "lot_created", "lot_edited", "auction_scheduled", "auction_postponed", "auction_suspended", "auction_resumed",
    "auction_withdrawn", "sale_paid", "sale_defaulted", "lot_disposed", "document_uploaded", "eligibility_changed",
    "priority_holder_declared", "pause_cause_removed",
]  # fmt: skip


class ActionEntry(Answer):
    """One staff or admin action as recorded (全程留痕), with its link in its court's hash chain."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12, "court_id": 1, "lot_id": 3, "auction_id": 5, "actor": "clerk_wang", "actor_id": 2,
                    "role": "staff", "action": "auction_suspended", "reason": "案外人提出异议",
                    "before": {"status": "live"}, "after": {"status": "suspended", "pause_kind": "suspended"},
                    "at": "2026-05-01T02:00:00.000Z", "chain": 1, "seq": 12, "prev_hash": "9f" * 32, "hash": "3a" * 32,
                }
            ]
        }
    )  # fmt: skip
    id: int
    court_id: int | None
    lot_id: int | None
    auction_id: int | None
    actor: str = Field(description="the actor's username at the time")
    actor_id: int | None
    role: str = Field(description="staff or admin")
    action: Action
    reason: str | None
    before: dict[str, Any] | None = Field(description="the state the action changed, before it (null: it created it)")
    after: dict[str, Any] | None = Field(description="the state after the action")
    at: Time
    chain: int = Field(description="the court's id (0: actions of no court)")
    seq: int = Field(description="position in the court's chain, from 1")
    prev_hash: str
    hash: str = Field(
        description="sha256 over prev_hash and the entry's canonical fields (auction_rules/action_chain.py)"
    )


class ActionPage(Answer):
    items: list[ActionEntry]
    total: int
    limit: int
    offset: int


class DeadlineItem(Answer):
    """One running deadline; its kind adds keys (``winner_code``, ``price`` and ``round`` for a balance;
    ``failed_round``, ``next_round`` and ``restart`` for relisting; ``pause_kind``, ``since`` and
    ``cause_removed_on`` for a pause; ``round`` for an opening)."""

    model_config = ConfigDict(extra="allow")
    kind: Literal["balance", "relisting", "pause", "opening"]
    state: Literal["overdue", "due_today", "upcoming"]
    due_at: Time
    lot_id: int
    auction_id: int | None
    title: str
    actions: list[Literal["default", "paid", "relist", "dispose", "resume", "withdraw", "postpone", "suspend"]]
    winner_code: str | None = None
    price: Fen | None = None
    round: str | None = None
    failed_round: str | None = None
    next_round: str | None = None
    restart: bool | None = None
    pause_kind: Literal["postponed", "suspended"] | None = None
    since: Time | None = None
    cause_removed_on: str | None = Field(
        default=None, description="pause: the day its cause was removed (court time), from which the limit runs"
    )


class DeadlineCounts(Answer):
    overdue: int
    due_today: int
    upcoming: int


class Deadlines(Answer):
    court_id: int
    server_time: Time
    counts: DeadlineCounts
    items: list[DeadlineItem] = Field(description="overdue first, then due today, then upcoming; by due time")


class StatusChange(Answer):
    change: Literal["postponed", "suspended", "resumed", "withdrawn"]
    reason: str | None
    at: Time


class StatusHistory(Answer):
    auction_id: int
    items: list[StatusChange]


class CaseFileKey(Answer):
    """The public key that checks the service's case-file signatures (``manifest.sig``)."""

    algorithm: Literal["Ed25519"]
    key_id: str = Field(description="the first 16 hex digits of the SHA-256 of the raw public key")
    public_key: str = Field(description="the raw 32-byte public key, base64")
    public_key_pem: str = Field(description="the same key as a PEM SubjectPublicKeyInfo")
