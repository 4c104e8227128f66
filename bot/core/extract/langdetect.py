"""Language identification by stopword counts, from the `stopwords` list of each lexicon."""

from __future__ import annotations

from bot.core.extract.lexicon import available_languages, load_lexicon
from bot.core.extract.text import tokenize

SAMPLE = 5000  # characters: plenty to tell languages apart, and keeps detection O(1) per article


def stopword_counts(text: str) -> dict[str, int]:
    """How many words of the text's first SAMPLE characters are stopwords of each language (one tokenizing
    for every language)."""
    words = [t.low for t in tokenize(text[:SAMPLE]) if t.is_word]
    counts: dict[str, int] = {}
    for lang in available_languages():
        stop = load_lexicon(lang).stopwords
        counts[lang] = sum(1 for w in words if w in stop)
    return counts


def most_stopwords(counts: dict[str, int], default: str = "en") -> str:
    """The language with the most stopwords (the first of equals, in the packs' order); `default` when none."""
    best, best_hits = default, 0
    for lang, hits in counts.items():
        if hits > best_hits:
            best, best_hits = lang, hits
    return best


def detect_language(text: str, default: str = "en") -> str:
    return most_stopwords(stopword_counts(text), default)
