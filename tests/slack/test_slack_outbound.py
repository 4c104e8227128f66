"""Alerts out: post / reply / edit, chart uploads, 429 retries, escaping, per-channel pacing."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.chat.base import ChatAdapter, ChatError, Posted
from bot.chat.slack import SlackAdapter
from bot.core.models import Line, Message, Span
from tests.slack.slack_fakes import FakeSlack

ALERT = Message(
    headline="Casualty update: Kharkiv",
    lines=(
        Line.of("Killed: ", Span("12", "bold"), " (at least)"),
        Line.of("Reported by ", Span("Reuters", href="https://example.com/article?id=1&lang=en")),
        Line.of(Span("We will rebuild", "quote", lang="uk")),
    ),
)


def dump(call: Any) -> str:
    return json.dumps({"text": call.args.get("text"), "blocks": call.args.get("blocks")}, ensure_ascii=False)


def test_adapter_satisfies_the_protocol(adapter: SlackAdapter) -> None:
    chat: ChatAdapter = adapter
    assert chat.name == "slack"


async def test_post_sends_blocks_and_fallback_text(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    posted = await adapter.post("C111", ALERT)
    (call,) = fake_slack.of("chat.postMessage")
    assert posted == Posted(channel="C111", message_id=call_ts(call, fake_slack))
    args = call.args
    assert args["parse"] == "none" and args["link_names"] is False
    assert "thread_ts" not in args
    types = [b["type"] for b in args["blocks"]]
    assert types == ["header", "section"]
    assert args["blocks"][0]["text"] == {"type": "plain_text", "text": "Casualty update: Kharkiv"}
    section = args["blocks"][1]["text"]
    assert section["type"] == "mrkdwn" and section["verbatim"] is True
    assert section["text"] == (
        "Killed: *12* (at least)\n"
        "Reported by <https://example.com/article?id=1&amp;lang=en|Reuters>\n"
        "_“We will rebuild”_"
    )
    assert args["text"].startswith("Casualty update: Kharkiv\nKilled: 12 (at least)")
    assert call.headers["Authorization"] == "Bearer xoxb-test-token"


def call_ts(call: Any, fake: FakeSlack) -> str:
    # the stand-in numbers its messages; the n-th successful postMessage got ts ...0000n
    index = fake.of("chat.postMessage").index(call) + 1
    return f"1700000000.{index:06d}"


async def test_reply_goes_into_the_thread(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    parent = await adapter.post("C111", ALERT)
    reply = await adapter.reply("C111", parent.message_id, Message(headline="Update", lines=(Line.of("14"),)))
    _, second = fake_slack.of("chat.postMessage")
    assert second.args["thread_ts"] == parent.message_id
    assert reply.message_id != parent.message_id


async def test_edit_updates_the_message(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    posted = await adapter.post("C111", ALERT)
    corrected = Message(headline="Corrected", lines=(Line.of("13"),))
    await adapter.edit(posted.channel, posted.message_id, corrected)
    (update,) = fake_slack.of("chat.update")
    assert update.args["channel"] == "C111"
    assert update.args["ts"] == posted.message_id
    assert update.args["blocks"][0]["text"]["text"] == "Corrected"
    assert update.args["parse"] == "none"


async def test_charts_are_uploaded_after_the_message(
    adapter: SlackAdapter, fake_slack: FakeSlack, tmp_path: Any
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    paths = []
    for name in ("casualties_week.png", "fighting.png"):
        (tmp_path / name).write_bytes(png)
        paths.append(str(tmp_path / name))
    msg = Message(headline="Weekly digest", lines=(Line.of("see charts"),), attachments=tuple(paths))
    posted = await adapter.reply("C111", "1699999999.000001", msg)
    methods = [c.method for c in fake_slack.calls if c.method != "auth.test"]
    assert methods == [
        "chat.postMessage",
        "files.getUploadURLExternal", "files.getUploadURLExternal",
        "upload", "upload",
        "files.completeUploadExternal",
    ]
    urls = fake_slack.of("files.getUploadURLExternal")
    assert [u.args["filename"] for u in urls] == ["casualties_week.png", "fighting.png"]
    assert [u.args["length"] for u in urls] == [str(len(png))] * 2
    uploads = fake_slack.of("upload")
    assert [u.body for u in uploads] == [png, png]
    assert [u.args["file_id"] for u in uploads] == ["F0001", "F0002"]
    (complete,) = fake_slack.of("files.completeUploadExternal")
    assert complete.args["channel_id"] == "C111"
    assert complete.args["thread_ts"] == "1699999999.000001"
    files = json.loads(complete.args["files"])
    assert [f["id"] for f in files] == ["F0001", "F0002"]
    assert files[0]["title"] == "Weekly digest — casualties week"
    assert posted.channel == "C111"


async def test_rate_limited_post_is_retried_after_retry_after(
    adapter: SlackAdapter, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"})
    posted = await adapter.post("C111", ALERT)
    attempts = fake_slack.of("chat.postMessage", ok_only=False)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.95  # waited for Retry-After
    assert len(fake_slack.of("chat.postMessage")) == 1  # posted once
    assert posted.message_id == "1700000000.000001"


async def test_rate_limit_retries_are_bounded(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack
) -> None:
    adapter = make_adapter(rate_limit_retries=1)
    for _ in range(2):
        fake_slack.fail_next("chat.postMessage", 429, {"Retry-After": "0"}, {"ok": False})
    with pytest.raises(ChatError) as failed:
        await adapter.post("C111", ALERT)
    assert not failed.value.permanent and failed.value.retry_after == 0.0  # a rate limit: try again later
    # the failure reached the caller and the channel's queue still works
    await adapter.post("C111", ALERT)
    assert len(fake_slack.of("chat.postMessage")) == 1
    await adapter.stop()


async def test_article_text_cannot_mention_or_link(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    msg = Message(
        headline="<!channel> breaking",
        lines=(
            Line.of("<!here> <@U123> <!subteam^S1> <#C999> & <https://evil.example|click>"),
            Line.of(Span("<!channel>", "bold"), " ", Span("source", href="https://ok.example/a|b>c<d e")),
            Line.of(Span("bad link", href="javascript:alert(1)"), " ", Span("slack", href="slack://open")),
        ),
    )
    await adapter.post("C111", msg)
    (call,) = fake_slack.of("chat.postMessage")
    sent = dump(call)
    controls = ("<!channel>", "<!here>", "<@U123>", "<!subteam", "<#C999>", "<https://evil", "javascript:")
    for control in (*controls, "slack://"):
        assert control not in sent
    assert "&lt;!channel&gt; breaking" in call.args["text"]
    section = call.args["blocks"][1]["text"]["text"]
    assert "&lt;!here&gt; &lt;@U123&gt;" in section
    assert "&amp; &lt;https://evil.example|click&gt;" in section
    assert "*&lt;!channel&gt;*" in section
    assert "<https://ok.example/a%7Cb%3Ec%3Cd%20e|source>" in section
    assert "bad link slack" in section
    header = call.args["blocks"][0]["text"]
    assert header["type"] == "plain_text"
    assert header["text"].replace("\u200b", "") == "<!channel> breaking"  # reads the same, parses as nothing
    assert call.args["parse"] == "none" and call.args["link_names"] is False


async def test_queue_spaces_messages_per_channel_and_keeps_order(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack
) -> None:
    interval = 0.2
    adapter = make_adapter(send_interval=interval)
    busy = [adapter.post("CBUSY", Message(headline=f"alert {i}")) for i in range(5)]
    other = adapter.post("COTHER", Message(headline="other channel"))
    results = await asyncio.gather(*busy, other)
    calls = fake_slack.of("chat.postMessage")
    in_busy = [c for c in calls if c.args["channel"] == "CBUSY"]
    assert [c.args["text"] for c in in_busy] == [f"alert {i}" for i in range(5)]
    gaps = [b.at - a.at for a, b in itertools.pairwise(in_busy)]
    assert all(g >= interval * 0.7 for g in gaps), gaps  # unpaced, they would be ms apart
    (in_other,) = [c for c in calls if c.args["channel"] == "COTHER"]
    assert in_other.at < in_busy[1].at  # another channel does not wait for the busy one
    assert [r.channel for r in results] == ["CBUSY"] * 5 + ["COTHER"]
    assert len({r.message_id for r in results}) == 6
    await adapter.stop()


async def test_failed_chart_upload_still_reports_the_post(
    adapter: SlackAdapter, fake_slack: FakeSlack, tmp_path: Any
) -> None:
    chart = tmp_path / "c.png"
    chart.write_bytes(b"\x89PNG")
    fake_slack.fail_next("files.getUploadURLExternal", 200, body={"ok": False, "error": "not_in_channel"})
    posted = await adapter.post("C111", Message(headline="with chart", attachments=(str(chart),)))
    assert posted.message_id == "1700000000.000001"  # the caller must not post it a second time
    assert len(fake_slack.of("chat.postMessage")) == 1


async def test_empty_message_is_refused_before_slack(adapter: SlackAdapter, fake_slack: FakeSlack) -> None:
    with pytest.raises(ValueError, match="empty message"):
        await adapter.post("C111", Message(headline="  ", lines=(Line.of(" "),)))
    assert fake_slack.of("chat.postMessage") == []


async def test_chart_only_message_posts_fallback_text(
    adapter: SlackAdapter, fake_slack: FakeSlack, tmp_path: Any
) -> None:
    chart = tmp_path / "only.png"
    chart.write_bytes(b"\x89PNG")
    await adapter.post("C111", Message(headline="", attachments=(str(chart),)))
    (call,) = fake_slack.of("chat.postMessage")
    assert "blocks" not in call.args and call.args["text"].strip()
    assert len(fake_slack.of("files.completeUploadExternal")) == 1
