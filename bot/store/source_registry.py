"""Sources added from a chat with `sources add`, kept in the store's key/value state (`source:NAME` -> JSON),
and the story topics commands compare a reader's words with: the store's side of those commands."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select

from bot.store import schema as s
from bot.store.db import Store

SOURCE_KEY = "source:"  # kv keys of sources added with `sources add`


def added_source_records(store: Store) -> list[dict[str, Any]]:
    """Sources added with `sources add`, as stored, in name order; unreadable records are skipped."""
    with store.tx() as conn:
        rows = conn.execute(select(s.kv.c.value).where(s.kv.c.key.startswith(SOURCE_KEY, autoescape=True))
                            .order_by(s.kv.c.key)).scalars().all()
    out = []
    for value in rows:
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and data.get("name") and data.get("url"):
            out.append(data)
    return out


def save_source_record(store: Store, record: dict[str, Any]) -> None:
    store.set_state(SOURCE_KEY + str(record["name"]), json.dumps(record, ensure_ascii=False))


def delete_source_record(store: Store, name: str) -> None:
    with store.tx() as conn:
        conn.execute(delete(s.kv).where(s.kv.c.key == SOURCE_KEY + name))


def story_topics(store: Store) -> list[str]:
    """Every topic a story was filed under."""
    with store.tx() as conn:
        return [x for x in conn.execute(select(s.stories.c.topic).distinct()).scalars() if x]
