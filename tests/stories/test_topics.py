"""Every article has topics: its source's tags, else its story's, else the country of its places.
A file ingested by path (no source, no tags) is found by `/news casualties libye`, and a channel
following `topic libya` receives its alerts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.chat.base import ChatContext
from bot.cli import main
from bot.config import ChannelConfig
from bot.core.models import Casualty
from bot.service.conversation import NewsConversation
from bot.service.delivery import deliver_alerts
from bot.service.pipeline import Pipeline
from bot.service.subscriptions import alert_topics
from bot.store import Store
from bot.store import stories_db as db
from tests.conftest import MakeConfig
from tests.stories.test_scenario import Recorder

HERE = Path(__file__).parent


async def test_a_file_ingested_by_path_gets_its_country_as_topic(
        tmp_path: Path, chart_dir: Path, make_config: MakeConfig) -> None:
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    cfg = tmp_path / "bot.yaml"
    cfg.write_text(f"database: {database}\n", encoding="utf-8")
    # `python -m bot ingest FILE` (in a thread: it runs its own event loop).
    args = ["ingest", str(HERE / "followup" / "wire_20190409_tripoli.txt"), "-c", str(cfg)]
    assert await asyncio.to_thread(main, args) == 0

    store = Store.open(database)
    try:
        [alert] = [a for a in store.alerts(types=["casualty"])
                   if isinstance(a.alert, Casualty) and a.alert.killed == 47]
        assert alert.story_id is not None
        [filed] = db.of_story(store, alert.story_id)
        assert filed.topics == ("libya",)
        assert (store.story(alert.story_id) or {}).get("topic") == "libya"

        # A channel following the topic gets the file's alerts; one following another does not.
        chat = Recorder()
        config = make_config(channels=(
            ChannelConfig(output="rec", id="libya-desk", language="en", topics=("libya",)),
            ChannelConfig(output="rec", id="sudan-desk", language="en", topics=("sudan",))))
        pipeline = Pipeline(config, store, {"rec": chat})
        # As the scheduler delivers: each alert's topics from its story and its sources' tags.
        await deliver_alerts(store, {"rec": chat}, config.channels,
                             topics_of=lambda a: alert_topics(store, config, a.id, a.story_id))
        to_libya = [m for kind, _, m in chat.calls if kind == "post"]
        assert any("47 killed" in m.headline for m in to_libya)
        assert store.thread_root("rec", "sudan-desk", alert.story_id) is None

        conversation = NewsConversation(store, config, process=pipeline.process)
        ctx = ChatContext(adapter="rec", channel="libya-desk", user="u", lang="en")
        answer = (await conversation.command("casualties libye", ctx)).plain
        assert "47 killed — health ministry" in answer
    finally:
        store.close()
