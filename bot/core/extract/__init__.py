"""Article in, alerts out: statements, fighting updates and casualty figures.

The pipeline is language-neutral: the article's language picks a lexicon file
(`lexicons/<lang>.yaml`), and every rule reads its words from there.
"""

from __future__ import annotations

from bot.core.extract.langdetect import detect_language
from bot.core.extract.lexicon import available_languages, load_lexicon
from bot.core.extract.pipeline import run
from bot.core.models import Alert, Article

__all__ = ["extract_alerts"]


def extract_alerts(article: Article) -> list[Alert]:
    lang = (article.lang or "").lower()[:2]
    if lang not in available_languages():
        lang = detect_language(f"{article.title or ''}\n{article.text}")
    return run(article, load_lexicon(lang))
