"""A store full of realistic alerts for the digest and command benchmarks (bulk inserts, seeded).

`seed_store` writes stories, articles (several outlets per story), and Statement / Fighting /
Casualty alerts into the store's own tables with executemany, in the shapes `Store.add_alert` writes
(JSON data from `alert_to_dict`, dedup keys, importance from `bot.core.importance`, outlets in
`alert_articles`). Casualty figures of a story come from a few reporters whose tolls rise over time,
so digests have figures to reconcile and changes to show.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from _common import (
    ACTIONS,
    ACTORS,
    PLACES,
    REPORTERS_EN,
    REPORTERS_FR,
    SPEAKERS,
    VICTIMS_EN,
    VICTIMS_FR,
    article_text,
    row,
    timer,
)
from sqlalchemy import insert

from bot.core.importance import importance
from bot.core.models import Alert, Casualty, Fighting, Place, Statement, alert_to_dict
from bot.store import Store
from bot.store import schema as s

TOPICS = ("libya", "sudan", "sahel", "ukraine", "gaza")


@dataclass(frozen=True)
class Seeded:
    stories: int
    articles: int
    alerts: int
    by_type: dict[str, int]
    sources: tuple[tuple[str, str], ...]  # (source name, its tag)
    oldest: dt.datetime
    newest: dt.datetime


def _alert(rng: random.Random, kind: str, art_key: str, lang: str, place: str, figures: dict[str, list[int]],
           day: dt.date) -> Alert:
    if kind == "statement":
        name, role_en, role_fr = rng.choice(SPEAKERS)
        role = role_fr if lang == "fr" else role_en
        words = article_text(rng, lang, sentences=1)[1][:160]
        return Statement(article_id=art_key, speaker=name, quote=words, speaker_role=role, direct=rng.random() < 0.6,
                         date=day, evidence=words[:80])
    if kind == "fighting":
        loc = place if rng.random() < 0.7 else rng.choice(PLACES)
        return Fighting(article_id=art_key, location=loc, action=rng.choice(ACTIONS),  # type: ignore[arg-type]
                        actors=tuple(rng.sample(ACTORS, rng.randint(0, 2))), date=day,
                        evidence=f"fighting near {loc}", place=Place(loc, None, None, None))
    reporters = REPORTERS_FR if lang == "fr" else REPORTERS_EN
    who = rng.choice(reporters[:4])
    series = figures.setdefault(who, [rng.randint(1, 30), rng.randint(0, 40)])
    series[0] += rng.randint(0, 12)  # tolls of an ongoing event rise
    series[1] += rng.randint(0, 20)
    victims = rng.choice(VICTIMS_FR if lang == "fr" else VICTIMS_EN)
    return Casualty(article_id=art_key, killed=series[0], wounded=series[1] if rng.random() < 0.7 else None,
                    qualifier=rng.choice(("at_least", "exact", "more_than", "about")),
                    victims=victims, reported_by=who, location=place, since=day,
                    evidence=f"{series[0]} {victims} killed in {place}")


def seed_store(store: Store, *, alerts: int, stories: int, days: float, now: dt.datetime, seed: int = 7,
               articles_per_story: int = 4, sources: int = 40) -> Seeded:
    """Fill `store` with `alerts` alerts over `stories` stories created over the last `days` days."""
    rng = random.Random(seed)
    source_list = tuple((f"wire{i}", TOPICS[i % len(TOPICS)]) for i in range(sources))
    span = dt.timedelta(days=days)
    story_rows, article_rows, alert_rows, link_rows = [], [], [], []
    by_type = {"statement": 0, "fighting": 0, "casualty": 0}
    # Alerts per story vary (a few big stories, many small ones) but add up to `alerts`.
    weights = [rng.paretovariate(1.5) for _ in range(stories)]
    total_w = sum(weights)
    counts = [max(1, int(alerts * w / total_w)) for w in weights]
    diff = alerts - sum(counts)
    i = 0
    while diff != 0:
        j = i % stories
        if diff > 0:
            counts[j] += 1
            diff -= 1
        elif counts[j] > 1:
            counts[j] -= 1
            diff += 1
        i += 1
    article_id = alert_id = 0
    oldest = newest = now
    for story_id in range(1, stories + 1):
        start = now - span * rng.random()
        # A story lives for up to two days (its alerts come in over that time), never past `now`.
        life = min(dt.timedelta(hours=rng.uniform(1, 48)), now - start)
        src_name, tag = rng.choice(source_list)
        lang = "fr" if rng.random() < 0.4 else "en"
        place = rng.choice(PLACES)
        title, _ = article_text(rng, lang, sentences=0)
        story_rows.append({"id": story_id, "title": f"{place}: {title}"[:200], "topic": tag, "signature": None,
                           "created_at": start, "updated_at": start + life})
        arts: list[tuple[int, str]] = []
        for k in range(articles_per_story):
            article_id += 1
            src = src_name if k == 0 else rng.choice(source_list)[0]
            a_title, a_text = article_text(rng, lang, sentences=4)
            key = f"http://news.invalid/{src}/{article_id}"
            arts.append((article_id, key))
            fetched = start + life * (k / articles_per_story)
            article_rows.append({
                "id": article_id, "key": key, "source": src, "outlet": src, "url": key, "title": a_title,
                "lang": lang, "published": fetched.date(), "fetched_at": fetched, "text": a_text,
                "content_hash": f"{article_id:064x}", "story_id": story_id, "processed_at": fetched,
            })
        figures: dict[str, list[int]] = {}
        times = sorted(start + life * rng.random() for _ in range(counts[story_id - 1]))
        for n, created in enumerate(times):
            kind = rng.choices(("statement", "fighting", "casualty"), (4, 3, 3))[0]
            art_id, art_key = arts[min(len(arts) - 1, int(len(arts) * n / max(1, len(times))))]
            alert = _alert(rng, kind, art_key, lang, place, figures, created.date())
            alert_id += 1
            by_type[kind] += 1
            alert_rows.append({
                "id": alert_id, "article_id": art_id, "story_id": story_id, "type": kind,
                "dedup_key": f"story:{story_id}|{kind}|{n}|{alert.key()}"[:600],
                "data": json.dumps(alert_to_dict(alert), ensure_ascii=False), "importance": importance(alert),
                "created_at": created,
            })
            for other, _ in rng.sample(arts, rng.randint(1, min(3, len(arts)))):
                link_rows.append({"alert_id": alert_id, "article_id": other})
            if created < oldest:
                oldest = created
    with store.tx() as conn:
        conn.execute(insert(s.stories), story_rows)
        conn.execute(insert(s.articles), article_rows)
        for i in range(0, len(alert_rows), 20_000):
            conn.execute(insert(s.alerts), alert_rows[i:i + 20_000])
        for i in range(0, len(link_rows), 50_000):
            conn.execute(insert(s.alert_articles), link_rows[i:i + 50_000])
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return Seeded(stories, article_id, alert_id, by_type, source_list, oldest, newest)


def seed_and_report(store: Store, *, alerts: int, stories: int, days: float, now: dt.datetime) -> Seeded:
    """`seed_store`, timed, with the "-- data" lines every benchmark on a seeded store prints."""
    with timer() as t:
        seeded = seed_store(store, alerts=alerts, stories=stories, days=days, now=now)
    print("-- data")
    row("seeding (bulk insert + ANALYZE)", f"{t[0]:.1f} s")
    row("stories / articles / alerts", f"{seeded.stories} / {seeded.articles} / {seeded.alerts}")
    return seeded


def source_configs(seeded: Seeded, folder: str) -> list[dict[str, object]]:
    """Config entries for the seeded sources (folder sources, never polled by the benchmarks): their
    tags are what topic filters look at."""
    return [{"name": name, "type": "folder", "path": folder, "tags": [tag]} for name, tag in seeded.sources]
