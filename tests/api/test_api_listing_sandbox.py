"""Listing rules under the ``sandbox`` profile: the same as judicial-2016 except rules 4 and 5 (any future
start, any positive bidding period)."""

from datetime import timedelta

import pytest

from tests.support.scenes import APPRAISAL, START_PRICE, assert_error, end_unsold, listing_body


@pytest.fixture
def rules():
    return "sandbox"


async def _propose(service, staff, lot_id, **kw):
    return await service.client.post(
        f"/api/v1/lots/{lot_id}/auctions", json=listing_body(service.clock.now(), **kw), headers=staff
    )


async def test_the_sandbox_lets_an_auction_start_at_once_and_run_one_minute(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    r = await _propose(service, staff, lot["id"], start_in=timedelta(milliseconds=1), duration=timedelta(minutes=1))
    assert r.status_code == 201, r.text
    assert r.json()["round"] == 1


async def test_the_sandbox_still_wants_a_future_start_and_a_positive_period(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    assert_error(await _propose(service, staff, lot["id"], start_in=timedelta(0)), 422)
    assert_error(await _propose(service, staff, lot["id"], start_in=-timedelta(minutes=1)), 422)
    r = await _propose(service, staff, lot["id"], start_in=timedelta(minutes=1), duration=timedelta(0))
    assert_error(r, 422, "bidding_period_too_short")
    r = await _propose(service, staff, lot["id"], start_in=timedelta(minutes=1), duration=-timedelta(minutes=1))
    assert_error(r, 422, "bidding_period_too_short")
    assert (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()["auctions"] == []


async def test_the_sandbox_keeps_the_price_and_deposit_rules(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff, appraisal=APPRAISAL)
    soon = {"start_in": timedelta(minutes=1), "duration": timedelta(minutes=10)}
    r = await _propose(service, staff, lot["id"], starting_price=APPRAISAL * 7 // 10 - 1, **soon)
    assert_error(r, 422, "starting_price_below_floor")
    r = await _propose(service, staff, lot["id"], deposit=START_PRICE // 20 - 1, **soon)
    assert_error(r, 422, "deposit_out_of_range")
    r = await _propose(service, staff, lot["id"], deposit=START_PRICE // 5 + 1, **soon)
    assert_error(r, 422, "deposit_out_of_range")
    first = await end_unsold(service, staff, lot["id"], **soon)
    assert first["round"] == 1
    r = await _propose(service, staff, lot["id"], starting_price=START_PRICE * 4 // 5 - 1, **soon)
    assert_error(r, 422, "price_cut_too_deep")
    r = await _propose(service, staff, lot["id"], starting_price=START_PRICE * 4 // 5, **soon)
    assert r.status_code == 201, r.text
    assert r.json()["round"] == 2
    assert_error(await _propose(service, staff, lot["id"], starting_price=START_PRICE, **soon), 409)


async def test_sandbox_rounds_run_1_then_2_then_sale(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    soon = {"start_in": timedelta(seconds=1), "duration": timedelta(minutes=1)}
    rounds = []
    sale_price = START_PRICE * 4 // 5
    for price, deposit in ((START_PRICE, None), (sale_price, None), (sale_price, sale_price)):
        auction = await end_unsold(service, staff, lot["id"], starting_price=price, deposit=deposit, **soon)
        rounds.append(auction["round"])
    assert rounds == [1, 2, "sale"]
    assert_error(await _propose(service, staff, lot["id"], starting_price=START_PRICE * 4 // 5, **soon), 409)
