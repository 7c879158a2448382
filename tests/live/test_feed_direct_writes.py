"""The live feed's direct path: events written straight to a watcher's socket keep the feed's rules
(in seq order, nothing twice, nothing skipped) and hand everything else to the watcher's sender."""

from __future__ import annotations

import asyncio

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from auction_service.live.bus import CLOSE_TRY_AGAIN, EventBus
from auction_service.live.frames import text_frame


class FakeWriter:
    """Stands for a connection's frame writer; ``open=False`` stands for back-pressure or a close."""

    def __init__(self) -> None:
        self.open = True
        self.data = b""
        self.writes = 0

    def write(self, data: bytes) -> bool:
        if not self.open:
            return False
        self.data += data
        self.writes += 1
        return True

    def messages(self) -> list[str]:
        reader = StreamReader()
        reader.feed_data(self.data)
        reader.feed_eof()
        out = []
        parser = Frame.parse(reader.read_exact, mask=False)
        while reader.buffer:
            try:
                next(parser)
            except StopIteration as done:
                frame = done.value
                assert frame.opcode is Opcode.TEXT and frame.fin
                out.append(frame.data.decode())
                parser = Frame.parse(reader.read_exact, mask=False)
        return out


def bid(seq: int) -> dict:
    return {"type": "bid", "auction_id": 1, "seq": seq, "amount": 1000 + seq, "bidder_code": "A1"}


@pytest.fixture
async def bus_and_watcher():
    bus = EventBus()
    sub = bus.subscribe(1)
    sub.writer = writer = FakeWriter()
    sub.order.last_seq = 3  # the snapshot it was sent showed seq 3
    sub.go_direct()
    await asyncio.sleep(0.01)  # the watcher count is pushed on subscription: start from a quiet socket
    writer.data = b""
    yield bus, sub, writer
    await bus.stop()


def seqs(messages: list[str]) -> list[int]:
    import orjson

    return [e["seq"] for e in map(orjson.loads, messages) if e["type"] == "bid"]


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_a_text_frame_is_what_a_websocket_client_parses(size: int) -> None:
    payload = ("界" * (size // 3) + "x" * (size % 3)).encode()
    writer = FakeWriter()
    writer.write(text_frame(payload))
    assert writer.messages() == [payload.decode()]


async def test_in_step_bids_are_written_straight_to_the_socket_in_order(bus_and_watcher) -> None:
    bus, sub, writer = bus_and_watcher
    bus.deliver(1, [bid(4), bid(5)])
    bus.deliver(1, [bid(6)])
    assert seqs(writer.messages()) == [4, 5, 6]
    assert sub.order.last_seq == 6 and len(sub) == 0 and sub.direct


async def test_a_bid_already_sent_is_not_sent_again(bus_and_watcher) -> None:
    bus, _, writer = bus_and_watcher
    bus.deliver(1, [bid(3), bid(4), bid(4)])
    assert seqs(writer.messages()) == [4]


async def test_a_jump_in_seq_goes_to_the_sender_which_fills_it(bus_and_watcher) -> None:
    bus, sub, writer = bus_and_watcher
    bus.deliver(1, [bid(4), bid(6), bid(7)])
    assert seqs(writer.messages()) == [4]  # 5 is missing: 6 and 7 wait for the sender
    assert not sub.direct and [e["seq"] for e in await sub.take()] == [6, 7]
    bus.deliver(1, [bid(8)])
    assert seqs(writer.messages()) == [4]  # still behind its sender: queued, not written
    assert [e["seq"] for e in await sub.take()] == [8]


async def test_a_status_after_bids_not_yet_sent_waits_for_the_sender(bus_and_watcher) -> None:
    bus, sub, writer = bus_and_watcher
    bus.deliver(1, [{"type": "status", "auction_id": 1, "status": "suspended", "seq": 3}])
    assert sub.order.last_status == "suspended" and writer.messages()
    bus.deliver(1, [{"type": "closed", "auction_id": 1, "outcome": "sold", "seq": 9}])
    assert len(writer.messages()) == 1 and [e["type"] for e in await sub.take()] == ["closed"]


async def test_counters_are_written_straight_and_markers_go_to_the_sender(bus_and_watcher) -> None:
    bus, sub, writer = bus_and_watcher
    bus.deliver(1, [{"type": "registrations", "auction_id": 1, "count": 2}, {"type": "_resync", "auction_id": 1}])
    assert len(writer.messages()) == 1
    assert [e["type"] for e in await sub.take()] == ["_resync"]


async def test_a_socket_that_cannot_take_writes_gets_everything_through_its_sender(bus_and_watcher) -> None:
    bus, sub, writer = bus_and_watcher
    writer.open = False
    bus.deliver(1, [bid(4), bid(5)])
    assert writer.data == b"" and sub.order.last_seq == 3 and not sub.direct
    assert [e["seq"] for e in await sub.take()] == [4, 5]


async def test_the_sender_hands_back_to_the_direct_path_only_once_caught_up(bus_and_watcher) -> None:
    bus, sub, writer = bus_and_watcher
    writer.open = False
    bus.deliver(1, [bid(4)])
    writer.open = True
    sub.go_direct()
    assert not sub.direct  # bid 4 is still queued for the sender
    await sub.take()
    sub.go_direct()
    assert sub.direct


async def test_a_watcher_that_falls_behind_is_still_ended_with_1013() -> None:
    bus = EventBus(queue_size=3)
    sub = bus.subscribe(1)
    sub.writer = FakeWriter()
    sub.writer.open = False
    for seq in range(1, 6):
        bus.deliver(1, [bid(seq)])
    assert sub.close_code == CLOSE_TRY_AGAIN and not sub.direct
    await asyncio.wait_for(sub.wait_ended(), 1)
    await bus.stop()


async def test_events_coming_fast_go_out_together_in_one_write_each_its_own_message() -> None:
    bus = EventBus(batch_seconds=0.05)
    bus.watchers_interval = 3600  # no watcher-count pushes in the way
    sub = bus.subscribe(1)
    sub.writer = writer = FakeWriter()
    sub.go_direct()
    bus.deliver(1, [bid(1)])  # after a quiet spell: at once (once the bid's callers have run)
    await asyncio.sleep(0)
    assert seqs(writer.messages()) == [1] and writer.writes == 1
    bus.deliver(1, [bid(2)])
    bus.deliver(1, [bid(3), bid(4)])
    assert writer.writes == 1  # within 50 ms of the last batch: they wait for the next one
    await asyncio.sleep(0.08)
    assert seqs(writer.messages()) == [1, 2, 3, 4] and writer.writes == 2
    await asyncio.sleep(0.06)
    bus.deliver(1, [bid(5)])  # quiet again: at once
    await asyncio.sleep(0)
    assert seqs(writer.messages()) == [1, 2, 3, 4, 5] and writer.writes == 3
    await bus.stop()
