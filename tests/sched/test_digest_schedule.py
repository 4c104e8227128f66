"""Digest timing: cron with day names in the channel's time zone, across DST, restarts and downtime."""

from __future__ import annotations

import asyncio
import datetime as dt

import time_machine

from bot.service.digests import cron_trigger, due_slot, next_fire
from tests.sched.conftest import SchedConfig
from tests.sched.sched_helpers import Bot, utc

PARIS_8 = {"cron": "0 8 * * *", "timezone": "Europe/Paris"}


def paris_channel(**extra: object) -> dict[str, object]:
    return {"output": "console", "id": "console", "alerts": False, "digest": PARIS_8, **extra}


def test_next_fire_across_daylight_saving_change() -> None:
    trigger = cron_trigger("0 8 * * *", "Europe/Paris")
    first = next_fire(trigger, utc(2026, 3, 27, 12, 0))
    second = next_fire(trigger, first) if first else None
    third = next_fire(trigger, second) if second else None
    # Summer time starts on Sunday 2026-03-29: 08:00 Paris is 07:00 UTC before, 06:00 UTC after.
    assert [first, second, third] == [utc(2026, 3, 28, 7, 0), utc(2026, 3, 29, 6, 0), utc(2026, 3, 30, 6, 0)]


def test_day_names_pick_weekdays_only() -> None:
    trigger = cron_trigger("30 7 * * mon-fri", "Europe/Paris")
    fires = []
    at = utc(2026, 3, 27, 12, 0)  # a Friday
    for _ in range(3):
        nxt = next_fire(trigger, at)
        assert nxt is not None
        fires.append(nxt)
        at = nxt
    # Friday's has passed; Saturday and Sunday are skipped; Monday is summer time.
    assert fires == [utc(2026, 3, 30, 5, 30), utc(2026, 3, 31, 5, 30), utc(2026, 4, 1, 5, 30)]


def test_due_slot_coalesces_missed_fire_times() -> None:
    trigger = cron_trigger("0 8 * * *", "Europe/Paris")
    last = utc(2026, 3, 28, 7, 0)
    assert due_slot(trigger, last, utc(2026, 3, 29, 5, 59)) is None
    assert due_slot(trigger, last, utc(2026, 3, 29, 6, 0)) == utc(2026, 3, 29, 6, 0)
    # Down from Saturday to Tuesday noon: one slot, the latest fire time.
    assert due_slot(trigger, last, utc(2026, 3, 31, 12, 0)) == utc(2026, 3, 31, 6, 0)
    assert due_slot(trigger, None, utc(2026, 3, 31, 12, 0)) is None


async def test_digest_at_8_paris_across_dst(frozen: time_machine.Traveller, sched_config: SchedConfig) -> None:
    bot = Bot(sched_config([paris_channel()]))
    try:
        await bot.scheduler.start()
        bot.apscheduler.pause()  # only the digests this test asks for: its clock jumps
        job = bot.apscheduler.get_job("digest:console:console")
        assert job is not None and job.next_run_time == utc(2026, 3, 28, 7, 0)
        assert bot.console.digests() == []  # the first period starts now: nothing was due

        frozen.move_to(utc(2026, 3, 27, 18, 0))
        bot.article("casualty 12 by Red Crescent in Tripoli")
        frozen.move_to(utc(2026, 3, 28, 6, 59))
        assert await bot.scheduler.digest_job("console:console") == []
        frozen.move_to(utc(2026, 3, 28, 7, 0))
        sent = await bot.scheduler.digest_job("console:console")
        assert len(sent) == 1 and "12 killed" in sent[0].plain
        assert "2026-03-28 08:00" in sent[0].headline  # shown in the channel's time zone

        frozen.move_to(utc(2026, 3, 28, 20, 0))
        bot.article("fighting Misrata airstrike")
        frozen.move_to(utc(2026, 3, 29, 5, 59))  # 07:59 Paris summer time
        assert await bot.scheduler.digest_job("console:console") == []
        frozen.move_to(utc(2026, 3, 29, 6, 0))  # 08:00 Paris summer time
        sent = await bot.scheduler.digest_job("console:console")
        assert len(sent) == 1 and "Misrata" in sent[0].plain and "12 killed" not in sent[0].plain
        assert "2026-03-29 08:00" in sent[0].headline

        frozen.move_to(utc(2026, 3, 30, 6, 0))
        sent = await bot.scheduler.digest_job("console:console")
        assert len(sent) == 1 and "Nothing new since the last digest." in sent[0].plain  # not silence
        assert [m.headline[-16:] for m in bot.console.digests()] == [
            "2026-03-28 08:00", "2026-03-29 08:00", "2026-03-30 08:00"]
        assert bot.store.last_digest_at("console", "console") == utc(2026, 3, 30, 6, 0)
    finally:
        await bot.close()


async def test_the_running_scheduler_fires_the_digest_job(sched_config: SchedConfig) -> None:
    """The real AsyncIOScheduler, woken after the clock jumps to the fire time, runs the job once."""
    with time_machine.travel(utc(2026, 3, 29, 5, 59, 59), tick=False) as traveller:
        bot = Bot(sched_config([paris_channel()]))
        try:
            bot.store.set_last_digest_at("console", "console", utc(2026, 3, 28, 7, 0))
            await bot.scheduler.start()
            assert bot.console.digests() == []
            traveller.move_to(utc(2026, 3, 29, 6, 0))
            bot.apscheduler.wakeup()
            for _ in range(50):
                await asyncio.sleep(0.01)
                if bot.console.digests():
                    break
            assert len(bot.console.digests()) == 1
            job = bot.apscheduler.get_job("digest:console:console")
            assert job is not None and job.next_run_time == utc(2026, 3, 30, 6, 0)
        finally:
            await bot.close()


async def test_restart_between_two_digests_neither_repeats_nor_skips(sched_config: SchedConfig) -> None:
    config = sched_config([paris_channel()])
    with time_machine.travel(utc(2026, 5, 4, 5, 0), tick=False) as traveller:
        first = Bot(config)
        await first.scheduler.start()
        first.apscheduler.pause()  # only the digests this test asks for: its clock jumps
        traveller.move_to(utc(2026, 5, 4, 5, 30))
        first.article("statement Ahmed | spokesman | before the first digest")
        traveller.move_to(utc(2026, 5, 4, 6, 0))  # 08:00 Paris
        sent = await first.scheduler.digest_job("console:console")
        assert len(sent) == 1 and "before the first digest" in sent[0].plain
        traveller.move_to(utc(2026, 5, 4, 7, 0))
        first.article("statement Ahmed | spokesman | after the first digest, before the restart")
        await first.close()

        traveller.move_to(utc(2026, 5, 4, 9, 0))
        second = Bot(config)  # a new Store on the same file
        try:
            await second.scheduler.start()  # catch-up: nothing is due
            second.apscheduler.pause()  # only the digests this test asks for: its clock jumps
            assert second.console.digests() == []
            traveller.move_to(utc(2026, 5, 4, 10, 0))
            second.article("statement Ahmed | spokesman | after the restart")
            traveller.move_to(utc(2026, 5, 5, 6, 0))
            sent = await second.scheduler.digest_job("console:console")
            assert len(sent) == 1
            text = sent[0].plain
            assert "after the first digest, before the restart" in text  # no skip
            assert "after the restart" in text
            assert "before the first digest" not in text  # no repeat
            assert await second.scheduler.digest_job("console:console") == []
        finally:
            await second.close()


async def test_downtime_across_two_due_digests_gives_one(sched_config: SchedConfig) -> None:
    config = sched_config([paris_channel()])
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False) as traveller:
        first = Bot(config)
        first.store.set_last_digest_at("console", "console", utc(2026, 5, 4, 6, 0))
        traveller.move_to(utc(2026, 5, 4, 12, 0))
        first.article("fighting Sirte clashes")
        await first.close()

        # Down through the 5th and 6th at 08:00 Paris; back on the 6th at 11:00 Paris.
        traveller.move_to(utc(2026, 5, 6, 9, 0))
        second = Bot(config)
        try:
            await second.scheduler.start()
            digests = second.console.digests()
            assert len(digests) == 1 and "Sirte" in digests[0].plain
            assert second.store.last_digest_at("console", "console") == utc(2026, 5, 6, 9, 0)
            assert await second.scheduler.catch_up() == 0  # a second look sends nothing more
            rows = [d for d in second.store.deliveries("console") if d["item_key"].startswith("digest:")]
            assert [r["item_key"] for r in rows] == ["digest:2026-05-06T06:00:00+00:00"]
            job = second.apscheduler.get_job("digest:console:console")
            assert job is not None and job.next_run_time == utc(2026, 5, 7, 6, 0)
        finally:
            await second.close()


async def test_a_failed_digest_post_is_retried_not_lost(sched_config: SchedConfig) -> None:
    config = sched_config([paris_channel()])
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        bot = Bot(config)
        try:
            bot.store.set_last_digest_at("console", "console", utc(2026, 5, 3, 6, 0))
            bot.console.fail = True
            await bot.scheduler.start(catch_up=False)
            assert await bot.scheduler.digest_job("console:console") == []
            assert bot.store.last_digest_at("console", "console") == utc(2026, 5, 3, 6, 0)
            bot.console.fail = False
            await bot.scheduler.tick()  # the minute job retries
            assert len(bot.console.digests()) == 1
            assert await bot.scheduler.digest_job("console:console") == []
        finally:
            await bot.close()


async def test_digest_interval_is_half_open(sched_config: SchedConfig) -> None:
    """An alert stored at the very moment of a digest goes into the next one, not both."""
    from bot.service.digests import digest_entries

    config = sched_config([paris_channel()])
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False):
        bot = Bot(config)
        bot.article("fighting Zawiya clashes")
        ch = config.channels[0]
        at = utc(2026, 5, 4, 6, 0)
        assert digest_entries(bot.store, config, ch, since=at - dt.timedelta(days=1), until=at) == []
        assert len(digest_entries(bot.store, config, ch, since=at, until=at + dt.timedelta(days=1))) == 1
        await bot.close()
