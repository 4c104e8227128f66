"""A story told over five articles, through the real pipeline, store and delivery: change alerts,
the reconciled view, root then replies in the story's thread, the root edited, a chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.config import ChannelConfig, Config
from bot.core.chart import png_size
from bot.core.digest import DigestEntry, build_digest
from bot.core.models import Casualty, Message
from bot.core.tally import CasualtyChangeAlert
from bot.service import tallies
from bot.service.pipeline import Pipeline
from bot.store import Store
from tests.tally.tally_story import ARTICLES, OneStory, Recorder, extract_figures

NOW = dt.datetime(2019, 4, 8, 20, 0, tzinfo=dt.UTC)


def make(store: Store, lang: str = "en") -> tuple[Pipeline, Recorder]:
    recorder = Recorder()
    config = Config(path="test", channels=(ChannelConfig(output="slack", id="C1", language=lang),))
    pipeline = Pipeline(config, store, {"slack": recorder}, extractor=extract_figures, clock=lambda: NOW)
    pipeline.stories = OneStory(store)  # type: ignore[assignment]
    return pipeline, recorder


def change_alerts(store: Store) -> list[CasualtyChangeAlert]:
    return [s.alert for s in store.alerts(types=["casualty"]) if isinstance(s.alert, CasualtyChangeAlert)]


async def test_story_over_five_articles(memory_store: Store, chart_dir: Path) -> None:
    pipeline, chat = make(memory_store)
    new_per_article = []
    for article in ARTICLES:
        new_per_article.append(len(pipeline.process(article)))
        await pipeline.deliver()
    # 35; 47 (change); 21+27 and 14 soldiers (two first figures); 45 (correction); 45 again (nothing).
    assert new_per_article == [1, 1, 2, 1, 0]

    rise, correction = change_alerts(memory_store)
    [c] = rise.changes
    assert (c.measure, c.old, c.new, c.delta) == ("killed", 35, 47, 12)
    assert (c.old_date, c.new_date) == (dt.date(2019, 4, 6), dt.date(2019, 4, 7))
    assert (c.old_outlet, c.new_outlet) == ("AFP", "Le Monde")
    assert c.old_source is None and c.new_source is None
    [c] = correction.changes
    assert (c.old, c.new, c.delta, c.kind) == (47, 45, -2, "correction")
    assert (c.old_outlet, c.new_outlet) == ("Le Monde", "Le Monde")

    # The repeated 45 made no alert: RFI is one more outlet of the correction.
    stored = next(s for s in memory_store.alerts(types=["casualty"]) if s.alert == correction)
    assert [a.outlet for a in memory_store.outlets_of_alert(stored.id)] == ["Le Monde", "RFI"]

    # Thread placement: the first alert is the root, the others reply to it, the root is edited.
    kinds = [(kind, ref) for kind, _, ref, _ in chat.calls]
    assert kinds == [
        ("post", "m1"),
        ("reply", "m1"), ("edit", "m1"),
        ("reply", "m1"), ("reply", "m1"), ("edit", "m1"),
        ("reply", "m1"), ("edit", "m1"),
    ]
    root = chat.calls[0][3]
    assert root.headline.startswith("At least 35 killed (the article itself")
    rise_msg = chat.calls[1][3]
    assert rise_msg.headline.startswith(
        "Toll rises (+12 killed, was 35 on 6 April, AFP): 47 killed (the article itself")
    assert "Previously: at least 35 killed — 2019-04-06, the article itself (AFP)" in rise_msg.plain
    assert "Now: 47 killed — 2019-04-07, the article itself (Le Monde)" in rise_msg.plain
    assert "Change: +12 killed" in rise_msg.plain
    assert rise_msg.meta["change"] == "rise" and chat.calls[6][3].meta["change"] == "correction"
    fix_msg = chat.calls[6][3]
    assert fix_msg.headline.startswith("Toll revised down (-2 killed, was 47 on 7 April, Le Monde): 45 killed")

    last_edit = chat.calls[-1][3]
    # The root leads with where the toll stands now (the latest figure, whose, when, and the range
    # of the sources), then the story's title; it lists the latest figures below.
    assert last_edit.headline == (
        "45 killed (the article itself (Le Monde), 8 April) — range 21–45 killed: Offensive on Tripoli")
    text = last_edit.plain
    assert "Latest figures" in text
    assert "Killed — all victims: low 21 · best 45 · high 45 (2 sources)" in text
    assert "Killed — soldiers: low 14 · best 14 · high 14 (1 source)" in text
    assert "Wounded — all victims: low 27 · best 27 · high 27" in text
    assert "21 killed — health ministry, 2019-04-07" in text
    # A chart of the toll over time goes with the edit.
    [chart] = last_edit.attachments
    assert Path(chart).parent == chart_dir and png_size(chart) == (800, 450)

    # The reconciled view itself.
    view = tallies.story_view(memory_store, 1)
    rows = {(e.measure, e.population): e for e in view.estimates}
    assert set(rows) == {("killed", ""), ("killed", "soldiers"), ("wounded", "")}
    everyone = rows[("killed", "")]
    assert (everyone.low, everyone.best, everyone.high) == (21, 45, 45)
    assert [(f.value, f.reported_by, f.outlet) for f in everyone.latest] == [
        (45, None, "Le Monde"), (21, "Tripoli health ministry", "Reuters")]
    assert (rows[("killed", "soldiers")].low, rows[("killed", "soldiers")].high) == (14, 14)

    # Delivering again changes nothing: no repost, no second edit with the same figures.
    before = len(chat.calls)
    await pipeline.deliver()
    assert len(chat.calls) == before


async def test_all_at_once_is_one_root_one_edit(memory_store: Store, chart_dir: Path) -> None:
    pipeline, chat = make(memory_store)
    for article in ARTICLES:
        pipeline.process(article)
    await pipeline.deliver()
    assert [k for k, *_ in chat.calls] == ["post", "reply", "reply", "reply", "reply", "edit"]


async def test_french_reader(memory_store: Store, chart_dir: Path) -> None:
    pipeline, chat = make(memory_store, lang="fr")
    for article in ARTICLES[:2]:
        pipeline.process(article)
        await pipeline.deliver()
    reply = chat.calls[1][3]
    assert reply.headline.startswith(
        "Bilan en hausse (+12 tués, contre 35 le 6 avril, AFP): 47 tués (l'article lui-même")
    assert "Avant: au moins 35 tués — 2019-04-06, l'article lui-même (AFP)" in reply.plain
    assert "Écart: +12 tués" in reply.plain
    edit = chat.calls[2][3]
    assert "Derniers bilans" in edit.plain and "bas 47 · estimation 47 · haut 47" in edit.plain


async def test_edit_failure_does_not_lose_replies(memory_store: Store, chart_dir: Path) -> None:
    class NoEdit(Recorder):
        async def edit(self, channel: str, message_id: str, message: Message) -> None:
            raise RuntimeError("message too old to edit")

    pipeline, _ = make(memory_store)
    chat = NoEdit()
    pipeline.adapters = {"slack": chat}
    for article in ARTICLES[:2]:
        pipeline.process(article)
        report = await pipeline.deliver()
        assert report.failed == 0
    assert [k for k, *_ in chat.calls] == ["post", "reply"]


def test_digest_shows_change_alerts_as_the_figures_they_are(memory_store: Store) -> None:
    pipeline, _ = make(memory_store)
    for article in ARTICLES:
        pipeline.process(article)
    entries = [DigestEntry(s.alert, s.story_id, None, s.importance) for s in memory_store.alerts()]
    digest = build_digest(entries, lang="en", since=None, now=NOW)
    assert "47 killed (the article itself" in digest.plain and "45 killed (the article itself" in digest.plain


def test_stories_do_not_mix(memory_store: Store) -> None:
    """Figures are compared within their story only: an article about another event (another city)
    opens its own story, and its figure changes nothing in the first."""
    from dataclasses import replace

    pipeline, _ = make(memory_store)
    pipeline.process(ARTICLES[0])
    pipeline.stories.story_id = None  # type: ignore[attr-defined]  # the next article opens a new cluster
    elsewhere = replace(ARTICLES[1], title="Libye : 47 morts dans un attentat à Benghazi",
                        text="Le bilan de l'attentat à la voiture piégée de Benghazi s'est alourdi à 47 morts.")
    assert len(pipeline.process(elsewhere)) == 1
    assert change_alerts(memory_store) == []
    assert len({a.story_id for a in memory_store.alerts()}) == 2


def test_non_casualty_and_storyless_alerts_are_stored_as_before(memory_store: Store) -> None:
    article = ARTICLES[0]
    article_id, _ = memory_store.add_article(article)
    alert = Casualty("afp-1", killed=35)
    first = tallies.store_alert(memory_store, alert, article=article, article_id=article_id, story_id=None,
                                today=NOW.date())
    again = tallies.store_alert(memory_store, alert, article=article, article_id=article_id, story_id=None,
                                today=NOW.date())
    assert first[1] is True and again == (first[0], False)
