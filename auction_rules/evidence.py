"""What the bid record implies about the rest of an auction's record: who won, at what price, and where
every deposit must stand (rules 13-17).

The bid chain (``audit.py``) is the one record nobody can rewrite without breaking a hash. A result or a
deposit status stored beside it is only as good as its agreement with the chain, so the case file's
offline check and ``auction-service audit verify`` hold them to what the chain implies, with these
functions. Pure: no I/O, nothing else of the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .bidding import ENDED

FROZEN, RELEASED, APPLIED, FORFEITED = "frozen", "released", "applied", "forfeited"
# The sale's settlement and the winner's deposit it leaves (rule 16: the deposit is applied to the
# price; rule 17: 悔拍 forfeits it).
DEPOSIT_AFTER_SETTLEMENT = {None: FROZEN, "paid": APPLIED, "defaulted": FORFEITED}


@dataclass(frozen=True, slots=True)
class ChainBid:
    """A bid as the chain records it."""

    seq: int
    bidder_code: str
    amount: int
    priority: bool


@dataclass(frozen=True, slots=True)
class Leader:
    bidder_code: str
    price: int
    bids: int


def leader_of(bids: Sequence[ChainBid]) -> tuple[Leader | None, str | None]:
    """The highest valid bid of the record and the first problem with the record's order, if any.

    Every accepted bid takes the lead: it is above the one before, or (a priority holder's right, Art.
    19 of the AUC rules) equal to it and marked priority. So the last bid is the winner's, at its amount."""
    previous: ChainBid | None = None
    for bid in bids:
        if previous is not None:
            if bid.amount < previous.amount or (bid.amount == previous.amount and not bid.priority):
                return None, f"bid {bid.seq} ({bid.amount}) does not beat bid {previous.seq} ({previous.amount})"
        previous = bid
    if previous is None:
        return None, None
    return Leader(previous.bidder_code, previous.amount, len(bids)), None


def expected_deposit(status: str, settlement: str | None, is_winner: bool) -> str | None:
    """Where a registration's deposit must stand once the auction is in ``status``: frozen while the
    auction is to come or running; after the close every loser's is released (rule 16) and the
    winner's follows the settlement; a withdrawal releases all. None: a status this rule does not judge."""
    if status == "withdrawn":
        return RELEASED
    if status not in ENDED:
        return FROZEN
    if status == "sold" and is_winner:
        return DEPOSIT_AFTER_SETTLEMENT.get(settlement)
    return RELEASED


def deposit_problems(
    status: str, settlement: str | None, winner_code: str | None, deposits: Iterable[tuple[str, str]]
) -> list[str]:
    """``deposits``: (bidder_code, deposit_status) of every registration. Each one that does not stand
    where ``expected_deposit`` says, in one line each."""
    problems = []
    for code, actual in deposits:
        expected = expected_deposit(status, settlement, code == winner_code)
        if expected is not None and actual != expected:
            role = "the winner's" if code == winner_code else "a loser's" if status in ENDED else "the"
            problems.append(
                f"deposit of {code} is {actual} where {role} deposit must be {expected} "
                f"(auction {status}, settlement {settlement or 'none'})"
            )
    return problems
