"""The ingest progress bar: drawn for long runs, finished on its own line, not redrawn per article."""

from __future__ import annotations

import io

from bot.cli.progress import ProgressBar


def test_a_long_run_is_drawn_a_few_times_not_once_per_article() -> None:
    out = io.StringIO()
    bar = ProgressBar(10_000, out, label="articles.jsonl")
    for _ in range(10_000):
        bar.step()
    text = out.getvalue()
    assert text.endswith("] 10000/10000 articles.jsonl\n")
    assert text.count("\r") < 200  # one redraw per article would be 10,000 terminal writes


def test_steps_past_the_end_do_not_overcount() -> None:
    out = io.StringIO()
    bar = ProgressBar(25, out, label="sources")
    bar.step(20)
    bar.step(10)
    bar.step()
    assert bar.done == 25 and out.getvalue().endswith("] 25/25 sources\n")
