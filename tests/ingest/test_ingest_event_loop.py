"""A big poll leaves the event loop free: articles are processed in a worker thread, one at a time."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from bot.config import SourceConfig
from bot.core.models import Alert, Article
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store
from tests.ingest.ingest_helpers import Clock, filler, pipeline_config


async def heartbeat(gaps: list[float], stop: asyncio.Event) -> None:
    last = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now


@pytest.mark.parametrize("database", ["file", "memory"])
async def test_heartbeat_keeps_beating_during_a_big_poll(tmp_path: Path, database: str) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(60):
        (folder / f"a{n:03d}.txt").write_text(filler(n), encoding="utf-8")
    busy = 0
    threads: set[int] = set()
    at_once = 0
    lock = threading.Lock()

    def slow_extractor(article: Article) -> list[Alert]:
        nonlocal busy, at_once
        with lock:
            busy += 1
            at_once = max(at_once, busy)
        threads.add(threading.get_ident())
        time.sleep(0.02)  # 60 articles: over a second of work
        with lock:
            busy -= 1
        return []

    url = f"sqlite:///{tmp_path / 'bot.db'}" if database == "file" else "sqlite:///:memory:"
    store = Store.open(url)
    source = SourceConfig(name="folder", type="folder", path=str(folder), lang="fr")
    pipeline = Pipeline(pipeline_config(url, [source]), store, {}, extractor=slow_extractor, clock=Clock())
    gaps: list[float] = []
    stop = asyncio.Event()
    beat = asyncio.create_task(heartbeat(gaps, stop))
    report = RunReport()
    try:
        await asyncio.sleep(0.02)
        await pipeline.poll(source, report)
    finally:
        stop.set()
        await beat
        await pipeline.fetcher.aclose()
    try:
        assert report.failed_sources == [] and report.articles_new == 60 and store.count_articles() == 60
        assert threading.get_ident() not in threads and at_once == 1  # off the loop, sequentially
        assert len(gaps) > 20 and max(gaps) < 0.5, max(gaps)
    finally:
        store.close()
