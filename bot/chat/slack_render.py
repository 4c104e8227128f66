"""Core `Message` -> Slack Block Kit, with every piece of article text escaped.

Slack reads `&`, `<` and `>` as control characters in mrkdwn (`<!channel>`, `<@U123>`,
`<https://x|text>`), so all span text is HTML-escaped and the only links in a message are the
ones the core put in `Span.href` (http/https only). Mrkdwn text objects are sent `verbatim` so
Slack does not turn bare URLs or `#channel` names in article text into links either.

The header block is `plain_text`, which Slack never parses for mentions or links; angle brackets
in it are still broken up with a zero-width space so no control sequence ever appears verbatim in
what we send.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.core.i18n import t
from bot.core.links import web_link
from bot.core.models import Line, Message, Span

HEADER_MAX = 150  # Slack's limit for a header block's text
SECTION_MAX = 3000  # Slack's limit for a section block's text
FALLBACK_MAX = 3900  # keep the notification text well under Slack's 40k (and readable)
MAX_BLOCKS = 50  # Slack's limit per message
_ZWSP = "\u200b"


def escape_mrkdwn(text: str) -> str:
    """Escape Slack's three control characters; the result can never form a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_mrkdwn(text: str) -> str:
    """Inverse of `escape_mrkdwn`, for text Slack sends us (commands, messages)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text_safe(text: str) -> str:
    """Text for plain_text objects: shown as is, but with no `<...>` sequence left intact."""
    return text.replace("<", "<" + _ZWSP).replace(">", _ZWSP + ">")


def safe_url(href: str | None) -> str | None:
    """The link target for `<url|text>`, or None if it is not a plain http(s) URL.

    `|`, `<`, `>` and whitespace would end or split Slack's link syntax, so they are
    percent-encoded; `&` is entity-escaped as Slack expects inside `<...>`.
    """
    href = web_link(href)
    if href is None:
        return None
    out = []
    for ch in href:
        if ch in "|<>\"'`" or ch.isspace() or ord(ch) < 0x20:
            out.append("".join(f"%{b:02X}" for b in ch.encode()))
        else:
            out.append(ch)
    return "".join(out).replace("&", "&amp;")


def _wrap(text: str, marker: str) -> str:
    """`*text*` with surrounding whitespace kept outside the markers (else Slack shows them raw)."""
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


_QUOTES = "\"'“”‘’«»„‚‹›"
_MARKERS = {"bold": "*", "italic": "_", "quote": "_", "code": "`"}


def render_span(span: Span) -> str:
    """One span as mrkdwn: escaped text, style markers, and a link only from `href`."""
    text = span.text
    if span.style == "bold":
        text = text.replace("*", "∗")  # a literal * would end the bold early
    elif span.style == "code":
        text = text.replace("`", "ˋ")
    elif span.style == "quote":
        inner = text.strip()
        if inner and not (inner[0] in _QUOTES and inner[-1] in _QUOTES):
            text = text.replace(inner, f"“{inner}”", 1)
    body = escape_mrkdwn(text)
    url = safe_url(span.href)
    if url is not None:
        label = body.strip() or escape_mrkdwn(span.href or "")
        lead = body[: len(body) - len(body.lstrip())]
        trail = body[len(body.rstrip()) :] if body.strip() else ""
        body = f"{lead}<{url}|{label}>{trail}"
    marker = _MARKERS.get(span.style)
    return _wrap(body, marker) if marker else body


def render_line(line: Line) -> str:
    return "".join(render_span(s) for s in line.spans)


def _chunks(lines: list[str], limit: int) -> list[str]:
    """Join lines into texts of at most `limit` characters, cutting over-long lines."""
    out: list[str] = []
    cur = ""
    for line in lines:
        while len(line) > limit:
            if cur:
                out.append(cur)
                cur = ""
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            # never cut inside an entity such as &amp;
            amp = line.rfind("&", max(0, cut - 5), cut)
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp
            out.append(line[:cut])
            line = line[cut:]
        candidate = f"{cur}\n{line}" if cur else line
        if len(candidate) > limit:
            out.append(cur)
            cur = line
        else:
            cur = candidate
    if cur:
        out.append(cur)
    return out


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for chat.postMessage / chat.update / response_url."""

    text: str  # mrkdwn fallback for notifications and clients without blocks
    blocks: list[Block]

    def block_dicts(self) -> list[dict[str, Any]]:
        return [b.to_dict() for b in self.blocks]


def fallback_text(message: Message) -> str:
    lines = [message.headline, *(line.plain for line in message.lines)]
    text = "\n".join(escape_mrkdwn(x) for x in lines if x.strip())
    if not text and message.attachments:
        names = ", ".join(os.path.basename(a) for a in message.attachments)
        text = f"{t(message.lang, 'chart')}: " + escape_mrkdwn(names)
    return _truncate(text, FALLBACK_MAX) or " "


def render_message(message: Message, *, note: str | None = None) -> Rendered:
    """Header + sections of facts (+ an optional context note), all escaped."""
    blocks: list[Block] = []
    headline = " ".join(message.headline.split())
    if headline:
        header = _truncate(plain_text_safe(headline), HEADER_MAX)
        blocks.append(HeaderBlock(text=PlainTextObject(text=header)))
    body = [render_line(line) for line in message.lines]
    body = [b if b.strip() else " " for b in body]
    while body and not body[-1].strip():
        body.pop()
    for chunk in _chunks(body, SECTION_MAX):
        if chunk.strip():
            blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk, verbatim=True)))
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=escape_mrkdwn(note), verbatim=True)]))
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1],
                  ContextBlock(elements=[MarkdownTextObject(text=t(message.lang, "shortened"), verbatim=True)])]
    return Rendered(text=fallback_text(message), blocks=blocks)


_PUBLIC_FLAG = re.compile(r"(?:(?<=\s)|^)--public(?=\s|$)")


def split_public_flag(text: str) -> tuple[str, bool]:
    """Remove `--public` wherever it stands in a command; report whether it was there."""
    stripped, n = _PUBLIC_FLAG.subn("", text)
    return " ".join(stripped.split()), n > 0
