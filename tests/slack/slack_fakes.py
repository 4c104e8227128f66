"""Offline harness for the Slack adapter, in the manner of bolt-python's own tests.

- `FakeSlack`: an aiohttp server on 127.0.0.1 (random port) standing in for Slack's Web API
  (`/api/<method>`), the file upload URLs it hands out (`/upload/<file_id>`) and slash-command
  `response_url`s (`/response/<id>`). It records every call and can be told to fail the next
  call of a method (e.g. HTTP 429 with Retry-After).
- `signed_headers`: the `X-Slack-Signature` / `X-Slack-Request-Timestamp` pair Slack would send.
- `FakeConversation`: a small stand-in for the core's `Conversation`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.chat.base import ChatContext
from bot.core.models import Line, Message, Span

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
BOT_USER = "UBOT"
TEAM = "T0TEST"


@dataclass
class Call:
    method: str  # API method, "upload" or "response"
    args: dict[str, Any]
    status: int
    at: float
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class FakeSlack:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []  # what chat.postMessage posted, as history returns it
        # Files shared by files.completeUploadExternal, as the messages Slack shows them as (with `files`,
        # each with its name and title): history and replies return them among the messages.
        self.file_shares: list[dict[str, Any]] = []
        self._file_names: dict[str, str] = {}  # file id -> the filename given with files.getUploadURLExternal
        self.hang_after: int | None = None  # answer this many chat.postMessage calls, then hang
        self._hung = asyncio.Event()  # set by stop(): hung requests end, so the server stops at once
        self.calls: list[Call] = []
        self._failures: dict[str, list[tuple[int, dict[str, str], dict[str, Any]]]] = {}
        self._ts = itertools.count(1)
        self._files = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._changed = asyncio.Condition()
        self.sockets: list[web.WebSocketResponse] = []

    # -- server --------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # conversations.history/replies are GETs
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{rid}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._hung.set()
        for ws in self.sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, rid: str = "r1") -> str:
        return f"{self.url}/response/{rid}"

    # -- scripting and inspection --------------------------------------------------------------
    def fail_next(self, method: str, status: int, headers: dict[str, str] | None = None,
                  body: dict[str, Any] | None = None) -> None:
        self._failures.setdefault(method, []).append((status, headers or {}, body or {"ok": False}))

    def of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.of(method)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(f"expected {count} {method} call(s), got {self.calls}") from None
        return self.of(method)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    # -- handlers ------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if request.content_type == "application/json" and raw:
            args.update(json.loads(raw))
        elif raw:
            args.update(dict(await request.post()))
        headers = dict(request.headers)
        now = time.monotonic()
        failures = self._failures.get(method)
        if failures:
            status, extra, body = failures.pop(0)
            await self._record(Call(method, args, status, now, headers, raw))
            return web.json_response(body, status=status, headers=extra)
        token = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if headers.get("Authorization") != f"Bearer {token}":
            body = {"ok": False, "error": "invalid_auth"}
        else:
            body = self._answer(method, args)
        await self._record(Call(method, args, 200, now, headers, raw))
        if method == "chat.postMessage" and self.hang_after is not None and len(self.of(method)) > self.hang_after:
            # Posted, but the answer never comes: the client is killed while it waits.
            await self._hung.wait()
        return web.json_response(body)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.com/", "team": "Test", "user": "newsbot",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BBOT"}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            metadata = args.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            self.messages.append({"type": "message", "channel": args["channel"], "ts": ts, "text": args.get("text"),
                                  "thread_ts": args.get("thread_ts"), "metadata": metadata})
            return {"ok": True, "channel": args["channel"], "ts": ts,
                    "message": {"type": "message", "text": args.get("text"), "ts": ts}}
        if method == "conversations.history":
            found = [m for m in self._shown() if m["channel"] == args["channel"] and not m["thread_ts"]]
            return {"ok": True, "messages": list(reversed(found)), "has_more": False}
        if method == "conversations.replies":
            found = [m for m in self._shown() if m["channel"] == args["channel"]
                     and (m["ts"] == args["ts"] or m["thread_ts"] == args["ts"])]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "chat.update":
            return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text")}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._files):04d}"
            self._file_names[file_id] = str(args.get("filename") or "")
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(args["files"])
            if args.get("channel_id"):
                self.file_shares.append({
                    "type": "message", "channel": args["channel_id"], "ts": f"1700000000.{next(self._ts):06d}",
                    "thread_ts": args.get("thread_ts") or None, "user": BOT_USER, "bot_id": "BBOT", "upload": True,
                    "text": args.get("initial_comment") or "",
                    "files": [{"id": f["id"], "name": self._file_names.get(f["id"], ""), "title": f.get("title", "")}
                              for f in files]})
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        return {"ok": False, "error": "unknown_method"}

    def _shown(self) -> list[dict[str, Any]]:
        """Posted messages and shared files, oldest first, as a channel shows them."""
        return sorted([*self.messages, *self.file_shares], key=lambda m: str(m["ts"]))

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        await self._record(Call("upload", {"file_id": request.match_info["file_id"]}, 200,
                                time.monotonic(), dict(request.headers), body))
        return web.Response(text=f"OK - {len(body)}", content_type="text/plain")

    async def _response(self, request: web.Request) -> web.Response:
        payload = await request.json()
        await self._record(Call("response", payload, 200, time.monotonic(), dict(request.headers)))
        return web.Response(text="ok", content_type="text/plain")


    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then record what the app sends back (envelope acks)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await self._record(Call("socket.connect", {}, 200, time.monotonic(), dict(request.headers)))
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "connection_info": {"app_id": "A0TEST"}, "debug_info": {"host": "fake"}})
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                await self._record(Call("socket.ack", json.loads(msg.data), 200, time.monotonic()))
        return ws

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await self.sockets[-1].send_json(envelope)


class FakeConversation:
    """Answers `casualties`, fails on `boom` / `bad …`, knows the threads in `threads`."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, ChatContext]] = []
        self.follow_ups: list[tuple[str, ChatContext]] = []
        self.threads: set[str] = {"1700000000.000100"}
        self.attachments: tuple[str, ...] = ()
        self.gate: asyncio.Event | None = None  # when set, command() waits for it
        self.blocking_s = 0.0  # when set, command() computes this long without yielding (a heavy query)

    async def command(self, text: str, ctx: ChatContext) -> Message:
        self.commands.append((text, ctx))
        if self.gate is not None:
            await self.gate.wait()
        if self.blocking_s:
            time.sleep(self.blocking_s)
        if text == "boom":
            raise RuntimeError("database is on fire")
        if text.startswith("bad"):
            raise ValueError("unknown command 'bad'; try /news help")
        return Message(
            headline="Casualty figures",
            lines=(Line.of("You asked: ", Span(text, "bold")), Line.of("At least 12 killed.")),
            attachments=self.attachments,
        )

    async def follow_up(self, question: str, ctx: ChatContext) -> Message | None:
        self.follow_ups.append((question, ctx))
        if ctx.thread_id not in self.threads:
            return None
        return Message(headline="", lines=(Line.of("Answer: ", Span(question, "italic")),))


def signed_headers(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "content-type": content_type,
        "x-slack-signature": f"v0={digest}",
        "x-slack-request-timestamp": ts,
    }


_TRIGGERS = itertools.count(1)


def command_body(text: str, response_url: str, *, user: str = "U111", channel: str = "C111",
                 trigger_id: str | None = None) -> str:
    """A slash command as Slack sends it; each gets its own trigger_id, as in Slack (a resent request
    keeps its body, trigger_id included)."""
    return urlencode({
        "token": "legacy-verification-token", "team_id": TEAM, "team_domain": "test",
        "channel_id": channel, "channel_name": "news", "user_id": user, "user_name": "ann",
        "command": "/news", "text": text, "api_app_id": "A0TEST", "response_url": response_url,
        "trigger_id": trigger_id or f"123.{next(_TRIGGERS)}.abc",
    })


def event_body(event: dict[str, Any], event_id: str = "Ev0001") -> str:
    return json.dumps({
        "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A0TEST",
        "event": event, "type": "event_callback", "event_id": event_id, "event_time": 1700000100,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    })
