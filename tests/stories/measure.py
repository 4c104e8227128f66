"""Pairwise precision and recall of "same story" over the labelled set (`data/labelled.jsonl`).

The articles (written for these tests: 12 events, French and English, follow-ups from other outlets
and days later, neighbouring events in the same country on the same days) go through the real
pipeline in publication order: the near-duplicate grouper, then the event stories. Two articles are a
predicted pair when they end in the same story, a gold pair when they report the same event.

    .venv/bin/python -m tests.stories.measure
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from bot.config import Config
from bot.core.models import Article
from bot.service.pipeline import Pipeline
from bot.store import Store

DATA = Path(__file__).parent / "data" / "labelled.jsonl"


@dataclass(frozen=True)
class Labelled:
    article: Article
    event: str


def load(path: Path = DATA) -> list[Labelled]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        out.append(Labelled(Article(
            id=d["id"], text=d["text"], title=d["title"], lang=d["lang"],
            published=dt.date.fromisoformat(d["published"]), source=d["source"], outlet=d["outlet"]), d["event"]))
    return sorted(out, key=lambda x: x.article.published or dt.date.min)  # stable: file order within a day


def ingest(store: Store, items: list[Labelled]) -> dict[str, int]:
    """Every article through the pipeline, in date order; the story each ended in, by article id."""
    last = max(x.article.published or dt.date.min for x in items)
    now = dt.datetime.combine(last, dt.time(23), tzinfo=dt.UTC)
    pipeline = Pipeline(Config(path="measure"), store, {}, clock=lambda: now)
    stories: dict[str, int] = {}
    for x in items:
        pipeline.process(x.article)
    for x in items:
        article_id = store.article_by_hash(x.article.content_hash)
        stored = store.article(article_id) if article_id is not None else None
        assert stored is not None and stored.story_id is not None, x.article.id
        stories[x.article.id] = stored.story_id
    return stories


def pairwise(items: list[Labelled], stories: dict[str, int]) -> tuple[float, float, int, int]:
    """(precision, recall, predicted pairs, gold pairs)."""
    tp = predicted = gold = 0
    for a, b in combinations(items, 2):
        same_gold = a.event == b.event
        same_pred = stories[a.article.id] == stories[b.article.id]
        gold += same_gold
        predicted += same_pred
        tp += same_gold and same_pred
    return (tp / predicted if predicted else 1.0), (tp / gold if gold else 1.0), predicted, gold


def main() -> None:
    items = load()
    store = Store.open("sqlite:///:memory:")
    try:
        stories = ingest(store, items)
    finally:
        store.close()
    precision, recall, predicted, gold = pairwise(items, stories)
    events = {x.event for x in items}
    print(f"articles {len(items)}, events {len(events)}, stories {len(set(stories.values()))}, "
          f"languages {sorted({x.article.lang or '?' for x in items})}")
    print(f"pairwise precision {precision:.3f} ({predicted} predicted pairs), recall {recall:.3f} ({gold} gold pairs)")
    for event in sorted(events):
        got = sorted({stories[x.article.id] for x in items if x.event == event})
        print(f"  {event}: stories {got}")


if __name__ == "__main__":
    main()
