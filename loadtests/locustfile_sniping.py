"""Scenario (a), sniping storm: one hot auction in its last minutes.

Hundreds of bidders react to each other's bids: each reads the auction (GET), and unless it already
leads, bids the current price plus 1..n increments (~90% one), re-bidding on ``bid_too_low`` with the
minimum the server reports. The auction's scheduled end is a couple of minutes after its start, so every
accepted bid extends the end (soft close). Watchers poll the auction and its bid record; with
``LOADTEST_WS=1`` (runner flag ``--ws``) more watchers follow the live feed and report bid-to-broadcast
latency as ``WS`` requests.

Run through the runner: ``.venv-load/bin/python -m loadtests.run --scenario sniping ...``.
"""

from __future__ import annotations

import random

from locust import FastHttpUser, between, task

from loadtests import common
from loadtests.ws_user import LiveFeedWatcher

SEED = common.seed()
HOT = SEED["hot_auction"]
THINK = float(SEED.get("think", 1.0))


class Sniper(FastHttpUser):
    weight = 8
    wait_time = between(0.05 * THINK, 0.5 * THINK)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.me = common.take_bidder()
        self.code = self.me["codes"][str(HOT)]
        self.headers = {"Authorization": f"Bearer {self.me['token']}"}

    @task
    def react(self) -> None:
        resp = self.client.get(f"/api/v1/auctions/{HOT}", name="GET auction", headers=self.headers)
        if resp.status_code != 200:
            return
        auction = resp.json()
        if auction["status"] not in ("live", "announced") or auction.get("leading_code") == self.code:
            return
        common.bid_with_rebids(self.client, HOT, auction, self.me["token"], self.rng)


class Watcher(FastHttpUser):
    """An onlooker refreshing the page: the auction and the new part of its bid record."""

    weight = 2
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.after = 0

    @task(3)
    def auction(self) -> None:
        self.client.get(f"/api/v1/auctions/{HOT}", name="GET auction")

    @task(1)
    def bids(self) -> None:
        resp = self.client.get(f"/api/v1/auctions/{HOT}/bids?after_seq={self.after}", name="GET bids?after_seq")
        if resp.status_code == 200:
            items = resp.json()["items"]
            if items:
                self.after = items[-1]["seq"]


class FeedWatcher(LiveFeedWatcher):
    abstract = not common.ws_enabled()
    weight = 2

    def pick_auction(self) -> int:
        return HOT

    @task
    def follow(self) -> None:
        self.watch()
