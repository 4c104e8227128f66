"""Where the database lives on disk, for files kept beside it (charts): the engine stays inside the store."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Store


def database_file(store: Store) -> Path | None:
    """The SQLite database's file; None for an in-memory database or a server (PostgreSQL)."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None
