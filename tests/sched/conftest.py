"""Fixtures for the scheduler tests; the helpers live in sched_helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from bot.config import Config
from tests.conftest import MakeConfig
from tests.sched.sched_helpers import sched_data, utc

SchedConfig = Callable[..., Config]


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(utc(2026, 3, 27, 12, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def sched_config(tmp_path: Path, make_config: MakeConfig) -> SchedConfig:
    """`sched_config(channels, **extra)`: the shared `make_config` reading the scheduler tests' bot.yaml
    (`sched_data`)."""

    def make(channels: list[dict[str, Any]], **extra: Any) -> Config:
        return make_config.yaml(sched_data(tmp_path, channels, **extra))

    return make
