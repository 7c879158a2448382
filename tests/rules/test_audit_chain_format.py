"""The bid hash chain commits to fixed characters (rule 14): records stored since the first release
must still verify, whatever happens to how the API formats times. These digests were computed by the
chain as it was first shipped (times formatted by the clock's RFC 3339 formatter)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from auction_rules import audit

BEIJING = timezone(timedelta(hours=8))
STORED_CHAIN = [
    (datetime(2026, 5, 1, 2, 0, tzinfo=UTC),
     "f0c232439f7be3e819f82aec4bab64b22ecfbbe8e8bd966fd71d64bfe7186df6"),
    (datetime(2026, 5, 1, 2, 0, 0, 123000, tzinfo=UTC),
     "7456047561767df154cbc11cc6dc619426d5d15ca08b0e88c709bd5b55fc6e45"),
    (datetime(2026, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
     "44ba8b0aacc7805436b7a38256841a09f3965648d760363e91b0fc315ca55173"),
    # the same instant as the first, given in Beijing time: the chain hashes the instant, in UTC
    (datetime(2026, 5, 1, 10, 0, tzinfo=BEIJING),
     "5c537f4d4efdf3a5cb44e25e1fd1787a1eee260264d01af4c4f0ae76955f89e0"),
]  # fmt: skip


def test_the_chain_reproduces_hashes_stored_by_the_first_release():
    previous = audit.genesis(42)
    for seq, (placed_at, stored) in enumerate(STORED_CHAIN, start=1):
        digest = audit.bid_hash(previous, 42, seq, "H2515", 700_000_000 + seq * 500_000, placed_at, seq == 3)
        assert digest == stored, f"bid {seq}: the canonical form changed; stored chains would no longer verify"
        previous = digest


def test_a_stored_chain_verifies_and_a_changed_amount_does_not():
    bids = [(s, "H2515", 700_000_000 + s * 500_000, t, s == 3, h) for s, (t, h) in enumerate(STORED_CHAIN, start=1)]
    assert audit.verify_chain(42, bids).valid
    tampered = [*bids[:1], (2, "H2515", 1, bids[1][3], False, bids[1][5]), *bids[2:]]
    report = audit.verify_chain(42, tampered)
    assert not report.valid and report.first_bad_seq == 2


def test_the_canonical_time_is_utc_with_milliseconds_and_a_z():
    assert audit.canonical_time(datetime(2026, 5, 1, 2, 0, 0, 5999, tzinfo=UTC)) == "2026-05-01T02:00:00.005Z"
    with pytest.raises(ValueError):
        audit.canonical_time(datetime(2026, 5, 1, 2, 0))
