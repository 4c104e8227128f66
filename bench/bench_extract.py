"""Throughput and peak memory of the extractor.

    python bench/bench_extract.py [--seconds 5]

Runs the seed article (seeds/ in this repository) repeatedly, then the development gold set if it
is present beside the repository (../shared/eval/dev.gold.jsonl), read in place and never copied.
Prints articles per second on one core and the peak resident set size.
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

DEV_CANDIDATES = (ROOT.parent / "shared" / "eval" / "dev.gold.jsonl",
                  ROOT.parent.parent / "shared" / "eval" / "dev.gold.jsonl")


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def bench(name: str, articles: Sequence[Article], seconds: float) -> None:
    extract_alerts(articles[0])  # warm the lexicon and gazetteer caches
    done = 0
    chars = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for art in articles:
            extract_alerts(art)
            done += 1
            chars += len(art.text)
    elapsed = time.perf_counter() - t0
    print(f"{name:6} {done / elapsed:8.1f} articles/s  {chars / elapsed / 1e6:6.2f} MB/s  "
          f"({done} articles in {elapsed:.1f}s, {len(articles)} distinct)")


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
    print(f"peak RSS {peak_rss_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
