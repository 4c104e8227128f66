"""The progress bar of long CLI commands (`ingest` of a big file, `--all-sources`)."""

from __future__ import annotations

from typing import TextIO

from tqdm import tqdm

PROGRESS_MIN_ITEMS = 20


class ProgressBar:
    """A text bar on stderr, drawn only when it is a terminal or the run is long.

    tqdm draws it: redraws are throttled (one write per 0.1 s, not one per article) and the bar is
    closed properly; the look is today's, `[####....] 12/30 label`.
    """

    def __init__(self, total: int, stream: TextIO, *, label: str = "", width: int = 30) -> None:
        self.total = total
        isatty = getattr(stream, "isatty", None)
        self.enabled = total > 0 and (bool(isatty and isatty()) or total > PROGRESS_MIN_ITEMS)
        self._bar = tqdm(total=total, file=stream, desc=label[:80], disable=not self.enabled, ascii=".#",
                         bar_format=f"[{{bar:{width}}}] {{n_fmt}}/{{total_fmt}} {{desc}}", mininterval=0.1)

    @property
    def done(self) -> int:
        return int(self._bar.n)

    def step(self, n: int = 1) -> None:
        self._bar.update(min(n, self.total - self.done))
        if self.done >= self.total:
            self._bar.close()
