"""Core `Message` -> Matrix `m.room.message` content (plain `body` + `org.matrix.custom.html`).

All text comes from articles and is untrusted: it is HTML-escaped (quotes included), links are
emitted only from `Span.href` and only for http/https, and anything that could ping people
(`@room`, `@user:server`) gets a WORD JOINER after the `@` in both the plain and the HTML body.
Every event also carries an empty `m.mentions`, which tells spec-1.7+ servers not to run the
legacy body-matching push rules (display name, user id, @room) on it at all.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.core.links import web_link
from bot.core.models import Line, Message, Span

WORD_JOINER = "\u2060"
HTML_FORMAT = "org.matrix.custom.html"

# "@room" (what Element and Synapse's .m.rule.roomnotif match) and anything shaped like a user id.
_PING = re.compile(r"@(?=room\b|[a-z0-9._=\-/+]+:[a-z0-9.\-\[\]]+)", re.IGNORECASE)
# Fullwidth / small commercial at are not matched by push rules, so only the ASCII "@" matters.
_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")


def neutralize(text: str) -> str:
    """Break `@room` and `@user:server` so they cannot notify anyone; visually unchanged."""
    return _PING.sub("@" + WORD_JOINER, text)


def esc(text: str) -> str:
    """Neutralised and HTML-escaped (quotes too) text, newlines as <br>."""
    return html.escape(neutralize(text), quote=True).replace("\n", "<br>")


def safe_href(href: str | None) -> str | None:
    """The link if it is a plain http(s) URL with a host and no whitespace, else None."""
    link = web_link(href)
    return None if link is None or any(c.isspace() for c in link) else link


def _lang_attr(lang: str | None) -> str:
    if lang and _LANG.match(lang):
        return f' lang="{html.escape(lang, quote=True)}"'
    return ""


def _span_html(span: Span) -> str:
    inner = esc(span.text)
    if span.style == "bold":
        inner = f"<b>{inner}</b>"
    elif span.style == "italic":
        inner = f"<i>{inner}</i>"
    elif span.style == "code":
        inner = f"<code>{inner}</code>"
    elif span.style == "quote":
        # Explicit marks: Element's sanitizer drops <q>, and a <q> would double them elsewhere.
        inner = f"“<span{_lang_attr(span.lang)}>{inner}</span>”"
    if span.style != "quote" and _lang_attr(span.lang):
        # A name kept as the article wrote it: its language, for screen readers and hyphenation.
        inner = f"<span{_lang_attr(span.lang)}>{inner}</span>"
    href = safe_href(span.href)
    if href is not None:
        inner = f'<a href="{html.escape(href, quote=True)}">{inner}</a>'
    return inner


def _span_plain(span: Span) -> str:
    text = neutralize(span.text)
    if span.style == "quote":
        text = f"“{text}”"
    elif span.style == "code":
        text = f"`{text}`"
    href = safe_href(span.href)
    if href is not None and href != span.text.strip():
        text = f"{text} <{neutralize(href)}>"
    return text


def _is_block_quote(line: Line) -> Span | None:
    """A line made of a single quote span (blank spans aside) is rendered as a blockquote."""
    real = [s for s in line.spans if s.text.strip()]
    if len(real) == 1 and real[0].style == "quote" and real[0].href is None:
        return real[0]
    return None


def render_plain(message: Message) -> str:
    out = [neutralize(message.headline)]
    for line in message.lines:
        quote = _is_block_quote(line)
        if quote is not None:
            out.append("\n".join("> " + part for part in neutralize(quote.text).split("\n")))
        else:
            out.append("".join(_span_plain(s) for s in line.spans))
    return "\n".join(out)


def render_html(message: Message) -> str:
    parts: list[str] = [f"<b>{esc(message.headline)}</b>"] if message.headline else []
    for line in message.lines:
        quote = _is_block_quote(line)
        if quote is not None:
            parts.append(f"<blockquote{_lang_attr(quote.lang)}>{esc(quote.text)}</blockquote>")
            continue
        html_line = "".join(_span_html(s) for s in line.spans)
        if parts and not parts[-1].endswith("</blockquote>"):
            parts.append("<br>")
        parts.append(html_line)
    return "".join(parts)


def message_content(message: Message, msgtype: str = "m.text") -> dict[str, Any]:
    """The content of an `m.room.message` event for `message` (without relations)."""
    return {
        "msgtype": msgtype,
        "body": render_plain(message),
        "format": HTML_FORMAT,
        "formatted_body": render_html(message),
        "m.mentions": {},
    }


def edit_content(message: Message, target_event_id: str, msgtype: str = "m.text") -> dict[str, Any]:
    """An `m.replace` edit of `target_event_id`, with the spec's `* ` fallback."""
    new = message_content(message, msgtype)
    return {
        "msgtype": msgtype,
        "body": "* " + new["body"],
        "format": HTML_FORMAT,
        "formatted_body": "* " + new["formatted_body"],
        "m.new_content": new,
        "m.mentions": {},
        "m.relates_to": {"rel_type": "m.replace", "event_id": target_event_id},
    }
