"""Ingestion benchmark: N RSS feeds served from 127.0.0.1, read through the real Pipeline.

Poll 1: every feed answers 200 with its items; `backfill` makes the newest items articles (stored,
grouped into stories, extracted with the installed extractor). Poll 2: every feed answers 304 (the
ETag sent back matches). Poll 3 (with --new-items > 0): every feed lists that many new items, so the
incremental path (entries already seen skipped, new ones stored) is measured too.

The feed server runs in a child process (aiohttp on 127.0.0.1, random port) so its CPU is not charged
to the bot. Feeds are generated, seeded, in English and French, each item a distinct article.

    /work/venv/bin/python bench/bench_ingest.py            # 500 feeds x 10 items
    /work/venv/bin/python bench/bench_ingest.py --feeds 50 # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import multiprocessing as mp
import pstats
import random
import tempfile
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
from _common import article_text, peak_rss_kib, print_header, row, timer  # first: repo root on sys.path
from aiohttp import web

from bot.config import parse_config
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store

BASE_TIME = dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)


# --- the feed server (child process) ---------------------------------------------------------------

def _item_xml(feed: int, n: int, port: int) -> str:
    rng = random.Random(feed * 100_003 + n)
    lang = "fr" if feed % 2 else "en"
    title, text = article_text(rng, lang)
    paras = "".join(f"<p>{escape(p)}.</p>" for p in text.split(". ") if p)
    when = BASE_TIME + dt.timedelta(minutes=feed % 600 + n * 7)
    link = f"http://127.0.0.1:{port}/a/{feed}/{n}"
    return (f"<item><title>{escape(title)}</title><link>{link}</link>"
            f"<guid isPermaLink=\"false\">urn:bench:{feed}:{n}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{escape(text[:200])}</description>"
            f"<content:encoded><![CDATA[{paras}]]></content:encoded></item>")


def _feed_xml(feed: int, items: list[str]) -> bytes:
    lang = "fr" if feed % 2 else "en"
    head = ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>Bench wire {feed}</title><link>http://127.0.0.1/</link><language>{lang}</language>"
            f"<description>generated feed {feed}</description>")
    # Newest first, as feeds usually list them.
    return (head + "".join(reversed(items)) + "</channel></rss>").encode()


def serve(conn: mp.connection.Connection, feeds: int, items: int) -> None:
    """Child process: serve /feed/{i}.xml with ETags; POST /advance?n=K adds K items to every feed."""
    async def main() -> None:
        state: dict[str, int] = {"gen": 0, "200": 0, "304": 0, "page": 0}
        bodies: dict[int, bytes] = {}
        lists: dict[int, list[str]] = {}
        port_box: list[int] = [0]

        def build(n_new: int) -> None:
            for f in range(feeds):
                have = lists.setdefault(f, [])
                start = len(have)
                have.extend(_item_xml(f, start + k, port_box[0]) for k in range(n_new))
                bodies[f] = _feed_xml(f, have)

        async def feed(request: web.Request) -> web.Response:
            f = int(request.match_info["n"])
            if f not in bodies:
                raise web.HTTPNotFound()
            etag = f'"f{f}-g{state["gen"]}"'
            if request.headers.get("If-None-Match") == etag:
                state["304"] += 1
                return web.Response(status=304, headers={"ETag": etag})
            state["200"] += 1
            return web.Response(body=bodies[f], headers={"ETag": etag, "Content-Type": "application/rss+xml"})

        async def page(request: web.Request) -> web.Response:
            state["page"] += 1
            return web.Response(text="<html><body><p>unused</p></body></html>", content_type="text/html")

        async def advance(request: web.Request) -> web.Response:
            build(int(request.query.get("n", "1")))
            state["gen"] += 1
            return web.json_response({"ok": True})

        async def stats(request: web.Request) -> web.Response:
            return web.json_response(state)

        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_get("/a/{f}/{n}", page)
        app.router.add_post("/advance", advance)
        app.router.add_get("/stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_box[0] = runner.addresses[0][1]
        build(items)
        conn.send(port_box[0])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # parent says stop
        await runner.cleanup()

    asyncio.run(main())


# --- the bot side ----------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def stats(base: str) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        return dict((await client.get(f"{base}/stats")).json())


async def run(args: argparse.Namespace, port: int, tmp: Path) -> None:
    base = f"http://127.0.0.1:{port}"
    config = parse_config({
        "database": f"sqlite:///{tmp / 'bench.db'}",
        "outputs": {"console": {"enabled": False}},
        "fetch": {"allow_private": True, "concurrency": args.concurrency, "per_host": args.per_host},
        "sources": [{"name": f"wire{i}", "type": "feed", "url": f"{base}/feed/{i}.xml", "backfill": args.backfill,
                     "interval": "15m", "tags": ["libya" if i % 3 == 0 else "sudan" if i % 3 == 1 else "sahel"]}
                    for i in range(args.feeds)],
    }, "bench-ingest")
    store = Store.open(config.database)
    clock = Clock()
    pipeline = Pipeline(config, store, {}, clock=clock)

    async def poll(label: str) -> RunReport:
        before = await stats(base)
        profiler = cProfile.Profile() if args.profile else None
        with timer() as t:
            if profiler is not None:
                profiler.enable()
            report = await pipeline.ingest_all()
            if profiler is not None:
                profiler.disable()
        after = await stats(base)
        reqs = {k: after[k] - before[k] for k in ("200", "304", "page")}
        n_req = sum(reqs.values())
        print(f"-- {label}")
        row("wall time", f"{t[0]:.2f} s")
        row("requests (200 / 304 / linked pages)", f"{n_req} ({reqs['200']} / {reqs['304']} / {reqs['page']})")
        row("requests/s", f"{n_req / t[0]:.1f}")
        row("articles new / seen", f"{report.articles_new} / {report.articles_seen}")
        row("articles/s", f"{report.articles_new / t[0]:.1f}")
        row("alerts new", str(report.alerts_new))
        row("failed sources", str(len(report.failed_sources)))
        row("per feed", f"{t[0] / max(1, args.feeds) * 1000:.1f} ms")
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        return report

    try:
        first = await poll(f"poll 1: {args.feeds} feeds x {args.items} items, backfill {args.backfill} (HTTP 200)")
        clock.now += dt.timedelta(hours=1)
        await poll("poll 2: unchanged feeds (HTTP 304, conditional GET)")
        if args.new_items > 0:
            async with httpx.AsyncClient() as client:
                await client.post(f"{base}/advance", params={"n": args.new_items})
            clock.now += dt.timedelta(hours=1)
            await poll(f"poll 3: {args.new_items} new item(s) per feed (HTTP 200, seen entries skipped)")
        print("-- totals")
        row("articles stored", str(store.count_articles()))
        row("stories", str(len(store.recent_stories(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))))
        row("database size", f"{(tmp / 'bench.db').stat().st_size / 1e6:.1f} MB (+ WAL)")
        row("peak RSS of this process (bot side)", f"{peak_rss_kib() / 1024:.0f} MiB")
        if first.failed_sources:
            print(f"   first failed sources: {first.failed_sources[:5]}")
    finally:
        await pipeline.fetcher.aclose()
        store.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feeds", type=int, default=500, help="number of feeds (default %(default)s)")
    p.add_argument("--items", type=int, default=10, help="items per feed (default %(default)s)")
    p.add_argument("--backfill", type=int, default=10, help="source backfill: items kept on the first poll "
                   "(default %(default)s)")
    p.add_argument("--new-items", type=int, default=0, help="new items per feed for a third poll (default "
                   "%(default)s: no third poll)")
    p.add_argument("--concurrency", type=int, default=8, help="fetch.concurrency (default %(default)s)")
    p.add_argument("--per-host", type=int, default=2, help="fetch.per_host (default %(default)s; every feed "
                   "is on 127.0.0.1)")
    p.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest functions "
                   "(cumulative, cProfile) of each poll (default: no profile)")
    args = p.parse_args()
    print_header("ingest: RSS feeds from a local server through Pipeline.ingest_all", vars(args))
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(child, args.feeds, args.items), daemon=True)
    server.start()
    try:
        if not parent.poll(120):
            raise SystemExit("feed server did not start")
        port = parent.recv()
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            asyncio.run(run(args, port, Path(tmp)))
    finally:
        parent.send("stop")
        server.join(10)
        if server.is_alive():
            server.terminate()


if __name__ == "__main__":
    main()
