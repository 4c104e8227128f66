"""One rule for "this alert is about X": a keyword subscription takes the alerts `latest X` lists, in
either language (Libye finds Libya), and neither takes a word that only starts another one."""

from __future__ import annotations

from bot.config import ChannelConfig
from bot.core.mentions import alert_mentions
from bot.core.models import Casualty, Fighting, Statement
from bot.service.subscriptions import alert_matches

LIBYA = Casualty("a1", killed=12, reported_by="Libya's health ministry", location="Tripoli",
                 evidence="At least 12 people were killed, Libya's health ministry said.")
QUOTE = Statement("a2", speaker="Ghassan Salamé", quote="The fighting must stop now.", speaker_role="UN envoy",
                  evidence="Ghassan Salamé, the UN envoy, said: the fighting must stop now.")
ELSEWHERE = Fighting("a3", location="Tripolitania", action="clashes", evidence="Clashes in Tripolitania.")


def test_a_keyword_in_the_other_language_finds_the_alert_in_listings_and_subscriptions() -> None:
    channel = ChannelConfig(output="console", id="c", keywords=("Libye",))
    assert alert_mentions(LIBYA, "Libye")
    assert alert_matches(channel, LIBYA, score=5.0)
    assert not alert_matches(channel, QUOTE, score=5.0)


def test_whole_words_accents_and_case_alike_everywhere() -> None:
    for keyword in ("salame", "SALAMÉ", "un envoy"):
        assert alert_mentions(QUOTE, keyword), keyword
        assert alert_matches(ChannelConfig(output="console", id="c", keywords=(keyword,)), QUOTE, score=5.0)
    assert not alert_mentions(ELSEWHERE, "Tripoli")  # Tripolitania is not Tripoli
    assert not alert_matches(ChannelConfig(output="console", id="c", keywords=("Tripoli",)), ELSEWHERE, score=5.0)


def test_own_words_only_leave_the_sentence_and_context_aside() -> None:
    assert alert_mentions(QUOTE, "stop", own_only=True)  # the quote is the alert's own
    assert not alert_mentions(LIBYA, "people", own_only=True) and alert_mentions(LIBYA, "people")
    assert alert_mentions(LIBYA, "Misrata", context=("Misrata and Tripoli",))
