"""An alert back from its JSON dict (the inverse of `models.alert_to_dict`), change alerts included.

It lives above both `models` and `tally` because a stored casualty alert with `changes` is a
`tally.CasualtyChangeAlert`, and tally builds on models: kept in models, this needed tally (a circle).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.models import Alert, Casualty, Fighting, Place, Statement, alert_to_dict
from bot.core.tally import change_alert_from_dict

__all__ = ["alert_from_dict", "alert_to_dict"]


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return dt.date.fromisoformat(str(value)[:10])


def alert_from_dict(data: dict[str, Any]) -> Alert:
    """Inverse of `alert_to_dict`; used by the store."""
    kind = data.get("type")
    article_id, evidence = str(data.get("article_id", "")), str(data.get("evidence", ""))
    # alerts stored before confidence existed were all pushed
    confidence = float(data["confidence"]) if data.get("confidence") is not None else 1.0
    if kind == "statement":
        return Statement(
            speaker=data["speaker"], quote=data.get("quote", ""), speaker_role=data.get("speaker_role"),
            direct=bool(data.get("direct")), date=_date(data.get("date")),
            article_id=article_id, evidence=evidence, confidence=confidence,
        )
    if kind == "fighting":
        place = data.get("place")
        return Fighting(
            location=data["location"], action=data.get("action", "other"),
            actors=tuple(data.get("actors") or ()), date=_date(data.get("date")),
            place=Place(**place) if isinstance(place, dict) else None, article_id=article_id, evidence=evidence,
            confidence=confidence,
        )
    if kind == "casualty" and data.get("changes"):
        return change_alert_from_dict(data)  # a casualty alert that says what changed
    if kind == "casualty":
        return Casualty(
            killed=data.get("killed"), wounded=data.get("wounded"),
            qualifier=data.get("qualifier", "exact"), victims=data.get("victims"),
            reported_by=data.get("reported_by"), since=_date(data.get("since")),
            location=data.get("location"), article_id=article_id, evidence=evidence, confidence=confidence,
        )
    raise ValueError(f"unknown alert type {kind!r}")
