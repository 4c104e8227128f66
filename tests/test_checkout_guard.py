"""The guard in tests/conftest.py that fails a run which wrote into the checkout, on a folder of its own."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import checkout_files


def test_the_guard_sees_new_changed_and_removed_files_and_folders_but_not_caches(tmp_path: Path) -> None:
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "a.py").write_text("x")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "s.txt").write_text("seed")
    before = checkout_files(tmp_path)
    assert set(before) == {"bot/", "bot/a.py", "seeds/", "seeds/s.txt"}

    for cache in ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".venv", ".git"):
        (tmp_path / "bot" / cache).mkdir()
        (tmp_path / "bot" / cache / "x").write_text("cached")
    assert checkout_files(tmp_path) == before

    (tmp_path / "data" / "charts").mkdir(parents=True)
    (tmp_path / "bot" / "a.py").write_text("xy")
    (tmp_path / "seeds" / "s.txt").unlink()
    after = checkout_files(tmp_path)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == {"data/", "data/charts/", "bot/a.py", "seeds/s.txt"}
