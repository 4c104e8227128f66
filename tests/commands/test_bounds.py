"""Odd input that once overflowed: huge ids, spans and dates get a clear error; the console survives."""

from __future__ import annotations

import io

import pytest

from bot.chat.base import ChatContext
from bot.cli.console import run_console
from bot.config import Config
from bot.core.commands import ParseError, parse
from bot.core.models import Message


@pytest.mark.parametrize("text", [
    "story A99999999999999999999", "story 99999999999999999999", "fighting --since 100000000h",
    "digest --since 0001-01-01T00:00", "latest --since 99999999999999999999999d",
])
def test_out_of_range_values_are_refused_clearly(text: str) -> None:
    result = parse(text)
    assert isinstance(result, ParseError) and result.message


async def test_console_goes_on_after_a_failing_line(tmp_path: object) -> None:
    class Flaky:
        async def command(self, text: str, ctx: ChatContext) -> Message:
            if "boom" in text:
                raise RuntimeError("boom")
            return Message(headline=f"ok {text}")

    out = io.StringIO()
    config = Config(path="x.yaml", database="sqlite:///:memory:")
    code = await run_console(config, io.StringIO("/news boom\n/news help\n"), out, conversation=Flaky())
    assert code == 0
    assert "error: that failed (RuntimeError)" in out.getvalue() and "ok help" in out.getvalue()
