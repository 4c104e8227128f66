"""Helpers shared by the Matrix tests: an in-memory state store, a test conversation, humans.

Kept out of conftest.py: the test modules import them by name (`tests.matrix.matrix_helpers`).
"""

from __future__ import annotations

import asyncio
import secrets
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import AsyncClient, AsyncClientConfig, RoomCreateResponse, SyncResponse

from bot.chat.base import ChatContext, MemoryState
from bot.core.models import Line, Message, Span
from tests.matrix.synapse_harness import Synapse, User


@dataclass
class EchoConversation:
    """A `Conversation` that echoes what it was asked, with made-up casualty figures."""

    commands: list[tuple[str, ChatContext]] = field(default_factory=list)
    questions: list[tuple[str, ChatContext]] = field(default_factory=list)
    our_threads: set[str] | None = None  # None: every thread is ours
    delay: float = 0.0  # seconds each command takes to answer

    async def command(self, text: str, ctx: ChatContext) -> Message:
        self.commands.append((text, ctx))
        await asyncio.sleep(self.delay)
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

    wait_timeout = 15.0  # seconds `wait_for` syncs before it gives up

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

    async def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float | None = None,
                       count: int = 1) -> list[dict[str, Any]]:
        """Sync until `count` events match `pred` (the first ones), or fail after `timeout` seconds."""
        timeout = self.wait_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events if pred(e)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"no event matched within {timeout}s; saw {self.seen()}")
            await self.sync()

    def seen(self) -> str:
        return f"{len(self.events)} events"

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


def relation(event: dict[str, Any]) -> dict[str, Any]:
    """The event's `m.relates_to` (thread, reply, edit), empty if it has none."""
    rel: dict[str, Any] = (event.get("content") or {}).get("m.relates_to") or {}
    return rel


def reply_to(event: dict[str, Any]) -> str | None:
    """The id of the event this one replies to."""
    target = (relation(event).get("m.in_reply_to") or {}).get("event_id")
    return str(target) if target else None


def tiny_png(path: Path, width: int = 4, height: int = 3, rgb: bytes = b"\x00\x80\xff") -> Path:
    """A valid PNG of one colour, written to `path` (a chart's stand-in)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))
    return path


def uniq(name: str) -> str:
    return f"{name}-{secrets.token_hex(3)}"


@dataclass
class BotAccount:
    user: User
    state: MemoryState = field(default_factory=MemoryState)
    conversation: EchoConversation = field(default_factory=EchoConversation)
