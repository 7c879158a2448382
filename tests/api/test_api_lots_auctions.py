"""Lots, scheduling auctions (listing rules 1-5 under judicial-2016), rounds, listing and reading auctions,
registrations, priority holders and the side states (suspend, resume, withdraw)."""

from datetime import timedelta

from tests.support.scenes import (
    APPRAISAL,
    BIDDER_CODE,
    INCREMENT,
    START_PRICE,
    assert_error,
    assert_utc,
    end_unsold,
    go_to,
    listing_body,
    quick_bidders,
    scene,
    t,
)

AUCTION_FIELDS = {
    "id",
    "lot_id",
    "round",
    "status",
    "appraisal",
    "starting_price",
    "increment",
    "deposit",
    "start_at",
    "scheduled_end_at",
    "end_at",
    "current_price",
    "leading_code",
    "bid_count",
    "extension_count",
    "registrations",
    "server_time",
}

# ----------------------------------------------------------------------------- lots


async def test_staff_list_a_lot_in_their_court(service):
    staff = await service.api.staff(service.services, court="上海市第二中级人民法院")
    r = await service.client.post(
        "/api/v1/lots",
        json={
            "title": "上海市某商铺",
            "category": "commercial",
            "appraisal": 3_000_000_00,
            "description": "临街商铺",
            "case_number": "(2026)沪02执123号",
            "location": "上海市",
        },
        headers=staff,
    )
    assert r.status_code == 201, r.text
    lot = r.json()
    assert isinstance(lot["id"], int)
    assert lot["court"] == "上海市第二中级人民法院"
    assert (lot["title"], lot["category"], lot["appraisal"]) == ("上海市某商铺", "commercial", 3_000_000_00)
    read = (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()
    assert (read["id"], read["court"], read["title"], read["category"], read["appraisal"]) == (
        lot["id"],
        "上海市第二中级人民法院",
        "上海市某商铺",
        "commercial",
        3_000_000_00,
    )
    assert read["auctions"] == []


async def test_every_contract_category_is_accepted(service):
    staff = await service.api.staff(service.services)
    for category in ("residential", "commercial", "land", "vehicle", "equity", "machinery", "other"):
        lot = await service.api.lot(staff, category=category)
        assert lot["category"] == category


async def test_a_lot_lists_its_auctions_of_all_rounds(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    first = await end_unsold(service, staff, lot["id"])
    second = await api.schedule(staff, lot["id"], starting_price=START_PRICE * 4 // 5, start_in=timedelta(days=16))
    read = (await service.client.get(f"/api/v1/lots/{lot['id']}")).json()
    assert [a["id"] for a in read["auctions"]] == [first["id"], second["id"]]
    assert [a["round"] for a in read["auctions"]] == [1, 2]
    assert [a["status"] for a in read["auctions"]] == ["unsold", "announced"]


# ----------------------------------------------------------------------------- listing rules (judicial-2016)


async def _propose(service, staff, lot_id, **kw):
    return await service.client.post(
        f"/api/v1/lots/{lot_id}/auctions", json=listing_body(service.clock.now(), **kw), headers=staff
    )


async def _auctions_of(service, lot_id):
    return (await service.client.get(f"/api/v1/lots/{lot_id}")).json()["auctions"]


async def test_round_one_starting_price_is_at_least_70_percent_of_the_appraisal(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff, appraisal=APPRAISAL)
    r = await _propose(service, staff, lot["id"], starting_price=APPRAISAL * 7 // 10 - 1)
    assert_error(r, 422, "starting_price_below_floor")
    assert await _auctions_of(service, lot["id"]) == []
    r = await _propose(service, staff, lot["id"], starting_price=APPRAISAL * 7 // 10)
    assert r.status_code == 201, r.text
    assert r.json()["round"] == 1


async def test_deposit_is_between_5_and_20_percent_of_the_starting_price(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    for deposit in (START_PRICE // 20 - 1, START_PRICE // 5 + 1, START_PRICE // 100):
        assert_error(await _propose(service, staff, lot["id"], deposit=deposit), 422, "deposit_out_of_range")
    assert await _auctions_of(service, lot["id"]) == []
    for deposit in (START_PRICE // 20, START_PRICE // 10, START_PRICE // 5):  # 5% and 20% are inclusive
        other = await service.api.lot(staff)
        r = await _propose(service, staff, other["id"], deposit=deposit)
        assert r.status_code == 201, r.text
        assert r.json()["deposit"] == deposit


async def test_round_one_announcement_is_30_days_for_real_estate_and_15_for_movables(service):
    staff = await service.api.staff(service.services)
    for category, days in (("residential", 30), ("commercial", 30), ("land", 30), ("vehicle", 15), ("machinery", 15)):
        lot = await service.api.lot(staff, category=category)
        r = await _propose(service, staff, lot["id"], start_in=timedelta(days=days) - timedelta(milliseconds=1))
        assert_error(r, 422, "announcement_too_short")
        assert await _auctions_of(service, lot["id"]) == []
        r = await _propose(service, staff, lot["id"], start_in=timedelta(days=days))
        assert r.status_code == 201, (category, r.text)


async def test_a_vehicle_may_be_announced_16_days_ahead_but_a_flat_may_not(service):
    staff = await service.api.staff(service.services)
    flat = await service.api.lot(staff, category="residential")
    car = await service.api.lot(staff, category="vehicle", appraisal=20_000_000)
    assert_error(await _propose(service, staff, flat["id"], start_in=timedelta(days=16)), 422, "announcement_too_short")
    r = await _propose(
        service, staff, car["id"], starting_price=14_000_000, increment=100_000, start_in=timedelta(days=16)
    )
    assert r.status_code == 201, r.text


async def test_bidding_lasts_at_least_24_hours(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    r = await _propose(service, staff, lot["id"], duration=timedelta(hours=24) - timedelta(milliseconds=1))
    assert_error(r, 422, "bidding_period_too_short")
    r = await _propose(service, staff, lot["id"], duration=timedelta(hours=-1))
    assert_error(r, 422)
    assert await _auctions_of(service, lot["id"]) == []
    r = await _propose(service, staff, lot["id"], duration=timedelta(hours=24))
    assert r.status_code == 201, r.text


async def test_a_start_in_the_past_is_422(service):
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    r = await _propose(service, staff, lot["id"], start_in=timedelta(days=-1))
    assert_error(r, 422)
    assert await _auctions_of(service, lot["id"]) == []


async def test_a_lot_with_an_open_auction_cannot_get_another(service):
    s = await scene(service, bidders=0, live=False)
    assert_error(await _propose(service, s.staff, s.lot["id"]), 409)
    await go_to(service, s.start_at)  # live
    assert_error(await _propose(service, s.staff, s.lot["id"], start_in=timedelta(days=31)), 409)
    assert len(await _auctions_of(service, s.lot["id"])) == 1


async def test_a_sold_lot_cannot_be_listed_again(service):
    s = await scene(service, bidders=1, live=True)
    assert (await service.api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    await go_to(service, s.end_at)
    assert_error(await _propose(service, s.staff, s.lot["id"]), 409)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/settlement", json={"outcome": "paid"}, headers=s.staff)
    assert r.status_code == 200, r.text
    assert_error(await _propose(service, s.staff, s.lot["id"]), 409)
    assert len(await _auctions_of(service, s.lot["id"])) == 1


async def test_rounds_go_1_then_2_then_sale_after_each_failure_and_stop_after_the_sale(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    first = await end_unsold(service, staff, lot["id"])
    assert first["round"] == 1
    # round 2: at least 80% of round 1's starting price, announced 15 days ahead for real estate
    floor = START_PRICE * 4 // 5
    r = await _propose(service, staff, lot["id"], starting_price=floor - 1, start_in=timedelta(days=16))
    assert_error(r, 422, "price_cut_too_deep")
    r = await _propose(
        service, staff, lot["id"], starting_price=floor, start_in=timedelta(days=15) - timedelta(seconds=1)
    )
    assert_error(r, 422, "announcement_too_short")
    assert len(await _auctions_of(service, lot["id"])) == 1
    second = await end_unsold(service, staff, lot["id"], starting_price=floor, start_in=timedelta(days=15))
    assert second["round"] == 2
    # 变卖: the sale at round 2's starting price
    r = await _propose(service, staff, lot["id"], starting_price=floor - INCREMENT, start_in=timedelta(days=1))
    assert_error(r, 422)
    sale = await end_unsold(
        service, staff, lot["id"], starting_price=floor, deposit=floor, start_in=timedelta(days=1),
        duration=timedelta(days=60),  # rule 19: the sale lasts its whole window
    )  # fmt: skip
    assert sale["round"] == "sale"
    # after the fixed-price sale fails, the lot is concluded
    assert_error(
        await _propose(service, staff, lot["id"], starting_price=floor, deposit=floor, start_in=timedelta(days=1)), 409
    )
    rounds = [a["round"] for a in await _auctions_of(service, lot["id"])]
    assert rounds == [1, 2, "sale"]


async def test_a_re_auction_is_announced_within_30_days_of_the_failure(service):
    api = service.api
    staff = await api.staff(service.services)
    lot = await api.lot(staff)
    first = await end_unsold(service, staff, lot["id"])
    await go_to(service, t(first["end_at"]) + timedelta(days=30, seconds=1))
    r = await _propose(service, staff, lot["id"], starting_price=START_PRICE * 4 // 5, start_in=timedelta(days=16))
    assert_error(r, 422)
    assert len(await _auctions_of(service, lot["id"])) == 1


async def test_round_two_of_a_vehicle_needs_only_7_days_notice(service):
    api = service.api
    staff = await api.staff(service.services)
    car = await api.lot(staff, category="vehicle", appraisal=20_000_000)
    await end_unsold(
        service, staff, car["id"], starting_price=14_000_000, increment=100_000, start_in=timedelta(days=16)
    )
    r = await _propose(
        service,
        staff,
        car["id"],
        starting_price=11_200_000,
        increment=100_000,
        start_in=timedelta(days=7) - timedelta(seconds=1),
    )
    assert_error(r, 422, "announcement_too_short")
    r = await _propose(
        service, staff, car["id"], starting_price=11_200_000, increment=100_000, start_in=timedelta(days=7)
    )
    assert r.status_code == 201, r.text
    assert r.json()["round"] == 2


# ----------------------------------------------------------------------------- reading auctions


async def test_an_auction_has_every_contract_field_and_no_price_before_the_first_bid(service):
    s = await scene(service, bidders=2, live=False)
    a = await service.api.auction(s.id)
    assert AUCTION_FIELDS <= set(a), AUCTION_FIELDS - set(a)
    assert a["id"] == s.id and a["lot_id"] == s.lot["id"]
    assert a["round"] == 1 and a["status"] == "announced"
    assert (a["appraisal"], a["starting_price"], a["increment"], a["deposit"]) == (
        APPRAISAL,
        START_PRICE,
        INCREMENT,
        START_PRICE // 10,
    )
    assert a["current_price"] is None and a["leading_code"] is None
    assert (a["bid_count"], a["extension_count"], a["registrations"]) == (0, 0, 2)
    assert assert_utc(a["start_at"]) == service.clock.now() + timedelta(days=31)
    assert assert_utc(a["scheduled_end_at"]) == assert_utc(a["end_at"]) == s.start_at + timedelta(hours=24)
    assert assert_utc(a["server_time"]) == service.clock.now()
    # the creation answer is the same auction
    assert AUCTION_FIELDS <= set(s.auction)
    await go_to(service, s.start_at)
    a = await service.api.auction(s.id)
    assert a["status"] == "live" and a["current_price"] is None and a["leading_code"] is None
    assert (await service.api.bid(s.bidders[1], s.id, START_PRICE)).status_code == 201
    a = await service.api.auction(s.id)
    assert (a["current_price"], a["leading_code"], a["bid_count"]) == (START_PRICE, s.codes[1], 1)


async def test_the_auction_list_filters_by_status_court_and_category(service):
    api = service.api
    sz = await api.staff(service.services, court="深圳市中级人民法院")
    bj = await api.staff(service.services, court="北京市第一中级人民法院")
    flat = await api.lot(sz, category="residential")
    car = await api.lot(sz, category="vehicle", appraisal=20_000_000)
    shop = await api.lot(bj, category="commercial")
    a_flat = await api.schedule(sz, flat["id"])
    a_car = await api.schedule(sz, car["id"], starting_price=14_000_000, increment=100_000, start_in=timedelta(days=40))
    a_shop = await api.schedule(bj, shop["id"])
    await go_to(service, t(a_flat["start_at"]))  # flat and shop live, car announced

    async def ids(**params):
        r = await service.client.get("/api/v1/auctions", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(body["items"])
        for item in body["items"]:
            assert AUCTION_FIELDS <= set(item)
        return sorted(i["id"] for i in body["items"])

    assert await ids() == sorted([a_flat["id"], a_car["id"], a_shop["id"]])
    assert await ids(status="live") == sorted([a_flat["id"], a_shop["id"]])
    assert await ids(status="announced") == [a_car["id"]]
    assert await ids(court="深圳市中级人民法院") == sorted([a_flat["id"], a_car["id"]])
    assert await ids(court="北京市第一中级人民法院") == [a_shop["id"]]
    assert await ids(category="vehicle") == [a_car["id"]]
    assert await ids(category="residential", status="live") == [a_flat["id"]]
    assert await ids(court="北京市第一中级人民法院", category="vehicle") == []
    assert await ids(status="sold") == []
    assert_error(await service.client.get("/api/v1/auctions", params={"status": "open"}), 422)
    page = (await service.client.get("/api/v1/auctions", params={"limit": 1})).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    rest = (await service.client.get("/api/v1/auctions", params={"limit": 5, "offset": 1})).json()
    assert len(rest["items"]) == 2
    assert {i["id"] for i in rest["items"]} | {page["items"][0]["id"]} == {a_flat["id"], a_car["id"], a_shop["id"]}


async def test_the_status_filter_agrees_with_the_status_it_reports(service):
    """The status is driven by time (an auction is unsold at its end whether or not the close job has
    run): listing by status must agree with the status each item reports."""
    s = await scene(service, bidders=0, live=True)
    await service.services.scheduler.stop()  # the close job lags behind (a busy or restarting service)
    service.clock.set(s.end_at)
    assert (await service.api.auction(s.id))["status"] == "unsold"
    for status in ("announced", "live", "sold", "unsold"):
        body = (await service.client.get("/api/v1/auctions", params={"status": status})).json()
        assert [i["status"] for i in body["items"]] == [status] * len(body["items"]), (status, body["items"])
    unsold = (await service.client.get("/api/v1/auctions", params={"status": "unsold"})).json()
    assert [i["id"] for i in unsold["items"]] == [s.id] and unsold["total"] == 1


# ----------------------------------------------------------------------------- registrations


async def test_registration_freezes_the_deposit_and_gives_a_stable_code(service):
    s = await scene(service, bidders=0, live=False)
    bidder = await service.api.bidder()
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=bidder)
    assert r.status_code == 201, r.text
    reg = r.json()
    assert BIDDER_CODE.match(reg["bidder_code"]), reg
    assert reg["deposit"] == START_PRICE // 10
    assert reg["deposit_status"] == "frozen"
    assert reg["priority_rank"] is None
    again = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=bidder)
    assert again.status_code == 200, again.text
    assert again.json()["bidder_code"] == reg["bidder_code"]
    assert again.json()["deposit_status"] == "frozen"
    assert (await service.api.auction(s.id))["registrations"] == 1


async def test_bidder_codes_are_distinct_within_an_auction(service):
    s = await scene(service, bidders=0, live=False)
    for bidder in await quick_bidders(service, 30):
        s.codes.append((await service.api.register(bidder, s.id))["bidder_code"])
    assert len(set(s.codes)) == 30
    assert all(BIDDER_CODE.match(c) for c in s.codes)


async def test_registration_stays_open_while_live_and_closes_at_the_end(service):
    s = await scene(service, bidders=1, live=True)
    late = await service.api.bidder()
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=late)
    assert r.status_code == 201, r.text
    service.clock.set(s.end_at)  # the end has come; the close job has not run yet
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=await service.api.bidder())
    assert_error(r, 409, "registration_closed")
    await service.settle()
    r = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=await service.api.bidder())
    assert_error(r, 409, "registration_closed")
    assert (await service.api.auction(s.id))["registrations"] == 2


async def test_priority_holders_are_declared_by_staff_and_show_on_the_registration(service):
    s = await scene(service, bidders=0, live=False)
    api = service.api
    tenant = await api.bidder(username="tenant_li")
    co_owner = await api.bidder(username="coowner_wu")
    # declared before registering
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": "tenant_li", "rank": 2}, headers=s.staff
    )
    assert r.status_code == 201, r.text
    assert (await api.register(tenant, s.id))["priority_rank"] == 2
    # declared after registering
    assert (await api.register(co_owner, s.id))["priority_rank"] is None
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": "coowner_wu", "rank": 1}, headers=s.staff
    )
    assert r.status_code == 201, r.text
    again = await service.client.post(f"/api/v1/auctions/{s.id}/registrations", headers=co_owner)
    assert again.status_code == 200 and again.json()["priority_rank"] == 1
    # only staff declare them
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": "tenant_li", "rank": 1}, headers=tenant
    )
    assert_error(r, 403)
    r = await service.client.post(
        f"/api/v1/auctions/{s.id}/priority-holders", json={"username": "tenant_li", "rank": 0}, headers=s.staff
    )
    assert_error(r, 422)


# ----------------------------------------------------------------------------- suspend, resume, withdraw


async def test_withdraw_before_bidding_starts_and_not_after(service):
    s = await scene(service, bidders=1, live=False)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/withdraw", json={"reason": "当事人和解"}, headers=s.staff)
    assert r.status_code == 200, r.text
    assert (await service.api.auction(s.id))["status"] == "withdrawn"
    await go_to(service, s.start_at)
    assert (await service.api.auction(s.id))["status"] == "withdrawn"  # the scheduler does not open it
    assert_error(await service.api.bid(s.bidders[0], s.id, START_PRICE), 409, "auction_not_live")
    # a withdrawn auction does not block a new round 1 of the lot
    r = await _propose(service, s.staff, s.lot["id"])
    assert r.status_code == 201, r.text
    assert r.json()["round"] == 1

    live = await scene(service, bidders=1, live=True)
    r = await service.client.post(f"/api/v1/auctions/{live.id}/withdraw", json={"reason": "太晚"}, headers=live.staff)
    assert_error(r, 409)
    assert (await service.api.auction(live.id))["status"] == "live"


async def test_a_withdrawal_names_one_of_the_legal_grounds_and_the_note_is_added_to_it(service):
    s = await scene(service, bidders=1, live=False)
    url = f"/api/v1/auctions/{s.id}/withdraw"
    error = assert_error(await service.client.post(url, json={}, headers=s.staff), 422, "ground_required")
    assert "debt_paid" in error["grounds"]
    # the provision the grounds come from, as the rules digest cites it (rule 20: AUC Art. 17)
    assert error["basis"] == "AUC Art. 17 (2020 text)"
    assert_error(await service.client.post(url, json={"ground": "bored"}, headers=s.staff), 422, "unknown_ground")
    assert_error(await service.client.post(url, json={"ground": "other"}, headers=s.staff), 422, "reason_required")
    assert (await service.api.auction(s.id))["status"] == "announced"  # nothing changed

    body = {"ground": "debt_paid", "reason": "被执行人已于当日缴清全部款项"}
    r = await service.client.post(url, json=body, headers=s.staff)
    assert r.status_code == 200, r.text
    r = await service.client.get(f"/api/v1/lots/{s.lot['id']}/actions", headers=s.staff)
    [entry] = [a for a in r.json()["items"] if a["action"] == "auction_withdrawn"]
    assert entry["after"]["ground"] == "debt_paid"
    assert entry["after"]["basis"] == "AUC Art. 17 (2020 text)"
    assert entry["reason"] == "被执行人全部履行了法律文书确定的金钱债务：被执行人已于当日缴清全部款项"


async def test_suspend_stops_bidding_and_resume_restarts_it(service):
    s = await scene(service, bidders=2, live=True)
    api = service.api
    assert (await api.bid(s.bidders[0], s.id, START_PRICE)).status_code == 201
    r = await service.client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "案外人异议"}, headers=s.staff)
    assert r.status_code == 200, r.text
    assert (await api.auction(s.id))["status"] == "suspended"
    assert_error(await api.bid(s.bidders[1], s.id, START_PRICE + INCREMENT), 409, "auction_not_live")
    # suspended twice, or withdrawn after bidding started: refused
    r = await service.client.post(f"/api/v1/auctions/{s.id}/suspend", json={"reason": "again"}, headers=s.staff)
    assert_error(r, 409)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/withdraw", json={"reason": "x"}, headers=s.staff)
    assert_error(r, 409)
    r = await service.client.post(f"/api/v1/auctions/{s.id}/resume", headers=s.staff)
    assert r.status_code == 200, r.text
    state = await api.auction(s.id)
    assert state["status"] == "live"
    assert state["bid_count"] == 1 and state["current_price"] == START_PRICE
    assert (await api.bid(s.bidders[1], s.id, START_PRICE + INCREMENT)).status_code == 201
    # resuming a live auction is refused
    assert_error(await service.client.post(f"/api/v1/auctions/{s.id}/resume", headers=s.staff), 409)


async def test_an_ended_auction_cannot_be_suspended_or_withdrawn(service):
    s = await scene(service, bidders=1, live=True)
    await go_to(service, s.end_at)
    for path in ("suspend", "withdraw"):
        r = await service.client.post(f"/api/v1/auctions/{s.id}/{path}", json={"reason": "x"}, headers=s.staff)
        assert_error(r, 409)
    assert (await service.api.auction(s.id))["status"] == "unsold"


async def test_suspend_and_withdraw_need_a_reason(service):
    s = await scene(service, bidders=0, live=False)
    for body in (None, {}, {"reason": ""}, {"reason": 5}):
        r = await service.client.post(f"/api/v1/auctions/{s.id}/suspend", json=body, headers=s.staff)
        assert_error(r, 422)
    assert (await service.api.auction(s.id))["status"] == "announced"
