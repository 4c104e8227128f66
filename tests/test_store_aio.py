"""The store's async face: store work leaves the event loop, and the loop guard catches what does not."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bot.chat.base import MemoryState
from bot.service.source_registry import added_sources
from bot.store import Store
from bot.store.aio import LOOP_GUARD_ENV, BlockingStoreCall


@pytest.fixture
def guarded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(LOOP_GUARD_ENV, "1")
    return Store.open(sqlite_url)


@pytest.mark.loop_guard_trips
async def test_bot_code_calling_the_store_on_the_loop_is_refused_and_run_is_not(guarded: Store) -> None:
    with pytest.raises(BlockingStoreCall, match="event loop"):
        # A bot coroutine running store work on the loop's thread (MemoryState.run calls it inline).
        await MemoryState().run(added_sources, guarded)
    assert await guarded.run(added_sources, guarded) == []
    assert guarded.alerts() == []  # a test reading the store to assert on it is not the bot blocking
    assert added_sources(guarded) == []  # nor a test calling a synchronous bot function from its coroutine
    guarded.close()


def test_synchronous_code_with_no_loop_may_call_the_store(guarded: Store) -> None:
    assert added_sources(guarded) == []  # the CLIs: no loop to block
    guarded.close()


async def test_a_slow_store_call_does_not_hold_up_the_loop_or_another_call(guarded: Store) -> None:
    started = threading.Event()

    def slow(store: Store) -> int:
        started.set()
        time.sleep(1.0)
        return len(store.alerts())

    slow_call = asyncio.create_task(guarded.run(slow, guarded))
    await asyncio.to_thread(started.wait, 5)
    ticks = 0
    while not slow_call.done() and ticks < 3:
        await asyncio.sleep(0.05)  # the loop keeps turning while the slow call runs
        ticks += 1
    quick = await asyncio.wait_for(guarded.run(guarded.version), 0.9)  # not queued behind the slow one
    assert not slow_call.done() and ticks == 3 and quick > 0
    assert await slow_call == 0
    guarded.close()
