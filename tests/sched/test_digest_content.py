"""What a digest says: casualty changes first with reconciled figures, fighting by place, statements,
each with its outlets; grouped by story; "nothing new"; within the chat's length limits."""

from __future__ import annotations

import datetime as dt

import time_machine

from bot.core.digest import DigestEntry, build_digest, build_digest_parts
from bot.core.models import Casualty, Fighting, Statement
from tests.sched.conftest import SchedConfig
from tests.sched.sched_helpers import Bot, utc

NOW = utc(2026, 5, 4, 6, 0)


def test_nothing_new_is_said_not_silenced() -> None:
    msg = build_digest([], lang="en", since=NOW - dt.timedelta(days=1), now=NOW)
    assert msg.plain.splitlines()[-1] == "Nothing new since the last digest."
    fr = build_digest([], lang="fr", since=None, now=NOW)
    assert fr.lines[-1].plain == "Rien de nouveau depuis le dernier résumé."


def test_sections_order_and_grouping() -> None:
    entries = [
        DigestEntry(Statement("1", "Joe", "calm down", "President"), 1, "Tripoli clashes", 6.0, ("AFP",)),
        DigestEntry(Fighting("1", "Tripoli", "clashes"), 1, "Tripoli clashes", 4.0, ("AFP",)),
        DigestEntry(Fighting("2", "Tripoli", "airstrike"), 2, "Air raid", 6.5, ("Reuters",)),
        DigestEntry(Fighting("3", "Sirte", "shelling"), 3, "Sirte", 4.5, ("AP",)),
        DigestEntry(Casualty("1", killed=21, reported_by="ministry"), 1, "Tripoli clashes", 6.5, ("AFP", "AP")),
        DigestEntry(Casualty("4", killed=35, reported_by="ministry"), 1, "Tripoli clashes", 8.0, ("Reuters",),
                    previous=Casualty("1", killed=21, reported_by="ministry")),
        DigestEntry(Casualty("5", killed=30, reported_by="Red Crescent"), 1, "Tripoli clashes", 7.0, ("BBC",)),
    ]
    lines = [x.plain for x in build_digest(entries, lang="en", since=NOW - dt.timedelta(days=1), now=NOW).lines]
    assert lines[0] == "Since 2026-05-03 06:00"
    assert lines[1:] == [
        "Casualty figures",
        "▸ Tripoli clashes",
        "Killed — all victims: low 30 · best 30 · high 35 (2 sources)",  # the Red Crescent is no party
        "21 killed (ministry) [AFP, AP]",
        "35 killed (ministry) — previously 21 killed [Reuters]",
        "30 killed (Red Crescent) [BBC]",
        "Fighting",
        "Tripoli: air strike, clashes [Reuters, AFP]",  # one line per place, across stories
        "Sirte: shelling [AP]",
        "Statements",
        "▸ Tripoli clashes",
        "Joe, President: calm down [AFP]",
    ]


def test_opposing_sides_figures_are_reconciled_apart_never_summed() -> None:
    entries = [
        DigestEntry(Casualty("1", killed=21, wounded=27, reported_by="ministère de la Santé", victims="personnes"),
                    1, "Tripoli", 7.0),
        DigestEntry(Casualty("1", killed=14, reported_by="porte-parole des forces de Haftar", victims="soldats"),
                    1, "Tripoli", 6.0),
    ]
    lines = [x.plain for x in build_digest(entries, lang="en", since=None, now=NOW).lines]
    assert "Killed — all victims: low 21 · best 21 · high 21 (1 source)" in lines
    assert "Killed — soldiers: low 14 · best 14 · high 14 (1 source)" in lines
    assert "Wounded — all victims: low 27 · best 27 · high 27 (1 source)" in lines
    assert not any("35" in line for line in lines)


def _many(n: int) -> list[DigestEntry]:
    return [DigestEntry(Statement(str(i), f"Speaker {i}", "word " * 30, "minister"), i, f"Story {i}", 10 - i / n,
                        ("Outlet A", "Outlet B")) for i in range(n)]


def test_long_digests_are_split_within_limits_then_counted() -> None:
    parts = build_digest_parts(_many(30), lang="en", since=None, now=NOW, max_lines=20, max_chars=1500, max_parts=3)
    assert 1 < len(parts) <= 3
    for p in parts:
        assert len(p.lines) <= 20
        assert len(p.plain) <= 1500
        assert p.lines[0].plain in ("Statements", ) or p.lines[0].plain.startswith("Since")
    assert parts[0].headline.endswith(f"(part 1 of {len(parts)})")
    shown = sum(1 for p in parts for line in p.lines if line.plain.startswith("Speaker"))
    assert parts[-1].lines[-1].plain == f"and {30 - shown} more — try `/news digest --since 24h`"
    assert shown < 30


def test_a_digest_that_fits_is_one_message() -> None:
    parts = build_digest_parts(_many(3), lang="en", since=None, now=NOW)
    assert len(parts) == 1 and "part" not in parts[0].headline
    assert "more" not in parts[0].plain


def test_single_message_mode_counts_the_rest() -> None:
    msg = build_digest(_many(60), lang="en", since=None, now=NOW, max_lines=40, max_chars=3000)
    assert len(msg.lines) <= 40 and len(msg.plain) <= 3000
    assert msg.lines[-1].plain.startswith("and ") and "/news digest" in msg.lines[-1].plain
    # Never a heading left dangling just before "and N more".
    assert not msg.lines[-2].plain.startswith("▸")


async def test_digest_from_the_store_shows_changes_sources_and_story_order(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console", "alerts": False,
                                     "digest": {"cron": "0 8 * * mon-fri", "timezone": "Europe/Paris"}}])
    with time_machine.travel(utc(2026, 5, 1, 12, 0), tick=False) as traveller:  # a Friday
        bot = Bot(config)
        try:
            await bot.scheduler.start()
            bot.apscheduler.pause()  # only the digests this test asks for: its clock jumps
            bot.article("casualty 10 by ministry in Gharyan", title="Gharyan fighting", key="g1")
            traveller.move_to(utc(2026, 5, 2, 9, 0))
            bot.article("casualty 10 by ministry in Gharyan", title="Gharyan fighting", key="g1-copy",
                        outlet="Libya Observer")
            bot.article("statement Aguila | speaker of parliament | we call for calm", title="Parliament", key="p1")
            traveller.move_to(utc(2026, 5, 3, 9, 0))
            bot.article("casualty 10 by ministry in Gharyan\ncasualty 17 by ministry in Gharyan",
                        title="Gharyan fighting", key="g2")
            traveller.move_to(utc(2026, 5, 4, 6, 0))  # Monday 08:00 Paris: Saturday and Sunday had no digest
            [digest] = await bot.scheduler.digest_job("console:console")
            text = digest.plain
            assert text.index("Casualty figures") < text.index("Statements")
            assert "17 killed (ministry) — Gharyan — previously 10 killed" in text
            assert "[libya-wire, Libya Observer]" in text  # both outlets that carried the first figure
            assert text.count("▸ Gharyan fighting") == 1  # grouped by story
        finally:
            await bot.close()


async def test_pipeline_send_digest_posts_once_per_slot(sched_config: SchedConfig) -> None:
    config = sched_config([{"output": "console", "id": "console"}])
    with time_machine.travel(utc(2026, 5, 4, 6, 0), tick=False) as traveller:
        bot = Bot(config)
        try:
            bot.article("fighting Sirte clashes\ncasualty 3 by ministry\ncasualty 4 by hospital")
            traveller.move_to(utc(2026, 5, 4, 6, 1))
            channel = config.channels[0]
            first = await bot.pipeline.send_digest(channel)  # no digest before: the last 24 hours
            assert first is not None and "Sirte" in first.plain
            assert "previously" not in first.plain  # two reporters' counts are not a change
            assert await bot.pipeline.send_digest(channel) is None  # same moment: claimed already
            traveller.move_to(utc(2026, 5, 4, 7, 0))
            again = await bot.pipeline.send_digest(channel)
            assert again is not None and "Nothing new" in again.plain
            assert len(bot.console.digests()) == 2
            one = bot.pipeline.digest(channel, since=None, now=utc(2026, 5, 4, 7, 0))  # /news digest
            assert "Sirte" in one.plain
        finally:
            await bot.close()


def test_a_story_split_across_parts_repeats_its_heading() -> None:
    entries = [DigestEntry(Statement(str(i), f"Speaker {i}", "word " * 30, "minister"), 1, "One long story", 5.0)
               for i in range(12)]
    parts = build_digest_parts(entries, lang="en", since=None, now=NOW, max_lines=8, max_chars=3000, max_parts=3)
    assert len(parts) == 3
    for part in parts:
        assert [line.plain for line in part.lines[:2]] == ["Statements", "▸ One long story"]
        assert len(part.lines) <= 8
    assert sum(1 for p in parts for line in p.lines if line.plain.startswith("Speaker")) == 12
