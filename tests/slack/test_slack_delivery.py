"""Delivery mechanics on Slack, through the adapter's HTTP endpoint and the stand-in Web API:
only signed requests are read, retried events and commands get one answer (also after a restart),
429s are waited out and never drop an answer, Slack's refusals are classified."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.chat.base import ChatError, MemoryState
from bot.chat.slack import SlackAdapter
from bot.core.models import Line, Message
from tests.slack.slack_fakes import FakeConversation, FakeSlack, command_body, event_body, signed_headers

THREAD = "1700000000.000100"


@pytest.fixture
async def served(make_adapter: Callable[..., SlackAdapter]) -> AsyncIterator[Callable[..., Any]]:
    started: list[SlackAdapter] = []

    async def start(**kwargs: Any) -> SlackAdapter:
        adapter = make_adapter(port=0, **kwargs)
        await adapter.start()
        started.append(adapter)
        return adapter

    yield start
    for adapter in started:
        await adapter.stop()


async def post(adapter: SlackAdapter, body: str | bytes, headers: dict[str, str]) -> tuple[int, str]:
    url = f"http://127.0.0.1:{adapter.bound_port}/slack/events"
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def thread_question(text: str, ts: str = "1700000100.000200") -> dict[str, Any]:
    return {"type": "message", "channel": "C111", "user": "U222", "text": text, "ts": ts, "event_ts": ts,
            "thread_ts": THREAD, "channel_type": "channel"}


async def test_unsigned_or_malformed_requests_get_401_and_one_log_line(
        served: Callable[..., Any], caplog: pytest.LogCaptureFixture, conversation: FakeConversation) -> None:
    adapter = await served()
    caplog.set_level(logging.DEBUG)
    for body, headers in [
        (b"\xff\xfe{{{ not json", {"content-type": "application/json"}),  # garbage, no signature
        (b"payload=%7B%7B%7B", {"content-type": "application/x-www-form-urlencoded",
                                "x-slack-signature": "v0=00", "x-slack-request-timestamp": "1"}),
        (b"", {}),
    ]:
        caplog.clear()
        status, _ = await post(adapter, body, headers)
        assert status == 401
        refusals = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(refusals) == 1 and "signature" in refusals[0].getMessage()
        assert not any(r.exc_info for r in caplog.records), "no traceback for a refused request"
    signed_garbage = '{"type": "event_callback", "event": '  # signed but cut short
    caplog.clear()
    status, _ = await post(adapter, signed_garbage, signed_headers(signed_garbage, content_type="application/json"))
    assert status in (400, 401)
    assert not any(r.exc_info for r in caplog.records)
    assert conversation.commands == [] and conversation.follow_ups == []


async def test_an_event_retried_by_slack_is_answered_once_even_after_a_restart(
        served: Callable[..., Any], fake_slack: FakeSlack, conversation: FakeConversation) -> None:
    state = MemoryState()  # one shared by two adapters stands for the database across a restart
    first = await served(state=state)
    body = event_body(thread_question("who said it?"), "Ev100")
    headers = signed_headers(body, content_type="application/json")
    assert (await post(first, body, headers))[0] == 200
    await fake_slack.wait_for("chat.postMessage")
    await first.stop()
    second = await served(state=state)  # restarted: its in-memory dedup is empty
    for n in (1, 2):
        retry = {**signed_headers(body, content_type="application/json"),
                 "x-slack-retry-num": str(n), "x-slack-retry-reason": "http_timeout"}
        assert (await post(second, body, retry))[0] == 200
    await asyncio.sleep(0.3)
    assert len(fake_slack.of("chat.postMessage")) == 1
    assert len(conversation.follow_ups) == 1


async def test_a_retry_after_a_crash_between_answer_and_record_finds_the_answer(
        served: Callable[..., Any], fake_slack: FakeSlack, conversation: FakeConversation) -> None:
    first = await served()  # its record dies with it (no shared state): as if killed after posting
    body = event_body(thread_question("where?"), "Ev200")
    assert (await post(first, body, signed_headers(body, content_type="application/json")))[0] == 200
    await fake_slack.wait_for("chat.postMessage")
    await first.stop()
    second = await served()
    retry = {**signed_headers(body, content_type="application/json"), "x-slack-retry-num": "1"}
    assert (await post(second, body, retry))[0] == 200
    await fake_slack.wait_for("conversations.replies")
    await asyncio.sleep(0.3)
    assert len(fake_slack.of("chat.postMessage")) == 1  # the answer was found in the thread, not re-posted


async def test_a_command_delivered_twice_is_answered_once(
        served: Callable[..., Any], fake_slack: FakeSlack, conversation: FakeConversation) -> None:
    adapter = await served()
    body = command_body("casualties", fake_slack.response_url())
    for _ in range(2):
        assert (await post(adapter, body, signed_headers(body)))[0] == 200
    await fake_slack.wait_for("response")
    await asyncio.sleep(0.3)
    assert len(fake_slack.of("response")) == 1 and len(conversation.commands) == 1


async def test_four_429s_in_a_row_do_not_drop_a_thread_answer_and_pacing_restarts_after(
        served: Callable[..., Any], fake_slack: FakeSlack) -> None:
    adapter = await served(send_interval=0.5)
    for _ in range(4):
        fake_slack.fail_next("chat.postMessage", 429, {"Retry-After": "0.2"}, {"ok": False, "error": "ratelimited"})
    body = event_body(thread_question("how many?"), "Ev300")
    assert (await post(adapter, body, signed_headers(body, content_type="application/json")))[0] == 200
    (answer,) = await fake_slack.wait_for("chat.postMessage", timeout=10)
    attempts = fake_slack.of("chat.postMessage", ok_only=False)
    assert [a.status for a in attempts] == [429, 429, 429, 429, 200]
    assert all(b.at - a.at >= 0.19 for a, b in itertools.pairwise(attempts))  # Retry-After kept
    await adapter.post("C111", Message("next", lines=(Line.of("after the rate limit"),)))
    after = fake_slack.of("chat.postMessage")[-1]
    assert after.at - answer.at >= 0.45  # one interval after the end of the send, not 19 ms


async def test_slack_refusals_are_classified(make_adapter: Callable[..., SlackAdapter],
                                             fake_slack: FakeSlack) -> None:
    adapter = make_adapter()
    try:
        for error, permanent, wide in [("channel_not_found", True, True), ("not_in_channel", True, True),
                                       ("is_archived", True, True), ("invalid_blocks", True, False),
                                       ("internal_error", False, False)]:
            fake_slack.fail_next("chat.postMessage", 200, {}, {"ok": False, "error": error})
            with pytest.raises(ChatError) as failed:
                await adapter.post("C404", Message("x"))
            assert (failed.value.reason, failed.value.permanent, failed.value.channel_wide) == (error, permanent, wide)
        for _ in range(3):  # a 5xx is tried again twice within the call, then reported as transient
            fake_slack.fail_next("chat.postMessage", 503, {}, {"ok": False})
        with pytest.raises(ChatError) as failed:
            await adapter.post("C404", Message("x"))
        assert not failed.value.permanent and failed.value.reason == "HTTP 503"
        fake_slack.fail_next("chat.postMessage", 502, {}, {"ok": False})
        before = len(fake_slack.of("chat.postMessage", ok_only=False))
        await adapter.post("C404", Message("x"))  # one 502, then posted
        statuses = [c.status for c in fake_slack.of("chat.postMessage", ok_only=False)[before:]]
        assert statuses == [502, 200]
    finally:
        await adapter.stop()


async def test_a_huge_command_is_not_echoed(served: Callable[..., Any], fake_slack: FakeSlack,
                                            conversation: FakeConversation) -> None:
    adapter = await served()
    body = command_body("casualties " + "x" * 20_000, fake_slack.response_url())
    assert (await post(adapter, body, signed_headers(body)))[0] == 200
    (answer,) = await fake_slack.wait_for("response")
    assert len(str(answer.args)) < 3000 and "20011 characters" in answer.args["text"]
    assert conversation.commands == []


async def test_a_huge_message_stays_within_slacks_limits_with_a_marker(
        make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack) -> None:
    adapter = make_adapter()
    try:
        lines = tuple(Line.of(f"line {n}: " + "word " * 120) for n in range(400))  # ~250,000 characters
        await adapter.post("C111", Message("H" * 500, lines=lines))
        (call,) = fake_slack.of("chat.postMessage")
        blocks = json.loads(call.args["blocks"]) if isinstance(call.args["blocks"], str) else call.args["blocks"]
        assert len(blocks) <= 50 and len(call.args["text"]) <= 40_000
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
        assert all(len(b["text"]["text"]) <= 150 for b in blocks if b["type"] == "header")
        assert "shortened" in json.dumps(blocks[-1])
    finally:
        await adapter.stop()
