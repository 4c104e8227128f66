"""`help [COMMAND]`: the list of commands, or one command in full, with this chat's prefix."""

from __future__ import annotations

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.models import Message
from bot.service.handlers.base import Env, rich


def help_(cmd: c.Help, env: Env, ctx: ChatContext) -> Message:
    title, lines = c.help_lines(cmd.topic, ctx.lang, env.prefix(ctx))
    return Message(headline=title, lines=tuple(rich(x) for x in lines), lang=ctx.lang, meta={"type": "help"})
