"""Language identification by stopword counts, from the `stopwords` list of each lexicon."""

from __future__ import annotations

from bot.core.extract.lexicon import available_languages, load_lexicon
from bot.core.extract.text import tokenize

SAMPLE = 5000  # characters: plenty to tell languages apart, and keeps detection O(1) per article


def detect_language(text: str, default: str = "en") -> str:
    words = [t.low for t in tokenize(text[:SAMPLE]) if t.is_word]
    best, best_hits = default, 0
    for lang in available_languages():
        stop = load_lexicon(lang).stopwords
        hits = sum(1 for w in words if w in stop)
        if hits > best_hits:
            best, best_hits = lang, hits
    return best
