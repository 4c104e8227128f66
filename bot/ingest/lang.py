"""An article's language: what the feed, page or file declares is a hint; the text decides when it
clearly reads as another language (a French item in a feed marked `en` is extracted as French).

Detection is the project's (`bot.core.extract.langdetect`: stopwords of each lexicon). The declared
language is kept unless the detected one has at least MIN_HITS stopwords and RATIO times as many as
the declared one: a short or mixed text (a headline, a French article quoting English) keeps it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from bot.core.extract.langdetect import most_stopwords, stopword_counts
from bot.core.extract.lexicon import available_languages
from bot.core.models import Article

log = logging.getLogger(__name__)

MIN_HITS = 5
RATIO = 3.0
# One detection at a time: a poll completes its entries concurrently, each in a worker thread, and
# several threads tokenizing at once (or loading the lexicons, the first time) starve the event loop
# of the interpreter lock; one at a time costs nothing (a few ms an article) and keeps it responsive.
_ONE_AT_A_TIME = threading.Lock()


def settle_language(article: Article) -> Article:
    """`article` with the language its text reads as, when that differs clearly from the declared one
    (blocking: CPU work; coroutines run it in a worker thread)."""
    with _ONE_AT_A_TIME:
        return _settle(article)


def _settle(article: Article) -> Article:
    text = f"{article.title or ''}\n{article.text}"
    declared = (article.lang or "").lower()[:2] or None
    known = available_languages()
    if declared is not None and declared not in known:
        return article  # no lexicon to compare with: the extractor detects the language itself anyway
    counts = stopword_counts(text)  # the text tokenized once for the detection and both counts
    detected = most_stopwords(counts, default=declared or "")
    if not detected or detected == declared:
        return article
    hits = counts.get(detected, 0)
    against = counts.get(declared, 0) if declared else 0
    if hits < MIN_HITS or hits < RATIO * against:
        return article
    if declared:
        log.info("source %r: %s declared %r, its text reads as %r (%d stopwords against %d); extracted as %r",
                 article.source, article.url or article.id, declared, detected, hits, against, detected)
    return dataclasses.replace(article, lang=detected)
