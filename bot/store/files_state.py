"""What the bot remembers of the local files it has read (migration 10): size, mtime and SHA-256 per
file of a file or folder source, so a folder poll reads only the files that changed.

Functions take a Store (imported for typing only: `bot.store.migrations` imports this module for its
table, before `bot.store.db` is loaded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, Connection, DateTime, String, Table, and_, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.store import schema as s

if TYPE_CHECKING:
    from bot.store.db import Store

PATH_CHARS = 1000

file_state = Table(
    "file_state", s.metadata,
    Column("source", String(200), primary_key=True),
    Column("path", String(PATH_CHARS), primary_key=True),  # relative to the source's folder
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("sha256", String(64)),  # None for a file refused before it was read (too large)
    Column("outcome", String(200), nullable=False),  # "read: 3 article(s)" or "refused: why"
    Column("checked_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True, slots=True)
class FileState:
    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    outcome: str


def path_key(path: str) -> str:
    """The stored spelling of a relative path: itself, or a digest-ended cut when longer than the column."""
    if len(path) <= PATH_CHARS:
        return path
    return f"{path[:PATH_CHARS - 66]}#{hashlib.sha256(path.encode('utf-8', 'surrogatepass')).hexdigest()}"


def file_states(store: Store, source: str) -> dict[str, FileState]:
    """Every file of `source` read before, by stored path key."""
    with store.tx() as conn:
        rows = conn.execute(select(file_state).where(file_state.c.source == source)).all()
    return {r.path: FileState(r.path, int(r.size), int(r.mtime_ns), r.sha256, r.outcome) for r in rows}


def save_file_states(
    store: Store, source: str, changed: Iterable[FileState], present: set[str], now: dt.datetime,
) -> None:
    """Remember the files of `source` read (or refused) this poll; forget those no longer in `present`
    (deleted or moved away), so the table holds what the folder holds."""
    with store.tx() as conn:
        known = set(conn.execute(select(file_state.c.path).where(file_state.c.source == source)).scalars())
        gone = sorted(known - present)
        for i in range(0, len(gone), 500):
            conn.execute(delete(file_state).where(and_(
                file_state.c.source == source, file_state.c.path.in_(gone[i:i + 500]))))
        for st in changed:
            _upsert(conn, source, st, now)


def _upsert(conn: Connection, source: str, st: FileState, now: dt.datetime) -> None:
    values = {"size": st.size, "mtime_ns": st.mtime_ns, "sha256": st.sha256, "outcome": st.outcome[:200],
              "checked_at": now}
    keys = {"source": source, "path": st.path}
    if conn.dialect.name in ("sqlite", "postgresql"):
        # One statement: two replicas racing on one folder (a lease lost mid-poll) cannot collide.
        make = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
        stmt = make(file_state).values(**keys, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=values))
        return
    done = conn.execute(update(file_state).where(and_(
        file_state.c.source == source, file_state.c.path == st.path)).values(**values))
    if not done.rowcount:
        conn.execute(insert(file_state).values(**keys, **values))
