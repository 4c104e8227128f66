"""How packs are found and completed: a folder on the search path is a language, a pack may shadow a
built-in one, and what a pack lacks is said in English rather than as a raw key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import commands, langpack
from bot.core.answers import detect_lang
from bot.core.i18n import languages, t


@pytest.fixture
def search(tmp_path: Path) -> Iterator[Path]:
    langpack.use_path([tmp_path])
    try:
        yield tmp_path
    finally:
        langpack.use_path(None)


def _pack(root: Path, lang: str, **files: str) -> None:
    (root / lang).mkdir()
    for name, text in files.items():
        (root / lang / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_a_folder_without_ui_strings_is_not_a_language(search: Path) -> None:
    _pack(search, "de", commands="aliases: {latest: [neueste]}\n")
    langpack.reload()
    assert "de" not in languages()
    assert commands.parse("neueste") != commands.Latest()


def test_a_small_pack_falls_back_to_english_for_what_it_lacks(search: Path) -> None:
    _pack(search, "de", ui="name: Deutsch\nsingular: [1]\nstrings: {killed: getötet}\n",
          questions="words: wer wie viele getötet\nletters: äöüß\n",
          commands="aliases: {latest: [neueste]}\nmessages: {unknown: 'Unbekannter Befehl `{word}`.'}\n")
    langpack.reload()
    assert "de" in languages()
    assert t("de", "killed") == "getötet" and t("de", "wounded") == "wounded"
    assert t("de", "ans_alert_count", n=2) == "2 alerts"
    assert t("en", "lang_de") == "Deutsch" and t("fr", "lang_de") == "Deutsch"  # its own name, until named
    assert detect_lang("Wie viele getötet?") == "de"
    assert commands.parse("neueste", "de") == commands.Latest()
    error = commands.parse("lastest", "de")
    assert isinstance(error, commands.ParseError)
    assert error.message == "Unbekannter Befehl `lastest`. Did you mean `latest`?"


def test_a_pack_on_the_path_shadows_the_built_in_one(search: Path) -> None:
    english = langpack.pack_dir("en")
    assert english is not None
    _pack(search, "en", ui=(english / "ui.yaml").read_text(encoding="utf-8").replace("Casualty figures", "Tolls"))
    langpack.reload()
    assert t("en", "section_casualty") == "Tolls"
    langpack.use_path(None)
    assert t("en", "section_casualty") == "Casualty figures"
