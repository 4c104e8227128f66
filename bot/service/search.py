"""Full-text search over stored articles and alerts.

On SQLite: the FTS5 indexes of migration 5, ranked with bm25 (titles weigh more than body text),
with a snippet around the matches. Elsewhere (PostgreSQL) or when the index is missing: LIKE, ranked
by how many of the words match. Words are looked up in English and French alike (Libya ≈ Libye),
accents and case ignored. Nothing is escaped here: matches come back as spans, adapters escape.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from bot.core.alert_dicts import alert_from_dict
from bot.core.models import Alert, fold
from bot.core.translate import equivalents
from bot.store import Store
from bot.store import search_db as db

log = logging.getLogger(__name__)

_OPEN, _CLOSE = db.OPEN, db.CLOSE  # match markers inside snippets, turned into (text, matched) parts


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: Literal["article", "alert"]
    id: int
    story_id: int | None
    title: str | None
    snippet: tuple[tuple[str, bool], ...]  # (text, is a match)
    score: float  # lower is better (bm25 convention)
    alert: Alert | None = None
    outlet: str | None = None
    url: str | None = None


def query_groups(terms: str) -> list[set[str]]:
    """One set of alternatives per word: `Libya airport` -> [{libya, libye}, {airport, aeroport}]."""
    groups: list[set[str]] = []
    whole = equivalents(terms)
    if len(whole) > 1 and " " in fold(terms):  # a known phrase ("United States") stays one group
        return [set(whole)]
    for word in fold(terms).split():
        groups.append(set(equivalents(word)))
    return groups


def fts_query(groups: list[set[str]], *, any_word: bool = False) -> str:
    parts = []
    for group in groups:
        alts = " OR ".join(f'"{form}"' for form in sorted(group))
        parts.append(f"({alts})" if len(group) > 1 else alts)
    return (" OR " if any_word else " AND ").join(parts)


def _parts(snippet: str) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, bool]] = []
    for chunk in re.split(f"({_OPEN}[^{_CLOSE}]*{_CLOSE})", snippet):
        if not chunk:
            continue
        if chunk.startswith(_OPEN):
            out.append((chunk[1:-1], True))
        else:
            out.append((chunk.replace(_OPEN, "").replace(_CLOSE, ""), False))
    return tuple(out)


def _alert_body(alert: dict[str, Any]) -> str:
    keys = ("speaker", "speaker_role", "quote", "location", "actors", "victims", "reported_by", "evidence")
    return " ".join(str(alert.get(k) or "") if not isinstance(alert.get(k), list) else " ".join(alert[k])
                    for k in keys)


def search(store: Store, terms: str, *, limit: int = 10) -> list[SearchHit]:
    groups = [g for g in query_groups(terms) if g]
    if not groups:
        return []
    if db.has_fts(store):
        try:
            hits = _fts(store, fts_query(groups), limit)
            if not hits and len(groups) > 1:
                hits = _fts(store, fts_query(groups, any_word=True), limit)
            return hits
        except db.SearchUnavailable as exc:
            log.warning("full-text search unavailable (%s); falling back to LIKE", exc)
    return _like(store, groups, limit)


def _fts(store: Store, query: str, limit: int) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for r in db.fts_articles(store, query, limit):
        snip = r["snip"] if _OPEN in (r["snip"] or "") else r["tsnip"] or r["snip"] or ""
        hits.append(SearchHit("article", int(r["id"]), r["story_id"], r["title"], _parts(snip),
                              float(r["score"]), outlet=r["outlet"], url=r["url"]))
    for r in db.fts_alerts(store, query, limit):
        hits.append(SearchHit("alert", int(r["id"]), r["story_id"], None, _parts(r["snip"] or ""),
                              float(r["score"]), alert=alert_from_dict(json.loads(r["data"]))))
    hits.sort(key=lambda h: h.score)
    return hits[:limit]


def _fold_same_length(text_: str) -> str:
    """Lower case without accents, one character for one, so positions in it are positions in `text_`."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).lower() for c in text_)


def snippet_around(body: str, forms: set[str], width: int = 90) -> tuple[tuple[str, bool], ...]:
    flat = _fold_same_length(body)
    spots = sorted((m.start(), m.end()) for form in forms if form
                   for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", flat))
    if not spots:
        return ((body[:width * 2] + ("…" if len(body) > width * 2 else ""), False),)
    start = max(0, spots[0][0] - width)
    end = min(len(body), spots[0][1] + width)
    out: list[tuple[str, bool]] = [("…", False)] if start else []
    pos = start
    for a, b in spots:
        if a < pos or b > end:
            continue
        out.extend([(body[pos:a], False), (body[a:b], True)])
        pos = b
    out.append((body[pos:end] + ("…" if end < len(body) else ""), False))
    return tuple(p for p in out if p[0])


def _score(body: str, groups: list[set[str]]) -> int:
    hay = f" {fold(body)} "
    return sum(1 for g in groups if any(f" {form} " in hay for form in g))


# Without FTS5 (PostgreSQL), the newest rows are matched in Python, where accents and case fold the same
# way as everywhere else in the bot ("securite" finds "sécurité"); SQL ILIKE would compare raw accents.
SCAN_ARTICLES = 5000
SCAN_ALERTS = 20000


def _like(store: Store, groups: list[set[str]], limit: int) -> list[SearchHit]:
    forms = {form for g in groups for form in g}
    hits: list[SearchHit] = []
    for r in db.newest_articles(store, SCAN_ARTICLES):
        body = f"{r['title'] or ''}\n{r['text']}"
        score = _score(body, groups) + 0.5 * _score(r["title"] or "", groups)
        if score:
            hits.append(SearchHit("article", int(r["id"]), r["story_id"], r["title"],
                                  snippet_around(r["text"], forms), -score, outlet=r["outlet"], url=r["url"]))
    for r in db.newest_alerts(store, SCAN_ALERTS):
        data = json.loads(r["data"])
        body = _alert_body(data)
        score = _score(body, groups)
        if score:
            hits.append(SearchHit("alert", int(r["id"]), r["story_id"], None, snippet_around(body, forms),
                                  -score, alert=alert_from_dict(data)))
    hits.sort(key=lambda h: h.score)
    return hits[:limit]
