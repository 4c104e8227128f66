"""An article's alerts stored together (`Store.add_alerts`) end as `Store.add_alert` of each, one
after the other, leaves them: one alert per fact per story, new ones in order, every outlet linked."""

from __future__ import annotations

from bot.core.models import Article, Statement
from bot.store import Store


def said(quote: str, speaker: str = "Ghassan Salamé") -> Statement:
    return Statement(article_id="x", speaker=speaker, quote=quote)


def test_an_articles_alerts_stored_together_as_one_by_one(store: Store) -> None:
    story = store.new_story("Tripoli")
    earlier, _ = store.add_article(Article(id="a1", text="One", source="wire"))
    known, _ = store.add_alert(said("The offensive must stop now, before the conference."),
                               article_id=earlier, story_id=story)
    article_id, _ = store.add_article(Article(id="a2", text="Two", source="paper"))
    alerts = [said("Civilians are leaving the southern districts by the thousand."),
              said("The offensive must stop now, before the conference."),  # the earlier article's fact
              said("Civilians are leaving the southern districts by the thousand."),  # twice in this article
              said("We will not talk while the shelling goes on.", speaker="Fayez al-Sarraj")]
    outcome = store.add_alerts([(a, 0.5) for a in alerts], article_id=article_id, story_id=story)

    first, repeat, again, last = outcome
    assert repeat == (known, False)
    assert again == (first[0], False)
    assert first[1] and last[1] and known < first[0] < last[0]
    for alert_id, _ in outcome:
        assert {a.id for a in store.outlets_of_alert(alert_id)} >= {article_id}
    assert {a.id for a in store.outlets_of_alert(known)} == {earlier, article_id}
    assert [s.id for s in store.alerts(story_id=story)] == [known, first[0], last[0]]
    # The same alerts filed again by the same article: nothing new, the same ids.
    assert store.add_alerts([(a, 0.5) for a in alerts], article_id=article_id, story_id=story) == [
        (first[0], False), (known, False), (first[0], False), (last[0], False)]
