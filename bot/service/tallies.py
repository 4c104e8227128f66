"""Casualty tallies on top of the store: filing figures as change alerts, the reconciled view of a
story or topic, the story thread's root kept up to date, and charts.

The rules (series identity, what is a change, low/best/high) live in `bot.core.tally`; this module
only reads and writes the store, through `bot.store.tally_db` (the queries) and the `Store`.

Storing a casualty alert of a story (`store_alert`):
- the first figure of a series is stored as the plain casualty alert it is;
- a figure that moved (rise or correction) is stored as a `CasualtyChangeAlert`: the same casualty
  alert plus what it was, so it is delivered to whoever takes casualty alerts, in the story's thread;
- a repeat of a figure the series already had stores nothing new: the article is added as one more
  outlet of the alert that first gave that figure;
- a figure older than the latest of its series is kept for the history as a plain alert.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.core.alert_dicts import alert_from_dict
from bot.core.i18n import t
from bot.core.importance import importance
from bot.core.models import Alert, Article, Casualty, Line, Message, Span, fold
from bot.core.render import figure_text, render_alert
from bot.core.tally import (
    CasualtyChangeAlert,
    Estimate,
    Figure,
    Reconciled,
    SeriesBook,
    changes_for,
    chart_series,
    compare,
    figures_of,
    population_of,
    reconcile,
)
from bot.core.tally_text import group_name, headline_figures, view_lines, who
from bot.store import Store, StoredAlert
from bot.store.readmodels import read_alerts
from bot.store.tally_db import CasualtyRows, articles_topics, casualty_rows, figure_stories, first_casualty_rows

log = logging.getLogger(__name__)

# Where charts go; the console prints their path, chat adapters upload them.
CHART_DIR = Path("data/charts")


def scope_of(story_id: int) -> str:
    return f"story:{story_id}"


# --- reading figures ---------------------------------------------------------------------------

def story_figures(store: Store, story_ids: Sequence[int]) -> list[Figure]:
    """Every figure of these stories' casualty alerts, once per outlet and publication that carried it.

    Copies of one figure by one outlet on one day are one figure (the first article's): a story of
    5,000 reruns is read as fast as one of 50, and its history is not 5,000 identical lines."""
    return _figures(casualty_rows(store, story_ids))


def _figures(found: CasualtyRows) -> list[Figure]:
    alerts = {alert_id: _casualty(text) for alert_id, text in found.data.items()}  # each alert decoded once
    figures: list[Figure] = []
    for row in found.rows:
        alert = alerts.get(row.alert_id)
        if alert is None:
            continue
        figures.extend(figures_of(
            alert, date=_day(row.published, row.fetched_at), outlet=row.outlet or row.source,
            scope=scope_of(row.story_id), seq=row.article_id, alert_id=row.alert_id,
        ))
    return figures


def _casualty(data: str) -> Casualty | None:
    import json

    alert = alert_from_dict(json.loads(data))
    return alert if isinstance(alert, Casualty) else None


def _day(published: Any, fetched_at: Any) -> dt.date | None:
    if isinstance(published, dt.datetime):
        return published.date()
    if isinstance(published, dt.date):
        return published
    if isinstance(fetched_at, dt.datetime):
        return fetched_at.date()
    return None


def story_view(store: Store, story_id: int) -> Reconciled:
    return reconcile(story_figures(store, [story_id]), scope=scope_of(story_id))


def story_views(store: Store, story_ids: Sequence[int]) -> dict[int, Reconciled]:
    """`story_view` of many stories, read at once (two statements, each alert decoded once)."""
    return _story_views(story_figures(store, story_ids), story_ids)


def _story_views(figures: Sequence[Figure], story_ids: Sequence[int]) -> dict[int, Reconciled]:
    by_story: dict[int, list[Figure]] = {}
    for figure in figures:
        by_story.setdefault(int(figure.scope.removeprefix("story:")), []).append(figure)
    return {sid: reconcile(by_story.get(sid, []), scope=scope_of(sid)) for sid in story_ids}


# --- filing a new alert (called by Pipeline.process) -------------------------------------------

def store_alert(
    store: Store, alert: Alert, *, article: Article, article_id: int, story_id: int | None, today: dt.date,
) -> tuple[int, bool]:
    """Store one extracted alert; casualty figures of a story are compared with its series first.

    Returns (alert id, True when a new alert was stored), like `Store.add_alert`.
    """
    if not _compared(alert, story_id):
        return store.add_alert(alert, article_id=article_id, story_id=story_id, importance=importance(alert))
    assert isinstance(alert, Casualty) and story_id is not None  # `_compared`
    # First reports are all a new figure is compared with (rises, repeats, stale news): one per alert.
    history = [f for f in _figures(first_casualty_rows(store, story_id)) if f.seq != article_id]
    date = article.published or today
    outlet = article.outlet or article.source
    scope = scope_of(story_id)
    statuses, changes = changes_for(alert, history, date=date, outlet=outlet, scope=scope, seq=article_id)
    if changes:
        change = CasualtyChangeAlert.of(alert, changes)
        return store.add_alert(change, article_id=article_id, story_id=story_id, importance=importance(change))
    if statuses and all(st == "repeat" for st in statuses):
        known = _known_alert(store, history, alert, date=date, scope=scope)
        if known is not None:
            # One more outlet for a figure already known: no new alert.
            return store.add_alert(known, article_id=article_id, story_id=story_id, importance=importance(known))
    return store.add_alert(alert, article_id=article_id, story_id=story_id, importance=importance(alert))


def store_alerts(
    store: Store, alerts: Sequence[Alert], *, article: Article, article_id: int, story_id: int | None,
    today: dt.date,
) -> list[tuple[int, bool]]:
    """`store_alert` of each alert of an article, in order. Those not compared with a series (all but
    a story's casualty figures) are written together (`Store.add_alerts`: a few statements for all
    of them), before the next compared one reads its series."""
    out: list[tuple[int, bool]] = []
    plain: list[tuple[Alert, float]] = []
    for alert in alerts:
        if not _compared(alert, story_id):
            plain.append((alert, importance(alert)))
            continue
        out += store.add_alerts(plain, article_id=article_id, story_id=story_id)
        plain = []
        out.append(store_alert(store, alert, article=article, article_id=article_id, story_id=story_id, today=today))
    out += store.add_alerts(plain, article_id=article_id, story_id=story_id)
    return out


def _compared(alert: Alert, story_id: int | None) -> bool:
    """Whether an alert is a figure compared with its series before it is stored."""
    return isinstance(alert, Casualty) and story_id is not None and (alert.killed is not None or
                                                                      alert.wounded is not None)


def _known_alert(store: Store, history: Sequence[Figure], alert: Casualty, *, date: dt.date,
                 scope: str) -> Alert | None:
    """The stored alert that first gave the figure this alert repeats."""
    book = SeriesBook(history)
    for figure in figures_of(alert, date=date, scope=scope):
        series = book.find(figure)
        first = series.first_with(figure.value) if series is not None else None
        if first is not None and first.alert_id is not None:
            stored = store.alert(first.alert_id)
            if stored is not None:
                return stored.alert
    return None


# The reconciled view as lines lives in bot.core.tally_text (pure, shared with digests).


def history_lines(view: Reconciled, lang: str) -> list[Line]:
    """Every figure, oldest first, with the move from the previous figure of its series."""
    lines: list[Line] = []
    book = SeriesBook()
    for f in view.history:
        _status, change = compare(book, f)
        book.add(f)
        move = f" ({change.delta:+d})" if change is not None else ""
        when = f.date.isoformat() if f.date else "?"
        victims = f" [{f.victims}]" if f.victims else ""
        lines.append(Line.of(f"{when}  ", Span(figure_text(f.value, f.measure, f.qualifier, lang), "bold"),
                             f"{victims}{move} — {who(f, lang)}"))
    return lines


def story_chart(store: Store, story_id: int, *, lang: str, directory: Path | None = None,
                view: Reconciled | None = None) -> Path | None:
    """The story's tolls over time as a PNG, when it has figures on at least two dates."""
    from bot.core.chart import toll_chart

    view = view or story_view(store, story_id)
    if len({f.date for f in view.history if f.date is not None}) < 2:
        return None
    lines = chart_series(view, article_itself=t(lang, "article_itself"), label=lambda measure, population, victims: (
        t(lang, measure) + (f", {group_name(population, victims, lang)}" if population else "")))
    story = store.story(story_id)
    title = f"{t(lang, 'chart_title')} — {story['title'] if story and story['title'] else story_id}"
    path = (directory or CHART_DIR) / f"story-{story_id}-{lang}.png"
    # The same lines and title draw the same PNG: drawing takes a few hundred milliseconds, so a chart
    # this process drew and that is still on disk is not drawn again.
    drawn = hashlib.sha256(repr((lines, title)).encode()).hexdigest()
    with _drawn_lock:
        if _drawn.get(path) == drawn and path.is_file():
            return path
    out = toll_chart(lines, path, title=title)
    with _drawn_lock:
        _drawn[path] = drawn
    return out


_drawn: dict[Path, str] = {}  # chart file -> what it shows (a hash of its lines and title)
_drawn_lock = threading.Lock()


# --- the story thread's root, kept up to date --------------------------------------------------

def root_message(store: Store, story_id: int, root_alert_id: int | None, *, lang: str,
                 chart_dir: Path | None = None) -> Message | None:
    """The thread root as it should read now: its alert, then the story's latest figures, and a
    chart of the tolls over time as an attachment.

    None when there is nothing to add (no figures, or only the root's own figure).
    """
    found = _root_text(store, story_id, root_alert_id, lang)
    if found is None:
        return None
    message, view = found
    return _with_chart(store, story_id, message, view, lang, chart_dir)


def _root_text(store: Store, story_id: int, root_alert_id: int | None,
               lang: str) -> tuple[Message, Reconciled] | None:
    """The root's text (no chart) and the story's figures it was written from."""
    view = story_view(store, story_id)
    if view.empty or len({f.alert_id for f in view.history}) < 2:
        return None
    # The root's alert with its article's language and outlets (one read model, two statements).
    found = read_alerts(store, ids=[root_alert_id]) if root_alert_id is not None else []
    story = store.story(story_id)
    if found:
        stored = found[0]
        base = render_alert(stored.alert, lang=lang, article_lang=stored.article_lang, outlets=stored.outlets,
                            alert_id=stored.id, story_id=story_id)
    else:
        base = Message(headline=str(story["title"] if story else story_id), lang=lang)
    lines = [*base.lines, Line.of(Span(t(lang, "latest_figures"), "bold")),
             *view_lines(view, lang, detail=True, rules=False)]
    # The root leads with the story's latest reconciled figures (the same function as the digest's).
    title = str(story["title"]) if story and story["title"] else base.headline
    figures = headline_figures(view, lang)
    headline = f"{figures}: {title}" if figures else base.headline
    return Message(headline=headline, lines=tuple(lines), lang=lang,
                   meta={**base.meta, "story_id": str(story_id), "edit": "root"}), view


def _with_chart(store: Store, story_id: int, message: Message, view: Reconciled, lang: str,
                chart_dir: Path | None) -> Message:
    """`message` with the chart of the story's tolls over time attached, when there is one."""
    try:
        path = story_chart(store, story_id, lang=lang, directory=chart_dir, view=view)
    except Exception:  # a chart is a bonus: never lose the edit over it
        log.exception("chart of story %s failed", story_id)
        path = None
    return dataclasses.replace(message, attachments=(str(path),)) if path is not None else message


def _root_best_differs(stored: StoredAlert | None, top: Estimate) -> bool:
    """Whether the root's own figure is no longer the story's best estimate."""
    alert = stored.alert if stored is not None else None
    if not isinstance(alert, Casualty):
        return True
    return bool(getattr(alert, top.measure) != top.best or (population_of(alert.victims) != top.population))


def root_edit(store: Store, adapter: str, channel: str, story_id: int, root_message_id: str, *,
              lang: str, chart_dir: Path | None = None, chart: bool = True) -> Message | None:
    """The edit the root needs now, or None when it already shows these figures; with the story's chart
    attached when `chart` (the chat shows images).

    What was last put in the root is remembered in the store's key/value state, so a restart or a
    second replica does not edit it again with the same text.
    """
    root_alert = store.alert_of_message(adapter, channel, root_message_id)
    found = _root_text(store, story_id, root_alert, lang)
    if found is None or store.get_state(_edit_key(adapter, channel, story_id)) == _digest(found[0]):
        return None
    # The chart only now that an edit is due, drawn from the figures just read (not read a second time).
    return _with_chart(store, story_id, *found, lang, chart_dir) if chart else found[0]


def root_edited(store: Store, adapter: str, channel: str, story_id: int, message: Message) -> None:
    """Remember what the root now shows (its text, charts aside)."""
    store.set_state(_edit_key(adapter, channel, story_id), _digest(message))


def _digest(message: Message) -> str:
    return hashlib.sha256(message.plain.encode()).hexdigest()[:32]  # headline and lines, not attachments


def _edit_key(adapter: str, channel: str, story_id: int) -> str:
    return f"root_edit:{adapter}:{channel}:{story_id}"[:200]


# --- choosing stories for a topic (the casualties command) ------------------------------------

def topic_keys(topic: str) -> set[str]:
    """The folded forms a topic matches: itself, and a country's canonical key whatever the language
    ("libye" and "Libya" both give "libya")."""
    from bot.core.extract.gazetteer import load_gazetteer
    from bot.core.extract.text import fold_phrase
    from bot.core.storytrack import country_key

    keys = {fold(topic)}
    for entry in load_gazetteer().names.get(fold_phrase(topic), ()):
        if entry.kind == "country":
            keys.add(fold(country_key(entry.country)).replace(" ", "-"))
            keys.add(fold(entry.country))
    return keys


def stories_with_figures(store: Store, topic: str | None = None, *, tagged_sources: Sequence[str] = (),
                         limit: int = 20) -> list[dict[str, Any]]:
    """Stories holding casualty figures, newest first; with a topic: one of the story's topics (in
    any language: "libye" = "libya"), a topic of one of its articles, a source tagged with it, or the
    words of the story's title."""
    return figure_story_lists(store, topic, tagged_sources=tagged_sources, limit=limit)[0]


def figure_story_lists(store: Store, topic: str | None = None, *, tagged_sources: Sequence[str] = (),
                       limit: int = 20) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`stories_with_figures` with the tagged sources' stories, and without them. The stories are read
    newest first, and their articles' topics a chunk of stories at a time, until both lists are full."""
    found = figure_stories(store, tagged_sources=tagged_sources if topic else ())
    rows, tagged = found.stories, found.tagged
    if not topic:
        return rows[:limit], rows[:limit]
    want = topic_keys(topic)
    want_text = fold(topic)
    mine: list[dict[str, Any]] = []
    with_tagged: list[dict[str, Any]] = []
    for start in range(0, len(rows), TOPIC_CHUNK):
        chunk = rows[start:start + TOPIC_CHUNK]
        article_topics = articles_topics(store, [int(r["id"]) for r in chunk])
        for r in chunk:
            own = bool({_fold(x) for x in str(r["topic"] or "").split(",")} & want
                       or {_fold(x) for x in article_topics.get(int(r["id"]), ())} & want
                       or f" {want_text} " in f" {_fold(r['title'])} ")
            if own:
                mine.append(r)
            if own or r["id"] in tagged:
                with_tagged.append(r)
        if len(mine) >= limit and len(with_tagged) >= limit:
            break
    return with_tagged[:limit], mine[:limit]


TOPIC_CHUNK = 200  # stories whose articles' topics are read at once by a topic filter


@functools.lru_cache(maxsize=65536)
def _fold(text: str | None) -> str:
    """`fold`, remembered: a topic filter folds the title and topics of every story holding figures."""
    return fold(text)


def casualties_message(store: Store, topic: str | None, *, lang: str, stories: list[dict[str, Any]],
                       views: dict[int, Reconciled] | None = None) -> Message:
    """`/news casualties [TOPIC]`: the reconciled figures (the one computation of `reconcile`, as the
    thread root, the digest and the CLI show them): over the topic's stories, then story by story.
    `stories`: those `stories_with_figures` (or `figure_story_lists`) gives; `views`: the caller's dict,
    given each story's view (for its chart, say)."""
    head = t(lang, "section_casualty") + (f" — {topic}" if topic else "")
    if not stories:
        return Message(headline=head, lines=(Line.of(t(lang, "no_figures")),), lang=lang, meta={"type": "casualties"})
    lines: list[Line] = []
    # Every figure of these stories read at once (two statements): the topic's view and each story's.
    ids = [int(st["id"]) for st in stories]
    figures = story_figures(store, ids)
    if topic and len(stories) > 1:
        lines.extend(view_lines(_topic_view(figures, topic), lang, rules=False))
    read = _story_views(figures, ids)
    if views is not None:
        views.update(read)
    for story in stories:
        view = read[int(story["id"])]
        title = f"S{story['id']}: {story['title'] or ''}".rstrip(": ")
        lines.append(Line.of(Span(title, "bold")))
        lines.extend(view_lines(view, lang, rules=False))
    return Message(headline=head, lines=tuple(lines), lang=lang, meta={"type": "casualties"})


def topic_view(store: Store, story_ids: Sequence[int], topic: str) -> Reconciled:
    """One view over several stories: their figures in one scope, the topic's."""
    return _topic_view(story_figures(store, story_ids), topic)


def _topic_view(figures: Sequence[Figure], topic: str) -> Reconciled:
    from dataclasses import replace

    return reconcile([replace(f, scope=f"topic:{fold(topic)}") for f in figures], scope=f"topic:{fold(topic)}")
