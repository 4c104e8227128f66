"""Matrix adapter (matrix-nio `AsyncClient`), unencrypted rooms only.

- Logs in with an access token or a password (the device id is kept in the state store so that
  password logins reuse one device instead of creating a new one at each start).
- Joins the configured rooms; accepts invites only from allowed inviters / admins (or to a
  configured room id), rejects the others.
- Keeps the sync `next_batch` token in the `StateStore` under `matrix:<user_id>:next_batch`,
  written only after a batch's events were handled: after a restart nothing already handled is
  answered again and nothing sent while the bot was down is missed. The next sync does not wait
  for a batch to be answered (a long command in one room never delays another room's): batches are
  answered side by side, each room's events in order, and the token saved is that of the last batch
  answered in full with all those before it (`bot.chat.matrix_batches`) (a "limited" timeline is
  back-filled with /messages down to the stored token, up to `max_backfill` events a room). On the
  very first start an initial sync marks the present; history is ignored,
  and so is the history shown when the bot joins a room later.
- `!news …` -> `Conversation.command`, answered as a reply (kept in the thread when asked in one);
  a message in a thread whose root the bot sent, or that mentions the bot -> `Conversation.follow_up`.
- Sends go through `send_with_retry`: on `M_LIMIT_EXCEEDED` it waits `retry_after_ms` and retries
  (bounded), with the same transaction id so a retried send is never posted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import mimetypes
import re
import struct
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinResponse,
    LoginResponse,
    MegolmEvent,  # [e2e]
    MessageDirection,
    RoomGetEventResponse,
    RoomGetStateEventResponse,
    RoomMessagesResponse,
    RoomResolveAliasResponse,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
    WhoamiResponse,
)

from bot.chat.base import ChatContext, ChatError, Conversation, HandledLog, Posted, StateStore
from bot.chat.matrix_batches import Batch, Batches
from bot.chat.matrix_crypto import ENCRYPTED_CONTENT_BYTES, CryptoSettings, MatrixCrypto  # [e2e]
from bot.chat.matrix_limits import MAX_CONTENT_BYTES, content_size, fitted
from bot.chat.matrix_render import edit_content, message_content, neutralize
from bot.core.i18n import t
from bot.core.models import Line, Message

log = logging.getLogger(__name__)

T = TypeVar("T")

RATE_LIMITED = "M_LIMIT_EXCEEDED"
# Errors that trying again cannot fix: the room is gone or closed to us, the token revoked, the event refused.
PERMANENT_ERRCODES = frozenset({
    "M_FORBIDDEN", "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_NOT_FOUND", "M_USER_DEACTIVATED",
    "M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM", "M_UNSUPPORTED_ROOM_VERSION",
})
# Of those, the ones that make the whole room (or account) unusable, not just one event.
CHANNEL_ERRCODES = frozenset({"M_FORBIDDEN", "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_NOT_FOUND",
                              "M_USER_DEACTIVATED"})
# A command or question longer than this is not a command: it is answered with a short refusal and
# never handed on (the answer would quote it and could not be sent).
MAX_INPUT_CHARS = 2_000


def sync_filter(timeline_limit: int) -> dict[str, Any]:
    """Only rooms' timelines and state: no presence, typing, receipts or account data."""
    return {
        "presence": {"types": []},
        "account_data": {"types": []},
        "room": {
            "timeline": {"limit": timeline_limit},
            "state": {"lazy_load_members": True},
            "ephemeral": {"types": []},
            "account_data": {"types": []},
        },
    }
# Room versions where the creator is an ordinary user with a power level (v12 made creators special).
LEGACY_ROOM_VERSIONS = frozenset(str(v) for v in range(1, 12))


class MatrixError(ChatError):
    """A Matrix request failed for good (after retries where they make sense).

    Permanent when the homeserver's errcode says trying again cannot help (see PERMANENT_ERRCODES).
    """

    def __init__(self, reason: str, errcode: str | None = None) -> None:
        super().__init__(reason, permanent=errcode in PERMANENT_ERRCODES,
                         channel_wide=errcode in CHANNEL_ERRCODES)
        self.errcode = errcode
        if errcode:  # what an admin reads in /healthz: the homeserver's own code, the same for every send
            self.reason = errcode


async def send_with_retry(
    call: Callable[[], Awaitable[T]],
    *,
    what: str = "matrix request",
    attempts: int = 5,
    max_wait_s: float = 30.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> T:
    """Run `call` until it gives a non-error response; at most `attempts` tries.

    A rate-limited answer (`M_LIMIT_EXCEEDED`, as an nio `ErrorResponse` or as an exception carrying
    `status_code`/`retry_after_ms`) waits `retry_after_ms` (1 s if absent, capped at `max_wait_s`);
    connection errors, timeouts and other error responses (5xx) back off exponentially. A permanent
    error (PERMANENT_ERRCODES) raises `MatrixError` at once. `call` must be safe to repeat (room sends
    reuse their transaction id).
    """
    last: object = None
    for attempt in range(1, attempts + 1):
        wait: float
        try:
            result = await call()
        except (aiohttp.ClientError, TimeoutError) as exc:
            last, wait = exc, min(0.5 * 2 ** (attempt - 1), max_wait_s)
        except Exception as exc:
            if getattr(exc, "status_code", None) != RATE_LIMITED:
                raise
            last, wait = exc, _retry_after(getattr(exc, "retry_after_ms", None), max_wait_s)
        else:
            if not isinstance(result, ErrorResponse):
                return result
            if result.status_code in PERMANENT_ERRCODES:
                raise MatrixError(f"{what} failed: {result}", result.status_code)
            if result.status_code == RATE_LIMITED:
                last, wait = result, _retry_after(result.retry_after_ms, max_wait_s)
            else:  # a 5xx, a proxy's error page: the server may be back in a moment
                last, wait = result, min(0.5 * 2 ** (attempt - 1), max_wait_s)
        if attempt < attempts:
            log.warning("%s: %s; retrying in %.1fs (attempt %d/%d)", what, last, wait, attempt, attempts)
            await sleep(wait)
    raise MatrixError(f"{what} failed after {attempts} attempts: {last}",
                      getattr(last, "status_code", None) if isinstance(last, ErrorResponse) else None)


def _retry_after(ms: object, cap: float) -> float:
    seconds = ms / 1000 if isinstance(ms, int | float) and ms > 0 else 1.0
    return float(min(seconds, cap))


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    return None


def strip_reply_fallback(body: str) -> str:
    """Drop the `> <@user> quoted…` lines that older clients put before a reply's own text."""
    lines = body.split("\n")
    if not lines or not lines[0].startswith("> "):
        return body
    i = 0
    while i < len(lines) and lines[i].startswith(">"):
        i += 1
    return "\n".join(lines[i:]).lstrip("\n")


class MatrixAdapter:
    """`ChatAdapter` for Matrix; `start()` runs the sync loop as a task on the current event loop."""

    name = "matrix"
    shows_images = True

    def __init__(
        self,
        *,
        homeserver: str,
        user_id: str,
        conversation: Conversation,
        state: StateStore,
        access_token: str | None = None,
        password: str | None = None,
        device_name: str = "newsbot",
        rooms: Iterable[str] = (),
        command_prefix: str = "!news",
        allowed_inviters: Iterable[str] = (),
        admin_user_ids: Iterable[str] = (),
        admin_power_level: int = 50,
        msgtype: str = "m.text",
        lang: str = "en",
        sync_timeout_ms: int = 30_000,
        send_attempts: int = 5,
        max_retry_wait_s: float = 30.0,
        timeline_limit: int = 50,
        max_backfill: int = 500,
        answer_attempts: int = 5,
        crypto: CryptoSettings | None = None,  # [e2e] None: no encryption
    ) -> None:
        if not access_token and not password:
            raise ValueError("MatrixAdapter needs an access_token or a password")
        self.homeserver = homeserver.rstrip("/")
        self.user_id = user_id
        self.conversation = conversation
        self.state = state
        self._access_token = access_token
        self._password = password
        self.device_name = device_name
        self.rooms = tuple(rooms)
        self.command_prefix = command_prefix
        self.admin_user_ids = frozenset(admin_user_ids)
        self.allowed_inviters = frozenset(allowed_inviters) | self.admin_user_ids
        self.admin_power_level = admin_power_level
        self.msgtype = msgtype
        self.lang = lang
        self.sync_timeout_ms = sync_timeout_ms
        self.send_attempts = send_attempts
        self.max_retry_wait_s = max_retry_wait_s
        self.timeline_limit = timeline_limit
        self.max_backfill = max_backfill

        # [e2e] with encryption, the device and its keys live in the crypto store folder
        self.crypto = MatrixCrypto(crypto, user_id, state, lang) if crypto else None
        # The device id comes from the state store, read in `start` (not on the event loop, not here).
        self.client = AsyncClient(
            self.homeserver,
            user_id,
            store_path=self.crypto.store_path if self.crypto else "",
            config=AsyncClientConfig(
                max_limit_exceeded=0,  # rate limits come back to send_with_retry, which bounds them
                max_timeouts=0,
                store_sync_tokens=False,
                request_timeout=30,
                **(self.crypto.client_options() if self.crypto else {"encryption_enabled": False}),
            ),
        )
        self._next_batch: str | None = None  # the token saved
        self._since: str | None = None  # where the next sync starts (ahead of the saved token)
        self._batches = Batches()
        self._batch_tasks: set[asyncio.Task[None]] = set()
        self._room_locks: dict[str, asyncio.Lock] = {}  # a room's events are answered in order
        self._crypto_lock = asyncio.Lock()  # [e2e]
        self._save_lock = asyncio.Lock()
        self._to_save: str | None = None  # the latest token the batches allow saving
        self._rewound = False  # a batch is synced again: the sync in flight is dropped
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._aliases: dict[str, str] = {}
        self._own_events: OrderedDict[str, bool] = OrderedDict()  # event id -> sent by the bot
        self._handled: OrderedDict[str, None] = OrderedDict()
        self._displayname: str | None = None
        self._creators: dict[str, frozenset[str]] = {}
        self._warned_encrypted: set[str] = set()
        self._answered = HandledLog(state, f"matrix:{user_id}")
        self.answer_attempts = answer_attempts
        self._failed_answers: dict[str, int] = {}  # event id -> transient failures of its answer

    # --- lifecycle ---------------------------------------------------------------------------

    def _key(self, what: str) -> str:
        return f"matrix:{self.user_id}:{what}"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Log in, join rooms, mark the sync position, then sync in a background task."""
        if self._task is not None:
            return
        self._stopping = False
        try:
            if not self.client.logged_in:
                # The device logged in before (its keys are in the crypto store folder): the same again.
                remembered = await self.state.run(self.state.get_state, self._key("device_id"))
                self.client.device_id = (await asyncio.to_thread(self.crypto.device_id, remembered)
                                         if self.crypto else remembered)
            await self._ensure_login()
            self._next_batch = await self.state.run(self.state.get_state, self._key("next_batch"))
            if self._next_batch is None:
                # First start ever: the present is our starting point; only pending invites matter.
                resp = await self._sync_once(timeout_ms=0, sync_filter=sync_filter(1), since=None)
                await self._handle_invites(resp)
                await self._save_batch(resp.next_batch)
            self._since, self._rewound, self._batches = self._next_batch, False, Batches()
            for room in self.rooms:
                try:
                    await self._join(room)
                except MatrixError as exc:
                    log.error("cannot join %s: %s", room, exc)
        except BaseException:
            await self.client.close()
            if self.crypto:  # [e2e]
                self.crypto.close()
            raise
        self._task = asyncio.create_task(self._sync_loop(), name=f"matrix-sync {self.user_id}")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop syncing: a pending sync is cancelled, the batches being answered are finished (up to
        `timeout` s; the rest of their events are answered after the next start)."""
        self._stopping = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._batch_tasks:
            _, late = await asyncio.wait(set(self._batch_tasks), timeout=timeout)
            for batch_task in late:
                batch_task.cancel()
            if late:
                await asyncio.wait(late, timeout=5)
        await self.client.close()
        if self.crypto:  # [e2e]
            self.crypto.close()

    async def _ensure_login(self) -> None:
        if not self.client.logged_in:
            await self._login()

    async def _login(self) -> None:
        if self.crypto:  # [e2e] one process per device: refuse before touching its keys
            self.crypto.lock()
        if self._access_token:
            self.client.access_token = self._access_token
            who = await send_with_retry(self.client.whoami, what="whoami", attempts=self.send_attempts)
            if not isinstance(who, WhoamiResponse):
                raise MatrixError(f"whoami failed: {who}")
            if who.user_id != self.user_id:
                raise MatrixError(f"access token belongs to {who.user_id}, not {self.user_id}")
            self.client.restore_login(self.user_id, who.device_id or "", self._access_token)
        else:
            assert self._password is not None

            async def login() -> Any:
                return await self.client.login(self._password, device_name=self.device_name)

            resp = await send_with_retry(login, what="login", attempts=self.send_attempts)
            if not isinstance(resp, LoginResponse):
                raise MatrixError(f"login failed: {resp}")
            if resp.device_id:
                await self.state.run(self.state.set_state, self._key("device_id"), resp.device_id)
        if self.crypto:  # [e2e] keys up, devices known, trust applied
            await self.crypto.prepare(self.client)
        with contextlib.suppress(Exception):
            name = await self.client.get_displayname(self.user_id)
            self._displayname = getattr(name, "displayname", None)

    async def _save_batch(self, token: str) -> None:
        self._next_batch = token
        await self.state.run(self.state.set_state, self._key("next_batch"), token)

    # --- sync --------------------------------------------------------------------------------

    async def _sync_once(self, timeout_ms: int, sync_filter: dict[str, Any], since: str | None) -> SyncResponse:
        async def call() -> Any:
            return await self.client.sync(timeout=timeout_ms, sync_filter=sync_filter, since=since)

        resp = await send_with_retry(call, what="sync", attempts=self.send_attempts,
                                     max_wait_s=self.max_retry_wait_s)
        if not isinstance(resp, SyncResponse):
            raise MatrixError(f"sync failed: {resp}")
        return resp

    async def _sync_loop(self) -> None:
        backoff = 1.0
        while not self._stopping:
            try:
                if self._rewound:
                    # An answer could not be sent (rate limit, 5xx): its batch is synced again after a
                    # pause; what was answered is skipped (the answered-event log), the rest retried.
                    self._rewound = False
                    raise MatrixError("an answer could not be sent; its batch is synced again")
                since = self._since
                assert since is not None  # start() saved a token first
                resp = await self._sync_once(self.sync_timeout_ms, sync_filter(self.timeline_limit), since)
                await self._handle_invites(resp)
                if self.crypto:  # [e2e]
                    await self.crypto.maintain(self.client)
                if self._rewound or self._stopping:
                    continue  # synced from a batch that is to be synced again: dropped
                self._since = resp.next_batch
                batch = self._batches.open(since, resp.next_batch)
                # Answered beside the next syncs: a long command holds up its own room, not the others.
                task = asyncio.create_task(self._answer_batch(resp, batch), name=f"matrix-batch {since}")
                self._batch_tasks.add(task)
                task.add_done_callback(self._batch_tasks.discard)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if "M_UNKNOWN_TOKEN" in str(exc):
                    log.error("Matrix access token rejected; sync stopped: %s", exc)
                    return
                log.warning("Matrix sync failed (%s); retrying in %.0fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 60.0)
                continue
            backoff = 1.0

    async def _answer_batch(self, resp: SyncResponse, batch: Batch) -> None:
        """Answer what one sync brought; then save the token it allows (see `bot.chat.matrix_batches`)."""
        try:
            await asyncio.gather(*(self._handle_room(room_id, info, batch)
                                   for room_id, info in resp.rooms.join.items()))
            if self.crypto and not self._stopping:  # [e2e] events whose keys arrived since; notices for the rest
                async with self._crypto_lock:
                    retried = await self.crypto.retry(self.client, self.send_event)
                for room_id, src, verified in retried:
                    if self.crypto.trusts_sender(src, verified):
                        async with self._room_lock(room_id):
                            await self._handle_event(room_id, src)
        except asyncio.CancelledError:
            batch.cut = True
            raise
        except Exception as exc:
            log.warning("a Matrix batch failed (%s); it is synced again", exc)
            batch.unanswered = True
        finally:
            settled = self._batches.close(batch)
            if settled.rewind is not None:
                self._since, self._rewound = settled.rewind, True
            if settled.save is not None:
                await self._save_settled(settled.save)

    async def _save_settled(self, token: str) -> None:
        self._to_save = token
        async with self._save_lock:  # saves in order: a later token is never overwritten by an earlier one
            if self._to_save != self._next_batch:
                await self._save_batch(self._to_save)

    def _room_lock(self, room_id: str) -> asyncio.Lock:
        return self._room_locks.setdefault(room_id, asyncio.Lock())

    async def _backfill(self, room_id: str, prev_batch: str, since: str) -> list[Any]:
        """The events a limited timeline left out, from `since` up to `prev_batch`, oldest first."""
        events: list[Any] = []
        token = prev_batch
        while len(events) < self.max_backfill:
            async def page(start: str = token) -> Any:
                return await self.client.room_messages(room_id, start=start, end=since,
                                                       direction=MessageDirection.back,
                                                       limit=min(100, self.max_backfill - len(events)))

            try:
                resp = await send_with_retry(page, what=f"backfill {room_id}", attempts=self.send_attempts,
                                             max_wait_s=self.max_retry_wait_s)
            except MatrixError as exc:
                log.warning("cannot back-fill %s: %s", room_id, exc)
                break
            if not isinstance(resp, RoomMessagesResponse) or not resp.chunk:
                break
            events.extend(resp.chunk)
            if not resp.end or resp.end == token:
                break
            token = resp.end
        if len(events) >= self.max_backfill:
            log.warning("%s: more than %d events while away; older ones are not answered",
                        room_id, self.max_backfill)
        events.reverse()
        return events

    async def _handle_room(self, room_id: str, info: Any, batch: Batch) -> None:
        async with self._room_lock(room_id):  # after the room's events of earlier batches
            await self._handle_room_events(room_id, info, batch)

    async def _handle_room_events(self, room_id: str, info: Any, batch: Batch) -> None:
        events: list[Any] = list(info.timeline.events)
        if info.timeline.limited and info.timeline.prev_batch:
            events = await self._backfill(room_id, info.timeline.prev_batch, batch.since) + events
        start = 0
        for i, event in enumerate(events):
            if self._is_own_join(event.source):
                start = i + 1  # what precedes our join is history, not for us to answer
        if self.crypto is None:  # [e2e] only an adapter without encryption cannot read the room
            await self._notice_encryption(room_id, [*events, *getattr(getattr(info, "state", None), "events", [])])
        for event in events[start:]:
            if self._stopping:
                batch.cut = True
                return  # the rest of the batch is handled after the restart (the batch token is not saved)
            event_id = event.source.get("event_id")
            if self.crypto and isinstance(event, MegolmEvent):  # [e2e] keys not here yet
                await self.crypto.undecryptable(room_id, event)
                continue
            if self.crypto and getattr(event, "decrypted", False) and not self.crypto.trusts_sender(
                    event.source, bool(getattr(event, "verified", False))):  # [e2e]
                continue
            try:
                await self._handle_event(room_id, event.source)
            except asyncio.CancelledError:
                raise
            except MatrixError as exc:
                tries = self._failed_answers.get(event_id, 0) + 1
                if exc.permanent or tries > self.answer_attempts:
                    log.error("the answer to %s in %s could not be sent (%d tries): %s", event_id, room_id,
                              tries, exc)
                    continue
                self._failed_answers[event_id] = tries
                self._handled.pop(event_id, None)  # not handled after all: the next sync brings it back
                batch.unanswered = True
                log.warning("the answer to %s in %s failed (%s); tried again with the batch", event_id, room_id, exc)
            except Exception:
                log.exception("error handling Matrix event %s", event_id)

    def _is_own_join(self, src: dict[str, Any]) -> bool:
        if src.get("type") != "m.room.member" or src.get("state_key") != self.user_id:
            return False
        prev = (src.get("unsigned") or {}).get("prev_content") or {}
        return (src.get("content") or {}).get("membership") == "join" and prev.get("membership") != "join"

    async def _handle_invites(self, resp: SyncResponse) -> None:
        for room_id, info in resp.rooms.invite.items():
            inviter = None
            for event in info.invite_state:
                # nio pops "content" out of the source of member events: use its parsed attributes.
                if (getattr(event, "state_key", None) == self.user_id
                        and getattr(event, "membership", None) == "invite"):
                    inviter = getattr(event, "sender", None)
            if inviter in self.allowed_inviters or room_id in self.rooms:
                log.info("accepting invite to %s from %s", room_id, inviter)
                try:
                    await self._join(room_id)
                except MatrixError as exc:
                    log.error("cannot join %s: %s", room_id, exc)
            else:
                log.info("rejecting invite to %s from %s", room_id, inviter)
                await self._reject_invite(room_id)

    async def _reject_invite(self, room_id: str) -> None:
        try:
            await send_with_retry(lambda: self.client.room_leave(room_id), what="reject invite",
                                  attempts=self.send_attempts, max_wait_s=self.max_retry_wait_s)
        except MatrixError as exc:
            log.warning("cannot reject invite to %s: %s", room_id, exc)

    # --- incoming messages -------------------------------------------------------------------

    def _seen(self, event_id: str) -> bool:
        if event_id in self._handled:
            return True
        self._handled[event_id] = None
        while len(self._handled) > 5000:
            self._handled.popitem(last=False)
        return False

    def parse_command(self, text: str) -> str | None:
        """The text after the command prefix, or None when `text` is not a command."""
        prefix = self.command_prefix
        if text[: len(prefix)].lower() != prefix.lower():
            return None
        rest = text[len(prefix):]
        if rest and not rest[0].isspace():
            return None
        return rest.strip()

    def _mentions_me(self, content: dict[str, Any], text: str) -> bool:
        mentions = content.get("m.mentions")
        if isinstance(mentions, dict) and self.user_id in (mentions.get("user_ids") or []):
            return True
        formatted = content.get("formatted_body")
        return self.user_id in text or (isinstance(formatted, str) and (
            f"matrix.to/#/{self.user_id}" in formatted
            or f"matrix.to/#/{self.user_id.replace('@', '%40').replace(':', '%3A')}" in formatted))

    def _strip_mention(self, text: str) -> str:
        names = [self.user_id, self.user_id.split(":")[0].lstrip("@")]
        if self._displayname:
            names.append(self._displayname)
        text = text.replace(self.user_id, "")
        for name in names:
            text = re.sub(rf"^\s*@?{re.escape(name)}\s*[:,]?\s*", "", text, flags=re.IGNORECASE)
        return text.strip()

    async def _handle_event(self, room_id: str, src: dict[str, Any]) -> None:
        if src.get("type") != "m.room.message" or src.get("sender") == self.user_id:
            return
        event_id, sender = src.get("event_id"), src.get("sender")
        content = src.get("content") or {}
        if not isinstance(event_id, str) or not isinstance(sender, str) or self._seen(event_id):
            return
        if await self._answered.seen(event_id):
            return  # answered before a restart (the sync token of its batch was not saved yet)
        if content.get("msgtype") != "m.text" or not isinstance(content.get("body"), str):
            return  # notices (other bots), images, emotes…
        rel = content.get("m.relates_to") or {}
        if rel.get("rel_type") == "m.replace" or "m.new_content" in content:
            return  # edits
        text = strip_reply_fallback(content["body"]).strip()
        thread_root = rel.get("event_id") if rel.get("rel_type") == "m.thread" else None

        # The core knows a room by the name it was configured with (an alias, say), not by its id.
        channel = self.channel_name(room_id)
        command = self.parse_command(text)
        relation = self._reply_relation(event_id, thread_root)
        if command is not None:
            if len(command) > MAX_INPUT_CHARS:
                answer = _too_long(self.command_prefix, len(command), self.lang)
            else:
                ctx = ChatContext(adapter=self.name, channel=channel, user=sender,
                                  is_admin=await self.is_admin(room_id, sender), thread_id=thread_root,
                                  lang=self.lang)
                try:
                    answer = await self.conversation.command(command, ctx)
                except Exception:
                    log.exception("command %r failed", command[:200])
                    answer = Message(t(self.lang, "chat_command_failed"))
            await self._answer(room_id, event_id, answer, relation, sender)
            return

        if not isinstance(thread_root, str):
            return
        if not (self._mentions_me(content, text) or await self._is_own_event(room_id, thread_root)):
            return
        question = self._strip_mention(text)
        if len(question) > MAX_INPUT_CHARS:
            await self._answer(room_id, event_id, _too_long(self.command_prefix, len(question), self.lang), relation,
                               sender)
            return
        ctx = ChatContext(adapter=self.name, channel=channel, user=sender,
                          is_admin=await self.is_admin(room_id, sender), thread_id=thread_root,
                          lang=self.lang)
        reply = await self.conversation.follow_up(question, ctx)
        if reply is not None:
            await self._answer(room_id, event_id, reply, relation, sender)

    async def _answer(self, room_id: str, event_id: str, answer: Message, relation: dict[str, Any],
                      sender: str) -> None:
        """Send the one answer to `event_id`: its transaction id is derived from that event, so the same
        answer sent again after a crash is deduplicated by the homeserver; then it is recorded as
        answered, so that a restart does not even ask the core again."""
        tx_id = "answer-" + hashlib.sha256(f"{room_id}|{event_id}".encode()).hexdigest()[:32]
        await self._send_message(room_id, answer, relation, [sender], tx_id=tx_id)
        await self._answered.add(event_id)

    async def _notice_encryption(self, room_id: str, events: Iterable[Any]) -> None:
        """An encrypted room gets one plain notice that the bot cannot read it (once, across restarts)."""
        if room_id in self._warned_encrypted:
            return
        if not any(getattr(e, "source", {}).get("type") in ("m.room.encryption", "m.room.encrypted")
                   for e in events):
            return
        self._warned_encrypted.add(room_id)
        key = self._key(f"encrypted_notice:{room_id}")
        if await self.state.run(self.state.get_state, key):
            return
        log.warning("%s is encrypted: this adapter has no E2EE, it cannot read commands there "
                    "and what it posts is sent unencrypted", room_id)
        notice = {"msgtype": "m.notice", "m.mentions": {},
                  "body": t(self.lang, "chat_encrypted_notice", prefix=self.command_prefix)}
        tx_id = "e2ee-" + hashlib.sha256(room_id.encode()).hexdigest()[:32]
        try:
            await self.send_event(room_id, notice, tx_id=tx_id)
        except MatrixError as exc:
            log.warning("cannot tell %s that it is encrypted: %s", room_id, exc)
            return
        await self.state.run(self.state.set_state, key, "sent")

    @staticmethod
    def _reply_relation(event_id: str, thread_root: str | None) -> dict[str, Any]:
        if thread_root is None:
            return {"m.in_reply_to": {"event_id": event_id}}
        return {"rel_type": "m.thread", "event_id": thread_root, "is_falling_back": False,
                "m.in_reply_to": {"event_id": event_id}}

    async def is_admin(self, room_id: str, user_id: str) -> bool:
        """Listed admin, a room creator (room versions 12+: unlimited power), or power level >= the
        threshold in that room."""
        if user_id in self.admin_user_ids:
            return True
        if user_id in await self._room_creators(room_id):
            return True
        try:
            resp = await send_with_retry(
                lambda: self.client.room_get_state_event(room_id, "m.room.power_levels"),
                what="power levels", attempts=self.send_attempts, max_wait_s=self.max_retry_wait_s)
        except MatrixError as exc:
            log.warning("cannot read power levels of %s: %s", room_id, exc)
            return False
        if not isinstance(resp, RoomGetStateEventResponse):
            return False
        content = resp.content or {}
        users = content.get("users") or {}
        try:
            level = int(users.get(user_id, content.get("users_default", 0)))
        except (TypeError, ValueError):
            return False
        return level >= self.admin_power_level

    async def _room_creators(self, room_id: str) -> frozenset[str]:
        """Users with creator privilege (room v12+, where they are absent from power_levels)."""
        if room_id in self._creators:
            return self._creators[room_id]
        creators: frozenset[str] = frozenset()
        try:
            resp = await send_with_retry(lambda: self.client.room_get_state(room_id), what="room state",
                                         attempts=self.send_attempts, max_wait_s=self.max_retry_wait_s)
        except MatrixError as exc:
            log.warning("cannot read the state of %s: %s", room_id, exc)
            return creators
        for event in getattr(resp, "events", None) or []:
            if not isinstance(event, dict):
                continue
            if event.get("type") == "m.room.create" and event.get("state_key") == "":
                content = event.get("content") or {}
                if str(content.get("room_version", "1")) not in LEGACY_ROOM_VERSIONS:
                    extra = content.get("additional_creators") or []
                    creators = frozenset([str(event.get("sender")), *map(str, extra)])
        self._creators[room_id] = creators
        return creators

    def _remember_own(self, event_id: str, own: bool) -> None:
        self._own_events[event_id] = own
        while len(self._own_events) > 5000:
            self._own_events.popitem(last=False)

    async def _is_own_event(self, room_id: str, event_id: str) -> bool:
        if event_id in self._own_events:
            return self._own_events[event_id]
        try:
            resp = await send_with_retry(lambda: self.client.room_get_event(room_id, event_id),
                                         what="get event", attempts=self.send_attempts,
                                         max_wait_s=self.max_retry_wait_s)
        except MatrixError:
            return False
        own = isinstance(resp, RoomGetEventResponse) and getattr(resp.event, "sender", None) == self.user_id
        self._remember_own(event_id, own)
        return own

    # --- outgoing ----------------------------------------------------------------------------

    def channel_name(self, room_id: str) -> str:
        """The alias a room was configured (or posted to) by, else its id: the core's name for it."""
        for alias, rid in self._aliases.items():
            if rid == room_id:
                return alias
        return room_id

    async def _room_id(self, channel: str) -> str:
        if not channel.startswith("#"):
            return channel
        if channel not in self._aliases:
            resp = await send_with_retry(lambda: self.client.room_resolve_alias(channel),
                                         what=f"resolve {channel}", attempts=self.send_attempts,
                                         max_wait_s=self.max_retry_wait_s)
            if not isinstance(resp, RoomResolveAliasResponse):
                raise MatrixError(f"cannot resolve {channel}: {resp}")
            self._aliases[channel] = resp.room_id
        return self._aliases[channel]

    async def _join(self, room: str) -> str:
        resp = await send_with_retry(lambda: self.client.join(room), what=f"join {room}",
                                     attempts=self.send_attempts, max_wait_s=self.max_retry_wait_s)
        if not isinstance(resp, JoinResponse):
            raise MatrixError(f"join {room} failed: {resp}")
        if room.startswith("#"):
            self._aliases[room] = resp.room_id
        return str(resp.room_id)

    async def send_event(self, room_id: str, content: dict[str, Any],
                         event_type: str = "m.room.message", *, tx_id: str | None = None) -> str:
        """Send one event (rate limits retried, same transaction id); returns its event id.

        A caller-given `tx_id` (the delivery key) makes a send repeated after a crash a no-op: the
        homeserver answers a known transaction id with the event it already made.
        """
        tx_id = tx_id or str(uuid.uuid4())

        async def call() -> Any:  # [e2e] encrypted (per the trust policy) in an encrypted room
            if self.crypto:
                return await self.crypto.room_send(self.client, room_id, event_type, content, tx_id)
            return await self.client.room_send(room_id, event_type, content, tx_id=tx_id)

        resp = await send_with_retry(
            call,
            what=f"send to {room_id}", attempts=self.send_attempts, max_wait_s=self.max_retry_wait_s)
        if not isinstance(resp, RoomSendResponse):
            raise MatrixError(f"send to {room_id} failed: {resp}")
        self._remember_own(resp.event_id, True)
        return str(resp.event_id)

    async def _upload(self, path: str, room_id: str) -> dict[str, Any]:
        """Upload a file; the content of the `m.image` (or `m.file`) event that shows it."""
        data = await asyncio.to_thread(Path(path).read_bytes)
        name = Path(path).name
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        # [e2e] in an encrypted room the homeserver gets ciphertext; the key travels in the event
        secret: dict[str, Any] | None = None
        body = data
        if self.crypto and await self.crypto.is_encrypted(self.client, room_id):
            body, secret = await asyncio.to_thread(self.crypto.encrypt_file, data)

        async def call() -> Any:
            resp, _ = await self.client.upload(
                io.BytesIO(body), content_type="application/octet-stream" if secret else mime,
                filename=None if secret else name, filesize=len(body))
            return resp

        resp = await send_with_retry(call, what=f"upload {name}", attempts=self.send_attempts,
                                     max_wait_s=self.max_retry_wait_s)
        if not isinstance(resp, UploadResponse):
            raise MatrixError(f"upload {name} failed: {resp}")
        info: dict[str, Any] = {"mimetype": mime, "size": len(data)}
        size = _png_size(data)
        if size is not None:
            info["w"], info["h"] = size
        content = {
            "msgtype": "m.image" if mime.startswith("image/") else "m.file",
            "body": neutralize(name),
            "url": resp.content_uri,
            "info": info,
            "m.mentions": {},
        }
        if secret is not None:  # [e2e]
            content["file"] = {**secret, "url": content.pop("url"), "mimetype": mime}
        return content

    async def _content_limit(self, room_id: str) -> int:  # [e2e]
        if self.crypto and await self.crypto.is_encrypted(self.client, room_id):
            return ENCRYPTED_CONTENT_BYTES
        return MAX_CONTENT_BYTES

    async def _send_message(self, room_id: str, message: Message, relates_to: dict[str, Any] | None = None,
                            mention: list[str] | None = None, *, tx_id: str | None = None) -> str:
        limit = await self._content_limit(room_id)  # [e2e] smaller where the event is encrypted
        content = message_content(fitted(message, lambda m: content_size(message_content(m, self.msgtype)), limit),
                                  self.msgtype)
        if relates_to:
            content["m.relates_to"] = relates_to
        if mention:
            content["m.mentions"] = {"user_ids": list(mention)}
        key = tx_id or message.meta.get("delivery_key")
        event_id = await self.send_event(room_id, content, tx_id=key)
        for n, path in enumerate(message.attachments):
            image = await self._upload(path, room_id)  # [e2e] room: encrypted there?
            if relates_to and relates_to.get("rel_type") == "m.thread":
                image["m.relates_to"] = {"rel_type": "m.thread", "event_id": relates_to["event_id"],
                                         "is_falling_back": True, "m.in_reply_to": {"event_id": event_id}}
            await self.send_event(room_id, image, tx_id=f"{key}-{n}" if key else None)
        return event_id

    # --- ChatAdapter -------------------------------------------------------------------------

    async def attach(self, channel: str, thread_id: str | None, message: Message) -> None:
        """Upload `message`'s charts on their own, as images in the thread of `thread_id` (a changed chart)."""
        await self._ensure_login()
        room_id = await self._room_id(channel)
        key = message.meta.get("delivery_key")
        for n, path in enumerate(message.attachments):
            image = await self._upload(path, room_id)  # [e2e] room: encrypted there?
            if thread_id is not None:
                image["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_id, "is_falling_back": True,
                                         "m.in_reply_to": {"event_id": thread_id}}
            await self.send_event(room_id, image, tx_id=f"{key}-{n}" if key else None)

    async def post(self, channel: str, message: Message) -> Posted:
        await self._ensure_login()
        room_id = await self._room_id(channel)
        return Posted(room_id, await self._send_message(room_id, message))

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        await self._ensure_login()
        room_id = await self._room_id(channel)
        relation = {"rel_type": "m.thread", "event_id": thread_id, "is_falling_back": True,
                    "m.in_reply_to": {"event_id": thread_id}}
        return Posted(room_id, await self._send_message(room_id, message, relation))

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        await self._ensure_login()
        room_id = await self._room_id(channel)
        content = edit_content(fitted(message, lambda m: content_size(edit_content(m, message_id, self.msgtype)),
                                      await self._content_limit(room_id)),  # [e2e]
                               message_id, self.msgtype)
        await self.send_event(room_id, content, tx_id=message.meta.get("edit_key"))


def _too_long(prefix: str, length: int, lang: str) -> Message:
    return Message(headline="", lines=(Line.of(t(lang, "chat_too_long", length=length, prefix=prefix,
                                                 max=MAX_INPUT_CHARS)),))
