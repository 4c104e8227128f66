"""Requests from Slack into the real Bolt app: /news, request signing, thread follow-ups."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.chat.slack import SlackAdapter
from tests.slack.slack_fakes import (
    BOT_USER,
    FakeConversation,
    FakeSlack,
    command_body,
    event_body,
    signed_headers,
)

THREAD = "1700000000.000100"


async def dispatch(adapter: SlackAdapter, body: str, headers: dict[str, str]) -> Any:
    return await adapter.app.async_dispatch(AsyncBoltRequest(body=body, headers=dict(headers.items())))


async def news(adapter: SlackAdapter, fake: FakeSlack, text: str, **kw: Any) -> Any:
    body = command_body(text, fake.response_url(), **kw)
    return await dispatch(adapter, body, signed_headers(body))


async def test_ack_is_not_held_back_by_a_command_that_computes_without_yielding(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    conversation.blocking_s = 3.5  # longer than Slack waits for the ack
    started = time.monotonic()
    resp = await news(adapter, fake_slack, "casualties")
    assert resp.status == 200
    assert time.monotonic() - started < 1.0
    (answer,) = await fake_slack.wait_for("response", timeout=10)
    assert "Casualty figures" in json.dumps(answer.args["blocks"])


def test_our_signature_matches_slack_sdk() -> None:
    body = "a=1&b=2"
    headers = signed_headers(body)
    verifier = SignatureVerifier("test-signing-secret")
    assert verifier.is_valid(body, headers["x-slack-request-timestamp"], headers["x-slack-signature"])


async def test_news_command_acks_and_answers_ephemerally(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    started = time.monotonic()
    resp = await news(adapter, fake_slack, "casualties")
    assert resp.status == 200
    assert time.monotonic() - started < 1.0  # ack well within Slack's 3 s
    (answer,) = await fake_slack.wait_for("response")
    assert answer.args["response_type"] == "ephemeral"
    assert "Casualty figures" in json.dumps(answer.args["blocks"])
    assert "You asked: *casualties*" in json.dumps(answer.args["blocks"])
    assert "casualties" in answer.args["text"]
    (text, ctx), = conversation.commands
    assert text == "casualties"
    assert (ctx.adapter, ctx.channel, ctx.user, ctx.is_admin) == ("slack", "C111", "U111", False)


async def test_news_acks_before_the_answer_is_ready(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    conversation.gate = asyncio.Event()
    resp = await asyncio.wait_for(news(adapter, fake_slack, "casualties"), 2.5)
    assert resp.status == 200 and resp.body == ""  # the empty ack; the answer is still being made
    await asyncio.sleep(0.2)  # the command starts right after the ack has gone out
    assert conversation.commands and fake_slack.of("response") == []
    conversation.gate.set()
    (answer,) = await fake_slack.wait_for("response")
    assert "casualties" in answer.args["text"]


async def test_news_public_flag_is_stripped_and_answers_in_channel(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    resp = await news(adapter, fake_slack, "casualties --public since monday", user="UADMIN")
    assert resp.status == 200
    (answer,) = await fake_slack.wait_for("response")
    assert answer.args["response_type"] == "in_channel"
    (text, ctx), = conversation.commands
    assert text == "casualties since monday"
    assert ctx.is_admin


async def test_news_error_is_explained_to_the_user(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    await news(adapter, fake_slack, "bad grammar --public")
    await news(adapter, fake_slack, "boom")
    first, second = await fake_slack.wait_for("response", 2)
    by_text = {c.args["text"]: c.args for c in (first, second)}
    user_error = next(a for t, a in by_text.items() if "bad grammar" in t)
    internal = next(a for t, a in by_text.items() if "boom" in t)
    assert user_error["response_type"] == "ephemeral"  # errors never go public
    assert "unknown command 'bad'; try /news help" in user_error["text"]
    assert "RuntimeError" in internal["text"] and "logged" in internal["text"]
    assert "database is on fire" not in internal["text"]  # internals stay in the log


async def test_news_with_charts_public_uploads_them(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation, tmp_path: Any
) -> None:
    chart = tmp_path / "casualties.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\nchart")
    conversation.attachments = (str(chart),)
    await news(adapter, fake_slack, "casualties --public")
    await fake_slack.wait_for("response")
    (complete,) = await fake_slack.wait_for("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C111"
    assert fake_slack.of("upload")[0].body == chart.read_bytes()


async def test_news_with_charts_ephemeral_says_how_to_get_them(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation, tmp_path: Any
) -> None:
    conversation.attachments = (str(tmp_path / "c.png"),)
    await news(adapter, fake_slack, "casualties")
    (answer,) = await fake_slack.wait_for("response")
    assert "--public" in json.dumps(answer.args["blocks"])
    assert not fake_slack.of("files.getUploadURLExternal")


async def test_bad_signature_is_rejected(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    body = command_body("casualties", fake_slack.response_url())
    resp = await dispatch(adapter, body, signed_headers(body, secret="not-the-secret"))
    assert resp.status == 401
    tampered = signed_headers(body)
    resp = await dispatch(adapter, body.replace("casualties", "casualtiez"), tampered)
    assert resp.status == 401
    await asyncio.sleep(0.05)
    assert conversation.commands == []
    assert fake_slack.of("response") == []


async def test_stale_timestamp_is_rejected(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    body = command_body("casualties", fake_slack.response_url())
    resp = await dispatch(adapter, body, signed_headers(body, timestamp=int(time.time()) - 6 * 60))
    assert resp.status == 401
    await asyncio.sleep(0.05)
    assert conversation.commands == []


async def test_url_verification_challenge(adapter: SlackAdapter) -> None:
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    resp = await dispatch(adapter, body, signed_headers(body, content_type="application/json"))
    assert resp.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in resp.body


def message_event(text: str, *, ts: str = "1700000100.000200", thread_ts: str | None = THREAD,
                  **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "message", "channel": "C111", "user": "U222", "text": text,
                             "ts": ts, "event_ts": ts, "channel_type": "channel"}
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


async def send_event(adapter: SlackAdapter, event: dict[str, Any], event_id: str = "Ev0001") -> Any:
    body = event_body(event, event_id)
    return await dispatch(adapter, body, signed_headers(body, content_type="application/json"))


async def test_thread_message_gets_an_answer_in_the_thread(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    resp = await send_event(adapter, message_event("how many &lt;exactly&gt;?"))
    assert resp.status == 200
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C111"
    assert posted.args["thread_ts"] == THREAD
    assert "Answer: how many &lt;exactly&gt;?" in posted.args["text"]
    (question, ctx), = conversation.follow_ups
    assert question == "how many <exactly>?"  # Slack's entities decoded for the core
    assert (ctx.thread_id, ctx.user, ctx.channel) == (THREAD, "U222", "C111")


async def test_mention_in_thread_is_answered_once(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    text = f"<@{BOT_USER}> and wounded?"
    await send_event(adapter, {**message_event(text), "type": "app_mention"}, "Ev1")
    await send_event(adapter, message_event(text), "Ev2")  # the same message, as a message event
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == THREAD
    await asyncio.sleep(0.1)
    assert len(fake_slack.of("chat.postMessage")) == 1
    assert [q for q, _ in conversation.follow_ups] == ["and wounded?"]


async def test_messages_that_are_not_follow_ups_are_ignored(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    events = [
        message_event("top level", thread_ts=None),
        message_event("thread parent", ts=THREAD),
        message_event("from a bot", bot_id="B999"),
        message_event("from ourselves", user=BOT_USER),
        message_event("edited", subtype="message_changed"),
        message_event("someone joined", subtype="channel_join"),
    ]
    for i, event in enumerate(events):
        resp = await send_event(adapter, event, f"Ev{i}")
        assert resp.status == 200
    await asyncio.sleep(0.2)
    assert conversation.follow_ups == []
    assert fake_slack.of("chat.postMessage") == []


async def test_thread_that_is_not_ours_gets_no_answer(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    await send_event(adapter, message_event("unrelated chat", thread_ts="1600000000.000001"))
    await asyncio.sleep(0.2)
    assert len(conversation.follow_ups) == 1
    assert fake_slack.of("chat.postMessage") == []


async def test_http_mode_serves_on_loopback(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack
) -> None:
    adapter = make_adapter(port=0)
    assert adapter.host == "127.0.0.1"
    await adapter.start()
    try:
        port = adapter.bound_port
        assert port
        body = command_body("casualties", fake_slack.response_url())
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/slack/events"
            async with session.post(url, data=body, headers=signed_headers(body)) as resp:
                assert resp.status == 200
            async with session.post(url, data=body, headers=signed_headers(body, secret="x")) as resp:
                assert resp.status == 401
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                assert resp.status == 200
        await fake_slack.wait_for("response")
    finally:
        await adapter.stop()
    assert adapter.bound_port is None


async def test_mention_outside_our_threads_gets_a_hint(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    mention = {"type": "app_mention", "channel": "C111", "user": "U222", "text": f"<@{BOT_USER}> hi",
               "ts": "1700000300.000001", "event_ts": "1700000300.000001"}
    await send_event(adapter, mention, "Ev1")  # top level: a hint in a new thread under it
    await send_event(adapter, {**mention, "ts": "1700000301.000001", "thread_ts": "1600000000.000001"}, "Ev2")
    first, second = await fake_slack.wait_for("chat.postMessage", 2)
    threads = sorted([first.args["thread_ts"], second.args["thread_ts"]])
    assert threads == ["1600000000.000001", "1700000300.000001"]
    assert all("/news help" in c.args["text"] for c in (first, second))
    assert [q for q, _ in conversation.follow_ups] == ["hi"]  # only the thread reply was a question


async def test_failing_follow_up_is_logged_and_only_a_mention_gets_an_apology(
    adapter: SlackAdapter, fake_slack: FakeSlack, conversation: FakeConversation,
    monkeypatch: Any, caplog: Any,
) -> None:
    async def broken(question: str, ctx: Any) -> None:
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(conversation, "follow_up", broken)
    await send_event(adapter, message_event("plain reply"), "Ev1")
    await asyncio.sleep(0.2)
    assert fake_slack.of("chat.postMessage") == []  # no noise in threads that may not be ours
    assert "follow-up in C111" in caplog.text
    await send_event(adapter, message_event(f"<@{BOT_USER}> and now?", ts="1700000100.000300"), "Ev2")
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted.args["thread_ts"] == THREAD and "Sorry" in posted.args["text"]


async def test_the_adapters_own_words_follow_the_channels_language(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack
) -> None:
    adapter = make_adapter(languages={"CFR": "fr"})
    try:
        await news(adapter, fake_slack, "boom", channel="CFR")
        await news(adapter, fake_slack, "x" * 20_000, channel="CFR")
        await news(adapter, fake_slack, "x" * 20_000, channel="C111")
        texts = [c.args["text"] for c in await fake_slack.wait_for("response", 3)]
    finally:
        await adapter.stop()
    assert any(t.startswith("Désolé, /news boom a échoué") and "RuntimeError" in t for t in texts), texts
    assert any(t.startswith("Ce message fait 20000 caractères") for t in texts), texts
    assert any(t.startswith("That message is 20000 characters long") for t in texts), texts
