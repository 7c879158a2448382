"""Accounts: sign-up and the OAuth2 token endpoint (contract: Accounts). The sign-up's 201 also carries
the new account's token (an addition): the same token the token endpoint issues, for that account alone,
and never on a refusal."""

import jwt

from bidder_client.client import AuctionClient
from tests.support.identity import id_number
from tests.support.scenes import assert_error

SECRET = "test-secret-key-0123456789abcdef"  # the suite's signing key (tests/conftest.make_settings)
TOKEN_KEYS = {"access_token", "token_type", "role", "account_role", "expires_in"}


async def sign_up(service, username: str, **fields: str):
    body = {"username": username, "password": "password123", "real_name": "钱九", "id_number": id_number()}
    return await service.client.post("/api/v1/bidders", json=body | fields)


async def test_sign_up_returns_201_with_id_and_username(service):
    r = await service.client.post(
        "/api/v1/bidders",
        json={"username": "wang_wu", "password": "password123", "real_name": "王五", "id_number": id_number()},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert isinstance(body["id"], int)
    assert body["username"] == "wang_wu"
    assert "password" not in body and "password_hash" not in body


async def test_a_taken_username_is_409_username_taken(service):
    body = {"username": "zhao_liu", "password": "password123", "real_name": "赵六", "id_number": id_number()}
    assert (await service.client.post("/api/v1/bidders", json=body)).status_code == 201
    r = await service.client.post("/api/v1/bidders", json=body | {"real_name": "另一个人", "id_number": id_number()})
    assert_error(r, 409, "username_taken")


async def test_sign_up_with_malformed_fields_is_422(service):
    for body in (
        {"username": "ok_name", "password": "short", "real_name": "王五", "id_number": id_number()},
        {"username": "ok_name", "password": "password123"},
        {"username": "ok_name", "password": "password123", "real_name": "", "id_number": id_number()},
        {"username": "x", "password": "password123", "real_name": "王五", "id_number": id_number()},
        {"username": "ok_name", "password": 12345678, "real_name": "王五", "id_number": id_number()},
    ):
        r = await service.client.post("/api/v1/bidders", json=body)
        assert_error(r, 422)
    # nothing was created: the name is still free
    r = await service.client.post(
        "/api/v1/bidders",
        json={"username": "ok_name", "password": "password123", "real_name": "王五", "id_number": id_number()},
    )
    assert r.status_code == 201, r.text


async def test_token_endpoint_takes_an_oauth2_form_and_names_the_role(service):
    await service.client.post(
        "/api/v1/bidders",
        json={"username": "sun_qi", "password": "password123", "real_name": "孙七", "id_number": id_number()},
    )
    r = await service.client.post("/api/v1/auth/token", data={"username": "sun_qi", "password": "password123"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert isinstance(body["access_token"], str) and body["access_token"]
    assert body["token_type"] == "bearer"
    assert body["role"] == "bidder"
    # a credential: no cache keeps it (RFC 6749 5.1)
    assert (r.headers["cache-control"], r.headers["pragma"]) == ("no-store", "no-cache")


async def test_staff_tokens_have_role_staff(service):
    await service.api.staff(service.services, username="clerk_role")
    r = await service.client.post("/api/v1/auth/token", data={"username": "clerk_role", "password": "password123"})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "staff"
    assert r.json()["token_type"] == "bearer"


async def test_wrong_password_and_unknown_user_are_401_invalid_credentials(service):
    await service.client.post(
        "/api/v1/bidders",
        json={"username": "zhou_ba", "password": "password123", "real_name": "周八", "id_number": id_number()},
    )
    r = await service.client.post("/api/v1/auth/token", data={"username": "zhou_ba", "password": "password124"})
    assert_error(r, 401, "invalid_credentials")
    r = await service.client.post("/api/v1/auth/token", data={"username": "nobody_here", "password": "password123"})
    assert_error(r, 401, "invalid_credentials")


async def test_token_endpoint_refuses_json_instead_of_a_form(service):
    r = await service.client.post("/api/v1/auth/token", json={"username": "zhou_ba", "password": "password123"})
    assert_error(r, 422)


async def test_the_sign_up_answer_carries_a_token_for_the_new_bidder(service):
    r = await sign_up(service, "qian_jiu")
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"id", "username", *TOKEN_KEYS}
    assert (body["token_type"], body["role"], body["account_role"]) == ("bearer", "bidder", "bidder")
    assert r.headers["cache-control"] == "no-store"  # a credential: no cache keeps it
    bearer = {"Authorization": f"Bearer {body['access_token']}"}

    me = (await service.client.get("/api/v1/me", headers=bearer)).json()
    assert (me["id"], me["username"], me["role"], me["real_name"]) == (body["id"], "qian_jiu", "bidder", "钱九")
    # a call only a bidder may make: registering for an auction
    staff = await service.api.staff(service.services)
    auction = await service.api.schedule(staff, (await service.api.lot(staff))["id"])
    registered = await service.client.post(f"/api/v1/auctions/{auction['id']}/registrations", headers=bearer)
    assert registered.status_code == 201, registered.text
    mine = (await service.client.get("/api/v1/me/registrations", headers=bearer)).json()
    assert [item["auction_id"] for item in mine["items"]] == [auction["id"]]


async def test_the_sign_up_token_is_the_one_the_token_endpoint_issues(service):
    """Same claims (account, name, role, court) and the same lifetime as a login's token."""
    signed_up = (await sign_up(service, "zheng_shi")).json()
    login = await service.client.post("/api/v1/auth/token", data={"username": "zheng_shi", "password": "password123"})
    logged_in = login.json()
    assert {k: v for k, v in signed_up.items() if k in TOKEN_KEYS - {"access_token"}} == {
        k: v for k, v in logged_in.items() if k in TOKEN_KEYS - {"access_token"}
    }
    ours, theirs = (jwt.decode(b["access_token"], SECRET, algorithms=["HS256"]) for b in (signed_up, logged_in))
    lifetime = {k: ours.pop(k) for k in ("iat", "exp")}
    assert lifetime["exp"] - lifetime["iat"] == signed_up["expires_in"]
    assert ours == {k: v for k, v in theirs.items() if k not in ("iat", "exp")}
    assert ours == {"sub": str(signed_up["id"]), "usr": "zheng_shi", "role": "bidder", "court": None}


async def test_only_the_sign_up_that_creates_the_account_carries_a_token(service):
    """A refusal (the name or the person already has an account, a bad field) carries none."""
    number = id_number()
    first = await sign_up(service, "feng_yi", id_number=number)
    assert first.status_code == 201, first.text
    assert first.json()["access_token"]
    refusals = (
        (await sign_up(service, "Feng_Yi"), 409, "username_taken"),
        (await sign_up(service, "feng_er", id_number=number), 409, "id_number_taken"),
        (await sign_up(service, "feng_san", password="short"), 422, None),
    )
    for r, status, code in refusals:
        assert_error(r, status, code)
        assert "access_token" not in r.text and "cache-control" not in r.headers


async def test_the_python_client_keeps_the_sign_ups_token(service):
    """``AuctionClient.sign_up`` needs no ``login`` after it: the calls that follow go as the new bidder."""
    client = AuctionClient("http://test", http=service.client)
    answer = await client.sign_up("chu_qi", "password123", "褚七", id_number())
    assert client.token == answer["access_token"] and client.role == "bidder"
    me = await client.request("GET", "/api/v1/me", expect=(200,))
    assert (me["id"], me["username"]) == (answer["id"], "chu_qi")
