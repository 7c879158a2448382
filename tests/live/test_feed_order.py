"""The live feed's ordering rules (``auction_service/live/feed_order.py``), without sockets or storage:
each bid once and in seq order, gaps filled from storage or the client told to resume, a status after the
bids it follows, counters as they come, markers left to the sender."""

from __future__ import annotations

import pytest

from auction_service.live.feed_order import AHEAD, NEXT, SENT, FeedOrder, GapError


def bid(seq: int) -> dict:
    return {"type": "bid", "auction_id": 1, "seq": seq, "amount": 1000 + seq}


def status(seq: int, value: str = "suspended") -> dict:
    return {"type": "status", "auction_id": 1, "seq": seq, "status": value}


def closed(seq: int) -> dict:
    return {"type": "closed", "auction_id": 1, "seq": seq, "outcome": "sold"}


WATCHERS = {"type": "watchers", "auction_id": 1, "count": 3}
RESYNC = {"type": "_resync", "auction_id": 1}


def send_all(order: FeedOrder, events: list[dict], stored: list[int] | None = None) -> list:
    """What a connection's sender sends for ``events``, filling from ``stored`` (bid seqs the table
    holds) the way ``live/ws.py`` does: the sequence of bid seqs and other event types sent."""
    stored = stored or []
    out: list = []
    for event in events:
        place = order.place(event)
        if place == SENT:
            continue
        if place == AHEAD:
            bound = order.fill_bound(event)
            out += [seq for seq in stored if seq < bound and order.stored(seq)]
            order.filled(event)
        out.append(event["seq"] if event["type"] == "bid" else event["type"])
        order.sent(event)
    return out


# ----------------------------------------------------------------------------- the start


def test_without_after_seq_the_connection_stands_at_the_snapshot_and_has_no_backlog() -> None:
    order = FeedOrder()
    assert order.start(snapshot_seq=5, status="live", after_seq=None) is None
    assert (order.last_seq, order.last_status) == (5, "live")
    assert send_all(order, [bid(5), bid(6)]) == [6]  # bid 5 was in the snapshot


def test_with_after_seq_the_backlog_is_every_stored_bid_after_it_in_order() -> None:
    order = FeedOrder()
    assert order.start(snapshot_seq=5, status="live", after_seq=2) == 2
    assert [seq for seq in [1, 2, 3, 4, 5] if order.stored(seq)] == [3, 4, 5]
    assert order.last_seq == 5
    assert send_all(order, [bid(5), bid(6)]) == [6]  # the live copy of a backlog bid is not sent again


def test_a_backlog_missing_a_bid_it_must_send_is_a_gap() -> None:
    order = FeedOrder(last_seq=2)
    assert order.stored(3)
    with pytest.raises(GapError):
        order.stored(5)  # 4 is not visible in the table yet: the client resumes with after_seq


# ----------------------------------------------------------------------------- live bids


def test_bids_in_order_are_sent_as_they_come() -> None:
    order = FeedOrder(last_seq=0)
    assert [order.place(bid(1))] == [NEXT]
    assert send_all(order, [bid(1), bid(2), bid(3)]) == [1, 2, 3]
    assert order.last_seq == 3


def test_a_bid_already_sent_is_dropped() -> None:
    order = FeedOrder(last_seq=3)
    assert order.place(bid(3)) == SENT and order.place(bid(2)) == SENT
    assert send_all(order, [bid(3), bid(4), bid(4), bid(2)]) == [4]


def test_a_jump_is_filled_from_storage_before_the_bid_that_revealed_it() -> None:
    order = FeedOrder(last_seq=3)
    assert order.place(bid(6)) == AHEAD and order.fill_bound(bid(6)) == 6
    assert send_all(order, [bid(6), bid(7)], stored=[4, 5, 6, 7]) == [4, 5, 6, 7]


def test_a_jump_storage_cannot_fill_yet_is_a_gap() -> None:
    order = FeedOrder(last_seq=3)
    with pytest.raises(GapError):
        send_all(order, [bid(6)], stored=[4])  # 5 is not stored (yet): never skip a bid


def test_bids_filled_from_storage_are_not_sent_again_when_their_live_copies_come() -> None:
    order = FeedOrder(last_seq=1)
    assert send_all(order, [bid(4), bid(2), bid(3), bid(5)], stored=[2, 3, 4]) == [2, 3, 4, 5]


# ----------------------------------------------------------------------------- status, closed, counters


def test_a_status_goes_out_after_the_bid_it_follows() -> None:
    order = FeedOrder(last_seq=3)
    assert order.place(status(3)) == NEXT
    assert order.place(status(5)) == AHEAD and order.fill_bound(status(5)) == 6
    assert send_all(order, [status(5, "suspended"), closed(5)], stored=[4, 5]) == [4, 5, "status", "closed"]
    assert order.last_status == "suspended"


def test_counters_carry_no_seq_and_go_out_as_they_come() -> None:
    order = FeedOrder(last_seq=3)
    assert order.place(WATCHERS) == NEXT
    assert send_all(order, [WATCHERS, bid(4), WATCHERS]) == ["watchers", 4, "watchers"]


def test_after_a_resync_a_status_not_yet_sent_is_sent_once() -> None:
    order = FeedOrder(last_seq=3, last_status="live")
    assert not order.status_changed("live")
    assert order.status_changed("sold") and order.last_status == "sold"
    assert not order.status_changed("sold")


# ----------------------------------------------------------------------------- the direct path


def test_the_direct_path_takes_the_in_step_run_and_leaves_the_rest_to_the_sender() -> None:
    order = FeedOrder(last_seq=3)
    events = [bid(3), bid(4), WATCHERS, bid(6), bid(7)]
    ready, stop, last_seq, last_status = order.in_step(events)
    assert ready == [bid(4), WATCHERS] and events[stop:] == [bid(6), bid(7)]
    assert (last_seq, last_status) == (4, None)
    assert order.last_seq == 3, "nothing is counted as sent until the write succeeded"
    order.advance(last_seq, last_status)
    assert order.last_seq == 4


def test_the_direct_path_never_writes_markers_or_a_status_ahead_of_its_bids() -> None:
    order = FeedOrder(last_seq=3)
    assert order.in_step([RESYNC, bid(4)])[:2] == ([], 0)
    assert order.in_step([status(3, "suspended"), closed(9)]) == ([status(3, "suspended")], 1, 3, "suspended")


def test_the_direct_path_takes_everything_in_step() -> None:
    order = FeedOrder(last_seq=0)
    events = [bid(1), bid(2), bid(3)]
    assert order.in_step(events) == (events, 3, 3, None)
