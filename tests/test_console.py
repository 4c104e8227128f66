"""The console adapter prints readably and cannot be driven by article text."""

from __future__ import annotations

import io

from bot.chat.console import ConsoleAdapter
from bot.core.models import Line, Message, Span


async def test_console_strips_terminal_escapes_from_article_text() -> None:
    out = io.StringIO()
    console = ConsoleAdapter(out, color="never")
    posted = await console.post("console", Message(
        headline="\x1b[2J\x1b]0;pwned\x07Tripoli", lines=(Line.of(Span("quote\x1b[31m", "quote")),)))
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text
    assert "Tripoli" in text and "« quote[31m »" in text
    await console.reply("console", posted.message_id, Message(headline="update"))
    assert "↳ update" in out.getvalue()


async def test_console_ids_are_unique_across_adapters() -> None:
    a, b = ConsoleAdapter(io.StringIO()), ConsoleAdapter(io.StringIO())
    ids = {(await a.post("c", Message("x"))).message_id, (await b.post("c", Message("x"))).message_id}
    assert len(ids) == 2


async def test_color_only_when_asked_or_tty() -> None:
    out = io.StringIO()
    await ConsoleAdapter(out, color="always").post("c", Message("bold"))
    assert "\x1b[1m" in out.getvalue()


async def test_an_edited_root_is_printed_once_under_one_marker() -> None:
    out = io.StringIO()
    console = ConsoleAdapter(out, color="never")
    posted = await console.post("console", Message("At least 35 killed", lines=(Line.of("Tripoli"),)))
    out.seek(0)
    out.truncate()
    lines = tuple(Line.of(f"figure {n}") for n in range(5))
    await console.edit("console", posted.message_id, Message("At least 47 killed", lines=lines))
    printed = [row for row in out.getvalue().splitlines() if row.strip()]
    assert printed[0].strip() == "✎ message #1 updated:"
    assert printed[1].strip() == "At least 47 killed"
    assert [row.strip() for row in printed[2:]] == [f"figure {n}" for n in range(5)]
    assert "edited" not in out.getvalue() and posted.message_id not in out.getvalue()
