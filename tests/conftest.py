"""Shared fixtures: a real SQLite store, the repository's paths, a recording chat adapter."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.chat.base import Posted
from bot.core.models import Message
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of `kind` ("sqlite" or "postgres"), dropped afterwards: a SQLite file, or a new
    database on the test PostgreSQL server.

    The PostgreSQL server comes from `scripts/pg-test-server.sh` (NEWSBOT_TEST_PG_URL); CI starts it,
    so there a missing server is a failure, not a skip.
    """
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    admin = os.environ.get("NEWSBOT_TEST_PG_URL")
    if not admin:
        if os.environ.get("CI"):
            pytest.fail("NEWSBOT_TEST_PG_URL is not set: CI must start PostgreSQL (scripts/pg-test-server.sh)")
        pytest.skip("no PostgreSQL: run eval \"$(scripts/pg-test-server.sh)\" first")
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each engine (see `fresh_database`)."""
    yield from fresh_database(request.param, tmp_path)

@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


@dataclass
class RecordingAdapter:
    """A chat adapter that keeps what it was asked to do, for asserting on."""

    name: str = "rec"
    calls: list[tuple[str, str, str | None, Message]] = field(default_factory=list)

    async def post(self, channel: str, message: Message) -> Posted:
        self.calls.append(("post", channel, None, message))
        return Posted(channel, f"m{len(self.calls)}")

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        self.calls.append(("reply", channel, thread_id, message))
        return Posted(channel, f"m{len(self.calls)}")

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        self.calls.append(("edit", channel, message_id, message))


@pytest.fixture
def recorder() -> RecordingAdapter:
    return RecordingAdapter()


PYTHON = sys.executable
