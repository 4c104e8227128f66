"""What is remembered of local files (migration 10) on SQLite and PostgreSQL: a folder poll on either
database reads a file once, again when it changes, and forgets files deleted from the folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.config import SourceConfig
from bot.service.pipeline import Pipeline, RunReport
from bot.store import Store
from bot.store.files_state import FileState, file_states, path_key, save_file_states
from tests.ingest.ingest_helpers import Clock, filler, pipeline_config


async def test_folder_poll_remembers_files_on_either_database(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(filler(1), encoding="utf-8")
    (folder / "sub" / "b.md").write_text(filler(2), encoding="utf-8")
    src = SourceConfig(name="drop", type="folder", path=str(folder), lang="fr")
    clock = Clock()
    store = Store.open(db_url)
    pipeline = Pipeline(pipeline_config(db_url, [src]), store, {}, extractor=lambda a: [], clock=clock)
    try:
        first, second, third = RunReport(), RunReport(), RunReport()
        await pipeline.poll(src, first)
        await pipeline.poll(src, second)
        (folder / "sub" / "b.md").unlink()
        (folder / "c.txt").write_text(filler(3), encoding="utf-8")
        await pipeline.poll(src, third)
        assert (first.articles_new, second.articles_new, third.articles_new) == (2, 0, 1)
        assert second.articles_seen == 0  # nothing was read
        states = file_states(store, "drop")
        assert set(states) == {"a.txt", "c.txt"} and states["a.txt"].outcome == "read: 1 article(s)"
    finally:
        await pipeline.fetcher.aclose()
        store.close()


def test_save_file_states_upserts_and_long_paths_fit(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        long = "d/" * 700 + "x.txt"
        key = path_key(long)
        now = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
        save_file_states(store, "s", [FileState(key, 1, 2, "a" * 64, "read: 1 article(s)")], {key}, now)
        save_file_states(store, "s", [FileState(key, 3, 4, "b" * 64, "read: 2 article(s)")], {key}, now)
        assert len(key) <= 1000 and key != path_key("d/" * 700 + "y.txt")
        assert file_states(store, "s") == {key: FileState(key, 3, 4, "b" * 64, "read: 2 article(s)")}
        assert file_states(store, "other") == {}
    finally:
        store.close()
