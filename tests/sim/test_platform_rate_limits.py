"""The simulator's calls to a deployment with rate limits: a 429 is waited out for its Retry-After and
the call tried again (a few times), so a market run slows down instead of failing; a bid refused
`rate_limited` tells the bidder how long to wait."""

from __future__ import annotations

import httpx
import pytest

from auction_sim import platform
from auction_sim.platform import RATE_LIMITED_TRIES, BidAnswer, Platform, PlatformError

LIMITED = {"error": {"code": "rate_limited", "message": "too many sign-ups", "retry_after": 2}}


def service(answers: list[httpx.Response], calls: list[str]) -> httpx.AsyncClient:
    """A stand-in service answering each request with the next of ``answers`` (the last one for ever)."""

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return answers.pop(0) if len(answers) > 1 else answers[0]

    return httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://service")


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the platform sleeps, recorded instead of slept."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(platform.asyncio, "sleep", sleep)
    return slept


async def test_a_sign_up_told_to_wait_waits_its_retry_after_and_goes_through(waits: list[float]) -> None:
    calls: list[str] = []
    answers = [
        httpx.Response(429, json=LIMITED, headers={"Retry-After": "2"}),
        httpx.Response(429, json=LIMITED, headers={"Retry-After": "1"}),
        httpx.Response(201, json={"id": 7, "username": "sim00001"}),
        httpx.Response(200, json={"access_token": "t0k", "token_type": "bearer", "role": "bidder"}),
    ]
    async with service(answers, calls) as client:
        headers = await Platform(client).sign_up("sim00001", "sim-bidder-pass", "模拟竞买人1")
    assert headers == {"Authorization": "Bearer t0k"}
    assert waits == [2.0, 1.0]
    assert calls == ["/api/v1/bidders"] * 3 + ["/api/v1/auth/token"]


async def test_a_call_still_refused_after_its_tries_fails_with_the_services_answer(waits: list[float]) -> None:
    calls: list[str] = []
    async with service([httpx.Response(429, json=LIMITED, headers={"Retry-After": "3"})], calls) as client:
        with pytest.raises(PlatformError) as refused:
            await Platform(client).register({"Authorization": "Bearer b"}, 12)
    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert len(calls) == RATE_LIMITED_TRIES
    assert waits == [3.0] * (RATE_LIMITED_TRIES - 1)


async def test_a_bid_is_not_retried_by_the_platform_but_says_how_long_to_wait(waits: list[float]) -> None:
    calls: list[str] = []
    async with service([httpx.Response(429, json=LIMITED, headers={"Retry-After": "2"})], calls) as client:
        answer = await Platform(client).bid({"Authorization": "Bearer b"}, 12, 70_000_00)
    assert (answer.ok, answer.code, answer.retry_after) == (False, "rate_limited", 2.0)
    assert len(calls) == 1 and waits == []  # the bidder decides again (the kernel), not the platform


def test_a_refusal_without_a_wait_defaults_to_one_second() -> None:
    answer = BidAnswer(False, 409, {"error": {"code": "bid_too_low", "message": "…"}})
    assert answer.retry_after == 1.0


async def test_a_sign_up_uses_the_token_its_answer_carries_and_does_not_log_in(waits: list[float]) -> None:
    calls: list[str] = []
    token = {"access_token": "s1gn", "token_type": "bearer", "role": "bidder"}
    answers = [httpx.Response(201, json={"id": 7, "username": "sim00001"} | token)]
    async with service(answers, calls) as client:
        headers = await Platform(client).sign_up("sim00001", "sim-bidder-pass", "模拟竞买人1")
    assert headers == {"Authorization": "Bearer s1gn"}
    assert calls == ["/api/v1/bidders"]
