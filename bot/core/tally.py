"""Casualty tallies: figures in series, what changed, and a reconciled view. Pure: no store, no I/O.

A *figure* is one number of one casualty alert (its `killed` or its `wounded`), as carried by one
article on one date. Figures are compared only within their *series*.

Series identity (within one scope: a story, or a topic when the caller groups stories):

- source: `reported_by`, folded (accents, case, punctuation). No `reported_by` means the article
  gives the figure on its own authority: all outlets' own counts form one source, "the article
  itself" (the press tally), and each figure keeps the outlet it came from for display.
- measure: killed or wounded, never mixed.
- population: what the figure counts, from `victims`, folded and reduced to one group
  (`population_of`): generic words (people, personnes, victims, morts…) mean "everyone", the empty
  group; common groups are named once whatever the language ("soldats", "troops" → soldiers).
- since: the date the count runs from. A figure with a `since` joins the series of the same source,
  measure and population counting from that date, or one that never said; a figure without one
  joins the most recently updated such series.

Change detection (`detect_changes`): each new figure is compared with the latest figure of its
series (latest by date, then by arrival). A higher number is a rise, a lower one a correction,
both reported as a `CasualtyChange` carrying the old and new figure, the delta, both dates and both
sources. A number the series already had is a repeat and makes no change, whether it is the latest
or an older one (outlets rerunning an old toll are far more common than a source walking its toll
back to an earlier number), and a repeat does not move the series' latest figure. A new number
dated before the latest one of its series is stale news arriving late: it joins the history but
makes no change either.

Reconciliation (`reconcile`), in the manner of UCDP's low/best/high estimates:

- Figures of different measures or populations are never summed nor ranged together: the Tripoli
  health ministry's 21 killed and the Haftar spokesman's 14 soldiers count different people (one
  side's dead and the other side's soldiers), so they are shown side by side, each in its own row.
  Nothing is ever added up across sources: each source is its own side. A figure that does not
  say whom it counts belongs to "everyone" and is ranged with the others of that row, never summed.
- Within one measure and population, each source counts once, with its latest figure.
- low: the smallest of those latest figures, the most conservative credible figure (as ACLED does).
- high: the largest of them.
- best: the median of the latest figures of the *non-party* sources counting that population (the
  press's own tally, and international or humanitarian bodies: UN, WHO, ICRC, MSF, HRW, Amnesty,
  observatories…; see `is_non_party`); with an even number of them the lower middle one, so best is
  always a figure someone reported and errs toward caution. When only parties to the conflict gave
  figures (ministries, spokesmen, armed groups), the median of all latest figures, same rule.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from bot.core import langpack
from bot.core.models import Casualty, Qualifier, fold
from bot.core.storytrack import named_near
from bot.core.tally_sources import groups, non_party_words, population_of, source_identity

__all__ = ["population_of"]  # re-exported: callers import it from here

Measure = Literal["killed", "wounded"]
MEASURES: tuple[Measure, ...] = ("killed", "wounded")
ChangeKind = Literal["rise", "correction"]

GROUPS: tuple[str, ...] = groups()


def source_of(reported_by: str | None) -> str:
    """Series key of a source: the folded name, "" for the article itself (the press's own tally)."""
    return fold(reported_by)


def is_non_party(reported_by: str | None) -> bool:
    """True for the press's own tally and for international, humanitarian and monitoring bodies."""
    if not reported_by:
        return True
    text = f" {fold(reported_by)} "
    return any(f" {word} " in text or f" {word}s " in text for word in non_party_words())


@dataclass(frozen=True, slots=True)
class Figure:
    """One number of one casualty report, as one article carried it on one date."""

    value: int
    measure: Measure
    date: dt.date | None
    reported_by: str | None = None
    outlet: str | None = None
    victims: str | None = None
    since: dt.date | None = None
    qualifier: Qualifier = "exact"
    scope: str = ""  # the story ("story:12") or topic the figure was grouped under
    seq: int = 0  # arrival order, breaks ties between figures of one date
    alert_id: int | None = None
    article_id: str | None = None
    source_key: str | None = None  # canonical source (tally_sources.source_identity); None: the folded name
    person: str = ""  # the person the source's name is, when known ("person:mesmari")

    @property
    def source(self) -> str:
        return self.source_key if self.source_key is not None else source_of(self.reported_by)

    @property
    def population(self) -> str:
        return population_of(self.victims)

    @property
    def group(self) -> tuple[str, str, Measure, str]:
        """Everything of the series identity but `since`: (scope, source, measure, population)."""
        return (self.scope, self.source, self.measure, self.population)

    def order(self) -> tuple[dt.date, int]:
        return (self.date or dt.date.min, self.seq)


def figures_of(
    alert: Casualty, *, date: dt.date | None, outlet: str | None = None, scope: str = "", seq: int = 0,
    alert_id: int | None = None,
) -> list[Figure]:
    """The figures of one casualty alert: its killed and its wounded count, when given."""
    key, person = identity_of(alert)
    out = []
    for measure in MEASURES:
        value = getattr(alert, measure)
        if value is None:
            continue
        out.append(Figure(
            value=int(value), measure=measure, date=date, reported_by=alert.reported_by, outlet=outlet,
            victims=alert.victims, since=alert.since, qualifier=alert.qualifier, scope=scope, seq=seq,
            alert_id=alert_id, article_id=alert.article_id, source_key=key, person=person,
        ))
    return out


def identity_of(alert: Casualty) -> tuple[str, str]:
    """The canonical source of a casualty alert, and the person its source's name is (if known)."""
    if not alert.reported_by:
        return "", ""
    return _identity(alert.reported_by, alert.evidence)


@lru_cache(maxsize=16384)
def _identity(reported_by: str, evidence: str) -> tuple[str, str]:
    # Remembered: a story's figures repeat a few sources many times, and reading one is costly.
    sides = named_near(evidence, reported_by, "actor")
    own = named_near(reported_by, reported_by, "actor")
    people = named_near(reported_by, reported_by, "person")
    key = source_identity(reported_by, evidence, sides=sides, own=own)
    return key, (people[0] if people else "")


langpack.on_reload(_identity.cache_clear)


@dataclass(frozen=True, slots=True)
class SeriesKey:
    scope: str
    source: str
    measure: Measure
    population: str
    since: dt.date | None


@dataclass(slots=True)
class Series:
    key: SeriesKey
    figures: list[Figure] = field(default_factory=list)

    # The first report of each number, kept up to date as figures are appended (`SeriesBook.add` reads
    # `latest` for every figure it files: sorting the whole series each time made filing quadratic).
    # (figure, its index) per number: ties go to the earlier figure, as a stable sort of the list would.
    _first: dict[int, tuple[Figure, int]] = field(default_factory=dict, compare=False, repr=False)
    _counted: int = field(default=0, compare=False, repr=False)

    @property
    def latest(self) -> Figure:
        """The latest figure that was news: a repeat of a known number does not move it."""
        if self._counted > len(self.figures):  # figures removed: count again
            self._first, self._counted = {}, 0
        for index in range(self._counted, len(self.figures)):
            f = self.figures[index]
            known = self._first.get(f.value)
            if known is None or f.order() < known[0].order():
                self._first[f.value] = (f, index)
        self._counted = len(self.figures)
        if self.key.source == "":
            return self._press_latest()
        return max(self._first.values(), key=lambda pair: (pair[0].order(), -pair[1]))[0]

    def _press_latest(self) -> Figure:
        # The press's own tally is many outlets: a later, lower number from another outlet is mostly a
        # copy of an older report, not a correction. It moves up with any outlet, and down only when the
        # outlet that gave the current number lowers it.
        current: Figure | None = None
        for f, _ in sorted(self._first.values(), key=lambda pair: (pair[0].order(), pair[1])):
            if current is None or f.value > current.value or (f.outlet is not None and f.outlet == current.outlet):
                current = f
        assert current is not None
        return current

    def first_with(self, value: int) -> Figure | None:
        """The first report of this number in the series."""
        return min((f for f in self.figures if f.value == value), key=Figure.order, default=None)

    @property
    def since(self) -> dt.date | None:
        return self.key.since


class SeriesBook:
    """Figures filed into series by the identity rules of this module, in arrival order."""

    def __init__(self, figures: Iterable[Figure] = ()) -> None:
        self.series: list[Series] = []
        # A person and the source key they were first filed under: "Ahmed al-Mesmari" alone joins
        # the series of "the LNA spokesman, Ahmed al-Mesmari", and the other way round.
        self.people: dict[tuple[str, str], str] = {}
        for f in figures:
            self.add(f)

    def resolved(self, figure: Figure) -> Figure:
        """The figure with its source as this book files it (a person's first key)."""
        if not figure.person:
            return figure
        known = self.people.get((figure.scope, figure.person))
        if known is None or known == figure.source:
            return figure
        return replace(figure, source_key=known)

    def find(self, figure: Figure) -> Series | None:
        """The series a figure belongs to, or None when it opens a new one."""
        figure = self.resolved(figure)
        same = [s for s in self.series if (s.key.scope, s.key.source, s.key.measure, s.key.population)
                == figure.group]
        if not same:
            return None
        if figure.since is None:
            return max(same, key=lambda s: s.latest.order())
        for s in same:
            if s.key.since == figure.since:
                return s
        open_ = [s for s in same if s.key.since is None]
        return max(open_, key=lambda s: s.latest.order()) if open_ else None

    def add(self, figure: Figure) -> Series:
        figure = self.resolved(figure)
        if figure.person:
            self.people.setdefault((figure.scope, figure.person), figure.source)
        series = self.find(figure)
        if series is None:
            series = Series(SeriesKey(*figure.group, since=figure.since))
            self.series.append(series)
        elif series.key.since is None and figure.since is not None:
            # The series now knows the date it counts from.
            index = self.series.index(series)
            series = Series(SeriesKey(*figure.group, since=figure.since), series.figures)
            self.series[index] = series
        series.figures.append(figure)
        return series


@dataclass(frozen=True, slots=True)
class CasualtyChange:
    """A figure that moved: from `old` to `new`, in one series. Carried by change alerts."""

    measure: Measure
    old: int
    new: int
    old_date: dt.date | None
    new_date: dt.date | None
    old_source: str | None  # reported_by; None: the article itself
    new_source: str | None
    old_outlet: str | None = None
    new_outlet: str | None = None
    old_qualifier: Qualifier = "exact"
    new_qualifier: Qualifier = "exact"
    victims: str | None = None
    since: dt.date | None = None
    source_key: str | None = None  # the series' canonical source (tally_sources), for naming it

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def kind(self) -> ChangeKind:
        return "rise" if self.delta > 0 else "correction"

    @staticmethod
    def between(old: Figure, new: Figure) -> CasualtyChange:
        return CasualtyChange(
            measure=new.measure, old=old.value, new=new.value, old_date=old.date, new_date=new.date,
            old_source=old.reported_by, new_source=new.reported_by, old_outlet=old.outlet,
            new_outlet=new.outlet, old_qualifier=old.qualifier, new_qualifier=new.qualifier,
            victims=new.victims or old.victims, since=new.since or old.since, source_key=old.source,
        )


Status = Literal["first", "change", "repeat", "stale"]


def compare(book: SeriesBook, figure: Figure) -> tuple[Status, CasualtyChange | None]:
    """How a new figure relates to its series: first of it, a change, a repeat, or stale news."""
    series = book.find(figure)
    if series is None:
        return "first", None
    if series.first_with(figure.value) is not None:
        return "repeat", None
    last = series.latest
    if figure.date is not None and last.date is not None and figure.date < last.date:
        return "stale", None
    if series.key.source == "" and figure.value < last.value and (
            figure.outlet is None or figure.outlet != last.outlet):
        return "stale", None  # another outlet's own lower count: an older report (see Series._press_latest)
    return "change", CasualtyChange.between(last, figure)


def detect_changes(history: Sequence[Figure], new: Sequence[Figure]) -> list[CasualtyChange]:
    """Compare each new figure with the latest of its series (history, then the new ones before it)."""
    book = SeriesBook(history)
    changes = []
    for figure in new:
        _status, change = compare(book, figure)
        if change is not None:
            changes.append(change)
        book.add(figure)
    return changes


def changes_for(alert: Casualty, history: Sequence[Figure], *, date: dt.date | None,
                outlet: str | None = None, scope: str = "", seq: int = 0) -> tuple[list[Status], list[CasualtyChange]]:
    """Statuses of each figure of one new casualty alert, and the changes it makes."""
    book = SeriesBook(history)
    statuses: list[Status] = []
    changes: list[CasualtyChange] = []
    for figure in figures_of(alert, date=date, outlet=outlet, scope=scope, seq=seq):
        status, change = compare(book, figure)
        statuses.append(status)
        if change is not None:
            changes.append(change)
    return statuses, changes


# --- the change alert: a casualty alert that says what it was before ----------------------------

@dataclass(frozen=True, slots=True)
class CasualtyChangeAlert(Casualty):
    """A casualty alert whose figure moved: stored, delivered and filtered as a "casualty" alert
    (so subscriptions to casualty figures receive it), and rendered as what changed. Never produced
    by the extractor, so `python -m bot extract` output keeps the evaluation schema."""

    changes: tuple[CasualtyChange, ...] = ()

    def key(self) -> str:
        # A correction back to an earlier number is news again: the key names where it came from.
        moved = ";".join(f"{c.measure}:{c.old}>{c.new}" for c in self.changes)
        return f"{Casualty.key(self)}|{moved}"

    @staticmethod
    def of(alert: Casualty, changes: Sequence[CasualtyChange]) -> CasualtyChangeAlert:
        return CasualtyChangeAlert(
            article_id=alert.article_id, killed=alert.killed, wounded=alert.wounded, qualifier=alert.qualifier,
            victims=alert.victims, reported_by=alert.reported_by, since=alert.since, location=alert.location,
            evidence=alert.evidence, changes=tuple(changes),
        )


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return dt.date.fromisoformat(str(value)[:10])


def change_from_dict(data: dict[str, Any]) -> CasualtyChange:
    return CasualtyChange(
        measure=data["measure"], old=int(data["old"]), new=int(data["new"]),
        old_date=_date(data.get("old_date")), new_date=_date(data.get("new_date")),
        old_source=data.get("old_source"), new_source=data.get("new_source"),
        old_outlet=data.get("old_outlet"), new_outlet=data.get("new_outlet"),
        old_qualifier=data.get("old_qualifier", "exact"), new_qualifier=data.get("new_qualifier", "exact"),
        victims=data.get("victims"), since=_date(data.get("since")), source_key=data.get("source_key"),
    )


def change_alert_from_dict(data: dict[str, Any]) -> CasualtyChangeAlert:
    """Inverse of `alert_to_dict` for change alerts (called by `alert_dicts.alert_from_dict`)."""
    return CasualtyChangeAlert(
        killed=data.get("killed"), wounded=data.get("wounded"), qualifier=data.get("qualifier", "exact"),
        victims=data.get("victims"), reported_by=data.get("reported_by"), since=_date(data.get("since")),
        location=data.get("location"), article_id=str(data.get("article_id", "")),
        evidence=str(data.get("evidence", "")),
        changes=tuple(change_from_dict(c) for c in data.get("changes") or ()),
    )


# --- reconciliation ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Estimate:
    """One measure of one population: every source's latest figure side by side, and the range."""

    measure: Measure
    population: str  # "" = everyone
    latest: tuple[Figure, ...]  # one per source, highest first
    low: int
    best: int
    high: int
    best_rule: Literal["non_party_median", "median"]

    @property
    def victims(self) -> str | None:
        """How the population was named by its latest report (for display)."""
        named = [f.victims for f in self.latest if f.victims]
        return named[0] if named else None


@dataclass(frozen=True, slots=True)
class Reconciled:
    scope: str
    estimates: tuple[Estimate, ...]
    history: tuple[Figure, ...]  # every figure, oldest first
    series: tuple[Series, ...]

    @property
    def empty(self) -> bool:
        return not self.estimates


def latest_by_source(figures: Iterable[Figure]) -> dict[str, Figure]:
    latest: dict[str, Figure] = {}
    for f in sorted(figures, key=Figure.order):
        latest[f.source] = f
    return latest


def estimate(measure: Measure, population: str, figures: Sequence[Figure]) -> Estimate:
    """low/best/high over figures of one measure and population (see the module docstring).

    `figures` are the latest figures of the series of that measure and population; a source with
    several series (counts from different dates) counts once, with its latest."""
    latest = latest_by_source(figures)
    values = [f.value for f in latest.values()]
    neutral = [f.value for f in latest.values() if is_non_party(f.reported_by)]
    rule: Literal["non_party_median", "median"] = "non_party_median" if neutral else "median"
    best = statistics.median_low(neutral or values)
    side_by_side = tuple(sorted(latest.values(), key=lambda f: (-f.value, f.source)))
    return Estimate(measure, population, side_by_side, min(values), best, max(values), rule)


def reconcile(figures: Iterable[Figure], *, scope: str = "") -> Reconciled:
    """The reconciled view of a story or topic: one estimate per measure and population."""
    history = tuple(sorted(figures, key=Figure.order))
    book = SeriesBook(history)
    groups: dict[tuple[Measure, str], list[Figure]] = {}
    for series in book.series:
        groups.setdefault((series.key.measure, series.key.population), []).append(series.latest)
    order = {m: i for i, m in enumerate(MEASURES)}
    estimates = [estimate(m, p, fs) for (m, p), fs in groups.items()]
    estimates.sort(key=lambda e: (order[e.measure], e.population != "", -e.high))
    return Reconciled(scope, tuple(estimates), history, tuple(book.series))


def chart_series(
    view: Reconciled, *, article_itself: str, label: Callable[[Measure, str, str | None], str] | None = None,
) -> list[tuple[str, list[tuple[dt.date, int]]]]:
    """Lines to draw: one per series with dated figures, labelled by source, measure and population.

    `label(measure, population, victims)` names what a series counts in the reader's language."""
    lines = []
    for s in view.series:
        points = sorted((f.date, f.value) for f in s.figures if f.date is not None)
        if not points:
            continue
        latest = s.latest
        who = latest.reported_by or article_itself
        if label is not None:
            what = label(latest.measure, s.key.population, latest.victims)
        else:
            what = latest.measure + (f", {latest.victims}" if s.key.population and latest.victims else "")
        lines.append((f"{who} ({what})", points))
    return lines
