"""Slack adapter: a Bolt `AsyncApp` for `/news` and thread follow-ups, the Web API for alerts.

- `/news …` is acknowledged at once, then answered through the command's `response_url`
  (ephemeral unless the text contains `--public`).
- A message (or an @mention) in a thread is a follow-up question; if the core knows the thread
  the answer goes back into it.
- `post` / `reply` / `edit` send Block Kit built from the core `Message` (see `slack_render`),
  through a per-channel queue (`slack_queue`) and a Web API client that retries HTTP 429.

HTTP mode serves Bolt with aiohttp on `host:port` (loopback by default, put a TLS reverse proxy in
front); Socket Mode connects out with an app-level token and needs no public URL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any, Literal

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.base import ChatContext, ChatError, Conversation, HandledLog, MemoryState, Posted, StateStore
from bot.chat.slack_errors import RATE_LIMIT_RETRIES, call_api
from bot.chat.slack_queue import ChannelSendQueue
from bot.chat.slack_render import (
    Rendered,
    render_message,
    split_public_flag,
    unescape_mrkdwn,
)
from bot.core.i18n import echo, t
from bot.core.models import Line, Message

log = logging.getLogger(__name__)
METADATA_EVENT = "newsbot_delivery"
# Bolt's loop checks every 10 ms for the ack to send: a little more than that lets it go first.
ACK_FLUSH_S = 0.015

Mode = Literal["http", "socket"]

# Message subtypes that are still a person writing in the thread; edits, joins, bot posts etc. are not.
_USER_SUBTYPES = {None, "thread_broadcast", "file_share"}
_USER_ERRORS = (ValueError, LookupError, PermissionError)

# A thread holding more replies than this (200 a page) is not searched to its end for an earlier upload.
HISTORY_PAGES = 10
MAX_INPUT_CHARS = 2_000  # a longer command or question is refused, not quoted back


class SlackAdapter:
    """`ChatAdapter` for Slack, plus the inbound side (slash command, thread follow-ups)."""

    name = "slack"
    shows_images = True

    def __init__(
        self,
        *,
        bot_token: str,
        conversation: Conversation,
        signing_secret: str | None = None,
        app_token: str | None = None,
        mode: Mode = "http",
        host: str = "127.0.0.1",
        port: int = 3000,
        path: str = "/slack/events",
        base_url: str | None = None,
        admin_user_ids: Iterable[str] = (),
        command: str = "/news",
        send_interval: float = 1.0,
        rate_limit_retries: int = RATE_LIMIT_RETRIES,
        command_timeout: float = 120.0,
        connect_timeout: float = 30.0,
        state: StateStore | None = None,
        languages: Mapping[str, str] | None = None,
        lang: str = "en",
    ) -> None:
        if mode not in ("http", "socket"):
            raise ValueError(f"mode must be 'http' or 'socket', not {mode!r}")
        if mode == "http" and not signing_secret:
            raise ValueError("HTTP mode needs the app's signing secret")
        if mode == "socket" and not (app_token or "").startswith("xapp-"):
            raise ValueError("Socket Mode needs an app-level token (xapp-…)")
        if not bot_token:
            raise ValueError("a bot token (xoxb-…) is required")
        self.mode: Mode = mode
        self.host = host
        self.port = port
        self.path = path
        self.command_name = command
        self.command_timeout = command_timeout
        self.connect_timeout = connect_timeout
        self.bot_user_id: str | None = None
        self.admin_user_ids = frozenset(admin_user_ids)
        self._conversation = conversation
        self._app_token = app_token
        # The adapter's own words (refusals, errors) in each channel's language, else the bot's.
        self._languages = dict(languages or {})
        self.lang = lang

        client_args: dict[str, Any] = {} if base_url is None else {"base_url": base_url}
        # 429s are waited out by `call_api`, inside the channel's send lane, so that the lane's pacing
        # starts again after the Retry-After (the SDK's own handler would hide the wait from the lane).
        self.client = AsyncWebClient(token=bot_token, retry_handlers=[AsyncConnectionErrorRetryHandler()],
                                     **client_args)
        self.rate_limit_retries = rate_limit_retries
        self._verifier = SignatureVerifier(signing_secret) if signing_secret and mode == "http" else None
        self._answered = HandledLog(state if state is not None else MemoryState(), "slack")
        self.app = _new_app(self.client, signing_secret or "", verify=mode == "http")
        self.app.command(command)(self._on_command)
        self.app.event("message")(self._on_message)
        self.app.event("app_mention")(self._on_mention)

        self.queue = ChannelSendQueue(send_interval)
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the bot token, then serve HTTP or connect in Socket Mode.

        Raises `SlackApiError` for a bad bot token and `ConnectionError` if Socket Mode cannot
        connect within `connect_timeout` (the SDK would otherwise retry forever).
        """
        who = await self.client.auth_test()
        self.bot_user_id = str(who.get("user_id") or "") or None
        log.info("Slack: bot user %s in team %s", who.get("user"), who.get("team"))
        if self.mode == "http":
            web_app = web.Application()
            web_app.router.add_post(self.path, self._handle_http)
            web_app.router.add_get("/healthz", self._handle_health)
            self._runner = web.AppRunner(web_app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, self.port)
            await site.start()
            log.info("Slack adapter listening on http://%s:%s%s", self.host, self.bound_port, self.path)
        else:
            self._socket = AsyncSocketModeHandler(self.app, self._app_token)
            try:
                await asyncio.wait_for(
                    self._socket.connect_async(),  # type: ignore[no-untyped-call]  # untyped in Bolt
                    self.connect_timeout,
                )
            except Exception as exc:
                await self._socket.close_async()  # type: ignore[no-untyped-call]
                self._socket = None
                raise ConnectionError(f"Socket Mode could not connect to Slack: {exc!r}") from exc
            log.info("Slack adapter connected in Socket Mode")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.queue.close()

    @property
    def bound_port(self) -> int | None:
        """The TCP port actually served (useful with port=0)."""
        if self._runner is None:
            return None
        for addr in self._runner.addresses:
            if isinstance(addr, tuple) and len(addr) >= 2:
                return int(addr[1])
        return None

    async def _handle_http(self, request: web.Request) -> web.Response:
        """Check the signature on the raw body before anything parses it; one log line per refusal."""
        raw = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if self._verifier is not None and not _signed(self._verifier, raw, headers):
            log.warning("refused a Slack request from %s: missing, stale or bad signature", request.remote)
            return web.Response(status=401, text="invalid request signature")
        retry = headers.get("x-slack-retry-num")
        try:
            body = raw.decode()
            if retry and await self._event_answered(body):
                return web.Response(status=200, text="")  # a retry of an event already handled
            bolt_resp = await self.app.async_dispatch(AsyncBoltRequest(
                body=body, query=request.query_string, headers=headers))  # type: ignore[arg-type]
        except Exception as exc:  # signed but unreadable: Slack's side or a bug, not worth a traceback
            log.warning("refused a signed Slack request that could not be read: %s", type(exc).__name__)
            return web.Response(status=400, text="bad request")
        return await to_aiohttp_response(bolt_resp)

    async def _event_answered(self, body: str) -> bool:
        try:
            event = (json.loads(body).get("event") or {})
        except (ValueError, AttributeError):
            return False
        return await self._answered.seen(_event_key(str(event.get("channel") or ""), str(event.get("ts") or "")))

    async def _handle_health(self, request: web.Request) -> web.Response:
        return web.Response(text="ok")

    # --- outbound: ChatAdapter -----------------------------------------------------------------

    async def post(self, channel: str, message: Message) -> Posted:
        return await self._send(channel, message, thread_ts=None)

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        return await self._send(channel, message, thread_ts=thread_id)

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        """Replace a message's text and blocks (charts already uploaded stay as they are)."""
        rendered = render_message(message)

        async def job() -> None:
            await call_api(lambda: self.client.chat_update(
                channel=channel, ts=message_id, text=rendered.text, blocks=rendered.blocks,
                parse="none", link_names=False,
            ), retries=self.rate_limit_retries)

        await self.queue.submit(channel, job)

    async def attach(self, channel: str, thread_id: str | None, message: Message) -> None:
        """Upload `message`'s charts on their own, in the thread of `thread_id` (a chart that changed).

        A file upload carries no message metadata: the delivery key goes into the files' names instead,
        so a bot restarted after a crash can find the upload (find_attached) rather than repeat it."""
        key = message.meta.get("delivery_key")
        await self.queue.submit(channel, lambda: self._upload(channel, message, thread_ts=thread_id, key=key))

    async def _send(self, channel: str, message: Message, *, thread_ts: str | None) -> Posted:
        rendered = render_message(message)
        if not rendered.blocks and not message.attachments:
            raise ValueError("refusing to post an empty message (no headline, lines or charts)")

        key = message.meta.get("delivery_key")
        # The delivery key rides along as message metadata, so a bot restarted after a crash can find
        # what it posted (find_posted) instead of posting it again.
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"key": key}} if key else None

        async def job() -> Posted:
            resp = await call_api(lambda: self.client.chat_postMessage(
                channel=channel, text=rendered.text, blocks=rendered.blocks or None, thread_ts=thread_ts,
                parse="none", link_names=False, unfurl_links=False, unfurl_media=False, metadata=metadata,
            ), retries=self.rate_limit_retries)
            posted = Posted(channel=str(resp.get("channel") or channel), message_id=str(resp["ts"]))
            # charts go right after their message, in the same place (channel or thread); the
            # message is out, so a failed upload is logged rather than reported as a failed post
            # (which would make the caller post it again)
            try:
                await self._upload(posted.channel, message, thread_ts=thread_ts)
            except Exception:
                log.exception("chart upload to %s failed; message %s was posted without it",
                              posted.channel, posted.message_id)
            return posted

        return await self.queue.submit(channel, job)

    async def find_posted(self, channel: str, key: str, *, thread_id: str | None = None) -> Posted | None:
        """The message posted earlier with this delivery key, from the channel's (or thread's) recent history."""
        if thread_id is not None:
            resp = await self.client.conversations_replies(
                channel=channel, ts=thread_id, limit=200, include_all_metadata=True)
        else:
            resp = await self.client.conversations_history(channel=channel, limit=200, include_all_metadata=True)
        for item in resp.get("messages") or []:
            meta = item.get("metadata") or {}
            if meta.get("event_type") == METADATA_EVENT and (meta.get("event_payload") or {}).get("key") == key:
                return Posted(channel, str(item["ts"]))
        return None

    async def find_attached(self, channel: str, key: str, *, thread_id: str | None = None) -> bool:
        """Whether the thread (else the channel) already shows a file uploaded with this delivery key
        (see `attach`), looking through its history page by page, up to `HISTORY_PAGES` pages."""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            resp = await call_api(partial(self._history_page, channel, thread_id, cursor),
                                  retries=self.rate_limit_retries)
            for item in resp.get("messages") or []:
                if any(key in str(f.get("name") or "") for f in item.get("files") or [] if isinstance(f, dict)):
                    return True
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not resp.get("has_more") or cursor is None:
                return False
        return False

    async def _history_page(self, channel: str, thread_id: str | None, cursor: str | None) -> Any:
        if thread_id is not None:
            return await self.client.conversations_replies(channel=channel, ts=thread_id, limit=200, cursor=cursor)
        return await self.client.conversations_history(channel=channel, limit=200, cursor=cursor)

    async def _upload(self, channel: str, message: Message, *, thread_ts: str | None, key: str | None = None) -> None:
        if not message.attachments:
            return
        uploads = [
            {"file": path, "filename": _filename(path, key), "title": _title(path, message)}
            for path in message.attachments
        ]
        await call_api(lambda: self.client.files_upload_v2(file_uploads=uploads, channel=channel,
                                                           thread_ts=thread_ts), retries=self.rate_limit_retries)

    # --- inbound: /news ------------------------------------------------------------------------

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()  # Slack wants this within 3 s; the answer follows through response_url
        # Bolt returns the ack to Slack from a loop that checks every 10 ms; a long command that never
        # yields would hold it back until the answer is ready. Let that loop see the ack first.
        await asyncio.sleep(ACK_FLUSH_S)
        # Slack does not retry commands, but a proxy or a replayed request can bring one twice.
        trigger = f"command:{command.get('trigger_id') or ''}"
        if command.get("trigger_id") and await self._answered.seen(trigger):
            return
        raw_text = unescape_mrkdwn(str(command.get("text") or ""))
        if len(raw_text) > MAX_INPUT_CHARS:
            await self._respond(respond, render_message(_too_long(self.command_name, len(raw_text),
                                                                  self._lang(command.get("channel_id")))), "ephemeral")
            await self._answered.add(trigger)
            return
        text, public = split_public_flag(raw_text)
        channel = str(command.get("channel_id") or "")
        user = str(command.get("user_id") or "")
        ctx = ChatContext(
            adapter=self.name, channel=channel, user=user, is_admin=user in self.admin_user_ids,
        )
        response_type = "in_channel" if public else "ephemeral"
        try:
            answer = await asyncio.wait_for(self._conversation.command(text, ctx), self.command_timeout)
        except Exception as exc:
            log.exception("%s %r failed", self.command_name, text)
            await self._respond(respond, _error_payload(self.command_name, text, exc, self._lang(channel)),
                                "ephemeral")
            return
        note = None
        if answer.attachments and not public:
            note = t(self._lang(channel), "chat_charts_public", prefix=self.command_name)
        await self._respond(respond, render_message(answer, note=note), response_type)
        if command.get("trigger_id"):
            await self._answered.add(trigger)
        if answer.attachments and public and channel:
            try:
                await self.queue.submit(channel, lambda: self._upload(channel, answer, thread_ts=None))
            except Exception as exc:
                log.exception("chart upload for %s failed", self.command_name)
                await self._respond(respond, _error_payload(self.command_name, text, exc, self._lang(channel),
                                                            what="chat_what_chart"), "ephemeral")

    async def _respond(self, respond: AsyncRespond, rendered: Rendered, response_type: str) -> None:
        payload: dict[str, Any] = {"text": rendered.text, "response_type": response_type}
        if rendered.blocks:
            payload["blocks"] = rendered.block_dicts()
        try:
            resp = await respond(payload)
        except Exception:
            log.exception("answering through response_url failed")
            return
        if resp.status_code != 200:
            log.error("response_url answered %s: %s", resp.status_code, resp.body)

    # --- inbound: thread follow-ups ------------------------------------------------------------

    async def _on_message(self, event: dict[str, Any], context: dict[str, Any], request: AsyncBoltRequest) -> None:
        if event.get("subtype") not in _USER_SUBTYPES or event.get("bot_id"):
            return
        # a thread reply that @mentions us arrives twice (message + app_mention): the
        # first one answers, `_already_seen` drops the other
        await self._follow_up(event, context.get("bot_user_id") or self.bot_user_id, retried=_retried(request))

    async def _on_mention(self, event: dict[str, Any], context: dict[str, Any], request: AsyncBoltRequest) -> None:
        if event.get("bot_id"):
            return
        await self._follow_up(event, context.get("bot_user_id") or self.bot_user_id, retried=_retried(request))

    async def _follow_up(self, event: dict[str, Any], bot_user: str | None, *, retried: bool = False) -> None:
        """Answer a thread reply if the core knows the thread.

        Every reply in every thread of the bot's channels passes through here, so silence is the
        default: only someone who @mentions the bot gets told when there is no answer.
        """
        ts = str(event.get("ts") or "")
        thread_ts = str(event.get("thread_ts") or "")
        channel = str(event.get("channel") or "")
        user = str(event.get("user") or "")
        raw = str(event.get("text") or "")
        addressed = event.get("type") == "app_mention" or bool(bot_user and f"<@{bot_user}>" in raw)
        if not channel or not ts or not user or user == bot_user:
            return
        if not thread_ts or thread_ts == ts:
            if addressed and not self._already_seen(channel, ts):
                await self.reply(channel, ts, _note(self._hint()))
            return  # follow-ups are replies in a thread
        if self._already_seen(channel, ts):
            return  # the same message as message + app_mention, or an event Slack retried
        key = _event_key(channel, ts)
        if await self._answered.seen(key):
            return  # answered before a restart; Slack retried the event since
        if retried and await self._find_answer(channel, thread_ts, key):
            await self._answered.add(key)
            return  # answered, but the process died before it could record that
        if len(raw) > MAX_INPUT_CHARS:
            await self.reply(channel, thread_ts, _keyed(_too_long(self.command_name, len(raw), self._lang(channel)),
                                                        key))
            await self._answered.add(key)
            return
        text = unescape_mrkdwn(raw)
        if bot_user:
            text = text.replace(f"<@{bot_user}>", " ")
        question = " ".join(text.split())
        if not question:
            return
        ctx = ChatContext(
            adapter=self.name, channel=channel, user=user, is_admin=user in self.admin_user_ids,
            thread_id=thread_ts,
        )
        try:
            answer = await asyncio.wait_for(self._conversation.follow_up(question, ctx), self.command_timeout)
        except Exception:
            log.exception("follow-up in %s/%s failed", channel, thread_ts)
            answer = _note(t(self._lang(channel), "chat_answer_failed")) if addressed else None
        if answer is None:
            if addressed:
                await self.reply(channel, thread_ts, _keyed(_note(self._hint()), key))
                await self._answered.add(key)
            return  # not one of our threads
        try:
            await self.reply(channel, thread_ts, _keyed(answer, key))
        except ChatError as exc:  # after the 429s were waited out: say so, loudly
            log.error("the answer to %s in %s/%s could not be sent: %s", ts, channel, thread_ts, exc.reason)
            return
        await self._answered.add(key)

    async def _find_answer(self, channel: str, thread_ts: str, key: str) -> bool:
        try:
            return await self.find_posted(channel, key, thread_id=thread_ts) is not None
        except Exception as exc:  # cannot tell: answer (once more at worst)
            log.warning("could not look for an earlier answer in %s/%s: %s", channel, thread_ts, exc)
            return False

    def _lang(self, channel: object) -> str:
        return self._languages.get(str(channel or ""), self.lang)

    def _hint(self) -> str:
        return (f"I answer questions in the threads of my alerts; "
                f"elsewhere, try {self.command_name} help.")

    def _already_seen(self, channel: str, ts: str) -> bool:
        key = (channel, ts)
        if key in self._seen:
            return True
        self._seen[key] = None
        while len(self._seen) > 1000:
            self._seen.popitem(last=False)
        return False


class _QuietTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself, then warns that the client we hand it
    (built from that same token) wins: true, harmless, and alarming to an operator. Drop that one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("bot.chat.slack.bolt").addFilter(_QuietTokenWarning())


def _new_app(client: AsyncWebClient, signing_secret: str, *, verify: bool) -> AsyncApp:
    return AsyncApp(
        name="newsbot-slack",
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=verify,
        # Bolt's own middleware drops events caused by this bot user
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("bot.chat.slack.bolt"),
    )


def _filename(path: str, key: str | None) -> str:
    """The file's name in Slack: the chart's own, with the delivery key when there is one (`find_attached`)."""
    name = os.path.basename(path)
    if not key:
        return name
    stem, ext = os.path.splitext(name)
    return f"{stem}-{key}{ext}"


def _title(path: str, message: Message) -> str:
    stem = os.path.splitext(os.path.basename(path))[0].replace("_", " ").replace("-", " ")
    return f"{message.headline} — {stem}" if message.headline else stem


def _error_payload(command: str, text: str, exc: BaseException, lang: str, what: str = "chat_what_answer") -> Rendered:
    if isinstance(exc, TimeoutError):
        reason = t(lang, "chat_reason_timeout")
    elif isinstance(exc, _USER_ERRORS):
        reason = str(exc) or type(exc).__name__
    else:
        reason = t(lang, "chat_reason_internal", error=type(exc).__name__)
    asked = echo(f"{command} {text}".strip())
    return render_message(_note(t(lang, "chat_request_failed", asked=asked, what=t(lang, what), reason=reason)))


def _note(text: str) -> Message:
    return Message(headline="", lines=(Line.of(text),))


def _too_long(command: str, length: int, lang: str) -> Message:
    return _note(t(lang, "chat_too_long", length=length, prefix=command, max=MAX_INPUT_CHARS))


def _keyed(message: Message, key: str) -> Message:
    """The answer carries the event's key as metadata, so a restarted bot can find it (find_posted)."""
    return dataclasses.replace(message, meta={**message.meta, "delivery_key": key})


def _event_key(channel: str, ts: str) -> str:
    return "event-" + hashlib.sha256(f"{channel}|{ts}".encode()).hexdigest()[:32]


def _signed(verifier: SignatureVerifier, body: bytes, headers: dict[str, str]) -> bool:
    timestamp, signature = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    if not timestamp.isdigit() or not signature:
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except (ValueError, TypeError):
        return False


def _retried(request: AsyncBoltRequest) -> bool:
    return bool(request.headers.get("x-slack-retry-num"))
