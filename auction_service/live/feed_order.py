"""Where one live-feed connection stands in its auction's sequence, and what to do with each event.

Pure (no asyncio, no sockets, no storage), so the feed's ordering rules are read and tested alone
(``tests/live/test_feed_order.py``); the socket shell does what it says: ``ws.py`` (the connection's
sender: snapshot, backlog, gap fills from storage, resyncs) and ``bus.py`` (``Subscription.write_direct``,
the bus writing in-step events straight to the socket) both keep one ``FeedOrder`` per connection.

The rules (``docs/live-feed.md``, "Order and completeness"):

* Bids carry ``seq`` 1, 2, 3... per auction, without gaps. A connection sends each bid once, in order.
* A bid at or below the last seq sent was sent already (from the backlog, a gap fill, or another
  process's copy of the event): dropped.
* A bid beyond the next one means the bus lost or reordered some (two processes publishing one auction,
  a Redis outage): the bids in between are read from storage and sent first. If storage does not hold
  them all (yet), the promise cannot be kept: ``GapError``, and the client resumes with ``after_seq``.
* ``status`` and ``closed`` carry the seq of the last bid before them and go out after that bid: the
  bids up to it are read from storage first.
* Counters (``registrations``, ``watchers``) carry no seq and go out as they come.
* Markers (a type starting with ``_``, such as ``_resync``) are never sent: the sender acts on them.
* At the start, the connection stands at the snapshot's seq, or at ``after_seq`` when the client asked
  for the backlog (every stored bid after it is sent first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

Event = Mapping[str, Any]  # a feed message (``contract/events.py``): only "type", "seq", "status" are read here
E = TypeVar("E", bound=Event)

# Where an event stands against the last seq the connection sent.
SENT = "sent"  # a bid already sent: drop it
NEXT = "next"  # send it now
AHEAD = "ahead"  # bids before it are not sent yet: send those (from storage) first


class GapError(Exception):
    """Storage does not (yet) hold bids the feed must send first: the client should resume."""


def _place(kind: str, seq: Any, last_seq: int) -> str:
    if kind == "bid":
        if seq <= last_seq:
            return SENT
        return NEXT if seq == last_seq + 1 else AHEAD
    if kind in ("status", "closed") and isinstance(seq, int) and seq > last_seq:
        return AHEAD
    return NEXT


class FeedOrder:
    """One connection's place in one auction's sequence: the last bid seq and the last status it sent.

    The direct path (``in_step``) and the sender (``place``, ``fill_bound``, ``stored``, ``sent``) apply
    the same rules; both run on the event loop, never at the same time, so they share this state."""

    __slots__ = ("last_seq", "last_status")

    def __init__(self, last_seq: int = 0, last_status: str | None = None) -> None:
        self.last_seq = last_seq
        self.last_status = last_status

    def __repr__(self) -> str:
        return f"FeedOrder(last_seq={self.last_seq}, last_status={self.last_status!r})"

    # ----------------------------------------------------------------- the start
    def start(self, snapshot_seq: int, status: str | None, after_seq: int | None) -> int | None:
        """The snapshot went out: stand at its seq, or at ``after_seq`` when the client asked for the
        backlog. Returns the seq after which stored bids are the backlog, or None (no backlog: whatever
        was committed after the snapshot was read comes as live events, the subscription came first)."""
        self.last_status = status
        if after_seq is None:
            self.last_seq = snapshot_seq
            return None
        self.last_seq = after_seq
        return after_seq

    # ----------------------------------------------------------------- the sender's events
    def place(self, event: Event) -> str:
        """``SENT``, ``NEXT`` or ``AHEAD`` (see the constants)."""
        return _place(event["type"], event.get("seq"), self.last_seq)

    def fill_bound(self, event: Event) -> int:
        """For an ``AHEAD`` event: the stored bids to send before it are those with
        ``last_seq < seq < fill_bound``: up to the bid before it, or up to the bid a status follows."""
        seq: int = event["seq"]
        return seq if event["type"] == "bid" else seq + 1

    def filled(self, event: Event) -> None:
        """After the fill from storage: a bid may go out only right after its predecessor."""
        if event["type"] == "bid" and self.last_seq != event["seq"] - 1:
            raise GapError(f"bid {event['seq']} arrived but bids up to {event['seq'] - 1} are not stored")

    def stored(self, seq: int) -> bool:
        """A bid read from storage (the backlog, a gap fill, a resync): True to send it (now counted as
        sent), False if it was sent already. Seq has no gaps in the table, so a jump means the bids in
        between are not visible yet: ``GapError``."""
        if seq <= self.last_seq:
            return False
        if seq > self.last_seq + 1:
            raise GapError(f"the bids table has no seq {self.last_seq + 1} (yet)")
        self.last_seq = seq
        return True

    def sent(self, event: Event) -> None:
        """The event went out: a bid moves the seq, a status change the status."""
        kind = event["type"]
        if kind == "bid":
            self.last_seq = event["seq"]
        elif kind == "status":
            self.last_status = event.get("status")

    def status_changed(self, status: str) -> bool:
        """After a resync: True (and counted as sent) if storage holds a status this connection has not
        sent; the sender then sends it (and the close, if the auction ended)."""
        if status == self.last_status:
            return False
        self.last_status = status
        return True

    # ----------------------------------------------------------------- the direct path
    def in_step(self, events: Sequence[E]) -> tuple[list[E], int, int, str | None]:
        """What the bus may write straight to the socket now, in order: ``(ready, stop, last_seq,
        last_status)``. ``ready``: the events to write (bids sent already left out); ``stop``: the index
        of the first event it may not write (a seq jump, a status after unsent bids, a marker), from
        which the rest go to the connection's sender (``len(events)`` if none); ``last_seq`` and
        ``last_status``: where the connection stands once ``ready`` is written (``advance`` records it,
        only if the write succeeded)."""
        ready: list[E] = []
        last_seq, last_status = self.last_seq, self.last_status
        for i, event in enumerate(events):
            kind = event["type"]
            place = _place(kind, event.get("seq"), last_seq)
            if place == SENT:
                continue
            if place == AHEAD or kind.startswith("_"):
                return ready, i, last_seq, last_status
            if kind == "bid":
                last_seq = event["seq"]
            elif kind == "status":
                last_status = event.get("status")
            ready.append(event)
        return ready, len(events), last_seq, last_status

    def advance(self, last_seq: int, last_status: str | None) -> None:
        """The direct path wrote what ``in_step`` made ready."""
        self.last_seq = last_seq
        self.last_status = last_status
