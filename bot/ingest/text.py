"""Text helpers for fetched content: decoding bytes whatever they claim, HTML fragments to text."""

from __future__ import annotations

import codecs
import html as htmllib
import re

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(rb"""<html[^>]*?\blang\s*=\s*["']?([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)?""", re.IGNORECASE)
_BLOCK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6]|/blockquote|/tr)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
# Scripts, styles and comments go whole: a `>` inside them would end a plain tag match early.
_SCRIPT = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>|<!--.*?-->")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def charset_of(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    return m.group(1).lower() if m else None


def decode_bytes(data: bytes, content_type: str = "") -> str:
    """Text of a body. A byte-order mark first (UTF-8, UTF-16, UTF-32), then UTF-8 (it rarely decodes
    by accident), then the declared charset (HTTP header, <meta> or XML declaration), then cp1252;
    never raises."""
    for bom, codec in _BOMS:  # a byte-order mark outranks anything declared
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:4096]
    declared = [charset_of(content_type)]
    for pattern in (_CHARSET, _XML_ENCODING):
        m = pattern.search(head)
        if m:
            declared.append(m.group(1).decode("ascii", "replace").lower())
    for name in [*declared, "cp1252"]:
        if not name or name in ("utf-8", "utf8"):
            continue
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def html_lang(data: bytes | str) -> str | None:
    head = (data[:8192] if isinstance(data, bytes) else data[:8192].encode("utf-8", "replace"))
    m = _HTML_LANG.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def fragment_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment (feed summaries): tags out, entities decoded, paragraphs kept."""
    if not fragment:
        return ""
    s = _SCRIPT.sub(" ", fragment)
    s = _BLOCK.sub("\n", s)
    s = _TAG.sub(" ", s)
    s = htmllib.unescape(s).replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in s.splitlines())
    return "\n".join(line for line in lines if line)


def lang_code(value: object) -> str | None:
    """'fr-FR' -> 'fr'; anything that is not a language tag -> None."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*([A-Za-z]{2})(?:[-_]|\s*$)", value)
    return m.group(1).lower() if m else None
