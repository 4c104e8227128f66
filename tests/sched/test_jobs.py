"""The other jobs: importance in context, polling with backoff, housekeeping, and run_forever's lifecycle."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from bot.core.importance import importance, speaker_rank, story_importance
from bot.core.models import Casualty, Fighting, Statement
from bot.service.app import run_forever
from bot.store import Store
from bot.store import schema as s
from bot.store.housekeeping_db import housekeeping
from tests.sched.conftest import SchedConfig
from tests.sched.sched_helpers import Bot, utc


def test_importance_rules() -> None:
    small, big = Casualty("1", killed=2), Casualty("1", killed=200)
    assert importance(big) > importance(small)
    assert importance(big, previous_max_toll=100) - importance(big, previous_max_toll=300) == 1.5  # a rise
    assert importance(Fighting("1", "Sirte", "airstrike"), new_place=True) == 6.5
    assert importance(Fighting("1", "Sirte", "airstrike")) == 5.0
    assert importance(Fighting("1", "Sirte")) == 3.5
    head = importance(Statement("1", "Joe", "q", "President of Ruritania"))
    minister = importance(Statement("1", "Ann", "q", "foreign minister"))
    other = importance(Statement("1", "Bob", "q", "resident"))
    assert (head, minister, other) == (6.0, 4.0, 2.0)
    assert speaker_rank("vice president", "Kim") == 1
    assert importance(Fighting("1", "Sirte"), outlets=4) == 4.4
    assert importance(Fighting("1", "Sirte"), outlets=40) == 5.5  # outlets add at most 2
    assert importance(Casualty("1", killed=10**9), outlets=50, previous_max_toll=0) == 10.0
    assert story_importance([5.0, 4.0, 3.0]) == 5.5
    assert story_importance([]) == 0.0


async def test_rescore_uses_story_history_places_and_outlets(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}])
    with time_machine.travel(utc(2026, 5, 1, 12, 0), tick=False) as traveller:
        bot = Bot(config)
        try:
            await bot.scheduler.start(catch_up=False)
            bot.apscheduler.pause()  # only the passes this test asks for
            [first] = bot.article("casualty 10 by ministry\nfighting Sirte clashes", title="S")[:1]
            bot.article("casualty 10 by ministry", title="S", outlet="Other outlet", key="copy")
            await bot.scheduler.deliver()  # rescored while in the delivery window
            # Eight days on: Sirte again, but a story of its own (an event story stays open 7 days).
            traveller.move_to(utc(2026, 5, 9, 12, 0))
            [rise, again] = bot.article("casualty 30 by ministry\nfighting Sirte shelling", title="T")
            [lower] = bot.article("casualty 25 by ministry", title="T", key="lower")
            await bot.scheduler.deliver()
            score = {a.id: a.importance for a in bot.store.alerts()}
            assert score[first] == pytest.approx(5 + 1.5 * 1.0414 + 0.5 + 0.3, abs=0.01) # first figure, two outlets
            assert score[rise] > score[lower]  # 30 is a first figure for T; 25 after 30 is no rise
            assert score[lower] == pytest.approx(5 + 1.5 * 1.4150, abs=0.01)
            fights = [a for a in bot.store.alerts(types=["fighting"])]
            assert [f.importance for f in fights] == [4.0 + 1.5, 4.5]  # Sirte was new, then known
            assert again == fights[1].id
        finally:
            await bot.close()


async def test_poll_job_honours_backoff(tmp_path: Path, sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}])
    shutil.rmtree(tmp_path / "libya")
    with time_machine.travel(utc(2026, 5, 1, 12, 0), tick=False) as traveller:
        bot = Bot(config)
        try:
            await bot.scheduler.start(catch_up=False)
            # Only the polls this test makes: the scheduler's own job for this source would fire when the clock
            # is moved to `retry` below, and could read the article first.
            bot.apscheduler.pause()
            await bot.scheduler.poll_job("libya-wire")
            state = bot.store.source_state("libya-wire")
            assert state.failures >= 1 and state.next_retry_at is not None
            failures, retry = state.failures, state.next_retry_at
            job = bot.apscheduler.get_job("poll:libya-wire")
            assert job is not None and job.next_run_time >= retry
            traveller.move_to(retry - dt.timedelta(seconds=1))
            assert await bot.scheduler.poll_job("libya-wire") is None  # still backing off: not polled
            assert bot.store.source_state("libya-wire").failures == failures
            (tmp_path / "libya").mkdir()
            (tmp_path / "libya" / "a.jsonl").write_text(json.dumps(
                {"id": "x1", "text": "fighting Sirte clashes", "title": "Sirte"}) + "\n")
            traveller.move_to(retry)
            report = await bot.scheduler.poll_job("libya-wire")
            assert report is not None and report.alerts_new == 1 and report.delivered == 1
            assert bot.store.source_state("libya-wire").failures == 0
            assert [m.headline for m in bot.console.alerts()] == ["Fighting: Sirte — clashes"]
        finally:
            await bot.close()


def test_housekeeping_deletes_old_articles_without_alerts_and_empties_the_rest(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}])
    with time_machine.travel(utc(2026, 1, 1, 12, 0), tick=False) as traveller:
        bot = Bot(config)
        bot.article("nothing to see", key="old-plain")
        bot.article("fighting Sirte clashes", key="old-alert")
        traveller.move_to(utc(2026, 3, 1, 12, 0))
        bot.article("nothing new either", key="new-plain")
        done = housekeeping(bot.store, config.retention_days, utc(2026, 3, 1, 12, 0))
        assert (done.deleted, done.emptied) == (1, 1)
        with bot.store.tx() as conn:
            rows = {r.url.rsplit("/", 1)[1]: r.text for r in conn.execute(select(s.articles)).all()}
        assert rows == {"old-alert": "", "new-plain": "nothing new either"}
        [alert] = bot.store.alerts()
        assert [a.outlet for a in bot.store.outlets_of_alert(alert.id)] == ["libya-wire"]  # sources stay
        bot.store.close()


async def test_run_forever_runs_jobs_and_stops_cleanly(tmp_path: Path, sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}], outputs={"console": {"enabled": True}})
    (tmp_path / "libya" / "a.jsonl").write_text(json.dumps({"id": "x1", "text": "no alerts here"}) + "\n")
    stop = asyncio.Event()
    task = asyncio.create_task(run_forever(config, stop=stop))
    store = Store.open(config.database)
    try:
        for _ in range(200):
            await asyncio.sleep(0.01)
            if store.source_state("libya-wire").last_success_at is not None:
                break
        assert store.source_state("libya-wire").last_success_at is not None  # the poll job ran at start
        stop.set()
        await asyncio.wait_for(task, 5)
    finally:
        store.close()


async def test_cancelling_run_forever_like_ctrl_c_shuts_down(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}], outputs={"console": {"enabled": True}})
    task = asyncio.create_task(run_forever(config))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
