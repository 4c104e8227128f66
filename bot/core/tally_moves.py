"""What a change alert says moved, in the reader's language (pure):
"+26 killed, was 21 on 8 April, health ministry"."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import t
from bot.core.tally import CasualtyChange
from bot.core.tally_sources import source_name, was_on


def source_label(key: str | None, reported_by: str | None, outlet: str | None, lang: str) -> str:
    """A source as the reader knows it: the canonical name of a body ("health ministry"), else the
    name as reported ("Ahmed al-Mesmari"), else the outlet whose own count it is."""
    if key and not key.startswith(("role:", "actor:")):
        named = source_name(key, lang)
        if named:
            return named
    return reported_by or outlet or t(lang, "article_itself")


def change_moves(changes: Sequence[CasualtyChange], lang: str) -> str:
    """"+26 killed, was 21 on 8 April, health ministry; +154 wounded, was 27": the first move names
    its date and whose figure it was; a later one its date only when it differs."""
    parts: list[str] = []
    for i, c in enumerate(changes):
        if i == 0:
            who = source_label(c.source_key, c.old_source, c.old_outlet, lang)
            parts.append(f"{c.delta:+d} {t(lang, c.measure)}, {was_on(str(c.old), c.old_date, lang)}, {who}")
        else:
            day = c.old_date if c.old_date != changes[0].old_date else None
            parts.append(f"{c.delta:+d} {t(lang, c.measure)}, {was_on(str(c.old), day, lang)}")
    return "; ".join(parts)
