"""The toll chart: a real PNG of the fixed size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.chart import HEIGHT_PX, WIDTH_PX, png_size, toll_chart

D = dt.date


def ihdr(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def test_chart_is_png_of_fixed_size(tmp_path: Path) -> None:
    lines = [
        ("the article itself (killed)", [(D(2019, 4, 6), 35), (D(2019, 4, 7), 47), (D(2019, 4, 8), 45)]),
        ("Tripoli health ministry (killed)", [(D(2019, 4, 7), 21)]),
        ("Ahmed al-Mesmari (killed, soldats)", [(D(2019, 4, 7), 14)]),
    ]
    path = toll_chart(lines, tmp_path / "sub" / "toll.png", title="Bilans au fil du temps — Tripoli")
    assert ihdr(path) == (WIDTH_PX, HEIGHT_PX) == (800, 450)
    assert png_size(path) == (800, 450)


def test_png_size_refuses_other_files(tmp_path: Path) -> None:
    other = tmp_path / "x.png"
    other.write_bytes(b"GIF89a" + bytes(30))
    with pytest.raises(ValueError):
        png_size(other)
