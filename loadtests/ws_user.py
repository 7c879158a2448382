"""A locust User that watches ``WS /api/v1/auctions/{id}/live`` (websocket-client under gevent).

Written against ``docs/api-contract.md``: the first message is ``{"type": "snapshot", "auction", "seq"}``,
then ``{"type": "bid", "seq", "amount", "bidder_code", "placed_at", "end_at", "priority"}`` events.

Reported to locust as ``request`` events with ``request_type="WS"``:
- ``connect+snapshot``: time from connecting to the snapshot;
- ``bid-to-broadcast``: time from the bid's ``placed_at`` (the server's receive time, on this machine's
  clock; converted from simulated time with the clock speed read at start) to its delivery here;
- ``seq gap``: a failure if a watcher sees a bid's seq jump (a missed or reordered event).

Locust monkey-patches the standard library with gevent, so ``websocket-client``'s blocking socket
reads yield to the other users. The scenarios include these watchers only with ``LOADTEST_WS=1`` (runner
flag ``--ws``): the endpoint was being built concurrently with this file.
"""

from __future__ import annotations

import json
import time
from typing import Any

import websocket  # websocket-client
from locust import User, between

from . import common


class LiveFeedWatcher(User):
    """A watcher (onlooker) following one auction's live feed. Subclasses pick the auction."""

    abstract = True
    wait_time = between(1, 2)
    session_seconds = (20.0, 60.0)  # how long one watcher stays before reconnecting

    def pick_auction(self) -> int:
        raise NotImplementedError

    def on_start(self) -> None:
        self.clock_speed = 1.0
        self.sim_offset = 0.0  # real = (sim - sim_anchor) / speed + real_anchor
        self.sim_anchor = 0.0
        self.real_anchor = 0.0
        self._calibrate()

    def _calibrate(self) -> None:
        """Map server (simulated) time to this machine's wall clock. At speed 1 the server's clock is
        the wall clock itself (same machine), so placed_at is used as is."""
        import urllib.request

        best = None
        for _ in range(5):  # keep the sample with the shortest round trip: its error is at most RTT/2
            t0 = time.time()
            with urllib.request.urlopen(f"{self.host}/api/v1/clock", timeout=10) as r:
                clock = json.loads(r.read())
            t1 = time.time()
            if best is None or t1 - t0 < best[0]:
                best = (t1 - t0, clock, (t0 + t1) / 2)
        _, clock, midpoint = best
        self.clock_speed = float(clock.get("speed", 1.0))
        self.sim_anchor = common.parse_time(clock["now"])
        self.real_anchor = midpoint

    def _real_time_of(self, server_time: str) -> float:
        sim = common.parse_time(server_time)
        if self.clock_speed == 1.0:
            return sim
        return self.real_anchor + (sim - self.sim_anchor) / self.clock_speed

    def _fire(self, name: str, started: float, elapsed_ms: float, exc: Exception | None = None, size: int = 0) -> None:
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=elapsed_ms,
            response_length=size,
            exception=exc,
            context={},
            start_time=started,
        )

    def watch_once(self, auction_id: int, seconds: float) -> None:  # noqa: C901 - one socket's life: connect, read, report each failure to locust
        url = self.host.replace("http://", "ws://", 1) + f"/api/v1/auctions/{auction_id}/live"
        started = time.time()
        try:
            ws = websocket.create_connection(url, timeout=10, http_no_proxy=["127.0.0.1", "localhost"])
        except Exception as exc:
            self._fire("connect+snapshot", started, (time.time() - started) * 1000, exc)
            time.sleep(1)
            return
        try:
            first = json.loads(ws.recv())
            if first.get("type") != "snapshot":
                raise ValueError(f"first message is {first.get('type')!r}, not a snapshot")
            self._fire("connect+snapshot", started, (time.time() - started) * 1000, size=len(json.dumps(first)))
            last_seq = int(first.get("seq") or 0)
            deadline = time.time() + seconds
            ws.settimeout(2)
            while time.time() < deadline:
                try:
                    raw = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                received = time.time()
                if not raw:
                    break
                event: dict[str, Any] = json.loads(raw)
                if event.get("type") == "closed":
                    break
                if event.get("type") != "bid":
                    continue
                seq = int(event["seq"])
                if seq != last_seq + 1:
                    self._fire("seq gap", received, 0, ValueError(f"seq {seq} after {last_seq}"))
                last_seq = max(last_seq, seq)
                placed = self._real_time_of(event["placed_at"])
                latency_ms = max((received - placed) * 1000, 0.0)
                self._fire("bid-to-broadcast", placed, latency_ms, size=len(raw))
        except Exception as exc:
            self._fire("feed", started, (time.time() - started) * 1000, exc)
        finally:
            try:
                ws.close()
            except Exception:
                pass

    def watch(self) -> None:
        lo, hi = self.session_seconds
        import random

        self.watch_once(self.pick_auction(), random.uniform(lo, hi))
