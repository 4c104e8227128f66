"""`python -m bot run --once` against `python -m bot extract` over the same 1,000 articles, on one core.

The articles are generated (seeded, half English, half French, each distinct: `bench_run_memory`'s
generator) into one .jsonl file. Both commands run as child processes pinned to one core
(`taskset -c CORE`, when present): `extract --all FILE` (every alert, printed as JSON lines to a file)
and `run --once` with a config whose only source is a `folder` over the same file, a fresh SQLite
file and the console output (alerts and digest written to a file). Each is run `--runs` times,
alternately; the best wall time of each is kept (on a shared machine the best says most about the
code). The bar of issue 15: run --once <= 2 x extract.

    .venv/bin/python bench/bench_run_ratio.py                  # 1,000 articles, 3 runs each
    .venv/bin/python bench/bench_run_ratio.py --profile 25     # + where run --once spends its time
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _common import ROOT, byte_compiled, peak_rss_kib, print_header, row  # first: repo root on sys.path
from bench_run_memory import write_articles


def pinned(core: int, cmd: list[str]) -> list[str]:
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(core), *cmd] if taskset else cmd


def timed(cmd: list[str], out: Path) -> float:
    # Run from the temporary folder (charts go to ./data/charts), the checkout on the import path.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with out.open("wb") as sink:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=out.parent, env=env, stdout=sink, stderr=subprocess.PIPE, check=False)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").splitlines()[-10:]
        raise SystemExit(f"{cmd[-4:]} exited {proc.returncode}:\n" + "\n".join(tail))
    return wall


def run_config(tmp: Path, articles: Path, db: Path) -> Path:
    config = {
        "database": f"sqlite:///{db}",
        "sources": [{"name": "bench", "type": "folder", "path": str(articles), "lang": "en", "tags": ["bench"]}],
        "outputs": {"console": {"enabled": True, "color": "never"}},
    }
    path = tmp / f"{db.stem}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def in_process(config_path: Path, out: Path, core: int, top: int) -> None:
    """One `run --once` in this process, pinned to `core`: the wall time of each phase of `run_once`
    (bot/service/app.py), and a profile of the ingestion's own thread work (`Pipeline._store_entry`:
    extraction and filing; cProfile sees one thread, so it is enabled inside the worker thread)."""
    import asyncio
    import cProfile
    import functools
    from collections.abc import Callable
    from typing import Any

    from bot.config import load_config
    from bot.service import app as app_mod
    from bot.service import pipeline as pipeline_mod
    from bot.service import scheduler as scheduler_mod

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})
    phases: dict[str, float] = {}
    peaks: dict[str, int] = {}  # this process's peak RSS when the phase ended
    prof = cProfile.Profile()

    def timed_async(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - t0
                peaks[label] = peak_rss_kib()
        return wrapper

    def timed_sync(label: str, fn: Callable[..., Any], profile: bool = False) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            if profile:
                prof.enable()
            try:
                return fn(*args, **kwargs)
            finally:
                if profile:
                    prof.disable()
                phases[label] = phases.get(label, 0.0) + time.perf_counter() - t0
        return wrapper

    P = pipeline_mod.Pipeline
    P.ingest_all = timed_async("ingest_all: read, extract, file", P.ingest_all)  # type: ignore[method-assign]
    P._store_entry = timed_sync("  articles filed (thread work)", P._store_entry, profile=top > 0)  # type: ignore
    init = P.__init__

    def timed_init(self: Any, *args: Any, **kwargs: Any) -> None:  # the extractor each pipeline is given
        init(self, *args, **kwargs)
        self.extractor = timed_sync("    of which extraction", self.extractor)

    P.__init__ = timed_init  # type: ignore[method-assign]
    S = scheduler_mod.BotScheduler
    S.deliver = timed_async("deliver: alerts to the console", S.deliver)  # type: ignore[method-assign]
    P.send_digest = timed_async("send_digest: the console digest", P.send_digest)  # type: ignore
    config = load_config(config_path)
    os.chdir(out.parent)  # charts go to ./data/charts: the temporary folder, not the checkout
    with out.open("w", encoding="utf-8") as sink:
        t0 = time.perf_counter()
        asyncio.run(app_mod.run_once(config, out=sink))
        wall = time.perf_counter() - t0
    print(f"-- run --once in this process (phases timed; thread work profiled): {wall:.2f} s")
    for label, seconds in phases.items():
        peak = f", peak RSS {peaks[label] / 1024:.0f} MiB at its end" if label in peaks else ""
        row(label, f"{seconds:.2f} s ({seconds / wall:.0%}){peak}")
    if top > 0:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=1000, help="number of articles (default %(default)s)")
    p.add_argument("--runs", type=int, default=3, help="runs of each command, best kept (default %(default)s)")
    p.add_argument("--core", type=int, default=0, help="the core both commands are pinned to (default %(default)s)")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="then one run --once in this process: each phase's time, and the N costliest "
                   "functions of the articles' filing (cProfile; 0: no profile, -1: phases only)")
    args = p.parse_args()
    print_header("run --once against extract, same articles, one core", vars(args))
    byte_compiled()  # both commands load compiled modules, as installed
    with tempfile.TemporaryDirectory(prefix="bench-ratio-") as tmp_name:
        tmp = Path(tmp_name)
        size = write_articles(tmp / "articles", args.articles, "jsonl")
        jsonl = tmp / "articles" / "articles.jsonl"
        extract_cmd = pinned(args.core, [sys.executable, "-m", "bot", "extract", "--all", str(jsonl)])
        extracts: list[float] = []
        runs: list[float] = []
        for i in range(args.runs):
            extracts.append(timed(extract_cmd, tmp / "extract.out"))
            config = run_config(tmp, tmp / "articles", tmp / f"run{i}.db")
            runs.append(timed(pinned(args.core, [sys.executable, "-m", "bot", "run", "--once", "-c", str(config)]),
                              tmp / "run.out"))
        if args.runs:
            alerts = sum(1 for _ in (tmp / "extract.out").open(encoding="utf-8"))
            delivered = sum(1 for line in (tmp / "run.out").open(encoding="utf-8") if line.strip())
            print(f"-- {args.articles} articles ({size / 1e6:.1f} MB), {alerts} alerts extracted (--all), "
                  f"{delivered} lines of console output")
            row("extract, each run", ", ".join(f"{x:.2f} s" for x in extracts))
            row("run --once, each run", ", ".join(f"{x:.2f} s" for x in runs))
            best_e, best_r = min(extracts), min(runs)
            row("extract (best)", f"{best_e:.2f} s, {args.articles / best_e:.1f} articles/s")
            row("run --once (best)", f"{best_r:.2f} s, {args.articles / best_r:.1f} articles/s")
            row("ratio run --once / extract (best)", f"{best_r / best_e:.2f} (bar: <= 2)")
        if args.profile:
            config = run_config(tmp, tmp / "articles", tmp / "profiled.db")
            in_process(config, tmp / "run.out", args.core, args.profile)

if __name__ == "__main__":
    main()
