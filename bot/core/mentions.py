"""What an alert mentions: the one rule behind `latest X` / `statements X` / `fighting X` and keyword
subscriptions (`subscribe keyword X`), so a reader's word finds the same alerts everywhere.

A term names an alert when one of its forms (the term and its glossary equivalents in the other
languages: Libya, Libye) appears, as whole words, accent- and case-insensitively, in the alert's own
words (who spoke or reported, where, which actors, the quote, the victims) or in the sentence it was
read from. Listings also look at the alert's context (article title, source tags, story), given here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from bot.core.models import Alert, Fighting, Statement, fold
from bot.core.translate import equivalents


def own_words(alert: Alert) -> tuple[str | None, ...]:
    """The alert's own words a reader may look it up by: who, where, with whom, what was said."""
    if isinstance(alert, Statement):
        return (alert.speaker, alert.speaker_role, alert.quote)
    if isinstance(alert, Fighting):
        place = alert.place
        return (alert.location, *alert.actors, place.name if place else None, place.country if place else None)
    return (alert.reported_by, alert.location, alert.victims)


def forms_of(term: str) -> list[str]:
    """The folded forms a term is looked for under: itself and its glossary equivalents."""
    return [form for form in equivalents(term) if form]


def names(text: str | None, forms: Iterable[str]) -> bool:
    """`text` names one of the (folded) forms, as whole words."""
    if not text:
        return False
    hay = _padded_fold(text)
    return any(f" {form} " in hay for form in forms)


# Folded texts remembered: a filtered listing looks at the newest thousand alerts each time, and folding
# their texts was most of its cost; the texts themselves never change. Bounded, for memory.
@lru_cache(maxsize=50_000)
def _padded_fold(text: str) -> str:
    return f" {fold(text)} "


def alert_mentions(alert: Alert, term: str, *, own_only: bool = False,
                   context: Iterable[str | None] = ()) -> bool:
    """Does the alert concern `term`? Its own words first; unless `own_only`, the sentence it was read
    from and the `context` given (article title, source tags, story title and topic) too."""
    forms = forms_of(term)
    if not forms:
        return False
    if any(names(x, forms) for x in own_words(alert)):
        return True
    if own_only:
        return False
    return names(alert.evidence, forms) or any(names(x, forms) for x in context)
