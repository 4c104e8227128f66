"""Read a configured source into articles. Files and folders are read from disk here."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.config import SourceConfig
from bot.core.models import Article
from bot.ingest.files import read_articles


class SourceError(Exception):
    """A source that could not be read this time; the message names the source."""


def read_local_source(source: SourceConfig) -> list[Article]:
    assert source.path is not None
    path = Path(source.path)
    if not path.exists():
        raise SourceError(f"source {source.name!r}: {path} does not exist")
    out = []
    for article in read_articles(path, source=source.name):
        # The source's name identifies where an article came from; its language is the default.
        out.append(dataclasses.replace(
            article, source=source.name, lang=article.lang or source.lang, outlet=article.outlet or source.name))
    return out
