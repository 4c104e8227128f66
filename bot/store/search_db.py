"""The store's side of `/news search`: SQLite's FTS5 indexes (bm25 order, snippets with match markers),
and the newest rows for matching in Python where there is no FTS5 (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from bot.store import schema as s
from bot.store.db import Store

OPEN, CLOSE = "\x02", "\x03"  # match markers inside FTS snippets (char(2), char(3))


class SearchUnavailable(Exception):
    """No FTS5 in this SQLite, or an index not built."""


def has_fts(store: Store) -> bool:
    return store.engine.dialect.name == "sqlite"


def fts_articles(store: Store, query: str, limit: int) -> list[dict[str, Any]]:
    """Articles matching an FTS5 query, best first: id, story_id, title, outlet, url, score, snip (text),
    tsnip (title)."""
    return _fts(store, "SELECT a.id, a.story_id, a.title, a.outlet, a.url, bm25(articles_fts, 4.0, 1.0) AS score, "
                "snippet(articles_fts, 1, char(2), char(3), '…', 20) AS snip, "
                "snippet(articles_fts, 0, char(2), char(3), '…', 20) AS tsnip "
                "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                "WHERE articles_fts MATCH :q ORDER BY score LIMIT :n", query, limit)


def fts_alerts(store: Store, query: str, limit: int) -> list[dict[str, Any]]:
    """Alerts matching an FTS5 query, best first: id, story_id, data (JSON), score, snip."""
    return _fts(store, "SELECT al.id, al.story_id, al.data, bm25(alerts_fts) AS score, "
                "snippet(alerts_fts, 0, char(2), char(3), '…', 20) AS snip "
                "FROM alerts_fts JOIN alerts al ON al.id = alerts_fts.rowid "
                "WHERE alerts_fts MATCH :q ORDER BY score LIMIT :n", query, limit)


def _fts(store: Store, sql: str, query: str, limit: int) -> list[dict[str, Any]]:
    try:
        with store.tx() as conn:
            return [dict(r) for r in conn.execute(text(sql), {"q": query, "n": limit}).mappings().all()]
    except OperationalError as exc:
        raise SearchUnavailable(str(exc)) from exc


def newest_articles(store: Store, limit: int) -> list[dict[str, Any]]:
    with store.tx() as conn:
        rows = conn.execute(select(s.articles).order_by(s.articles.c.id.desc()).limit(limit)).mappings()
        return [dict(r) for r in rows]


def newest_alerts(store: Store, limit: int) -> list[dict[str, Any]]:
    with store.tx() as conn:
        rows = conn.execute(select(s.alerts).order_by(s.alerts.c.id.desc()).limit(limit)).mappings()
        return [dict(r) for r in rows]
