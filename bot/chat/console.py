"""The console adapter: alerts and digests printed readably, for local use and for trying the bot."""

from __future__ import annotations

import itertools
import re
import sys
import uuid
from typing import TextIO

from bot.chat.base import Posted
from bot.core.models import Line, Message

# Article text must not drive the terminal: drop control characters (ESC sequences included).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_STYLES = {"bold": "\x1b[1m", "italic": "\x1b[3m", "quote": "\x1b[36m", "code": "\x1b[2m"}
_RESET = "\x1b[0m"


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


class ConsoleAdapter:
    name = "console"

    def __init__(self, out: TextIO | None = None, *, color: str = "auto", charts: bool = False) -> None:
        self.out = out or sys.stdout
        # A terminal shows no image: story charts are drawn (and their paths printed) only when asked.
        self.shows_images = charts
        isatty = getattr(self.out, "isatty", lambda: False)()
        self.color = color == "always" or (color == "auto" and isatty)
        self._ids = itertools.count(1)
        self._run = uuid.uuid4().hex[:8]

    def _style(self, text: str, style: str) -> str:
        text = clean(text)
        if style == "quote":
            text = f"« {text} »"
        if self.color and style in _STYLES:
            return f"{_STYLES[style]}{text}{_RESET}"
        return text

    def _line(self, line: Line) -> str:
        parts = []
        for span in line.spans:
            part = self._style(span.text, span.style)
            if span.href:
                part += f" <{clean(span.href)}>"
            parts.append(part)
        return "".join(parts)

    def format(self, message: Message, *, indent: str = "") -> str:
        head = self._style(message.headline, "bold")
        rows = [f"{indent}{head}"] + [f"{indent}  {self._line(line)}" for line in message.lines]
        rows += [f"{indent}  [chart: {clean(path)}]" for path in message.attachments]
        return "\n".join(rows)

    def _write(self, text: str) -> str:
        message_id = f"console:{self._run}:{next(self._ids)}"
        self.out.write(text + "\n\n")
        self.out.flush()
        return message_id

    async def post(self, channel: str, message: Message) -> Posted:
        return Posted(channel, self._write(self.format(message)))

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        return Posted(channel, self._write(self.format(message, indent="   ↳ ")))

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        """An edited message is printed again once, under one line saying which message it replaces."""
        number = message_id.rsplit(":", 1)[-1]
        self.out.write(f"   ✎ message #{clean(number)} updated:\n")
        self._write(self.format(message, indent="   "))
