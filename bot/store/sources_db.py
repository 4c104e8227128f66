"""What polling asks the store about its sources: whether a content was already processed, and forgetting
a source's polling state."""

from __future__ import annotations

from sqlalchemy import and_, delete, select

from bot.store import schema as s
from bot.store.db import Store


def content_seen(store: Store, source: str, content_hash: str) -> bool:
    """True when `source` already gave us an article with this exact content (a re-published entry),
    and it was processed: one whose processing failed is to be processed again, not skipped."""
    with store.tx() as conn:
        row = conn.execute(select(s.articles.c.id).where(and_(
            s.articles.c.source == source, s.articles.c.content_hash == content_hash,
            s.articles.c.processed_at.is_not(None))).limit(1)).first()
    return row is not None


def forget_source(store: Store, name: str) -> None:
    """Drop what polling remembers of a source (its `source_state` row and `seen_entries`): a source
    added again under this name starts as new (backlog marked seen, `backfill` kept), whatever its URL.
    Its stored articles stay."""
    with store.tx() as conn:
        conn.execute(delete(s.seen_entries).where(s.seen_entries.c.source == name))
        conn.execute(delete(s.source_state).where(s.source_state.c.name == name))
