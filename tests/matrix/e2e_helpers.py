"""A person whose Matrix client encrypts (matrix-nio with its crypto store in a temporary folder).

Like `Human`, it collects what it syncs; encrypted events are decrypted by nio on the way in and kept
with `"encrypted": True` so tests can check that what the bot sent really was encrypted on the wire.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    MegolmEvent,
    MemoryDownloadResponse,
    RoomCreateResponse,
    RoomSendResponse,
    ShareGroupSessionResponse,
    SyncResponse,
)
from nio.api import Api
from nio.crypto.attachments import decrypt_attachment

from tests.matrix.matrix_helpers import Human
from tests.matrix.synapse_harness import Synapse, User


class CryptoHuman(Human):
    """A `Human` whose client encrypts; `wait_for` is Human's, over the decrypted events."""

    wait_timeout = 20.0  # key exchange makes the first messages slower

    def __init__(self, server: Synapse, user: User, store: Path) -> None:  # no super(): another client
        store.mkdir(parents=True, exist_ok=True)
        self.user = user
        self.client = AsyncClient(server.url, user.user_id, device_id=user.device_id, store_path=str(store),
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False))
        self.client.restore_login(user.user_id, user.device_id, user.access_token)
        self.events: list[dict[str, Any]] = []
        self.undecryptable: list[dict[str, Any]] = []

    async def sync(self, timeout_ms: int = 300) -> None:
        resp = await self.client.sync(timeout=timeout_ms)
        assert isinstance(resp, SyncResponse), resp
        await self.keys()
        for room_id, info in resp.rooms.join.items():
            for event in info.timeline.events:
                source = {**event.source, "room_id": room_id}
                if isinstance(event, MegolmEvent):
                    self.undecryptable.append(source)
                    continue
                if getattr(event, "decrypted", False):
                    source["encrypted"] = True
                self.events.append(source)

    async def keys(self) -> None:
        """What nio's sync_forever does between syncs, and trust on first use for every device."""
        c = self.client
        if c.should_upload_keys:
            await c.keys_upload()
        if c.should_query_keys:
            await c.keys_query()
        if c.should_claim_keys:
            await c.keys_claim(c.get_users_for_key_claiming())
        await c.send_to_device_messages()
        assert c.olm is not None
        for devices in c.olm.device_store.values():
            for device in devices.values():
                if not c.olm.is_device_verified(device):
                    c.verify_device(device)

    def seen(self) -> str:
        return f"{len(self.events)} events, {len(self.undecryptable)} undecryptable"

    async def create_encrypted_room(self, invite: tuple[str, ...]) -> str:
        resp = await self.client.room_create(
            name="secure " + secrets.token_hex(2), invite=invite,
            initial_state=[{"type": "m.room.encryption", "state_key": "",
                            "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])
        assert isinstance(resp, RoomCreateResponse), resp
        await self.sync(0)
        return str(resp.room_id)

    async def wait_member(self, room_id: str, user_id: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            resp = await self.client.joined_members(room_id)
            if user_id in [m.user_id for m in getattr(resp, "members", [])]:
                await self.sync(0)
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{user_id} did not join {room_id}")
            await asyncio.sleep(0.2)

    async def send_text(self, room_id: str, body: str, **extra: Any) -> str:
        await self.client.joined_members(room_id)
        await self.keys()
        resp = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": body, **extra},
                                           ignore_unverified_devices=True)
        assert isinstance(resp, RoomSendResponse), resp
        return str(resp.event_id)

    async def send_without_keys(self, room_id: str, body: str) -> tuple[str, Callable[[], Any]]:
        """Send an encrypted message whose room key is held back; the returned coroutine function
        delivers the key (as a delayed or lost to-device message would, or never)."""
        c = self.client
        await c.joined_members(room_id)
        await self.keys()
        missing = c.get_missing_sessions(room_id)
        if missing:
            await c.keys_claim(missing)
        assert c.olm is not None
        room = c.rooms[room_id]
        shares = list(c.olm.share_group_session_parallel(room_id, list(room.users), ignore_unverified_devices=True))
        c.olm.outbound_group_sessions[room_id].shared = True
        event_type, content = c.encrypt(room_id, "m.room.message", {"msgtype": "m.text", "body": body})
        method, path, data = Api.room_send(c.access_token, room_id, event_type, content, secrets.token_hex(8))
        resp = await c._send(RoomSendResponse, method, path, data, (room_id,))
        assert isinstance(resp, RoomSendResponse), resp
        del c.olm.outbound_group_sessions[room_id]  # later messages go out in a new, shared session

        async def deliver_key() -> None:
            for shared_with, to_device in shares:
                method, path, data = Api.to_device(c.access_token, "m.room.encrypted", to_device,
                                                   secrets.token_hex(8))
                await c._send(ShareGroupSessionResponse, method, path, data, response_data=(room_id, shared_with))

        return str(resp.event_id), deliver_key

    async def download_decrypted(self, file: dict[str, Any]) -> bytes:
        resp = await self.client.download(mxc=file["url"])
        assert isinstance(resp, MemoryDownloadResponse), resp
        return bytes(decrypt_attachment(resp.body, file["key"]["k"], file["hashes"]["sha256"], file["iv"]))

    async def close(self) -> None:
        await self.client.close()
