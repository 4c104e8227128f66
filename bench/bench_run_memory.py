"""Memory and wall time of `python -m bot run --once` over a folder source of 10,000 articles.

Articles are generated (seeded, English and French, each distinct) into a temporary folder, as one
.jsonl file (default) or one .txt file per article; a temporary config points a `folder` source at
it, with a temporary SQLite database and the console output (its digest goes to a file). The run is a
child process; its peak resident memory comes from `/usr/bin/time -v` when present, otherwise from
`getrusage(RUSAGE_CHILDREN)` of this process (which waits for nothing else big).

    /work/venv/bin/python bench/bench_run_memory.py                       # 10,000 articles
    /work/venv/bin/python bench/bench_run_memory.py --articles 1000,2000  # several sizes, one after another
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _common import ROOT, article_text, byte_compiled, print_header, row  # first: repo root on sys.path


def write_articles(folder: Path, n: int, fmt: str, seed: int = 11) -> int:
    """Write `n` generated articles; returns the bytes written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    size = 0
    if fmt == "jsonl":
        with (folder / "articles.jsonl").open("w", encoding="utf-8") as out:
            for i in range(n):
                lang = "fr" if i % 2 else "en"
                title, text = article_text(rng, lang)
                line = json.dumps({"id": f"a{i:06d}", "title": title, "text": text, "lang": lang,
                                   "published": f"2026-11-{1 + i % 26:02d}", "source": "bench"}, ensure_ascii=False)
                size += out.write(line + "\n")
        return size
    for i in range(n):
        lang = "fr" if i % 2 else "en"
        title, text = article_text(rng, lang)
        size += (folder / f"a{i:06d}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return size


def parse_time_v(text: str) -> tuple[int | None, float | None]:
    """(peak RSS KiB, elapsed seconds) from GNU time -v output."""
    rss = wall = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size (kbytes):"):
            rss = int(line.rsplit(":", 1)[1])
        elif line.startswith("Elapsed (wall clock) time"):
            value = line.split("):", 1)[1].strip()
            parts = [float(x) for x in value.split(":")]
            wall = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    return rss, wall


def run_one(n: int, fmt: str, timeout: float, keep_log: bool, profile: int = 0) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        size = write_articles(tmp / "articles", n, fmt)
        gen_s = time.perf_counter() - t0
        config = {
            "database": f"sqlite:///{tmp / 'bot.db'}",
            "sources": [{"name": "bench", "type": "folder", "path": str(tmp / "articles"), "lang": "en",
                         "tags": ["bench"]}],
            "outputs": {"console": {"enabled": True, "color": "never"}},
        }
        config_path = tmp / "bot.yaml"
        config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
        prof_path = tmp / "run.prof"
        # With --profile the run is slower and its memory includes cProfile's: for finding where time goes.
        prof = ["-m", "cProfile", "-o", str(prof_path)] if profile else []
        cmd = [sys.executable, *prof, "-m", "bot", "run", "--once", "-c", str(config_path)]
        gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
        wrapped = [gnu_time, "-v", *cmd] if gnu_time else cmd
        out_path = tmp / "stdout.txt"
        with out_path.open("wb") as out:
            t0 = time.perf_counter()
            try:
                # From the temporary folder (charts go to ./data/charts), the checkout on the import path.
                env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
                proc = subprocess.run(wrapped, cwd=tmp, env=env, stdout=out, stderr=subprocess.PIPE,
                                      timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                print(f"-- {n} articles: run did not finish within {timeout:g} s (killed)")
                return
            wall = time.perf_counter() - t0
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        err = proc.stderr.decode("utf-8", "replace")
        rss, _ = parse_time_v(err) if gnu_time else (None, None)
        summary = [line for line in err.splitlines() if "new article" in line]
        print(f"-- {n} articles ({fmt}, {size / 1e6:.1f} MB of text, generated in {gen_s:.1f} s)")
        row("exit code", str(proc.returncode))
        row("wall time", f"{wall:.1f} s")
        row("articles/s", f"{n / wall:.1f}")
        if rss is not None:
            row("peak RSS (/usr/bin/time -v)", f"{rss / 1024:.0f} MiB")
        row("peak RSS of children (getrusage)", f"{usage.ru_maxrss / 1024:.0f} MiB")
        row("run's own summary", summary[-1].strip() if summary else "(none)")
        row("database size", f"{(tmp / 'bot.db').stat().st_size / 1e6:.1f} MB (+ WAL)")
        if profile and prof_path.exists():
            pstats.Stats(str(prof_path)).sort_stats("cumulative").print_stats(profile)
        if proc.returncode != 0 or keep_log:
            tail = [line for line in err.splitlines() if not line.startswith("\t")][-15:]
            print("   stderr (last lines):\n      " + "\n      ".join(tail))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", default="10000", help="number of articles, or several comma-separated "
                   "(run one after another; default %(default)s)")
    p.add_argument("--format", choices=("jsonl", "files"), default="jsonl",
                   help="one .jsonl file or one .txt file per article (default %(default)s)")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds before a run is killed "
                   "(default %(default)s)")
    p.add_argument("--show-log", action="store_true", help="print the end of the run's stderr")
    p.add_argument("--profile", type=int, default=0, metavar="N", help="run under cProfile and print its N "
                   "costliest functions (cumulative); times and memory then include the profiler")
    args = p.parse_args()
    sizes = [int(x) for x in args.articles.split(",") if x.strip()]
    print_header("run --once: peak memory and wall time over a folder source", vars(args))
    byte_compiled()
    for n in sizes:
        run_one(n, args.format, args.timeout, args.show_log, args.profile)


if __name__ == "__main__":
    main()
