"""Article in, alerts out. (Placeholder until the extraction rules land.)"""

from __future__ import annotations

from bot.core.models import Alert, Article


def extract_alerts(article: Article) -> list[Alert]:
    return []
