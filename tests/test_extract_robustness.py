"""The extractor never crashes and stays fast on hostile input."""

from __future__ import annotations

import datetime as dt
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.extract import extract_alerts
from bot.core.models import Article, alert_to_dict

PIECES = st.sampled_from([
    "«", "»", "\"", "“", "”", "'", "a déclaré", "said", " tués ", " killed ", " 35 ", "vingt et un",
    "au moins", "at least", "selon", "according to", ", ", ". ", "\n", "dimanche", "Monday", "le 15 mars",
    "Tripoli", "à ", "in ", "combats", "clashes", "a-t-il ajouté", "M. ", "(", ")", "-", "5.000", "\x00",
    "\u202f", "une trentaine", "a dozen",
])


def run(text: str, lang: str | None = None) -> None:
    art = Article(id="r", text=text, lang=lang, published=dt.date(2024, 1, 1))
    for alert in extract_alerts(art):
        alert_to_dict(alert)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    run(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=200), st.sampled_from([None, "fr", "en", "xx"]))
def test_random_news_like_text(parts: list[str], lang: str | None) -> None:
    run("".join(parts), lang)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=500))
def test_control_characters(text: str) -> None:
    run(text)


def test_only_numbers_and_no_punctuation() -> None:
    run(" ".join(str(i) for i in range(20000)))
    run("mot " * 50000, "fr")
    run("9" * 100000)


def test_one_megabyte_article_is_linear() -> None:
    sentence = ("Au moins 35 personnes ont été tuées dimanche à Tripoli, a déclaré le ministre Jean Dupont, "
                "selon qui « les combats continuent ». ")
    small = sentence * 100
    big = sentence * (1_000_000 // len(sentence))
    t0 = time.perf_counter()
    run(small, "fr")
    t_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    run(big, "fr")
    t_big = time.perf_counter() - t0
    ratio = len(big) / len(small)
    assert t_big < max(5.0, 3 * ratio * t_small)


def test_unclosed_quotes_and_long_runs() -> None:
    run("« " + "blah " * 100000, "fr")
    run("\"" * 10000 + "x" * 10000)
    run(("Capital Word " * 20000) + "killed", "en")
