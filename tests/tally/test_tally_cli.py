"""`python -m bot casualties [TOPIC]` on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.core.chart import png_size
from bot.core.models import Alert, Article, Casualty
from bot.service.pipeline import Pipeline
from bot.store import Store
from tests.conftest import ROOT
from tests.tally.tally_story import ARTICLES, OneStory, extract_figures


def extract(article: Article) -> list[Alert]:
    if article.id == "afp-2":
        return [Casualty("afp-2", killed=35, qualifier="at_least", victims="personnes")]
    return extract_figures(article)


def fill(tmp_path: Path, *, stories: int = 1) -> Path:
    db = tmp_path / "data" / "bot.db"
    cfg = tmp_path / "bot.yaml"
    cfg.write_text(f"database: sqlite:///{db}\nlanguage: en\n", encoding="utf-8")
    store = Store.open(f"sqlite:///{db}")
    pipeline = Pipeline(load_config(cfg), store, {}, extractor=extract,
                        clock=lambda: dt.datetime(2019, 4, 8, tzinfo=dt.UTC))
    grouper = OneStory(store)
    pipeline.stories = grouper  # type: ignore[assignment]
    for article in ARTICLES:
        pipeline.process(article)
    if stories > 1:
        grouper.story_id = None
        pipeline.process(Article(
            id="afp-2", source="afp", outlet="AFP", lang="fr", published=dt.date(2019, 4, 9),
            title="Libye : nouveaux combats", text="Au moins 35 personnes ont été tuées depuis jeudi."))
    store.close()
    return cfg


def test_casualties_prints_view_and_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cfg = fill(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["casualties", "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "Story 1: Offensive on Tripoli" in out
    assert "Killed — all victims: low 21 · best 45 · high 45 (2 sources)" in out
    assert "Killed — soldiers: low 14 · best 14 · high 14 (1 source)" in out
    assert "never added up" in out
    history = out.split("History", 1)[1]
    assert "2019-04-06  at least 35 killed [personnes] — the article itself (AFP)" in history
    assert "2019-04-07  47 killed [morts] (+12) — the article itself (Le Monde)" in history
    assert "2019-04-08  45 killed [dead] (-2) — the article itself (Le Monde)" in history
    assert "2019-04-07  14 killed [soldiers] — Ahmed al-Mesmari" in history
    chart = tmp_path / "data" / "charts" / "story-1-en.png"
    assert "[chart: data/charts/story-1-en.png]" in out
    assert png_size(chart) == (800, 450)


def test_casualties_in_french_and_by_topic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cfg = fill(tmp_path, stories=2)
    monkeypatch.chdir(tmp_path)
    assert main(["casualties", "libya", "-c", str(cfg), "--lang", "fr", "--no-chart"]) == 0
    out = capsys.readouterr().out
    # Two stories of the topic: one view over both first, then each story.
    assert out.startswith("Bilan — libya")
    assert "Sujet 1: Offensive on Tripoli" in out and "Sujet 2: Offensive on Tripoli" in out
    # The topic is one scope: the 35 of 9 April reruns a known toll and does not pull the press's 45 back.
    topic = out.split("Sujet 1", 1)[0]
    assert "Tués — toutes victimes: bas 21 · estimation 45 · haut 45 (2 sources)" in topic
    assert "Tués — soldats: bas 14 · estimation 14 · haut 14 (1 source)" in topic
    assert "Historique" in out
    assert not (tmp_path / "data" / "charts").exists()
    assert main(["casualties", "syria", "-c", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == "No casualty figures stored."


def test_after_run_once_on_the_default_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--once"]) == 0
    capsys.readouterr()
    assert main(["casualties"]) == 0
    assert capsys.readouterr().out.strip()
