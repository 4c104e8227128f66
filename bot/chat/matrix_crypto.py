"""End-to-end encryption for the Matrix adapter, with matrix-nio's e2e extra (vodozemac underneath).

What this module adds to `MatrixAdapter` (which calls it from a few marked hooks):

- A crypto store on disk (`store_dir`, beside the database): nio's SQLite store of the Olm account,
  Olm and Megolm sessions and device trust, one file per device. The device id is written there too
  (`device.json`) so that a restart logs in as the same device; a device id remembered in the database
  is reused only when its keys are in this folder (another machine's device, or a lost folder, gets a
  new device rather than a second, different set of keys under the same id).
- After login and after each sync: upload our keys, query changed devices, send queued to-device
  messages (key shares, key requests), then apply the trust policy to the devices of members of
  encrypted rooms.
- Trust policy: `tofu` trusts every device the first time it is seen and logs a warning when a user the
  bot already knew shows a new one; `verified` shares room keys only with the devices listed in
  `trusted_devices` (user, device id, Ed25519 fingerprint), blacklists the others and does not answer
  commands sent from them.
- Events that cannot be decrypted yet: the key is requested (from our other devices and from the
  sender's device); each sync retries them, so a key that arrives later makes the command answered then,
  once (the event id goes through the adapter's seen-set like any other). A command still unreadable
  after `notice_after_s` gets one plain notice in the room (one per sender session). Pending events are
  kept in the state store, so a restart keeps waiting for their keys.
- Attachments in encrypted rooms are encrypted (AES-CTR, `encrypt_attachment`) before upload; the event
  carries `file` (key, iv, hashes) instead of `url`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from nio import (
    AsyncClient,
    EncryptionError,
    LocalProtocolError,
    MegolmEvent,
    RoomGetStateEventResponse,
)
from nio.crypto.attachments import encrypt_attachment
from nio.store import DefaultStore

from bot.chat.base import StateStore
from bot.core.i18n import t

log = logging.getLogger(__name__)

Trust = Literal["tofu", "verified"]
SendNotice = Callable[[str, dict[str, Any]], Awaitable[Any]]

# The homeserver's 65,536-byte limit applies to the encrypted event, and Megolm ciphertext is the base64
# of the padded plaintext plus MAC and signature: about 4/3 of it. Content is kept under this in
# encrypted rooms (60,000 in clear ones).
ENCRYPTED_CONTENT_BYTES = 45_000

MAX_PENDING = 50  # undecryptable events kept waiting for their keys (in the state store)
# A command is at most a few thousand characters: a longer ciphertext is no command, not worth keeping.
MAX_PENDING_CIPHERTEXT = 16_000
PENDING_MAX_AGE_S = 24 * 3600.0  # after a day the sender's keys are not coming


@dataclass(frozen=True, slots=True)
class CryptoSettings:
    store_dir: Path
    trust: Trust = "tofu"
    # (user id, device id, Ed25519 fingerprint) the operator checked; what `verified` trusts
    trusted_devices: frozenset[tuple[str, str, str]] = frozenset()
    notice_after_s: float = 60.0
    pickle_key: str = ""  # encrypts the secrets inside the store; "" keeps nio's default


def store_dir_for(database_url: str, data_dir: str = "data") -> Path:
    """The crypto store's folder: beside a SQLite database file, else under the data folder."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and database_url[len(prefix):] not in ("", ":memory:"):
        return Path(database_url[len(prefix):]).parent / "matrix-crypto"
    return Path(data_dir) / "matrix-crypto"


def crypto_settings(database_url: str, trust: str, trusted_devices: tuple[str, ...],
                    pickle_key: str | None = None) -> CryptoSettings:
    """The settings `open_app` gives the adapter: store beside the database, policy from the config."""
    return CryptoSettings(store_dir=store_dir_for(database_url),
                          trust="verified" if trust == "verified" else "tofu",
                          trusted_devices=parse_trusted(trusted_devices), pickle_key=pickle_key or "")


def parse_trusted(entries: tuple[str, ...] | list[str]) -> frozenset[tuple[str, str, str]]:
    """`"@alice:example.org DEVICEID fingerprint"` lines (the fingerprint as Element shows it, spaces allowed)."""
    out: set[tuple[str, str, str]] = set()
    for entry in entries:
        parts = entry.split()
        if len(parts) < 3:
            raise ValueError(f"trusted device {entry!r}: expected 'user_id device_id fingerprint'")
        out.add((parts[0], parts[1], "".join(parts[2:])))
    return frozenset(out)


@dataclass
class _Pending:
    room_id: str
    source: dict[str, Any]
    first_seen: float
    noticed: bool = False
    requested: bool = False


@dataclass
class MatrixCrypto:
    """The adapter's encryption state; one per adapter (one device)."""

    settings: CryptoSettings
    user_id: str
    state: StateStore
    lang: str = "en"  # the notices' language (the adapter's)
    _pending: dict[str, _Pending] = field(default_factory=dict)  # event id -> waiting for its key
    _noticed_sessions: set[tuple[str, str]] = field(default_factory=set)
    _known_users: set[str] = field(default_factory=set)
    _encrypted: dict[str, bool] = field(default_factory=dict)
    _loaded: bool = False
    _lock: IO[bytes] | None = None

    # --- store and device --------------------------------------------------------------------

    @property
    def store_path(self) -> str:
        return str(self.settings.store_dir)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for `AsyncClientConfig` that turn encryption on."""
        options: dict[str, Any] = {"encryption_enabled": True, "store": DefaultStore}
        if self.settings.pickle_key:
            options["pickle_key"] = self.settings.pickle_key
        return options

    def _device_file(self) -> Path:
        safe = self.user_id.replace("/", "_")
        return self.settings.store_dir / f"{safe}.device.json"

    def _store_file(self, device_id: str) -> Path:
        return self.settings.store_dir / f"{self.user_id}_{device_id}.db"  # nio's DefaultStore name

    def device_id(self, remembered: str | None) -> str | None:
        """The device to log in as: ours from the store folder, else `remembered` if its keys are here."""
        self.settings.store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(self._device_file().read_text())
            if isinstance(data.get("device_id"), str):
                return str(data["device_id"])
        if remembered and self._store_file(remembered).exists():
            return remembered
        if remembered:
            log.warning("Matrix device %s has no keys in %s: logging in as a new device",
                        remembered, self.store_path)
        return None

    def remember_device(self, device_id: str) -> None:
        path = self._device_file()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"user_id": self.user_id, "device_id": device_id}))
        os.replace(tmp, path)

    # --- after login / after each sync -------------------------------------------------------

    def lock(self) -> None:
        """Hold the store folder for this process: two processes on one Olm device would each advance
        their own copy of its ratchets and one-time keys, and both would end up unreadable."""
        if self._lock is not None:
            return
        self.settings.store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(self.settings.store_dir / f"{self.user_id.replace('/', '_')}.lock", "ab")  # noqa: SIM115
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise RuntimeError(f"the Matrix crypto store {self.store_path} is in use by another process "
                               "(one replica speaks in Matrix; see the README)") from None
        self._lock = handle

    def close(self) -> None:
        """Release the store folder (the adapter stopped)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    async def prepare(self, client: AsyncClient) -> None:
        """After login: the store is loaded by nio; publish our keys and learn the others'."""
        if client.olm is None:
            raise RuntimeError("Matrix encryption: the crypto store did not load (no device id?)")
        # Files and the state store are blocking I/O: off the event loop (the state in the store's threads).
        if client.device_id:
            await asyncio.to_thread(self.remember_device, client.device_id)
        if not self._loaded:
            await self.state.run(self._load_pending)
            self._loaded = True
            # What people compare in Element (the bot's session list) to know they talk to this device.
            log.info("Matrix encryption: device %s, fingerprint %s, trust %s", client.device_id,
                     client.olm.account.identity_keys["ed25519"], self.settings.trust)
        await self.maintain(client)

    async def maintain(self, client: AsyncClient) -> None:
        """Keys up, devices queried, to-device messages out, trust applied. Called after every sync."""
        if client.olm is None:
            return
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()
        self.apply_trust(client)

    def apply_trust(self, client: AsyncClient) -> None:
        """Give every device of our rooms' members the trust state the policy says, so that room keys
        go only there (nio refuses to share with a device left undecided). Declarative: a device added
        to or removed from `trusted_devices`, or a change of policy, takes effect at the next start."""
        olm = client.olm
        if olm is None:
            return
        for user_id, devices in olm.device_store.items():
            known = user_id in self._known_users or any(olm.is_device_verified(d) for d in devices.values())
            for device in devices.values():
                if device.deleted or (user_id == self.user_id and device.id == client.device_id):
                    continue
                verified, blacklisted = olm.is_device_verified(device), olm.is_device_blacklisted(device)
                if self.settings.trust == "verified":
                    if (user_id, device.id, device.ed25519) in self.settings.trusted_devices:
                        if not verified:
                            client.unblacklist_device(device)
                            client.verify_device(device)
                    elif not blacklisted:
                        log.warning("Matrix: device %s of %s is not in trusted_devices (fingerprint %s): "
                                    "it gets no room keys", device.id, user_id, device.ed25519)
                        client.unverify_device(device)
                        client.blacklist_device(device)
                    continue
                if verified:
                    continue
                if known and not blacklisted:
                    log.warning("Matrix: %s has a new device %s (fingerprint %s); trusted on first use",
                                user_id, device.id, device.ed25519)
                client.unblacklist_device(device)  # left by an earlier `verified` policy
                client.verify_device(device)
            self._known_users.add(user_id)

    def trusts_sender(self, source: dict[str, Any], verified: bool) -> bool:
        """`verified` policy: answer only what a trusted device sent (nio tells whether it was)."""
        return self.settings.trust != "verified" or verified

    # --- rooms and sending -------------------------------------------------------------------

    async def is_encrypted(self, client: AsyncClient, room_id: str) -> bool:
        """Whether `room_id` is encrypted; asked of the homeserver when this process has not synced it.
        Once encrypted, a room stays so (the spec forbids turning it off)."""
        if room_id in client.encrypted_rooms or self._encrypted.get(room_id):
            return True
        room = client.rooms.get(room_id)
        if room is not None and room.encrypted:
            return True
        if room_id in self._encrypted:
            return self._encrypted[room_id]
        resp = await client.room_get_state_event(room_id, "m.room.encryption")
        # nio turns only a 404 into an error here; other refusals come back as "content" with an errcode.
        content = getattr(resp, "content", None)
        code = getattr(resp, "status_code", None) or (content.get("errcode") if isinstance(content, dict) else None)
        if isinstance(resp, RoomGetStateEventResponse) and code is None:
            self._encrypted[room_id] = bool(content)
            return self._encrypted[room_id]
        if code == "M_NOT_FOUND":  # no such state event: a clear room
            self._encrypted[room_id] = False
            return False
        if code == "M_FORBIDDEN":  # not in the room: the send that follows is refused anyway
            return False
        # Anything else (a server error) must not make us post in clear text in an encrypted room.
        raise RuntimeError(f"cannot tell whether {room_id} is encrypted: {resp}")

    async def ensure_room(self, client: AsyncClient, room_id: str) -> None:
        """nio sends only to rooms it knows: make one for a room this process has not synced yet."""
        from nio.rooms import MatrixRoom

        encrypted = await self.is_encrypted(client, room_id)
        if room_id not in client.rooms:
            client.rooms[room_id] = MatrixRoom(room_id, self.user_id, encrypted)
        room = client.rooms[room_id]
        if encrypted and not room.encrypted:
            room.encrypted = True
        if encrypted:
            client.encrypted_rooms.add(room_id)
            if not room.members_synced:
                await client.joined_members(room_id)
            if client.should_query_keys:
                await client.keys_query()
            self.apply_trust(client)

    async def room_send(self, client: AsyncClient, room_id: str, event_type: str, content: dict[str, Any],
                        tx_id: str) -> Any:
        """Send through nio, which encrypts in an encrypted room (keys shared per the trust policy)."""
        await self.ensure_room(client, room_id)
        return await client.room_send(room_id, event_type, content, tx_id=tx_id,
                                      ignore_unverified_devices=self.settings.trust == "tofu")

    @staticmethod
    def encrypt_file(data: bytes) -> tuple[bytes, dict[str, Any]]:
        """Ciphertext to upload, and the `file` object (without its `url`) that decrypts it."""
        ciphertext, keys = encrypt_attachment(data)
        return ciphertext, {"key": keys["key"], "iv": keys["iv"], "hashes": keys["hashes"], "v": "v2"}

    # --- undecryptable events ----------------------------------------------------------------

    def _pending_key(self) -> str:
        return f"matrix:{self.user_id}:undecrypted"

    def _load_pending(self) -> None:
        raw = self.state.get_state(self._pending_key())
        with contextlib.suppress(ValueError, TypeError, KeyError):
            for item in json.loads(raw or "[]"):
                self._pending[item["source"]["event_id"]] = _Pending(
                    item["room_id"], item["source"], float(item["first_seen"]), bool(item.get("noticed")))

    async def _save_pending(self) -> None:
        items = [{"room_id": p.room_id, "source": p.source, "first_seen": p.first_seen, "noticed": p.noticed}
                 for p in self._pending.values()]
        await self.state.run(self.state.set_state, self._pending_key(), json.dumps(items))

    async def undecryptable(self, room_id: str, event: MegolmEvent) -> None:
        """Keep an event we could not decrypt; its key is requested at the next `retry`."""
        event_id = event.event_id
        if event_id in self._pending or event.sender == self.user_id:
            return
        if len(event.ciphertext or "") > MAX_PENDING_CIPHERTEXT:
            log.info("Matrix: cannot decrypt %s in %s (too long for a command); not waiting for its key",
                     event_id, room_id)
            return
        log.info("Matrix: cannot decrypt %s in %s yet (session %s); key requested", event_id, room_id,
                 event.session_id)
        self._pending[event_id] = _Pending(room_id, dict(event.source), time.time())
        while len(self._pending) > MAX_PENDING:
            self._pending.pop(next(iter(self._pending)))
        await self._save_pending()

    async def retry(self, client: AsyncClient, send_notice: SendNotice,
                    now: float | None = None) -> list[tuple[str, dict[str, Any], bool]]:
        """Pending events that decrypt now (room id, decrypted source, sent by a verified device);
        key requests for new ones; one notice for those that stay unreadable too long."""
        if not self._pending or client.olm is None:
            return []
        now = time.time() if now is None else now
        ready: list[tuple[str, dict[str, Any], bool]] = []
        changed = False
        for event_id, item in list(self._pending.items()):
            source = {**item.source, "room_id": item.room_id}
            event = MegolmEvent.from_dict(source)
            if not isinstance(event, MegolmEvent):
                self._pending.pop(event_id)
                changed = True
                continue
            event.room_id = item.room_id
            try:
                decrypted = client.decrypt_event(event)
            except EncryptionError:
                decrypted = None
            if decrypted is not None and getattr(decrypted, "source", None):
                self._pending.pop(event_id)
                changed = True
                src = dict(decrypted.source)
                ready.append((item.room_id, src, bool(getattr(decrypted, "verified", False))))
                continue
            if not item.requested:
                item.requested = True
                await self._request_key(client, event)
            if now - item.first_seen > PENDING_MAX_AGE_S:
                self._pending.pop(event_id)
                changed = True
            elif not item.noticed and now - item.first_seen >= self.settings.notice_after_s:
                item.noticed = changed = True
                session = (item.room_id, str(event.session_id))
                if session not in self._noticed_sessions:
                    self._noticed_sessions.add(session)
                    await send_notice(item.room_id, self.unreadable_notice(event, self.lang))
        if changed:
            await self._save_pending()
        return ready

    async def _request_key(self, client: AsyncClient, event: MegolmEvent) -> None:
        """Ask our other devices (nio's request) and the sender's device (which re-shares a key it
        meant us to have) for the event's Megolm session."""
        with contextlib.suppress(LocalProtocolError):  # already requested for this session
            await client.request_room_key(event)
        if client.device_id and event.device_id and event.sender != self.user_id:
            to_sender = event.as_key_request(event.sender, client.device_id, device_id=event.device_id)
            with contextlib.suppress(Exception):
                await client.to_device(to_sender)

    @staticmethod
    def unreadable_notice(event: MegolmEvent, lang: str = "en") -> dict[str, Any]:
        """A plain notice (no HTML, no mention) replying to the unreadable event."""
        body = t(lang, "e2e_unreadable")  # the language pack's words (English where a pack lacks them)
        return {"msgtype": "m.notice", "body": body, "m.mentions": {},
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}}}
