"""Refusals the service and the simulator's rules lane both make, each decided in one place of the rules:
a lot disposed of is concluded (rule 18), a sale is settled once and only if sold, a defaulter is kept out
of the re-auction (rule 17), and only a registered bidder bids (rule 8)."""

from __future__ import annotations

import pytest

from auction_rules import bidding, eligibility, listing, settlement
from auction_rules.bidding import Bidder
from auction_rules.errors import Kind, RuleViolation


def refusal(fn, *args) -> tuple[str, Kind]:
    with pytest.raises(RuleViolation) as caught:
        fn(*args)
    return caught.value.code, caught.value.kind


def test_a_lot_disposed_of_is_concluded_and_one_still_open_is_not():
    assert refusal(listing.check_not_disposed, "returned") == ("lot_concluded", Kind.CONFLICT)
    assert listing.concluded("creditor_taken").code == "lot_concluded"
    listing.check_not_disposed(None)


def test_only_a_sold_auction_is_settled_and_only_once():
    assert refusal(settlement.check_settleable, "unsold", None) == ("auction_not_sold", Kind.CONFLICT)
    assert refusal(settlement.check_settleable, "live", None) == ("auction_not_sold", Kind.CONFLICT)
    assert refusal(settlement.check_settleable, "sold", "paid") == ("already_settled", Kind.CONFLICT)
    settlement.check_settleable("sold", None)


def test_a_defaulter_is_kept_out_and_anyone_else_may_register():
    assert refusal(eligibility.check_not_excluded, True) == ("excluded_bidder", Kind.NOT_ALLOWED)
    eligibility.check_not_excluded(False)


def test_only_a_registered_bidder_bids():
    assert refusal(bidding.check_registered, None) == ("not_registered", Kind.NOT_ALLOWED)
    registered = Bidder(7, "A0001")
    assert bidding.check_registered(registered) is registered
