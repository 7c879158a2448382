"""The invariant check through the public API alone (``loadtests.run --url``): it passes on what the
service really recorded, and it catches an acknowledged bid the service does not show, a bid record that
disagrees with its audit chain, and a result that names the wrong winner."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from loadtests import check_api
from tests.support.scenes import go_to, scene, t


async def _sold_and_live(live_server):
    """Two auctions of one court: one sold after three bids, one still live (it runs a day longer) with a bid."""
    api = live_server.api
    sold = await scene(live_server, bidders=2, live=False)
    live = await scene(live_server, bidders=1, staff=sold.staff, live=False, duration=timedelta(hours=48))
    await go_to(live_server, sold.start_at)
    price, step = sold.auction["starting_price"], sold.auction["increment"]
    acks = []
    for i, who in enumerate((0, 1, 0)):
        r = await api.bid(sold.bidders[who], sold.auction["id"], price + i * step)
        assert r.status_code == 201, r.text
        acks.append([sold.auction["id"], r.json()["seq"], r.json()["amount"], r.json()["bidder_code"]])
    await go_to(live_server, t((await api.auction(sold.auction["id"]))["end_at"]))
    r = await api.bid(live.bidders[0], live.auction["id"], live.auction["starting_price"])
    assert r.status_code == 201, r.text
    acks.append([live.auction["id"], r.json()["seq"], r.json()["amount"], r.json()["bidder_code"]])
    return sold, live, acks


def _write_acks(directory: Path, acks: list[list]) -> None:
    (directory / "acks-1.jsonl").write_text("".join(json.dumps(a) + "\n" for a in acks))


@pytest.mark.parametrize("rules", ["sandbox"])
async def test_a_run_the_service_recorded_passes(live_server, tmp_path):
    sold, live, acks = await _sold_and_live(live_server)
    _write_acks(tmp_path, acks)
    token = sold.staff["Authorization"].split()[1]
    report = await check_api.check_async(
        live_server.base_url, token, [sold.auction["id"], live.auction["id"]], tmp_path
    )
    assert not report.failed, report.table()
    assert report.checked["acknowledged bid stored"] == 4
    assert report.checked["audit chain valid, head = last bid"] == 2
    assert report.checked["published result = top bid"] == 1
    assert report.facts["status_sold"] == 1 and report.facts["status_live"] == 1


@pytest.mark.parametrize("rules", ["sandbox"])
async def test_an_acknowledged_bid_the_service_does_not_show_is_a_violation(live_server, tmp_path):
    sold, live, acks = await _sold_and_live(live_server)
    acks.append([live.auction["id"], 2, live.auction["starting_price"] + live.auction["increment"], "ZZZZ"])
    _write_acks(tmp_path, acks)
    token = sold.staff["Authorization"].split()[1]
    report = await check_api.check_async(
        live_server.base_url, token, [sold.auction["id"], live.auction["id"]], tmp_path
    )
    assert report.violations["acknowledged bid stored"], report.table()


def test_published_facts_that_disagree_are_violations():
    """The audit's head and the published result are compared with the bid record itself."""
    bids = [
        {"seq": 1, "amount": 100, "bidder_code": "A1", "chain_hash": "h1"},
        {"seq": 2, "amount": 110, "bidder_code": "B2", "chain_hash": "h2"},
    ]
    read = {
        "auction": {"id": 7, "status": "sold"},
        "bids": bids,
        "audit": {"valid": True, "bids": 2, "head": "h1"},  # a head that is not the last bid's hash
        "result": {"outcome": "sold", "price": 110, "winner_code": "A1"},  # not the top bidder
    }
    report = check_api.Report()
    check_api.check_published([read], report)
    assert report.violations["audit chain valid, head = last bid"]
    assert report.violations["published result = top bid"]


def test_an_auction_is_taken_only_once_its_close_is_done():
    ended = {"status": "sold", "leading_code": "A1"}
    frozen_loser = {
        "items": [{"bidder_code": "A1", "deposit_status": "frozen"}, {"bidder_code": "B2", "deposit_status": "frozen"}]
    }
    released_loser = {
        "items": [
            {"bidder_code": "A1", "deposit_status": "frozen"},
            {"bidder_code": "B2", "deposit_status": "released"},
        ]
    }
    assert not check_api._close_done(ended, frozen_loser)
    assert check_api._close_done(ended, released_loser)
    assert check_api._close_done({"status": "live", "leading_code": "A1"}, frozen_loser)
