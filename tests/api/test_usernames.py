"""Usernames are compared without case: a look-alike ``BIDDER1`` beside ``bidder1`` would let one person
pass for another (migration 0005, ``accounts.username_key``)."""

from tests.support.identity import id_number
from tests.support.scenes import assert_error


async def test_a_username_differing_only_in_case_cannot_sign_up(service):
    await service.api.bidder(username="bidder1")
    for look_alike in ("BIDDER1", "Bidder1", "bIdDeR1"):
        r = await service.client.post(
            "/api/v1/bidders",
            json={"username": look_alike, "password": "password123", "real_name": "李四", "id_number": id_number()},
        )
        assert_error(r, 409, "username_taken")


async def test_login_ignores_the_case_of_the_username(service):
    await service.api.bidder(username="Zhang_San")
    for spelling in ("Zhang_San", "zhang_san", "ZHANG_SAN"):
        r = await service.client.post("/api/v1/auth/token", data={"username": spelling, "password": "password123"})
        assert r.status_code == 200, r.text
        me = await service.client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        assert me.json()["username"] == "Zhang_San"  # the account keeps the spelling it signed up with
    r = await service.client.post("/api/v1/auth/token", data={"username": "ZHANG_SAN", "password": "PASSWORD123"})
    assert_error(r, 401, "invalid_credentials")  # passwords are not case-insensitive
