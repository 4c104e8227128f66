"""Block Kit rendering and escaping, without any server."""

from __future__ import annotations

import pytest

from bot.chat.slack_render import (
    HEADER_MAX,
    SECTION_MAX,
    escape_mrkdwn,
    render_message,
    render_span,
    safe_url,
    split_public_flag,
    unescape_mrkdwn,
)
from bot.core.models import Line, Message, Span


def test_escape_and_unescape() -> None:
    raw = "a & b <!channel> <@U1> &lt;"
    assert escape_mrkdwn(raw) == "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &amp;lt;"
    assert unescape_mrkdwn(escape_mrkdwn(raw)) == raw


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&amp;c=2"),
        ("http://example.com/x|y>z<w v", "http://example.com/x%7Cy%3Ez%3Cw%20v"),
        ("HTTPS://example.com", "HTTPS://example.com"),
        ("javascript:alert(1)", None),
        ("slack://channel?id=C1", None),
        ("mailto:a@b.c", None),
        ("https://", None),
        ("//example.com", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(href: str | None, expected: str | None) -> None:
    assert safe_url(href) == expected


def test_span_styles() -> None:
    assert render_span(Span("12", "bold")) == "*12*"
    assert render_span(Span(" 12 ", "bold")) == " *12* "  # markers hug the text or Slack shows them
    assert render_span(Span("2*3", "bold")) == "*2∗3*"
    assert render_span(Span("note", "italic")) == "_note_"
    assert render_span(Span("a`b", "code")) == "`aˋb`"
    assert render_span(Span("we stand", "quote")) == "_“we stand”_"
    assert render_span(Span("«on se bat»", "quote", lang="fr")) == "_«on se bat»_"
    assert render_span(Span("   ", "bold")) == "   "
    assert render_span(Span("<b>", "italic")) == "_&lt;b&gt;_"


def test_links_only_from_href() -> None:
    assert render_span(Span("Reuters", href="https://r.example/1")) == "<https://r.example/1|Reuters>"
    assert render_span(Span("Reuters", "bold", href="https://r.example/1")) == "*<https://r.example/1|Reuters>*"
    assert render_span(Span("", href="https://r.example/1")) == "<https://r.example/1|https://r.example/1>"
    assert render_span(Span("x <y>", href="ftp://r.example")) == "x &lt;y&gt;"


def test_long_text_is_split_into_sections_within_limits() -> None:
    words = " ".join(f"word{i} &" for i in range(1500))  # ~13k characters once escaped
    msg = Message(headline="H" * 400, lines=(Line.of(words), Line.of("tail")))
    blocks = render_message(msg).block_dicts()
    assert blocks[0]["type"] == "header"
    assert len(blocks[0]["text"]["text"]) <= HEADER_MAX
    assert blocks[0]["text"]["text"].endswith("…")
    sections = [b["text"]["text"] for b in blocks[1:]]
    assert len(sections) >= 4
    assert all(len(s) <= SECTION_MAX for s in sections)
    joined = "".join(sections)
    assert "&amp" in joined and "& " not in joined.replace("&amp; ", "")
    assert not any(s.startswith(("amp;", "mp;", "p;", ";")) for s in sections)  # no entity cut in two
    assert sections[-1].endswith("tail")


def test_message_block_limit() -> None:
    lines = tuple(Line.of("x" * 2999) for _ in range(80))
    blocks = render_message(Message(headline="many", lines=lines)).block_dicts()
    assert len(blocks) == 50
    assert blocks[-1]["type"] == "context"


def test_empty_headline_and_note() -> None:
    rendered = render_message(Message(headline="", lines=(Line.of("only <this>"),)), note="a <!here> note")
    types = [b["type"] for b in rendered.block_dicts()]
    assert types == ["section", "context"]
    assert rendered.block_dicts()[1]["elements"][0]["text"] == "a &lt;!here&gt; note"
    assert rendered.text == "only &lt;this&gt;"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("casualties --public", ("casualties", True)),
        ("--public casualties", ("casualties", True)),
        ("casualties --public since monday", ("casualties since monday", True)),
        ("casualties", ("casualties", False)),
        ("casualties --publicity", ("casualties --publicity", False)),
        ("statements x--public", ("statements x--public", False)),
        ("  --public  ", ("", True)),
    ],
)
def test_split_public_flag(text: str, expected: tuple[str, bool]) -> None:
    assert split_public_flag(text) == expected
