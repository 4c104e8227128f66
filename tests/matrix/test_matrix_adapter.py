"""The Matrix adapter against a real Synapse, with matrix-nio clients playing the humans."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig, RoomGetStateEventResponse

from bot.chat.base import MemoryState
from bot.chat.matrix import MatrixAdapter
from bot.chat.matrix_render import WORD_JOINER
from bot.core.models import Line, Message, Span
from tests.matrix.matrix_helpers import BotAccount, EchoConversation, Human, relation, reply_to, tiny_png
from tests.matrix.synapse_harness import Synapse

pytestmark = pytest.mark.matrix

MakeHuman = Callable[[str], Awaitable[Human]]
MakeBot = Callable[..., Awaitable[MatrixAdapter]]


def from_bot(bot: MatrixAdapter) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("sender") == bot.user_id and e.get("type") == "m.room.message"


def thread_of(event_id: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.thread", "event_id": event_id, "is_falling_back": True,
                             "m.in_reply_to": {"event_id": event_id}}}


async def room_with_bot(make_human: MakeHuman, make_bot: MakeBot, account: BotAccount,
                        **bot_kwargs: Any) -> tuple[Human, MatrixAdapter, str]:
    """Alice creates a room and invites the bot, which accepts because Alice is an allowed inviter."""
    alice = await make_human("alice")
    bot = await make_bot(account, allowed_inviters=[alice.user.user_id], **bot_kwargs)
    room = await alice.create_room(invite=(bot.user_id,))
    await alice.wait_member(room, bot.user_id)
    return alice, bot, room


async def test_command_gets_a_reply_and_admin_flags(make_human: MakeHuman, make_bot: MakeBot,
                                                    bot_account: BotAccount) -> None:
    carol = await make_human("carol")  # listed admin, power level 0
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account,
                                           admin_user_ids=[carol.user.user_id])
    bob = await make_human("bob")  # plain member, power level 0
    for human in (bob, carol):
        await alice.client.room_invite(room, human.user.user_id)
        await human.client.join(room)

    cmd = await alice.send_text(room, "!news casualties")
    [answer] = await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == cmd)
    assert "Casualties for “casualties”" in answer["content"]["body"]
    assert "<b>12</b>" in answer["content"]["formatted_body"]
    assert answer["content"]["m.mentions"] == {"user_ids": [alice.user.user_id]}
    assert "rel_type" not in relation(answer)  # a plain reply outside threads

    bob_cmd = await bob.send_text(room, "!news purge everything")
    carol_cmd = await carol.send_text(room, "!news purge")
    await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == carol_cmd)
    await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == bob_cmd)

    seen = {text: ctx for text, ctx in bot_account.conversation.commands}
    assert seen["casualties"].is_admin is True  # room creator: power level 100
    assert seen["casualties"].user == alice.user.user_id
    assert seen["casualties"].channel == room and seen["casualties"].adapter == "matrix"
    assert seen["casualties"].thread_id is None
    assert seen["purge everything"].is_admin is False
    assert seen["purge"].is_admin is True


async def test_post_escapes_article_text(make_human: MakeHuman, make_bot: MakeBot,
                                         bot_account: BotAccount) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    message = Message(headline="@room <b>x</b>", lines=(
        Line.of("Reported by ", Span("@alice:localhost", "bold"), " & <script>alert(1)</script>"),
        Line.of(Span("source", href="javascript:alert(1)"), " ", Span("link", href="https://example.org/")),
        Line.of(Span("Мы не отступим", "quote", lang="ru")),
    ))
    posted = await bot.post(room, message)
    assert posted.channel == room and posted.message_id.startswith("$")

    [event] = await alice.wait_for(lambda e: e.get("event_id") == posted.message_id)
    content = event["content"]
    assert content["msgtype"] == "m.text" and content["format"] == "org.matrix.custom.html"
    assert "@room" not in content["body"] and "@room" not in content["formatted_body"]
    assert "@alice:localhost" not in content["body"] and "@alice:localhost" not in content["formatted_body"]
    assert f"@{WORD_JOINER}room <b>x</b>" in content["body"]
    assert "&lt;b&gt;x&lt;/b&gt;" in content["formatted_body"]
    assert "&lt;script&gt;" in content["formatted_body"] and "<script" not in content["formatted_body"]
    assert "javascript" not in content["formatted_body"]
    assert '<a href="https://example.org/">link</a>' in content["formatted_body"]
    assert '<blockquote lang="ru">Мы не отступим</blockquote>' in content["formatted_body"]
    assert content["m.mentions"] == {}


async def test_a_send_repeated_with_its_delivery_key_posts_once(make_human: MakeHuman, make_bot: MakeBot,
                                                                  bot_account: BotAccount) -> None:
    """After a crash the bot sends an unconfirmed alert again: the transaction id makes it a no-op."""
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    message = Message(headline="At least 21 killed", meta={"delivery_key": "k-0123456789abcdef"})
    first = await bot.post(room, message)
    again = await bot.post(room, message)
    assert again.message_id == first.message_id
    other = await bot.post(room, Message(headline="At least 21 killed", meta={"delivery_key": "k-other"}))
    assert other.message_id != first.message_id
    await alice.wait_for(lambda e: e.get("event_id") == other.message_id)
    texts = [e for e in alice.events if e.get("content", {}).get("body") == "At least 21 killed"]
    assert len(texts) == 2


async def test_reply_edit_and_chart(make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount,
                                    tmp_path: Path) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    root = await bot.post(room, Message(headline="Fighting near Bakhmut"))
    threaded = await bot.reply(room, root.message_id, Message(headline="Update: clashes resumed"))
    await bot.edit(room, root.message_id, Message(headline="Fighting near Bakhmut (corrected)"))
    chart = tiny_png(tmp_path / "casualties.png", 3, 2, rgb=b"\xff\x00\x00")
    with_chart = await bot.post(room, Message(headline="Casualties chart", attachments=(str(chart),)))

    [in_thread] = await alice.wait_for(lambda e: e.get("event_id") == threaded.message_id)
    assert relation(in_thread)["rel_type"] == "m.thread"
    assert relation(in_thread)["event_id"] == root.message_id
    assert relation(in_thread)["is_falling_back"] is True
    assert reply_to(in_thread) == root.message_id

    [edit] = await alice.wait_for(lambda e: relation(e).get("rel_type") == "m.replace")
    assert relation(edit)["event_id"] == root.message_id
    assert edit["content"]["body"].startswith("* ")
    assert edit["content"]["m.new_content"]["body"] == "Fighting near Bakhmut (corrected)"

    [image] = await alice.wait_for(lambda e: (e.get("content") or {}).get("msgtype") == "m.image")
    assert image["content"]["url"].startswith("mxc://localhost/")
    assert image["content"]["info"] == {"mimetype": "image/png", "size": chart.stat().st_size, "w": 3, "h": 2}
    texts = [e["event_id"] for e in alice.events if from_bot(bot)(e)]
    assert texts.index(with_chart.message_id) < texts.index(image["event_id"])


async def test_follow_up_questions_in_threads(make_human: MakeHuman, make_bot: MakeBot,
                                              bot_account: BotAccount) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    bot_account.conversation.our_threads = set()
    root = await bot.post(room, Message(headline="12 killed in Kharkiv"))
    bot_account.conversation.our_threads.add(root.message_id)

    # A plain question in the thread of a bot message.
    question = await alice.send_text(room, "who reported it?", **thread_of(root.message_id))
    [answer] = await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == question)
    assert relation(answer)["rel_type"] == "m.thread" and relation(answer)["event_id"] == root.message_id
    assert answer["content"]["body"] == "Answer to: who reported it?"
    text, ctx = bot_account.conversation.questions[-1]
    assert (text, ctx.thread_id, ctx.user) == ("who reported it?", root.message_id, alice.user.user_id)

    # A command inside the thread is answered in the thread.
    cmd = await alice.send_text(room, "!news casualties", **thread_of(root.message_id))
    [answer] = await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == cmd)
    assert relation(answer)["rel_type"] == "m.thread" and relation(answer)["event_id"] == root.message_id
    assert bot_account.conversation.commands[-1][1].thread_id == root.message_id

    # In a thread rooted at a human message: only a mention of the bot makes it listen, and the
    # conversation decides whether the thread is one of ours.
    human_root = await alice.send_text(room, "Did you see the news?")
    ignored = await alice.send_text(room, "not for the bot", **thread_of(human_root))
    bot_account.conversation.our_threads.add(human_root)
    mention = await alice.send_text(
        room, f"{bot.user_id} how many wounded?", **thread_of(human_root),
        **{"m.mentions": {"user_ids": [bot.user_id]}})
    [answer] = await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == mention)
    assert relation(answer)["event_id"] == human_root
    assert answer["content"]["body"] == "Answer to: how many wounded?"
    assert not [e for e in alice.events if reply_to(e) == ignored]

    # Follow-up returning None (not our thread): no answer.
    other_root = await bot.post(room, Message(headline="not tracked"))
    silent = await alice.send_text(room, "anyone?", **thread_of(other_root.message_id))
    done = await alice.send_text(room, "!news done")
    await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == done)
    assert not [e for e in alice.events if reply_to(e) == silent]


async def test_own_messages_and_edits_are_ignored(make_human: MakeHuman, make_bot: MakeBot,
                                                  bot_account: BotAccount) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    await bot.post(room, Message(headline="!news loop"))
    original = await alice.send_text(room, "hello")
    await alice.send_text(room, "* !news edited", **{
        "m.new_content": {"msgtype": "m.text", "body": "!news edited"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original}})
    await alice.client.room_send(room, "m.room.message", {"msgtype": "m.notice", "body": "!news notice"})
    last = await alice.send_text(room, "!news last")
    await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == last)
    assert [text for text, _ in bot_account.conversation.commands] == ["last"]


async def test_restart_neither_repeats_nor_misses(synapse: Synapse, make_human: MakeHuman,
                                                  make_bot: MakeBot, bot_account: BotAccount) -> None:
    alice = await make_human("alice")
    room = await alice.create_room(invite=(bot_account.user.user_id,))
    # The bot account was in the room before the adapter ever ran; that history is not for it.
    raw = AsyncClient(synapse.url, bot_account.user.user_id,
                      config=AsyncClientConfig(encryption_enabled=False))
    raw.restore_login(bot_account.user.user_id, bot_account.user.device_id, bot_account.user.access_token)
    await raw.join(room)
    await raw.close()
    old = await alice.send_text(room, "!news before-first-start")

    first = await make_bot(bot_account, allowed_inviters=[alice.user.user_id])
    one = await alice.send_text(room, "!news one")
    await alice.wait_for(lambda e: from_bot(first)(e) and reply_to(e) == one)
    key = f"matrix:{bot_account.user.user_id}:next_batch"
    assert bot_account.state.get_state(key)
    await first.stop()

    two = await alice.send_text(room, "!news two")  # while the bot is down
    second = await make_bot(bot_account, allowed_inviters=[alice.user.user_id])
    await alice.wait_for(lambda e: from_bot(second)(e) and reply_to(e) == two)
    three = await alice.send_text(room, "!news three")
    await alice.wait_for(lambda e: from_bot(second)(e) and reply_to(e) == three)

    assert [text for text, _ in bot_account.conversation.commands] == ["one", "two", "three"]
    assert len([e for e in alice.events if reply_to(e) == one]) == 1
    assert not [e for e in alice.events if reply_to(e) == old]
    # Password logins reuse the device recorded at the first start.
    device_key = f"matrix:{bot_account.user.user_id}:device_id"
    assert bot_account.state.get_state(device_key) == second.client.device_id


async def test_stop_finishes_the_batch_being_answered(make_human: MakeHuman, make_bot: MakeBot,
                                                      bot_account: BotAccount) -> None:
    alice, first, room = await room_with_bot(make_human, make_bot, bot_account)
    bot_account.conversation.delay = 0.5
    slow = await alice.send_text(room, "!news slow")
    while not bot_account.conversation.commands:
        await asyncio.sleep(0.02)
    await first.stop()  # while the answer is being prepared
    bot_account.conversation.delay = 0.0
    second = await make_bot(bot_account, allowed_inviters=[alice.user.user_id])
    after = await alice.send_text(room, "!news after")
    await alice.wait_for(lambda e: from_bot(second)(e) and reply_to(e) == after)
    assert [text for text, _ in bot_account.conversation.commands] == ["slow", "after"]
    assert len([e for e in alice.events if reply_to(e) == slow]) == 1


async def test_restart_back_fills_a_long_absence(make_human: MakeHuman, make_bot: MakeBot,
                                                  bot_account: BotAccount) -> None:
    alice, first, room = await room_with_bot(make_human, make_bot, bot_account, timeline_limit=3)
    await first.stop()
    sent = [await alice.send_text(room, f"!news missed {i}") for i in range(8)]  # > timeline limit
    await alice.send_text(room, "chatter")
    second = await make_bot(bot_account, allowed_inviters=[alice.user.user_id], timeline_limit=3)
    await alice.wait_for(lambda e: from_bot(second)(e) and reply_to(e) == sent[-1])
    await alice.wait_for(lambda e: from_bot(second)(e) and reply_to(e) in sent, count=len(sent))
    assert [text for text, _ in bot_account.conversation.commands] == [f"missed {i}" for i in range(8)]


async def test_history_before_joining_is_not_answered(make_human: MakeHuman, make_bot: MakeBot,
                                                      bot_account: BotAccount) -> None:
    alice = await make_human("alice")
    bot = await make_bot(bot_account, allowed_inviters=[alice.user.user_id])
    room = await alice.create_room()
    before = await alice.send_text(room, "!news before-join")
    await alice.client.room_invite(room, bot.user_id)
    await alice.wait_member(room, bot.user_id)
    after = await alice.send_text(room, "!news after-join")
    await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == after)
    assert [text for text, _ in bot_account.conversation.commands] == ["after-join"]
    assert not [e for e in alice.events if reply_to(e) == before]


async def test_access_token_login(synapse: Synapse, make_human: MakeHuman, make_bot: MakeBot,
                                  bot_account: BotAccount) -> None:
    alice = await make_human("alice")
    bot = await make_bot(bot_account, access_token=bot_account.user.access_token,
                         allowed_inviters=[alice.user.user_id])
    room = await alice.create_room(invite=(bot.user_id,))
    await alice.wait_member(room, bot.user_id)
    cmd = await alice.send_text(room, "!news token")
    await alice.wait_for(lambda e: from_bot(bot)(e) and reply_to(e) == cmd)

    # A second, never started instance (e.g. a one-shot delivery) logs in on its first post.
    oneshot = MatrixAdapter(homeserver=synapse.url, user_id=bot.user_id, conversation=EchoConversation(),
                            state=MemoryState(), access_token=bot_account.user.access_token)
    try:
        posted = await oneshot.post(room, Message(headline="one-shot alert"))
    finally:
        await oneshot.stop()
    [event] = await alice.wait_for(lambda e: e.get("event_id") == posted.message_id)
    assert event["content"]["body"] == "one-shot alert"


async def test_invites_only_from_allowed_users(make_human: MakeHuman, make_bot: MakeBot,
                                               bot_account: BotAccount) -> None:
    alice = await make_human("alice")
    mallory = await make_human("mallory")
    bot = await make_bot(bot_account, allowed_inviters=[alice.user.user_id])
    bad_room = await mallory.create_room(invite=(bot.user_id,))
    good_room = await alice.create_room(invite=(bot.user_id,))
    await alice.wait_member(good_room, bot.user_id)

    deadline = time.monotonic() + 10
    membership = None
    while time.monotonic() < deadline:
        resp = await mallory.client.room_get_state_event(bad_room, "m.room.member", bot.user_id)
        membership = resp.content.get("membership") if isinstance(resp, RoomGetStateEventResponse) else None
        if membership == "leave":
            break
        await asyncio.sleep(0.1)
    assert membership == "leave"  # the invite was rejected
    assert bot.user_id not in await mallory.members(bad_room)


async def test_rate_limited_sends_are_retried_not_lost(synapse: Synapse, make_human: MakeHuman,
                                                       make_bot: MakeBot, bot_account: BotAccount,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    synapse.override_ratelimit(bot.user_id, messages_per_second=1, burst_count=1)
    caplog.set_level(logging.WARNING, logger="bot.chat.matrix")

    started = time.monotonic()
    posted = [await bot.post(room, Message(headline=f"alert {i}")) for i in range(3)]
    elapsed = time.monotonic() - started

    events = await alice.wait_for(lambda e: from_bot(bot)(e) and e["content"]["body"].startswith("alert "),
                                  count=3)
    assert [e["content"]["body"] for e in events] == [f"alert {i}" for i in range(3)]
    assert [e["event_id"] for e in events] == [p.message_id for p in posted]
    assert any("M_LIMIT_EXCEEDED" in r.getMessage() for r in caplog.records)
    assert elapsed >= 1.5, elapsed  # the server really made us wait
