"""Which links the bot may show: only plain http(s) URLs with a host, whatever an article says."""

from __future__ import annotations

from urllib.parse import urlsplit


def web_link(href: str | None) -> str | None:
    """`href` stripped, or None unless it is an http(s) URL with a host and no control characters."""
    if not href:
        return None
    href = href.strip()
    if any(ord(c) < 0x20 or c == "\x7f" for c in href):
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return href
