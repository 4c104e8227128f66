"""Fixtures for the Matrix adapter's tests: a real Synapse (session-wide), humans as nio clients.

No Matrix mocks: the bot and the humans talk to a homeserver started for this session.
If Synapse cannot be installed or started, the tests are skipped with the reason, except in CI
(`CI=true`), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from bot.chat.matrix import MatrixAdapter
from tests.matrix.matrix_helpers import BotAccount, Human, uniq
from tests.matrix.synapse_harness import Synapse, SynapseUnavailable, launch


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
        if not os.environ.get("NEWSBOT_KEEP_SYNAPSE"):  # set it to keep the logs and database
            shutil.rmtree(server.data_dir, ignore_errors=True)

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
