"""Matrix events within the homeserver's size limit: a message too large is cut, with a marker.

Synapse refuses events over 65,536 bytes (the whole PDU, `body` and `formatted_body` together, plus the
envelope); the content is kept under MAX_CONTENT_BYTES, dropping whole lines from the end.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from bot.chat.matrix_render import message_content
from bot.core.models import Line, Message

MAX_CONTENT_BYTES = 60_000


def content_size(content: dict[str, Any]) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode())


def fitted(message: Message, size: Callable[[Message], int], limit: int = MAX_CONTENT_BYTES) -> Message:
    """`message`, or as much of it as fits in `limit` bytes: whole lines dropped from the end (the
    headline shortened too if need be), with a marker line saying how many were left out."""
    if size(message) <= limit:
        return message
    lines = list(message.lines)
    kept = len(lines)
    low, high = 0, kept
    while low < high:  # the most lines that fit, with the marker
        mid = (low + high + 1) // 2
        if size(dataclasses.replace(message, lines=(*lines[:mid], _cut_marker(kept - mid)))) <= limit:
            low = mid
        else:
            high = mid - 1
    out = dataclasses.replace(message, lines=(*lines[:low], _cut_marker(kept - low)))
    while size(out) > limit:  # even the headline is too long
        out = dataclasses.replace(out, headline=out.headline[: len(out.headline) // 2] + "…")
    return out


def _cut_marker(left_out: int) -> Line:
    return Line.of(f"[… cut: {left_out} more line(s) did not fit in one Matrix message]")


def fitted_content(message: Message, msgtype: str) -> dict[str, Any]:
    return message_content(fitted(message, lambda m: content_size(message_content(m, msgtype))), msgtype)
