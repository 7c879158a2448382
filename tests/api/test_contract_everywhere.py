"""The contract on every route: a body that cannot be read as JSON (bytes that are not UTF-8, nesting
100,000 deep, an integer of 5,000 digits) is 422 like any malformed input, not 400; a key repeated in
one JSON object is refused on every JSON route (``api/strict_json.py``), as on the bid edge; a validly
signed token whose claims have the wrong type is 401, never a 500. A form that cannot be read (multipart
without a boundary, a part without its headers) is 422 ``invalid_form`` too, not Starlette's 400."""

from __future__ import annotations

import jwt
import pytest

from tests.support.scenes import assert_error

SECRET = "test-secret-key-0123456789abcdef"  # the suite's signing key (tests/conftest.make_settings)
SIGN_UP = "/api/v1/bidders"


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00not utf-8",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"username": ' + b"9" * 5_000 + b"}",
    ],
    ids=["not-utf8", "deep", "huge-integer"],
)
async def test_an_unreadable_json_body_is_422(service, body: bytes) -> None:
    r = await service.client.post(SIGN_UP, content=body, headers={"Content-Type": "application/json"})
    assert_error(r, 422)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=b", b"--b\r\n\xf3\xbc\x9f\xbe--b--\r\n"),  # a part without its headers
        ("multipart/form-data", b"username=a&password=b"),  # no boundary
    ],
    ids=["part-without-headers", "no-boundary"],
)
async def test_an_unreadable_form_is_422_on_both_form_routes(service, content_type: str, body: bytes) -> None:
    staff = await service.api.staff(service.services)
    lot = await service.api.lot(staff)
    for path, head in (("/api/v1/auth/token", {}), (f"/api/v1/lots/{lot['id']}/documents", staff)):
        r = await service.client.post(path, content=body, headers=head | {"Content-Type": content_type})
        assert_error(r, 422, "invalid_form")
    assert (await service.client.get(f"/api/v1/lots/{lot['id']}/documents")).json()["items"] == []


async def test_a_repeated_key_is_refused_on_every_json_route_and_creates_nothing(service) -> None:
    body = b'{"username": "first1", "username": "second2", "password": "password123", "real_name": "\xe6\x9d\x8e"}'
    r = await service.client.post(SIGN_UP, content=body, headers={"Content-Type": "application/json"})
    assert_error(r, 422, "duplicate_key")
    for name in ("first1", "second2"):
        login = await service.client.post("/api/v1/auth/token", data={"username": name, "password": "password123"})
        assert login.status_code == 401
    nested = b'{"username": "nest1", "password": "password123", "real_name": "x", "x": {"a": 1, "a": 2}}'
    r = await service.client.post(SIGN_UP, content=nested, headers={"Content-Type": "application/json"})
    assert_error(r, 422, "duplicate_key")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "abc"},
        {"sub": str(10**30)},
        {"sub": 10**30},
        {"sub": "0"},
        {"sub": "1", "court": "abc"},
        {"sub": "1", "role": ["admin"]},
        {"sub": "1", "usr": 5},
    ],
)
async def test_a_signed_token_with_claims_of_the_wrong_type_is_401(service, claims: dict) -> None:
    token = jwt.encode({"usr": "x", "role": "bidder", "exp": 2**40} | claims, SECRET, algorithm="HS256")
    r = await service.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(r, 401)
