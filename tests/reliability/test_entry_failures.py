"""An article that fails is not lost: retried on the next polls, parked with its error after three
failures (listed by `python -m bot failures`), never marked seen without its alerts. SQLite and PostgreSQL."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import yaml

from bot.cli.failures import cmd_failures
from bot.config import parse_config
from bot.core.extract import extract_alerts
from bot.core.models import Alert, Article
from bot.service.pipeline import PARK_AFTER, Pipeline, RunReport
from bot.store import Store
from tests.reliability.wire import Event, FeedServer, Wire, config_data


async def test_failing_entry_is_retried_then_parked(db_url: str, tmp_path: Path) -> None:
    server = FeedServer(Wire(feeds=1, sharing=1, events=2))
    await server.start()
    config = parse_config(config_data(db_url, server), "bot.yaml")
    store = Store.open(db_url)
    calls: dict[str, int] = {}

    def flaky(article: Article) -> list[Alert]:
        """Event 0 fails twice, then works; event 1 always fails."""
        calls[article.title or ""] = calls.get(article.title or "", 0) + 1
        if article.title == f"Shelling in {Event(1).town}" or (
                article.title == f"Shelling in {Event(0).town}" and calls[article.title] <= 2):
            raise ValueError(f"extractor broke on {article.title}")
        return extract_alerts(article)

    pipeline = Pipeline(config, store, {}, extractor=flaky)
    source = config.sources[0]
    key0, key1 = (f"id:{server.base}/0/event-{e}" for e in (0, 1))
    try:
        for poll in range(1, 5):
            await pipeline.poll(source, RunReport(), force=True)
            if poll < 3:  # event 0 not processed yet: not seen, no alert, read again
                assert not store.is_seen(source.name, key0) and not store.alerts(), (poll, calls)
        # Event 0 went through on its third try: its five facts, seen, its failures forgotten.
        assert len(store.alerts()) == 5 and store.is_seen(source.name, key0)
        assert calls[f"Shelling in {Event(0).town}"] == 3
        # Event 1 was tried PARK_AFTER times, then parked: not tried on the fourth poll, never seen.
        assert calls[f"Shelling in {Event(1).town}"] == PARK_AFTER
        assert not store.is_seen(source.name, key1) and store.is_parked(source.name, key1)
        failures = store.entry_failures()
        assert [(f["entry_key"], f["attempts"]) for f in failures] == [(key1, PARK_AFTER)]
        assert "extractor broke" in str(failures[0]["last_error"])
    finally:
        await pipeline.fetcher.aclose()
        store.close()
        await server.stop()

    # Admins see it, and can put it back in line: it is then tried (and processed) again.
    path = tmp_path / "bot.yaml"
    path.write_text(yaml.safe_dump(config_data(db_url, server)))
    out = io.StringIO()
    assert cmd_failures(argparse.Namespace(config=str(path), source=None, retry=True), out) == 0
    shown = out.getvalue()
    assert shown.startswith("parked") and key1 in shown and "extractor broke" in shown
    store = Store.open(db_url)
    try:
        assert store.entry_failures() == [] and not store.is_parked(source.name, key1)
    finally:
        store.close()
