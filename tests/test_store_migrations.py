"""Schema upgrades (Alembic) on real SQLite and PostgreSQL: the tables the code defines and the schema the
revisions build agree, and a database left by an older bot (hand-written migrations 1 to 13) upgrades
with its data kept."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Insert, Integer, MetaData, String, Table, Text, insert, inspect, text

from bot.core.models import Article, Casualty, alert_to_dict
from bot.store import Store, legacy_migrations, migrations
from bot.store import legacy_migrations as legacy
from bot.store.db import make_engine
from bot.store.migrations import (
    SCRIPTS,
    alembic_config,
    context_options,
    current_version,
    latest,
    target_metadata,
)
from bot.store.revisions.__main__ import write_revision
from bot.store.search_db import fts_alerts, fts_articles

LEGACY_VERSIONS = [m.version for m in legacy.MIGRATIONS]
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def differences(store: Store) -> list[Any]:
    """What `alembic revision --autogenerate` would write: the database against the code's tables."""
    with store.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts=context_options()), target_metadata()))


def test_a_new_database_at_head_has_exactly_the_tables_the_code_defines(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        assert store.version() == latest()
        assert differences(store) == []
        # The check sees a gap: without one index, it asks for it back.
        with store.tx() as conn:
            conn.execute(text("DROP INDEX ix_alerts_story_type"))
        assert [d[0] for d in differences(store)] == ["add_index"]
    finally:
        store.close()


def legacy_database(url: str, version: int) -> tuple[int, int]:
    """A database as a bot of legacy `version` left it, with rows in it (see `_legacy_rows`). Built without
    the store: `Store.open(url, target=13)` would make Alembic's 0013, not legacy 13."""
    engine = make_engine(url)
    with engine.begin() as conn:
        legacy.migrate(conn, version)
        assert legacy.current_version(conn) == version
        ids = _legacy_rows(conn, version)
    engine.dispose()
    return ids


def _new_id(conn: Connection, statement: Insert) -> int:
    key = conn.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def _legacy_rows(conn: Connection, version: int) -> tuple[int, int]:
    """What a bot of `version` had written: an article, its alert, a delivery, state; a story from 2 on.
    Returns the article's and the alert's ids."""
    story_id: int | None = None
    if version >= 2:
        story_id = _new_id(conn, insert(legacy.stories).values(title="Tripoli", created_at=T0, updated_at=T0))
    article_id = _new_id(conn, insert(legacy.articles).values(
        key="wire:1", source="wire", outlet="Wire", title="Combats à Tripoli", lang="fr", fetched_at=T0,
        text="Des combats ont éclaté près de Tripoli.", content_hash="h1", story_id=story_id))
    fact = Casualty(article_id="wire:1", killed=21, wounded=27, reported_by="ministère de la Santé")
    alert_id = _new_id(conn, insert(legacy.alerts).values(
        article_id=article_id, story_id=story_id, type=fact.type, dedup_key="story:1|casualty|21",
        data=json.dumps(alert_to_dict(fact), ensure_ascii=False), importance=0.5,
        created_at=T0))
    conn.execute(insert(legacy.alert_articles).values(alert_id=alert_id, article_id=article_id))
    conn.execute(insert(legacy.deliveries).values(
        adapter="slack", channel="C1", item_key=f"alert:{alert_id}", alert_id=alert_id, status="sent",
        message_id="1.5", claimed_at=T0))
    conn.execute(insert(legacy.kv).values(key="matrix:next_batch", value="s42"))
    return article_id, alert_id


@pytest.mark.parametrize("version", LEGACY_VERSIONS)
def test_a_database_of_any_legacy_version_upgrades_to_head_with_its_data(db_url: str, version: int) -> None:
    article_id, alert_id = legacy_database(db_url, version)

    store = Store.open(db_url)
    try:
        assert store.version() == latest()
        assert differences(store) == []
        assert not inspect(store.engine).has_table("schema_migrations")
        article = store.article(article_id)
        assert article is not None and article.text.startswith("Des combats")
        [alert] = store.alerts()
        assert alert.id == alert_id and isinstance(alert.alert, Casualty) and alert.alert.killed == 21
        assert alert.importance == 0.5 and alert.story_id == article.story_id
        assert [(d["item_key"], d["status"]) for d in store.deliveries("slack")] == [(f"alert:{alert_id}", "sent")]
        assert store.get_state("matrix:next_batch") == "s42"
        if version >= 2:
            assert article.story_id is not None and (store.story(article.story_id) or {})["title"] == "Tripoli"
        # The bot goes on writing: a new article, marked processed (a column of version 8).
        new_id, created = store.add_article(Article(id="wire:2", text="Trêve à Misrata", source="wire"))
        assert created and store.article(new_id) is not None
        store.mark_processed(new_id)
        if store.engine.dialect.name == "sqlite":  # what an older bot stored is searchable
            assert [r["id"] for r in fts_articles(store, "combats", 5)] == [article_id]
            assert [r["id"] for r in fts_alerts(store, "santé", 5)] == [alert_id]
    finally:
        store.close()


def test_a_legacy_database_missing_an_index_or_column_gets_them(db_url: str) -> None:
    """The old steps made a table's indexes only with the table: a database older than an index lacked it."""
    legacy_database(db_url, legacy.LEGACY_LATEST)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_alerts_story_type"))
        conn.execute(text("DROP INDEX ix_article_stories_published"))
    engine.dispose()
    store = Store.open(db_url)
    try:
        assert differences(store) == []
    finally:
        store.close()


def test_a_failed_upgrade_leaves_the_database_as_it_was(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    legacy_database(db_url, 5)
    old = Store.open(db_url, target=5)  # a store opened for version 5 leaves a database of version 5 alone
    assert old.version() == 5
    tables_before = set(inspect(old.engine).get_table_names())
    old.close()

    def disk_full(*_args: object) -> None:
        raise RuntimeError("disk full")

    # Fails half-way through the baseline: after steps 7 (leases) and before 9.
    monkeypatch.setattr(legacy_migrations, "add_missing_columns", disk_full)
    with pytest.raises(RuntimeError, match="disk full"):
        Store.open(db_url)
    monkeypatch.undo()

    again = Store.open(db_url, target=5)  # still version 5: nothing of the upgrade stayed
    try:
        assert again.version() == 5
        assert set(inspect(again.engine).get_table_names()) == tables_before
    finally:
        again.close()
    store = Store.open(db_url)
    try:
        assert store.version() == latest() and differences(store) == []
        assert store.get_state("matrix:next_batch") == "s42"
    finally:
        store.close()


def test_replicas_starting_together_on_a_legacy_database_upgrade_it_once(db_url: str) -> None:
    legacy_database(db_url, 1)
    replicas = 4
    barrier = threading.Barrier(replicas)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait()
            opened.append(Store.open(db_url))
        except BaseException as exc:  # collected: an exception in a thread would otherwise be lost
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(replicas)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    try:
        assert errors == []
        assert [st.version() for st in opened] == [latest()] * replicas
        assert differences(opened[0]) == []
        assert [a.alert for a in opened[0].alerts()] == [Casualty(
            article_id="wire:1", killed=21, wounded=27, reported_by="ministère de la Santé")]
    finally:
        for st in opened:
            st.close()


def test_a_database_newer_than_the_bot_is_refused_not_damaged(db_url: str) -> None:
    store = Store.open(db_url)
    with store.tx() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(RuntimeError, match="revision 9999, newer than this bot"):
        Store.open(db_url)


def test_a_developer_adds_a_table_and_a_column_and_the_new_revision_makes_them(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m bot.store.revisions new …` writes the next numbered revision from the code's tables; a
    database it upgrades then agrees with the code (scripts copied out of the checkout, tables copied)."""
    scripts = tmp_path / "revisions"
    shutil.copytree(SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    code = MetaData()
    for table in target_metadata().tables.values():
        table.to_metadata(code)
    Table("notes", code, Column("id", Integer, primary_key=True), Column("body", Text, nullable=False),
          Column("lang", String(8), index=True))
    code.tables["articles"].append_column(Column("summary", Text))
    monkeypatch.setattr(migrations, "target_metadata", lambda: code)

    written = write_revision("notes: what admins write", scripts)
    assert written.name == f"v{latest() + 1:04d}_notes_what_admins_write.py"
    # The head a start-up reads from the files without Alembic is the one Alembic finds.
    assert migrations.head_revision(scripts) == f"{latest() + 1:04d}" != migrations.head_revision()
    assert migrations.head_revision() == migrations.scripts().get_current_head()
    source = written.read_text(encoding="utf-8")
    assert "op.create_table('notes'" in source and "add_column(sa.Column('summary'" in source
    legacy_database(db_url, 8)  # from a legacy database, through the baseline, to the new revision
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn, scripts), "head")
            assert current_version(conn) == latest() + 1
            assert list(compare_metadata(MigrationContext.configure(conn, opts=migrations.context_options()),
                                         code)) == []
            assert conn.execute(text("SELECT count(*) FROM articles WHERE summary IS NULL")).scalar_one() == 1
    finally:
        engine.dispose()


def test_opening_a_database_at_head_does_not_wait_for_a_running_bots_write(tmp_path: Path) -> None:
    """A command run beside the bot (`failures`, `read`) opens the store while the bot writes: the upgrade
    lock is taken only when there is something to upgrade."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    Store.open(url).close()
    bot = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    try:
        bot.execute("BEGIN IMMEDIATE")  # the running bot, in the middle of a write
        bot.execute("INSERT INTO kv VALUES ('matrix:next_batch', 's1')")
        started = time.monotonic()
        store = Store.open(url)
        assert time.monotonic() - started < 5  # SQLite's busy timeout would make it 30 s
        assert store.get_state("matrix:next_batch") is None  # not committed yet
        store.close()
        bot.execute("COMMIT")
    finally:
        bot.close()
