"""Scenario (c), court office: staff list lots, schedule new auctions and read /stats while bidding runs.

The market seed (auctions live, bidders registered) runs underneath: market bidders and onlookers keep
bidding and reading while court staff of two courts work. Staff users: list lots and auctions of their
court, read a lot with its rounds, list a new lot and schedule its auction (starting a few seconds later,
sandbox rules), read ``/api/v1/stats`` (whole platform, per court, per category).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from locust import FastHttpUser, between, task

from loadtests import common
from loadtests.locustfile_market import FeedWatcher, LateBidder, MarketBidder, Onlooker  # noqa: F401  (run too)

SEED = common.seed()
STAFF = SEED["staff"]
SPEED = float(SEED["clock_speed"])


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CourtClerk(FastHttpUser):
    weight = 2
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.rng = random.Random()
        who = self.rng.choice(STAFF)
        self.court = who["court"]
        resp = self.client.post(
            "/api/v1/auth/token",
            data=f"username={who['username']}&password={who['password']}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="POST auth/token (staff)",
        )
        self.headers = {"Authorization": f"Bearer {resp.json()['access_token']}"} if resp.status_code == 200 else {}
        self.lots: list[int] = []

    @task(4)
    def list_lots(self) -> None:
        resp = self.client.get(f"/api/v1/lots?court={self.court}&limit=50", name="GET lots?court=")
        if resp.status_code == 200:
            self.lots = [lot["id"] for lot in resp.json()["items"]]

    @task(2)
    def read_lot(self) -> None:
        if self.lots:
            self.client.get(f"/api/v1/lots/{self.rng.choice(self.lots)}", name="GET lot")

    @task(3)
    def list_auctions(self) -> None:
        status = self.rng.choice(("live", "announced", "sold,unsold"))
        self.client.get(f"/api/v1/auctions?court={self.court}&status={status}&limit=50", name="GET auctions?court=")

    @task(3)
    def stats(self) -> None:
        query = self.rng.choice(("", f"?court={self.court}", "?category=residential", "?round=1"))
        self.client.get(f"/api/v1/stats{query}", name="GET stats")

    @task(1)
    def schedule(self) -> None:
        if not self.headers:
            return
        appraisal = self.rng.choice((90, 150, 300)) * 1_000_000
        resp = self.client.post(
            "/api/v1/lots",
            data=json.dumps({"title": "office lot", "category": "machinery", "appraisal": appraisal}),
            headers={**self.headers, "Content-Type": "application/json"},
            name="POST lot",
        )
        if resp.status_code != 201:
            return
        clock = self.client.get("/api/v1/clock", name="GET clock").json()
        now = datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
        start = now + timedelta(seconds=5 * SPEED)
        starting = appraisal * 8 // 10
        body = {
            "starting_price": starting,
            "increment": starting // 200,
            "deposit": starting // 10,
            "start_at": iso(start),
            "end_at": iso(start + timedelta(minutes=30)),
        }
        self.client.post(
            f"/api/v1/lots/{resp.json()['id']}/auctions",
            data=json.dumps(body),
            headers={**self.headers, "Content-Type": "application/json"},
            name="POST lot auction",
        )
