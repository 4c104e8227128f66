"""A language pack's lexicon is read by the bot's own extractor: `python -m bot extract` over an article in
the pseudo-language (declared, or left for the bot to recognise) finds its figures, with no code change."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import PYTHON, ROOT
from tests.lang.pseudo import CODE, article_text, build_pack
from tests.lang.test_pseudo_language import NAMES, STORY, TITLE


def _extract(folder: Path, articles: list[dict[str, str]], *, with_pack: bool) -> list[dict[str, object]]:
    source = folder / "articles.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NEWSBOT_LANG_PATH", None)
    if with_pack:
        env["NEWSBOT_LANG_PATH"] = str(folder / "packs")
    done = subprocess.run([PYTHON, "-m", "bot", "extract", str(source)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_extract_finds_figures_in_a_pack_language_declared_or_recognised(tmp_path: Path) -> None:
    known = build_pack(tmp_path / "packs")
    text, title = article_text(STORY, known, NAMES), article_text(TITLE, known, NAMES)
    articles = [{"id": "declared", "lang": CODE, "title": title, "text": text, "published": "2019-04-08"},
                {"id": "recognised", "title": title, "text": text, "published": "2019-04-08"}]
    found = _extract(tmp_path, articles, with_pack=True)
    for article_id in ("declared", "recognised"):
        casualties = [a for a in found if a.get("article_id") == article_id and a.get("type") == "casualty"]
        assert [(c["killed"], c["wounded"]) for c in casualties] == [(21, 27)], found
    # Without the pack on the search path the same words are unknown: no figure is read from them.
    without = _extract(tmp_path, articles, with_pack=False)
    assert not [a for a in without if a.get("type") == "casualty"], without
