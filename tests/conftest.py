"""Shared fixtures: a real SQLite store, the repository's paths, a recording chat adapter."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.chat.base import Posted
from bot.core.models import Message
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
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
