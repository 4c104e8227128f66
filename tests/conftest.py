"""Shared fixtures: real stores (SQLite, PostgreSQL, memory), configs in the test's folder, the
repository's paths, a recording chat adapter; and a guard that no test writes into the checkout."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from bot.chat.base import Posted
from bot.config import Config, parse_config
from bot.core.models import Message
from bot.service import tallies
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


@dataclass(frozen=True)
class PostgresDatabase:
    admin: Engine  # autocommit, on the server's admin database: CREATE, ALTER and DROP DATABASE
    name: str
    url: str


@contextmanager
def postgres_database() -> Iterator[PostgresDatabase]:
    """A new, empty database on the test PostgreSQL server, dropped afterwards.

    The server comes from `scripts/pg-test-server.sh` (NEWSBOT_TEST_PG_URL); CI starts it, so there a missing
    server is a failure, not a skip.
    """
    admin_url = os.environ.get("NEWSBOT_TEST_PG_URL")
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail("NEWSBOT_TEST_PG_URL is not set: CI must start PostgreSQL (scripts/pg-test-server.sh)")
        pytest.skip("no PostgreSQL: run eval \"$(scripts/pg-test-server.sh)\" first")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PostgresDatabase(admin, name, make_url(admin_url).set(database=name).render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of `kind` ("sqlite" or "postgres"), dropped afterwards: a SQLite file, or a new
    database on the test PostgreSQL server (`postgres_database`)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    with postgres_database() as database:
        yield database.url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each engine (see `fresh_database`)."""
    yield from fresh_database(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file only, for tests about something other than the engine (feeds, files, commands)."""
    yield from fresh_database("sqlite", tmp_path)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A store on each engine."""
    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    """A store on a SQLite file."""
    s = Store.open(sqlite_url)
    yield s
    s.close()


@pytest.fixture
def memory_store() -> Iterator[Store]:
    """A store in memory: no file, so its charts go to `tallies.CHART_DIR` (see `chart_dir`)."""
    s = Store.open("sqlite:///:memory:")
    yield s
    s.close()


@pytest.fixture
def chart_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where charts of a store without a database file are drawn: the test's folder, not ./data/charts."""
    path = tmp_path / "charts"
    monkeypatch.setattr(tallies, "CHART_DIR", path)
    return path


class MakeConfig:
    """Configs of one test: its file and its SQLite database are in the test's folder unless told otherwise."""

    def __init__(self, tmp_path: Path, database: str) -> None:
        self.path = str(tmp_path / "bot.yaml")
        self.database = database

    def __call__(self, **fields: Any) -> Config:
        """Built from the dataclasses, as code does: `make_config(sources=(SourceConfig(...),), channels=...)`."""
        return Config(**{"path": self.path, "database": self.database, **fields})

    def yaml(self, data: Mapping[str, Any]) -> Config:
        """Read from YAML-shaped data (`{"sources": [{"name": ..., "interval": "1h"}]}`), as `bot run` reads
        bot.yaml, defaults and validation included."""
        return parse_config({"database": self.database, **data}, self.path)


@pytest.fixture
def make_config(tmp_path: Path, sqlite_url: str) -> MakeConfig:
    return MakeConfig(tmp_path, sqlite_url)


@dataclass
class RecordingAdapter:
    """A chat adapter that keeps what it was asked to do, for asserting on."""

    name: str = "rec"
    shows_images: bool = True
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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server that takes a port, not 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until(pred: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> None:
    """Poll `pred` every `interval` seconds until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


# What a test run may leave in the checkout: the environment, git's own folder and the tools' caches.
CHECKOUT_CACHES = frozenset({".git", ".venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


def checkout_files(root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """Every file and folder of the checkout but the caches, with its size and modification time (folders: 0, 0;
    their times change whenever a cache appears inside them)."""
    found: dict[str, tuple[int, int]] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in CHECKOUT_CACHES]
        base = Path(folder).relative_to(root)
        found.update({f"{base / d}/": (0, 0) for d in dirs})
        for name in names:
            try:
                st = os.stat(os.path.join(folder, name), follow_symlinks=False)
            except FileNotFoundError:  # removed between listing and stat: it is not there at this moment
                continue
            found[str(base / name)] = (st.st_size, st.st_mtime_ns)
    return found


@pytest.fixture(scope="session", autouse=True)
def checkout_untouched() -> Iterator[None]:
    """No test writes into the checkout (a database, a chart, a log): the run fails if a file or folder appeared,
    changed or vanished there between the session's start and end. Tests write under `tmp_path`."""
    before = checkout_files()
    yield
    after = checkout_files()
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if changed:
        shown = ", ".join(changed[:20]) + (f" and {len(changed) - 20} more" if len(changed) > 20 else "")
        pytest.fail(f"the tests changed the checkout ({ROOT}): {shown}; write under tmp_path instead", pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "loop_guard_trips: the test makes the loop guard refuse a call on purpose")
    # Hypothesis keeps its examples and constants in ./.hypothesis by default, i.e. in the checkout; pytest's
    # cache folder is where a test run's memory belongs (a temporary folder when the cache plugin is off).
    # Its plugin is loaded before this file, too early for HYPOTHESIS_STORAGE_DIRECTORY to be read.
    cache = getattr(config, "cache", None)
    where = cache.mkdir("hypothesis") if cache is not None else Path(tempfile.mkdtemp(prefix="newsbot-hypothesis-"))
    set_hypothesis_home_dir(where)
