"""A toll over time, one line per source, as a PNG of fixed size for chat adapters to attach.

Drawn with matplotlib's Agg backend (no display needed), 800x450 px at 100 dpi. The size is fixed:
no tight bounding box, so every chat shows it the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

WIDTH_PX, HEIGHT_PX, DPI = 800, 450, 100

ChartLine = tuple[str, Sequence[tuple[dt.date, int]]]


def toll_chart(lines: Sequence[ChartLine], path: Path | str, *, title: str, ylabel: str = "") -> Path:
    """Draw each (label, [(date, value), …]) line as steps over time; write the PNG to `path`."""
    import matplotlib.dates
    import matplotlib.pyplot as plt

    mdates: Any = matplotlib.dates  # untyped in places

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    try:
        for label, points in lines:
            if not points:
                continue
            xs: Any = [dt.datetime.combine(d, dt.time()) for d, _ in points]
            ys = [v for _, v in points]
            ax.step(xs, ys, where="post", marker="o", label=label)
            ax.annotate(str(ys[-1]), (xs[-1], ys[-1]), textcoords="offset points", xytext=(4, 4), fontsize=8)
        ax.set_title(title[:90], fontsize=11)
        if ylabel:
            ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        days = {d for _, points in lines for d, _ in points}
        span = (max(days) - min(days)).days if days else 0
        # Figures are dated by day: ticks on whole days, never twice the same label.
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, span // 7 + (1 if span % 7 else 0)))
                                   if span <= 60 else mdates.AutoDateLocator(maxticks=8))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        fig.autofmt_xdate()
        if any(points for _, points in lines):
            ax.legend(loc="upper left", fontsize=8)
        fig.savefig(out, format="png", dpi=DPI)
    finally:
        plt.close(fig)
    return out


def png_size(path: Path | str) -> tuple[int, int]:
    """Width and height read from a PNG's IHDR header (raises ValueError when it is no PNG)."""
    head = Path(path).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
