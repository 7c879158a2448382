"""``GET /metrics``: the Prometheus counters move with what the service does, with bounded labels.

The registry is the process's (several apps run in one test process), so each test compares a reading
before with one after, never absolute values."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from auction_service.app import create_app
from auction_service.clock import ManualClock
from auction_service.live.bus import EventBus
from auction_service.metrics import measure
from tests.conftest import START, WEB_ROOT, make_settings
from tests.support.live import live_auction, recv_type, token_of, ws_connect, ws_url
from tests.support.scenes import INCREMENT, START_PRICE, assert_error, go_to, scene

SLOW = "auction_live_slow_consumers_closed_total"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def read_metrics(service) -> Samples:
    r = await service.client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(r.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_bid_decisions_are_counted_by_outcome_code(service):
    s = await scene(service, bidders=2, live=True)
    a, b = s.bidders
    before = await read_metrics(service)
    assert (await service.api.bid(a, s.id, START_PRICE)).status_code == 201
    assert_error(await service.api.bid(b, s.id, START_PRICE), 409, "bid_too_low")
    assert_error(await service.api.bid(b, s.id, START_PRICE - INCREMENT), 409, "bid_too_low")
    assert_error(await service.api.bid(b, s.id, START_PRICE + INCREMENT + 1), 409, "bid_not_on_increment")
    assert (await service.api.bid(b, s.id, START_PRICE + INCREMENT)).status_code == 201
    after = await read_metrics(service)

    assert moved(before, after, "auction_bids_total", outcome="accepted") == 2
    assert moved(before, after, "auction_bids_total", outcome="bid_too_low") == 2
    assert moved(before, after, "auction_bids_total", outcome="bid_not_on_increment") == 1
    # an accepted bid's time to its commit, and the group commits that carried the two bids
    assert moved(before, after, "auction_bid_seconds_count") == 2
    assert moved(before, after, "auction_group_commit_seconds_count") >= 1
    assert moved(before, after, "auction_group_commit_bids_sum") == 2
    # no label names an auction, an account or a path: the series do not grow with traffic
    labels = {name for (metric, pairs) in after for name, _ in pairs if metric.startswith("auction_")}
    assert labels <= {"outcome", "engine", "le"}


async def test_database_pools_are_reported_per_engine(service):
    samples = await read_metrics(service)
    engines = {dict(pairs)["engine"] for (name, pairs) in samples if name == "auction_db_pool_size"}
    assert "write" in engines
    for engine in engines:
        assert value(samples, "auction_db_pool_size", engine=engine) >= 1
        assert value(samples, "auction_db_pool_in_use", engine=engine) >= 0


async def test_the_scheduler_reports_how_late_it_picked_up_a_due_close(service):
    s = await scene(service, bidders=1, live=True)
    before = await read_metrics(service)
    await go_to(service, s.end_at)
    assert (await service.api.auction(s.id))["status"] == "unsold"
    after = await read_metrics(service)
    assert moved(before, after, "auction_scheduler_lag_seconds_count") >= 1
    # the manual clock was set exactly to the end: picked up with no lag at all
    assert moved(before, after, "auction_scheduler_lag_seconds_bucket", le="0.005") >= 1


@pytest.mark.parametrize("rules", ["sandbox"])
async def test_watchers_and_broadcasts_are_measured(live_server):
    auction, heads = await live_auction(live_server, bidders=1)
    before = await read_metrics(live_server)
    async with ws_connect(ws_url(live_server, auction["id"], token=token_of(heads[0]))) as ws:
        await recv_type(ws, {"snapshot"})
        during = await read_metrics(live_server)
        assert moved(before, during, "auction_live_connections") == 1
        assert (await live_server.api.bid(heads[0], auction["id"], auction["starting_price"])).status_code == 201
        await recv_type(ws, {"bid"})
        after = await read_metrics(live_server)
    assert moved(during, after, "auction_live_broadcast_seconds_count") >= 1
    for _ in range(100):  # the handler's end runs just after the close
        final = await read_metrics(live_server)
        if moved(before, final, "auction_live_connections") == 0:
            break
    assert moved(before, final, "auction_live_connections") == 0


async def test_a_watcher_that_falls_behind_is_counted_as_a_slow_consumer():
    bus = EventBus(queue_size=2)
    sub = bus.subscribe(7)
    before = REGISTRY.get_sample_value(SLOW) or 0.0
    for seq in range(1, 4):
        sub.offer({"type": "bid", "seq": seq})
    assert sub.ended
    assert REGISTRY.get_sample_value(SLOW) - before == 1


async def test_metrics_can_be_switched_off(db_url):
    settings = make_settings(db_url).model_copy(update={"metrics": False})
    app = create_app(settings, clock=ManualClock(START), migrate_on_start=False, web_root=WEB_ROOT)
    try:
        async with app.api.router.lifespan_context(app.api):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                assert_error(await client.get("/metrics"), 404, "not_found")
        assert not measure.on
        measure.bid_refused("bid_too_low")  # a no-op while off
    finally:
        measure.enable(True)
