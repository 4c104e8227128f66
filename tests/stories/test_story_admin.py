"""Admins correct the machine: `/news story split S1 A…` takes the follow-up out of the seed's story,
`/news story merge S1 S…` puts it back; tallies, `/news casualties` and the thread follow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.chat.base import ChatContext
from bot.config import ChannelConfig, Config, SourceConfig
from bot.core.models import Article
from bot.core.tally import CasualtyChangeAlert
from bot.ingest.files import read_articles
from bot.service import story_admin, tallies
from bot.service.conversation import NewsConversation
from bot.service.pipeline import Pipeline
from bot.store import Store
from bot.store import stories_db as db
from tests.conftest import SEEDS, MakeConfig
from tests.stories.test_scenario import Recorder

HERE = Path(__file__).parent


def ministry_killed(store: Store, story_id: int) -> list[int]:
    view = tallies.story_view(store, story_id)
    return [f.value for e in view.estimates if e.measure == "killed" for f in e.latest if f.source == "ministry:health"]


async def test_split_then_merge(tmp_path: Path, chart_dir: Path, make_config: MakeConfig) -> None:
    shutil.copytree(SEEDS, tmp_path / "seed")
    config = make_config(sources=(SourceConfig(name="seed", type="folder", path=str(tmp_path / "seed"), lang="fr"),),
                         channels=(ChannelConfig(output="rec", id="C1", language="en"),))
    store = Store.open(config.database)
    chat = Recorder()
    pipeline = Pipeline(config, store, {"rec": chat})
    conversation = NewsConversation(store, config, process=pipeline.process)
    admin = ChatContext(adapter="rec", channel="C1", user="boss", is_admin=True, lang="en")
    reader = ChatContext(adapter="rec", channel="C1", user="reader", is_admin=False, lang="en")
    try:
        await pipeline.run_once()
        [article] = read_articles(HERE / "followup" / "wire_20190409_tripoli.txt")
        pipeline.process(article)
        await pipeline.deliver()
        [rise] = [a for a in store.alerts(types=["casualty"]) if isinstance(a.alert, CasualtyChangeAlert)
                  and a.alert.killed == 47]
        story = rise.story_id
        assert story is not None and ministry_killed(store, story) == [47]

        refused = await conversation.command(f"/news story split S{story} A{rise.id}", reader)
        assert "Only admins" in refused.plain and ministry_killed(store, story) == [47]

        done = await conversation.command(f"/news story split S{story} A{rise.id}", admin)
        moved = store.alert(rise.id)
        assert moved is not None and moved.story_id not in (None, story), done.plain
        new = moved.story_id
        assert new is not None
        assert ministry_killed(store, story) == [21]  # the seed's story is as it was before the follow-up
        assert ministry_killed(store, new) == [47]
        assert f"S{new}" in done.plain

        # A copy of the split article (another outlet running it) follows it, not the seed's story.
        copy = article.__class__(**{**{f: getattr(article, f) for f in article.__dataclass_fields__},
                                    "id": "copy", "source": "other", "outlet": "Other"})
        pipeline.process(copy)
        copied = [a for a in store.articles_of_story(new) if a.source == "other"]
        assert copied, "the copy should join the split story"

        done = await conversation.command(f"/news story merge S{story} S{new}", admin)
        assert ministry_killed(store, story) == [47], done.plain
        assert store.articles_of_story(new) == []
        answer = (await conversation.command("casualties libya", reader)).plain
        assert "47 killed — health ministry" in answer and "21 killed — health ministry" not in answer

        # The thread follows: the merged story's next alert goes to the first story's thread.
        root = store.thread_root("rec", "C1", story)
        later = article.__class__(**{**{f: getattr(article, f) for f in article.__dataclass_fields__},
                                     "id": "later", "source": "third", "outlet": "Third",
                                     "text": article.text.replace("47 people", "52 people")})
        pipeline.process(later)
        await pipeline.deliver()
        assert any(kind == "reply" and ref == root and "+5 killed, was 47" in m.headline
                   for kind, ref, m in chat.calls), [m.headline for _, _, m in chat.calls[-5:]]
    finally:
        store.close()


def test_a_merge_that_fails_half_way_leaves_the_stories_as_they_were(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(sqlite_url)
    try:
        pipeline = Pipeline(Config(path="p", database=sqlite_url), store, {}, extractor=lambda a: [])
        [seed] = read_articles(SEEDS)
        kharkiv = Article(id="kharkiv", source="x", lang="en", title="Strike on Kharkiv",
                          text="A missile struck Kharkiv on Monday, officials said.")
        for article in (seed, kharkiv):
            pipeline.process(article)
        first, second = _story(store, seed), _story(store, kharkiv)
        assert first is not None and second is not None and first != second
        before = {sid: db.story_articles(store, sid) for sid in (first, second)}

        def cut(_store: Store) -> None:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(story_admin, "_bump", cut)
        with pytest.raises(RuntimeError):
            story_admin.merge(store, first, second)
        assert {sid: db.story_articles(store, sid) for sid in (first, second)} == before
        assert db.resolve(store, second) == second
    finally:
        store.close()


def _story(store: Store, article: Article) -> int | None:
    stored = store.article(store.add_article(article)[0])
    return stored.story_id if stored is not None else None
