"""Fixtures for the Slack adapter tests (helpers live in `slack_fakes.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.chat.slack import SlackAdapter
from tests.slack.slack_fakes import BOT_TOKEN, SIGNING_SECRET, FakeConversation, FakeSlack


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    server = FakeSlack()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def conversation() -> FakeConversation:
    return FakeConversation()


@pytest.fixture
def make_adapter(fake_slack: FakeSlack, conversation: FakeConversation) -> Callable[..., SlackAdapter]:
    def make(**kwargs: Any) -> SlackAdapter:
        params: dict[str, Any] = {
            "bot_token": BOT_TOKEN, "signing_secret": SIGNING_SECRET, "conversation": conversation,
            "base_url": fake_slack.api_url, "send_interval": 0.01, "admin_user_ids": {"UADMIN"},
        }
        params.update(kwargs)
        adapter = SlackAdapter(**params)
        return adapter

    return make


@pytest.fixture
async def adapter(make_adapter: Callable[..., SlackAdapter]) -> AsyncIterator[SlackAdapter]:
    a = make_adapter()
    yield a
    await a.stop()
