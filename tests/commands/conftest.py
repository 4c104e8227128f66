"""A real SQLite store holding the seed article, filed through the pipeline by a careful reader.

The real extractor is developed elsewhere; `seed_extractor` returns the seed's alerts as a careful
reader would file them, so these tests exercise commands and answers on real data end to end.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.chat.base import ChatContext
from bot.chat.console import ConsoleAdapter
from bot.config import ChannelConfig, Config, SourceConfig
from bot.core.models import Alert, Article, Casualty, Fighting, Statement
from bot.service.conversation import NewsConversation
from bot.service.handlers.base import UrlReader
from bot.service.pipeline import Extractor, Pipeline
from bot.store import Store
from tests.conftest import SEEDS, MakeConfig

SEED_ID = "000_eb2ed1d0cd4a9010"
SEED_TITLE = "Libye : Washington demande l'arrêt immédiat de l'offensive de Haftar sur Tripoli"


def _sentence(text: str, start: str) -> str:
    i = text.index(start)
    ends = [j for j in (text.find(". ", i), text.find(".", i)) if j != -1]
    return text[i:min(ends) + 1]


def seed_extractor(article: Article) -> list[Alert]:
    """The seed's alerts, filed as a careful reader would (and nothing for any other article)."""
    if article.id != SEED_ID:
        return []
    text = article.text
    aid = article.id
    sunday = dt.date(2019, 4, 7)
    q1 = ("Nous avons clairement indiqué que nous nous opposons à l'offensive militaire des forces de Khalifa "
          "Haftar et demandons instamment que cessent immédiatement ces opérations militaires contre la capitale "
          "libyenne")
    q2 = "Les forces devraient revenir à leurs positions statu quo ante"
    q3 = "Il n'y a pas de solution militaire au conflit en Libye"
    toll = _sentence(text, "Le ministère de la Santé")
    return [
        Statement(aid, "Mike Pompeo", q1, speaker_role="secrétaire d'Etat", direct=True, date=sunday,
                  evidence=_sentence(text, "« Nous avons clairement")),
        Statement(aid, "Mike Pompeo", q2, speaker_role="secrétaire d'Etat", direct=True, date=sunday,
                  evidence=_sentence(text, "« Les forces devraient")),
        Statement(aid, "Mike Pompeo", q3, speaker_role="secrétaire d'Etat", direct=True, date=sunday,
                  evidence=_sentence(text, "« Il n'y a pas")),
        Fighting(aid, "Tripoli", action="resumed", actors=("ANL", "GNA"), date=sunday,
                 evidence=_sentence(text, "Après une pause nocturne")),
        Casualty(aid, killed=35, qualifier="at_least", victims="personnes, dont des civils",
                 since=dt.date(2019, 4, 4), evidence=_sentence(text, "Au moins 35 personnes")),
        Casualty(aid, killed=21, wounded=27, qualifier="at_least", victims="personnes, y compris un médecin",
                 reported_by="ministère de la Santé", location="Tripoli", evidence=toll),
        Casualty(aid, killed=14, qualifier="exact", victims="soldats", reported_by="Ahmed al-Mesmari",
                 evidence=toll),
    ]


@dataclass
class World:
    config: Config
    store: Store
    pipeline: Pipeline
    conversation: NewsConversation
    out: io.StringIO

    def ctx(self, channel: str = "console-en", *, lang: str = "en", admin: bool = False,
            thread: str | None = None, user: str = "reader") -> ChatContext:
        return ChatContext(adapter="console", channel=channel, user=user, is_admin=admin, thread_id=thread,
                           lang=lang)

    def story_id(self) -> int:
        stored = self.store.alerts()
        assert stored, "the pipeline filed no alert"
        story = stored[0].story_id
        assert story is not None
        return story

    def thread(self, channel: str = "console-en") -> str:
        root = self.store.thread_root("console", channel, self.story_id())
        assert root is not None
        return root

    async def ask(self, question: str, *, channel: str = "console-en", lang: str = "en") -> str:
        ctx = self.ctx(channel, lang=lang, thread=self.thread(channel))
        message = await self.conversation.follow_up(question, ctx)
        assert message is not None
        return message.plain

    async def run(self, text: str, channel: str = "console-en", *, lang: str = "en", admin: bool = False,
                  thread: str | None = None, user: str = "reader") -> str:
        ctx = self.ctx(channel, lang=lang, admin=admin, thread=thread, user=user)
        message = await self.conversation.command(text, ctx)
        return message.plain


WorldFactory = Callable[..., Awaitable[World]]


@pytest.fixture
async def make_world(make_config: MakeConfig) -> AsyncIterator[WorldFactory]:
    stores: list[Store] = []

    async def build(extractor: Extractor = seed_extractor, read_url: UrlReader | None = None) -> World:
        config = make_config(
            sources=(SourceConfig(name="seed", type="folder", path=str(SEEDS), lang="fr", tags=("libya",)),),
            channels=(ChannelConfig(output="console", id="console-en", language="en"),
                      ChannelConfig(output="console", id="console-fr", language="fr")))
        store = Store.open(config.database)
        stores.append(store)
        out = io.StringIO()
        pipeline = Pipeline(config, store, {"console": ConsoleAdapter(out, color="never")}, extractor=extractor)
        await pipeline.run_once()
        conversation = NewsConversation(store, config, process=pipeline.process, read_url=read_url)
        return World(config, store, pipeline, conversation, out)

    yield build
    for store in stores:
        store.close()


@pytest.fixture
async def world(make_world: WorldFactory) -> World:
    return await make_world()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_extractor: runs against bot.core.extract.extract_alerts (skipped until it finds alerts)")
