"""Local file safeguards: peak memory and time of a folder poll holding a 200 MB file, and of a
folder polled twice (the second poll reads nothing that did not change).

Each case runs in a child process (peak resident memory is the child's own `ru_maxrss`), with a
no-op extractor so only reading is measured, over generated files in a temporary folder:

- `empty`: an empty folder (the baseline: interpreter, imports, database);
- `txt-200mb`: one 200 MB .txt beside a small article (refused from its size, never read);
- `jsonl-200mb-line`: a .jsonl whose second line is 200 MB (that line is skipped, the others read);
- `folder-twice`: 2,000 .txt articles, polled twice (wall time of each poll).

    .venv/bin/python bench/bench_files.py [--mb 200] [--files 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, article_text, print_header, row  # first: repo root on sys.path


def make_case(case: str, folder: Path, mb: int, files: int) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(5)
    if case == "txt-200mb":
        (folder / "small.txt").write_text(article_text(rng, "fr")[1], encoding="utf-8")
        block = ("".join(article_text(rng, "fr")[1] for _ in range(20)) + "\n").encode()
        with (folder / "huge.txt").open("wb") as f:
            while f.tell() < mb * 1_000_000:
                f.write(block)
    elif case == "jsonl-200mb-line":
        with (folder / "batch.jsonl").open("w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "a", "text": article_text(rng, "fr")[1]}) + "\n")
            f.write('{"id": "huge", "text": "')
            chunk = "mot " * 250_000
            for _ in range(mb):
                f.write(chunk)
            f.write('"}\n')
            f.write(json.dumps({"id": "c", "text": article_text(rng, "en")[1]}) + "\n")
    elif case == "folder-twice":
        for i in range(files):
            (folder / f"a{i:05d}.txt").write_text(article_text(rng, "fr" if i % 2 else "en")[1], encoding="utf-8")


async def poll(folder: Path, db: Path, times: int) -> list[tuple[float, int]]:
    from bot.config import Config, FetchConfig, SourceConfig
    from bot.service.pipeline import Pipeline, RunReport
    from bot.store import Store

    url = f"sqlite:///{db}"
    source = SourceConfig(name="drop", type="folder", path=str(folder), lang="fr")
    config = Config(path="bench.yaml", database=url, sources=(source,), fetch=FetchConfig(), channels=())
    store = Store.open(url)
    pipeline = Pipeline(config, store, {}, extractor=lambda a: [])
    out = []
    try:
        for _ in range(times):
            report = RunReport()
            start = time.perf_counter()
            await pipeline.poll(source, report)
            out.append((time.perf_counter() - start, report.articles_new))
    finally:
        await pipeline.fetcher.aclose()
        store.close()
    return out


def child(folder: Path, db: Path, times: int) -> None:
    polls = asyncio.run(poll(folder, db, times))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"polls": polls, "peak_mib": peak_mib}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200, help="size of the big file (MB)")
    parser.add_argument("--files", type=int, default=2000, help="files in the folder polled twice")
    parser.add_argument("--child", nargs=3, metavar=("FOLDER", "DB", "TIMES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), int(args.child[2]))
        return
    print_header("Local files: a big file, a folder polled twice", {"big file MB": args.mb, "files": args.files})
    for case, times in (("empty", 1), ("txt-200mb", 1), ("jsonl-200mb-line", 1), ("folder-twice", 2)):
        with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
            folder = Path(tmp) / "drop"
            make_case(case, folder, args.mb, args.files)
            size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            proc = subprocess.run([sys.executable, __file__, "--child", str(folder), str(Path(tmp) / "bot.db"),
                                   str(times)], cwd=ROOT, capture_output=True, text=True, check=True)
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            polls = ", ".join(f"{s:.2f} s / {n} new" for s, n in result["polls"])
            row(case, f"{size / 1e6:.0f} MB on disk; peak RSS {result['peak_mib']:.0f} MiB; polls: {polls}")


if __name__ == "__main__":
    main()
