"""Fixtures for the Matrix adapter's tests: a real Synapse (session-wide), humans as nio clients.

No Matrix mocks: the bot and the humans talk to a homeserver started for this session.
If Synapse cannot be installed or started, the tests are skipped with the reason, except in CI
(`CI=true`), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig, RoomCreateResponse, SyncResponse

# pytest puts this folder on sys.path (no __init__.py here; a stray site-packages `tests` shadows ours)
from synapse_harness import Synapse, SynapseUnavailable, User, launch

from bot.chat.base import ChatContext
from bot.chat.matrix import MatrixAdapter
from bot.core.models import Line, Message, Span


@pytest.fixture(scope="session")
def synapse() -> Iterator[Synapse]:
    started = time.monotonic()
    try:
        server = launch()
    except SynapseUnavailable as exc:
        reason = f"Synapse homeserver unavailable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    print(f"\nSynapse up at {server.url} in {time.monotonic() - started:.1f}s ({server.data_dir})")
    try:
        yield server
    finally:
        server.stop()


class MemoryState:
    """In-memory `StateStore`; sharing one between two adapters simulates a restart."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get_state(self, key: str) -> str | None:
        return self.data.get(key)

    def set_state(self, key: str, value: str) -> None:
        self.data[key] = value


@dataclass
class EchoConversation:
    """A `Conversation` that echoes what it was asked, with made-up casualty figures."""

    commands: list[tuple[str, ChatContext]] = field(default_factory=list)
    questions: list[tuple[str, ChatContext]] = field(default_factory=list)
    our_threads: set[str] | None = None  # None: every thread is ours

    async def command(self, text: str, ctx: ChatContext) -> Message:
        self.commands.append((text, ctx))
        return Message(
            headline=f"Casualties for “{text}”",
            lines=(Line.of("At least ", Span("12", "bold"), " killed, 30 wounded"),
                   Line.of(f"admin={ctx.is_admin}")),
        )

    async def follow_up(self, question: str, ctx: ChatContext) -> Message | None:
        if self.our_threads is not None and ctx.thread_id not in self.our_threads:
            return None
        self.questions.append((question, ctx))
        return Message(headline=f"Answer to: {question}")


class Human:
    """A person in the chat, driven through matrix-nio; collects the events it syncs."""

    def __init__(self, server: Synapse, user: User) -> None:
        self.user = user
        self.client = AsyncClient(server.url, user.user_id, device_id=user.device_id,
                                  config=AsyncClientConfig(encryption_enabled=False))
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.events: list[dict[str, Any]] = []  # event sources, with "room_id" added

    async def sync(self, timeout_ms: int = 300) -> None:
        resp = await self.client.sync(timeout=timeout_ms)
        assert isinstance(resp, SyncResponse), resp
        for room_id, info in resp.rooms.join.items():
            for event in info.timeline.events:
                self.events.append({**event.source, "room_id": room_id})

    async def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 15.0,
                       count: int = 1) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events if pred(e)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no event matched within {timeout}s; saw {len(self.events)} events")
            await self.sync()

    async def create_room(self, invite: tuple[str, ...] = (), **kwargs: Any) -> str:
        resp = await self.client.room_create(name="news " + secrets.token_hex(2), invite=invite, **kwargs)
        assert isinstance(resp, RoomCreateResponse), resp
        return str(resp.room_id)

    async def send_text(self, room_id: str, body: str, **extra: Any) -> str:
        resp = await self.client.room_send(room_id, "m.room.message",
                                           {"msgtype": "m.text", "body": body, **extra})
        event_id = getattr(resp, "event_id", None)
        assert event_id, resp
        return str(event_id)

    async def members(self, room_id: str) -> list[str]:
        resp = await self.client.joined_members(room_id)
        return [m.user_id for m in getattr(resp, "members", [])]

    async def wait_member(self, room_id: str, user_id: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while user_id not in await self.members(room_id):
            if time.monotonic() > deadline:
                raise AssertionError(f"{user_id} did not join {room_id}")
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await self.client.close()


def uniq(name: str) -> str:
    return f"{name}-{secrets.token_hex(3)}"


@pytest.fixture
async def make_human(synapse: Synapse) -> AsyncIterator[Callable[[str], Awaitable[Human]]]:
    humans: list[Human] = []

    async def make(name: str) -> Human:
        human = Human(synapse, synapse.register(uniq(name)))
        await human.sync(0)  # start from now
        humans.append(human)
        return human

    yield make
    for human in humans:
        await human.close()


@dataclass
class BotAccount:
    user: User
    state: MemoryState = field(default_factory=MemoryState)
    conversation: EchoConversation = field(default_factory=EchoConversation)


@pytest.fixture
def bot_account(synapse: Synapse) -> BotAccount:
    return BotAccount(synapse.register(uniq("newsbot")))


@pytest.fixture
async def make_bot(synapse: Synapse) -> AsyncIterator[Callable[..., Awaitable[MatrixAdapter]]]:
    """Start adapters (stopped at teardown); keyword arguments go to `MatrixAdapter`."""
    bots: list[MatrixAdapter] = []

    async def make(account: BotAccount, **kwargs: Any) -> MatrixAdapter:
        params: dict[str, Any] = {"password": account.user.password, "sync_timeout_ms": 2000, **kwargs}
        if "access_token" in kwargs:
            params.pop("password")
        bot = MatrixAdapter(homeserver=synapse.url, user_id=account.user.user_id,
                            conversation=account.conversation, state=account.state, **params)
        await bot.start()
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.stop()
