"""Near-duplicate detection: the same wire story rewritten by several outlets.

Text is folded (case, accents, punctuation out), cut into word 5-shingles, and summarised by a
MinHash signature of `NUM_PERM` = 128 values. The share of equal values between two signatures
estimates the Jaccard similarity of their shingle sets (standard error ~0.04 near 0.5).

`THRESHOLD` = 0.4: two *different* articles, even on the same event, share well under 10% of their
5-word shingles; light rewrites of one dispatch (sentences reordered, a new intro, a trimmed ending)
keep 50-90% (see tests/ingest/test_neardup.py). 0.4 sits in the wide gap, leaning towards grouping
copy that was shortened by half. Texts with fewer than `MIN_SHINGLES` shingles get no signature:
they are too short to compare without false matches and are only grouped by exact content hash.
"""

from __future__ import annotations

import base64
import hashlib
import random
import struct

import numpy as np
from numpy.typing import NDArray

from bot.core.models import fold_text

SHINGLE_WORDS = 5
NUM_PERM = 128
THRESHOLD = 0.4
MIN_SHINGLES = 8
PREFIX = "mh1:"
# LSH banding for candidate lookup (see `bands`): BANDS * ROWS = NUM_PERM.
BANDS = 64
ROWS = 2

_PRIME = (1 << 61) - 1
_rng = random.Random(0x5EED)
_PERMS: tuple[tuple[int, int], ...] = tuple(
    (_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(NUM_PERM))


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    words = fold_text(text).split()
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


# The permutations as numpy columns, `a` cut in 32-bit halves (see `minhash`).
_A = np.array([a for a, _ in _PERMS], dtype=np.uint64)[:, None]
_B = np.array([b for _, b in _PERMS], dtype=np.uint64)[:, None]
_A_HI, _A_LO = _A >> np.uint64(32), _A & np.uint64(0xFFFFFFFF)
_P = np.uint64(_PRIME)


def _mod_p(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """x mod p for x < 2^64, p = 2^61 - 1 (a Mersenne prime: 2^61 = 1 mod p)."""
    x = (x & _P) + (x >> np.uint64(61))
    return np.where(x >= _P, x - _P, x)


def minhash(items: set[str]) -> tuple[int, ...]:
    """min over the items of (a * h + b) mod p, for each of the NUM_PERM (a, b): the same values as
    Python's integers give (signatures already stored stay comparable), in 64-bit numpy arithmetic,
    three times faster. a and h (< 2^61) are cut in 32-bit halves so that no product overflows:
    a*h = ah*hh*2^64 + (ah*hl + al*hh)*2^32 + al*hl, with 2^64 = 8 and 2^61 = 1 (mod p)."""
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") % _PRIME for s in items]
    h = np.array(hashes, dtype=np.uint64)[None, :]
    h_hi, h_lo = h >> np.uint64(32), h & np.uint64(0xFFFFFFFF)
    high = (_A_HI * h_hi) << np.uint64(3)  # < 2^61
    mid = _A_HI * h_lo + _A_LO * h_hi  # < 2^62; times 2^32: its bits from the 29th wrap round to the bottom
    mid = (mid >> np.uint64(29)) + ((mid & np.uint64((1 << 29) - 1)) << np.uint64(32))
    product = _mod_p(_mod_p(high + mid) + _mod_p(_A_LO * h_lo))
    values: list[int] = _mod_p(product + _B).min(axis=1).tolist()
    return tuple(values)


def signature(text: str) -> str | None:
    """The stored fingerprint of a text (`stories.signature`), or None when it is too short."""
    items = shingles(text)
    if len(items) < MIN_SHINGLES:
        return None
    packed = struct.pack(f">{NUM_PERM}Q", *minhash(items))
    return PREFIX + base64.b64encode(packed).decode("ascii")


def decode(sig: str | None) -> tuple[int, ...] | None:
    if not sig or not sig.startswith(PREFIX):
        return None
    try:
        raw = base64.b64decode(sig[len(PREFIX):], validate=True)
        return struct.unpack(f">{NUM_PERM}Q", raw)
    except (ValueError, struct.error):
        return None


def similarity(a: str | tuple[int, ...] | None, b: str | tuple[int, ...] | None) -> float:
    """Estimated Jaccard similarity of two signatures (0.0 when either is missing or unreadable)."""
    va = decode(a) if isinstance(a, str) or a is None else a
    vb = decode(b) if isinstance(b, str) or b is None else b
    if va is None or vb is None or len(va) != len(vb):
        return 0.0
    return sum(1 for x, y in zip(va, vb, strict=True) if x == y) / len(va)


def bands(sig: tuple[int, ...]) -> list[tuple[int, ...]]:
    """A signature cut into `BANDS` runs of `ROWS` values. Two signatures with estimated Jaccard
    similarity J share at least one band with probability about 1 - (1 - J**ROWS)**BANDS: ~1 - 1.4e-5
    at J = 0.4, ~0.006 at J = 0.01."""
    return [sig[i:i + ROWS] for i in range(0, BANDS * ROWS, ROWS)]
