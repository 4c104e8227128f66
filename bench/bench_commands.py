"""`/news` command latency through the Slack app, over a store of 100,000 alerts.

Each command is a signed slash-command request dispatched into the real Bolt `AsyncApp` of
`bot.chat.slack.SlackAdapter` (`app.async_dispatch`, as its HTTP handler does); the clock stops when
the answer reaches the `response_url`, served by a small stand-in for Slack on 127.0.0.1 (which also
answers the Web API's auth.test). The ack time (dispatch returned) and the conversation alone
(`Conversation.command` called directly, no Slack) are measured too.

The conversation is `bot.service.conversation` (the real `/news` engine) when it is installed;
otherwise a stand-in built only on the store API of this checkout answers the same commands, and the
output says so.

    /work/venv/bin/python bench/bench_commands.py
    /work/venv/bin/python bench/bench_commands.py --alerts 10000 --stories 500 --runs 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import hmac
import itertools
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _common import ms, percentile, print_header, row  # first: repo root on sys.path
from _seed import seed_and_report, source_configs
from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.chat.base import ChatContext, Conversation
from bot.chat.slack import SlackAdapter
from bot.config import Config, parse_config
from bot.service.app import App, settle_memory
from bot.service.pipeline import Pipeline
from bot.store import Store

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench-token"
COMMANDS = ("latest", "casualties", "search Tripoli", "statements", "fighting")


class StandInSlack:
    """Slack's Web API (auth.test, chat.postMessage) and response_urls, on 127.0.0.1."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/api/{method}", self.api)
        app.router.add_post("/response/{rid}", self.response)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = self.runner.addresses[0][1]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "team": "Bench", "user": "newsbot", "team_id": "TBENCH",
                                      "user_id": "UBOT", "bot_id": "BBOT"})
        if method == "chat.postMessage":
            return web.json_response({"ok": True, "channel": "C1", "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def response(self, request: web.Request) -> web.Response:
        payload = await request.json()
        fut = self.waiting.pop(request.match_info["rid"], None)
        if fut is not None and not fut.done():
            fut.set_result(payload)
        return web.Response(text="ok")

    def expect(self, rid: str) -> asyncio.Future[dict[str, Any]]:
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[rid] = fut
        return fut


def signed(body: str) -> dict[str, str | Sequence[str]]:
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"content-type": "application/x-www-form-urlencoded", "x-slack-signature": f"v0={digest}",
            "x-slack-request-timestamp": ts}


def command_body(text: str, response_url: str, trigger_id: str = "1.2.3") -> str:
    return urlencode({
        "token": "unused", "team_id": "TBENCH", "team_domain": "bench", "channel_id": "C1", "channel_name": "news",
        "user_id": "U1", "user_name": "ann", "command": "/news", "text": text, "api_app_id": "ABENCH",
        "response_url": response_url, "trigger_id": trigger_id,
    })


def make_conversation(app: App) -> tuple[Conversation, str]:
    from bot.service.conversation import conversation_for

    return conversation_for(app), "bot.service.conversation.conversation_for(app)"


async def run(args: argparse.Namespace) -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="bench-commands-") as tmp:
        db = Path(tmp) / "bench.db"
        store = Store.open(f"sqlite:///{db}")
        seeded = seed_and_report(store, alerts=args.alerts, stories=args.stories, days=args.days, now=now)
        config: Config = parse_config({
            "database": f"sqlite:///{db}", "outputs": {"console": {"enabled": False}},
            "sources": source_configs(seeded, tmp),
        }, "bench-commands")
        app = App(config, store, {}, Pipeline(config, store, {}))
        conversation, which = make_conversation(app)
        row("conversation", which)
        slack = StandInSlack()
        await slack.start()
        adapter = SlackAdapter(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, conversation=conversation,
                               base_url=f"http://127.0.0.1:{slack.port}/api/", send_interval=0.0)
        settle_memory()  # as the service does once started (bot.service.app.open_app)
        ids = itertools.count()
        ctx = ChatContext(adapter="slack", channel="C1", user="U1")

        async def once(text: str) -> tuple[float, float, dict[str, Any]]:
            rid = f"r{next(ids)}"
            answer = slack.expect(rid)
            # A trigger id of its own: the adapter drops a command whose trigger it answered (a replay).
            body = command_body(text, f"http://127.0.0.1:{slack.port}/response/{rid}", trigger_id=f"1.2.{rid}")
            start = time.perf_counter()
            resp = await adapter.app.async_dispatch(AsyncBoltRequest(body=body, headers=signed(body)))
            acked = time.perf_counter() - start
            if resp.status != 200:
                raise RuntimeError(f"dispatch answered {resp.status}: {resp.body}")
            payload = await asyncio.wait_for(answer, args.timeout)
            return acked, time.perf_counter() - start, payload

        try:
            print(f"-- latency per command ({args.runs} runs each after {args.warmup} warm-up; "
                  "p50 / p99 / max)")
            for text in args.commands:
                for _ in range(args.warmup):
                    await once(text)
                acks, totals, direct = [], [], []
                payload: dict[str, Any] = {}
                for _ in range(args.runs):
                    a, total, payload = await once(text)
                    acks.append(a)
                    totals.append(total)
                for _ in range(args.runs):
                    start = time.perf_counter()
                    await conversation.command(text, ctx)
                    direct.append(time.perf_counter() - start)
                answer_text = str(payload.get("text", ""))
                print(f"   /news {text}")
                row("  to the answer at response_url",
                    f"{ms(percentile(totals, 50))} / {ms(percentile(totals, 99))} / {ms(max(totals))}")
                row("  ack (async_dispatch returned)", f"{ms(percentile(acks, 50))} / {ms(percentile(acks, 99))}")
                row("  Conversation.command alone", f"{ms(percentile(direct, 50))} / {ms(percentile(direct, 99))}")
                row("  answer", f"{len(payload.get('blocks') or [])} blocks, {len(answer_text)} chars of text: "
                    f"{answer_text[:60]!r}")
        finally:
            await adapter.stop()
            await slack.stop()
            store.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--alerts", type=int, default=100_000, help="stored alerts (default %(default)s)")
    p.add_argument("--stories", type=int, default=5_000, help="stories they belong to (default %(default)s)")
    p.add_argument("--days", type=float, default=30.0, help="days the alerts are spread over (default %(default)s)")
    p.add_argument("--runs", type=int, default=30, help="timed runs per command (default %(default)s)")
    p.add_argument("--warmup", type=int, default=2, help="untimed runs first (default %(default)s)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one answer")
    p.add_argument("--commands", nargs="+", default=list(COMMANDS), metavar="TEXT",
                   help="command texts after /news (default: %(default)s)")
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print_header("/news commands: signed requests through the Slack app over a store of alerts", vars(args))
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
