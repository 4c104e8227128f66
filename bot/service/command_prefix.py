"""The command prefix a reader types in each chat, so help, hints and errors name the one that works there."""

from __future__ import annotations

from bot.config import Config

SLACK_COMMAND = "/news"  # the slash command of config/slack-manifest.yaml
CONSOLE_PREFIX = "/news"  # `python -m bot console` takes `/news …` (and `!news …`)


def command_prefix(config: Config, adapter: str) -> str:
    """`!news` (or `outputs.matrix.prefix`) in Matrix, `/news` in Slack and the console."""
    if adapter == "matrix":
        return config.matrix.prefix.strip() or "!news"
    return SLACK_COMMAND if adapter == "slack" else CONSOLE_PREFIX
