"""Folding (case, accents, punctuation out) keys matching, dedup keys and stored content hashes: the
same text must fold to the same form whatever the code path, or a copy of an article stored earlier
is no longer recognised as one."""

from __future__ import annotations

import pytest

from bot.core.models import Article, fold
from bot.ingest.neardup import shingles


@pytest.mark.parametrize(("text", "folded"), [
    ("L’ANL a «repris» l'aéroport — Mitiga!", "l anl a repris l aeroport mitiga"),
    ("İSTANBUL: ﬁn de l’Œuvre", "istanbul fin de l œuvre"),
    ("Cessez-le-feu à Gharyan (GNA)", "cessez le feu a gharyan gna"),
    ("  ÉTÉ\u00a0 2019 ", "ete 2019"),
    ("naïve café", "naive cafe"),
    ("Tripoli, April 8", "tripoli april 8"),
    ("", ""),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_an_articles_content_hash_is_the_one_stored_before() -> None:
    """The hash of the folded title and text, as databases written by earlier versions hold it."""
    article = Article(id="1", title="Libye : l’ANL avance vers Tripoli",
                      text="Des combats ont éclaté près de l'aéroport de Mitiga, à l'est de Tripoli.")
    assert article.content_hash == "9c8400d0ecf4d7bea08d538fb99c33508dfa18b375bd29e14ac51ca282332eaf"
    assert Article(id="2", text=article.text).content_hash != article.content_hash  # the title counts


def test_near_duplicate_shingles_read_the_folded_text() -> None:
    assert shingles("L’ANL a REPRIS l'aéroport de Mitiga, dimanche.") == {
        "l anl a repris l", "anl a repris l aeroport", "a repris l aeroport de", "repris l aeroport de mitiga",
        "l aeroport de mitiga dimanche"}
