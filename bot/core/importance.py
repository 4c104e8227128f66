"""How much an alert or a story matters, from 0 to 10: orders digests and filters subscriptions.

Alert score = base for its type + context bonuses, capped at 10:

- casualty figures: 5, plus up to 3 for the size of the toll (log scale, wounded count half);
  +1.5 when the figure RISES above the highest one the story had before (+0.5 for a story's first figure);
- fighting: 3, plus 0.5–2 for the action (offensive and air strikes 2, clashes 1, unspecified 0.5);
  +1.5 when the PLACE IS NEW (no fighting reported there in the previous 14 days);
- statements: 2; +4 for heads of state or government (president, king, prime minister, …),
  +2 for ministers, UN officials, army chiefs and spokespeople;
- every extra outlet carrying the same fact: +0.3 (at most +2): a fact five outlets repeat is harder to miss.

Story score = its best alert's score + 0.25 per further alert (at most +1.5).

The score stored with an alert when it is extracted has no context (taken as a first figure, one outlet); the
scheduler scores it again in context once, and again only when what it depends on changes: its story gains an
alert or an outlet, is merged or split (`bot.service.subscriptions.rescore`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.core import langpack
from bot.core.models import Alert, Casualty, Fighting, fold

_ACTION_WEIGHT = {
    "offensive": 2.0, "airstrike": 2.0, "shelling": 1.5, "advance": 1.5, "resumed": 1.5, "clashes": 1.0,
    "withdrawal": 1.0, "ceasefire": 1.5, "halted": 1.0, "other": 0.5,
}


@dataclass(frozen=True, slots=True)
class RoleWords:
    """Role words of every language pack's `importance.yaml`, folded, matched on word starts."""

    heads: tuple[str, ...]  # heads of state or government
    senior: tuple[str, ...]  # other senior officials
    not_head: tuple[str, ...]  # "vice", "former": a head's title that does not make a head


@lru_cache(maxsize=1)
def role_words() -> RoleWords:
    def every(key: str) -> tuple[str, ...]:
        found = (str(w) for words in langpack.each("importance", key).values() for w in words or ())
        return tuple(dict.fromkeys(found))

    return RoleWords(every("heads"), every("senior"), every("not_head"))


langpack.on_reload(role_words.cache_clear)

CASUALTY_RISE_BONUS = 1.5
FIRST_FIGURE_BONUS = 0.5
NEW_PLACE_BONUS = 1.5
OUTLET_BONUS, OUTLET_BONUS_MAX = 0.3, 2.0


def toll(alert: Casualty) -> float:
    return (alert.killed or 0) + 0.5 * (alert.wounded or 0)


def _mentions(who: str, words: tuple[str, ...]) -> bool:
    return any(f" {w}" in who for w in words)


def speaker_rank(role: str | None, speaker: str | None) -> int:
    """2 for heads of state or government, 1 for other senior officials, 0 otherwise."""
    who = f" {fold(role)} {fold(speaker)} "
    # "vice president", "former president", "ex prime minister" are senior, not heads.
    words = role_words()
    head = _mentions(who, words.heads) and not _mentions(who, words.not_head)
    if head:
        return 2
    return 1 if _mentions(who, words.senior) or _mentions(who, words.heads) else 0


def importance(
    alert: Alert, *, outlets: int = 1, previous_max_toll: float | None = None, new_place: bool = False,
) -> float:
    """The alert's score. `previous_max_toll`: highest toll its story showed before (None: none yet).
    `new_place`: no fighting was reported at this place recently. Without context: the plain base score."""
    if isinstance(alert, Casualty):
        score = 5.0 + min(3.0, math.log10(1 + toll(alert)) * 1.5)
        if previous_max_toll is None:
            score += FIRST_FIGURE_BONUS
        elif toll(alert) > previous_max_toll:
            score += CASUALTY_RISE_BONUS
    elif isinstance(alert, Fighting):
        score = 3.0 + _ACTION_WEIGHT.get(alert.action, 0.5) + (NEW_PLACE_BONUS if new_place else 0.0)
    else:
        score = 2.0 + {2: 4.0, 1: 2.0, 0: 0.0}[speaker_rank(alert.speaker_role, alert.speaker)]
    score += min(OUTLET_BONUS_MAX, OUTLET_BONUS * max(0, outlets - 1))
    return round(min(10.0, score), 2)


def story_importance(scores: Iterable[float]) -> float:
    values = sorted(scores, reverse=True)
    if not values:
        return 0.0
    return round(min(10.0, values[0] + min(1.5, 0.25 * (len(values) - 1))), 2)
