"""The one small interface every chat system sits behind, and what adapters call back into.

Adapters (console, Slack, Matrix) turn a core `Message` into their own markup, escaping all
article text, and report the chat's message id so the store can remember what was posted where.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.models import Message


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a message landed: the chat's own id for it, used for threads and edits."""

    channel: str
    message_id: str


class ChatAdapter(Protocol):
    """Post, reply in thread, edit. `name` keys deliveries in the store (e.g. "slack")."""

    name: str

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
    """Small durable key/value state kept in the database (e.g. a Matrix sync token)."""

    def get_state(self, key: str) -> str | None: ...

    def set_state(self, key: str, value: str) -> None: ...
