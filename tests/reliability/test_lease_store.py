"""Lease rules in the store (SQLite and PostgreSQL): held until expiry by a live owner, renewed by its
heartbeat, all given back at a clean stop, taken over at once from a dead process of this machine."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess

from bot.store import Store
from bot.store.db import PROCESS_ID
from tests.conftest import PYTHON

TTL = dt.timedelta(seconds=60)


def test_lease_lifecycle(store: Store) -> None:
    other = "elsewhere.example:4242:feedbeef"  # another machine: cannot be seen dying, only expiring
    t0 = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert store.acquire_lease("poll:a", other, TTL, now=t0)
    assert store.acquire_lease("poll:b", other, TTL, now=t0)
    assert not store.acquire_lease("poll:a", PROCESS_ID, TTL, now=t0 + dt.timedelta(seconds=59))
    # Its heartbeat moves every lease it holds; without one they lapse after the TTL.
    assert store.renew_leases(other, TTL, now=t0 + dt.timedelta(seconds=50)) == 2
    assert not store.acquire_lease("poll:a", PROCESS_ID, TTL, now=t0 + dt.timedelta(seconds=100))
    assert store.acquire_lease("poll:a", PROCESS_ID, TTL, now=t0 + dt.timedelta(seconds=111))
    # A clean stop gives back what is left, at once.
    assert store.release_leases(other) == 1
    assert store.acquire_lease("poll:b", PROCESS_ID, TTL, now=t0 + dt.timedelta(seconds=112))
    assert {lease["name"] for lease in store.leases()} == {"poll:a", "poll:b"}


def test_lease_of_a_dead_process_on_this_machine_is_taken_at_once(store: Store) -> None:
    dead = subprocess.run([PYTHON, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    owner = f"{socket.gethostname()}:{int(dead.stdout)}:0badf00d"
    now = dt.datetime.now(dt.UTC)
    assert store.acquire_lease("poll:c", owner, dt.timedelta(hours=2), now=now)
    assert store.acquire_lease("poll:c", PROCESS_ID, TTL, now=now)
    assert [(lease["name"], lease["owner"]) for lease in store.leases()] == [("poll:c", PROCESS_ID)]
    # A live process of this machine keeps its lease until it expires.
    live = subprocess.Popen([PYTHON, "-c", "import time; time.sleep(30)"])
    try:
        assert store.acquire_lease("poll:d", f"{socket.gethostname()}:{live.pid}:cafe", TTL, now=now)
        assert not store.acquire_lease("poll:d", PROCESS_ID, TTL, now=now)
    finally:
        live.kill()
        live.wait()
