"""`run --once` end to end on real SQLite: alerts delivered once, a deleted delivery re-sent, digests."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from bot.config import load_config
from bot.core.models import Alert, Article, Casualty, Fighting, Statement
from bot.service.app import run_once
from bot.store import Store
from bot.store import schema as s
from tests.conftest import LOOP_GUARD_VARS, PYTHON, ROOT, SEEDS, RecordingAdapter


def seedlike_extractor(article: Article) -> list[Alert]:
    """A stand-in extractor, so these tests check the pipeline whatever the extraction rules do."""
    return [
        Statement(article_id=article.id, speaker="Mike Pompeo", quote="arrêter immédiatement"),
        Fighting(article_id=article.id, location="Tripoli", action="resumed", actors=("ANL", "GNA")),
        Casualty(article_id=article.id, killed=35, qualifier="at_least"),
    ]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "bot.yaml", tmp_path / "config" / "bot.yaml")
    return tmp_path


async def _run(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    monkeypatch.chdir(workdir)
    monkeypatch.setattr("bot.service.pipeline.extract_alerts", seedlike_extractor)
    config = load_config(Path("config/bot.yaml"))
    # The extractor is bound at Pipeline construction: rebuild with the stand-in.
    from bot.service import pipeline

    original = pipeline.Pipeline.__init__

    def init(self: pipeline.Pipeline, *a: Any, **k: Any) -> None:
        k.setdefault("extractor", seedlike_extractor)
        original(self, *a, **k)

    monkeypatch.setattr(pipeline.Pipeline, "__init__", init)
    out = io.StringIO()
    report = await run_once(config, out=out)
    return out.getvalue(), report.delivered


async def test_second_run_delivers_nothing_and_deleted_delivery_is_resent(
    workdir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, delivered = await _run(workdir, monkeypatch)
    assert delivered == 3
    assert "Mike Pompeo" in first and "Tripoli" in first and "At least 35 killed" in first
    assert "Digest" in first

    second, delivered = await _run(workdir, monkeypatch)
    assert delivered == 0
    assert "Mike Pompeo" not in second and "Nothing new since the last digest." in second

    db = Store.open(f"sqlite:///{workdir / 'data' / 'bot.db'}")
    with db.tx() as conn:
        victim = conn.execute(select(s.deliveries.c.id, s.deliveries.c.alert_id)
                              .where(s.deliveries.c.alert_id.is_not(None)).order_by(s.deliveries.c.id)).first()
        assert victim is not None
        conn.execute(delete(s.deliveries).where(s.deliveries.c.id == victim[0]))
    deleted = db.alert(victim[1])
    db.close()
    assert deleted is not None

    third, delivered = await _run(workdir, monkeypatch)
    assert delivered == 1
    assert ("Mike Pompeo" in third) == (deleted.alert.type == "statement")


async def test_alerts_of_one_story_go_to_one_thread(store: Store, recorder: RecordingAdapter) -> None:
    from bot.config import ChannelConfig
    from bot.service.pipeline import Pipeline

    config = dataclasses.replace(load_config(ROOT / "config" / "bot.yaml"),
                                 channels=(ChannelConfig(output="rec", id="C1"),))
    pipe = Pipeline(config, store, {"rec": recorder}, extractor=seedlike_extractor)
    pipe.process(Article(id="a", text="texte un", source="s"))
    report = await pipe.deliver()
    assert report.sent == 3
    kinds = [(c[0], c[2]) for c in recorder.calls]
    assert kinds[0] == ("post", None)
    assert kinds[1:] == [("reply", "m1"), ("reply", "m1")]


def test_run_once_cli_prints_seed_alerts_and_digest(workdir: Path) -> None:
    """The README's first command, in a fresh folder: the seed's alerts and a digest on the console."""
    proc = subprocess.run([PYTHON, "-m", "bot", "run", "--once"], cwd=workdir, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **LOOP_GUARD_VARS})
    assert proc.returncode == 0, proc.stderr
    assert "Digest" in proc.stdout
    assert "1 new article(s)" in proc.stderr
    again = subprocess.run([PYTHON, "-m", "bot", "run", "--once"], cwd=workdir, capture_output=True, text=True,
                           timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **LOOP_GUARD_VARS})
    assert "0 new article(s), 0 new alert(s), 0 delivered" in again.stderr
    assert "Nothing new since the last digest." in again.stdout


async def test_polls_and_deliveries_are_timed_for_metrics(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from bot.service.health import METRICS

    def counts() -> dict[str, float]:
        return {smp.labels["what"]: smp.value
                for family in text_string_to_metric_families(METRICS.render(None)) for smp in family.samples
                if smp.name == "newsbot_latency_seconds_count"}

    before = counts()
    _, delivered = await _run(workdir, monkeypatch)
    after = counts()
    assert delivered == 3
    assert after["poll"] - before["poll"] >= 1  # the seed folder, polled once
    assert after["delivery"] - before["delivery"] == delivered
