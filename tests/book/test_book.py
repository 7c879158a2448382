"""The pure book, driven like a Sans-I/O protocol: ops in with an explicit moment, the group to write
out, then the commit's outcome in and the answers and events out. No event loop, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auction_rules import audit, bidding
from auction_rules.bidding import AuctionState, Bidder, evolve
from auction_rules.errors import Kind, RuleViolation
from auction_rules.profiles import JUDICIAL_2016
from auction_service.core.bidding.book import BidOp, Book, ChangeOp
from auction_service.core.bidding.events import AuctionClosed, BidPlaced, StatusChanged
from auction_service.db.writes import ReleaseDeposits

START = datetime(2026, 5, 25, 2, 0, tzinfo=UTC)
END = START + timedelta(hours=24)
MID = START + timedelta(hours=3)
PRICE = 100_000_000
STEP = 500_000
ALICE, BOB = Bidder(1, "A1001"), Bidder(2, "B2002")
ALICE_ID, BOB_ID = 101, 102  # account ids


def live_state(**changes: object) -> AuctionState:
    state = AuctionState(
        id=7, status="live", start_at=START, end_at=END, scheduled_end_at=END, starting_price=PRICE, increment=STEP
    )
    return evolve(state, **changes)


def new_book(state: AuctionState | None = None) -> Book:
    state = state or live_state()
    return Book(state, lot_id=3, head_hash=audit.genesis(state.id), bidders={ALICE_ID: ALICE, BOB_ID: BOB})


def bid(book: Book, who: int, amount: int, at: datetime, key: str | None = None) -> BidOp:
    return book.decide_bid(who, book.bidders[who], amount, key, at, JUDICIAL_2016)


def close_change(book: Book, at: datetime) -> ChangeOp:
    def release(_before: AuctionState, after: AuctionState, _now: datetime) -> list[ReleaseDeposits]:
        return [ReleaseDeposits(after.id, after.closed_at, after.leader_registration_id)]

    def events(_before: AuctionState, after: AuctionState) -> list:
        return [StatusChanged.of(after), AuctionClosed.of(after)]

    return book.decide_change(bidding.close, at, release, events)


# ------------------------------------------------------------------------- deciding


def test_a_bid_is_decided_against_the_state_after_every_earlier_decision():
    book = new_book()
    bid(book, ALICE_ID, PRICE, MID)
    with pytest.raises(RuleViolation) as refused:
        bid(book, BOB_ID, PRICE, MID)  # the first bid is not committed yet, but it already counts
    assert refused.value.code == "bid_too_low"
    assert book.state.current_price == PRICE and book.committed.current_price is None
    assert len(book.pending) == 1


def test_a_refused_bid_leaves_the_book_as_it_was():
    book = new_book()
    before = book.state
    with pytest.raises(RuleViolation):
        bid(book, ALICE_ID, PRICE + 1, MID)  # not on the increment
    assert book.state is before and not book.busy


# ------------------------------------------------------------------------- the group


def test_the_group_writes_the_last_state_guarded_by_the_committed_version():
    book = new_book(live_state(version=4))
    bid(book, ALICE_ID, PRICE, MID)
    bid(book, BOB_ID, PRICE + STEP, MID + timedelta(seconds=1), key="k-1")
    write = book.start_group()
    assert write.expected_version == 4 and write.state.version == 5
    assert write.state.current_price == PRICE + STEP and write.state.seq == 2
    assert write.bids_only and write.effects == []
    assert [(row.seq, row.bidder_id, row.idempotency_key) for row in write.bids] == [
        (1, ALICE_ID, None),
        (2, BOB_ID, "k-1"),
    ]
    assert book.in_flight and not book.pending


def test_each_bid_row_extends_the_hash_chain_from_the_committed_head():
    book = new_book()
    bid(book, ALICE_ID, PRICE, MID)
    bid(book, BOB_ID, PRICE + STEP, MID)
    rows = book.start_group().bids
    first = audit.bid_hash(audit.genesis(7), 7, 1, "A1001", PRICE, MID, False)
    assert rows[0].chain_hash == first
    assert rows[1].chain_hash == audit.bid_hash(first, 7, 2, "B2002", PRICE + STEP, MID, False)
    book.committed_group()
    assert book.head_hash == rows[1].chain_hash  # the next group continues from here


def test_a_state_change_in_the_group_writes_the_whole_snapshot_and_its_side_effects():
    book = new_book()
    bid(book, ALICE_ID, PRICE, MID)
    close_change(book, END)
    write = book.start_group()
    assert not write.bids_only
    assert write.effects == [ReleaseDeposits(7, END, keep_registration_id=ALICE.registration_id)]
    assert write.state.status == "sold"


# ------------------------------------------------------------------------- committed


def test_after_the_commit_callers_get_their_bids_and_watchers_the_events_in_order():
    book = new_book()
    first = bid(book, ALICE_ID, PRICE, MID)
    second = bid(book, BOB_ID, PRICE + STEP, MID)
    book.start_group()
    settled = book.committed_group()
    assert [(op, outcome) for op, outcome in settled.answers] == [(first, first.placed), (second, second.placed)]
    assert settled.events == [BidPlaced(7, first.placed), BidPlaced(7, second.placed)]
    assert book.committed.version == 1 and book.committed == book.state and not book.busy


def test_ops_decided_while_a_group_was_in_flight_wait_for_the_next_one_on_the_new_version():
    book = new_book()
    bid(book, ALICE_ID, PRICE, MID)
    book.start_group()
    late = bid(book, BOB_ID, PRICE + STEP, MID)  # decided on the in-flight state
    book.committed_group()
    assert book.pending == [late] and late.after.version == book.committed.version == 1
    write = book.start_group()
    assert write.expected_version == 1 and write.state.seq == 2


def test_a_close_answers_with_the_closed_state_and_announces_the_outcome():
    book = new_book()
    bid(book, ALICE_ID, PRICE, MID)
    close = close_change(book, END)
    book.start_group()
    settled = book.committed_group()
    assert settled.answers[-1] == (close, close.after)
    assert settled.events[-2:] == [StatusChanged.of(close.after), AuctionClosed.of(close.after)]
    assert settled.events[-1].winner_code == "A1001"


# ------------------------------------------------------------------------- rebase


def test_after_a_lost_race_waiting_bids_are_decided_again_on_what_the_database_holds():
    book = new_book()
    mine = bid(book, ALICE_ID, PRICE, MID)
    book.start_group()
    # Another process stored a bid at the same price first.
    theirs = live_state(current_price=PRICE, leader_code="X9999", leader_registration_id=99, seq=1, version=1)
    answers = book.rebase(theirs, "head-from-db", {}, {}, MID, JUDICIAL_2016, failed=False)
    assert len(answers) == 1 and answers[0][0] is mine
    assert isinstance(answers[0][1], RuleViolation) and answers[0][1].code == "bid_too_low"
    assert book.committed is theirs and book.state is theirs and not book.busy
    assert book.head_hash == "head-from-db"


def test_after_a_lost_race_a_bid_that_still_fits_survives_with_a_new_seq():
    opened = live_state(current_price=PRICE, leader_code="X9999", leader_registration_id=99, seq=1)
    book = new_book(opened)
    mine = bid(book, ALICE_ID, PRICE + 2 * STEP, MID)  # a jump bid
    book.start_group()
    theirs = evolve(opened, current_price=PRICE + STEP, seq=2, version=1)
    assert book.rebase(theirs, "h", {}, {}, MID, JUDICIAL_2016, failed=False) == []
    assert book.pending == [mine] and mine.placed.seq == 3
    assert book.start_group().expected_version == 1


def test_a_failed_commit_refuses_the_bids_in_flight_as_retryable_but_not_those_it_stored():
    book = new_book()
    lost = bid(book, ALICE_ID, PRICE, MID, key="a")
    stored = bid(book, BOB_ID, PRICE + STEP, MID, key="b")
    book.start_group()
    waiting = bid(book, ALICE_ID, PRICE + 2 * STEP, MID)
    # The database says Bob's keyed bid is there (its commit's answer was lost), Alice's is not.
    in_db = live_state(current_price=PRICE + STEP, leader_code="B2002", leader_registration_id=2, seq=2, version=1)
    answers = dict(book.rebase(in_db, "h", {}, {(BOB_ID, "b"): stored.placed}, MID, JUDICIAL_2016, failed=True))
    assert answers[stored] == stored.placed
    assert isinstance(answers[lost], RuleViolation) and answers[lost].kind is Kind.UNAVAILABLE
    assert waiting not in answers and book.pending == [waiting] and waiting.placed.seq == 3


def test_when_nothing_can_be_read_every_waiting_op_is_refused():
    book = new_book()
    a = bid(book, ALICE_ID, PRICE, MID)
    book.start_group()
    b = bid(book, BOB_ID, PRICE + STEP, MID)
    error = RuleViolation("storage_unavailable", "down", Kind.UNAVAILABLE)
    assert book.drop_all(error) == [(a, error), (b, error)]
    assert not book.busy and book.state is book.committed


# ------------------------------------------------------------------------- adopt


def test_an_idle_book_adopts_a_newer_state_from_another_process_but_a_busy_one_waits():
    book = new_book()
    newer = live_state(current_price=PRICE, seq=1, version=1)
    assert book.adopt(newer) and book.state is newer
    assert not book.adopt(newer)  # same version: nothing new
    bid(book, ALICE_ID, PRICE + STEP, MID)
    assert not book.adopt(live_state(version=2))
