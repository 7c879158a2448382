"""Accounts: sign-up and the OAuth2 token endpoint (contract: Accounts)."""

from tests.support.identity import id_number
from tests.support.scenes import assert_error


async def test_sign_up_returns_201_with_id_and_username_only(service):
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
