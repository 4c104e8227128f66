"""Subscriptions: config and chat-made ones decide what each channel gets; quiet hours hold alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import time_machine

from bot.service.subscriptions import (
    SubscriptionError,
    in_quiet_hours,
    list_subscriptions,
    plan_channels,
    subscribe,
    unsubscribe,
)
from bot.store import Store
from tests.sched.conftest import SchedConfig
from tests.sched.sched_helpers import Bot, utc


def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'subs.db'}")


def test_subscribe_list_unsubscribe(tmp_path: Path) -> None:
    st = store(tmp_path)
    sub = subscribe(st, "slack", "C1", "keyword", "  Tripoli ", "alerts", "U1")
    assert (sub.kind, sub.value, sub.mode, sub.created_by) == ("keyword", "Tripoli", "alerts", "U1")
    subscribe(st, "slack", "C1", "TOPIC", "Libya")
    subscribe(st, "slack", "C1", "type", "Casualty", "digest")
    subscribe(st, "slack", "C2", "keyword", "Khartoum")
    assert [(x.kind, x.value, x.mode) for x in list_subscriptions(st, "slack", "C1")] == [
        ("keyword", "Tripoli", "alerts"), ("topic", "libya", "both"), ("type", "casualty", "digest")]
    # Subscribing again sets the mode; no duplicate.
    subscribe(st, "slack", "C1", "keyword", "Tripoli", "both")
    assert [x.mode for x in list_subscriptions(st, "slack", "C1") if x.kind == "keyword"] == ["both"]
    # Unsubscribing one stream keeps the other.
    assert unsubscribe(st, "slack", "C1", "keyword", "Tripoli", "alerts") is True
    assert [x.mode for x in list_subscriptions(st, "slack", "C1") if x.kind == "keyword"] == ["digest"]
    assert unsubscribe(st, "slack", "C1", "keyword", "Tripoli", "alerts") is False
    assert unsubscribe(st, "slack", "C1", "keyword", "Tripoli") is True
    assert unsubscribe(st, "slack", "C1", "keyword", "Nowhere") is False
    # Case and accents do not make another subscription.
    subscribe(st, "slack", "C1", "keyword", "Benghazi", "alerts")
    subscribe(st, "slack", "C1", "keyword", "BENGHAZÍ", "both")
    assert [(x.value, x.mode) for x in list_subscriptions(st, "slack", "C1") if x.kind == "keyword"] == [
        ("Benghazi", "both")]
    assert unsubscribe(st, "slack", "C1", "keyword", "benghazi") is True
    assert len(list_subscriptions(st, "slack")) == 3
    st.close()


def test_one_minimum_importance_per_stream(tmp_path: Path) -> None:
    st = store(tmp_path)
    subscribe(st, "slack", "C1", "importance", "3")
    subscribe(st, "slack", "C1", "importance", "6.5", "alerts")
    subs = {(x.value, x.mode) for x in list_subscriptions(st, "slack", "C1")}
    assert subs == {("3", "digest"), ("6.5", "alerts")}
    subscribe(st, "slack", "C1", "importance", "5", "both")
    assert {(x.value, x.mode) for x in list_subscriptions(st, "slack", "C1")} == {("5", "both")}
    st.close()


@pytest.mark.parametrize(("kind", "value", "mode", "error"), [
    ("colour", "red", "both", "unknown kind"),
    ("type", "weather", "both", "unknown alert type"),
    ("importance", "eleven", "both", "number from 0 to 10"),
    ("importance", "11", "both", "number from 0 to 10"),
    ("keyword", "   ", "both", "needs a value"),
    ("keyword", "x", "sometimes", "unknown mode"),
])
def test_bad_subscriptions_are_refused_with_a_reason(
    tmp_path: Path, kind: str, value: str, mode: str, error: str,
) -> None:
    st = store(tmp_path)
    with pytest.raises(SubscriptionError, match=error):
        subscribe(st, "slack", "C1", kind, value, mode)
    st.close()


def test_channel_plans_merge_config_and_chat(sched_config: SchedConfig) -> None:
    config = sched_config([
        {"output": "console", "id": "console", "types": ["casualty", "fighting"], "keywords": ["Tripoli"]},
        {"output": "slack", "id": "C-digest", "alerts": False, "digest": {"cron": "0 18 * * fri"}},
    ])
    st = Store.open(config.database)
    subscribe(st, "console", "console", "keyword", "Sirte", "alerts")
    subscribe(st, "slack", "C-digest", "type", "statement", "alerts")
    subscribe(st, "slack", "C-new", "topic", "sudan", "digest")
    plans = {p.key: p for p in plan_channels(config, st)}
    console = plans["console:console"]
    assert console.alerts is not None and console.alerts.keywords == ("Tripoli", "Sirte")
    assert console.alerts.types == ("fighting", "casualty")
    assert console.digest is None
    digest_only = plans["slack:C-digest"]
    # Alerts were off in the config: the chat switched them on, filtered by the chat's subscriptions only.
    assert digest_only.alerts is not None and digest_only.alerts.types == ("statement",)
    assert digest_only.digest is not None and digest_only.digest.digest is not None
    assert digest_only.digest.types == ("statement", "fighting", "casualty")
    assert digest_only.timezone == "Europe/Paris"
    new = plans["slack:C-new"]
    assert new.alerts is None and new.digest is not None and new.digest.topics == ("sudan",)
    assert new.digest.digest is not None and new.digest.digest.cron == "0 8 * * *"
    st.close()


async def test_subscriptions_filter_what_each_channel_gets(sched_config: SchedConfig) -> None:
    config = sched_config([
        {"output": "console", "id": "console", "types": ["casualty"]},
        {"output": "slack", "id": "C-kw", "alerts": False},
        {"output": "slack", "id": "C-topic", "alerts": False},
        {"output": "slack", "id": "C-important", "alerts": False},
    ])
    with time_machine.travel(utc(2026, 5, 4, 12, 0), tick=False):
        bot = Bot(config)
        subscribe(bot.store, "slack", "C-kw", "keyword", "tripoli", "alerts")
        subscribe(bot.store, "slack", "C-topic", "topic", "Sudan", "both")
        subscribe(bot.store, "slack", "C-topic", "type", "fighting", "both")
        subscribe(bot.store, "slack", "C-important", "importance", "6", "alerts")
        await bot.scheduler.start(catch_up=False)
        bot.article("casualty 3 by ministry in Tripoli", source="libya-wire")
        bot.article("fighting Khartoum shelling\nstatement Burhan | army chief | we will fight", source="sudan-wire")
        bot.article("statement Joe | President of Ruritania | calm down\nfighting Tripolitania clashes")
        await bot.scheduler.deliver()
        try:
            console = [m.headline for m in bot.console.alerts("console")]
            assert console == ["3 killed (ministry, Tripoli)"]
            kw = [m.headline for m in bot.slack.alerts("C-kw")]
            assert kw == ["3 killed (ministry, Tripoli)"]  # "Tripolitania" is not "Tripoli"
            topic = [m.headline for m in bot.slack.alerts("C-topic")]
            assert topic == ["Fighting: Khartoum — shelling"]
            important = sorted(m.headline for m in bot.slack.alerts("C-important"))
            # Casualty 6.4 (first figure), head of state 6, shelling at a new place 6; clashes 5.5, army chief 4.
            assert important == ["3 killed (ministry, Tripoli)", "Fighting: Khartoum — shelling",
                                 "Joe (President of Ruritania) said"]
        finally:
            await bot.close()


async def test_digest_uses_the_digest_stream_filters(sched_config: SchedConfig) -> None:
    config = sched_config([
        {"output": "slack", "id": "C1", "alerts": False,
         "digest": {"cron": "0 8 * * *", "timezone": "Europe/Paris"}, "topics": ["libya"]},
    ])
    with time_machine.travel(utc(2026, 5, 4, 5, 0), tick=False) as traveller:
        bot = Bot(config)
        await bot.scheduler.start()
        bot.apscheduler.pause()  # only the digests this test asks for: its clock jumps
        bot.article("fighting Sirte clashes", source="libya-wire")
        bot.article("fighting Khartoum clashes", source="sudan-wire")
        traveller.move_to(utc(2026, 5, 4, 6, 0))
        try:
            [digest] = await bot.scheduler.digest_job("slack:C1")
            assert "Sirte" in digest.plain and "Khartoum" not in digest.plain
            assert bot.slack.alerts() == []  # a digest-only channel gets no real-time alerts
        finally:
            await bot.close()


def test_quiet_hours_window() -> None:
    quiet = ("22:00", "07:00")
    paris = "Europe/Paris"
    assert in_quiet_hours(quiet, paris, utc(2026, 1, 10, 21, 0))  # 22:00 Paris (winter)
    assert not in_quiet_hours(quiet, paris, utc(2026, 1, 10, 20, 59))
    assert in_quiet_hours(quiet, paris, utc(2026, 1, 11, 5, 59))  # 06:59 Paris
    assert not in_quiet_hours(quiet, paris, utc(2026, 1, 11, 6, 0))  # 07:00 Paris
    assert not in_quiet_hours(quiet, paris, utc(2026, 7, 11, 5, 0))  # 07:00 Paris (summer)
    assert in_quiet_hours(("01:00", "05:00"), "UTC", utc(2026, 7, 11, 4, 59))
    assert not in_quiet_hours(("01:00", "05:00"), "UTC", utc(2026, 7, 11, 5, 0))
    assert not in_quiet_hours(None, "UTC", utc(2026, 7, 11, 5, 0))


async def test_quiet_hours_hold_alerts_and_release_them_after(sched_config: SchedConfig) -> None:
    config = sched_config([
        {"output": "console", "id": "console", "quiet_hours": "22:00-07:00"},
        {"output": "slack", "id": "C-awake"},
    ])
    with time_machine.travel(utc(2026, 5, 4, 20, 30), tick=False) as traveller:  # 22:30 Paris
        bot = Bot(config)
        try:
            await bot.scheduler.start(catch_up=False)
            job = bot.apscheduler.get_job("quiet:console:console")
            assert job is not None and job.next_run_time == utc(2026, 5, 5, 5, 0)  # 07:00 Paris
            bot.apscheduler.pause()  # only the passes this test asks for: its clock jumps
            bot.article("fighting Sirte airstrike")
            await bot.scheduler.deliver()
            assert bot.console.alerts() == []  # held
            assert [m.headline for m in bot.slack.alerts("C-awake")] == ["Fighting: Sirte — air strike"]
            traveller.move_to(utc(2026, 5, 5, 3, 0))
            bot.article("casualty 4 by ministry in Sirte")
            await bot.scheduler.deliver()
            traveller.move_to(utc(2026, 5, 5, 4, 59))
            await bot.scheduler.deliver()
            assert bot.console.alerts() == []
            traveller.move_to(utc(2026, 5, 5, 5, 0))  # 07:00 Paris: the quiet-hours job delivers
            await bot.scheduler.deliver()
            # Both name Sirte: one event story, whose thread opens on its weightiest fact.
            assert [m.headline for m in bot.console.alerts()] == [
                "4 killed (ministry, Sirte)", "Fighting: Sirte — air strike"]
            await bot.scheduler.deliver()
            assert len(bot.console.alerts()) == 2  # once
        finally:
            await bot.close()


async def test_quiet_hours_release_through_the_running_scheduler(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console", "quiet_hours": "22:00-07:00"}])
    with time_machine.travel(utc(2026, 5, 5, 4, 59, 59), tick=False) as traveller:
        bot = Bot(config)
        try:
            await bot.scheduler.start(catch_up=False)
            bot.article("fighting Sirte airstrike")
            await bot.scheduler.deliver()
            assert bot.console.alerts() == []
            traveller.move_to(utc(2026, 5, 5, 5, 0, 1))
            bot.apscheduler.wakeup()
            for _ in range(50):
                await asyncio.sleep(0.01)
                if bot.console.alerts():
                    break
            assert [m.headline for m in bot.console.alerts()] == ["Fighting: Sirte — air strike"]
        finally:
            await bot.close()


async def test_a_chat_subscription_schedules_a_digest_on_the_next_tick(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}])
    with time_machine.travel(utc(2026, 5, 4, 5, 0), tick=False):
        bot = Bot(config)
        try:
            await bot.scheduler.start(catch_up=False)
            assert "digest:slack:C9" not in bot.scheduler.job_ids()
            subscribe(bot.store, "slack", "C9", "keyword", "Sirte", "digest", "U1")
            await bot.scheduler.tick()
            assert "digest:slack:C9" in bot.scheduler.job_ids()
            job = bot.apscheduler.get_job("digest:slack:C9")
            assert job is not None and job.next_run_time == utc(2026, 5, 4, 6, 0)  # 08:00 bot time zone
            unsubscribe(bot.store, "slack", "C9", "keyword", "Sirte")
            await bot.scheduler.tick()
            assert "digest:slack:C9" not in bot.scheduler.job_ids()
        finally:
            await bot.close()


def test_channel_subscriptions_show_config_then_chat(sched_config: SchedConfig) -> None:
    from bot.service.subscriptions import channel_subscriptions

    config = sched_config([{"output": "slack", "id": "C1", "topics": ["libya"], "types": ["casualty"],
                                     "min_importance": 4}])
    st = Store.open(config.database)
    subscribe(st, "slack", "C1", "keyword", "Sirte", "digest", "U1")
    subs = [(x.kind, x.value, x.mode, x.created_by) for x in channel_subscriptions(config, st, "slack", "C1")]
    assert subs == [("topic", "libya", "alerts", "config"), ("type", "casualty", "alerts", "config"),
                    ("importance", "4", "alerts", "config"), ("keyword", "Sirte", "digest", "U1")]
    st.close()
