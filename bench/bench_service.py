"""Service mode against `run --once` on the same feeds: N feeds on a local server, a share of them
carrying copies of the same wire stories (tests/reliability/wire.py).

1. `python -m bot run` (the service: every source polled at once by the scheduler) on a fresh SQLite
   file, until every article is processed and every alert delivered; then SIGTERM.
2. `python -m bot run --once` (sources one after another) on another fresh file, same feeds.
Prints the time of each, stories, alerts and deliveries, and whether both ended with the same stories
(as groups of article links) and the same alerts (type and fact, per story).

    .venv/bin/python bench/bench_service.py                       # 500 feeds, 20% sharing 10 stories
    .venv/bin/python bench/bench_service.py --feeds 50 --database postgresql+psycopg://…/db1,…/db2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml
from _common import ROOT, print_header  # first: repo root on sys.path

from bot.store import Store
from tests.reliability.wire import FeedServer, Wire, config_data

Outcome = tuple[frozenset[frozenset[str]], frozenset[tuple[frozenset[str], str, str]]]


def outcome(url: str) -> tuple[Outcome, int, int, int, bool]:
    """(stories as sets of links, alerts as (story, type, fact)), alerts, sent, stories, each sent once."""
    store = Store.open(url)
    try:
        with store.tx() as conn:
            rows = conn.exec_driver_sql("SELECT url, story_id FROM articles").all()
            alerts = conn.exec_driver_sql("SELECT story_id, type, dedup_key FROM alerts").all()
            sent = Counter(r[0] for r in conn.exec_driver_sql(
                "SELECT alert_id FROM deliveries WHERE alert_id IS NOT NULL AND status = 'sent'").all())
    finally:
        store.close()
    groups: dict[int, set[str]] = {}
    for link, story in rows:
        groups.setdefault(story, set()).add(link)
    story_of = {sid: frozenset(links) for sid, links in groups.items()}
    facts = frozenset((story_of[sid], kind, key.split("|", 1)[1]) for sid, kind, key in alerts)
    once = all(n == 1 for n in sent.values())
    return (frozenset(story_of.values()), facts), len(alerts), sum(sent.values()), len(groups), once


def progress(url: str) -> tuple[int, int, int]:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        if not Path(path).exists():
            return 0, 0, 0
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            one = conn.execute("SELECT (SELECT count(*) FROM articles WHERE processed_at IS NOT NULL), "
                               "(SELECT count(*) FROM alerts), "
                               "(SELECT count(*) FROM deliveries WHERE status = 'sent')").fetchone()
            return int(one[0]), int(one[1]), int(one[2])
        except sqlite3.OperationalError:
            return 0, 0, 0
        finally:
            conn.close()
    store = Store.open(url)
    try:
        with store.tx() as db:
            one = db.exec_driver_sql("SELECT (SELECT count(*) FROM articles WHERE processed_at IS NOT NULL), "
                                       "(SELECT count(*) FROM alerts), "
                                       "(SELECT count(*) FROM deliveries WHERE status = 'sent')").one()
        return int(one[0]), int(one[1]), int(one[2])
    finally:
        store.close()


async def run(server: FeedServer, url: str, work: Path, *, once: bool, expected: int) -> float:
    config = work / ("once.yaml" if once else "service.yaml")
    config.write_text(yaml.safe_dump(config_data(url, server)))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(Path.home())}
    args = [sys.executable, "-m", "bot", "run", "-c", str(config), *(["--once"] if once else [])]
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*args, cwd=work, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.PIPE)
    if not once:
        last, steady = (-1, -1, -1), 0
        while steady < 10:
            await asyncio.sleep(0.5)
            now = await asyncio.to_thread(progress, url)
            steady = steady + 1 if now == last and now[0] == expected and now[1] == now[2] else 0
            last = now
            if proc.returncode is not None:
                break
        elapsed = time.perf_counter() - start - 5.0  # less the steady wait
        proc.send_signal(signal.SIGTERM)
    _, err = await proc.communicate()
    if once:
        elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bot failed ({proc.returncode}): {err.decode()[-2000:]}")
    return elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--share", type=float, default=0.2, help="share of feeds carrying the wire stories")
    parser.add_argument("--events", type=int, default=10, help="wire stories (default: %(default)s)")
    parser.add_argument("--database", help="two database URLs, comma-separated (default: SQLite files)")
    args = parser.parse_args()
    wire = Wire(feeds=args.feeds, sharing=int(args.feeds * args.share), events=args.events)
    expected = wire.feeds * wire.local + wire.sharing * wire.events
    print_header("service mode vs run --once", {"feeds": wire.feeds, "sharing": wire.sharing,
                                                 "events": wire.events, "articles": expected})
    server = FeedServer(wire)
    await server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            urls = (args.database.split(",") if args.database else
                    [f"sqlite:///{work / 'service.db'}", f"sqlite:///{work / 'once.db'}"])
            results = {}
            for name, url, once in (("service", urls[0], False), ("run --once", urls[1], True)):
                seconds = await run(server, url, work, once=once, expected=expected)
                found, alerts, sent, stories, each_once = outcome(url)
                results[name] = found
                print(f"   {name:<11} {seconds:7.1f} s  {stories} stories, {alerts} alerts, {sent} deliveries, "
                      f"each alert delivered once: {each_once and sent == alerts}")
            same_stories = results["service"][0] == results["run --once"][0]
            same_alerts = results["service"][1] == results["run --once"][1]
            print(f"   same stories: {same_stories}; same alerts: {same_alerts}; "
                  f"expected stories: {wire.expected_stories()}")
    finally:
        await server.stop()


if __name__ == "__main__":
    asyncio.run(main())
