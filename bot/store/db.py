"""The store: one SQLAlchemy engine, migrated on open, and the queries the bot needs.

Calls are synchronous and short; coroutines run them in the store's worker threads (`await store.run(…)`,
see `bot.store.aio`). Writes
that several polls (or replicas) may make at once are single statements (`INSERT … ON CONFLICT`), and
the steps that must see each other's results (story assignment, an article's alerts) run under a named
lock (`exclusive`) that serialises threads of this process and processes sharing the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, overload

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.pool import StaticPool

from bot.core.alert_dicts import alert_from_dict
from bot.core.models import Alert, Article, alert_to_dict
from bot.store import schema as s
from bot.store.aio import StoreRunner, guard_engine
from bot.store.migrations import at_head, current_version, migrate

P = ParamSpec("P")
T = TypeVar("T")

# Who claims deliveries: unique per process, so a restarted bot knows the old claims are not its own.
PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@overload
def aware(value: dt.datetime) -> dt.datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time read from the store, with its time zone: SQLite hands datetimes back naive, and
    everything the store writes is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    key: str
    source: str
    outlet: str | None
    url: str | None
    title: str | None
    lang: str | None
    published: dt.date | None
    text: str
    story_id: int | None
    fetched_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StoredAlert:
    id: int
    alert: Alert
    story_id: int | None
    article_id: int
    importance: float
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_retry_at: dt.datetime | None = None
    last_polled_at: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_error: str | None = None
    initialized: bool = False


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
        else:
            # One shared connection, or each checkout would see its own empty in-memory database.
            engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            if path and path != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL syncs at checkpoints, not at every commit: the database stays
                # consistent through a crash or power cut, which may only undo the last commits (an
                # article read again, an alert sent again). FULL paid an fsync per commit: 0.7-3.5 ms
                # each, a third of `run --once` (docs/benchmarks.md, section 7).
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


# Statements of an article's filing, built once (building one costs more than running it); the
# columns an update sets are those of the parameters given with it.
_ARTICLE_BY_KEYS = select(s.articles.c.id).where(s.articles.c.key.in_(bindparam("keys", expanding=True)))
_ALERT_IDS_OF = select(s.alerts.c.id, s.alerts.c.dedup_key).where(
    s.alerts.c.dedup_key.in_(bindparam("keys", expanding=True)))
_ARTICLE_UPDATE = update(s.articles).where(s.articles.c.id == bindparam("b_id"))
_STORY_UPDATE = update(s.stories).where(s.stories.c.id == bindparam("b_id"))
_STORY_OF_CONTENT = (select(s.articles.c.story_id).where(and_(
    s.articles.c.content_hash == bindparam("hash"), s.articles.c.id != bindparam("other"),
    s.articles.c.story_id.is_not(None))).order_by(s.articles.c.id).limit(1))
_NEW_STORY = insert(s.stories)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        guard_engine(engine)
        self._runner = StoreRunner()
        # The transaction this thread has open, if any: `tx()` inside `exclusive()` joins it, so
        # everything done under a lock commits (or rolls back) together, on the connection holding it.
        self._local = threading.local()
        self._locks: dict[str, threading.RLock] = {}
        self._locks_guard = threading.Lock()

    @classmethod
    def open(cls, url: str, *, target: int | None = None) -> Store:
        """The store of `url`, its schema upgraded to the latest revision (or to version `target`: tests
        build older databases that way; see `bot.store.migrations`)."""
        engine = make_engine(url)
        # Replicas start together: they upgrade one after the other, each in one transaction, under
        # PostgreSQL's advisory lock or SQLite's write lock (BEGIN IMMEDIATE, else SQLite would take it
        # only at the first write; not taken when there is nothing to upgrade, so a store opened beside a
        # running bot does not wait for its writes). Should a race still end in an error, the loser waits
        # and finds the work done.
        for attempt in range(10):
            try:
                with engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
                    elif conn.dialect.name == "sqlite" and (target is not None or not at_head(conn)):
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    migrate(conn, target)
                break
            except DBAPIError as exc:
                # Only a race with another starting replica is worth waiting for, not a refused connection.
                text = str(exc.orig).lower()
                racing = isinstance(exc, IntegrityError | ProgrammingError) or "already exists" in text \
                    or "locked" in text
                if attempt == 9 or not racing:
                    raise
                time.sleep(0.2 * (attempt + 1))
        return cls(engine)

    def close(self) -> None:
        self._runner.close()
        self.engine.dispose()

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """The async face: `await store.run(store.alerts, since=…)` runs the call in the store's own
        worker threads (see `bot.store.aio`), so no store call blocks the event loop."""
        return await self._runner.run(fn, *args, **kwargs)

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """A transaction; inside another one of this thread (see `exclusive`), that one."""
        current: Connection | None = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self.engine.begin() as conn:
            self._local.conn = conn
            try:
                yield conn
            finally:
                self._local.conn = None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[Connection]:
        """One transaction holding the lock `name`: one thread of this process at a time, and one
        process among those sharing the database (the lock row stays updated, hence locked, until the
        transaction ends). Re-entrant within a thread. Store calls inside join the transaction."""
        with self._locks_guard:
            lock = self._locks.setdefault(name, threading.RLock())
        held: set[str] = getattr(self._local, "held", None) or set()
        if name in held:  # re-entered: this thread's transaction already holds the lock row
            with lock, self.tx() as conn:
                yield conn
            return
        with lock, self.tx() as conn:
            # One statement: the row is written (hence locked until the transaction ends) either way.
            _upsert(conn, s.store_locks, {"name": name}, {"holder": PROCESS_ID, "taken_at": utcnow()})
            self._local.held = held | {name}
            try:
                yield conn
            finally:
                self._local.held = held

    def version(self) -> int:
        with self.tx() as conn:
            return current_version(conn)

    # --- articles --------------------------------------------------------------------------

    def add_article(self, article: Article, *, key: str | None = None) -> tuple[int, bool]:
        """Store an article once; returns (row id, True when it is new). Keyed by URL or source+id.

        Keys hold at most 500 characters (the column's size; PostgreSQL refuses longer ones): a longer
        key keeps its first 435 and ends with `#` and the SHA-256 of the whole key, so two long links
        sharing a prefix stay two articles. The outlet and language are cut to their columns too."""
        import hashlib

        full = key or article.url or f"{article.source}:{article.id}"
        key = full
        if len(full) > 500:
            key = f"{full[:435]}#{hashlib.sha256(full.encode('utf-8', 'surrogatepass')).hexdigest()}"
        with self.tx() as conn:
            # SQLite never enforced the size: an older database may hold the whole key.
            row = conn.execute(_ARTICLE_BY_KEYS, {"keys": list({key, full})}).first()
            if row is not None:
                return int(row[0]), False
        with self.tx() as conn:
            # Two polls may bring the same article at once: the second insert is a no-op, then both read.
            inserted = _insert_ignore_id(conn, s.articles, dict(
                key=key, source=article.source, outlet=article.outlet[:200] if article.outlet else article.outlet,
                url=article.url, title=article.title, lang=article.lang[:8] if article.lang else article.lang,
                published=article.published, fetched_at=utcnow(), text=article.text,
                content_hash=article.content_hash,
            ), ["key"])
            if inserted is not None:
                return inserted, True
            article_id = conn.execute(select(s.articles.c.id).where(s.articles.c.key == key)).scalar_one()
            return int(article_id), False

    def mark_processed(self, article_id: int) -> None:
        with self.tx() as conn:
            conn.execute(_ARTICLE_UPDATE, {"b_id": article_id, "processed_at": utcnow()})

    def is_processed(self, article_id: int) -> bool:
        with self.tx() as conn:
            row = conn.execute(select(s.articles.c.processed_at).where(s.articles.c.id == article_id)).first()
        return row is not None and row[0] is not None

    def story_of_content(self, content_hash: str, *, other_than: int) -> int | None:
        """The story of another article with this exact content, when one has a story."""
        with self.tx() as conn:
            row = conn.execute(_STORY_OF_CONTENT, {"hash": content_hash, "other": other_than}).first()
            return int(row[0]) if row else None

    def article_by_hash(self, content_hash: str) -> int | None:
        with self.tx() as conn:
            row = conn.execute(select(s.articles.c.id).where(s.articles.c.content_hash == content_hash)
                               .order_by(s.articles.c.id).limit(1)).first()
            return int(row[0]) if row else None

    def article(self, article_id: int) -> StoredArticle | None:
        with self.tx() as conn:
            row = conn.execute(select(s.articles).where(s.articles.c.id == article_id)).mappings().first()
        return _article(row) if row else None

    def articles_of_story(self, story_id: int) -> list[StoredArticle]:
        with self.tx() as conn:
            rows = conn.execute(select(s.articles).where(s.articles.c.story_id == story_id)
                                .order_by(s.articles.c.id)).mappings().all()
        return [_article(r) for r in rows]

    def count_articles(self) -> int:
        with self.tx() as conn:
            return len(conn.execute(select(s.articles.c.id)).all())

    # --- stories ---------------------------------------------------------------------------

    def new_story(self, title: str | None, *, signature: str | None = None, topic: str | None = None) -> int:
        now = utcnow()
        with self.tx() as conn:
            result = conn.execute(_NEW_STORY, dict(
                title=title, topic=topic, signature=signature, created_at=now, updated_at=now))
            pk = result.inserted_primary_key
            assert pk is not None
            return int(pk[0])

    def attach_to_story(self, article_id: int, story_id: int) -> None:
        with self.tx() as conn:
            conn.execute(_ARTICLE_UPDATE, {"b_id": article_id, "story_id": story_id})
            conn.execute(_STORY_UPDATE, {"b_id": story_id, "updated_at": utcnow()})

    def story(self, story_id: int) -> dict[str, Any] | None:
        with self.tx() as conn:
            row = conn.execute(select(s.stories).where(s.stories.c.id == story_id)).mappings().first()
        return dict(row) if row else None

    def recent_stories(self, since: dt.datetime) -> list[dict[str, Any]]:
        with self.tx() as conn:
            rows = conn.execute(select(s.stories).where(s.stories.c.updated_at >= since)
                                .order_by(s.stories.c.updated_at.desc())).mappings().all()
        return [dict(r) for r in rows]

    # --- alerts ----------------------------------------------------------------------------

    def add_alert(
        self, alert: Alert, *, article_id: int, story_id: int | None, importance: float = 0.0,
    ) -> tuple[int, bool]:
        """Store an alert once per story and fact; a repeat only adds the article as another outlet.
        Returns (alert id, True when it is new). `add_alerts` of one alert."""
        return self.add_alerts([(alert, importance)], article_id=article_id, story_id=story_id)[0]

    def add_alerts(self, alerts: Sequence[tuple[Alert, float]], *, article_id: int,
                   story_id: int | None) -> list[tuple[int, bool]]:
        """`add_alert` of each (alert, importance), in order, in one transaction: one insert of the alerts
        (ids given in order; a fact already stored, or twice in the list, is not inserted), one read of the
        ids of those already stored, one insert of the article as their outlet. Returns (alert id, True
        when it is new) for each, as storing them one after the other would have."""
        if not alerts:
            return []
        keys = [alert_dedup_key(alert, article_id=article_id, story_id=story_id) for alert, _ in alerts]
        rows: dict[str, dict[str, Any]] = {}
        for (alert, importance), key in zip(alerts, keys, strict=True):
            if key not in rows:  # the same fact twice: the second joins the first, like a later article
                rows[key] = dict(article_id=article_id, story_id=story_id, type=alert.type, dedup_key=key,
                                 data=json.dumps(alert_to_dict(alert), ensure_ascii=False), importance=importance,
                                 created_at=utcnow())
        with self.tx() as conn:
            dialect = conn.dialect.name
            # Insert-or-nothing, then read: of two articles filing the same fact at once, one creates the
            # alert and the other joins it as an outlet (a select-then-insert let both insert).
            new = {str(r.dedup_key): int(r.id) for r in conn.execute(
                _ignore_stmt(dialect, s.alerts, ("dedup_key",), ("id", "dedup_key")), list(rows.values()))}
            ids = dict(new)
            stored = [key for key in rows if key not in new]
            if stored:
                ids.update({str(r.dedup_key): int(r.id) for r in conn.execute(_ALERT_IDS_OF, {"keys": stored})})
            links = list(dict.fromkeys(ids[key] for key in keys))
            conn.execute(_ignore_stmt(dialect, s.alert_articles, ("alert_id", "article_id")),
                         [{"alert_id": i, "article_id": article_id} for i in links])
        out: list[tuple[int, bool]] = []
        first: set[str] = set()
        for key in keys:
            out.append((ids[key], key in new and key not in first))
            first.add(key)
        return out

    def alert(self, alert_id: int) -> StoredAlert | None:
        with self.tx() as conn:
            row = conn.execute(select(s.alerts).where(s.alerts.c.id == alert_id)).mappings().first()
        return _alert(row) if row else None

    def alerts(
        self, *, story_id: int | None = None, since: dt.datetime | None = None, types: Sequence[str] | None = None,
        limit: int | None = None, newest_first: bool = False,
    ) -> list[StoredAlert]:
        q = select(s.alerts)
        if story_id is not None:
            q = q.where(s.alerts.c.story_id == story_id)
        if since is not None:
            q = q.where(s.alerts.c.created_at >= since)
        if types:
            q = q.where(s.alerts.c.type.in_(list(types)))
        q = q.order_by(s.alerts.c.id.desc() if newest_first else s.alerts.c.id)
        if limit is not None:
            q = q.limit(limit)
        with self.tx() as conn:
            return [_alert(r) for r in conn.execute(q).mappings().all()]

    def outlets_of_alert(self, alert_id: int) -> list[StoredArticle]:
        with self.tx() as conn:
            rows = conn.execute(
                select(s.articles).join(s.alert_articles, s.alert_articles.c.article_id == s.articles.c.id)
                .where(s.alert_articles.c.alert_id == alert_id).order_by(s.articles.c.id)
            ).mappings().all()
        return [_article(r) for r in rows]

    # --- deliveries ------------------------------------------------------------------------

    def claim(self, adapter: str, channel: str, item_key: str, *, alert_id: int | None = None) -> bool:
        """Claim the right to send one item to one channel; False when it was claimed before."""
        try:
            with self.tx() as conn:
                conn.execute(_CLAIM, {"adapter": adapter, "channel": channel, "item_key": item_key,
                                      "alert_id": alert_id, "status": "claimed", "claimed_at": utcnow(),
                                      "owner": PROCESS_ID})
        except IntegrityError:
            return False
        return True

    def confirm(self, adapter: str, channel: str, item_key: str, *, message_id: str,
                thread_id: str | None = None) -> None:
        with self.tx() as conn:
            conn.execute(_CONFIRM, {"d_adapter": adapter, "d_channel": channel, "d_item": item_key,
                                    "d_message": message_id, "d_thread": thread_id, "d_at": utcnow()})

    def orphaned_claims(self, adapter: str, channel: str, *, now: dt.datetime | None = None,
                        own: bool = False) -> list[dict[str, Any]]:
        """Claims of alerts never confirmed whose owner is gone: a process that died mid-send. With `own`,
        this process's too: the caller knows none of them is in flight (a pass that held them stopped).
        Digests' claims (no alert) are left out: a claimed digest counts as sent (`bot.service.digests`).

        An owner is gone when its liveness lease expired, or at once when it ran on this machine and
        its process no longer exists (a restart after a crash need not wait for the lease).
        """
        now = now or utcnow()
        owner = s.deliveries.c.owner
        q = select(s.deliveries).where(and_(
            s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
            s.deliveries.c.status == "claimed", s.deliveries.c.alert_id.is_not(None),
            owner.is_not(None) if own else owner != PROCESS_ID))
        with self.tx() as conn:
            claims = [dict(r) for r in conn.execute(q.order_by(s.deliveries.c.id)).mappings().all()]
            owners = {c["owner"] for c in claims if c["owner"]}
            alive = set(conn.execute(select(s.leases.c.owner).where(and_(
                s.leases.c.name.in_([f"alive:{o}" for o in owners]), s.leases.c.expires_at >= now))).scalars())
        return [c for c in claims
                if (own and c["owner"] == PROCESS_ID) or c["owner"] not in alive or _dead_here(c["owner"])]

    def heartbeat(self, ttl: dt.timedelta = dt.timedelta(minutes=3)) -> None:
        """Say this process is alive, so its claims in flight are not taken over by another."""
        self.acquire_lease(f"alive:{PROCESS_ID}", PROCESS_ID, ttl)

    def release(self, adapter: str, channel: str, item_key: str, error: str) -> None:
        """Sending failed for sure (the chat said no): drop the claim so a later run tries again."""
        with self.tx() as conn:
            conn.execute(delete(s.deliveries).where(_delivery(adapter, channel, item_key)))

    def delivery(self, adapter: str, channel: str, item_key: str) -> dict[str, Any] | None:
        with self.tx() as conn:
            row = conn.execute(select(s.deliveries).where(_delivery(adapter, channel, item_key))).mappings().first()
        return dict(row) if row else None

    def deliveries(self, adapter: str | None = None) -> list[dict[str, Any]]:
        q = select(s.deliveries).order_by(s.deliveries.c.id)
        if adapter is not None:
            q = q.where(s.deliveries.c.adapter == adapter)
        with self.tx() as conn:
            return [dict(r) for r in conn.execute(q).mappings().all()]

    def undelivered_alerts(self, adapter: str, channel: str, *, since: dt.datetime | None = None) -> list[StoredAlert]:
        delivered = select(s.deliveries.c.alert_id).where(and_(
            s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
            s.deliveries.c.alert_id.is_not(None)))
        q = select(s.alerts).where(s.alerts.c.id.not_in(delivered)).order_by(s.alerts.c.id)
        if since is not None:
            q = q.where(s.alerts.c.created_at >= since)
        with self.tx() as conn:
            return [_alert(r) for r in conn.execute(q).mappings().all()]

    # --- threads ---------------------------------------------------------------------------

    def thread_root(self, adapter: str, channel: str, story_id: int) -> str | None:
        with self.tx() as conn:
            row = conn.execute(select(s.story_threads.c.root_message_id).where(and_(
                s.story_threads.c.adapter == adapter, s.story_threads.c.channel == channel,
                s.story_threads.c.story_id == story_id))).first()
        return str(row[0]) if row else None

    def set_thread_root(self, adapter: str, channel: str, story_id: int, message_id: str) -> None:
        with self.tx() as conn:
            # The first root recorded stays (a recovered orphan and a live send may both record one).
            _insert_ignore(conn, s.story_threads, dict(
                adapter=adapter, channel=channel, story_id=story_id, root_message_id=message_id,
                created_at=utcnow()), ["adapter", "channel", "story_id"])

    def story_of_message(self, adapter: str, channel: str, message_id: str) -> int | None:
        """The story whose thread (root or any reply) a chat message belongs to."""
        with self.tx() as conn:
            row = conn.execute(select(s.story_threads.c.story_id).where(and_(
                s.story_threads.c.adapter == adapter, s.story_threads.c.channel == channel,
                s.story_threads.c.root_message_id == message_id))).first()
            if row is not None:
                return int(row[0])
            row = conn.execute(select(s.alerts.c.story_id).join(
                s.deliveries, s.deliveries.c.alert_id == s.alerts.c.id).where(and_(
                    s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
                    s.deliveries.c.message_id == message_id))).first()
        return int(row[0]) if row and row[0] is not None else None

    def alert_of_message(self, adapter: str, channel: str, message_id: str) -> int | None:
        with self.tx() as conn:
            row = conn.execute(select(s.deliveries.c.alert_id).where(and_(
                s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
                s.deliveries.c.message_id == message_id))).first()
        return int(row[0]) if row and row[0] is not None else None

    # --- source state ----------------------------------------------------------------------

    def source_state(self, name: str) -> SourceState:
        with self.tx() as conn:
            row = conn.execute(select(s.source_state).where(s.source_state.c.name == name)).mappings().first()
        if row is None:
            return SourceState(name=name)
        data = dict(row)
        for k in ("next_retry_at", "last_polled_at", "last_success_at"):
            data[k] = aware(data[k])
        data["failures"] = int(data["failures"] or 0)
        data["initialized"] = bool(data["initialized"])
        return SourceState(**data)

    def save_source_state(self, state: SourceState) -> None:
        values = {k: getattr(state, k) for k in SourceState.__slots__ if k != "name"}
        with self.tx() as conn:
            _upsert(conn, s.source_state, {"name": state.name}, values)

    def all_source_states(self) -> list[SourceState]:
        with self.tx() as conn:
            names = conn.execute(select(s.source_state.c.name).order_by(s.source_state.c.name)).scalars().all()
        return [self.source_state(n) for n in names]

    def mark_seen(self, source: str, keys: Sequence[str]) -> list[str]:
        """Record entries as seen; returns those that were not seen before."""
        now = utcnow()
        by_key = {key[:500]: key for key in reversed(list(dict.fromkeys(keys)))}  # the first key of a cut one
        if not by_key:
            return []
        rows = [{"source": source, "entry_key": cut, "seen_at": now} for cut in by_key]
        with self.tx() as conn:
            # INSERT … ON CONFLICT DO NOTHING RETURNING, sent in batches of rows by SQLAlchemy (a first
            # poll marks a whole feed's backlog): the keys returned are those not seen before.
            stmt = _ignore_stmt(conn.dialect.name, s.seen_entries, ("source", "entry_key"), ("entry_key",))
            fresh = {str(k) for k in conn.execute(stmt, rows).scalars().all()}
        return [key for key in dict.fromkeys(keys) if key[:500] in fresh and by_key[key[:500]] == key]

    def is_seen(self, source: str, key: str) -> bool:
        with self.tx() as conn:
            return conn.execute(select(s.seen_entries.c.entry_key).where(and_(
                s.seen_entries.c.source == source, s.seen_entries.c.entry_key == key[:500]))).first() is not None

    # --- entries that failed: retried, then parked ---------------------------------------------

    def entry_failed(self, source: str, key: str, error: str, *, park_after: int,
                     now: dt.datetime | None = None) -> int:
        """Count one more failure of an entry; parks it (`parked_at`) at `park_after` failures.
        Returns the number of failures so far."""
        now = now or utcnow()
        t = s.entry_failures
        where = and_(t.c.source == source, t.c.entry_key == key[:500])
        with self.tx() as conn:
            _insert_ignore(conn, t, {"source": source, "entry_key": key[:500], "attempts": 0,
                                     "first_failed_at": now, "last_failed_at": now})
            conn.execute(update(t).where(where).values(attempts=t.c.attempts + 1, last_error=error[:4000],
                                                       last_failed_at=now))
            attempts = int(conn.execute(select(t.c.attempts).where(where)).scalar_one())
            if attempts >= park_after:
                conn.execute(update(t).where(and_(where, t.c.parked_at.is_(None))).values(parked_at=now))
        return attempts

    def entry_succeeded(self, source: str, key: str) -> None:
        """Forget an entry's earlier failures (it went through on a retry)."""
        t = s.entry_failures
        with self.tx() as conn:
            conn.execute(delete(t).where(and_(t.c.source == source, t.c.entry_key == key[:500],
                                              t.c.parked_at.is_(None))))

    def is_parked(self, source: str, key: str) -> bool:
        t = s.entry_failures
        with self.tx() as conn:
            return conn.execute(select(t.c.parked_at).where(and_(
                t.c.source == source, t.c.entry_key == key[:500], t.c.parked_at.is_not(None)))).first() is not None

    def retry_failed_entries(self, source: str | None = None) -> None:
        """Forget failed and parked entries (of one source, or all): the next poll tries them again.
        Their sources lose their validators, or a feed would answer "not modified" and hide them."""
        t = s.entry_failures
        with self.tx() as conn:
            q = select(t.c.source).distinct() if source is None else select(t.c.source).where(t.c.source == source)
            sources = set(conn.execute(q).scalars().all())
            conn.execute(delete(t) if source is None else delete(t).where(t.c.source == source))
            if sources:
                conn.execute(update(s.source_state).where(s.source_state.c.name.in_(sources))
                             .values(etag=None, last_modified=None))

    def entry_failures(self, *, parked: bool | None = None, source: str | None = None) -> list[dict[str, Any]]:
        """Entries that failed (all, only parked, or only still retried), newest failure first."""
        t = s.entry_failures
        q = select(t).order_by(t.c.last_failed_at.desc(), t.c.source, t.c.entry_key)
        if parked is not None:
            q = q.where(t.c.parked_at.is_not(None) if parked else t.c.parked_at.is_(None))
        if source is not None:
            q = q.where(t.c.source == source)
        with self.tx() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings().all()]
        for row in rows:
            for k in ("first_failed_at", "last_failed_at", "parked_at"):
                row[k] = aware(row[k])
        return rows

    # --- key/value state (e.g. a Matrix sync token) -----------------------------------------

    def get_state(self, key: str) -> str | None:
        with self.tx() as conn:
            row = conn.execute(select(s.kv.c.value).where(s.kv.c.key == key)).first()
        return str(row[0]) if row else None

    def set_state(self, key: str, value: str) -> None:
        with self.tx() as conn:
            _upsert(conn, s.kv, {"key": key}, {"value": value})

    # --- leases: one replica at a time does a piece of work ------------------------------------

    def acquire_lease(self, name: str, owner: str, ttl: dt.timedelta, *, now: dt.datetime | None = None) -> bool:
        """Take or renew the lease `name` for `owner`; False while another owner holds it unexpired.

        Each step is one statement, so two processes racing on the same database cannot both win.
        """
        now = now or utcnow()
        until = now + ttl
        with self.tx() as conn:
            if _insert_ignore(conn, s.leases, {"name": name, "owner": owner, "expires_at": until}):
                return True
            taken = conn.execute(update(s.leases).where(and_(
                s.leases.c.name == name,
                (s.leases.c.owner == owner) | (s.leases.c.expires_at < now),
            )).values(owner=owner, expires_at=until)).rowcount
            if taken:
                return True
            # A holder that ran on this machine and is gone (killed) does not keep its lease until it
            # expires: a restarted bot goes on at once. Taken only if still held by that very owner.
            holder = conn.execute(select(s.leases.c.owner).where(s.leases.c.name == name)).scalar()
            if holder is None or not _dead_here(str(holder)):
                return False
            return bool(conn.execute(update(s.leases).where(and_(
                s.leases.c.name == name, s.leases.c.owner == holder)).values(owner=owner, expires_at=until)).rowcount)

    def renew_leases(self, owner: str, ttl: dt.timedelta, *, now: dt.datetime | None = None) -> int:
        """Move every lease `owner` holds to expire `ttl` from now (the owner's heartbeat); returns how many."""
        until = (now or utcnow()) + ttl
        with self.tx() as conn:
            return int(conn.execute(update(s.leases).where(s.leases.c.owner == owner)
                                    .values(expires_at=until)).rowcount or 0)

    def release_leases(self, owner: str) -> int:
        """Drop every lease `owner` holds (a clean stop): nobody waits for them to expire."""
        with self.tx() as conn:
            return int(conn.execute(delete(s.leases).where(s.leases.c.owner == owner)).rowcount or 0)

    def leases(self) -> list[dict[str, Any]]:
        with self.tx() as conn:
            return [dict(r) for r in conn.execute(select(s.leases).order_by(s.leases.c.name)).mappings().all()]

    def release_lease(self, name: str, owner: str) -> None:
        with self.tx() as conn:
            conn.execute(delete(s.leases).where(and_(s.leases.c.name == name, s.leases.c.owner == owner)))

    # --- channels ---------------------------------------------------------------------------

    def last_digest_at(self, adapter: str, channel: str) -> dt.datetime | None:
        with self.tx() as conn:
            row = conn.execute(select(s.channel_state.c.last_digest_at).where(and_(
                s.channel_state.c.adapter == adapter, s.channel_state.c.channel == channel))).first()
        return aware(row[0]) if row else None

    def set_last_digest_at(self, adapter: str, channel: str, when: dt.datetime) -> None:
        with self.tx() as conn:
            _upsert(conn, s.channel_state, {"adapter": adapter, "channel": channel}, {"last_digest_at": when})


def alert_dedup_key(alert: Alert, *, article_id: int, story_id: int | None) -> str:
    """What makes an alert one fact of one story (of one article when it has no story)."""
    scope = f"story:{story_id}" if story_id is not None else f"article:{article_id}"
    return f"{scope}|{alert.type}|{alert.key()}"[:600]


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any],
                   index_elements: Sequence[str] | None = None) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (on `index_elements`, else the primary key); True when a row was
    inserted. One statement: a concurrent insert of the same key waits for the other and then does nothing."""
    keys = tuple(index_elements) if index_elements is not None else tuple(c.name for c in table.primary_key.columns)
    # RETURNING tells whether a row went in (rowcount is -1 on PostgreSQL once SQLAlchemy adds RETURNING).
    return conn.execute(_ignore_stmt(conn.dialect.name, table, keys), values).first() is not None


def _insert_ignore_id(conn: Connection, table: Table, values: dict[str, Any],
                      index_elements: Sequence[str]) -> int | None:
    """`_insert_ignore` of a table with an integer `id`: the new row's id, None when it was there."""
    row = conn.execute(_ignore_stmt(conn.dialect.name, table, tuple(index_elements), ("id",)), values).first()
    return int(row[0]) if row is not None else None


# The statements of the helpers are built once per dialect, table and key, their values passed as
# parameters: building a statement costs several times what executing it does (an article's filing
# runs some thirty of them).
@functools.cache
def _ignore_stmt(dialect: str, table: Table, keys: tuple[str, ...], returning: tuple[str, ...] = ()) -> Any:
    """INSERT … ON CONFLICT (`keys`) DO NOTHING RETURNING `returning` (none: the primary key), whose rows
    are those inserted."""
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    cols = [table.c[name] for name in returning] or list(table.primary_key.columns)
    return stmt.on_conflict_do_nothing(index_elements=list(keys)).returning(*cols)


def _upsert(conn: Connection, table: Table, keys: dict[str, Any], values: dict[str, Any],
            **on_insert: Any) -> None:
    """Insert or update in one statement: replicas starting together write the same rows, and an
    update-then-insert pair lets both insert (a duplicate-key error on PostgreSQL). `on_insert`:
    columns written only when the row is new (e.g. `created_at`)."""
    stmt = _upsert_stmt(conn.dialect.name, table, tuple(keys), tuple(values))
    conn.execute(stmt, {**keys, **values, **on_insert})


@functools.cache
def _upsert_stmt(dialect: str, table: Table, keys: tuple[str, ...], updated: tuple[str, ...]) -> Any:
    stmt: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    # `excluded`: the row the insert proposed, i.e. the values given.
    return stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in updated})


upsert = _upsert  # for the other store modules


_OUTAGE_WORDS = ("read-only", "readonly", "disk i/o", "database is locked", "unable to open", "connection",
                 "server closed", "not currently accepting", "terminating", "shutting down", "no space")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says the database itself is unavailable (unreachable, stopped, unwritable, full),
    not that one statement or row was wrong: the work is to be tried again later, not given up on."""
    if not isinstance(exc, DBAPIError):
        return False
    if isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated:
        return True
    text = str(exc.orig).lower()
    return any(word in text for word in _OUTAGE_WORDS)


def _dead_here(owner: str) -> bool:
    """True when `owner` (host:pid:nonce) ran on this machine and that process is gone."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    if int(pid_text) == os.getpid():
        # Our pid but not us (a container restarted: pid 1 again): the earlier process is gone.
        return owner != PROCESS_ID
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    # The pid exists; it could be a new process that reused it, but erring towards "alive" only delays.
    return False


# Statements run once per alert delivered, built once: built per call, SQLAlchemy spent more time making
# and keying the statement than SQLite spent running it (a claim took 143 us, 75 us prebuilt).
_CLAIM = insert(s.deliveries)
_CONFIRM = update(s.deliveries).where(and_(
    s.deliveries.c.adapter == bindparam("d_adapter"), s.deliveries.c.channel == bindparam("d_channel"),
    s.deliveries.c.item_key == bindparam("d_item"))).values(
    status="sent", message_id=bindparam("d_message"), thread_id=bindparam("d_thread"), sent_at=bindparam("d_at"))


def _delivery(adapter: str, channel: str, item_key: str) -> Any:
    return and_(s.deliveries.c.adapter == adapter, s.deliveries.c.channel == channel,
                s.deliveries.c.item_key == item_key)


def _article(row: Any) -> StoredArticle:
    return StoredArticle(
        id=row["id"], key=row["key"], source=row["source"], outlet=row["outlet"], url=row["url"],
        title=row["title"], lang=row["lang"], published=row["published"], text=row["text"],
        story_id=row["story_id"], fetched_at=aware(row["fetched_at"]) or utcnow(),
    )


def _alert(row: Any) -> StoredAlert:
    return StoredAlert(
        id=row["id"], alert=alert_from_dict(json.loads(row["data"])), story_id=row["story_id"],
        article_id=row["article_id"], importance=float(row["importance"] or 0.0),
        created_at=aware(row["created_at"]) or utcnow(),
    )
