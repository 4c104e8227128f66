"""Crash safety: the bot is killed (SIGKILL) mid-delivery and mid-ingestion, then restarted.

Real processes (`python -m bot run --once`), a real SQLite file, and for delivery the stand-in Slack Web
API: what it received is what a channel would show.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import yaml

from bot.core.extract.confidence import is_pushed
from bot.store import Store
from tests.conftest import LOOP_GUARD_VARS, PYTHON, ROOT, SEEDS
from tests.slack.slack_fakes import BOT_TOKEN, SIGNING_SECRET, FakeSlack


def _env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(Path.home()),
            **LOOP_GUARD_VARS, **extra}


async def _run(cwd: Path, config: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        PYTHON, "-m", "bot", "run", "--once", "-c", str(config), cwd=cwd, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def test_killed_mid_delivery_then_restarted_posts_every_alert_exactly_once(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    fake = FakeSlack()
    await fake.start()
    try:
        config = tmp_path / "bot.yaml"
        config.write_text(yaml.safe_dump({
            "database": f"sqlite:///{tmp_path / 'bot.db'}",
            "sources": [{"name": "seed", "type": "folder", "path": "seeds", "lang": "fr"}],
            "outputs": {"console": {"enabled": False},
                        "slack": {"enabled": True, "api_url": fake.api_url}},
            "channels": [{"output": "slack", "id": "C1", "language": "en"}],
        }))
        env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET)

        fake.hang_after = 2  # the third post reaches Slack, but the bot never hears back: killed there
        first = await _run(tmp_path, config, env)
        await fake.wait_for("chat.postMessage", 3, timeout=90)
        first.kill()
        await first.wait()
        assert first.returncode == -9
        assert len(fake.messages) == 3

        fake.hang_after = None
        second = await _run(tmp_path, config, env)
        _, err = await asyncio.wait_for(second.communicate(), 180)
        assert second.returncode == 0, err.decode()
    finally:
        await fake.stop()

    store = Store.open(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        alerts = [a for a in store.alerts() if is_pushed(a.alert)]  # the ones delivery sends
        deliveries = {d["alert_id"]: d for d in store.deliveries("slack") if d["alert_id"] is not None}
    finally:
        store.close()
    keys = [m["metadata"]["event_payload"]["key"] for m in fake.messages]
    assert len(alerts) >= 4  # the seed has statements, fighting and casualty figures
    duplicates = [k for k, n in Counter(keys).items() if n > 1]
    assert not duplicates, "an alert was posted twice"
    assert len(fake.messages) == len(alerts), "an alert was lost or posted twice"
    assert {a.id for a in alerts} == set(deliveries)
    assert all(d["status"] == "sent" for d in deliveries.values())
    # The message posted just before the kill was found again (by its metadata), not re-sent.
    assert fake.messages[2]["ts"] in {d["message_id"] for d in deliveries.values()}


def _articles(n: int) -> list[dict[str, str]]:
    towns = ["Tripoli", "Benghazi", "Misrata", "Sirte", "Derna", "Sabha", "Zawiya", "Tobrouk"]
    out = []
    for i in range(n):
        town = towns[i % len(towns)]
        out.append({
            "id": f"crash-{i}", "lang": "fr", "published": f"2019-04-{1 + i % 28:02d}",
            "text": (f"Au moins {i + 3} personnes ont été tuées à {town} lors de combats, a déclaré le ministère "
                     f"de la Santé. Dépêche numéro {i}: les affrontements ont repris dans le quartier {i} de {town}"
                     f" après une nuit de bombardements, selon des habitants joints par téléphone. "
                     f"« Nous ne céderons pas », a affirmé le commandant Ali Ben{i}."),
        })
    return out


def _alert_facts(db: Path) -> set[tuple[str, str, str]]:
    """(article key, alert type, alert dedup key without its story) for every article-alert link."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT a.key, al.type, al.dedup_key FROM alert_articles aa "
            "JOIN articles a ON a.id = aa.article_id JOIN alerts al ON al.id = aa.alert_id").fetchall()
    finally:
        conn.close()
    return {(key, kind, dedup.split("|", 1)[1]) for key, kind, dedup in rows}


def _count(db: Path, sql: str) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return 0


async def test_killed_mid_ingestion_then_restarted_loses_no_article(tmp_path: Path) -> None:
    articles = _articles(300)
    results: dict[str, set[tuple[str, str, str]]] = {}
    for name in ("clean", "crashed"):
        work = tmp_path / name
        (work / "in").mkdir(parents=True)
        (work / "in" / "articles.jsonl").write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in articles))
        config = work / "bot.yaml"
        config.write_text(yaml.safe_dump({
            "database": f"sqlite:///{work / 'bot.db'}",
            "sources": [{"name": "wire", "type": "folder", "path": "in"}],
            "outputs": {"console": {"enabled": False}},
        }))
        if name == "crashed":
            proc = await _run(work, config, _env())
            for _ in range(3000):
                await asyncio.sleep(0.01)
                if _count(work / "bot.db", "SELECT count(*) FROM articles") >= 60:
                    break
            proc.kill()
            await proc.wait()
            stored = _count(work / "bot.db", "SELECT count(*) FROM articles")
            assert 0 < stored < len(articles), "the kill did not land mid-ingestion"
        proc = await _run(work, config, _env())
        _, err = await asyncio.wait_for(proc.communicate(), 300)
        assert proc.returncode == 0, err.decode()
        assert _count(work / "bot.db", "SELECT count(*) FROM articles") == len(articles)
        assert _count(work / "bot.db", "SELECT count(*) FROM articles WHERE processed_at IS NULL") == 0
        results[name] = _alert_facts(work / "bot.db")
    assert results["clean"], "the articles carry alerts"
    assert results["crashed"] == results["clean"]
