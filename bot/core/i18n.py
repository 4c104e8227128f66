"""Words the bot itself writes, per reader language: the `ui.yaml` of each language pack.

Adding a language is adding a pack folder (see bot/core/langpack.py); nothing here names a language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.core import langpack


def languages() -> tuple[str, ...]:
    """The languages the bot can write: one per language pack found (bot/core/langpack.py)."""
    return langpack.languages()


def strings(lang: str) -> dict[str, str]:
    """The strings of one pack's `ui.yaml` ({} for an unknown language)."""
    return langpack.section(lang, "ui").get("strings") or {}


def label(lang: str, key: str) -> str:
    """"Source: " or, with French spacing, "Source : "."""
    return t(lang, key) + t(lang, "colon")


ECHO_MAX = 80  # characters of a reader's own text the bot repeats back


def echo(text: str, limit: int = ECHO_MAX) -> str:
    """A reader's text as the bot repeats it: on one line and cut with a marker, so a 20,000-character
    command is never sent back whole (nor pushes a reply over a chat's size limit)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class _Table:
    texts: dict[str, str]  # the pack's strings over English ones (a key it lacks or leaves empty: English)
    plural_keys: frozenset[str]  # keys with _one/_other forms
    singular: frozenset[int]  # counts that take the singular: French says "0 alerte", English "0 alerts"


@lru_cache(maxsize=64)
def _table(lang: str) -> _Table:
    """One language's strings, merged once: `t` is called for every word of every alert and digest line."""
    own, fallback = strings(lang), strings(langpack.FALLBACK)
    texts = {key: own.get(key) or fallback.get(key) or "" for key in {*fallback, *own}}
    plural = frozenset(key[:-4] for key in fallback if key.endswith("_one"))
    singular = frozenset(int(n) for n in langpack.value(lang, "ui", "singular") or (1,))
    return _Table(texts, plural, singular)


langpack.on_reload(_table.cache_clear)


def t(lang: str, key: str, **values: object) -> str:
    """The text of `key` in `lang` (English when missing). With an integer `n` and a `key_one`/`key_other`
    pair, the form that agrees with `n`."""
    table = _table(lang)
    n = values.get("n")
    if isinstance(n, int) and key in table.plural_keys:
        key += "_one" if n in table.singular else "_other"
    text = table.texts.get(key)
    if text is None:
        # A language this pack has no name for is named by its own pack; any other key is shown as it is.
        text = language_name(key[5:]) if key.startswith("lang_") and key[5:] in languages() else key
    return text.format(**values) if values else text


def language_name(lang: str) -> str:
    """A language as it names itself ("English", "français"), from its pack."""
    return str(langpack.section(lang, "ui").get("name") or lang)
