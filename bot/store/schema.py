"""Tables, as SQLAlchemy Core objects, so SQLite and PostgreSQL share one definition.

Times are stored as timezone-aware UTC datetimes; alert details as JSON text so the schema does not
change each time an alert type gains a field.

A change here needs an Alembic revision (bot/store/revisions, README "Database upgrades"); the test
tests/test_store_migrations.py fails while the tables and the revisions disagree.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
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
)

metadata = MetaData()

# --- migration 1: articles, alerts, deliveries, source state, key/value state -------------------

source_state = Table(
    "source_state", metadata,
    Column("name", String(200), primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_retry_at", DateTime(timezone=True)),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("initialized", Boolean, nullable=False, default=False),
)

# Entries a source has shown us, whether or not they became articles: a new source marks its
# backlog seen here instead of posting it, and a restart never re-reads them.
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
    # Set once the article's alerts are stored: an article stored by a process that died before
    # extraction is processed again on restart instead of being lost.
    Column("processed_at", DateTime(timezone=True)),
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False, index=True),
    Column("story_id", Integer, index=True),
    Column("type", String(16), nullable=False),
    # "story:<id>|<type>|<key>": one alert per fact per story, whatever number of outlets ran it.
    Column("dedup_key", String(600), nullable=False, unique=True),
    Column("data", Text, nullable=False),
    Column("importance", Float, nullable=False, default=0.0),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

# Every article that carried an alert's fact: the outlets shown beside it.
alert_articles = Table(
    "alert_articles", metadata,
    Column("alert_id", Integer, ForeignKey("alerts.id"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id"), primary_key=True),
)

# Claimed before sending, confirmed after: a crash in between leaves a claim, never a repost.
deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("adapter", String(32), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("item_key", String(200), nullable=False),  # "alert:<id>", "digest:<iso time>", …
    Column("alert_id", Integer, index=True),
    Column("status", String(16), nullable=False),  # claimed | sent | failed
    Column("message_id", String(200)),
    Column("thread_id", String(200)),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("error", Text),
    Column("owner", String(200)),  # the process that claimed it; its liveness lease says if it still may send
    UniqueConstraint("adapter", "channel", "item_key", name="uq_delivery"),
)

kv = Table(
    "kv", metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

# --- migration 2: stories, threads per channel, subscriptions, digest state ---------------------

stories = Table(
    "stories", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("topic", String(200)),
    Column("signature", Text),  # near-duplicate fingerprint of the first article
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
    Column("kind", String(16), nullable=False),  # topic | keyword | type
    Column("value", String(200), nullable=False),
    Column("mode", String(16), nullable=False, default="both"),  # alerts | digest | both
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

# --- migration 7: leases, so that replicas sharing one database split the work -------------------

leases = Table(
    "leases", metadata,
    Column("name", String(200), primary_key=True),  # e.g. "poll:<source>"
    Column("owner", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

Index("ix_alerts_story_type", alerts.c.story_id, alerts.c.type)

# --- migration 9: entries that failed, and named locks ------------------------------------------

# An entry whose article could not be stored or processed: retried on the next polls, parked (skipped,
# kept here with its error for admins) after `parked_at` is set.
entry_failures = Table(
    "entry_failures", metadata,
    Column("source", String(200), primary_key=True),
    Column("entry_key", String(500), primary_key=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("parked_at", DateTime(timezone=True)),
)

# One row per named lock: a transaction that updates the row holds it until it ends (a row lock on
# PostgreSQL, the database's write lock on SQLite), so replicas take turns.
store_locks = Table(
    "store_locks", metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200)),
    Column("taken_at", DateTime(timezone=True)),
)
