"""Numbered migrations, recorded in `schema_migrations`; opening an older database upgrades it.

Each migration only adds tables, indexes or columns, and checks before it adds, so a migration that
was interrupted half-way is simply run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Table, insert, inspect, select, text

from bot.store import files_state, stories_schema
from bot.store import schema as s


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    tables: tuple[Table, ...] = ()
    run: Callable[[Connection], None] | None = None


# Full-text search (SQLite FTS5): articles through an external-content index kept in step by
# triggers; alerts through their searchable fields pulled out of the JSON. Other databases search
# with LIKE instead (bot/service/search.py), so this is a no-op there.
_ALERT_BODY = " || ' ' || ".join(
    f"coalesce(json_extract({{row}}.data, '$.{k}'), '')"
    for k in ("speaker", "speaker_role", "quote", "location", "actors", "victims", "reported_by", "evidence"))
_FTS_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, content='articles', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS alerts_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS alerts_fts_ai AFTER INSERT ON alerts BEGIN "
    f"INSERT INTO alerts_fts(rowid, body) VALUES (new.id, {_ALERT_BODY.format(row='new')}); END",
    "CREATE TRIGGER IF NOT EXISTS alerts_fts_ad AFTER DELETE ON alerts BEGIN "
    "DELETE FROM alerts_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS alerts_fts_au AFTER UPDATE OF data ON alerts BEGIN "
    "DELETE FROM alerts_fts WHERE rowid = old.id; "
    f"INSERT INTO alerts_fts(rowid, body) VALUES (new.id, {_ALERT_BODY.format(row='new')}); END",
    f"INSERT INTO alerts_fts(rowid, body) SELECT alerts.id, {_ALERT_BODY.format(row='alerts')} FROM alerts "
    "WHERE alerts.id NOT IN (SELECT rowid FROM alerts_fts)",
)


def _full_text_search(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    for statement in _FTS_SQL:
        conn.execute(text(statement))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "articles, alerts, deliveries, source state",
              (s.source_state, s.seen_entries, s.articles, s.alerts, s.alert_articles, s.deliveries, s.kv)),
    Migration(2, "stories, threads, subscriptions, digest state",
              (s.stories, s.story_threads, s.subscriptions, s.channel_state)),
    Migration(5, "full-text search over articles and alerts (SQLite FTS5)", run=_full_text_search),
    Migration(7, "leases for replicas", (s.leases,)),
    Migration(8, "crash recovery: articles.processed_at, deliveries.owner",
              run=lambda conn: _add_columns(conn, [(s.articles, "processed_at"), (s.deliveries, "owner")])),
    Migration(9, "service mode: entry failures (retry, park), named locks", (s.entry_failures, s.store_locks)),
    Migration(10, "local files already read: size, mtime, SHA-256", (files_state.file_state,)),
    Migration(13, "event stories: articles filed by what they name, story redirects",
              (stories_schema.article_stories, stories_schema.story_redirects)),
)

# max, not the last: branches adding their migrations may merge them in any order.
LATEST = max(m.version for m in MIGRATIONS)


def _add_columns(conn: Connection, columns: list[tuple[Table, str]]) -> None:
    """ALTER TABLE … ADD COLUMN for each column a table lacks (a table created later already has it)."""
    for table, name in columns:
        present = {c["name"] for c in inspect(conn).get_columns(table.name)}
        if name in present:
            continue
        column = table.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{name}" {kind}')


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(s.schema_migrations.name):
        return 0
    versions = conn.execute(select(s.schema_migrations.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(conn: Connection, target: int = LATEST) -> list[int]:
    """Apply every migration above the database's version up to `target`; return those applied."""
    s.schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(select(s.schema_migrations.c.version)).scalars().all())
    applied: list[int] = []
    for m in MIGRATIONS:
        if m.version in done or m.version > target:
            continue
        for table in m.tables:
            table.create(conn, checkfirst=True)
            for index in table.indexes:
                index.create(conn, checkfirst=True)
        if m.run is not None:
            m.run(conn)
        conn.execute(insert(s.schema_migrations).values(
            version=m.version, name=m.name, applied_at=dt.datetime.now(dt.UTC)))
        applied.append(m.version)
    return applied
