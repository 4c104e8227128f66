"""Which encoding a local file is in, or why it is not text at all.

Order of evidence: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a BOM (one byte of
each pair is nearly always zero in Western text); valid UTF-8; the charset the file declares
(HTML `<meta charset>`, XML declaration); then a sniff among Western legacy 8-bit encodings, each
decoding scored on how much its non-ASCII characters look like text. Files with NUL bytes or many
control characters (once UTF-16/32 are ruled out) are binary; a file no candidate reads plausibly
is refused rather than stored garbled.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

SAMPLE = 65536  # bytes looked at to decide; plenty for a BOM, a <meta charset> or a zero-byte pattern
# Legacy encodings tried, best guess first on ties: cp1252 is what Windows saved Western text as.
LEGACY = ("cp1252", "iso-8859-15", "latin-1")
# Below this share of plausible non-ASCII characters, a decoding is a guess we will not store.
MIN_PLAUSIBLE = 0.6
# More control characters than this share of a sample: not a text file.
MAX_CONTROL_RATIO = 0.05
_CONTROLS = frozenset(b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
                      b"\x19\x1a\x1c\x1d\x1e\x1f\x7f")
_BOMS = (  # UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one.
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = (
    re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE),
    re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE),
)
_PLAUSIBLE_CATEGORIES = frozenset({"Pi", "Pf", "Pd", "Po", "Ps", "Pe", "Sc", "Zs", "No"})


class NotText(ValueError):
    """Bytes that are not text in an encoding we can tell; the message says why."""


@dataclass(frozen=True, slots=True)
class Detected:
    encoding: str  # a Python codec name
    how: str  # "BOM", "zero bytes", "valid UTF-8", "declared", "sniffed": for the log


def detect(sample: bytes) -> Detected:
    """The encoding of a file whose first bytes are `sample` (at most SAMPLE are looked at).

    Raises NotText for binary content or text in no encoding we can tell apart."""
    sample = sample[:SAMPLE]
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return Detected(name, "BOM")
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        return Detected(utf16, "zero bytes")
    if b"\x00" in sample:
        raise NotText("binary content (NUL bytes)")
    controls = sum(1 for b in sample if b in _CONTROLS)
    if sample and controls / len(sample) > MAX_CONTROL_RATIO:
        raise NotText(f"binary content ({controls} control bytes in the first {len(sample)})")
    if _is_utf8(sample):
        return Detected("utf-8", "valid UTF-8")
    return Detected(legacy_encoding(sample), "sniffed")


def decode(data: bytes) -> tuple[str, Detected]:
    """The text of a whole file (already read, at most the size cap). Raises NotText."""
    found = detect(data)
    try:
        text = data.decode(found.encoding)
    except UnicodeDecodeError:
        if found.encoding != "utf-8":
            raise NotText(f"not valid {found.encoding} ({found.how})") from None
        # The sample was UTF-8 but a later part is not: the file mixes encodings; judge it whole.
        found = Detected(legacy_encoding(data), "sniffed")
        text = data.decode(found.encoding)
    if found.encoding.startswith(("utf-16", "utf-32")):
        check_controls(text[: SAMPLE // 2])  # zero bytes pass for UTF-16: judge the characters
    return text, found


def check_controls(text: str) -> None:
    """Raise NotText when more than MAX_CONTROL_RATIO of `text` are control characters."""
    controls = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r\f") or "\x7f" <= ch < "\xa0")
    if text and controls / len(text) > MAX_CONTROL_RATIO:
        raise NotText(f"binary content ({controls} control characters in the first {len(text)})")


def legacy_encoding(data: bytes) -> str:
    """The declared or most plausible legacy 8-bit encoding of `data`. Raises NotText."""
    declared = _declared(data[:SAMPLE])
    scored: list[tuple[float, str]] = []
    for name in (*declared, *LEGACY):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = plausibility(text)
        if name in declared and score >= MIN_PLAUSIBLE:
            return name  # what the file says, as long as it reads as text
        scored.append((score, name))
    if not scored:
        raise NotText("no known encoding decodes it")
    best = max(scored, key=lambda pair: pair[0])  # max keeps the first on ties: LEGACY's order
    if best[0] < MIN_PLAUSIBLE:
        raise NotText(f"encoding not recognised (best guess {best[1]}, {best[0]:.0%} plausible)")
    return best[1]


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters that look like Western text: letters whose case fits their
    neighbours and that do not follow another non-ASCII letter, or typographic signs that do not sit
    inside a word (an apostrophe may). A wrong 8-bit decoding gives controls, `dŽclarŽ`, `Wroc³aw`
    or runs of accented capitals (`ÐÒÉ×ÅÔ`)."""
    good = total = 0
    for i, ch in enumerate(text):
        if ch < "\x80":
            continue
        total += 1
        prev = text[i - 1] if i else " "
        if ch.isalpha():
            after_lower = prev.isalpha() and prev.islower()
            after_foreign_letter = prev >= "\x80" and prev.isalpha()
            if not after_foreign_letter and not (ch.isupper() and after_lower):
                good += 1
            continue
        category = unicodedata.category(ch)
        if category in _PLAUSIBLE_CATEGORIES or ch in "°©®":
            inside_word = prev.isalpha() and i + 1 < len(text) and text[i + 1].isalpha()
            if not inside_word or category == "Pf":  # l’armée
                good += 1
    return 1.0 if total == 0 else good / total


def _declared(head: bytes) -> list[str]:
    out = []
    for pattern in _DECLARED:
        m = pattern.search(head)
        if m:
            name = m.group(1).decode("ascii", "replace").lower()
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                continue
            if codec not in ("utf-8", "utf-16", "utf-32") and codec not in out:
                out.append(codec)
    return out


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when one byte of each pair is zero far more often than the other."""
    n = len(sample) - len(sample) % 2
    if n < 4:
        return None
    even = sample[0:n:2].count(0)
    odd = sample[1:n:2].count(0)
    pairs = n // 2
    # Western text: every ASCII or Latin-1 character has a zero high byte; the other byte of a pair is
    # zero only for U+0000, U+0100, U+0200…, which text does not hold.
    for zeros, other, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= pairs * 0.2 and other <= pairs * 0.01:
            try:
                sample[:n].decode(name)
            except UnicodeDecodeError:
                # A sample cut in the middle of a surrogate pair still counts as UTF-16.
                try:
                    sample[: n - 2].decode(name)
                except UnicodeDecodeError:
                    return None
            return name
    return None


def _is_utf8(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8.
        return exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"
    return True
