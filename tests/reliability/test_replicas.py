"""Two `run` processes on one PostgreSQL database: each feed poll, alert and digest happens once.

Real processes, a real PostgreSQL server (see tests/conftest.py), a local feed server and the stand-in
Slack Web API, which records what a channel would show.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from bot.store import Store
from tests.conftest import LOOP_GUARD_VARS, PYTHON, ROOT, SEEDS, free_port
from tests.slack.slack_fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack

SEED = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")


def _feed(base: str) -> str:
    items = []
    for i, town in enumerate(("Tripoli", "Misrata", "Benghazi")):
        text = SEED.replace("Tripoli", town) if i else SEED
        items.append(f"<item><guid>{base}/a{i}</guid><link>{base}/a{i}</link><title>Combats {town}</title>"
                     f"<pubDate>Mon, 08 Apr 2019 0{i}:00:00 GMT</pubDate>"
                     f"<description><![CDATA[{text}]]></description></item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>{base}</link><description>w</description>{''.join(items)}</channel></rss>")


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_two_replicas_share_the_work_without_doubles(db_url: str, tmp_path: Path) -> None:
    hits: list[str] = []

    async def feed(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text=_feed(f"http://127.0.0.1:{request.url.port}"), content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    runner = web.AppRunner(app)
    await runner.setup()
    feed_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", feed_port).start()
    fake = FakeSlack()
    await fake.start()
    procs: list[asyncio.subprocess.Process] = []
    interval = 20
    try:
        for n in range(2):
            config = tmp_path / f"replica{n}.yaml"
            config.write_text(yaml.safe_dump({
                "database": db_url,
                "sources": [{"name": "wire", "type": "feed", "url": f"http://127.0.0.1:{feed_port}/feed.xml",
                             "lang": "fr", "interval": f"{interval}s", "backfill": 3}],
                "fetch": {"allow_private": True},
                "outputs": {"console": {"enabled": False},
                            "slack": {"enabled": True, "api_url": fake.api_url, "port": free_port()}},
                "channels": [{"output": "slack", "id": "C1", "language": "en",
                              "digest": {"cron": "* * * * *", "timezone": "UTC"}}],
            }))
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
                   "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, **LOOP_GUARD_VARS}
            procs.append(await asyncio.create_subprocess_exec(
                PYTHON, "-m", "bot", "run", "-c", str(config), cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE))
        await asyncio.sleep(75)  # three poll intervals and at least one digest minute
        for proc in procs:
            assert proc.returncode is None, (await proc.stderr.read()).decode() if proc.stderr else ""
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            _, err = await asyncio.wait_for(proc.communicate(), 60)
            assert proc.returncode == 0, err.decode()
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
        await fake.stop()
        await runner.cleanup()

    # Feeds polled once per interval, by one replica: two replicas polling would double this.
    assert 1 <= len(hits) <= 75 // interval + 1, hits
    store = Store.open(db_url)
    try:
        alert_ids = {a.id for a in store.alerts()}
        deliveries = [d for d in store.deliveries("slack") if d["alert_id"] is not None]
    finally:
        store.close()
    assert alert_ids, "the feed's articles carry alerts"
    posted_alerts = [m for m in fake.messages if (m.get("metadata") or {}).get("event_payload")]
    keys = Counter(m["metadata"]["event_payload"]["key"] for m in posted_alerts)
    assert all(n == 1 for n in keys.values()), "an alert was posted twice"
    assert len(posted_alerts) == len(alert_ids) == len(deliveries)
    digests = [m for m in fake.messages if str(m.get("text") or "").startswith(("Digest", "*Digest"))]
    digest_claims = [d for d in Store.open(db_url).deliveries("slack") if d["item_key"].startswith("digest:")]
    assert digests, "a digest was due every minute"
    assert len(digests) == len({d["item_key"] for d in digest_claims}) == len(digest_claims)


async def test_two_replicas_delivering_one_story_at_once_open_one_thread(store: Store) -> None:
    """Replica A is slow to post a story's root; replica B, meanwhile, must not open a second thread."""
    import itertools

    from bot.chat.base import Posted
    from bot.config import ChannelConfig
    from bot.core.models import Article, Casualty, Fighting
    from bot.core.models import Message as Msg
    from bot.service.delivery import deliver_alerts

    ids = itertools.count(1)
    log: list[tuple[str, str, str | None]] = []

    class Chat:
        name = "rec"
        shows_images = True

        def __init__(self, delay: float) -> None:
            self.delay = delay

        async def post(self, channel: str, message: Msg) -> Posted:
            await asyncio.sleep(self.delay)
            log.append(("post", message.headline, None))
            return Posted(channel, f"m{next(ids)}")

        async def reply(self, channel: str, thread_id: str, message: Msg) -> Posted:
            log.append(("reply", message.headline, thread_id))
            return Posted(channel, f"m{next(ids)}")

        async def edit(self, channel: str, message_id: str, message: Msg) -> None:
            return None

    article_id, _ = store.add_article(Article(id="a", text="t"))
    story = store.new_story("Tripoli")
    for alert in (Casualty("a", killed=35, qualifier="at_least"), Fighting("a", "Tripoli", "clashes")):
        store.add_alert(alert, article_id=article_id, story_id=story, importance=5.0)
    channels = (ChannelConfig(output="rec", id="C1"),)

    async def replica_b() -> None:
        await asyncio.sleep(0.1)
        await deliver_alerts(store, {"rec": Chat(0.0)}, channels, owner="replica-b")

    await asyncio.gather(deliver_alerts(store, {"rec": Chat(0.5)}, channels, owner="replica-a"), replica_b())
    await deliver_alerts(store, {"rec": Chat(0.0)}, channels, owner="replica-b")  # its next pass
    roots = [entry for entry in log if entry[0] == "post"]
    assert len(roots) == 1, log
    assert len(log) == 2 and log[1][0] == "reply" and log[1][2] == "m1", log
