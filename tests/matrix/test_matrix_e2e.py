"""End to end on Matrix: the real store (SQLite file), pipeline, /news engine and Matrix adapter.

The bot is assembled by `open_app` from a parsed config and talks to the session's Synapse; a human
(a matrix-nio client) creates the room, invites the bot and asks it things. Articles come from a
folder source holding the repository's seed article (and, per test, later articles of the story).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from bot.config import Config, parse_config
from bot.core.extract.confidence import is_pushed
from bot.core.models import Casualty, Statement
from bot.service.app import App, open_app
from bot.service.pipeline import RunReport
from bot.service.scheduler import BotScheduler
from bot.store import StoredAlert
from tests.conftest import SEEDS
from tests.matrix.matrix_helpers import Human, relation, reply_to, uniq
from tests.matrix.synapse_harness import Synapse

pytestmark = pytest.mark.matrix

MakeHuman = Callable[[str], Awaitable[Human]]
Event = dict[str, Any]

SEED_SENTENCE = "Au moins 35 personnes, dont des civils, ont été tuées des deux côtés dans des combats depuis jeudi."
UPDATE_SENTENCE = "Au moins 47 personnes ont été tuées depuis jeudi, dont des civils, des deux côtés."


@dataclass
class Setup:
    config: Config
    human: Human
    room: str
    bot_id: str
    articles: Path


@pytest.fixture
async def setup(synapse: Synapse, make_human: MakeHuman, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Setup:
    """A room made by Alice with the bot invited, the seed in a folder source, the config that ties them."""
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, articles)
    bot = synapse.register(uniq("newsbot"))
    monkeypatch.setenv("E2E_MATRIX_PASSWORD", bot.password)
    monkeypatch.delenv("E2E_MATRIX_TOKEN", raising=False)
    alice = await make_human("alice")
    room = await alice.create_room(invite=(bot.user_id,))
    config = parse_config({
        "database": f"sqlite:///{tmp_path / 'bot.db'}",
        "sources": [{"name": "seed", "type": "folder", "path": str(articles)}],
        "outputs": {
            "console": {"enabled": False},
            "matrix": {"enabled": True, "homeserver": synapse.url, "user_id": bot.user_id,
                       "access_token_env": "E2E_MATRIX_TOKEN", "password_env": "E2E_MATRIX_PASSWORD",
                       "rooms": [room], "admins": [alice.user.user_id]},
        },
        "channels": [{"output": "matrix", "id": room, "language": "en"}],
    }, "test.yaml")
    return Setup(config, alice, room, bot.user_id, articles)


@asynccontextmanager
async def running(setup: Setup) -> AsyncIterator[App]:
    async with open_app(setup.config, serve=True) as app:
        await setup.human.wait_member(setup.room, setup.bot_id)
        yield app


async def cycle(app: App) -> tuple[RunReport, int]:
    """One round of what the scheduler does: poll every source, then deliver (as `run_once` does)."""
    scheduler = BotScheduler(app.config, app.store, app.adapters, app.pipeline)
    await scheduler.refresh_plans()
    report = await app.pipeline.ingest_all()
    delivered = await scheduler.deliver()
    return report, delivered.sent


def casualties(app: App) -> list[StoredAlert]:
    found = [sa for sa in app.store.alerts(types=["casualty"]) if isinstance(sa.alert, Casualty)]
    assert found, ("the extractor stored no casualty alert for the seed article "
                   "(is bot/core/extract still the placeholder?)")
    return found


def figures(alerts: Iterable[StoredAlert]) -> set[int]:
    out: set[int] = set()
    for sa in alerts:
        assert isinstance(sa.alert, Casualty)
        out |= {n for n in (sa.alert.killed, sa.alert.wounded) if n is not None}
    return out


def has_number(text: str, n: int) -> bool:
    return re.search(rf"(?<![\d.,]){n}(?![\d.,]?\d)", text) is not None


def shown(event: Event) -> str:
    content = event.get("content") or {}
    new = content.get("m.new_content") or {}
    return json.dumps([content.get("body"), content.get("formatted_body"), new.get("body"),
                       new.get("formatted_body")], ensure_ascii=False)


async def history(setup: Setup) -> list[Event]:
    """Every event of the room, oldest first, read from the homeserver (a sync's timeline is limited:
    events can be missing from what the human synced, never from here)."""
    url = f"{setup.config.matrix.homeserver}/_matrix/client/v3/rooms/{quote(setup.room, safe='')}/messages"
    headers = {"Authorization": f"Bearer {setup.human.user.access_token}"}
    events: list[Event] = []
    params = {"dir": "b", "limit": "500"}
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.get(url, params=params, headers=headers) as resp:
                assert resp.status == 200, await resp.text()
                page = await resp.json()
            events.extend(page.get("chunk") or [])
            if not page.get("chunk") or not page.get("end"):
                break
            params["from"] = page["end"]
    return [{**e, "room_id": setup.room} for e in reversed(events)]


async def wait_history(setup: Setup, pred: Callable[[Event], bool], *, count: int = 1,
                       timeout: float = 20.0) -> list[Event]:
    """The room's events matching `pred`, once there are at least `count` of them."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        found = [e for e in await history(setup) if pred(e)]
        if len(found) >= count:
            return found
        if loop.time() > end:
            raise AssertionError(f"{len(found)} matching event(s) after {timeout}s, expected {count}")
        await asyncio.sleep(0.2)


def bot_messages(setup: Setup, events: list[Event]) -> list[Event]:
    return [e for e in events if e.get("sender") == setup.bot_id and e.get("type") == "m.room.message"]


def alert_messages(setup: Setup, events: list[Event]) -> list[Event]:
    """The bot's alerts: messages that answer nobody's event (thread replies point at the root only as a
    fallback) and are not edits."""
    return [e for e in bot_messages(setup, events)
            if relation(e).get("rel_type") != "m.replace" and not is_chart(e)
            and (reply_to(e) is None or relation(e).get("is_falling_back") is True)]


def is_chart(event: Event) -> bool:
    return (event.get("content") or {}).get("msgtype") == "m.image"


def is_alert(setup: Setup) -> Callable[[Event], bool]:
    return lambda e: bool(alert_messages(setup, [e]))


def in_thread(root: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                             "m.in_reply_to": {"event_id": root}}}


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


async def ask(setup: Setup, text: str, **extra: Any) -> Event:
    """Send `text` as Alice; the bot's answer to it."""
    event_id = await setup.human.send_text(setup.room, text, **extra)
    [answer] = await wait_history(setup, lambda e: e.get("sender") == setup.bot_id and reply_to(e) == event_id)
    return answer


def answers_to(setup: Setup, events: list[Event], event_id: str) -> list[Event]:
    return [e for e in bot_messages(setup, events) if reply_to(e) == event_id and not is_alert(setup)(e)]


# --- tests ------------------------------------------------------------------------------------

async def test_news_casualties_gets_the_stored_figures_and_a_source(setup: Setup) -> None:
    async with running(setup) as app:
        report = await app.pipeline.ingest_all()
        assert report.articles_new == 1 and not report.failed_sources
        stored = casualties(app)
        reporters = {sa.alert.reported_by for sa in stored if isinstance(sa.alert, Casualty) and sa.alert.reported_by}

        answer = await ask(setup, "!news casualties")
        text = shown(answer)
        missing = sorted(n for n in figures(stored) if not has_number(text, n))
        assert not missing, f"figures {missing} of the stored casualty alerts are not in the answer: {text}"
        assert reporters and any(name in text for name in reporters), f"no source of {reporters} named: {text}"
        assert answer["content"]["m.mentions"] == {"user_ids": [setup.human.user.user_id]}
        assert "rel_type" not in relation(answer)  # asked outside a thread: a plain reply


def pushed(app: App) -> int:
    """Alerts stored above the confidence threshold: the ones delivery sends."""
    return sum(is_pushed(sa.alert) for sa in app.store.alerts())


async def test_alerts_root_then_thread_replies_and_the_root_is_edited(setup: Setup) -> None:
    async with running(setup) as app:
        report, sent = await cycle(app)
        stored = [sa for sa in app.store.alerts() if is_pushed(sa.alert)]
        casualties(app)
        assert sent == len(stored) and report.alerts_new == len(app.store.alerts())
        posted = await wait_history(setup, is_alert(setup), count=len(stored))
        assert len(posted) == len(stored)
        roots = [e for e in posted if not relation(e)]
        assert len(roots) == 1, [shown(e) for e in roots]
        root = roots[0]["event_id"]
        assert posted[0]["event_id"] == root  # the root came first
        (story,) = {sa.story_id for sa in stored}
        assert story is not None and app.store.thread_root("matrix", setup.room, story) == root
        assert all(relation(e).get("rel_type") == "m.thread" and relation(e)["event_id"] == root for e in posted[1:])

        write_update(setup.articles)
        before = pushed(app)
        report, sent = await cycle(app)
        assert report.articles_new == 1 and report.alerts_new >= 1 and sent == pushed(app) - before >= 1

        def new_reply(e: Event) -> bool:
            return (is_alert(setup)(e) and relation(e).get("rel_type") == "m.thread"
                    and relation(e).get("event_id") == root and has_number(shown(e), 47))

        def root_edit(e: Event) -> bool:
            return (e.get("sender") == setup.bot_id and relation(e).get("rel_type") == "m.replace"
                    and relation(e).get("event_id") == root and has_number(shown(e), 47))

        await wait_history(setup, new_reply)
        edits = await wait_history(setup, root_edit)
        edit = edits[-1]
        assert has_number(edit["content"]["m.new_content"]["body"], 47)
        assert edit["content"]["body"].startswith("* ")  # the fallback for clients without edits
        events = await history(setup)
        assert len(alert_messages(setup, events)) == len(stored) + sent
        assert [e["event_id"] for e in alert_messages(setup, events) if not relation(e)] == [root]  # no second root
        # The figures now span two dates: their chart is an image in the story's thread, from the media repo.
        charts = [e for e in bot_messages(setup, events) if is_chart(e)]
        assert len(charts) == 1, charts
        assert charts[0]["content"]["url"].startswith("mxc://")
        assert charts[0]["content"]["info"]["mimetype"] == "image/png" and charts[0]["content"]["info"]["w"] == 800
        assert relation(charts[0]).get("rel_type") == "m.thread" and relation(charts[0])["event_id"] == root
        server, media = charts[0]["content"]["url"][len("mxc://"):].split("/")
        async with aiohttp.ClientSession() as session, session.get(
                f"{setup.human.client.homeserver}/_matrix/client/v1/media/download/{server}/{media}",
                headers={"Authorization": f"Bearer {setup.human.client.access_token}"}) as resp:
            assert resp.status == 200 and (await resp.read()).startswith(b"\x89PNG")
        assert not (Path.cwd() / "data" / "charts").exists() or not any(
            (Path.cwd() / "data" / "charts").glob(f"story-{story}-*.png")), "charts written into the checkout"
        assert list((Path(app.config.database.removeprefix("sqlite:///")).parent / "charts").glob("*.png"))


async def test_questions_in_an_alert_thread_get_threaded_answers(setup: Setup) -> None:
    async with running(setup) as app:
        _, sent = await cycle(app)
        assert sent > 0
        wounded = {sa.alert.wounded for sa in casualties(app) if isinstance(sa.alert, Casualty) and sa.alert.wounded}
        speakers = {sa.alert.speaker for sa in app.store.alerts(types=["statement"]) if isinstance(sa.alert, Statement)}
        assert wounded and speakers
        await wait_history(setup, is_alert(setup), count=sent)
        roots = [e for e in alert_messages(setup, await history(setup)) if not relation(e)]
        assert len(roots) == 1, f"one story, one root message expected: {[shown(e) for e in roots]}"
        root = roots[0]["event_id"]

        answer = await ask(setup, "How many were wounded?", **in_thread(root))
        assert relation(answer).get("rel_type") == "m.thread" and relation(answer)["event_id"] == root
        assert any(has_number(shown(answer), n) for n in wounded), shown(answer)

        answer = await ask(setup, "Qui a parlé ?", **in_thread(root))
        assert relation(answer).get("rel_type") == "m.thread" and relation(answer)["event_id"] == root
        named = [s for s in speakers if s in shown(answer)]
        assert named, f"none of {speakers} in {shown(answer)}"


async def test_after_a_restart_nothing_is_answered_or_posted_twice(setup: Setup) -> None:
    async with running(setup) as app:
        _, sent = await cycle(app)
        casualties(app)
        first = await setup.human.send_text(setup.room, "!news casualties")
        await wait_history(setup, lambda e: bool(answers_to(setup, [e], first)))
        alerts_before = [e["event_id"] for e in await wait_history(setup, is_alert(setup), count=sent)]
        asked = await setup.human.send_text(setup.room, "How many were wounded?", **in_thread(alerts_before[0]))
        await wait_history(setup, lambda e: bool(answers_to(setup, [e], asked)))

    # While the bot is down: a command that must be answered once it is back.
    while_down = await setup.human.send_text(setup.room, "!news statements")

    async with running(setup) as app:
        report, sent = await cycle(app)
        assert (report.articles_new, report.alerts_new, sent) == (0, 0, 0)
        await wait_history(setup, lambda e: bool(answers_to(setup, [e], while_down)))
        after = await setup.human.send_text(setup.room, "!news fighting")
        await wait_history(setup, lambda e: bool(answers_to(setup, [e], after)))
        await asyncio.sleep(2.0)  # time for a repeated answer to show up

    events = await history(setup)
    counts = [len(answers_to(setup, events, c)) for c in (first, asked, while_down, after)]
    assert counts == [1, 1, 1, 1], ("answers to: the command and the thread question before the restart, "
                                    f"the command while down, the command after: {counts}")
    assert [e["event_id"] for e in alert_messages(setup, events)] == alerts_before


async def test_after_a_restart_the_story_continues_in_its_thread(setup: Setup) -> None:
    """A question asked while the bot was down is answered once it is back; a later article of the story
    goes into the thread opened before the restart, whose root is edited."""
    async with running(setup) as app:
        _, sent = await cycle(app)
        killed = {sa.alert.killed for sa in casualties(app) if isinstance(sa.alert, Casualty) and sa.alert.killed}
        posted = await wait_history(setup, is_alert(setup), count=sent)
        roots = [e for e in posted if not relation(e)]
        assert len(roots) == 1
        root = roots[0]["event_id"]
    question = await setup.human.send_text(setup.room, "How many were killed?", **in_thread(root))

    write_update(setup.articles)
    async with running(setup) as app:
        [answer] = await wait_history(setup, lambda e: bool(answers_to(setup, [e], question)))
        assert relation(answer).get("rel_type") == "m.thread" and relation(answer)["event_id"] == root
        assert any(has_number(shown(answer), n) for n in killed), shown(answer)
        before = pushed(app)
        report, sent_now = await cycle(app)
        assert report.articles_new == 1 and sent_now == pushed(app) - before >= 1
        await wait_history(setup, lambda e: (is_alert(setup)(e) and relation(e).get("event_id") == root
                                             and has_number(shown(e), 47)))
        await wait_history(setup, lambda e: (e.get("sender") == setup.bot_id
                                             and relation(e).get("rel_type") == "m.replace"
                                             and relation(e).get("event_id") == root and has_number(shown(e), 47)))
        await asyncio.sleep(1.0)
    events = await history(setup)
    alerts = alert_messages(setup, events)
    assert len(alerts) == sent + sent_now
    assert [e["event_id"] for e in alerts if not relation(e)] == [root]
    assert len(answers_to(setup, events, question)) == 1


@pytest.mark.parametrize("sent_before_crash", [1, 3], ids=["root", "reply"])
async def test_a_crash_right_after_a_send_does_not_post_it_twice(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, sent_before_crash: int
) -> None:
    """The homeserver took an alert but the bot died before recording it: after the restart it is sent
    again with the same transaction id (its delivery key), which Synapse answers with the first event."""
    import bot.store.db as db

    dead = db.PROCESS_ID
    async with running(setup) as app:
        adapter = app.adapters["matrix"]
        real_post, real_reply = adapter.post, adapter.reply
        sends = 0

        async def dies_after(real: Callable[..., Awaitable[Any]], *args: Any) -> Any:
            nonlocal sends
            posted = await real(*args)
            sends += 1
            if sends == sent_before_crash:
                raise asyncio.CancelledError  # the process is killed before the send is confirmed
            return posted

        monkeypatch.setattr(adapter, "post", lambda *a: dies_after(real_post, *a))
        monkeypatch.setattr(adapter, "reply", lambda *a: dies_after(real_reply, *a))
        with pytest.raises(asyncio.CancelledError):
            await cycle(app)
        total = pushed(app)
        casualties(app)
        assert total > sent_before_crash

    monkeypatch.setattr(db, "PROCESS_ID", f"{dead}-restarted")
    async with running(setup) as app:
        app.store.release_lease(f"alive:{dead}", dead)  # the dead process's liveness lease ran out
        _, sent = await cycle(app)
        assert sent == total - sent_before_crash + 1  # the unconfirmed one is sent again…
        assert all(d["status"] == "sent" for d in app.store.deliveries("matrix"))
        (story,) = {sa.story_id for sa in app.store.alerts()}
        root = app.store.thread_root("matrix", setup.room, story) if story is not None else None
        await wait_history(setup, is_alert(setup), count=total)
        await asyncio.sleep(1.0)
    alerts = alert_messages(setup, await history(setup))
    assert len(alerts) == total, f"{len(alerts)} alert messages for {total} alerts"  # …but shown once
    assert [e["event_id"] for e in alerts if not relation(e)] == [root]
    assert all(relation(e).get("event_id") == root for e in alerts[1:])


async def test_article_text_pings_nobody_and_injects_no_html(setup: Setup) -> None:
    for path in setup.articles.iterdir():
        path.unlink()
    write_article(
        setup.articles, "hostile",
        f"@room breaking: at least 12 people were killed in Misrata on Monday, the health ministry said. "
        f"\"We call on {setup.human.user.user_id} to read <a href='javascript:alert(1)'>click</a> now,\" "
        f"said Mike Pompeo, the US Secretary of State.",
        title="@room breaking", published="2019-04-09", lang="en", outlet="@room <b>Daily</b>",
        url="javascript:alert(1)")
    async with running(setup) as app:
        before = pushed(app)
        report, sent = await cycle(app)
        assert report.alerts_new > 0 and sent == pushed(app) - before > 0
        evidence = json.dumps([sa.alert.evidence for sa in app.store.alerts()], ensure_ascii=False)
        assert "@room" in evidence and setup.human.user.user_id in evidence  # the hostile text reached the alerts
        posted = await wait_history(setup, is_alert(setup), count=sent)
        root = next(e["event_id"] for e in posted if not relation(e))
        answer = await ask(setup, "Who said that?", **in_thread(root))
    shown_all = [*posted, answer]
    for event in shown_all:
        content = event["content"]
        body, html = content.get("body", ""), content.get("formatted_body", "")
        assert "@room" not in body and "@room" not in html, body
        assert setup.human.user.user_id not in body and setup.human.user.user_id not in html, body
        assert not re.search(r"<a\s[^>]*href=[\"']?javascript", html, re.IGNORECASE), html
    assert all(e["content"].get("m.mentions") == {} for e in posted)  # alerts mention nobody
    assert answer["content"]["m.mentions"] == {"user_ids": [setup.human.user.user_id]}  # only who asked
    html_all = " ".join(e["content"].get("formatted_body", "") for e in shown_all)
    assert "&lt;a href=" in html_all, "the hostile markup was not shown escaped"
    assert "&lt;b&gt;Daily&lt;/b&gt;" in html_all, "the hostile outlet name was not shown escaped"


async def test_a_french_room_gets_french_alerts_and_answers(setup: Setup) -> None:
    setup.config = dataclasses.replace(
        setup.config, channels=tuple(dataclasses.replace(ch, language="fr") for ch in setup.config.channels))
    async with running(setup) as app:
        _, sent = await cycle(app)
        stored = casualties(app)
        posted = await wait_history(setup, is_alert(setup), count=sent)
        figures_shown = [e for e in posted if "tués" in shown(e)]
        assert len(figures_shown) >= len(stored), [shown(e) for e in posted]
        assert not any(" killed" in shown(e) for e in posted)
        root = posted[0]["event_id"]

        answer = await ask(setup, "!news bilans")  # the French alias of casualties
        assert "tués" in shown(answer) and "killed" not in shown(answer), shown(answer)
        assert all(has_number(shown(answer), n) for n in figures(stored)), shown(answer)

        # A command asked in an alert's thread is answered in that thread.
        answer = await ask(setup, "!news bilans", **in_thread(root))
        assert relation(answer).get("rel_type") == "m.thread" and relation(answer)["event_id"] == root


async def test_a_room_configured_by_its_alias_gets_alerts_and_thread_answers(setup: Setup) -> None:
    """The adapter resolves `#alias:server` channels for posting; the thread it opens must be answered too."""
    alias_name = uniq("news")
    resp = await setup.human.client.room_create(alias=alias_name, invite=(setup.bot_id,))
    setup.room = str(resp.room_id)
    alias = f"#{alias_name}:localhost"
    setup.config = dataclasses.replace(
        setup.config,
        matrix=dataclasses.replace(setup.config.matrix, rooms=(alias,)),
        channels=tuple(dataclasses.replace(ch, id=alias) for ch in setup.config.channels))
    async with running(setup) as app:
        _, sent = await cycle(app)
        wounded = {sa.alert.wounded for sa in casualties(app) if isinstance(sa.alert, Casualty) and sa.alert.wounded}
        posted = await wait_history(setup, is_alert(setup), count=sent)
        root = posted[0]["event_id"]
        assert not relation(posted[0])
        event_id = await setup.human.send_text(setup.room, "How many were wounded?", **in_thread(root))
        try:
            [answer] = await wait_history(setup, lambda e: bool(answers_to(setup, [e], event_id)), timeout=10)
        except AssertionError:
            pytest.fail("a question in the thread of an alert posted to a room configured by its alias "
                        f"({alias}) got no answer")
        assert relation(answer).get("event_id") == root
        assert any(has_number(shown(answer), n) for n in wounded), shown(answer)


async def test_a_room_the_bot_was_kicked_from_is_marked_failed_after_three_tries(
        setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    import datetime as dt

    from bot.service.delivery import deliver_alerts
    from bot.store import utcnow
    from bot.store.chat_state import failed_deliveries

    async with running(setup) as app:
        await app.pipeline.ingest_all()
        total = pushed(app)
        kicked = await setup.human.client.room_kick(setup.room, setup.bot_id, reason="test")
        assert not isinstance(kicked, Exception)
        start = utcnow()
        for n in range(5):
            report = await deliver_alerts(app.store, app.adapters, setup.config.channels,
                                          now=start + dt.timedelta(hours=2 * n))
            assert report.sent == 0
        rows = app.store.deliveries("matrix")
        assert len(rows) == total and {(r["status"], r["error"]) for r in rows} == {("failed", "M_FORBIDDEN")}
        (failed,) = failed_deliveries(app.store)
        assert (failed.channel, failed.reason, failed.count) == (setup.room, "M_FORBIDDEN", total)
        tries = [r for r in caplog.records if "M_FORBIDDEN" in r.getMessage() and r.levelname == "ERROR"]
        assert 1 <= len(tries) <= 2


async def test_news_casualties_over_two_dates_comes_with_its_chart(setup: Setup) -> None:
    async with running(setup) as app:
        await app.pipeline.ingest_all()
        write_update(setup.articles)  # a second date: a toll over time to draw
        await app.pipeline.ingest_all()
        answer = await ask(setup, "!news casualties")
        assert has_number(shown(answer), 47)
        [chart] = await wait_history(setup, lambda e: e.get("sender") == setup.bot_id and is_chart(e))
        assert chart["origin_server_ts"] >= answer["origin_server_ts"]
        assert chart["content"]["url"].startswith("mxc://") and chart["content"]["info"]["mimetype"] == "image/png"
        assert (chart["content"]["info"]["w"], chart["content"]["info"]["h"]) == (800, 450)
