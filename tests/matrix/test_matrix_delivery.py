"""Delivery mechanics on Matrix against the real Synapse: event size limits, overlong input, errors the
homeserver gives for good, an encrypted room's one notice, charts as images from the media repo."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.chat.matrix import MAX_INPUT_CHARS, MatrixAdapter, MatrixError
from bot.core.models import Line, Message
from tests.matrix.matrix_helpers import BotAccount, Human, reply_to, tiny_png
from tests.matrix.synapse_harness import Synapse

pytestmark = pytest.mark.matrix

MakeHuman = Callable[[str], Awaitable[Human]]
MakeBot = Callable[..., Awaitable[MatrixAdapter]]
EVENT_LIMIT = 65_536


async def room_with_bot(make_human: MakeHuman, make_bot: MakeBot, account: BotAccount,
                        **room: Any) -> tuple[Human, MatrixAdapter, str]:
    alice = await make_human("alice")
    bot = await make_bot(account, allowed_inviters=[alice.user.user_id])
    room_id = await alice.create_room(invite=(bot.user_id,), **room)
    await alice.wait_member(room_id, bot.user_id)
    return alice, bot, room_id


async def test_a_20000_character_command_gets_a_short_answer_not_an_echo(
        make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    huge = await alice.send_text(room, "!news casualties " + "x" * 20_000)
    (answer,) = await alice.wait_for(lambda e: e.get("sender") == bot.user_id and reply_to(e) == huge)
    body = answer["content"]["body"]
    assert "x" * 100 not in body and str(MAX_INPUT_CHARS) in body
    assert bot_account.conversation.commands == []  # never handed on


async def test_an_answer_larger_than_an_event_is_cut_with_a_marker(
        make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    lines = tuple(Line.of(f"line {n}: " + "é<b>" * 60) for n in range(1500))  # ~1 MB once escaped
    posted = await bot.post(room, Message("A very long answer", lines=lines))
    (event,) = await alice.wait_for(lambda e: e.get("event_id") == posted.message_id)
    content = event["content"]
    assert len(json.dumps(event, ensure_ascii=False).encode()) < EVENT_LIMIT
    assert "line 0:" in content["body"] and "more line(s) did not fit" in content["body"]
    assert "more line(s) did not fit" in content["formatted_body"]


async def test_a_room_the_bot_may_not_post_in_is_a_permanent_error(
        make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount) -> None:
    alice = await make_human("alice")
    bot = await make_bot(bot_account)
    closed = await alice.create_room()  # the bot was never invited
    with pytest.raises(MatrixError) as refused:
        await bot.post(closed, Message("hello"))
    assert refused.value.permanent and refused.value.channel_wide
    assert refused.value.errcode == "M_FORBIDDEN"


async def test_an_encrypted_room_gets_one_notice_remembered_across_restarts(
        synapse: Synapse, make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount) -> None:
    encryption = {"type": "m.room.encryption", "state_key": "",
                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}}
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account, initial_state=[encryption])

    def notice(e: dict[str, Any]) -> bool:
        return (e.get("sender") == bot.user_id and e.get("room_id") == room
                and (e.get("content") or {}).get("msgtype") == "m.notice")

    (first,) = await alice.wait_for(notice, timeout=20)
    assert "encrypted" in first["content"]["body"] and "!news" in first["content"]["body"]
    await bot.stop()
    again = await make_bot(bot_account, allowed_inviters=[alice.user.user_id])
    await alice.send_text(room, "hello")  # something for the restarted bot to sync
    await asyncio.sleep(3.0)
    await alice.sync(500)
    assert len([e for e in alice.events if notice(e)]) == 1
    assert again.running


async def test_a_chart_attached_to_a_thread_is_an_image_from_the_media_repo_sent_once(
        make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount, tmp_path: Path) -> None:
    alice, bot, room = await room_with_bot(make_human, make_bot, bot_account)
    root = await bot.post(room, Message("Tripoli: 47 killed"))
    chart = Message("Tripoli", attachments=(str(tiny_png(tmp_path / "story-1-en.png")),),
                    meta={"delivery_key": "chart-test-key"})
    for _ in range(2):  # sent again after a crash: the same transaction, one image
        await bot.attach(room, root.message_id, chart)

    def image(e: dict[str, Any]) -> bool:
        return e.get("sender") == bot.user_id and (e.get("content") or {}).get("msgtype") == "m.image"

    (event,) = await alice.wait_for(image)
    assert event["content"]["url"].startswith("mxc://") and event["content"]["info"]["w"] == 4
    assert event["content"]["m.relates_to"]["rel_type"] == "m.thread"
    assert event["content"]["m.relates_to"]["event_id"] == root.message_id
    await asyncio.sleep(1.0)
    await alice.sync(300)
    assert len([e for e in alice.events if image(e)]) == 1


async def test_an_answer_the_homeserver_fails_for_a_while_is_sent_once_not_dropped(
        make_human: MakeHuman, make_bot: MakeBot, bot_account: BotAccount) -> None:
    from nio import ErrorResponse

    alice = await make_human("alice")
    bot = await make_bot(bot_account, allowed_inviters=[alice.user.user_id], send_attempts=1)
    room = await alice.create_room(invite=(bot.user_id,))
    await alice.wait_member(room, bot.user_id)
    real_send = bot.client.room_send
    failures = 0

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        nonlocal failures
        if failures < 3:  # a proxy in front of the homeserver answers 502 three times
            failures += 1
            return ErrorResponse("502 Bad Gateway", "M_UNKNOWN")
        return await real_send(*args, **kwargs)

    bot.client.room_send = flaky
    asked = await alice.send_text(room, "!news casualties")
    await alice.wait_for(lambda e: e.get("sender") == bot.user_id and reply_to(e) == asked, timeout=30)
    assert failures == 3
    await asyncio.sleep(1.5)
    await alice.sync(300)
    assert len([e for e in alice.events if e.get("sender") == bot.user_id and reply_to(e) == asked]) == 1
    assert [text for text, _ in bot_account.conversation.commands].count("casualties") >= 1
