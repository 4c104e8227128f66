"""A pass holds a bounded amount of unread answers: past `hold_bytes`, it reads before asking more."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.config import SourceConfig
from bot.ingest.fetch import FetchResult
from bot.ingest.sources import Answer
from bot.service.pass_order import PassOrder, answer_size

SOURCE = SourceConfig(name="wire", type="feed", url="http://127.0.0.1/feed", lang="fr")


def answer(size: int) -> Answer:
    return Answer(SOURCE, dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
                  result=FetchResult("http://127.0.0.1/feed", 200, b"x" * size))


async def test_asking_pauses_while_unread_answers_hold_too_much() -> None:
    # Four sources asked one at a time, answers of 60 bytes, room for 100: once two answers are in,
    # they are read although sources remain unasked; no more than two wait unread at any time.
    order = PassOrder(4, at_once=1, taking=4, hold_bytes=100)
    events: list[str] = []

    async def poll(name: str) -> None:
        async with order.asking(), order.slot():
            events.append(f"asked {name}")
        async with order.turn(answer_size(answer(60))):
            events.append(f"reading {name}")

    await asyncio.gather(*(poll(name) for name in "abcd"))
    assert events[:2] == ["asked a", "asked b"]
    unread = most = 0
    for event in events:
        unread += 1 if event.startswith("asked") else -1
        most = max(most, unread)
    assert most == 2  # never the four answers in memory at once
    assert sorted(events) == sorted(f"{verb} {name}" for verb in ("asked", "reading") for name in "abcd")


async def test_answers_wait_until_every_source_has_been_asked() -> None:
    order = PassOrder(3, at_once=1, taking=3, stall_s=10.0)
    events: list[str] = []
    go_on = asyncio.Event()

    async def poll(name: str, *, wait: bool = False) -> None:
        async with order.asking(), order.slot():
            events.append(f"asked {name}")
            if wait:
                await go_on.wait()
        async with order.turn(answer_size(answer(10))):
            events.append(f"reading {name}")

    tasks = [asyncio.create_task(poll("a")), asyncio.create_task(poll("b", wait=True)), asyncio.create_task(poll("c"))]
    await asyncio.sleep(0.05)
    assert events == ["asked a", "asked b"]  # a's answer waits: c still has to be asked
    go_on.set()
    await asyncio.gather(*tasks)
    assert events[:3] == ["asked a", "asked b", "asked c"] and len(events) == 6
