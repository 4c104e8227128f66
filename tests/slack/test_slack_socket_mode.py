"""Socket Mode: the same Bolt app behind AsyncSocketModeHandler, against a stand-in WebSocket."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

import pytest
from slack_sdk.errors import SlackApiError

from bot.chat.slack import SlackAdapter
from tests.slack.slack_fakes import APP_TOKEN, FakeConversation, FakeSlack, command_body, event_body


async def test_socket_mode_command_and_follow_up(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack, conversation: FakeConversation
) -> None:
    adapter = make_adapter(mode="socket", app_token=APP_TOKEN, signing_secret=None)
    await adapter.start()
    try:
        await fake_slack.wait_for("socket.connect")
        (opened,) = fake_slack.of("apps.connections.open")
        assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"

        payload = dict(parse_qsl(command_body("casualties --public", fake_slack.response_url())))
        await fake_slack.send_envelope({"envelope_id": "env-1", "type": "slash_commands",
                                        "accepts_response_payload": True, "payload": payload})
        (ack,) = await fake_slack.wait_for("socket.ack")
        assert ack.args["envelope_id"] == "env-1"
        (answer,) = await fake_slack.wait_for("response")
        assert answer.args["response_type"] == "in_channel"
        assert conversation.commands[0][0] == "casualties"

        event = json.loads(event_body({"type": "message", "channel": "C111", "user": "U222",
                                       "text": "and today?", "ts": "1700000200.000001",
                                       "thread_ts": "1700000000.000100"}))
        await fake_slack.send_envelope({"envelope_id": "env-2", "type": "events_api",
                                        "accepts_response_payload": False, "payload": event})
        (posted,) = await fake_slack.wait_for("chat.postMessage")
        assert posted.args["thread_ts"] == "1700000000.000100"
        acks = await fake_slack.wait_for("socket.ack", 2)
        assert acks[1].args["envelope_id"] == "env-2"
    finally:
        await adapter.stop()


async def test_start_fails_fast_on_a_bad_bot_token(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack
) -> None:
    adapter = make_adapter(bot_token="xoxb-wrong", port=0)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        await adapter.start()
    assert adapter.bound_port is None


async def test_socket_mode_that_cannot_connect_raises(
    make_adapter: Callable[..., SlackAdapter], fake_slack: FakeSlack
) -> None:
    adapter = make_adapter(mode="socket", app_token="xapp-wrong", signing_secret=None, connect_timeout=0.5)
    with pytest.raises(ConnectionError, match="Socket Mode"):
        await adapter.start()
    await adapter.stop()


def test_mode_parameters_are_checked(make_adapter: Callable[..., SlackAdapter]) -> None:
    with pytest.raises(ValueError, match="app-level token"):
        make_adapter(mode="socket", app_token=None)
    with pytest.raises(ValueError, match="signing secret"):
        make_adapter(mode="http", signing_secret=None)
    with pytest.raises(ValueError, match="mode"):
        make_adapter(mode="webhook")
