"""The one small interface every chat system sits behind, and what adapters call back into.

Adapters (console, Slack, Matrix) turn a core `Message` into their own markup, escaping all
article text, and report the chat's message id so the store can remember what was posted where.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, Protocol, TypeVar

from bot.core.models import Message

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a message landed: the chat's own id for it, used for threads and edits."""

    channel: str
    message_id: str


class ChatAdapter(Protocol):
    """Post, reply in thread, edit. `name` keys deliveries in the store (e.g. "slack").

    `shows_images`: whether the chat shows an attached image. Charts are drawn only for chats that show
    them (drawing one takes 50-100 ms: for a terminal it is time spent on nothing).
    """

    name: str
    shows_images: bool

    async def post(self, channel: str, message: Message) -> Posted: ...

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted: ...

    async def edit(self, channel: str, message_id: str, message: Message) -> None: ...


@dataclass(frozen=True, slots=True)
class ChatContext:
    """Who asks, where: enough for permission checks and for answering in the right language."""

    adapter: str
    channel: str
    user: str
    is_admin: bool = False
    thread_id: str | None = None
    lang: str = "en"


class Conversation(Protocol):
    """The core's side of a conversation: commands and follow-up questions, answered as messages."""

    async def command(self, text: str, ctx: ChatContext) -> Message:
        """Answer a `/news …` (or `!news …`) command; `text` is what follows the prefix."""
        ...

    async def follow_up(self, question: str, ctx: ChatContext) -> Message | None:
        """Answer a question asked in the thread `ctx.thread_id`; None when that thread is not ours."""
        ...


class StateStore(Protocol):
    """Small durable key/value state kept in the database (e.g. a Matrix sync token).

    Adapters run on the event loop: they call `get_state` and `set_state` through `run`, which for the
    store (`Store.run`) is its own worker threads, so that no state read or write blocks the loop."""

    def get_state(self, key: str) -> str | None: ...

    def set_state(self, key: str, value: str) -> None: ...

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...


class MemoryState:
    """A `StateStore` in memory: for an adapter given no store (tests, a bot without a database). Shared by two
    adapters, it stands for the database across a restart."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get_state(self, key: str) -> str | None:
        return self.data.get(key)

    def set_state(self, key: str, value: str) -> None:
        self.data[key] = value

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return fn(*args, **kwargs)  # a dict: nothing to wait for


class ChatError(RuntimeError):
    """A send the chat refused, classified so that delivery knows whether trying again can help.

    `permanent`: the same send will fail again until someone acts (channel gone, bot not invited,
    token revoked, message too large); delivery marks it failed after a few tries and says where.
    Otherwise it is transient (rate limit, 5xx, timeout) and is retried later, never dropped.
    `channel_wide`: the whole channel (or account) is unusable, not just this message.
    """

    def __init__(self, reason: str, *, permanent: bool, channel_wide: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.channel_wide = channel_wide
        self.retry_after = retry_after


class HandledLog:
    """Which incoming events (commands, questions) were answered, kept in the `StateStore`.

    An adapter checks it before answering and records the event right after its answer went out; with
    an idempotent send keyed by the event (a Matrix transaction id, Slack message metadata), a process
    killed between the two answers once after its restart. The last `keep` keys per log are kept:
    enough for anything a restart or a platform retry can bring back.
    """

    def __init__(self, state: StateStore, name: str, *, keep: int = 500) -> None:
        self._state = state
        self._key = f"handled:{name}"[:200]
        self._keep = keep
        self._keys: list[str] | None = None
        self._lock = threading.Lock()  # the state is read and written in the store's threads, several at once

    async def seen(self, key: str) -> bool:
        """Was the event `key` answered (by this process, or by another sharing the database)?"""
        return await self._state.run(self._contains, key)

    async def add(self, key: str) -> None:
        """Record that the event `key` was answered."""
        await self._state.run(self._add, key)

    def _load(self, *, fresh: bool = False) -> list[str]:
        if self._keys is None or fresh:
            raw = self._state.get_state(self._key)
            try:
                loaded = json.loads(raw) if raw else []
            except ValueError:
                loaded = []
            self._keys = [str(k) for k in loaded] if isinstance(loaded, list) else []
        return self._keys

    def _contains(self, key: str) -> bool:
        with self._lock:
            # Not in what this process knows: read again, another process (a replica) may have answered it.
            return key in self._load() or key in self._load(fresh=True)

    def _add(self, key: str) -> None:
        with self._lock:
            keys = self._load(fresh=True)  # merge with what others recorded meanwhile
            if key in keys:
                return
            keys.append(key)
            del keys[:-self._keep]
            self._state.set_state(self._key, json.dumps(keys))
