"""How sure the extractor is of an alert, and whether it is pushed to chats.

Every alert carries a `confidence` in [0, 1] computed from the evidence it was read from (see
`fighting_confidence` and `casualty_confidence`; statements get theirs from the statement rules).
One threshold, whatever the alert's type: below it an alert is stored and searchable but not
pushed. The threshold was chosen from a precision/recall table on the development set (README,
"Extraction quality").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

PUSH_THRESHOLD = 0.35


class HasConfidence(Protocol):
    @property
    def confidence(self) -> float: ...


def is_pushed(alert: HasConfidence) -> bool:
    """Whether the alert goes to chats (it is stored and searchable either way)."""
    return alert.confidence >= PUSH_THRESHOLD


def _clamp(x: float) -> float:
    return round(max(0.0, min(1.0, x)), 2)


@dataclass(frozen=True, slots=True)
class FightingEvidence:
    """What a fighting update was read from."""

    same_clause: bool  # an armed-action word in the place's own clause
    known_place: bool  # the gazetteer knows the place
    cued: bool  # introduced as a place ("à X", "in the town of X")
    specific_action: bool  # the action is more than "other" (a bare "killed", "violence")
    distance: int  # tokens between the place and the nearest action word
    sentences: int  # sentences of the article that tell of fighting there
    actors: bool  # an armed actor is named
    movement: bool = False  # the action is a move (advance, withdrawal, halt, resumption)
    stale: bool = False  # dated months before the article: background, not news


def fighting_confidence(e: FightingEvidence) -> float:
    # On dev the place's own clause holding the action word, a short distance to it and a second
    # sentence about the place were what told true updates from places merely mentioned.
    score = 0.2
    score += 0.35 if e.same_clause else 0.0
    score += 0.15 if e.distance <= 4 else (0.1 if e.distance <= 9 else (0.0 if e.distance <= 19 else -0.1))
    score += 0.2 if e.sentences > 1 else 0.0
    score += 0.05 if e.specific_action else 0.0
    score += 0.05 if e.cued else 0.0
    score += 0.05 if e.actors else 0.0
    # "abandonner", "reprendre", "se retirer", "libérer" are as often said of anything but troops:
    # a move with no armed actor anywhere near is seldom a military one
    score -= 0.5 if e.movement and not e.actors else 0.0
    # "since the opening of the Aleppo front in July" in a November story recalls how the war went
    if e.stale:
        score = min(score, 0.25)
    return _clamp(score)


@dataclass(frozen=True, slots=True)
class CasualtyEvidence:
    """What a casualty figure was read from."""

    noun_after: bool  # a casualty noun or participle right after the number ("35 morts", "23 killed")
    victims: bool  # a noun of people counted ("civils", "soldiers")
    digits: bool  # written in digits (or a number in words / approximate noun)
    sourced: bool  # a source gives it
    headline: bool  # read from the headline only
    ranged: bool  # one bound of a range ("between 10 and 15")
    toll: bool  # read from "the death toll rose to N"
    verb_before: bool = False  # a casualty verb right before the number ("killing 40")


def casualty_confidence(e: CasualtyEvidence) -> float:
    score = 0.35
    score += 0.25 if e.noun_after or e.victims or e.verb_before else 0.0
    score += 0.15 if e.noun_after and e.victims else 0.0
    score += 0.1 if e.toll else 0.0
    score += 0.1 if e.sourced else 0.0
    score += 0.05 if e.digits else 0.0
    score -= 0.15 if e.headline else 0.0
    score -= 0.1 if e.ranged else 0.0
    return _clamp(score)
