"""The MinHash signature is computed in 64-bit numpy arithmetic: it must give the very values of the
definition in Python integers, or signatures stored before would stop matching their copies."""

from __future__ import annotations

import hashlib
import random

from bot.ingest import neardup


def by_definition(items: set[str]) -> tuple[int, ...]:
    p = (1 << 61) - 1
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") % p for s in items]
    return tuple(min((a * h + b) % p for h in hashes) for a, b in neardup._PERMS)


def test_signature_values_equal_the_definition() -> None:
    rng = random.Random(7)
    for size in (1, 2, 8, 50, 400):
        for _ in range(20):
            items = {" ".join(f"{rng.random():.17f}" for _ in range(5)) for _ in range(size)}
            assert neardup.minhash(items) == by_definition(items)


def test_a_stored_signature_still_matches_its_text() -> None:
    text = " ".join(f"mot{i} suite{i % 7}" for i in range(80))
    stored = neardup.signature(text)  # what the store holds
    assert stored is not None and neardup.similarity(stored, neardup.signature(text)) == 1.0
    assert neardup.decode(stored) == by_definition(neardup.shingles(text))
