"""read_url (the chat's `read URL`) and `python -m bot ingest`."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.ingest import ingest
from bot.cli.progress import ProgressBar
from bot.config import FetchConfig, load_config
from bot.ingest.fetch import Fetcher
from bot.ingest.pages import ReadError, read_url
from bot.store import Store
from tests.ingest.ingest_helpers import LocalServer, article_page, item, rss


async def test_read_url_returns_the_article(server: LocalServer, seed_text: str) -> None:
    url = server.static("/a", article_page("Libye : Washington demande l'arrêt", seed_text))
    f = Fetcher(FetchConfig(allow_private=True))
    try:
        article = await read_url(url + "?utm_source=chat", fetcher=f)
    finally:
        await f.aclose()
    assert article.title == "Libye : Washington demande l'arrêt" and article.url == url
    assert article.lang == "fr" and "Au moins 35 personnes" in article.text and article.outlet == "127.0.0.1"


async def test_read_url_refuses_local_addresses_by_default(server: LocalServer, seed_text: str) -> None:
    url = server.static("/a", article_page("T", seed_text))
    f = Fetcher(FetchConfig())
    try:
        with pytest.raises(ReadError, match=r"127\.0\.0\.1: refused"):
            await read_url(url, fetcher=f)
        with pytest.raises(ReadError, match="refused"):
            await read_url(url.replace("127.0.0.1", "localhost"), fetcher=f)
        with pytest.raises(ReadError, match="metadata"):
            await read_url("http://169.254.169.254/latest/meta-data/", fetcher=f)
        assert server.hits["/a"] == 0
        assert (await read_url(url, fetcher=f, allow_private=True)).text
    finally:
        await f.aclose()


async def test_read_url_on_a_non_article(server: LocalServer) -> None:
    url = server.static("/404", "<html><body><h1>Page introuvable</h1></body></html>", status=200)
    f = Fetcher(FetchConfig(allow_private=True))
    try:
        with pytest.raises(ReadError, match="no article text"):
            await read_url(url, fetcher=f)
        with pytest.raises(ReadError, match="HTTP 404"):
            await read_url(server.url("/missing"), fetcher=f)
    finally:
        await f.aclose()


def write_config(tmp_path: Path, extra: str = "") -> Path:
    cfg = tmp_path / "bot.yaml"
    cfg.write_text(f"database: sqlite:///{tmp_path / 'db' / 'bot.db'}\nfetch:\n  allow_private: true\n{extra}",
                   encoding="utf-8")
    return cfg


def test_cli_ingests_files_and_folders(tmp_path: Path, seed_text: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(seed_text, encoding="utf-8")
    lines = [json.dumps({"id": f"n{i}", "text": f"Article numéro {i}. " * 30, "lang": "fr"}) for i in range(25)]
    lines.append(json.dumps({"id": "empty", "text": ""}))
    (folder / "many.jsonl").write_text("\n".join(lines), encoding="utf-8")
    cfg = write_config(tmp_path)
    assert main(["ingest", str(folder), "-c", str(cfg)]) == 0
    out, err = capsys.readouterr()
    # The seed carries alerts (how many is the extractor's business); the 25 filler articles none.
    summary = re.fullmatch(r"26 new article\(s\), 0 already stored, (\d+) new alert\(s\), 1 empty skipped", out.strip())
    assert summary is not None, out
    assert int(summary.group(1)) > 0
    assert "27/27" in err  # more than 20 items: a progress bar on stderr
    assert main(["ingest", str(folder / "one.txt"), "-c", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith("0 new article(s), 1 already stored")
    assert main(["ingest", str(tmp_path / "nope"), "-c", str(cfg)]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["ingest", "-c", str(cfg)]) == 2


async def test_cli_ingests_a_url_and_all_sources(server: LocalServer, tmp_path: Path, seed_text: str) -> None:
    page = server.static("/article", article_page("Libye", seed_text))
    feed = server.static("/feed.xml", rss([item(1), item(2)]), content_type="application/rss+xml")
    cfg = write_config(tmp_path, f"sources:\n  - {{name: wire, type: feed, url: '{feed}', backfill: 1}}\n")
    config = load_config(cfg)
    out, err = io.StringIO(), io.StringIO()
    assert await ingest(config, [page], all_sources=True, out=out, err=err) == 0
    assert out.getvalue().startswith("2 new article(s)")
    store = Store.open(config.database)
    try:
        assert store.count_articles() == 2 and store.source_state("wire").initialized
    finally:
        store.close()
    out = io.StringIO()
    assert await ingest(config, [server.url("/missing")], out=out, err=err) == 1
    assert "HTTP 404" in err.getvalue()


def test_progress_bar_only_for_terminals_or_long_runs() -> None:
    quiet = io.StringIO()
    bar = ProgressBar(5, quiet)
    for _ in range(5):
        bar.step()
    assert quiet.getvalue() == ""
    loud = io.StringIO()
    bar = ProgressBar(30, loud, label="x")
    for _ in range(30):
        bar.step()
    assert loud.getvalue().endswith("[" + "#" * 30 + "] 30/30 x\n")


async def test_read_url_from_the_reader_module_with_a_fetch_config(server: LocalServer, seed_text: str) -> None:
    from bot.ingest import reader

    url = server.static("/g", article_page("Titre", seed_text))
    article = await reader.read_url(url, allow_private=True, fetch=FetchConfig(timeout_s=5))
    assert article.url == url and article.text
    with pytest.raises(ReadError, match="refused"):
        await reader.read_url(url, allow_private=False, fetch=FetchConfig())


def test_cli_ingest_refuses_a_big_file_and_skips_a_broken_jsonl_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Les combats ont repris. " * 10_000)  # 240 KB
    batch = tmp_path / "batch.jsonl"
    lines = [json.dumps({"id": f"n{i}", "text": f"Article numéro {i}. " * 30, "lang": "fr"}) for i in range(3)]
    batch.write_text("\n".join([lines[0], "{broken", lines[1], lines[2]]), encoding="utf-8")
    cfg = write_config(tmp_path, "  max_bytes: 100000\n")
    assert main(["ingest", str(big), "-c", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "big.txt: 240000 bytes, larger than fetch.max_bytes (100000); not read" in err
    assert main(["ingest", str(batch), "-c", str(cfg)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("3 new article(s)")
    logged = err + "\n".join(r.getMessage() for r in caplog.records)  # the CLI logs to stderr
    assert "batch.jsonl:2: line skipped, not valid JSON" in logged
