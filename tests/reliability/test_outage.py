"""The database goes away under a running service (stopped, then made read-only): one log line when it
goes, one when it is back, no traceback; work backs off meanwhile and nothing is lost.

A real `python -m bot run` process on a throw-away PostgreSQL database of the test server, which the
test closes to connections (`ALLOW_CONNECTIONS false`, sessions terminated) or makes read-only
(`default_transaction_read_only`), for longer than a poll interval; feeds from a local server gain a
story during the outage.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, text

from bot.store import Store
from tests.conftest import LOOP_GUARD_VARS, PYTHON, ROOT, postgres_database
from tests.reliability.wire import FeedServer, Wire, config_data

OUTAGE_S = 25


@pytest.fixture
def throwaway() -> Iterator[tuple[Engine, str, str]]:
    """A PostgreSQL database of its own (`postgres_database`), which the test takes down and up again."""
    with postgres_database() as db:
        yield db.admin, db.name, db.url
        with db.admin.connect() as conn:  # the test may end with the database refusing connections
            conn.execute(text(f'ALTER DATABASE "{db.name}" ALLOW_CONNECTIONS true'))


def _outage(admin: Engine, name: str, mode: str, on: bool, bot_pid: int) -> None:
    """Switch the outage on or off in one step as the bot sees it. Sessions opened before a change keep the
    old settings, so they are ended; were the bot running meanwhile, a new session (new setting) and an old
    one (old setting) could both serve it, and it would see the database fail, work and fail again. It is
    paused (SIGSTOP) until every session it had is gone: then each of its sessions has the new setting."""
    os.kill(bot_pid, signal.SIGSTOP)
    try:
        with admin.connect() as conn:
            if mode == "down":
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"false" if on else "true"}'))
            elif on:
                conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            else:
                conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
            for _ in range(100):
                left = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                         "WHERE datname = :n"), {"n": name}).scalar_one()
                if not left:
                    break
                time.sleep(0.05)
    finally:
        os.kill(bot_pid, signal.SIGCONT)


def _delivered(url: str) -> tuple[int, int]:
    store = Store.open(url)
    try:
        return len(store.alerts()), len([d for d in store.deliveries("console") if d["status"] == "sent"])
    finally:
        store.close()


async def _until(url: str, alerts: int, timeout: float) -> None:
    for _ in range(int(timeout * 5)):
        found = await asyncio.to_thread(_delivered, url)
        if found == (alerts, alerts):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"expected {alerts} alerts delivered, found {found}")


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["down", "read-only"])
async def test_outage_logs_once_each_way_and_loses_nothing(
        throwaway: tuple[Engine, str, str], tmp_path: Path, mode: str) -> None:
    admin, name, url = throwaway
    wire = Wire(feeds=4, sharing=4, events=2)
    server = FeedServer(wire)
    await server.start()
    config = tmp_path / "bot.yaml"
    config.write_text(yaml.safe_dump(config_data(url, server, interval="10s")))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(Path.home()),
           **LOOP_GUARD_VARS}
    proc = await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bot", "run", "-c", str(config), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await _until(url, 10, 90)  # two events, five facts each
        await asyncio.to_thread(_outage, admin, name, mode, True, proc.pid)
        wire.events = 3  # a new story while the database is away
        hits = len(server.hits)
        await asyncio.sleep(OUTAGE_S)
        polled_during = len(server.hits) - hits
        await asyncio.to_thread(_outage, admin, name, mode, False, proc.pid)
        await _until(url, 15, 90)  # the new story, once the database is back
        proc.send_signal(signal.SIGTERM)
        _, raw = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    err = raw.decode()
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert sum("database unavailable" in line for line in lines) == 1, err
    assert sum("database available again" in line for line in lines) == 1, err
    assert len(lines) == 2, err  # nothing else: no line per attempt
    # Backoff: the feeds (10 s interval) were not hammered while nothing could be stored.
    assert polled_during <= 4 * (OUTAGE_S // 10 + 1), polled_during
    store = Store.open(url)
    try:
        sent = Counter(d["alert_id"] for d in store.deliveries("console") if d["alert_id"] is not None)
        assert sent == Counter({a.id: 1 for a in store.alerts()})
    finally:
        store.close()
