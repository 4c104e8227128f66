"""The database's health as the service tracks it: one line when an outage starts, one when it ends, and
an outage ends only by work begun after it was seen (a write finished just before the database went away,
its answer read just after, must not log it back: it would then fail and log again)."""

from __future__ import annotations

import logging

import pytest

from bot.service.dbhealth import DatabaseHealth


def test_only_work_begun_after_the_failure_ends_an_outage(caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    health = DatabaseHealth(clock=lambda: now[0])
    begun_before = health.clock()
    now[0] += 0.5
    with caplog.at_level(logging.DEBUG, logger="bot.service.dbhealth"):
        health.failed(RuntimeError("server closed the connection unexpectedly"))
        now[0] += 0.02
        assert health.succeeded(begun_before) is False  # the old answer: still down, nothing logged
        assert not health.up
        now[0] += 2
        assert health.ready()  # the first probe is due (1 s)
        probe = health.clock()
        assert health.succeeded(probe) is True
    assert health.up
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2
    assert lines[0].startswith("database unavailable (server closed the connection unexpectedly)")
    assert lines[1].startswith("database available again after 2 s (1 failed attempt(s))")


def test_a_failure_of_work_begun_before_the_recovery_starts_no_new_outage(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    health = DatabaseHealth(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.service.dbhealth"):
        health.failed(RuntimeError("server closed the connection unexpectedly"))
        now[0] += 1.5
        job = health.clock()  # a job and a probe begin together once the probe is due
        probe = health.clock()
        now[0] += 0.01
        assert health.succeeded(probe) is True
        now[0] += 0.01
        health.failed(RuntimeError("server closed the connection unexpectedly"), job)  # ... its session was cut
        assert health.up
        now[0] += 5
        health.failed(RuntimeError("cannot execute INSERT in a read-only transaction"), health.clock())
        assert not health.up  # work begun after the recovery: a new outage
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(" (")[0] for line in lines] == [
        "database unavailable", "database available again after 2 s", "database unavailable"]
