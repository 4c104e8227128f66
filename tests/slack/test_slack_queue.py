"""The per-channel send queue on its own: order, spacing, errors, shutdown."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

import pytest

from bot.chat.slack_queue import ChannelSendQueue


def recorder(log: list[tuple[str, int, float]]) -> Callable[[str, int], Callable[[], Awaitable[int]]]:
    def job(channel: str, n: int) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            log.append((channel, n, time.monotonic()))
            await asyncio.sleep(0)
            return n

        return run

    return job


async def test_order_and_spacing_per_channel() -> None:
    log: list[tuple[str, int, float]] = []
    job = recorder(log)
    queue = ChannelSendQueue(interval=0.1)
    results = await asyncio.gather(
        *(queue.submit("A", job("A", i)) for i in range(4)),
        *(queue.submit("B", job("B", i)) for i in range(2)),
    )
    assert results == [0, 1, 2, 3, 0, 1]
    a = [entry for entry in log if entry[0] == "A"]
    b = [entry for entry in log if entry[0] == "B"]
    assert [n for _, n, _ in a] == [0, 1, 2, 3]
    assert all(y[2] - x[2] >= 0.09 for x, y in itertools.pairwise(a))
    assert b[0][2] - a[0][2] < 0.05  # B's first send did not wait behind A
    total = a[-1][2] - a[0][2]
    assert 0.27 <= total < 1.0  # about one interval between each, not more
    await queue.close()


async def test_a_quiet_channel_sends_at_once() -> None:
    queue = ChannelSendQueue(interval=5.0)
    started = time.monotonic()

    async def job() -> str:
        return "ok"

    assert await queue.submit("A", job) == "ok"
    assert time.monotonic() - started < 0.5
    await queue.close()


async def test_errors_reach_the_caller_and_the_lane_goes_on() -> None:
    queue = ChannelSendQueue(interval=0.0)

    async def bad() -> None:
        raise RuntimeError("channel_not_found")

    async def good() -> str:
        return "sent"

    with pytest.raises(RuntimeError, match="channel_not_found"):
        await queue.submit("A", bad)
    assert await queue.submit("A", good) == "sent"
    await queue.close()


async def test_a_caller_giving_up_does_not_cancel_the_send() -> None:
    queue = ChannelSendQueue(interval=0.0)
    sent: list[str] = []

    async def slow() -> None:
        await asyncio.sleep(0.1)
        sent.append("slow")

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.submit("A", slow), 0.01)
    assert await queue.drain(1.0)
    assert sent == ["slow"]
    await queue.close()


async def test_close_sends_what_is_queued_then_refuses() -> None:
    queue = ChannelSendQueue(interval=0.02)
    sent: list[int] = []

    def job(n: int) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            sent.append(n)

        return run

    tasks = [asyncio.create_task(queue.submit("A", job(i))) for i in range(5)]
    await asyncio.sleep(0)
    await queue.close(timeout=2.0)
    await asyncio.gather(*tasks)
    assert sent == [0, 1, 2, 3, 4]

    async def late() -> None:
        return None

    with pytest.raises(RuntimeError, match="closed"):
        await queue.submit("A", late)


async def test_close_with_timeout_fails_the_rest_loudly() -> None:
    queue = ChannelSendQueue(interval=10.0)

    async def quick() -> str:
        return "first"

    first = asyncio.create_task(queue.submit("A", quick))
    second = asyncio.create_task(queue.submit("A", quick))
    await asyncio.sleep(0.01)
    await queue.close(timeout=0.05)
    assert await first == "first"
    with pytest.raises(RuntimeError, match="closed before"):
        await second


def test_negative_interval_is_refused() -> None:
    with pytest.raises(ValueError):
        ChannelSendQueue(interval=-1)
