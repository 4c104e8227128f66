"""End to end on Slack: the real store (SQLite file), pipeline, /news engine and Slack adapter.

The bot is assembled by `open_app` from a parsed config and serves its Bolt app over HTTP; Slack's
Web API is the `FakeSlack` stand-in (`outputs.slack.api_url`), and what Slack would send (slash
commands, thread messages) arrives as signed HTTP requests. Articles come from a folder source
holding the repository's seed article (and, per test, later articles of the same story).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import re
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest

from bot.chat.slack import SlackAdapter
from bot.config import Config
from bot.core.extract.confidence import is_pushed
from bot.core.models import Casualty
from bot.service.app import App, open_app, run_forever
from bot.service.pipeline import RunReport
from bot.service.scheduler import BotScheduler
from bot.store import Store, StoredAlert
from tests.conftest import SEEDS, MakeConfig, free_port, wait_until
from tests.slack.slack_fakes import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    Call,
    FakeSlack,
    command_body,
    event_body,
    signed_headers,
)

CHANNEL = "C111"
SEED_SENTENCE = "Au moins 35 personnes, dont des civils, ont été tuées des deux côtés dans des combats depuis jeudi."
UPDATE_SENTENCE = "Au moins 47 personnes ont été tuées depuis jeudi, dont des civils, des deux côtés."


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """The folder source: a copy of the repository's seed article(s)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, folder)
    return folder


@pytest.fixture
def slack_config(make_config: MakeConfig, fake_slack: FakeSlack,
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., Config]:
    """`slack_config(folder, channels=None)`: a bot on the stand-in Slack reading `folder`."""
    monkeypatch.setenv("E2E_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("E2E_SLACK_SIGNING_SECRET", SIGNING_SECRET)

    def make(folder: Path, channels: list[dict[str, Any]] | None = None) -> Config:
        return make_config.yaml({
            "sources": [{"name": "seed", "type": "folder", "path": str(folder)}],
            "outputs": {
                "console": {"enabled": False},
                "slack": {"enabled": True, "mode": "http", "host": "127.0.0.1", "port": free_port(),
                          "bot_token_env": "E2E_SLACK_BOT_TOKEN", "signing_secret_env": "E2E_SLACK_SIGNING_SECRET",
                          "api_url": fake_slack.api_url},
            },
            "channels": channels or [{"output": "slack", "id": CHANNEL, "language": "en"}],
        })

    return make


def slack_adapter(app: App) -> SlackAdapter:
    adapter = app.adapters["slack"]
    assert isinstance(adapter, SlackAdapter), adapter
    return adapter


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[App]:
    async with open_app(config, serve=True) as app:
        # Slack's ~1 message/s per channel pacing is tested in test_slack_queue; here it only slows things.
        slack_adapter(app).queue.interval = 0.02
        yield app


async def cycle(app: App) -> tuple[RunReport, int]:
    """One round of what the scheduler does: poll every source, then deliver (as `run_once` does)."""
    scheduler = BotScheduler(app.config, app.store, app.adapters, app.pipeline)
    await scheduler.refresh_plans()
    report = await app.pipeline.ingest_all()
    delivered = await scheduler.deliver()
    return report, delivered.sent


async def send(config: Config, body: str, headers: dict[str, str]) -> tuple[int, str]:
    url = f"http://{config.slack.host}:{config.slack.port}/slack/events"
    async with aiohttp.ClientSession() as session, session.post(url, data=body.encode(), headers=headers) as resp:
        return resp.status, await resp.text()


def casualties(app: App) -> list[StoredAlert]:
    found = [sa for sa in app.store.alerts(types=["casualty"]) if isinstance(sa.alert, Casualty)]
    assert found, ("the extractor stored no casualty alert for the seed article "
                   "(is bot/core/extract still the placeholder?)")
    return found


def dump(call: Call) -> str:
    """What a message shows: its fallback text and its blocks."""
    return json.dumps({"text": call.args.get("text"), "blocks": call.args.get("blocks")}, ensure_ascii=False)


def has_number(text: str, n: int) -> bool:
    return re.search(rf"(?<![\d.,]){n}(?![\d.,]?\d)", text) is not None


def write_article(folder: Path, stem: str, text: str, *, title: str, published: str, lang: str = "fr",
                  **meta: str) -> None:
    (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    extra = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items())
    (folder / f"{stem}.meta.yaml").write_text(
        f"title: {json.dumps(title, ensure_ascii=False)}\nlang: {lang}\npublished: {published}\nsource: seed\n"
        + extra, encoding="utf-8")


def write_update(folder: Path) -> None:
    """A light rewrite of the seed, a day later, with a higher toll."""
    seed = next(p for p in sorted(folder.glob("*.txt")))
    text = seed.read_text(encoding="utf-8")
    assert SEED_SENTENCE in text
    write_article(folder, "001_update", text.replace(SEED_SENTENCE, UPDATE_SENTENCE),
                  title="Libye : au moins 47 morts dans l'offensive de Haftar sur Tripoli", published="2019-04-09")


def posts(fake: FakeSlack, *, after: int = 0) -> list[Call]:
    return fake.of("chat.postMessage")[after:]


def figures(alerts: Iterable[StoredAlert]) -> set[int]:
    out: set[int] = set()
    for sa in alerts:
        assert isinstance(sa.alert, Casualty)
        out |= {n for n in (sa.alert.killed, sa.alert.wounded) if n is not None}
    return out


# --- /news ------------------------------------------------------------------------------------

def pushed(store: Store) -> list[StoredAlert]:
    """The stored alerts above the confidence threshold: the ones delivery sends."""
    return [sa for sa in store.alerts() if is_pushed(sa.alert)]


async def test_news_casualties_answers_with_the_stored_figures_and_checks_signatures(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        report = await app.pipeline.ingest_all()
        assert report.articles_new == 1 and not report.failed_sources
        stored = casualties(app)
        numbers = figures(stored)
        reporters = {sa.alert.reported_by for sa in stored if isinstance(sa.alert, Casualty) and sa.alert.reported_by}

        body = command_body("casualties", fake_slack.response_url("ok"), channel=CHANNEL)
        status, text = await send(config, body, signed_headers(body))
        assert status == 200 and text == ""  # the ack; the answer follows at the response_url
        (answer,) = await fake_slack.wait_for("response", timeout=10)
        shown = dump(answer)
        assert answer.args["response_type"] == "ephemeral"
        assert "Casualt" in shown, shown
        missing = sorted(n for n in numbers if not has_number(shown, n))
        assert not missing, f"figures {missing} of the stored casualty alerts are not in the answer: {shown}"
        assert reporters and any(name in shown for name in reporters), f"no source of {reporters} named: {shown}"

        # Forged or replayed requests are refused by the real Bolt app and never reach the engine.
        forged = command_body("casualties", fake_slack.response_url("forged"), channel=CHANNEL)
        status, _ = await send(config, forged, signed_headers(forged, secret="not-the-signing-secret"))
        assert status == 401
        stale = command_body("casualties", fake_slack.response_url("stale"), channel=CHANNEL)
        status, _ = await send(config, stale, signed_headers(stale, timestamp=int(time.time()) - 10 * 60))
        assert status == 401
        await asyncio.sleep(0.5)
        assert len(fake_slack.of("response")) == 1


# --- alerts -----------------------------------------------------------------------------------

async def test_alerts_are_posted_threaded_by_story_and_the_root_follows_the_figures(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        report, sent = await cycle(app)
        stored = pushed(app.store)
        casualties(app)
        assert report.alerts_new == len(app.store.alerts()) and sent == len(stored)
        first = posts(fake_slack)
        assert len(first) == len(stored)
        assert all(c.args["channel"] == CHANNEL and c.args.get("blocks") for c in first)
        root = fake_slack.messages[0]
        assert first[0].args.get("thread_ts") is None
        stories = {sa.story_id for sa in stored}
        assert len(stories) == 1 and None not in stories, stories  # one article, one story
        story = stories.pop()
        assert story is not None and app.store.thread_root("slack", CHANNEL, story) == root["ts"]
        assert all(c.args.get("thread_ts") == root["ts"] for c in first[1:])
        assert all(c.args["parse"] == "none" and c.args["link_names"] is False for c in first)

        # Nothing new: nothing posted again.
        report, sent = await cycle(app)
        assert (report.alerts_new, sent) == (0, 0)
        assert len(posts(fake_slack)) == len(first)
        updates_before = len(fake_slack.of("chat.update"))

        write_update(articles)
        report, sent = await cycle(app)
        assert report.articles_new == 1 and report.alerts_new >= 1 and sent == report.alerts_new
        later = posts(fake_slack, after=len(first))
        assert len(later) == sent
        assert all(c.args.get("thread_ts") == root["ts"] for c in later), [c.args.get("thread_ts") for c in later]
        assert any(has_number(dump(c), 47) for c in later), [dump(c) for c in later]
        edits = fake_slack.of("chat.update")[updates_before:]
        assert edits, "the root was not edited after the story's update"
        assert all(e.args["channel"] == CHANNEL and e.args["ts"] == root["ts"] for e in edits)
        assert has_number(dump(edits[-1]), 47), dump(edits[-1])
        assert edits[-1].args.get("blocks")

        # Figures on two dates now: the chart is uploaded into the story's thread (files_upload_v2).
        (url,) = fake_slack.of("files.getUploadURLExternal")
        (upload,) = fake_slack.of("upload")
        (complete,) = fake_slack.of("files.completeUploadExternal")
        assert url.args["filename"].endswith(".png") and upload.body.startswith(b"\x89PNG")
        assert (complete.args["channel_id"], complete.args["thread_ts"]) == (CHANNEL, root["ts"])
        charts = Path(config.database.removeprefix("sqlite:///")).parent / "charts"
        assert list(charts.glob("*.png")), "the chart is drawn beside the database, not in the checkout"

        # Nothing changed: no edit, no second upload.
        edits_now = len(fake_slack.of("chat.update"))
        await cycle(app)
        assert len(fake_slack.of("chat.update")) == edits_now and len(fake_slack.of("upload")) == 1


async def test_a_question_in_an_alert_thread_is_answered_in_the_thread(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        await cycle(app)
        wounded = {sa.alert.wounded for sa in casualties(app) if isinstance(sa.alert, Casualty) and sa.alert.wounded}
        assert wounded, "no wounded figure was stored for the seed"
        root = fake_slack.messages[0]["ts"]
        before = len(posts(fake_slack))

        question = event_body({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U222",
                               "text": "How many were wounded?", "ts": "1700000500.000001", "thread_ts": root,
                               "event_ts": "1700000500.000001"}, event_id="EvQ1")
        status, _ = await send(config, question, signed_headers(question, content_type="application/json"))
        assert status == 200
        await wait_until(lambda: len(posts(fake_slack)) > before)
        (answer,) = posts(fake_slack, after=before)
        shown = dump(answer)
        assert answer.args["thread_ts"] == root and answer.args["channel"] == CHANNEL
        assert any(has_number(shown, n) for n in wounded), shown
        assert "wounded" in shown.lower(), shown

        # Asked with an @mention: Slack sends it twice (message and app_mention); one answer.
        before = len(posts(fake_slack))
        mention = {"channel": CHANNEL, "user": "U222", "text": f"<@{BOT_USER}> how many were wounded?",
                   "ts": "1700000550.000001", "thread_ts": root, "event_ts": "1700000550.000001"}
        for kind, event_id in (("message", "EvM1"), ("app_mention", "EvM2")):
            body = event_body({"type": kind, "channel_type": "channel", **mention}, event_id=event_id)
            status, _ = await send(config, body, signed_headers(body, content_type="application/json"))
            assert status == 200
        await wait_until(lambda: len(posts(fake_slack)) > before)
        await asyncio.sleep(0.5)
        (answer,) = posts(fake_slack, after=before)
        assert answer.args["thread_ts"] == root and any(has_number(dump(answer), n) for n in wounded), dump(answer)
        before = len(posts(fake_slack))

        # A thread that is not the bot's: silence.
        elsewhere = event_body({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U222",
                                "text": "How many were wounded?", "ts": "1700000600.000001",
                                "thread_ts": "1600000000.000100", "event_ts": "1700000600.000001"}, event_id="EvQ2")
        status, _ = await send(config, elsewhere, signed_headers(elsewhere, content_type="application/json"))
        assert status == 200
        await asyncio.sleep(0.5)
        assert len(posts(fake_slack)) == before


# --- article text cannot ping or link ------------------------------------------------------------

CONTROLS = ("<!channel>", "<@U123>", "<http://evil|click>", "<http://evil", "<!here>", "<!everyone>")
ESCAPED = ("&lt;!channel&gt;", "&lt;@U123&gt;", "&lt;http://evil|click&gt;", "&lt;!here&gt; Daily")


async def test_article_text_posts_no_mention_and_no_link(
    tmp_path: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    write_article(
        folder, "hostile",
        "<!channel> breaking: at least 12 people were killed in Misrata on Monday, the health ministry said. "
        "\"We call on <@U123> to read <http://evil|click> now,\" said Mike Pompeo, the US Secretary of State.",
        title="<!channel> breaking", published="2019-04-09", lang="en", outlet="<!here> Daily",
        url="https://news.example/a|<!everyone>")
    config = slack_config(folder)
    async with running(config) as app:
        report, sent = await cycle(app)
        assert report.alerts_new > 0 and sent == len(pushed(app.store)), report
        evidence = " ".join(json.dumps(sa.alert.evidence) + json.dumps(getattr(sa.alert, "quote", ""))
                            for sa in app.store.alerts())
        assert "<@U123>" in evidence  # the hostile text did reach the alerts

        root = fake_slack.messages[0]["ts"]
        before = len(posts(fake_slack))
        question = event_body({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U222",
                               "text": "Who said that?", "ts": "1700000700.000001", "thread_ts": root,
                               "event_ts": "1700000700.000001"}, event_id="EvQ3")
        status, _ = await send(config, question, signed_headers(question, content_type="application/json"))
        assert status == 200
        await wait_until(lambda: len(posts(fake_slack)) > before)

        sent_calls = [*posts(fake_slack), *fake_slack.of("chat.update")]
        shown = "\n".join(dump(c) for c in sent_calls)
        for control in CONTROLS:
            assert control not in shown, f"{control!r} posted as is: {shown}"
        for escaped in ESCAPED:
            assert escaped in shown, f"{escaped!r} missing: the hostile text was not shown escaped: {shown}"
        assert all(c.args["parse"] == "none" and c.args["link_names"] is False for c in posts(fake_slack))


async def test_after_a_restart_threads_are_still_the_bots_and_nothing_is_posted_twice(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        await cycle(app)
        casualties(app)
        root = fake_slack.messages[0]["ts"]
        posted = len(posts(fake_slack))

    write_update(articles)
    async with running(config) as app:
        report, sent = await cycle(app)
        assert report.articles_new == 1 and sent == report.alerts_new >= 1
        later = posts(fake_slack, after=posted)
        assert len(later) == sent, "alerts delivered before the restart were posted again"
        assert all(c.args.get("thread_ts") == root for c in later)
        assert has_number(dump(fake_slack.of("chat.update")[-1]), 47)
        assert fake_slack.of("chat.update")[-1].args["ts"] == root

        question = event_body({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U222",
                               "text": "How many were killed?", "ts": "1700000800.000001", "thread_ts": root,
                               "event_ts": "1700000800.000001"}, event_id="EvQ4")
        before = len(posts(fake_slack))
        status, _ = await send(config, question, signed_headers(question, content_type="application/json"))
        assert status == 200
        await wait_until(lambda: len(posts(fake_slack)) > before)
        answer = posts(fake_slack)[-1]
        assert answer.args["thread_ts"] == root and has_number(dump(answer), 47), dump(answer)


@pytest.mark.parametrize("answered", [0, 3], ids=["root", "reply"])
async def test_a_crash_mid_post_is_recovered_without_posting_twice(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch,
    answered: int,
) -> None:
    """Slack got an alert (the thread's root, or a reply) but the bot died before the answer came: after the
    restart it is found in the channel or thread (by its delivery key in the message metadata) instead of
    being posted again, and the thread goes on under the same root."""
    import bot.store.db as db

    config = slack_config(articles)
    fake_slack.hang_after = answered
    dead = db.PROCESS_ID
    async with running(config) as app:
        delivering = asyncio.create_task(cycle(app))
        await fake_slack.wait_for("chat.postMessage", answered + 1, timeout=10)
        await asyncio.sleep(0.2)
        assert not delivering.done()
        total = len(pushed(app.store))
        assert total > answered + 1, "the seed gives too few alerts for this test"
        # The process dies: its delivery task and its sends in flight are gone.
        delivering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivering
        await slack_adapter(app).queue.close(timeout=0)

    fake_slack.hang_after = None
    monkeypatch.setattr(db, "PROCESS_ID", f"{dead}-restarted")
    async with running(config) as app:
        app.store.release_lease(f"alive:{dead}", dead)  # the dead process's liveness lease ran out
        _, sent = await cycle(app)
        assert sent == total - answered - 1
        assert len(posts(fake_slack)) == total
        keys = [json.loads(c.args["metadata"])["event_payload"]["key"] if isinstance(c.args["metadata"], str)
                else c.args["metadata"]["event_payload"]["key"] for c in posts(fake_slack)]
        assert len(set(keys)) == total, "an alert was posted twice"
        root = fake_slack.messages[0]["ts"]
        assert fake_slack.messages[0]["thread_ts"] is None
        assert all(m["thread_ts"] == root for m in fake_slack.messages[1:])
        (story,) = {sa.story_id for sa in app.store.alerts()}
        assert story is not None and app.store.thread_root("slack", CHANNEL, story) == root
        assert all(d["status"] == "sent" for d in app.store.deliveries("slack"))


async def test_each_channel_gets_its_own_thread_language_and_filters(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles, [{"output": "slack", "id": "CEN", "language": "en"},
                                    {"output": "slack", "id": "CFR", "language": "fr", "types": ["casualty"]}])
    async with running(config) as app:
        _, sent = await cycle(app)
        every = pushed(app.store)
        casualty_ids = {sa.id for sa in casualties(app) if is_pushed(sa.alert)}
        assert len(casualty_ids) < len(every)
        assert sent == len(every) + len(casualty_ids)
        roots = {}
        for channel, count in (("CEN", len(every)), ("CFR", len(casualty_ids))):
            mine = [m for m in fake_slack.messages if m["channel"] == channel]
            assert len(mine) == count, (channel, len(mine), count)
            assert mine[0]["thread_ts"] is None
            roots[channel] = mine[0]["ts"]
            assert all(m["thread_ts"] == roots[channel] for m in mine[1:])
        french = [c for c in posts(fake_slack) if c.args["channel"] == "CFR"]
        assert all("tués" in dump(c) for c in french), [dump(c) for c in french]
        assert not any("killed" in dump(c) for c in french)

        write_update(articles)
        before = len(posts(fake_slack))
        updates = len(fake_slack.of("chat.update"))
        _, sent = await cycle(app)
        later = posts(fake_slack, after=before)
        assert sorted(c.args["channel"] for c in later) == ["CEN", "CFR"]
        assert all(c.args["thread_ts"] == roots[c.args["channel"]] and has_number(dump(c), 47) for c in later)
        edited = {(c.args["channel"], c.args["ts"]) for c in fake_slack.of("chat.update")[updates:]
                  if has_number(dump(c), 47)}
        assert edited == {("CEN", roots["CEN"]), ("CFR", roots["CFR"])}

        # The French channel's thread is answered there, in French.
        before = len(posts(fake_slack))
        question = event_body({"type": "message", "channel": "CFR", "channel_type": "channel", "user": "U222",
                               "text": "Combien de blessés ?", "ts": "1700000900.000001", "thread_ts": roots["CFR"],
                               "event_ts": "1700000900.000001"}, event_id="EvQ5")
        status, _ = await send(config, question, signed_headers(question, content_type="application/json"))
        assert status == 200
        await wait_until(lambda: len(posts(fake_slack)) > before)
        (answer,) = posts(fake_slack, after=before)
        assert answer.args["channel"] == "CFR" and answer.args["thread_ts"] == roots["CFR"]
        assert "bless" in dump(answer).lower() and has_number(dump(answer), 27), dump(answer)


async def test_run_forever_polls_delivers_answers_and_stops(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    """The production entry point: the scheduler polls the folder at start, delivers, serves /news."""
    config = slack_config(articles)
    stop = asyncio.Event()
    bot = asyncio.create_task(run_forever(config, stop=stop))
    try:
        await fake_slack.wait_for("chat.postMessage", 1, timeout=20)
        body = command_body("casualties", fake_slack.response_url("forever"), channel=CHANNEL)
        status, _ = await send(config, body, signed_headers(body))
        assert status == 200
        (answer,) = await fake_slack.wait_for("response", timeout=10)
        await fake_slack.wait_for("chat.update", 1, timeout=30)  # the end of the delivery pass: the root's edit
    finally:
        stop.set()
        await asyncio.wait_for(bot, 20)
    store = Store.open(config.database)
    try:
        stored = [sa for sa in store.alerts(types=["casualty"]) if isinstance(sa.alert, Casualty)]
        assert stored and all(has_number(dump(answer), n) for n in figures(stored)), dump(answer)
        total = len(pushed(store))
        assert len(posts(fake_slack)) == total
        assert all(d["status"] == "sent" for d in store.deliveries("slack")) and len(store.deliveries("slack")) == total
    finally:
        store.close()


async def test_socket_mode_from_config_answers_commands_and_thread_questions(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("E2E_SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.delenv("E2E_SLACK_SIGNING_SECRET")  # not needed in Socket Mode
    http = slack_config(articles)
    config = dataclasses.replace(http, slack=dataclasses.replace(http.slack, mode="socket",
                                                                 app_token_env="E2E_SLACK_APP_TOKEN"))
    async with running(config) as app:
        await fake_slack.wait_for("socket.connect")
        _, sent = await cycle(app)
        numbers = figures(casualties(app))
        wounded = {sa.alert.wounded for sa in casualties(app) if isinstance(sa.alert, Casualty) and sa.alert.wounded}
        root = fake_slack.messages[0]["ts"]

        payload = dict(parse_qsl(command_body("casualties", fake_slack.response_url("socket"), channel=CHANNEL)))
        await fake_slack.send_envelope({"envelope_id": "env-1", "type": "slash_commands",
                                        "accepts_response_payload": True, "payload": payload})
        (answer,) = await fake_slack.wait_for("response", timeout=10)
        assert all(has_number(dump(answer), n) for n in numbers), dump(answer)

        before = len(posts(fake_slack))
        event = json.loads(event_body({"type": "message", "channel": CHANNEL, "channel_type": "channel",
                                       "user": "U222", "text": "How many were wounded?", "ts": "1700001000.000001",
                                       "thread_ts": root, "event_ts": "1700001000.000001"}, event_id="EvS1"))
        await fake_slack.send_envelope({"envelope_id": "env-2", "type": "events_api",
                                        "accepts_response_payload": False, "payload": event})
        await wait_until(lambda: len(posts(fake_slack)) > before)
        (reply,) = posts(fake_slack, after=before)
        assert reply.args["thread_ts"] == root and any(has_number(dump(reply), n) for n in wounded), dump(reply)
        acks = {c.args.get("envelope_id") for c in await fake_slack.wait_for("socket.ack", 2)}
        assert acks == {"env-1", "env-2"}
        assert sent == len(pushed(app.store))


async def test_a_refused_post_is_retried_next_round_in_the_same_thread(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        fake_slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "internal_error"})
        fake_slack.fail_next("chat.postMessage", 429, headers={"Retry-After": "0"})  # retried by the client
        _, sent = await cycle(app)
        total = len(pushed(app.store))
        # The refused post would have opened the story's thread: the rest of the story waits with it, so
        # that the thread's root is still the story's most important alert (not the next statement).
        waiting = [sa for sa in app.store.undelivered_alerts("slack", CHANNEL) if is_pushed(sa.alert)]
        assert sent == 0 and len(waiting) == total
        _, sent = await cycle(app)
        assert sent == total
        assert not [sa for sa in app.store.undelivered_alerts("slack", CHANNEL) if is_pushed(sa.alert)]
        assert len(fake_slack.messages) == total
        root = fake_slack.messages[0]
        root_alert = app.store.alert_of_message("slack", CHANNEL, root["ts"])
        assert root_alert is not None
        stored_root = app.store.alert(root_alert)
        assert stored_root is not None and isinstance(stored_root.alert, Casualty)
        assert stored_root.importance == max(a.importance for a in pushed(app.store))
        assert root["thread_ts"] is None and all(m["thread_ts"] == root["ts"] for m in fake_slack.messages[1:])
        keys = {m["metadata"]["event_payload"]["key"] for m in fake_slack.messages}
        assert len(keys) == total


async def test_a_question_in_a_digest_thread_is_answered_as_the_bot_says(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles, [{"output": "slack", "id": CHANNEL, "language": "en", "alerts": False,
                                     "digest": {"cron": "0 8 * * *"}}])
    async with running(config) as app:
        await app.pipeline.ingest_all()
        wounded = {sa.alert.wounded for sa in casualties(app) if isinstance(sa.alert, Casualty) and sa.alert.wounded}
        assert await app.pipeline.send_digest(config.channels[0]) is not None
        root = fake_slack.messages[0]["ts"]
        before = len(posts(fake_slack))
        question = event_body({"type": "message", "channel": CHANNEL, "channel_type": "channel", "user": "U222",
                               "text": f"<@{BOT_USER}> how many were wounded?", "ts": "1700001100.000001",
                               "thread_ts": root, "event_ts": "1700001100.000001"}, event_id="EvD1")
        status, _ = await send(config, question, signed_headers(question, content_type="application/json"))
        assert status == 200
        await wait_until(lambda: len(posts(fake_slack)) > before)
        (answer,) = posts(fake_slack, after=before)
        assert answer.args["thread_ts"] == root
        claims_digests = "digests" in dump(answer)
        answered = any(has_number(dump(answer), n) for n in wounded)
        assert answered or not claims_digests, f"in a digest's thread the bot says: {answer.args['text']}"


async def test_a_channel_slack_refuses_is_tried_three_times_then_marked_failed_and_shown(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture,
) -> None:
    import datetime as dt

    from bot.service.delivery import deliver_alerts
    from bot.service.health import start_health_server
    from bot.store import utcnow

    config = slack_config(articles)
    async with running(config) as app:
        await app.pipeline.ingest_all()
        total = len(pushed(app.store))
        for _ in range(30):
            fake_slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "channel_not_found"})
        start = utcnow()
        for n in range(6):  # six passes, two hours apart (the refusal's back-off is shorter)
            await deliver_alerts(app.store, app.adapters, config.channels, now=start + dt.timedelta(hours=2 * n))
            await deliver_alerts(app.store, app.adapters, config.channels,  # and one right after each
                                 now=start + dt.timedelta(hours=2 * n, seconds=5))
        calls = fake_slack.of("chat.postMessage", ok_only=False)
        assert len(calls) == 3  # not one call per pass and per alert, forever
        rows = app.store.deliveries("slack")
        assert len(rows) == total and {(r["status"], r["error"]) for r in rows} == {("failed", "channel_not_found")}
        errors = [r for r in caplog.records if r.levelname == "ERROR" and "channel_not_found" in r.getMessage()]
        assert 1 <= len(errors) <= 2 and not any(r.exc_info for r in caplog.records)

        port = free_port()
        runner = await start_health_server(app.store, "127.0.0.1", port)
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    health = await resp.json()
                async with session.get(f"http://127.0.0.1:{port}/metrics") as resp:
                    metrics = await resp.text()
        finally:
            await runner.cleanup()
        (failed,) = health["failed_deliveries"]
        assert (failed["channel"], failed["reason"], failed["count"]) == (CHANNEL, "channel_not_found", total)
        assert f'newsbot_delivery_failed{{adapter="slack",channel="{CHANNEL}",reason="channel_not_found"}} {total}' \
            in metrics


async def test_a_root_edit_lost_to_a_kill_is_caught_up_after_the_restart(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        await cycle(app)
        root = fake_slack.messages[0]["ts"]
        edits_before = len(fake_slack.of("chat.update"))
        write_update(articles)
        adapter = app.adapters["slack"]

        async def killed(*args: Any) -> None:
            raise asyncio.CancelledError  # the process dies between the thread's reply and the root's edit

        monkeypatch.setattr(adapter, "edit", killed)
        with pytest.raises(asyncio.CancelledError):
            await cycle(app)
        assert any(has_number(dump(c), 47) for c in posts(fake_slack))  # the thread says 47…
        assert len(fake_slack.of("chat.update")) == edits_before  # …the root does not
        monkeypatch.undo()
    monkeypatch.setenv("E2E_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("E2E_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    async with running(config) as app:
        _, sent = await cycle(app)
        assert sent == 0
        (edit,) = fake_slack.of("chat.update")[edits_before:]
        assert edit.args["ts"] == root and has_number(dump(edit), 47)
        await cycle(app)
        assert len(fake_slack.of("chat.update")) == edits_before + 1  # caught up once, not on every pass


async def test_channels_are_served_concurrently_each_at_its_own_pace(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles, [{"output": "slack", "id": "C111", "language": "en"},
                                    {"output": "slack", "id": "C222", "language": "fr"}])
    async with running(config) as app:
        slack_adapter(app).queue.interval = 0.2
        _, sent = await cycle(app)
        total = len(pushed(app.store))
        assert sent == 2 * total
        en = [c for c in posts(fake_slack) if c.args["channel"] == "C111"]
        fr = [c for c in posts(fake_slack) if c.args["channel"] == "C222"]
        assert len(en) == len(fr) == total
        # The French channel does not wait for the English one to be done, and vice versa…
        assert fr[0].at < en[-1].at and en[0].at < fr[-1].at
        # …while within each channel the posts keep about one interval between them.
        for calls in (en, fr):
            assert all(b.at - a.at >= 0.19 for a, b in itertools.pairwise(calls))


async def test_news_casualties_public_comes_with_the_chart_uploaded_to_the_channel(
    articles: Path, slack_config: Callable[..., Config], fake_slack: FakeSlack
) -> None:
    config = slack_config(articles)
    async with running(config) as app:
        await app.pipeline.ingest_all()
        write_update(articles)  # a second date: now there is a toll over time to draw
        await app.pipeline.ingest_all()
        body = command_body("casualties --public", fake_slack.response_url("pub"), channel=CHANNEL)
        assert (await send(config, body, signed_headers(body)))[0] == 200
        (answer,) = await fake_slack.wait_for("response", timeout=10)
        assert answer.args["response_type"] == "in_channel"
        (complete,) = await fake_slack.wait_for("files.completeUploadExternal", timeout=10)
        (upload,) = fake_slack.of("upload")
        assert upload.body.startswith(b"\x89PNG") and complete.args["channel_id"] == CHANNEL
        assert len(fake_slack.of("files.getUploadURLExternal")) == 1
        private = command_body("casualties", fake_slack.response_url("priv"), channel=CHANNEL)
        assert (await send(config, private, signed_headers(private)))[0] == 200
        await fake_slack.wait_for("response", 2, timeout=10)
        await asyncio.sleep(0.3)
        assert len(fake_slack.of("upload")) == 1  # an answer only you see puts no file in the channel
        assert not (Path.cwd() / "data" / "charts").exists()
