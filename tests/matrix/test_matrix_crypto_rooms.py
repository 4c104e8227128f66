"""Whether a room is encrypted, asked of the homeserver when the process has not synced it (`run --once`).

A local stand-in answers the one state request, so that the answers a real Synapse rarely gives (a server
error) can be checked: only a definite "no encryption state" lets the bot post in clear text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from nio import AsyncClient, AsyncClientConfig

from bot.chat.matrix_crypto import CryptoSettings, MatrixCrypto

ANSWERS = {
    "!clear:hs": (404, {"errcode": "M_NOT_FOUND", "error": "no state"}),
    "!secret:hs": (200, {"algorithm": "m.megolm.v1.aes-sha2"}),
    "!broken:hs": (500, {"errcode": "M_UNKNOWN", "error": "database is down"}),
    "!closed:hs": (403, {"errcode": "M_FORBIDDEN", "error": "not in room"}),
}


@pytest.fixture
async def homeserver() -> AsyncIterator[str]:
    asked: list[str] = []

    async def state(request: web.Request) -> web.Response:
        asked.append(request.match_info["room"])
        status, body = ANSWERS[request.match_info["room"]]
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_get("/_matrix/client/v3/rooms/{room}/state/m.room.encryption/", state)
    app.router.add_get("/_matrix/client/v3/rooms/{room}/state/m.room.encryption", state)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_only_a_definite_answer_lets_the_bot_post_in_clear(homeserver: str, tmp_path: Path) -> None:
    client = AsyncClient(homeserver, "@bot:hs", config=AsyncClientConfig(max_timeouts=0, max_limit_exceeded=0))
    client.restore_login("@bot:hs", "DEVICE", "token")  # no store path: no crypto needed for the question
    crypto = MatrixCrypto(CryptoSettings(store_dir=tmp_path), "@bot:hs", state=None)  # type: ignore[arg-type]
    try:
        assert await crypto.is_encrypted(client, "!secret:hs") is True
        assert await crypto.is_encrypted(client, "!clear:hs") is False
        assert await crypto.is_encrypted(client, "!closed:hs") is False  # the send is refused anyway
        with pytest.raises(RuntimeError, match="cannot tell whether !broken:hs is encrypted"):
            await crypto.is_encrypted(client, "!broken:hs")
    finally:
        await client.close()


def test_a_remembered_device_is_reused_only_where_its_keys_are(tmp_path: Path) -> None:
    """The database (shared by replicas) remembers a device id; a machine without that device's keys logs
    in as a new device rather than publishing a second set of keys under the same id."""
    here = MatrixCrypto(CryptoSettings(store_dir=tmp_path / "a"), "@bot:hs", state=None)  # type: ignore[arg-type]
    assert here.device_id(None) is None  # first start: the homeserver names the device
    (tmp_path / "a" / "@bot:hs_DEVA.db").write_bytes(b"")  # nio's store for that device
    assert here.device_id("DEVA") == "DEVA"
    here.remember_device("DEVA")
    assert here.device_id("DEVB") == "DEVA"  # the database says another replica's device: ours stays ours

    elsewhere = MatrixCrypto(CryptoSettings(store_dir=tmp_path / "b"), "@bot:hs", state=None)  # type: ignore[arg-type]
    assert elsewhere.device_id("DEVA") is None
