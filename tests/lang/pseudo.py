"""A pseudo-language pack made from the English one by data alone: every word of every English file gets
the prefix "zq" ("killed" -> "zqkilled", "Health" -> "Zqhealth", "UN" -> "ZQUN"), keys and `{placeholders}`
kept. Nothing of the bot's code is touched: the pack is a folder on the language search path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.core import langpack
from bot.core.models import fold

PREFIX = "zq"
CODE = "xx"
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")
_LETTERS = re.compile(r"[^\W\d_]+")
# Keys whose values are parts of words (endings, suffixes), not words.
_WORD_PARTS = {"reporting_endings", "adverb_suffixes", "participle_endings", "ordinal_suffixes", "plural_endings"}
# Mappings whose keys are the words and whose values are canonical names (tally.yaml).
_WORD_KEYS = {"institutions", "domains", "roles", "groups"}


def word(w: str) -> str:
    if len(w) > 1 and w.isupper():
        return PREFIX.upper() + w
    if w[:1].isupper():
        return PREFIX.capitalize() + w[:1].lower() + w[1:]
    return PREFIX + w


def text(s: str) -> str:
    """Every word of `s` made pseudo; `{placeholders}` kept."""
    parts = _PLACEHOLDER.split(s)
    return "".join(p if _PLACEHOLDER.fullmatch(p) else _LETTERS.sub(lambda m: word(m.group()), p) for p in parts)


def _convert(data: Any, key: str = "") -> Any:
    if isinstance(data, str):
        return data if key in _WORD_PARTS else text(data)
    if isinstance(data, list):
        return [_convert(v, key) for v in data]
    if isinstance(data, dict):
        if key in _WORD_KEYS:
            return {text(str(k)): v for k, v in data.items()}
        return {k: _convert(v, str(k)) for k, v in data.items()}
    return data


def vocabulary(data: Any) -> set[str]:
    """Folded words of every string in the data (the words the pack translates)."""
    if isinstance(data, str):
        return {fold(w) for w in _LETTERS.findall(data)}
    if isinstance(data, list):
        return set().union(*(vocabulary(v) for v in data)) if data else set()
    if isinstance(data, dict):
        return set().union(*(vocabulary(k) | vocabulary(v) for k, v in data.items())) if data else set()
    return set()


def build_pack(root: Path) -> set[str]:
    """Write the pack `xx` under `root`; the English vocabulary it replaced, folded."""
    english = langpack.pack_dir(langpack.FALLBACK)
    assert english is not None
    target = root / CODE
    target.mkdir(parents=True)
    known: set[str] = set()
    sources = {p.stem: p for p in english.glob("*.yaml")}
    lexicon = langpack.lexicon_path(langpack.FALLBACK)
    assert lexicon is not None
    sources["lexicon"] = lexicon
    for name, path in sources.items():
        # BaseLoader for the lexicon, as the extractor reads it ("no" stays a word)
        loader = yaml.BaseLoader if name == "lexicon" else yaml.SafeLoader
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        if name == "lexicon":
            data["lang"] = CODE
        if name != "glossary":
            known |= vocabulary(data)
        converted = _convert(data)
        if name == "glossary":  # entry keys name the shared entries: kept
            converted["column"] = {k: _convert(v) for k, v in data["column"].items()}
            known |= vocabulary(list(data["column"].values()))
        (target / f"{name}.yaml").write_text(yaml.safe_dump(converted, allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
    return known


def article_text(english: str, known: set[str], names: tuple[str, ...] = ()) -> str:
    """An English text in the pseudo-language: every lower-case word, and every capitalised one the English
    data knows ("The", "Monday"); other capitalised words, and the `names` (Tripoli, al-Mesmari), stay."""
    kept = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or r"(?!)")
    out, pos = [], 0
    for m in kept.finditer(english):
        out.append(_words_of(english[pos:m.start()], known))
        out.append(m.group())
        pos = m.end()
    out.append(_words_of(english[pos:], known))
    return "".join(out)


def _words_of(english: str, known: set[str]) -> str:
    return _LETTERS.sub(lambda m: word(m.group()) if m.group()[:1].islower() or fold(m.group()) in known
                        else m.group(), english)
