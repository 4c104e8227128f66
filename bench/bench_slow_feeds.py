"""Sources polled at once: N local feeds of which some answer only after a delay, one `ingest_all`.

500 RSS feeds (half English, half French, `bench_ingest`'s generated items) on an aiohttp server in a
child process; every tenth feed waits 5 s before answering. One `Pipeline` on a fresh SQLite file
polls them all once (`Pipeline.ingest_all`, as `run --once` does) with `fetch.sources_at_once`
sources at a time; `fetch.concurrency` and `per_host` are raised to match, since every feed is on
127.0.0.1 (one host). Polled one after the other, the slow feeds alone would take 50 x 5 s = 250 s.

    .venv/bin/python bench/bench_slow_feeds.py                        # 500 feeds, 50 slow, 50 at once
    .venv/bin/python bench/bench_slow_feeds.py --sources-at-once 1    # one after the other (before)
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import tempfile
from pathlib import Path

import httpx
from _common import peak_rss_kib, print_header, row, timer  # first: repo root on sys.path
from aiohttp import web
from bench_ingest import _feed_xml, _item_xml

from bot.config import parse_config
from bot.service.pipeline import Pipeline
from bot.store import Store


def serve(conn: mp.connection.Connection, feeds: int, items: int, slow_every: int, delay: float) -> None:
    """Child process: /feed/{i}.xml, feeds whose number is a multiple of `slow_every` after `delay` s."""
    async def main() -> None:
        bodies: dict[int, bytes] = {}
        counts = {"requests": 0, "slow": 0}

        async def feed(request: web.Request) -> web.Response:
            f = int(request.match_info["n"])
            counts["requests"] += 1
            if f % slow_every == 0:
                counts["slow"] += 1
                await asyncio.sleep(delay)
            return web.Response(body=bodies[f], headers={"Content-Type": "application/rss+xml"})

        async def stats(request: web.Request) -> web.Response:
            return web.json_response(counts)

        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_get("/stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=2048)
        await site.start()
        port = runner.addresses[0][1]
        for f in range(feeds):
            bodies[f] = _feed_xml(f, [_item_xml(f, n, port) for n in range(items)])
        conn.send(port)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # parent says stop
        await runner.cleanup()

    asyncio.run(main())


async def run(args: argparse.Namespace, port: int, tmp: Path) -> None:
    base = f"http://127.0.0.1:{port}"
    at_once = args.sources_at_once
    config = parse_config({
        "database": f"sqlite:///{tmp / 'bench.db'}",
        "outputs": {"console": {"enabled": False}},
        "fetch": {"allow_private": True, "sources_at_once": at_once, "concurrency": max(at_once, 8),
                  "per_host": max(at_once, 2), "timeout": "30s"},
        "sources": [{"name": f"wire{i}", "type": "feed", "url": f"{base}/feed/{i}.xml", "backfill": args.backfill,
                     "interval": "15m", "tags": ["libya"]} for i in range(args.feeds)],
    }, "bench-slow-feeds")
    store = Store.open(config.database)
    pipeline = Pipeline(config, store, {})
    try:
        with timer() as t:
            report = await pipeline.ingest_all()
    finally:
        await pipeline.fetcher.aclose()
        store.close()
    async with httpx.AsyncClient() as client:
        served = (await client.get(f"{base}/stats")).json()
    slow = len(range(0, args.feeds, args.slow_every))
    print(f"-- {args.feeds} feeds, {slow} answering after {args.delay:g} s, {at_once} sources at once")
    row("wall time of ingest_all", f"{t[0]:.2f} s")
    row("slow feeds one after the other would wait", f"{slow * args.delay:.0f} s")
    row("requests served (slow)", f"{served['requests']} ({served['slow']})")
    row("failed sources", str(len(report.failed_sources)))
    row("new articles", str(report.articles_new))
    row("peak RSS of the bot side", f"{peak_rss_kib() / 1024:.0f} MiB")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feeds", type=int, default=500, help="number of feeds (default %(default)s)")
    p.add_argument("--slow-every", type=int, default=10, help="every Nth feed is slow (default %(default)s)")
    p.add_argument("--delay", type=float, default=5.0, help="seconds a slow feed waits (default %(default)s)")
    p.add_argument("--items", type=int, default=5, help="items per feed (default %(default)s)")
    p.add_argument("--backfill", type=int, default=1,
                   help="items per feed made articles on this first poll, the rest marked seen (default %(default)s)")
    p.add_argument("--sources-at-once", type=int, default=50, help="fetch.sources_at_once (default %(default)s)")
    args = p.parse_args()
    print_header("sources polled at once: slow feeds among fast ones", vars(args))
    parent, child = mp.Pipe()
    server = mp.Process(target=serve, args=(child, args.feeds, args.items, args.slow_every, args.delay), daemon=True)
    server.start()
    try:
        port = parent.recv()
        with tempfile.TemporaryDirectory(prefix="bench-slow-") as tmp:
            asyncio.run(run(args, port, Path(tmp)))
    finally:
        parent.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
