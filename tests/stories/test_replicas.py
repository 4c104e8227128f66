"""Two processes sharing one database (replicas): each files articles under the stories the other
opened, since each reads what was filed since its previous decision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.config import Config
from bot.core.models import Article
from bot.ingest.files import read_articles
from bot.service.pipeline import Pipeline
from bot.store import Store
from tests.conftest import SEEDS

HERE = Path(__file__).parent


def story_of(store: Store, article: Article) -> int | None:
    article_id = store.article_by_hash(article.content_hash)
    stored = store.article(article_id) if article_id is not None else None
    return stored.story_id if stored is not None else None


def test_a_replica_follows_the_story_the_other_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    one, two = Store.open(url), Store.open(url)
    try:
        first = Pipeline(Config(path="a", database=url), one, {}, extractor=lambda a: [])
        second = Pipeline(Config(path="b", database=url), two, {}, extractor=lambda a: [])
        elsewhere = Article(id="kharkiv", source="x", lang="en", published=dt.date(2019, 4, 8),
                            title="Strike on Kharkiv", text="A missile struck Kharkiv on Monday, officials said.")
        second.process(elsewhere)  # the second replica has read the stories once already
        [seed] = read_articles(SEEDS)
        first.process(seed)
        [follow_up] = read_articles(HERE / "followup" / "wire_20190409_tripoli.txt")
        second.process(follow_up)
        assert story_of(one, follow_up) == story_of(one, seed) != story_of(one, elsewhere)
    finally:
        one.close()
        two.close()
