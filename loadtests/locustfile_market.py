"""Scenario (b), market day: hundreds of live auctions, bidders spread over them.

Behaviour from ``docs/domain.md`` (the model of ``auction_sim.agents``): ~30% of auctions draw no
bidder, the others 3-12 registrants; each bidder has a private valuation (a few are committed and go far,
most drop out early); they answer the last bid after the model's response time (median ~31 s, p90
~220 s, < 300 s, divided by the simulated clock's speed, 20x by default so soft closes happen within the
run); ~90% of bids are one increment. Onlookers list and read auctions (they outnumber bidders); late bidders
register during bidding and bid. With ``--ws`` some onlookers follow the live feed instead.
"""

from __future__ import annotations

import random

from locust import FastHttpUser, between, task

from auction_sim import agents as behaviour
from loadtests import common
from loadtests.ws_user import LiveFeedWatcher

SEED = common.seed()
SPEED = float(SEED["clock_speed"])
THINK = float(SEED.get("think", 1.0))
AUCTIONS = {a["id"]: a for a in SEED["auctions"]}
CONTESTED = SEED.get("contested") or list(AUCTIONS)


class MarketBidder(FastHttpUser):
    weight = 6
    wait_time = between(0.05, 0.2)  # the real waiting is the response time below

    def on_start(self) -> None:
        self.rng = random.Random()
        self.me = common.take_bidder()
        self.mine = [int(a) for a in self.me["codes"]]
        self.headers = {"Authorization": f"Bearer {self.me['token']}"}
        self.valuation: dict[int, int] = {}  # private valuation per auction, drawn on first sight

    @task
    def follow_and_bid(self) -> None:
        aid = self.rng.choice(self.mine)
        resp = self.client.get(f"/api/v1/auctions/{aid}", name="GET auction", headers=self.headers)
        if resp.status_code != 200:
            return
        auction = resp.json()
        code = self.me["codes"][str(aid)]
        if aid not in self.valuation:
            self.valuation[aid] = behaviour.draw_valuation(auction["starting_price"], self.rng)
        if auction["status"] == "live" and auction.get("leading_code") != code:
            valuation = self.valuation[aid]
            common.bid_with_rebids(self.client, aid, auction, self.me["token"], self.rng, rebids=1, valuation=valuation)
        self._sleep(common.response_time(self.rng, SPEED, THINK))

    def _sleep(self, seconds: float) -> None:
        import gevent

        gevent.sleep(min(seconds, 15.0))


class LateBidder(FastHttpUser):
    """Registers for a live auction during bidding (deposit frozen), then bids a few times."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.me = common.take_late_bidder()
        self.aid = None

    @task
    def register_then_bid(self) -> None:
        if self.me is None:
            return
        token = self.me["token"]
        if self.aid is None:
            aid = self.rng.choice(CONTESTED)
            with self.client.post(
                f"/api/v1/auctions/{aid}/registrations",
                headers={"Authorization": f"Bearer {token}"},
                name="POST registration",
                catch_response=True,
            ) as resp:
                if resp.status_code in (200, 201):
                    self.aid = aid
                    resp.success()
                elif resp.status_code == 409:  # registration_closed: the auction ended meanwhile
                    resp.success()
                    return
                else:
                    return
        resp = self.client.get(f"/api/v1/auctions/{self.aid}", name="GET auction")
        if resp.status_code == 200 and resp.json()["status"] == "live":
            common.bid_with_rebids(self.client, self.aid, resp.json(), token, self.rng, rebids=1)


class Onlooker(FastHttpUser):
    weight = 3
    wait_time = between(0.5, 3.0)

    def on_start(self) -> None:
        self.rng = random.Random()

    @task(2)
    def browse(self) -> None:
        offset = self.rng.choice((0, 0, 0, 50, 100))
        self.client.get(f"/api/v1/auctions?status=live&limit=50&offset={offset}", name="GET auctions?status=live")

    @task(5)
    def read(self) -> None:
        aid = self.rng.choice(CONTESTED)
        self.client.get(f"/api/v1/auctions/{aid}", name="GET auction")

    @task(1)
    def record(self) -> None:
        aid = self.rng.choice(CONTESTED)
        self.client.get(f"/api/v1/auctions/{aid}/bids", name="GET bids")


class FeedWatcher(LiveFeedWatcher):
    abstract = not common.ws_enabled()
    weight = 3

    def pick_auction(self) -> int:
        return random.choice(CONTESTED)

    @task
    def follow(self) -> None:
        self.watch()
