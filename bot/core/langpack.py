"""Language packs: every word of a language, as data. Adding a language is adding a folder.

A pack is a folder named after the language code (`en`, `fr`, `xx`) holding YAML files, one per domain:

- `ui.yaml`         what the bot writes: alert, digest, answer and command reply strings, plural rule
- `commands.yaml`   command help, parser messages, and the words readers may type (aliases, kinds, types)
- `questions.yaml`  follow-up questions: words that tell the language, grammar words, small talk, intents
- `tally.yaml`      sources, populations, roles and parties of casualty figures; change-alert phrases
- `importance.yaml` role words that make a statement important (heads of state, senior officials)
- `glossary.yaml`   the language's column of the shared glossary (`bot/core/data/glossary.yaml`)
- `lexicon.yaml`    the extraction lexicon (the built-in languages keep theirs in `bot/core/extract/lexicons/`)

Packs are looked up along a search path: the folders of `NEWSBOT_LANG_PATH` (separated like PATH), or of
`use_path()`, then the built-in `bot/core/data/lang/`. The first folder that has a language wins; a missing
file or key falls back to English. The languages are the packs found, never a list in code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PATH_ENV = "NEWSBOT_LANG_PATH"
BUILTIN = Path(__file__).with_name("data") / "lang"
BUILTIN_LEXICONS = Path(__file__).with_name("extract") / "lexicons"
FALLBACK = "en"  # the language whose words stand in for a key another pack lacks
MARKER = "ui.yaml"  # a folder is a pack when it holds this file

_explicit: tuple[Path, ...] | None = None
_on_reload: list[Callable[[], None]] = []


def use_path(folders: Iterable[str | Path] | None) -> None:
    """Look for packs in these folders before the built-in ones (None: back to `NEWSBOT_LANG_PATH`)."""
    global _explicit
    _explicit = None if folders is None else tuple(Path(f) for f in folders)
    reload()


def on_reload(clear: Callable[[], None]) -> Callable[[], None]:
    """Register a cache of words read from packs, cleared when the search path changes."""
    _on_reload.append(clear)
    return clear


def reload() -> None:
    for clear in (search_path.cache_clear, languages.cache_clear, section.cache_clear,
                  plural_endings.cache_clear,
                  *_on_reload):
        clear()


@cache
def search_path() -> tuple[Path, ...]:
    extra = _explicit if _explicit is not None else tuple(
        Path(p) for p in os.environ.get(PATH_ENV, "").split(os.pathsep) if p)
    return (*extra, BUILTIN)


@cache
def languages() -> tuple[str, ...]:
    """The language codes of every pack found, sorted."""
    found = {d.name for folder in search_path() if folder.is_dir() for d in folder.iterdir()
             if (d / MARKER).is_file()}
    return tuple(sorted(found))


def pack_dir(lang: str) -> Path | None:
    for folder in search_path():
        if (folder / lang / MARKER).is_file():
            return folder / lang
    return None


@cache
def section(lang: str, name: str) -> dict[str, Any]:
    """The mapping of one file of a pack ({} when the language or the file is missing)."""
    folder = pack_dir(lang)
    path = folder / f"{name}.yaml" if folder is not None else None
    if path is None or not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


def value(lang: str, name: str, key: str) -> Any:
    """One key of a pack's file, the English pack's when this one lacks it."""
    for code in (lang, FALLBACK):
        found = section(code, name).get(key)
        if found is not None:
            return found
    return None


def each(name: str, key: str) -> dict[str, Any]:
    """One key of a file, from every pack that has it: language -> value."""
    return {lang: v for lang in languages() if (v := section(lang, name).get(key)) is not None}


@cache
def plural_endings() -> tuple[str, ...]:
    """Endings a plural adds to a folded word, in any pack's language (`plural_endings` of `ui.yaml`)."""
    found = (str(e) for endings in each("ui", "plural_endings").values() for e in endings or ())
    return tuple(dict.fromkeys(found))


def singular_of(word: str) -> str:
    """A folded word without its plural ending ("soldiers" -> "soldier"); words of 3 letters or fewer as they are."""
    if len(word) > 3:
        for ending in plural_endings():
            if word.endswith(ending) and len(word) > len(ending):
                return word[: -len(ending)]
    return word


def lexicon_path(lang: str) -> Path | None:
    """The extraction lexicon of a pack: its own `lexicon.yaml`, else the built-in `extract/lexicons/XX.yaml`."""
    folder = pack_dir(lang)
    if folder is not None and (folder / "lexicon.yaml").is_file():
        return folder / "lexicon.yaml"
    builtin = BUILTIN_LEXICONS / f"{lang}.yaml"
    return builtin if builtin.is_file() else None
