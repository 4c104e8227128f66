"""Local files an admin drops in a folder source: encodings, binaries, oversized files, broken JSONL
lines, and folders polled again (only changed files read)."""

from __future__ import annotations

import json
import logging
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.config import SourceConfig
from bot.ingest import files
from bot.service.pipeline import RunReport
from bot.store.files_state import file_states
from tests.ingest.ingest_helpers import Clock, Harness, filler

FRENCH = ("Côte d’Ivoire : l’armée déployée à Abidjan. « Nous avons reçu l’ordre de protéger les civils », "
          "a déclaré le porte-parole. Les œuvres du musée ont été évacuées ; le bilan s’élève à 12 blessés.\n")


def folder_source(folder: Path, name: str = "drop") -> SourceConfig:
    return SourceConfig(name=name, type="folder", path=str(folder), lang="fr")


async def poll(harness: Harness, src: SourceConfig, **fetch: Any) -> RunReport:
    p = harness.pipelines[-1] if harness.pipelines else harness.pipeline([src], **fetch)
    report = RunReport()
    await p.poll(src, report)
    return report


def stored_texts(harness: Harness) -> dict[str, str]:
    out = {}
    for i in range(1, harness.store.count_articles() + 1):
        a = harness.store.article(i)
        assert a is not None
        out[a.title or a.key] = a.text
    return out


def warnings(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


@pytest.mark.parametrize("encoding,data", [
    ("utf-16 with BOM", FRENCH.encode("utf-16")),
    ("utf-16-be with BOM", b"\xfe\xff" + FRENCH.encode("utf-16-be")),
    ("utf-16-le without BOM", FRENCH.encode("utf-16-le")),
    ("utf-16-be without BOM", FRENCH.encode("utf-16-be")),
    ("utf-8 with BOM", FRENCH.encode("utf-8-sig")),
    ("cp1252", FRENCH.encode("cp1252")),
    ("latin-1", FRENCH.replace("’", "'").replace("œ", "oe").encode("latin-1")),
])
async def test_text_file_encodings_are_detected(
    harness: Harness, tmp_path: Path, encoding: str, data: bytes,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "article.txt").write_bytes(data)
    report = await poll(harness, folder_source(folder))
    assert report.articles_new == 1 and report.failed_sources == []
    [text] = stored_texts(harness).values()
    expected = FRENCH if encoding != "latin-1" else FRENCH.replace("’", "'").replace("œ", "oe")
    assert text == expected.strip(), encoding


async def test_utf16_jsonl_without_bom_is_read_line_by_line(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    lines = [json.dumps({"id": f"a{i}", "title": f"t{i}", "text": FRENCH + str(i)}, ensure_ascii=False)
             for i in range(3)]
    (folder / "batch.jsonl").write_bytes("\n".join(lines).encode("utf-16-le"))
    report = await poll(harness, folder_source(folder))
    assert report.articles_new == 3
    assert stored_texts(harness)["t2"] == FRENCH + "2"


async def test_binary_txt_is_refused_with_its_name(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    rng = random.Random(7)
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(20_000)))
    (folder / "good.txt").write_text(filler(1), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = await poll(harness, folder_source(folder))
    assert report.articles_new == 1 and list(stored_texts(harness).values()) == [filler(1)]
    assert "photo.txt" in warnings(caplog) and "binary" in warnings(caplog)


async def test_unknown_8bit_encoding_is_refused_not_stored_garbled(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    russian = "Москва заявила о новых ударах по городу; по данным властей, погибли 12 человек.\n" * 20
    (folder / "ru.txt").write_bytes(russian.encode("koi8_r"))
    with caplog.at_level(logging.WARNING):
        report = await poll(harness, folder_source(folder))
    assert report.articles_new == 0 and harness.store.count_articles() == 0
    assert "ru.txt" in warnings(caplog) and "encoding not recognised" in warnings(caplog)


async def test_file_over_the_cap_is_refused_without_being_read(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    big = folder / "huge.txt"
    with big.open("wb") as f:  # 30 MB of prose, written in pieces
        block = (filler(5) + "\n").encode() * 200
        while f.tell() < 30_000_000:
            f.write(block)
    (folder / "small.txt").write_text(filler(6), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = await poll(harness, folder_source(folder), max_bytes=1_000_000)
    assert report.articles_new == 1 and list(stored_texts(harness).values()) == [filler(6)]
    logged = warnings(caplog)
    assert "huge.txt" in logged and "larger than fetch.max_bytes (1000000)" in logged
    # Refused from its size, before any read: the state remembers it unhashed.
    assert file_states(harness.store, "drop")["huge.txt"].sha256 is None


async def test_jsonl_line_over_the_cap_is_skipped_and_the_rest_read(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    with (folder / "batch.jsonl").open("w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "a", "title": "a", "text": filler(1)}) + "\n")
        f.write(json.dumps({"id": "b", "title": "b", "text": "x " * 400_000}) + "\n")  # 800 KB line
        f.write(json.dumps({"id": "c", "title": "c", "text": filler(3)}) + "\n")
    with caplog.at_level(logging.WARNING):
        report = await poll(harness, folder_source(folder), max_bytes=100_000)
    assert report.articles_new == 2 and set(stored_texts(harness)) == {"a", "c"}
    assert "batch.jsonl:2: line skipped, longer than fetch.max_bytes (100000)" in warnings(caplog)


async def test_broken_jsonl_middle_line_is_skipped_with_its_number(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    lines = [json.dumps({"id": f"n{i}", "title": f"n{i}", "text": filler(i)}) for i in range(1, 6)]
    lines[2] = lines[2][:25]  # line 3 cut in the middle
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        report = await poll(harness, folder_source(folder))
    assert report.articles_new == 4 and set(stored_texts(harness)) == {"n1", "n2", "n4", "n5"}
    assert "batch.jsonl:3: line skipped, not valid JSON" in warnings(caplog)


def test_extract_of_a_single_jsonl_stays_strict(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "ok"}\n{not json\n{"id": "3", "text": "ok"}\n', encoding="utf-8")
    with pytest.raises(files.ArticleFileError, match=r"bad\.jsonl:2: not valid JSON"):
        list(files.read_articles(bad))
    assert [a.id for a in files.read_articles(bad, skip_bad_lines=True)] == ["1", "3"]


async def test_folder_polled_again_reads_only_changed_files(
    harness: Harness, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.txt").write_text(filler(1), encoding="utf-8")
    (folder / "b.txt").write_text(filler(2), encoding="utf-8")
    batch = folder / "batch.jsonl"
    batch.write_text(json.dumps({"id": "j1", "title": "j1", "text": filler(3)}) + "\n", encoding="utf-8")
    parsed: Counter[str] = Counter()
    real = files._file_articles

    def counting(path: Path, *args: Any, **kwargs: Any) -> Any:
        parsed[path.name] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "_file_articles", counting)
    src = folder_source(folder)
    report = await poll(harness, src)
    assert report.articles_new == 3 and parsed == Counter({"a.txt": 1, "b.txt": 1, "batch.jsonl": 1})

    clock.advance(60)
    report = await poll(harness, src)  # nothing changed: nothing opened
    assert report.articles_new == 0 and report.articles_seen == 0
    assert parsed == Counter({"a.txt": 1, "b.txt": 1, "batch.jsonl": 1})

    with batch.open("a", encoding="utf-8") as f:  # a line appended: the file is read again
        f.write(json.dumps({"id": "j2", "title": "j2", "text": filler(4)}) + "\n")
    os.utime(folder / "a.txt", ns=(1, 1_000_000_000))  # touched, same bytes: hashed, not parsed
    (folder / "c.txt").write_text(filler(5), encoding="utf-8")
    clock.advance(60)
    report = await poll(harness, src)
    assert parsed == Counter({"a.txt": 1, "b.txt": 1, "batch.jsonl": 2, "c.txt": 1})
    assert report.articles_new == 2 and {"j2", "drop:c"} <= set(stored_texts(harness))

    (folder / "a.txt").write_text(filler(1) + " Mise à jour : le bilan s'alourdit.", encoding="utf-8")
    clock.advance(60)
    report = await poll(harness, src)  # an edited text file is a new version of its article
    assert parsed["a.txt"] == 2 and report.articles_new == 1
    assert stored_texts(harness)[next(k for k in stored_texts(harness) if k.startswith("drop:a#v"))].endswith(
        "le bilan s'alourdit.")

    (folder / "b.txt").unlink()
    harness.pipeline([src])  # a restart: what was read is in the database
    clock.advance(60)
    report = await poll(harness, src)
    assert report.articles_new == 0 and parsed["batch.jsonl"] == 2
    assert set(file_states(harness.store, "drop")) == {"a.txt", "batch.jsonl", "c.txt"}


async def test_refused_file_is_logged_once_not_on_every_poll(
    harness: Harness, tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 100)
    src = folder_source(folder)
    with caplog.at_level(logging.WARNING):
        await poll(harness, src)
        clock.advance(60)
        await poll(harness, src)
    assert warnings(caplog).count("blob.txt") == 1
    assert file_states(harness.store, "drop")["blob.txt"].outcome.startswith("refused: ")


async def test_a_file_source_that_cannot_be_read_is_a_source_failure(harness: Harness, tmp_path: Path) -> None:
    blob = tmp_path / "feed-dump.txt"
    blob.write_bytes(b"\x00\x01\x02\x03" * 1000)
    src = SourceConfig(name="dump", type="file", path=str(blob))
    report = await poll(harness, src)
    state = harness.store.source_state("dump")
    assert report.failed_sources == ["dump"] and state.failures == 1
    assert "feed-dump.txt" in (state.last_error or "") and "binary" in (state.last_error or "")


async def test_html_file_declaring_its_legacy_charset(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    prose = " ".join([FRENCH.strip(), "Le carburant coûte désormais 5 € le litre dans la capitale."] * 3)
    page = (f'<html><head><meta charset="iso-8859-15"><title>Prix à Abidjan</title></head>'
            f"<body><article><p>{prose}</p></article></body></html>")
    (folder / "page.html").write_bytes(page.replace("’", "'").encode("iso-8859-15"))  # € is 0xA4 there
    report = await poll(harness, folder_source(folder))
    assert report.articles_new == 1
    [text] = stored_texts(harness).values()
    assert "5 € le litre" in text and "œuvres" in text  # cp1252 would have read ¤ and ½uvres


async def test_control_characters_without_nul_are_binary(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    rng = random.Random(3)
    (folder / "dump.txt").write_bytes(bytes(rng.choice(b"\x01\x02\x03\x1bABCDEFGH \n") for _ in range(5000)))
    with caplog.at_level(logging.WARNING):
        report = await poll(harness, folder_source(folder))
    assert report.articles_new == 0 and "dump.txt" in warnings(caplog) and "control bytes" in warnings(caplog)


async def test_collect_lists_every_file_even_after_a_poll(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.txt").write_text(filler(1), encoding="utf-8")
    src = folder_source(folder)
    await poll(harness, src)
    [article] = await harness.pipelines[-1].collect(src)
    assert article.text == filler(1)
