"""Stories over the labelled set (`data/labelled.jsonl`, written for these tests): pairwise precision
and recall of "same story" at the bar, neighbouring events kept apart, and one offensive followed
over weeks by a dozen outlets in two languages (a held-out-like check)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core.tally import CasualtyChangeAlert
from bot.core.tally_text import view_lines
from bot.service import tallies
from bot.store import Store
from tests.stories.measure import Labelled, ingest, load, pairwise

BAR = 0.90


@pytest.fixture(scope="module")
def run() -> Iterator[tuple[Store, list[Labelled], dict[str, int]]]:
    items = load()
    store = Store.open("sqlite:///:memory:")
    stories = ingest(store, items)
    yield store, items, stories
    store.close()


def test_the_set_is_what_it_claims() -> None:
    items = load()
    assert len(items) >= 60
    assert len({x.event for x in items}) >= 10
    assert {x.article.lang for x in items} == {"en", "fr"}
    # Follow-ups from other outlets and days later: every event has several outlets and several days.
    for event in {x.event for x in items}:
        mine = [x for x in items if x.event == event]
        assert len({x.article.outlet for x in mine}) >= 3 and len({x.article.published for x in mine}) >= 2, event


def test_pairwise_precision_and_recall(run: tuple[Store, list[Labelled], dict[str, int]]) -> None:
    _store, items, stories = run
    precision, recall, _, _ = pairwise(items, stories)
    assert precision >= BAR and recall >= BAR, (precision, recall)


def test_neighbours_are_two_stories(run: tuple[Store, list[Labelled], dict[str, int]]) -> None:
    """A bombing in Aleppo and fighting in Deraa on the same day; a car bomb in Benghazi during the
    offensive on Tripoli (articles of each naming the other city); Sanaa and Hodeidah; El Fasher and
    El Obeid."""
    _store, items, stories = run

    def of(event: str) -> set[int]:
        return {stories[x.article.id] for x in items if x.event == event}

    for a, b in (("aleppo-bombing", "deraa-clashes"), ("benghazi-bomb", "tripoli-offensive"),
                 ("sanaa-strikes", "hodeidah-fighting"), ("elfasher-siege", "elobeid-shelling")):
        assert len(of(a)) == 1 and len(of(b)) == 1 and of(a) != of(b), (a, b)


def test_one_offensive_over_weeks(run: tuple[Store, list[Labelled], dict[str, int]]) -> None:
    """16 reports of the offensive on Tripoli from 16 outlets, French and English, over 25 days: one
    story; the WHO's series in order whatever it is called (OMS, World Health Organization), each rise
    told against the WHO's previous figure, and only its latest figure current."""
    store, items, stories = run
    offensive = [x for x in items if x.event == "tripoli-offensive"]
    assert len({x.article.outlet for x in offensive}) >= 12
    [story] = {stories[x.article.id] for x in offensive}
    view = tallies.story_view(store, story)
    who = {s.key.measure: s for s in view.series if s.key.source == "org:who"}
    killed = [f.value for f in sorted(who["killed"].figures, key=lambda f: f.order())]
    assert killed == [56, 75, 147, 189, 227, 264, 278]
    assert who["wounded"].latest.value == 1332

    rises = [a.alert for a in store.alerts(story_id=story, types=["casualty"])
             if isinstance(a.alert, CasualtyChangeAlert) and a.alert.changes[0].source_key == "org:who"]
    assert [(c.changes[0].old, c.changes[0].new) for c in rises] == [
        (56, 75), (75, 147), (147, 189), (189, 227), (227, 264), (264, 278)]

    current = "\n".join(line.plain for line in view_lines(view, "en"))
    assert current.count("— WHO") == 2, current  # killed and wounded, once each
    assert "278 killed — WHO" in current and "1332 wounded — WHO" in current
    for old in (56, 75, 147, 189, 227, 264):
        assert f"{old} killed — WHO" not in current
    # The GNA health ministry: one series in two languages, its 21 superseded by its 35.
    assert "35 killed — health ministry" in current and "21 killed — health ministry" not in current
