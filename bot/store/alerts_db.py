"""An article's alerts stored together, in a few statements in all (`Store.add_alert` is this, for one)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.core.models import Alert, alert_to_dict
from bot.store import schema as s
from bot.store.db import Store, alert_dedup_key, utcnow


def add_alerts(store: Store, alerts: Sequence[tuple[Alert, float]], *, article_id: int,
               story_id: int | None) -> list[tuple[int, bool]]:
    """Each (alert, importance) stored once per story and fact, in order, in one transaction: one insert
    of the alerts (ids given in order; a fact already stored, or twice in the list, is not inserted),
    one read of the ids of those already stored, one insert of the article as their outlet (a repeat
    only adds the article as another outlet). Returns (alert id, True when it is new) for each, as
    storing them one after the other would have."""
    if not alerts:
        return []
    keys = [alert_dedup_key(alert, article_id=article_id, story_id=story_id) for alert, _ in alerts]
    rows: dict[str, dict[str, Any]] = {}
    for (alert, importance), key in zip(alerts, keys, strict=True):
        if key not in rows:  # the same fact twice: the second joins the first, like a later article
            rows[key] = dict(article_id=article_id, story_id=story_id, type=alert.type, dedup_key=key,
                             data=json.dumps(alert_to_dict(alert), ensure_ascii=False), importance=importance,
                             created_at=utcnow())
    with store.tx() as conn:
        dialect = conn.dialect.name
        # Insert-or-nothing, then read: of two articles filing the same fact at once, one creates the
        # alert and the other joins it as an outlet (a select-then-insert let both insert).
        new = {str(r.dedup_key): int(r.id) for r in conn.execute(_insert_alerts(dialect), list(rows.values()))}
        ids = dict(new)
        stored = [key for key in rows if key not in new]
        if stored:
            ids.update({str(r.dedup_key): int(r.id) for r in conn.execute(_IDS_OF, {"keys": stored})})
        links = list(dict.fromkeys(ids[key] for key in keys))
        conn.execute(_insert_links(dialect), [{"alert_id": i, "article_id": article_id} for i in links])
    out: list[tuple[int, bool]] = []
    first: set[str] = set()
    for key in keys:
        out.append((ids[key], key in new and key not in first))
        first.add(key)
    return out


_IDS_OF = select(s.alerts.c.id, s.alerts.c.dedup_key).where(s.alerts.c.dedup_key.in_(bindparam("keys", expanding=True)))


@functools.cache
def _insert_alerts(dialect: str) -> Any:
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(s.alerts)
    return stmt.on_conflict_do_nothing(index_elements=["dedup_key"]).returning(s.alerts.c.id, s.alerts.c.dedup_key)


@functools.cache
def _insert_links(dialect: str) -> Any:
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(s.alert_articles)
    return stmt.on_conflict_do_nothing(index_elements=["alert_id", "article_id"])
