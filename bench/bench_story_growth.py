"""Ingestion cost per article as one story grows: N near-identical short items (one dispatch, each copy
with its own figure and outlet line), processed through the real Pipeline (store, story grouping, the
installed extractor) on a SQLite file. Prints the rate for each block of `--block` articles: a flat
rate means the cost per article does not grow with the story.

    .venv/bin/python bench/bench_story_growth.py               # 5,000 items
    .venv/bin/python bench/bench_story_growth.py -n 1000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from _common import print_header  # first: repo root on sys.path

from bot.config import Config
from bot.core.models import Article
from bot.service.pipeline import Pipeline
from bot.store import Store

ITEM = ("At least {k} people were killed in Tripoli on {day} as clashes between rival forces went on, the "
        "health ministry said, in update {i} from {outlet}.")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def item(i: int) -> Article:
    text = ITEM.format(k=40 + i % 7, day=DAYS[i % 5], i=i, outlet=f"outlet {i % 50}")
    return Article(id=f"item-{i}", text=text, title=f"Tripoli clashes {i}", source=f"outlet{i % 50}",
                   outlet=f"Outlet {i % 50}", url=f"https://example.org/{i}", lang="en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5000, help="items (default: %(default)s)")
    parser.add_argument("--block", type=int, default=500, help="articles per line of output (default: %(default)s)")
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions")
    parser.add_argument("--sort", default="cumulative",
                        help="profile order: cumulative, tottime, ... (default: %(default)s)")
    args = parser.parse_args()
    print_header("story growth: one story of near-identical short items", {"n": args.n, "block": args.block})
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = Store.open(url)
        pipeline = Pipeline(Config(path="bench.yaml", database=url), store, {})
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        start = block_start = time.perf_counter()
        first_rate = 0.0
        for i in range(args.n):
            pipeline.process(item(i))
            if (i + 1) % args.block == 0 or i + 1 == args.n:
                now = time.perf_counter()
                rate = ((i % args.block) + 1) / (now - block_start)
                first_rate = first_rate or rate
                print(f"articles {i + 2 - ((i % args.block) + 1):>6}-{i + 1:<6} {rate:8.1f} articles/s")
                block_start = now
        total = time.perf_counter() - start
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(25)
        with store.tx() as conn:
            stories = conn.exec_driver_sql("SELECT count(DISTINCT story_id) FROM articles").scalar_one()
            alerts = conn.exec_driver_sql("SELECT count(*) FROM alerts").scalar_one()
        store.close()
    print(f"{args.n} articles in {total:.1f} s ({args.n / total:.1f}/s); {stories} story(ies), {alerts} alerts; "
          f"last block / first block rate: {rate / first_rate:.2f}")


if __name__ == "__main__":
    main()
