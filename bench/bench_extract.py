"""Throughput and peak memory of the extractor.

    python bench/bench_extract.py [--seconds 5]

Runs the seed article (seeds/ in this repository) repeatedly, then the development gold set if it
is present beside the repository (../shared/eval/dev.gold.jsonl), read in place and never copied,
then one pass over the 97 long French audit pages (../shared/eval/audit/cltls-egypt-fr.jsonl; the
bar is 10 s in all) counting the articles that fail. Prints articles per second on one core and the
peak resident set size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.extract import extract_alerts  # noqa: E402
from bot.core.models import Article  # noqa: E402
from bot.ingest.files import read_articles  # noqa: E402

EVAL_DIRS = (ROOT.parent / "shared" / "eval", ROOT.parent.parent / "shared" / "eval")
DEV_CANDIDATES = tuple(d / "dev.gold.jsonl" for d in EVAL_DIRS)
LONG_FR_CANDIDATES = tuple(d / "audit" / "cltls-egypt-fr.jsonl" for d in EVAL_DIRS)


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def bench(name: str, articles: Sequence[Article], seconds: float) -> None:
    extract_alerts(articles[0])  # warm the lexicon and gazetteer caches
    done = 0
    chars = 0
    best = 0.0  # articles/s of the best one-second window: on a shared machine the mean says more
    t0 = time.perf_counter()  # about the neighbours than about the extractor
    while time.perf_counter() - t0 < seconds:
        w0, wdone = time.perf_counter(), 0
        while time.perf_counter() - w0 < 1.0:
            for art in articles:
                extract_alerts(art)
                done += 1
                wdone += 1
                chars += len(art.text)
        best = max(best, wdone / (time.perf_counter() - w0))
    elapsed = time.perf_counter() - t0
    print(f"{name:6} {done / elapsed:8.1f} articles/s mean, {best:8.1f} best 1-s window  "
          f"{chars / elapsed / 1e6:6.2f} MB/s  ({done} articles in {elapsed:.1f}s, {len(articles)} distinct)")


def one_pass(name: str, articles: Sequence[Article]) -> None:
    """Every article once, timed as a whole (the long pages are few and each one is slow)."""
    extract_alerts(articles[0])
    failed = 0
    t0 = time.perf_counter()
    for art in articles:
        try:
            extract_alerts(art)
        except Exception:  # counted: the bar is no failure
            failed += 1
    elapsed = time.perf_counter() - t0
    chars = sum(len(a.text) for a in articles)
    print(f"{name:6} {len(articles)} articles ({chars / 1e6:.2f} MB) in {elapsed:.2f}s, "
          f"{len(articles) / elapsed:.1f} articles/s, {failed} failed")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="time spent on each set")
    args = ap.parse_args(argv)
    seed = list(read_articles(ROOT / "seeds"))
    bench("seed", seed, args.seconds)
    dev = next((p for p in DEV_CANDIDATES if p.exists()), None)
    if dev is not None:
        bench("dev", list(read_articles(dev)), args.seconds)
    else:
        print("dev    (no ../shared/eval/dev.gold.jsonl here; skipped)")
    long_fr = next((p for p in LONG_FR_CANDIDATES if p.exists()), None)
    if long_fr is not None:
        one_pass("longfr", list(read_articles(long_fr)))
    else:
        print("longfr (no ../shared/eval/audit/cltls-egypt-fr.jsonl here; skipped)")
    print(f"peak RSS {peak_rss_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
