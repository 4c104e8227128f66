"""The extractor never crashes and stays fast on hostile input."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.core.extract import extract_alerts
from bot.core.models import Alert, Article, Casualty, alert_to_dict

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


# --- number shapes next to fighting and casualty words (issue 13: a decimal raised ValueError) ---

def _decimal(a: int, sep: str, b: int) -> str:
    return f"{a}{sep}{b}"


NUMBER_SHAPES = st.one_of(
    st.builds(_decimal, st.integers(0, 9999), st.sampled_from([",", "."]), st.integers(0, 999)),  # 51,8  8.15
    st.builds(lambda n, u: f"{n}{u}", st.integers(0, 2000),
              st.sampled_from(["mm", "km", "h", "%", "e", "er", "ème", "th", "st", "nd", "kg", "m"])),  # 14.5mm 3e
    st.builds(lambda a, u: f"{a}{u}", st.builds(_decimal, st.integers(0, 200), st.just("."), st.integers(0, 9)),
              st.sampled_from(["mm", "km", " mm", " %"])),  # 12.7mm
    st.builds(lambda a, s, b: f"{a}{s}{b:03d}", st.integers(1, 999),
              st.sampled_from([" ", ",", ".", "\u202f", "\u00a0"]), st.integers(0, 999)),  # 1 200, 1,200, 1.200
    st.builds(lambda a, s, b: f"{a}{s}{b}", st.integers(0, 500), st.sampled_from(["-", "–", " à ", " to ", " et ",
                                                                                 " and "]), st.integers(0, 500)),
    st.builds(lambda h, s, m: f"{h}{s}{m:02d}", st.integers(0, 23), st.sampled_from(["h", ":", " h ", "H"]),
              st.integers(0, 59)),  # 17h50, 15:17, 17 h 50
    st.builds(lambda d, m, y: f"{d}/{m}/{y}", st.integers(0, 40), st.integers(0, 13), st.integers(0, 99999)),
    st.sampled_from(["1er", "2nd", "3rd", "21st", "0", "00", "٣", "٢٠١٤", "²", "1½", "9" * 30, "2014", "1.5.2",
                     "3,5,7", "10.000.000", "0,5"]),
)
FR_WORDS = st.sampled_from([
    "combats", "bombardements", "tués", "morts", "blessés", "obus de", "près de Misrata", "à Syrte", "au moins",
    "plus de", "selon l'OSDH", "civils", "soldats", "attaques", "frappes aériennes", "depuis le", "entre", "%",
    "le 3 mars", "vers", "ont été tuées", "l'offensive", ",", ".", ":", "(", ")", "les rebelles", "dont",
])
EN_WORDS = st.sampled_from([
    "clashes", "shelling", "killed", "dead", "wounded", "rounds", "near Sirte", "in Aden", "at least",
    "more than", "the ministry said", "civilians", "soldiers", "attacks", "airstrikes", "since", "between", "%",
    "on 3 March", "about", "were killed", "the offensive", ",", ".", ":", "(", ")", "rebels", "including",
])


def _checked(text: str, lang: str) -> None:
    art = Article(id="n", text=text, lang=lang, published=dt.date(2013, 8, 20))
    for alert in extract_alerts(art):
        data = alert_to_dict(alert)
        assert 0.0 <= data["confidence"] <= 1.0
        for key in ("killed", "wounded"):
            value = data.get(key)
            assert value is None or (isinstance(value, int) and value >= 0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(NUMBER_SHAPES, FR_WORDS), min_size=1, max_size=40))
def test_number_shapes_next_to_french_fighting_and_casualty_words(parts: list[str]) -> None:
    _checked(" ".join(parts), "fr")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(NUMBER_SHAPES, EN_WORDS), min_size=1, max_size=40))
def test_number_shapes_next_to_english_fighting_and_casualty_words(parts: list[str]) -> None:
    _checked(" ".join(parts), "en")


@settings(max_examples=100, deadline=None)
@given(NUMBER_SHAPES, st.sampled_from([
    ("fr", "Des affrontements ont éclaté à Misrata, avec des tirs de {} ; 5 soldats ont été tués."),
    ("fr", "{} : les bombardements ont repris sur Syrte, faisant 5 morts selon l'OSDH."),
    ("en", "Fighting broke out near Sirte at {} and 5 soldiers were killed, the army said."),
    ("en", "Rebels shelled Aden with {} rounds, killing 5 civilians."),
]))
def test_a_number_shape_never_hides_the_real_figure(shape: str, case: tuple[str, str]) -> None:
    # a date or a bare year long past makes the sentence history, rightly without a toll
    years = re.findall(r"(?<![\d.,])\d{4}(?![\d.,])", shape)
    assume("/" not in shape and not any(1800 <= int(y) < 2012 for y in years))
    lang, template = case
    art = Article(id="n", text=template.format(shape), lang=lang, published=dt.date(2013, 8, 20))
    found = [a for a in extract_alerts(art) if isinstance(a, Casualty)]
    assert any(c.killed == 5 for c in found), (shape, found)


def test_extract_reports_a_failing_article_and_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """One article the extractor cannot read costs that article only; the exit code says so."""
    import bot.core.extract as extract

    real = extract.extract_alerts

    def failing_on_b(article: Article) -> list[Alert]:
        if article.id == "b":
            raise ValueError("invalid literal for int() with base 10: '51,8'")
        return real(article)

    monkeypatch.setattr(extract, "extract_alerts", failing_on_b)
    path = tmp_path / "arts.jsonl"
    text = "Au moins 12 soldats ont été tués dimanche à Misrata, selon l'OSDH."
    path.write_text("\n".join(json.dumps({"id": i, "lang": "fr", "published": "2011-04-10", "text": text})
                              for i in ("a", "b", "c")) + "\n", encoding="utf-8")
    code = main(["extract", "--all", str(path)])
    out, err = capsys.readouterr()
    ids = {json.loads(line)["article_id"] for line in out.splitlines()}
    assert code == 1
    assert ids == {"a", "c"}
    assert "article b" in err and "51,8" in err
