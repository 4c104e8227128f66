"""A folder source reads every good file: a bad one is logged (naming it) and skipped."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.config import SourceConfig
from bot.ingest.files import read_articles
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store
from tests.ingest.ingest_helpers import Clock, filler, pipeline_config


async def poll_folder(folder: Path, db: Path) -> tuple[Store, RunReport]:
    url = f"sqlite:///{db}"
    store = Store.open(url)
    source = SourceConfig(name="drop", type="folder", path=str(folder), lang="fr")
    pipeline = Pipeline(pipeline_config(url, [source]), store, {}, extractor=lambda a: [], clock=Clock())
    report = RunReport()
    try:
        await pipeline.poll(source, report)
    finally:
        await pipeline.fetcher.aclose()
    return store, report


async def test_truncated_jsonl_beside_a_good_article(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "good.txt").write_text(filler(1), encoding="utf-8")
    line = json.dumps({"id": "j1", "text": filler(2), "lang": "fr"})
    (folder / "batch.jsonl").write_text(line + "\n" + line.replace("j1", "j2")[:40], encoding="utf-8")
    (folder / "broken.json").write_text('{"id": "x", "text": ', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        store, report = await poll_folder(folder, tmp_path / "bot.db")
    try:
        assert report.failed_sources == [] and store.source_state("drop").failures == 0
        assert report.articles_new == 2  # good.txt and the jsonl's complete first line
        texts = {a.text for a in map(store.article, (1, 2)) if a is not None}
        assert texts == {filler(1), filler(2)}
    finally:
        store.close()
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "batch.jsonl" in warned and "broken.json" in warned


def test_cp1252_meta_file_is_decoded(tmp_path: Path) -> None:
    (tmp_path / "art.txt").write_text(filler(3), encoding="utf-8")
    (tmp_path / "art.meta.yaml").write_bytes('title: "Côte d’Ivoire : l’armée déployée"\nlang: fr\n'.encode("cp1252"))
    [article] = list(read_articles(tmp_path / "art.txt", source="drop"))
    assert article.title == "Côte d’Ivoire : l’armée déployée" and article.lang == "fr"


async def test_cp1252_meta_file_in_a_folder_source(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "art.txt").write_text(filler(4), encoding="utf-8")
    (folder / "art.meta.yaml").write_bytes("title: Tensions à Abidjan – bilan\n".encode("cp1252"))
    store, report = await poll_folder(folder, tmp_path / "bot.db")
    try:
        assert report.failed_sources == [] and report.articles_new == 1
        stored = store.article(1)
        assert stored is not None and stored.title == "Tensions à Abidjan – bilan"
    finally:
        store.close()
