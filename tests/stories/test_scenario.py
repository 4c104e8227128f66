"""The main scenario, end to end with the real extractor, store, delivery and conversation: the seed
(French, 8 April 2019), then an English wire story of the next day about the same offensive, written
for these tests. It joins the seed's story, the rises are told in the story's thread, and every view
shows each source once with its latest figures."""

from __future__ import annotations

import argparse
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.chat.base import ChatContext, Posted
from bot.cli import casualties as casualties_cli
from bot.config import ChannelConfig, Config, SourceConfig
from bot.core.models import Message
from bot.ingest.files import read_articles
from bot.service.conversation import NewsConversation
from bot.service.pipeline import Pipeline
from bot.store import Store, utcnow
from tests.conftest import SEEDS, MakeConfig

HERE = Path(__file__).parent


@dataclass
class Recorder:
    name: str = "rec"
    shows_images: bool = True
    calls: list[tuple[str, str | None, Message]] = field(default_factory=list)
    n: int = 0

    async def post(self, channel: str, message: Message) -> Posted:
        self.n += 1
        self.calls.append(("post", f"m{self.n}", message))
        return Posted(channel, f"m{self.n}")

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        self.n += 1
        self.calls.append(("reply", thread_id, message))
        return Posted(channel, f"m{self.n}")

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        self.calls.append(("edit", message_id, message))


@pytest.fixture
def world(tmp_path: Path, make_config: MakeConfig) -> tuple[Config, Path]:
    shutil.copytree(SEEDS, tmp_path / "seed")
    shutil.copytree(HERE / "followup", tmp_path / "wire")
    config = make_config(
        # No tags: the topic comes from the places the articles name.
        sources=(SourceConfig(name="seed", type="folder", path=str(tmp_path / "seed"), lang="fr"),),
        channels=(ChannelConfig(output="rec", id="C1", language="en"),),
    )
    return config, tmp_path


async def test_follow_up_joins_the_seed_story_and_tells_the_rise(world: tuple[Config, Path], chart_dir: Path) -> None:
    config, tmp = world
    store = Store.open(config.database)
    chat = Recorder()
    pipeline = Pipeline(config, store, {"rec": chat})
    try:
        await pipeline.run_once()  # the seed
        [seed] = store.articles_of_story(store.alerts()[0].story_id or 0)
        posted_before = len(chat.calls)
        # The follow-up, as `ingest FILE` reads it.
        [article] = read_articles(tmp / "wire" / "wire_20190409_tripoli.txt")
        pipeline.process(article)
        await pipeline.deliver()

        wire = next(a for a in store.articles_of_story(seed.story_id or 0) if a.source != seed.source)
        assert wire.story_id == seed.story_id  # one story, two languages, two days

        new = chat.calls[posted_before:]
        root = chat.calls[0][1]
        replies = [m.headline for kind, ref, m in new if kind == "reply" and ref == root]
        assert any("Toll rises (+26 killed, was 21 on 8 April, health ministry" in h for h in replies), replies
        assert any("+154 wounded, was 27" in h for h in replies), replies
        assert any("+5 killed, was 14 on 8 April, Ahmed al-Mesmari" in h for h in replies), replies
        # The repeated "up from 21 and 27" is no alert of its own.
        assert not any(h.startswith(("21 killed", "Toll revised")) for h in replies), replies
        # The root now leads with the latest reconciled figures.
        edits = [m for kind, ref, m in new if kind == "edit" and ref == root]
        assert edits and "47" in edits[-1].headline and "181" in edits[-1].headline

        # `/news casualties libya` (the topic comes from the places: no source is tagged).
        conversation = NewsConversation(store, config, process=pipeline.process)
        ctx = ChatContext(adapter="rec", channel="C1", user="u", is_admin=False, thread_id=None, lang="en")
        answer = (await conversation.command("casualties libya", ctx)).plain
        _one_series_each(answer)

        # The `casualties` CLI: the same numbers.
        out = io.StringIO()
        args = argparse.Namespace(topic="libye", config=str(tmp / "none.yaml"), lang="en", limit=10, no_chart=True)
        _with_config(config, tmp)
        args.config = str(tmp / "bot.yaml")
        assert casualties_cli.cmd_casualties(args, out) == 0
        _one_series_each(out.getvalue())

        # One computation: the root, the digest, /news casualties and the CLI give the same range.
        same = "Killed — all victims: low 35 · best 35 · high 47"
        digest = pipeline.digest(config.channels[0], since=None, now=utcnow())
        for text in (edits[-1].plain, digest.plain, answer, out.getvalue()):
            assert same in text, text

        # "what changed since yesterday?" in the thread answers the rise.
        thread = ChatContext(adapter="rec", channel="C1", user="u", is_admin=False, thread_id=root, lang="en")
        changed = await conversation.follow_up("what changed since yesterday?", thread)
        assert changed is not None
        assert "nothing has changed" not in changed.plain.lower()
        assert "21 killed, 27 wounded → 47 killed, 181 wounded" in changed.plain, changed.plain
        assert "14 killed → 19 killed" in changed.plain, changed.plain
        killed = await conversation.follow_up("how many killed?", thread)
        assert killed is not None and same in killed.plain and "47 killed — health ministry" in killed.plain
    finally:
        store.close()


def _one_series_each(text: str) -> None:
    """The health ministry once, at 47 and 181 (its 21 and 27 are history, not current); al-Mesmari
    once, at 19 soldiers."""
    current = text.split("History")[0]
    assert current.count("health ministry") == 2, current  # one line for killed, one for wounded
    assert "47 killed — health ministry" in current and "181 wounded — health ministry" in current, current
    assert "21 killed — health" not in current and "27 wounded — health" not in current, current
    assert "low 21" not in current, current
    assert current.count("Ahmed al-Mesmari") == 1 and "19 killed — Ahmed al-Mesmari" in current, current
    assert "soldiers" in current


def _with_config(config: Config, tmp: Path) -> None:
    (tmp / "bot.yaml").write_text(
        f"database: {config.database}\nchannels:\n  - {{output: console, id: console, language: en}}\n",
        encoding="utf-8")
