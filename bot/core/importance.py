"""How much an alert matters, from 0 to 10: used to order digests and filter subscriptions.

Casualty figures weigh most (more with larger tolls), then fighting (offensives and air strikes
above "other"), then statements (heads of state and ministers above the rest). Each extra outlet
carrying the same fact adds a little: a fact five outlets repeat is harder to miss.
"""

from __future__ import annotations

import math

from bot.core.models import Alert, Casualty, Fighting, fold

_ACTION_WEIGHT = {
    "offensive": 2.0, "airstrike": 2.0, "shelling": 1.5, "advance": 1.5, "resumed": 1.5, "clashes": 1.0,
    "withdrawal": 1.0, "ceasefire": 1.5, "halted": 1.0, "other": 0.5,
}
_SENIOR = ("president", "prime minister", "premier ministre", "secretaire d etat", "secretary of state",
           "ministre", "minister", "chef de la diplomatie", "king", "roi", "general", "marechal", "un ", "onu")


def importance(alert: Alert, *, outlets: int = 1) -> float:
    if isinstance(alert, Casualty):
        toll = (alert.killed or 0) + 0.5 * (alert.wounded or 0)
        score = 5.0 + min(3.0, math.log10(1 + toll) * 1.5)
    elif isinstance(alert, Fighting):
        score = 3.0 + _ACTION_WEIGHT.get(alert.action, 0.5)
    else:
        who = f" {fold(alert.speaker_role)} {fold(alert.speaker)} "
        score = 2.0 + (2.0 if any(f" {w}" in who for w in _SENIOR) else 0.0)
    return round(min(10.0, score + 0.3 * max(0, outlets - 1)), 2)
