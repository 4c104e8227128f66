"""Fixtures for the scheduler tests; the helpers live in sched_helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.sched.sched_helpers import utc


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(utc(2026, 3, 27, 12, 0), tick=False) as traveller:
        yield traveller
