"""The pure rules of bot.core.tally, on Casualty objects directly."""

from __future__ import annotations

import datetime as dt

from bot.core.alert_dicts import alert_from_dict
from bot.core.models import Casualty, alert_to_dict
from bot.core.tally import (
    CasualtyChange,
    CasualtyChangeAlert,
    Figure,
    SeriesBook,
    changes_for,
    compare,
    detect_changes,
    figures_of,
    is_non_party,
    population_of,
    reconcile,
)

D = dt.date


def figs(alert: Casualty, date: dt.date, outlet: str, seq: int) -> list[Figure]:
    return figures_of(alert, date=date, outlet=outlet, scope="story:1", seq=seq)


def test_rise_then_correction_then_repeat() -> None:
    a = figs(Casualty("a", killed=35, qualifier="at_least", victims="personnes"), D(2019, 4, 6), "AFP", 1)
    b = figs(Casualty("b", killed=47, victims="morts"), D(2019, 4, 7), "Le Monde", 2)
    c = figs(Casualty("c", killed=45, victims="people"), D(2019, 4, 8), "Le Monde", 3)  # its own count, lowered
    d = figs(Casualty("d", killed=45, victims="personnes"), D(2019, 4, 8), "RFI", 4)
    changes = detect_changes(a, [*b, *c, *d])
    assert len(changes) == 2  # the repeat of 45 makes none
    rise, correction = changes
    assert (rise.old, rise.new, rise.delta, rise.kind) == (35, 47, 12, "rise")
    assert (rise.old_date, rise.new_date) == (D(2019, 4, 6), D(2019, 4, 7))
    assert (rise.old_outlet, rise.new_outlet) == ("AFP", "Le Monde")
    assert rise.old_source is None and rise.new_source is None  # the article itself, both times
    assert rise.old_qualifier == "at_least"
    assert (correction.old, correction.new, correction.delta, correction.kind) == (47, 45, -2, "correction")


def test_sources_and_populations_are_separate_series() -> None:
    press = figs(Casualty("a", killed=35), D(2019, 4, 6), "AFP", 1)
    ministry = figs(Casualty("b", killed=21, wounded=27, reported_by="Tripoli health ministry"), D(2019, 4, 7), "R", 2)
    soldiers = figs(Casualty("b", killed=14, victims="soldats", reported_by="Ahmed al-Mesmari"), D(2019, 4, 7), "R", 2)
    # No change: each is the first figure of its own series.
    assert detect_changes(press, [*ministry, *soldiers]) == []
    book = SeriesBook([*press, *ministry, *soldiers])
    keys = {(s.key.source, s.key.measure, s.key.population) for s in book.series}
    assert keys == {("", "killed", ""), ("ministry:health", "killed", ""),
                    ("ministry:health", "wounded", ""), ("ahmed al mesmari", "killed", "soldiers")}


def test_reported_by_is_folded() -> None:
    old = figs(Casualty("a", killed=21, reported_by="Ministère de la Santé"), D(2019, 4, 6), "AFP", 1)
    new = figs(Casualty("b", killed=25, reported_by="ministere de la sante"), D(2019, 4, 7), "RFI", 2)
    [change] = detect_changes(old, new)
    assert (change.old_source, change.new_source, change.delta) == ("Ministère de la Santé", "ministere de la sante", 4)


def test_since_splits_series_and_none_joins() -> None:
    cumul = figs(Casualty("a", killed=35, since=D(2019, 4, 4)), D(2019, 4, 6), "AFP", 1)
    today = figs(Casualty("b", killed=5, since=D(2019, 4, 7)), D(2019, 4, 7), "AFP", 2)
    assert detect_changes(cumul, today) == []  # a count from another date is another series
    undated = figs(Casualty("c", killed=9), D(2019, 4, 8), "AFP", 3)
    [change] = detect_changes([*cumul, *today], undated)  # joins the most recently updated series
    assert (change.old, change.new) == (5, 9)


def test_stale_figure_makes_no_change() -> None:
    book = SeriesBook(figs(Casualty("a", killed=47), D(2019, 4, 7), "Le Monde", 1))
    late = figs(Casualty("b", killed=35), D(2019, 4, 6), "AFP", 2)[0]
    assert compare(book, late) == ("stale", None)


def test_population_and_non_party() -> None:
    assert population_of("personnes, dont des civils") == ""
    assert population_of("people") == population_of("morts") == population_of(None) == ""
    assert population_of("soldats") == population_of("soldiers") == population_of("troops") == "soldiers"
    assert population_of("des civils") == "civilians"
    assert is_non_party(None)
    assert is_non_party("l'ONU") and is_non_party("Observatoire syrien des droits de l'homme")
    assert is_non_party("des journalistes de l'AFP") and is_non_party("WHO")
    assert not is_non_party("Tripoli health ministry") and not is_non_party("Ahmed al-Mesmari")
    assert not is_non_party("the whole government") and not is_non_party("l'armée nationale libyenne")


def test_reconcile_low_best_high_never_sums() -> None:
    history = [
        *figs(Casualty("a", killed=35, qualifier="at_least"), D(2019, 4, 6), "AFP", 1),
        *figs(Casualty("b", killed=47), D(2019, 4, 7), "Le Monde", 2),
        *figs(Casualty("c", killed=21, wounded=27, victims="personnes", reported_by="Tripoli health ministry"),
              D(2019, 4, 7), "Reuters", 3),
        *figs(Casualty("c", killed=14, victims="soldats", reported_by="Ahmed al-Mesmari"), D(2019, 4, 7), "Reuters", 3),
        *figs(Casualty("d", killed=45), D(2019, 4, 8), "Le Monde", 4),  # Le Monde lowers its own count
        *figs(Casualty("e", killed=60, reported_by="UN mission UNSMIL"), D(2019, 4, 8), "AFP", 5),
    ]
    view = reconcile(history, scope="story:1")
    rows = {(e.measure, e.population): e for e in view.estimates}
    assert set(rows) == {("killed", ""), ("killed", "soldiers"), ("wounded", "")}
    everyone = rows[("killed", "")]
    # Each source once, with its latest figure, side by side (highest first).
    assert [(f.value, f.reported_by) for f in everyone.latest] == [
        (60, "UN mission UNSMIL"), (45, None), (21, "Tripoli health ministry")]
    assert (everyone.low, everyone.high) == (21, 60)
    # best: median of non-party latest figures (UN 60, press 45): the lower middle one.
    assert everyone.best == 45 and everyone.best_rule == "non_party_median"
    soldiers = rows[("killed", "soldiers")]
    assert (soldiers.low, soldiers.best, soldiers.high, soldiers.best_rule) == (14, 14, 14, "median")
    assert rows[("wounded", "")].best == 27
    # The two parties' figures (21 and 14) are never added up anywhere.
    assert all(35 not in (e.low, e.best, e.high) for e in view.estimates)
    assert len(view.history) == 7


def test_change_alert_round_trips_and_keeps_casualty_type() -> None:
    change = CasualtyChange("killed", 35, 47, D(2019, 4, 6), D(2019, 4, 7), None, None, "AFP", "Le Monde")
    alert = CasualtyChangeAlert.of(Casualty("b", killed=47, since=D(2019, 4, 4)), [change])
    data = alert_to_dict(alert)
    assert data["type"] == "casualty" and data["changes"][0]["old_date"] == "2019-04-06"
    back = alert_from_dict(data)
    assert back == alert and isinstance(back, CasualtyChangeAlert)
    # A correction back to a known figure is not the same fact as that figure.
    assert alert.key() != Casualty("b", killed=47).key()
    # Plain casualty alerts keep the evaluation schema: no extra key.
    assert "changes" not in alert_to_dict(Casualty("x", killed=3))
    assert type(alert_from_dict(alert_to_dict(Casualty("x", killed=3)))) is Casualty


def test_one_alert_two_measures() -> None:
    history = figs(Casualty("a", killed=21, wounded=27, reported_by="Tripoli health ministry"), D(2019, 4, 7), "R", 1)
    statuses, changes = changes_for(Casualty("b", killed=21, wounded=30, reported_by="Tripoli health ministry"),
                                    history, date=D(2019, 4, 8), outlet="AFP", scope="story:1", seq=2)
    assert statuses == ["repeat", "change"]
    [c] = changes
    assert (c.measure, c.old, c.new, c.delta) == ("wounded", 27, 30, 3)
    statuses, changes = changes_for(Casualty("c", killed=21, wounded=27, reported_by="Tripoli health ministry"),
                                    history, date=D(2019, 4, 8), scope="story:1", seq=3)
    assert statuses == ["repeat", "repeat"] and changes == []


def test_rerun_of_an_older_figure_is_a_repeat() -> None:
    history = [*figs(Casualty("a", killed=35), D(2019, 4, 6), "AFP", 1),
               *figs(Casualty("b", killed=47), D(2019, 4, 7), "Le Monde", 2)]
    late = figs(Casualty("c", killed=35), D(2019, 4, 8), "Blog", 3)
    assert detect_changes(history, late) == []
    book = SeriesBook([*history, *late])
    [series] = book.series
    assert series.latest.value == 47 and series.latest.outlet == "Le Monde"
    assert reconcile([*history, *late]).estimates[0].best == 47


def test_another_outlets_lower_count_is_an_older_report_not_a_correction() -> None:
    # The press's own tally: Le Monde says 47, then a blog still carries the 40 of an older wire. That is
    # no "toll revised down", and 47 stays the current figure; a rise from any outlet is still told.
    history = [*figs(Casualty("a", killed=35), D(2019, 4, 6), "AFP", 1),
               *figs(Casualty("b", killed=47), D(2019, 4, 7), "Le Monde", 2)]
    lagging = figs(Casualty("c", killed=40), D(2019, 4, 8), "Blog", 3)
    assert detect_changes(history, lagging) == []
    [series] = SeriesBook([*history, *lagging]).series
    assert (series.latest.value, series.latest.outlet) == (47, "Le Monde")
    view = reconcile([*history, *lagging])
    assert (view.estimates[0].low, view.estimates[0].best) == (47, 47)
    rise = detect_changes([*history, *lagging], figs(Casualty("d", killed=56), D(2019, 4, 9), "AP", 4))
    assert [(c.old, c.new) for c in rise] == [(47, 56)]
