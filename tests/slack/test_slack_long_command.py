"""A long command in one Slack channel never delays another: the real bot (`open_app`: store, pipeline,
conversation, Bolt app over HTTP), slash commands as signed requests, Slack's Web API the `FakeSlack`
stand-in.

The search is held inside the store's worker thread until `help` has answered in the other channel: were
the search run on the event loop (or the adapter answer one command at a time), `help` could not answer
before the hold ran out. The loop guard (tests/conftest.py) fails the test besides if any store call of
either command ran on the loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import aiohttp
import pytest

from bot.chat.slack import MAX_INPUT_CHARS
from bot.config import Config, parse_config
from bot.ingest.files import read_articles
from bot.service.app import open_app
from bot.service.handlers import search as search_handler
from bot.service.search import SearchHit, search
from bot.store import Store
from tests.conftest import free_port
from tests.slack.slack_fakes import BOT_TOKEN, SIGNING_SECRET, Call, FakeSlack, command_body, signed_headers

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def config_for(tmp_path: Path, fake_slack: FakeSlack) -> Config:
    return parse_config({
        "database": f"sqlite:///{tmp_path / 'bot.db'}",
        "outputs": {
            "console": {"enabled": False},
            "slack": {"enabled": True, "mode": "http", "host": "127.0.0.1", "port": free_port(),
                      "bot_token_env": "LONG_SLACK_BOT_TOKEN", "signing_secret_env": "LONG_SLACK_SIGNING_SECRET",
                      "api_url": fake_slack.api_url},
        },
        "channels": [{"output": "slack", "id": "C111", "language": "en"},
                     {"output": "slack", "id": "C222", "language": "en"},
                     {"output": "slack", "id": "C333", "language": "en"}],
    }, "test.yaml")


async def slash(config: Config, fake_slack: FakeSlack, text: str, channel: str) -> None:
    body = command_body(text, fake_slack.response_url(channel), channel=channel)
    url = f"http://{config.slack.host}:{config.slack.port}/slack/events"
    async with aiohttp.ClientSession() as session, \
            session.post(url, data=body.encode(), headers=signed_headers(body)) as resp:
        assert resp.status == 200  # the ack; the answer follows at the response_url


def shown(call: Call) -> str:
    return json.dumps({"text": call.args.get("text"), "blocks": call.args.get("blocks")}, ensure_ascii=False)


async def test_a_long_search_in_one_channel_does_not_hold_up_help_in_another(
        tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LONG_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("LONG_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    searching, released = threading.Event(), threading.Event()

    def held_search(store: Store, terms: str) -> list[SearchHit]:
        searching.set()
        released.wait(timeout=20)
        return search(store, terms)  # what the handler calls `find`

    monkeypatch.setattr(search_handler, "find", held_search)
    config = config_for(tmp_path, fake_slack)
    async with open_app(config, serve=True) as app:
        for article in await asyncio.to_thread(list, read_articles(SEEDS)):  # the seed article names Pompeo
            assert await app.store.run(app.pipeline.process, article)
        # The longest search the adapter takes (it refuses more than MAX_INPUT_CHARS, see below).
        terms = " ".join(["Pompeo"] * ((MAX_INPUT_CHARS - len("search ")) // len("Pompeo ")))
        await slash(config, fake_slack, f"search {terms}", "C111")
        assert await asyncio.to_thread(searching.wait, 10), "the search never started"

        await slash(config, fake_slack, "help", "C222")
        (helped,) = await fake_slack.wait_for("response", timeout=5)
        assert "latest" in shown(helped) and not released.is_set()

        # A 20,000-character search in a third channel is refused as too long, at once: not queued either.
        await slash(config, fake_slack, "search " + "Pompeo " * 2857, "C333")
        _, refused = await fake_slack.wait_for("response", 2, timeout=5)
        assert "20006 characters long" in shown(refused) and not released.is_set()

        released.set()
        *_, found = await fake_slack.wait_for("response", 3, timeout=30)
        assert "Pompeo" in shown(found) and "Search" in shown(found), shown(found)
