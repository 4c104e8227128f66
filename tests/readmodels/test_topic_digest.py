"""A channel filtered by topic gets its digest from placeholders too (only what it may show decoded), with
the same content as when every alert of the period is read in full: topics from the story's topic and the
tags of every source that carried an alert."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import ChannelConfig, Config, parse_config
from bot.core.importance import importance
from bot.core.models import Alert, Article, Casualty, Fighting, Statement
from bot.service import digests
from bot.service.digests import digest_messages
from bot.store import Store, utcnow
from tests.readmodels.world import decoded_alerts

CHANNEL = ChannelConfig(output="rec", id="C1", language="en", topics=("Libya",))


def config_for(tmp_path: Path) -> Config:
    return parse_config({
        "database": f"sqlite:///{tmp_path / 'bot.db'}",
        "outputs": {"console": {"enabled": False}},
        "sources": [{"name": "libya-wire", "type": "folder", "path": str(tmp_path), "tags": ["Libya"]},
                    {"name": "sudan-wire", "type": "folder", "path": str(tmp_path), "tags": ["sudan"]},
                    {"name": "untagged", "type": "folder", "path": str(tmp_path)}],
    }, "test.yaml")


def fill(store: Store) -> None:
    """Stories with and without a topic, alerts carried by sources with and without the channel's tag."""
    for n in range(36):
        topic = ("libya", "sudan", None)[n % 3]
        story = store.new_story(f"Story {n}", topic=topic)
        alert: Alert = (
            Fighting(str(n), ("Sirte", "Derna", "El Fasher")[n % 3], "clashes", date=dt.date(2026, 12, 1))
            if n % 4 == 0 else
            Casualty(str(n), killed=n + 1, reported_by="the health ministry", location="Sirte") if n % 4 == 1 else
            Statement(str(n), f"Speaker {n}", f"Words {n}.", "minister"))
        # Carried by one source, or by two whose tags differ (a topic comes from any of them).
        carriers = [("untagged", "sudan-wire", "libya-wire")[n % 3]] + (["libya-wire"] if n % 5 == 0 else [])
        alert_id = None
        for k, source in enumerate(carriers):
            article_id, _ = store.add_article(Article(id=f"{n}-{k}", text=f"Text {n}", source=source,
                                                      outlet=source.upper()))
            store.attach_to_story(article_id, story)
            found, _ = store.add_alert(alert, article_id=article_id, story_id=story, importance=importance(alert))
            alert_id = alert_id or found


def test_topic_digest_from_placeholders_is_the_full_reads_digest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_for(tmp_path)
    store = Store.open(config.database)
    try:
        fill(store)
        now = utcnow() + dt.timedelta(seconds=1)
        decoded = decoded_alerts(monkeypatch)
        lazy = [m.plain for m in digest_messages(store, config, CHANNEL, since=None, now=now)]
        decoded_lazily = len(decoded)
        monkeypatch.setattr(digests, "digest_placeholders", lambda *args, **kwargs: None)
        full = [m.plain for m in digest_messages(store, config, CHANNEL, since=None, now=now)]
    finally:
        store.close()

    assert lazy == full
    text = "\n".join(full)
    assert "Speaker 6," in text  # a Libya story, from an untagged source
    assert "Speaker 2," in text  # no topic, carried by the Libya wire
    assert "Speaker 10," in text  # a Sudan story, carried by the Sudan wire and the Libya wire
    assert "Speaker 22," not in text and "Speaker 34," not in text  # Sudan stories from the Sudan wire only
    assert decoded_lazily < len(decoded) - decoded_lazily  # placeholders decode less than the full read
