"""The app manifest matches what the adapter listens to and needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "config" / "slack-manifest.yaml"


def load() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return data


def test_manifest_declares_command_scopes_and_events() -> None:
    m = load()
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == "/news"
    assert command["url"].endswith("/slack/events")
    assert m["features"]["bot_user"]["display_name"]
    scopes = set(m["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "chat:write.public", "files:write", "channels:history",
            "groups:history", "app_mentions:read"} <= scopes
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"message.channels", "message.groups", "app_mention"}
    assert m["settings"]["event_subscriptions"]["request_url"] == command["url"]
    assert m["settings"]["socket_mode_enabled"] is False
