"""`python -m bot console` and `python -m bot ask`: the conversation from a terminal, on the configured DB.

console  reads lines from stdin: `/news …` (or `!news …`) runs a command, `reply A12 question` asks a
         question in the thread of alert A12 (or story S3); answers are printed by the console adapter.
ask      answers one question about an alert or a story and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.config import DEFAULT_CONFIG, Config, load_config
from bot.core.i18n import languages

_REPLY = re.compile(r"^\s*reply\s+(\S+)\s+(.+)$", re.IGNORECASE | re.DOTALL)


def _config(args: argparse.Namespace) -> Config:
    return load_config(Path(args.config))


def _channel(config: Config, wanted: str | None) -> tuple[str, str]:
    """(channel id, language) of the console channel used, or of a plain "console" channel."""
    consoles = [ch for ch in config.channels if ch.output == "console"]
    for ch in consoles:
        if wanted is None or ch.id == wanted:
            return ch.id, ch.language
    return wanted or "console", config.language

log = logging.getLogger(__name__)


async def run_console(
    config: Config, inp: TextIO, out: TextIO, *, channel: str | None = None, lang: str | None = None,
    admin: bool = True, user: str | None = None, conversation: Any = None,
) -> int:
    """Read `/news …` and `reply ID question` lines until end of input; print every answer."""
    from bot.chat.base import ChatContext
    from bot.chat.console import ConsoleAdapter
    from bot.core.answers import is_question
    from bot.core.commands import parse_ref
    from bot.service.command_prefix import command_prefix
    from bot.service.conversation import NewsConversation, prefix_pattern
    from bot.store import Store

    channel_id, channel_lang = _channel(config, channel)
    lang = lang or channel_lang
    store = await asyncio.to_thread(Store.open, config.database) if conversation is None else None
    try:
        conv: NewsConversation = conversation or NewsConversation(store, config)  # type: ignore[arg-type]
        adapter = ConsoleAdapter(out, color=config.console.color)
        ctx = ChatContext(adapter="console", channel=channel_id, user=user or _user(), is_admin=admin, lang=lang)
        command = prefix_pattern(command_prefix(config, "console"))
        interactive = getattr(inp, "isatty", lambda: False)()
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await asyncio.to_thread(inp.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text.lower() in ("quit", "exit"):
                break
            reply = _REPLY.match(text)
            try:
                if command.match(text):
                    message = await conv.command(command.sub("", text, count=1), ctx)
                    await adapter.post(channel_id, message)
                elif reply:
                    ref = parse_ref(reply.group(1), default="alert")
                    if ref is None:
                        out.write(f"not an alert or story id: {reply.group(1)} (use A12 or S3)\n\n")
                        continue
                    question = reply.group(2).strip()
                    if not is_question(question):
                        continue  # small talk in a thread gets no answer, as in the chats
                    message = await conv.store.run(conv.answer_ref, ref, question, default_lang=lang)
                    await adapter.reply(channel_id, ref.label, message)
                else:
                    out.write("type `/news help`, or `reply A12 your question` to ask about alert A12\n\n")
            except Exception as exc:  # one bad line must not end the session, as it would not end a chat
                log.exception("console line %r failed", text)
                out.write(f"error: that failed ({type(exc).__name__}); the session goes on\n\n")
        return 0
    finally:
        if store is not None:
            await asyncio.to_thread(store.close)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "console"


def cmd_console(args: argparse.Namespace) -> int:
    config = _config(args)
    return asyncio.run(run_console(config, sys.stdin, sys.stdout, channel=args.channel, lang=args.lang,
                                   admin=not args.no_admin))


async def run_ask(config: Config, ref_text: str, question: str, out: TextIO, *, lang: str | None = None) -> int:
    from bot.chat.console import ConsoleAdapter
    from bot.core.commands import parse_ref
    from bot.service.conversation import NewsConversation
    from bot.store import Store

    ref = parse_ref(ref_text, default="story")
    if ref is None:
        print(f"error: {ref_text!r} is not an alert or story id (use A12 for an alert, S3 or 3 for a story)",
              file=sys.stderr)
        return 2
    store = await asyncio.to_thread(Store.open, config.database)
    try:
        conversation = NewsConversation(store, config)
        message = await store.run(conversation.answer_ref, ref, question, default_lang=lang or config.language)
        out.write(ConsoleAdapter(out, color=config.console.color).format(message) + "\n")
        return 1 if message.meta.get("type") == "error" else 0
    finally:
        await asyncio.to_thread(store.close)


def cmd_ask(args: argparse.Namespace) -> int:
    return asyncio.run(run_ask(_config(args), args.ref, " ".join(args.question), sys.stdout, lang=args.lang))


def add_parser(sub: Any) -> None:
    """Add the `console` and `ask` subcommands to the CLI's subparsers."""

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("-c", "--config", default=str(DEFAULT_CONFIG), help="configuration file (default: %(default)s)")

    p = sub.add_parser(
        "console", help="talk to the bot in the terminal: /news commands and questions about alerts",
        description="Read lines from standard input until end of input (or `quit`): `/news COMMAND …` runs a "
        "command (try `/news help`); `reply A12 QUESTION` asks a question in the thread of alert A12 (S3 for a "
        "story), e.g. `reply A4 How many were wounded?`. Answers are printed as the console adapter shows them.",
    )
    with_config(p)
    p.add_argument("--channel", help="console channel to act as (its language is used; default: the first one)")
    p.add_argument("--lang", choices=languages(), help="reader language (default: the channel's)")
    p.add_argument("--no-admin", action="store_true", help="act as a reader without admin rights")
    p.set_defaults(handler=cmd_console)

    p = sub.add_parser(
        "ask", help='answer a question about an alert or a story: ask A12 "Who said it?"',
        description="Answer one question from an alert's story, as in its chat thread: who said it, what exactly "
        "was said, how many killed or wounded, where, when, which source, what changed, what else. The answer "
        "is written in the question's language and cites the article and sentence it comes from.",
    )
    with_config(p)
    p.add_argument("ref", metavar="ALERT-ID|STORY-ID", help="A12 for an alert, S3 (or 3) for a story")
    p.add_argument("question", nargs="+", help="the question, e.g. \"Qui a parlé ?\"")
    p.add_argument("--lang", choices=languages(), help="language when the question's own is unclear")
    p.set_defaults(handler=cmd_ask)
