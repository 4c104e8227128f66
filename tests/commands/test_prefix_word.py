"""The command prefix is the configured one everywhere: the parser strips the chat's own prefix word,
never a hard-coded `news`."""

from __future__ import annotations

from bot.core.commands import Latest, parse


def test_a_configured_prefix_is_stripped_with_either_sign() -> None:
    for typed in ("!ask latest Libya", "/ask latest Libya", "ask latest Libya", "latest Libya"):
        assert parse(typed, "en", prefix="!ask") == Latest("Libya"), typed

