"""Words the bot itself writes, per reader language: the `ui.yaml` of each language pack.

Adding a language is adding a pack folder (see bot/core/langpack.py); nothing here names a language.
"""

from __future__ import annotations

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


def _singular(lang: str) -> frozenset[int]:
    """Which counts take a word's singular form: French says "0 alerte", English "0 alerts"."""
    return frozenset(int(n) for n in langpack.value(lang, "ui", "singular") or (1,))


def t(lang: str, key: str, **values: object) -> str:
    """The text of `key` in `lang` (English when missing). With an integer `n` and a `key_one`/`key_other`
    pair, the form that agrees with `n`."""
    table = strings(lang)
    fallback = strings(langpack.FALLBACK)
    n = values.get("n")
    if isinstance(n, int) and f"{key}_one" in fallback:
        key += "_one" if n in _singular(lang) else "_other"
    text = table.get(key) or fallback.get(key)
    if text is None:
        # A language this pack has no name for is named by its own pack; any other key is shown as it is.
        text = language_name(key[5:]) if key.startswith("lang_") and key[5:] in languages() else key
    return text.format(**values) if values else text


def language_name(lang: str) -> str:
    """A language as it names itself ("English", "français"), from its pack."""
    return str(langpack.section(lang, "ui").get("name") or lang)
