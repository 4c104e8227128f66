"""Digest benchmark: build a channel's digest over a store of 100,000 alerts.

A temporary SQLite store is filled (bulk inserts, seeded: see `_seed.py`) with Statement, Fighting
and Casualty alerts over ~5,000 stories spread over `--days` days. Then the digest is built through
the bot's own code for:

- the last 24 h, as `Pipeline.digest` does (one message) and as `send_digest` posts it (up to 3 parts);
- the whole archive (every stored alert);
- the last 24 h and the whole archive for a channel filtered by topic and type (config filters).

Each is timed, with the number of digest entries, messages and lines, and the number of SQL statements
run (to show per-alert queries). `digest_entries` (store reads) and `build_digest_parts` (layout, with the
figures of the casualty stories it shows) are also timed apart.

    /work/venv/bin/python bench/bench_digest.py              # 100,000 alerts
    /work/venv/bin/python bench/bench_digest.py --alerts 10000 --stories 500
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from _common import peak_rss_kib, print_header, row, timer  # first: repo root on sys.path
from _seed import seed_and_report, source_configs
from sqlalchemy import event

from bot.config import ChannelConfig, Config, parse_config
from bot.core.digest import build_digest_parts
from bot.core.models import Message
from bot.service.digests import FIRST_DIGEST_WINDOW, digest_entries, digest_figures, digest_messages
from bot.service.pipeline import Pipeline
from bot.store import Store


class QueryCounter:
    def __init__(self, store: Store) -> None:
        self.n = 0
        event.listen(store.engine, "before_cursor_execute", self._count)

    def _count(self, *_: object) -> None:
        self.n += 1


def describe(messages: list[Message]) -> str:
    lines = sum(len(m.lines) for m in messages)
    chars = sum(len(m.plain) for m in messages)
    return f"{len(messages)} message(s), {lines} lines, {chars} chars"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--alerts", type=int, default=100_000, help="stored alerts (default %(default)s)")
    p.add_argument("--stories", type=int, default=5_000, help="stories they belong to (default %(default)s)")
    p.add_argument("--days", type=float, default=30.0, help="days the alerts are spread over (default %(default)s)")
    p.add_argument("--skip-all", action="store_true", help="do not build the whole-archive digest (the slow one)")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="print the N costliest functions (cumulative) of the 24 h digest")
    args = p.parse_args()
    print_header("digest: build a channel digest over a store of alerts", vars(args))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        db = Path(tmp) / "bench.db"
        store = Store.open(f"sqlite:///{db}")
        seeded = seed_and_report(store, alerts=args.alerts, stories=args.stories, days=args.days, now=now)
        row("statement / fighting / casualty", " / ".join(str(seeded.by_type[k])
                                                           for k in ("statement", "fighting", "casualty")))
        row("database size", f"{db.stat().st_size / 1e6:.1f} MB")
        last_day = len(store.alerts(since=now - FIRST_DIGEST_WINDOW))
        row("alerts in the last 24 h", str(last_day))

        config: Config = parse_config({
            "database": f"sqlite:///{db}",
            "outputs": {"console": {"enabled": True, "color": "never"}},
            "sources": source_configs(seeded, tmp),
            "channels": [
                {"output": "console", "id": "all", "digest": {"cron": "0 8 * * *"}},
                {"output": "console", "id": "filtered", "digest": {"cron": "0 8 * * *"},
                 "topics": ["libya"], "types": ["casualty", "fighting"]},
            ],
        }, "bench-digest")
        everything, filtered = config.channels[0], config.channels[1]
        pipeline = Pipeline(config, store, {})
        counter = QueryCounter(store)

        def measure(label: str, build: object) -> list[Message]:
            counter.n = 0
            with timer() as t:
                out = build()  # type: ignore[operator]
            messages = out if isinstance(out, list) else [out]
            print(f"-- {label}")
            row("time", f"{t[0]:.2f} s")
            row("SQL statements", str(counter.n))
            row("output", describe(messages))
            return messages

        def split(label: str, channel: ChannelConfig, since: dt.datetime) -> None:
            counter.n = 0
            with timer() as t1:
                entries = digest_entries(store, config, channel, since=since, until=now)
            queries = counter.n
            tz = ZoneInfo("UTC")
            counter.n = 0
            with timer() as t2:
                parts = build_digest_parts(entries, lang=channel.language, since=since.astimezone(tz),
                                           now=now.astimezone(tz), max_parts=3, figures=digest_figures(store))
            row(f"{label}: digest_entries (store)", f"{t1[0]:.2f} s, {len(entries)} entries, {queries} SQL")
            row(f"{label}: build_digest_parts (layout, figures of the stories shown)",
                f"{t2[0] * 1000:.1f} ms, {counter.n} SQL, {describe(parts)}")

        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        measure("last 24 h, Pipeline.digest (1 message)", lambda: pipeline.digest(everything, since=None, now=now))
        if profiler is not None:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        measure("last 24 h, as send_digest posts it (up to 3 parts)",
                lambda: digest_messages(store, config, everything, since=None, now=now))
        measure("last 24 h, channel filtered (topic libya; casualty, fighting)",
                lambda: digest_messages(store, config, filtered, since=None, now=now))
        print("-- where the time goes (last 24 h)")
        split("24 h", everything, now - FIRST_DIGEST_WINDOW)
        if not args.skip_all:
            since = seeded.oldest - dt.timedelta(seconds=1)
            measure(f"whole archive ({seeded.alerts} alerts), up to 3 parts",
                    lambda: digest_messages(store, config, everything, since=since, now=now))
            measure(f"whole archive ({seeded.alerts} alerts), channel filtered (topic libya; casualty, fighting)",
                    lambda: digest_messages(store, config, filtered, since=since, now=now))
        print("-- process")
        row("peak RSS", f"{peak_rss_kib() / 1024:.0f} MiB")
        store.close()


if __name__ == "__main__":
    main()
