"""A story's chart is uploaded into its Slack thread once, even when the bot is killed around the upload:
the real store (SQLite and PostgreSQL), the real SlackAdapter and the stand-in Web API, which shows
uploaded files in the thread's history as Slack does (messages with `files`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.chat.slack import SlackAdapter
from bot.config import ChannelConfig, Config
from bot.core.models import Message
from bot.service.delivery import deliver_alerts, post_chart
from bot.service.pipeline import Pipeline
from bot.store import Store
from tests.slack.slack_fakes import FakeSlack
from tests.tally.tally_story import ARTICLES, OneStory, extract_figures

CHANNEL = ChannelConfig(output="slack", id="C111")
STORY = 7


class Killed(BaseException):
    """The process dies here: nothing after this point of the pass happens (no `except Exception` stops it)."""


@pytest.fixture
async def bots(make_adapter: Callable[..., SlackAdapter]) -> AsyncIterator[Callable[[], SlackAdapter]]:
    """Each call is the Slack side of a freshly (re)started bot."""
    made: list[SlackAdapter] = []

    def start() -> SlackAdapter:
        made.append(make_adapter())
        return made[-1]

    yield start
    for adapter in made:
        await adapter.stop()


def uploads(fake: FakeSlack) -> list[Any]:
    """The files shared into the channel: what its users see."""
    return list(fake.of("files.completeUploadExternal"))


def in_thread(fake: FakeSlack, root: str) -> list[dict[str, Any]]:
    return [m for m in fake.file_shares if m["thread_ts"] == root]


def chart(tmp_path: Path, content: bytes) -> Message:
    path = tmp_path / "story-7-en.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + content)
    return Message(headline="Gaza: killed, wounded", attachments=(str(path),))


@contextlib.contextmanager
def killed_at_write(monkeypatch: pytest.MonkeyPatch, when: Callable[[int], bool], *, written: bool) -> Iterator[None]:
    """The process dies at a write of the store's key/value state: the first for which `when(n)` (n: the
    writes so far, this one included) is true, just after its commit (`written`) or just before it."""
    original = Store.set_state
    writes = 0

    def set_state(self: Store, key: str, value: str) -> None:
        nonlocal writes
        writes += 1
        dies = when(writes)
        if written or not dies:
            original(self, key, value)
        if dies:
            raise Killed(f"killed at write {writes}")

    with monkeypatch.context() as patched:
        patched.setattr(Store, "set_state", set_state)
        yield


async def test_a_chart_uploaded_before_a_kill_is_not_uploaded_again(
        store: Store, fake_slack: FakeSlack, bots: Callable[[], SlackAdapter], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bot = bots()
    root = (await bot.post(CHANNEL.id, Message(headline="Strikes on Gaza"))).message_id
    message = chart(tmp_path, b"figures of two dates")

    # Killed once the upload is done, before its record: no write of the chart's state after the upload.
    def after_upload(_: int) -> bool:
        return len(uploads(fake_slack)) > 0

    with killed_at_write(monkeypatch, after_upload, written=False), pytest.raises(Killed):
        await post_chart(store, bot, CHANNEL, STORY, root, message)
    assert len(uploads(fake_slack)) == 1 and len(in_thread(fake_slack, root)) == 1

    restarted = bots()
    looked = len(fake_slack.of("conversations.replies"))
    await post_chart(store, restarted, CHANNEL, STORY, root, message)
    assert len(uploads(fake_slack)) == 1, "the chart already in the thread was uploaded again"
    assert len(fake_slack.of("conversations.replies")) == looked + 1, "the thread was not looked at"

    # Recorded: a later pass neither uploads it nor has to look for it again.
    await post_chart(store, restarted, CHANNEL, STORY, root, message)
    assert len(uploads(fake_slack)) == 1
    assert len(fake_slack.of("conversations.replies")) == looked + 1


async def test_a_chart_whose_upload_a_kill_prevented_is_uploaded_once_on_the_next_pass(
        store: Store, fake_slack: FakeSlack, bots: Callable[[], SlackAdapter], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bot = bots()
    root = (await bot.post(CHANNEL.id, Message(headline="Strikes on Gaza"))).message_id
    message = chart(tmp_path, b"figures of two dates")

    # Killed right after the pass's first write (the intent), before anything reached Slack.
    with killed_at_write(monkeypatch, lambda n: n == 1, written=True), pytest.raises(Killed):
        await post_chart(store, bot, CHANNEL, STORY, root, message)
    assert uploads(fake_slack) == [] and fake_slack.of("files.getUploadURLExternal") == []

    restarted = bots()
    await post_chart(store, restarted, CHANNEL, STORY, root, message)
    assert len(uploads(fake_slack)) == 1
    (shared,) = in_thread(fake_slack, root)
    assert shared["files"][0]["title"].startswith("Gaza: killed, wounded")
    await post_chart(store, restarted, CHANNEL, STORY, root, message)
    assert len(uploads(fake_slack)) == 1, "uploaded a second time once recorded"


async def test_a_chart_slack_refused_is_uploaded_on_a_later_pass_once(
        store: Store, fake_slack: FakeSlack, bots: Callable[[], SlackAdapter], tmp_path: Path) -> None:
    bot = bots()
    root = (await bot.post(CHANNEL.id, Message(headline="Strikes on Gaza"))).message_id
    message = chart(tmp_path, b"figures of two dates")
    fake_slack.fail_next("files.getUploadURLExternal", 403, body={"ok": False, "error": "not_allowed_token_type"})
    await post_chart(store, bot, CHANNEL, STORY, root, message)  # logged: the alerts are out, the chart waits
    assert uploads(fake_slack) == []
    await post_chart(store, bot, CHANNEL, STORY, root, message)
    await post_chart(store, bot, CHANNEL, STORY, root, message)
    assert len(uploads(fake_slack)) == 1 and len(in_thread(fake_slack, root)) == 1


async def test_a_changed_chart_is_uploaded_once_and_found_again_after_a_kill(
        store: Store, fake_slack: FakeSlack, bots: Callable[[], SlackAdapter], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    bot = bots()
    root = (await bot.post(CHANNEL.id, Message(headline="Strikes on Gaza"))).message_id
    await post_chart(store, bot, CHANNEL, STORY, root, chart(tmp_path, b"two dates"))
    await post_chart(store, bot, CHANNEL, STORY, root, chart(tmp_path, b"two dates"))
    assert len(uploads(fake_slack)) == 1

    changed = chart(tmp_path, b"three dates")  # the figures moved: a new chart, same file path
    await post_chart(store, bot, CHANNEL, STORY, root, changed)
    await post_chart(store, bot, CHANNEL, STORY, root, changed)
    assert len(uploads(fake_slack)) == 2
    first, second = (m["files"][0]["name"] for m in in_thread(fake_slack, root))
    assert first != second, "each chart's file is named after its own delivery key"

    # The next change is uploaded, then the bot is killed before recording it: the earlier charts in
    # the thread do not count as this one, which is not uploaded again either.
    latest = chart(tmp_path, b"four dates")

    def after_upload(_: int) -> bool:
        return len(uploads(fake_slack)) > 2

    with killed_at_write(monkeypatch, after_upload, written=False), pytest.raises(Killed):
        await post_chart(store, bot, CHANNEL, STORY, root, latest)
    restarted = bots()
    await post_chart(store, restarted, CHANNEL, STORY, root, latest)
    await post_chart(store, restarted, CHANNEL, STORY, root, latest)
    assert len(uploads(fake_slack)) == 3 and len(in_thread(fake_slack, root)) == 3


# --- through the delivery passes: a story whose figures span two dates gets a chart in its thread ----

NOW = dt.datetime(2019, 4, 8, 20, 0, tzinfo=dt.UTC)
STORY_ARTICLES = ARTICLES[:2]  # two figures of one story on two dates: a chart


async def a_story_over_two_dates(store: Store, slack: SlackAdapter, tmp_path: Path) -> Pipeline:
    """The first article is delivered (the thread's root); the second is stored, not yet delivered."""
    config = Config(path="test", channels=(CHANNEL,))
    pipeline = Pipeline(config, store, {"slack": slack}, extractor=extract_figures, clock=lambda: NOW)
    pipeline.stories = OneStory(store)  # type: ignore[assignment]
    await store.run(pipeline.process, STORY_ARTICLES[0])
    await deliver_alerts(store, {"slack": slack}, (CHANNEL,), now=NOW, chart_dir=tmp_path / "charts")
    await store.run(pipeline.process, STORY_ARTICLES[1])
    return pipeline


@pytest.mark.parametrize("kill", ["after the upload", "before the upload"])
async def test_after_a_kill_around_the_chart_the_restarted_bot_shows_it_once(
        kill: str, db_url: str, store: Store, fake_slack: FakeSlack, bots: Callable[[], SlackAdapter],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slack = bots()
    await a_story_over_two_dates(store, slack, tmp_path)
    before_edit = len(fake_slack.of("chat.update"))

    # The pass replies, edits the root, then dies around the chart: as it starts the upload (nothing
    # reached Slack), or once the upload is done, before the store's next write (the upload's record).
    with contextlib.ExitStack() as dying:
        if kill == "before the upload":
            async def dies(*args: Any) -> None:
                raise Killed("killed as the upload starts")

            dying.enter_context(monkeypatch.context()).setattr(slack, "attach", dies)
        else:
            dying.enter_context(killed_at_write(monkeypatch, lambda _: len(uploads(fake_slack)) > 0, written=False))
        with pytest.raises(Killed):
            await deliver_alerts(store, {"slack": slack}, (CHANNEL,), now=NOW, chart_dir=tmp_path / "charts")
    assert len(fake_slack.of("chat.update")) == before_edit + 1
    assert len(uploads(fake_slack)) == (1 if kill == "after the upload" else 0)

    # A new process: its own store connection and Slack client; the root already shows the figures.
    restarted = Store.open(db_url)
    try:
        slack = bots()
        for _ in range(2):
            report = await deliver_alerts(restarted, {"slack": slack}, (CHANNEL,), now=NOW,
                                          chart_dir=tmp_path / "charts")
            assert report.sent == 0
        root = fake_slack.messages[0]["ts"]
        assert len(uploads(fake_slack)) == 1, f"killed {kill}: the chart is not in the thread exactly once"
        assert len(in_thread(fake_slack, root)) == 1
        assert len(fake_slack.of("chat.update")) == before_edit + 1, "the root was edited again"
    finally:
        restarted.close()
