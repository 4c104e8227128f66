"""Shared fixtures: a real SQLite store, the repository's paths, a recording chat adapter."""

from __future__ import annotations

import os
import sys
import tempfile
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
from bot.store.aio import LOOP_GUARD_ENV, LOOP_GUARD_REPORT_ENV

# The loop guard, on for the whole suite and for the `python -m bot run` processes the tests start (they
# inherit the environment): bot code issuing SQL on the event loop's thread raises BlockingStoreCall, and every
# refusal is written to the report file, so one swallowed by a broad `except` still fails the test behind it.
if os.environ.get(LOOP_GUARD_ENV) != "record":  # `record`: list every such call without refusing any
    os.environ[LOOP_GUARD_ENV] = "1"
_fd, _GUARD_REPORT = tempfile.mkstemp(prefix="newsbot-loop-guard-", suffix=".txt")
os.close(_fd)
os.environ[LOOP_GUARD_REPORT_ENV] = _GUARD_REPORT
# For a test that starts the bot with an environment of its own: the guard goes with it.
LOOP_GUARD_VARS = {LOOP_GUARD_ENV: os.environ[LOOP_GUARD_ENV], LOOP_GUARD_REPORT_ENV: _GUARD_REPORT}


_guard_checked = 0  # how far into the report the tests have looked
_guard_between: list[str] = []  # refusals outside any test (module fixtures, processes outliving their test)


def _guard_report_from(offset: int) -> tuple[str, int]:
    with open(_GUARD_REPORT, "rb") as report:
        report.seek(offset)
        text = report.read()
        return text.decode("utf-8", "replace"), offset + len(text)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "loop_guard_trips: the test makes the loop guard refuse a call on purpose")


@pytest.fixture(autouse=True)
def _no_store_call_on_the_loop(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test during which bot code called the store on the event loop, even if the bot swallowed it."""
    global _guard_checked
    before, _guard_checked = _guard_report_from(_guard_checked)
    if before:
        _guard_between.append(before)
    yield
    refused, _guard_checked = _guard_report_from(_guard_checked)
    if refused and request.node.get_closest_marker("loop_guard_trips") is None:
        pytest.fail(f"store calls on the event loop (NEWSBOT_LOOP_GUARD):\n{refused}", pytrace=False)


@pytest.hookimpl(trylast=True)  # after the runner's, which tears the last test down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Refusals no test was blamed for fail the session too; the report file goes."""
    late, _ = _guard_report_from(_guard_checked)
    between = "".join(_guard_between) + late
    os.unlink(_GUARD_REPORT)
    if between:
        sys.stderr.write(f"\nstore calls on the event loop outside any test (NEWSBOT_LOOP_GUARD):\n{between}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
