"""The whole bot (`open_app`: SQLite file, pipeline, /news engine, Matrix adapter) in an encrypted room.

Alice's client encrypts; the seed article's alerts must reach her encrypted and decrypt to the stored
casualty figures; `!news casualties` asked encrypted is answered encrypted; the crypto store sits beside
the database; `run --once`-style delivery (no sync loop) encrypts too.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config, parse_config
from bot.core.models import Casualty
from bot.service.app import App, open_app
from bot.service.scheduler import BotScheduler
from tests.conftest import SEEDS
from tests.matrix.e2e_helpers import CryptoHuman
from tests.matrix.matrix_helpers import uniq
from tests.matrix.synapse_harness import Synapse
from tests.matrix.test_matrix_e2e import write_update

pytestmark = pytest.mark.matrix

Event = dict[str, Any]


@pytest.fixture
async def alice(synapse: Synapse, tmp_path: Path) -> AsyncIterator[CryptoHuman]:
    human = CryptoHuman(synapse, synapse.register(uniq("alice")), tmp_path / "alice-store")
    await human.sync(0)
    yield human
    await human.close()


async def encrypted_setup(synapse: Synapse, alice: CryptoHuman, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> tuple[Config, str, str]:
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, articles)
    bot = synapse.register(uniq("newsbot"))
    monkeypatch.setenv("E2EE_MATRIX_PASSWORD", bot.password)
    room = await alice.create_encrypted_room(invite=(bot.user_id,))
    config = parse_config({
        "database": f"sqlite:///{tmp_path / 'data' / 'bot.db'}",
        "sources": [{"name": "seed", "type": "folder", "path": str(articles)}],
        "outputs": {
            "console": {"enabled": False},
            "matrix": {"enabled": True, "homeserver": synapse.url, "user_id": bot.user_id,
                       "access_token_env": "E2EE_MATRIX_TOKEN", "password_env": "E2EE_MATRIX_PASSWORD",
                       "rooms": [room], "admins": [alice.user.user_id]},
        },
        "channels": [{"output": "matrix", "id": room, "language": "en"}],
    }, "test.yaml")
    (tmp_path / "data").mkdir()
    return config, room, bot.user_id


async def deliver(app: App) -> int:
    scheduler = BotScheduler(app.config, app.store, app.adapters, app.pipeline)
    await scheduler.refresh_plans()
    await app.pipeline.ingest_all()
    return (await scheduler.deliver()).sent


def figures(app: App) -> set[int]:
    out: set[int] = set()
    for sa in app.store.alerts(types=["casualty"]):
        if isinstance(sa.alert, Casualty):
            out |= {n for n in (sa.alert.killed, sa.alert.wounded) if n is not None}
    assert out, "the extractor stored no casualty figure for the seed article"
    return out


def has_number(text: str, n: int) -> bool:
    return re.search(rf"(?<![\d.,]){n}(?![\d.,]?\d)", text) is not None


def from_bot(bot_id: str) -> Callable[[Event], bool]:
    return lambda e: e.get("sender") == bot_id and e.get("type") == "m.room.message"


async def test_alerts_and_a_command_in_an_encrypted_room(synapse: Synapse, alice: CryptoHuman, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config, room, bot_id = await encrypted_setup(synapse, alice, tmp_path, monkeypatch)
    async with open_app(config, serve=True) as app:
        await alice.wait_member(room, bot_id)
        assert list((tmp_path / "data" / "matrix-crypto").glob("*.db")), "no crypto store beside the database"
        sent = await deliver(app)
        assert sent > 0
        posted = await alice.wait_for(from_bot(bot_id), count=sent)
        assert all(e.get("encrypted") for e in posted)
        text = " ".join(e["content"].get("body", "") for e in posted)
        assert any(has_number(text, n) for n in figures(app)), text

        asked = await alice.send_text(room, "!news casualties")
        [answer] = await alice.wait_for(lambda e: from_bot(bot_id)(e) and (e["content"].get("m.relates_to") or {})
                                        .get("m.in_reply_to", {}).get("event_id") == asked)
        assert answer["encrypted"] is True
        missing = sorted(n for n in figures(app) if not has_number(answer["content"]["body"], n))
        assert not missing, answer["content"]["body"]

        # A later article moves the toll: the story's chart goes into the thread as an encrypted image.
        write_update(tmp_path / "articles")
        assert await deliver(app) > 0
        [chart] = await alice.wait_for(lambda e: from_bot(bot_id)(e) and e["content"].get("msgtype") == "m.image")
        assert chart["encrypted"] is True and "url" not in chart["content"]
        png = await alice.download_decrypted(chart["content"]["file"])
        assert png.startswith(b"\x89PNG") and chart["content"]["file"]["mimetype"] == "image/png"


async def test_delivery_without_the_sync_loop_encrypts_too(synapse: Synapse, alice: CryptoHuman, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`run --once` posts without ever syncing: the adapter must still know the room is encrypted."""
    config, room, bot_id = await encrypted_setup(synapse, alice, tmp_path, monkeypatch)
    async with open_app(config, serve=True):
        await alice.wait_member(room, bot_id)  # the bot joined (accepting the invite) once
    async with open_app(config) as app:  # a fresh process: nothing synced in it
        sent = await deliver(app)
        assert sent > 0
    posted = await alice.wait_for(from_bot(bot_id), count=sent)
    alerts = [e for e in posted if (e["content"].get("m.relates_to") or {}).get("rel_type") != "m.replace"]
    assert len(alerts) == sent and all(e.get("encrypted") for e in posted)  # (edits of the thread root aside)
