"""The bounded, rate-limit-aware retry helper, against nio response objects built here."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from nio import RoomSendError, RoomSendResponse

from bot.chat.matrix import MatrixAdapter, MatrixError, send_with_retry, strip_reply_fallback


class Script:
    """Returns (or raises) the scripted outcomes in order; records the sleeps asked for."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0
        self.sleeps: list[float] = []

    async def __call__(self) -> Any:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def limited(ms: int | None) -> RoomSendError:
    return RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", ms, False, "!r:localhost")


def ok() -> RoomSendResponse:
    return RoomSendResponse("$event", "!r:localhost")


class RateLimitedException(Exception):
    status_code = "M_LIMIT_EXCEEDED"
    retry_after_ms = 250


async def test_waits_retry_after_then_succeeds() -> None:
    script = Script(limited(1200), limited(None), ok())
    result = await send_with_retry(script, sleep=script.sleep)
    assert isinstance(result, RoomSendResponse) and result.event_id == "$event"
    assert script.calls == 3
    assert script.sleeps == [1.2, 1.0]


async def test_wait_is_capped() -> None:
    script = Script(limited(3_600_000), ok())
    await send_with_retry(script, sleep=script.sleep, max_wait_s=5)
    assert script.sleeps == [5]


async def test_gives_up_after_bounded_attempts() -> None:
    script = Script(*[limited(10)] * 3)
    with pytest.raises(MatrixError, match="after 3 attempts"):
        await send_with_retry(script, attempts=3, sleep=script.sleep)
    assert script.calls == 3 and len(script.sleeps) == 2


async def test_other_errors_are_not_retried() -> None:
    script = Script(RoomSendError("forbidden", "M_FORBIDDEN", None, False, "!r:localhost"), ok())
    with pytest.raises(MatrixError, match="M_FORBIDDEN"):
        await send_with_retry(script, sleep=script.sleep)
    assert script.calls == 1


async def test_raised_rate_limit_and_connection_errors_are_retried() -> None:
    script = Script(RateLimitedException(), aiohttp.ClientConnectionError("reset"), TimeoutError(), ok())
    await send_with_retry(script, sleep=script.sleep)
    assert script.sleeps == [0.25, 1.0, 2.0]


async def test_unrelated_exceptions_propagate() -> None:
    script = Script(KeyError("bug"))
    with pytest.raises(KeyError):
        await send_with_retry(script, sleep=script.sleep)


def test_reply_fallback_is_stripped() -> None:
    assert strip_reply_fallback("> <@a:b> earlier\n> more\n\n!news x") == "!news x"
    assert strip_reply_fallback("!news x") == "!news x"


class NoState:
    def get_state(self, key: str) -> str | None:
        return None

    def set_state(self, key: str, value: str) -> None:
        raise AssertionError("not expected")


async def test_command_prefix_parsing() -> None:
    bot = MatrixAdapter(homeserver="http://127.0.0.1:1", user_id="@bot:localhost", access_token="t",
                        conversation=None, state=NoState())  # type: ignore[arg-type]
    assert bot.parse_command("!news casualties today") == "casualties today"
    assert bot.parse_command("!NEWS") == ""
    assert bot.parse_command("!newsletter") is None
    assert bot.parse_command("hello !news") is None
    await bot.client.close()
