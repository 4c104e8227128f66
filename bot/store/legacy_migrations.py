"""The hand-written numbered migrations (versions 1 to 13, recorded in `schema_migrations`), frozen.

Alembic has taken over the schema (see `bot.store.migrations`); its baseline revision runs these steps to
bring a database of any legacy version, or an empty one, to version 13. The tables below are a frozen copy
of the schema at version 13, not the live `bot.store.schema`: a later revision that changes a live table
must not change what the baseline creates. Tests also use `migrate(conn, target=N)` to build a database as
an older bot left it.

Each step only adds tables, indexes or columns, and checks before it adds, so an interrupted step is
simply run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    inspect,
    select,
    text,
)

LEGACY_LATEST = 13

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

source_state = Table(
    "source_state", metadata,
    Column("name", String(200), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("failures", Integer, nullable=False),
    Column("next_retry_at", DateTime(timezone=True)),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("initialized", Boolean, nullable=False),
)

seen_entries = Table(
    "seen_entries", metadata,
    Column("source", String(200), primary_key=True),
    Column("entry_key", String(500), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(500), nullable=False, unique=True),
    Column("source", String(200), nullable=False),
    Column("outlet", String(200)),
    Column("url", Text),
    Column("title", Text),
    Column("lang", String(8)),
    Column("published", Date),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("story_id", Integer, index=True),
    Column("processed_at", DateTime(timezone=True)),  # version 8
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False, index=True),
    Column("story_id", Integer, index=True),
    Column("type", String(16), nullable=False),
    Column("dedup_key", String(600), nullable=False, unique=True),
    Column("data", Text, nullable=False),
    Column("importance", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)
Index("ix_alerts_story_type", alerts.c.story_id, alerts.c.type)

alert_articles = Table(
    "alert_articles", metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("adapter", String(32), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("item_key", String(200), nullable=False),
    Column("alert_id", Integer, index=True),
    Column("status", String(16), nullable=False),
    Column("message_id", String(200)),
    Column("thread_id", String(200)),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("error", Text),
    Column("owner", String(200)),  # version 8
    UniqueConstraint("adapter", "channel", "item_key", name="uq_delivery"),
)

kv = Table(
    "kv", metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

stories = Table(
    "stories", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("topic", String(200)),
    Column("signature", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)

story_threads = Table(
    "story_threads", metadata,
    Column("adapter", String(32), primary_key=True),
    Column("channel", String(200), primary_key=True),
    Column("story_id", Integer, primary_key=True),
    Column("root_message_id", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

subscriptions = Table(
    "subscriptions", metadata,
    Column("id", Integer, primary_key=True),
    Column("adapter", String(32), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(200), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("created_by", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("adapter", "channel", "kind", "value", name="uq_subscription"),
)

channel_state = Table(
    "channel_state", metadata,
    Column("adapter", String(32), primary_key=True),
    Column("channel", String(200), primary_key=True),
    Column("last_digest_at", DateTime(timezone=True)),
)

leases = Table(
    "leases", metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

entry_failures = Table(
    "entry_failures", metadata,
    Column("source", String(200), primary_key=True),
    Column("entry_key", String(500), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("parked_at", DateTime(timezone=True)),
)

store_locks = Table(
    "store_locks", metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200)),
    Column("taken_at", DateTime(timezone=True)),
)

file_state = Table(
    "file_state", metadata,
    Column("source", String(200), primary_key=True),
    Column("path", String(1000), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64)),
    Column("outcome", String(200), nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

article_stories = Table(
    "article_stories", metadata,
    Column("article_id", Integer, primary_key=True, autoincrement=False),
    Column("story_id", Integer, nullable=False, index=True),
    Column("cluster_id", Integer, nullable=False, index=True),
    Column("published", Date, index=True),
    Column("how", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("entities", Text, nullable=False),
    Column("topics", String(400)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

story_redirects = Table(
    "story_redirects", metadata,
    Column("story_id", Integer, primary_key=True, autoincrement=False),
    Column("target_id", Integer, nullable=False, index=True),
    Column("reason", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Columns added by version 8: a database of version 1 to 7 has its tables without them.
_ADDED_IN_8 = ((articles, "processed_at"), (deliveries, "owner"))

# Full-text search (SQLite FTS5): articles through an external-content index kept in step by
# triggers; alerts through their searchable fields pulled out of the JSON. Other databases search
# with LIKE instead, so this is a no-op there.
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

# Tables that full-text search makes on SQLite (the indexes and FTS5's own shadow tables): not in the
# metadata, so the check that models and migrations agree leaves them out.
FTS_TABLES = ("articles_fts", "alerts_fts")


def _full_text_search(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    for statement in _FTS_SQL:
        conn.execute(text(statement))


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    tables: tuple[Table, ...] = ()
    run: Callable[[Connection], None] | None = None


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "articles, alerts, deliveries, source state",
              (source_state, seen_entries, articles, alerts, alert_articles, deliveries, kv)),
    Migration(2, "stories, threads, subscriptions, digest state",
              (stories, story_threads, subscriptions, channel_state)),
    Migration(5, "full-text search over articles and alerts (SQLite FTS5)", run=_full_text_search),
    Migration(7, "leases for replicas", (leases,)),
    Migration(8, "crash recovery: articles.processed_at, deliveries.owner",
              run=lambda conn: add_missing_columns(conn, _ADDED_IN_8)),
    Migration(9, "service mode: entry failures (retry, park), named locks", (entry_failures, store_locks)),
    Migration(10, "local files already read: size, mtime, SHA-256", (file_state,)),
    Migration(13, "event stories: articles filed by what they name, story redirects",
              (article_stories, story_redirects)),
)


def add_missing_columns(conn: Connection, columns: tuple[tuple[Table, str], ...]) -> None:
    """ALTER TABLE … ADD COLUMN for each (nullable) column a table lacks."""
    present: dict[str, set[str]] = {}
    for table, name in columns:
        if table.name not in present:
            present[table.name] = {c["name"] for c in inspect(conn).get_columns(table.name)}
        if name in present[table.name]:
            continue
        kind = table.c[name].type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{name}" {kind}')


def _create(conn: Connection, table: Table, target: int) -> None:
    if target < 8 and any(t is table for t, _ in _ADDED_IN_8):
        # As versions 1 to 7 made it: without the columns version 8 adds (neither has a foreign key).
        table = Table(
            table.name, MetaData(),
            *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable, unique=bool(c.unique))
              for c in table.columns if (table, c.name) not in _ADDED_IN_8),
            *(UniqueConstraint(*c.columns.keys(), name=c.name) for c in table.constraints
              if isinstance(c, UniqueConstraint) and len(c.columns) > 1),
            *(Index(i.name, *(col.name for col in i.columns)) for i in table.indexes))
    table.create(conn, checkfirst=True)
    for index in table.indexes:
        index.create(conn, checkfirst=True)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table(schema_migrations.name):
        return 0
    return max(conn.execute(select(schema_migrations.c.version)).scalars().all(), default=0)


def migrate(conn: Connection, target: int = LEGACY_LATEST) -> list[int]:
    """Apply every legacy step above the database's version up to `target`; return those applied."""
    schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(select(schema_migrations.c.version)).scalars().all())
    applied: list[int] = []
    for m in MIGRATIONS:
        if m.version in done or m.version > target:
            continue
        for table in m.tables:
            _create(conn, table, target)
        if m.run is not None:
            m.run(conn)
        conn.execute(insert(schema_migrations).values(
            version=m.version, name=m.name, applied_at=dt.datetime.now(dt.UTC)))
        applied.append(m.version)
    return applied
