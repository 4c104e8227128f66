"""Poll leases belong to a live process: a bot killed (SIGKILL) or stopped (SIGTERM) in the middle of a
poll is restarted and polls again within seconds, not after the dead process's lease would have run out.

Real processes (`python -m bot run`, the service), a real SQLite file, a local feed server that holds
the first request open, so the kill lands while the poll is in flight.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import yaml

from bot.store import Store
from tests.conftest import LOOP_GUARD_VARS, PYTHON, ROOT
from tests.reliability.wire import FeedServer, Wire, config_data

FEED = "/feed/0.xml"


async def _start(tmp_path: Path, config: Path) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(Path.home()),
           **LOOP_GUARD_VARS}
    return await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bot", "run", "-c", str(config), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def _next_hit(server: FeedServer, after: int, timeout: float) -> float:
    """Seconds until the feed has been requested more than `after` times."""
    start = time.monotonic()
    while len(server.hits_of(0)) <= after:
        if time.monotonic() - start > timeout:
            raise AssertionError(f"no poll within {timeout} s (hits: {len(server.hits_of(0))})")
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def _setup(tmp_path: Path) -> tuple[FeedServer, Path]:
    server = FeedServer(Wire(feeds=1, sharing=1, events=2))
    server.hold[FEED] = asyncio.Event()
    await server.start()
    config = tmp_path / "bot.yaml"
    # An hour between polls: the old lease (1.5 x the interval) kept a restarted bot waiting 90 minutes.
    config.write_text(yaml.safe_dump(config_data(f"sqlite:///{tmp_path / 'bot.db'}", server, interval="1h")))
    return server, config


def _leases(tmp_path: Path) -> list[dict[str, object]]:
    store = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        return store.leases()
    finally:
        store.close()


async def test_killed_mid_poll_then_restarted_polls_within_seconds(tmp_path: Path) -> None:
    server, config = await _setup(tmp_path)
    procs: list[asyncio.subprocess.Process] = []
    try:
        procs.append(await _start(tmp_path, config))
        await _next_hit(server, 0, 60)  # the first poll is in flight, held by the server
        procs[0].kill()
        await procs[0].wait()
        assert "poll:outlet0" in [lease["name"] for lease in _leases(tmp_path)], "the dead process held it"

        procs.append(await _start(tmp_path, config))
        waited = await _next_hit(server, 1, 30)
        server.hold[FEED].set()  # this poll completes
        store = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
        try:
            for _ in range(300):
                if len(store.alerts()) == 10 and all(store.is_processed(i) for i in range(1, 4)):
                    break
                await asyncio.sleep(0.1)
            assert len(store.alerts()) == 10  # two events, five facts each: the poll went through
        finally:
            store.close()
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await server.stop()
    assert waited < 15, f"the restarted bot polled after {waited:.1f} s"


async def test_stopped_mid_poll_releases_its_lease_and_restart_polls_within_seconds(tmp_path: Path) -> None:
    server, config = await _setup(tmp_path)
    procs: list[asyncio.subprocess.Process] = []
    try:
        procs.append(await _start(tmp_path, config))
        await _next_hit(server, 0, 60)
        procs[0].send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(procs[0].communicate(), 60)
        assert procs[0].returncode == 0, err.decode()
        assert "Traceback" not in err.decode(), err.decode()
        assert _leases(tmp_path) == [], "a clean stop gives its leases back"

        procs.append(await _start(tmp_path, config))
        waited = await _next_hit(server, 1, 30)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        await server.stop()
    assert waited < 15, f"the restarted bot polled after {waited:.1f} s"
