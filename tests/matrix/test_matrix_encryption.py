"""End-to-end encryption against the real Synapse: the bot and a person whose client encrypts too.

The person (`CryptoHuman`, matrix-nio with its own crypto store) creates an encrypted room and invites
the bot; everything the bot sends there must reach the person as `m.room.encrypted` that decrypts.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession as aiohttp_session

from bot.chat.matrix import MatrixAdapter
from bot.chat.matrix_crypto import CryptoSettings, crypto_settings, store_dir_for
from bot.config import ConfigError, parse_config
from bot.core.models import Line, Message
from tests.conftest import wait_until
from tests.matrix.e2e_helpers import CryptoHuman
from tests.matrix.matrix_helpers import BotAccount, tiny_png, uniq
from tests.matrix.synapse_harness import Synapse, _http_json

pytestmark = pytest.mark.matrix

MakeCryptoHuman = Callable[[str], Awaitable[CryptoHuman]]
Event = dict[str, Any]


@pytest.fixture
async def make_crypto_human(synapse: Synapse, tmp_path: Path) -> AsyncIterator[MakeCryptoHuman]:
    humans: list[CryptoHuman] = []

    async def make(name: str) -> CryptoHuman:
        user = synapse.register(uniq(name))
        human = CryptoHuman(synapse, user, tmp_path / f"store-{user.user_id}")
        await human.sync(0)
        humans.append(human)
        return human

    yield make
    for human in humans:
        await human.close()


def settings(tmp_path: Path, **kwargs: Any) -> CryptoSettings:
    return CryptoSettings(store_dir=tmp_path / "bot-crypto", **kwargs)


def content(e: Event) -> dict[str, Any]:
    c: dict[str, Any] = e.get("content") or {}
    return c


async def start_bot(synapse: Synapse, account: BotAccount, crypto: CryptoSettings, alice: CryptoHuman,
                    **kwargs: Any) -> MatrixAdapter:
    bot = MatrixAdapter(homeserver=synapse.url, user_id=account.user.user_id, conversation=account.conversation,
                        state=account.state, password=account.user.password, sync_timeout_ms=1000,
                        allowed_inviters=[alice.user.user_id], crypto=crypto, **kwargs)
    await bot.start()
    return bot


async def encrypted_room(synapse: Synapse, alice: CryptoHuman, account: BotAccount, crypto: CryptoSettings,
                         **kwargs: Any) -> tuple[MatrixAdapter, str]:
    bot = await start_bot(synapse, account, crypto, alice, **kwargs)
    room = await alice.create_encrypted_room(invite=(bot.user_id,))
    await alice.wait_member(room, bot.user_id)
    return bot, room


async def test_command_in_an_encrypted_room_is_answered_encrypted(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path))
    try:
        asked = await alice.send_text(room, "!news casualties Bakhmut")
        [answer] = await alice.wait_for(lambda e: e.get("sender") == bot.user_id
                                        and content(e).get("msgtype") == "m.text")
        assert answer["encrypted"] is True  # it came as m.room.encrypted and decrypted
        assert "Casualties for “casualties Bakhmut”" in content(answer)["body"]
        assert content(answer)["m.relates_to"]["m.in_reply_to"]["event_id"] == asked
        assert [text for text, _ in bot_account.conversation.commands] == ["casualties Bakhmut"]
        # Nothing from the bot in this room went out in clear text.
        assert all(e.get("encrypted") for e in alice.events
                   if e.get("sender") == bot.user_id and e.get("type") == "m.room.message")
    finally:
        await bot.stop()


async def test_alert_thread_edit_and_chart_are_encrypted(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path))
    try:
        chart = tiny_png(tmp_path / "casualties.png")
        root = await bot.post(room, Message(headline="At least 35 killed near Bakhmut",
                                            attachments=(str(chart),)))
        threaded = await bot.reply(room, root.message_id, Message(headline="Update: at least 47 killed"))
        await bot.edit(room, root.message_id, Message(headline="At least 47 killed near Bakhmut"))

        [alert] = await alice.wait_for(lambda e: e.get("event_id") == root.message_id)
        assert alert["encrypted"] and "At least 35 killed" in content(alert)["body"]

        [image] = await alice.wait_for(lambda e: content(e).get("msgtype") == "m.image")
        assert image["encrypted"] is True
        assert "url" not in content(image)  # the media repository holds ciphertext only
        file = content(image)["file"]
        assert file["mimetype"] == "image/png" and file["url"].startswith("mxc://")
        assert await alice.download_decrypted(file) == chart.read_bytes()

        [reply] = await alice.wait_for(lambda e: e.get("event_id") == threaded.message_id)
        assert reply["encrypted"] and content(reply)["m.relates_to"]["rel_type"] == "m.thread"
        assert content(reply)["m.relates_to"]["event_id"] == root.message_id
        assert "at least 47" in content(reply)["body"]

        [edit] = await alice.wait_for(lambda e: content(e).get("m.relates_to", {}).get("rel_type") == "m.replace")
        assert edit["encrypted"] is True
        assert content(edit)["m.relates_to"]["event_id"] == root.message_id
        assert content(edit)["m.new_content"]["body"] == "At least 47 killed near Bakhmut"
    finally:
        await bot.stop()


async def test_restart_keeps_the_device_and_its_keys(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    crypto = settings(tmp_path)
    bot, room = await encrypted_room(synapse, alice, bot_account, crypto)
    await alice.send_text(room, "!news before")
    await alice.wait_for(lambda e: e.get("sender") == bot.user_id and "before" in content(e).get("body", ""))
    device = bot.client.device_id
    before = {d.id for d in (await bot.client.devices()).devices}
    identity = bot.client.olm.account.identity_keys["ed25519"] if bot.client.olm else None
    await bot.stop()

    again = await start_bot(synapse, bot_account, crypto, alice)
    try:
        assert again.client.device_id == device
        assert again.client.olm is not None and again.client.olm.account.identity_keys["ed25519"] == identity
        await alice.send_text(room, "!news after")
        [answer] = await alice.wait_for(lambda e: e.get("sender") == bot.user_id
                                        and "after" in content(e).get("body", ""))
        assert answer["encrypted"] is True
        devices = await again.client.devices()
        assert {d.id for d in devices.devices} == before  # no new device on the account
        assert [t for t, _ in bot_account.conversation.commands] == ["before", "after"]
    finally:
        await again.stop()


async def test_a_message_whose_key_arrives_late_is_answered_once(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path, notice_after_s=3600))
    try:
        asked, deliver_key = await alice.send_without_keys(room, "!news late key")
        # The bot sees the event it cannot read yet and asks for its key.
        await wait_until(lambda: bot.crypto is not None and asked in bot.crypto._pending, timeout=20, interval=0.1)
        assert bot_account.conversation.commands == []
        await deliver_key()
        [answer] = await alice.wait_for(lambda e: e.get("sender") == bot.user_id
                                        and content(e).get("m.relates_to", {}).get("m.in_reply_to", {})
                                        .get("event_id") == asked)
        assert answer["encrypted"] is True
        await alice.send_text(room, "!news next")  # a few more syncs: the late one is not answered again
        await alice.wait_for(lambda e: e.get("sender") == bot.user_id and "next" in content(e).get("body", ""))
        assert [t for t, _ in bot_account.conversation.commands] == ["late key", "next"]
        assert not [e for e in alice.events if content(e).get("msgtype") == "m.notice"]
    finally:
        await bot.stop()


async def test_a_command_that_stays_unreadable_gets_one_plain_notice(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path, notice_after_s=1.0))
    try:
        first, _ = await alice.send_without_keys(room, "!news lost key")
        [notice] = await alice.wait_for(lambda e: content(e).get("msgtype") == "m.notice")
        assert notice["sender"] == bot.user_id
        assert content(notice)["m.relates_to"]["m.in_reply_to"]["event_id"] == first
        assert "could not decrypt" in content(notice)["body"]
        await alice.send_text(room, "!news readable")
        await alice.wait_for(lambda e: e.get("sender") == bot.user_id and "readable" in content(e).get("body", ""))
        await alice.sync(2500)  # past notice_after_s again: still one notice
        assert len([e for e in alice.events if content(e).get("msgtype") == "m.notice"]) == 1
        assert [t for t, _ in bot_account.conversation.commands] == ["readable"]
    finally:
        await bot.stop()


async def test_verified_policy_shares_keys_only_with_listed_devices(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    mallory = await make_crypto_human("mallory")
    assert alice.client.olm is not None
    alice_device = (alice.user.user_id, alice.user.device_id, alice.client.olm.account.identity_keys["ed25519"])
    crypto = settings(tmp_path, trust="verified", trusted_devices=frozenset({alice_device}))
    bot = await start_bot(synapse, bot_account, crypto, alice)
    try:
        room = await alice.create_encrypted_room(invite=(bot.user_id, mallory.user.user_id))
        await alice.wait_member(room, bot.user_id)
        await mallory.client.join(room)
        await mallory.sync(0)
        await alice.wait_member(room, mallory.user.user_id)
        await mallory.send_text(room, "!news from an unknown device")
        await alice.send_text(room, "!news from alice")
        await alice.wait_for(lambda e: e.get("sender") == bot.user_id and "from alice" in content(e).get("body", ""))
        assert [t for t, _ in bot_account.conversation.commands] == ["from alice"]
        posted = await bot.post(room, Message(headline="For trusted devices only"))
        await alice.wait_for(lambda e: e.get("event_id") == posted.message_id)
        for _ in range(3):
            await mallory.sync()
        assert posted.message_id not in [e.get("event_id") for e in mallory.events]
        assert posted.message_id in [e.get("event_id") for e in mallory.undecryptable]
    finally:
        await bot.stop()

    # The operator checks Mallory's fingerprint and lists it: after a restart Mallory reads new posts.
    assert mallory.client.olm is not None
    listed = (mallory.user.user_id, mallory.user.device_id, mallory.client.olm.account.identity_keys["ed25519"])
    bot = await start_bot(synapse, bot_account, settings(tmp_path, trust="verified",
                                                        trusted_devices=frozenset({alice_device, listed})), alice)
    try:
        now = await bot.post(room, Message(headline="Mallory was verified"))
        [seen] = await mallory.wait_for(lambda e: e.get("event_id") == now.message_id)
        assert seen["encrypted"] is True
    finally:
        await bot.stop()


def test_trust_policy_in_config_defaults_to_tofu_and_rejects_other_values(tmp_path: Path) -> None:
    base = {"database": f"sqlite:///{tmp_path / 'bot.db'}"}
    matrix = {"enabled": True, "homeserver": "http://127.0.0.1:1", "user_id": "@bot:example.org"}
    config = parse_config({**base, "outputs": {"matrix": matrix}}, "t.yaml")
    assert config.matrix.trust == "tofu"
    strict = parse_config({**base, "outputs": {"matrix": {**matrix, "trust": "verified"}}}, "t.yaml")
    assert strict.matrix.trust == "verified"
    with pytest.raises(ConfigError, match="trust"):
        parse_config({**base, "outputs": {"matrix": {**matrix, "trust": "everyone"}}}, "t.yaml")
    with pytest.raises(ConfigError, match="trusted_devices"):
        parse_config({**base, "outputs": {"matrix": {**matrix, "trusted_devices": ["ABCDEF"]}}}, "t.yaml")
    listed = parse_config({**base, "outputs": {"matrix": {**matrix, "trust": "verified", "trusted_devices": [
        "@alice:example.org ABCDEF 8Bb2 JbCq 4sD5"]}}}, "t.yaml")
    settings = crypto_settings(listed.database, listed.matrix.trust, listed.matrix.trusted_devices)
    assert settings.trusted_devices == {("@alice:example.org", "ABCDEF", "8Bb2JbCq4sD5")}
    assert settings.store_dir == tmp_path / "matrix-crypto"  # beside the database
    assert store_dir_for("postgresql+psycopg://db/newsbot") == Path("data/matrix-crypto")


async def test_a_second_process_on_the_same_device_is_refused(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    crypto = settings(tmp_path)
    bot, room = await encrypted_room(synapse, alice, bot_account, crypto)
    try:
        with pytest.raises(RuntimeError, match="in use by another process"):
            await start_bot(synapse, bot_account, crypto, alice)
        # The first one is unharmed.
        await alice.send_text(room, "!news still here")
        await alice.wait_for(lambda e: e.get("sender") == bot.user_id and "still here" in content(e).get("body", ""))
    finally:
        await bot.stop()


async def test_tofu_warns_when_a_known_user_shows_a_new_device(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path))
    second: CryptoHuman | None = None
    try:
        await alice.send_text(room, "!news first")
        await alice.wait_for(lambda e: e.get("sender") == bot.user_id and "first" in content(e).get("body", ""))
        assert "has a new device" not in caplog.text
        login = await asyncio.to_thread(_http_json, "POST", f"{synapse.url}/_matrix/client/v3/login", {
            "type": "m.login.password", "identifier": {"type": "m.id.user", "user": alice.user.user_id},
            "password": alice.user.password, "initial_device_display_name": "new phone"})
        new_device = login["device_id"]
        assert new_device != alice.user.device_id
        second = CryptoHuman(synapse, dataclasses.replace(alice.user, device_id=new_device,
                                                          access_token=login["access_token"]),
                             tmp_path / "alice-phone")
        await second.sync(0)
        await second.send_text(room, "!news from the new phone")
        [answer] = await second.wait_for(lambda e: e.get("sender") == bot.user_id
                                         and "new phone" in content(e).get("body", ""))
        assert answer["encrypted"] is True  # trusted on first use: the new device can read the answer
        assert f"{alice.user.user_id} has a new device {new_device}" in caplog.text
    finally:
        if second is not None:
            await second.close()
        await bot.stop()


async def test_an_event_waiting_for_its_key_survives_a_restart(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    crypto = settings(tmp_path, notice_after_s=3600)
    bot, room = await encrypted_room(synapse, alice, bot_account, crypto)
    asked, deliver_key = await alice.send_without_keys(room, "!news across a restart")
    await wait_until(lambda: bot.crypto is not None and asked in bot.crypto._pending, timeout=20, interval=0.1)
    await bot.stop()

    again = await start_bot(synapse, bot_account, crypto, alice)
    try:
        await deliver_key()
        [answer] = await alice.wait_for(lambda e: e.get("sender") == bot.user_id
                                        and "across a restart" in content(e).get("body", ""))
        assert answer["encrypted"] is True
        assert [t for t, _ in bot_account.conversation.commands] == ["across a restart"]
    finally:
        await again.stop()


async def test_a_question_in_the_thread_of_an_encrypted_alert_is_answered_there(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path))
    try:
        root = await bot.post(room, Message(headline="At least 35 killed near Bakhmut"))
        await alice.wait_for(lambda e: e.get("event_id") == root.message_id)
        asked = await alice.send_text(room, "who said that?", **{"m.relates_to": {
            "rel_type": "m.thread", "event_id": root.message_id, "is_falling_back": True,
            "m.in_reply_to": {"event_id": root.message_id}}})
        [answer] = await alice.wait_for(lambda e: e.get("sender") == bot.user_id
                                        and "Answer to: who said that?" in content(e).get("body", ""))
        assert answer["encrypted"] is True
        assert content(answer)["m.relates_to"]["rel_type"] == "m.thread"
        assert content(answer)["m.relates_to"]["event_id"] == root.message_id
        assert content(answer)["m.relates_to"]["m.in_reply_to"]["event_id"] == asked
        assert [q for q, _ in bot_account.conversation.questions] == ["who said that?"]
    finally:
        await bot.stop()


async def test_a_member_who_left_cannot_read_what_the_bot_posts_next(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    alice = await make_crypto_human("alice")
    bob = await make_crypto_human("bob")
    bot = await start_bot(synapse, bot_account, settings(tmp_path), alice)
    try:
        room = await alice.create_encrypted_room(invite=(bot.user_id, bob.user.user_id))
        await alice.wait_member(room, bot.user_id)
        await bob.client.join(room)
        await bob.sync(0)
        await alice.wait_member(room, bob.user.user_id)
        before = await bot.post(room, Message(headline="Casualties: at least 12 killed"))
        await bob.wait_for(lambda e: e.get("event_id") == before.message_id)
        await bob.client.room_leave(room)
        await wait_until(lambda: bob.user.user_id not in (bot.client.rooms[room].users if room in bot.client.rooms
                                                          else {bob.user.user_id: None}), timeout=20, interval=0.1)
        after = await bot.post(room, Message(headline="Casualties: at least 20 killed"))
        await alice.wait_for(lambda e: e.get("event_id") == after.message_id)
        async with aiohttp_session() as http:  # bob, gone, can still fetch the event but not read it
            url = f"{synapse.url}/_matrix/client/v3/rooms/{room}/event/{after.message_id}"
            async with http.get(url, headers={"Authorization": f"Bearer {alice.user.access_token}"}) as resp:
                wire = await resp.json()
        assert wire["type"] == "m.room.encrypted"
        session = wire["content"]["session_id"]
        assert bob.client.olm is not None
        assert bob.client.olm.inbound_group_store.get(room, wire["content"]["sender_key"], session) is None
    finally:
        await bot.stop()


async def test_a_long_answer_fits_in_one_encrypted_event(
        synapse: Synapse, make_crypto_human: MakeCryptoHuman, bot_account: BotAccount, tmp_path: Path) -> None:
    """The size limit applies to the ciphertext, a third larger than the text: the bot cuts earlier there."""
    alice = await make_crypto_human("alice")
    bot, room = await encrypted_room(synapse, alice, bot_account, settings(tmp_path))
    try:
        lines = tuple(Line.of(f"{n}: at least {n} killed near Bakhmut, according to the regional governor")
                      for n in range(900))  # about 60 KB of text and as much again in HTML
        posted = await bot.post(room, Message(headline="Every report of the day", lines=lines))
        [alert] = await alice.wait_for(lambda e: e.get("event_id") == posted.message_id)
        assert alert["encrypted"] is True
        body = content(alert)["body"]
        assert "0: at least 0 killed" in body and "did not fit in one Matrix message" in body
    finally:
        await bot.stop()
