"""The /news grammar: every subcommand parses, has help, and a wrong one gets the closest suggestion."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core import commands as c


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_subcommand_has_help(lang: str) -> None:
    for spec in c.SPECS:
        assert c.parse(f"help {spec.name}", lang) == c.Help(spec.name)
        assert c.parse(f"{spec.name} --help", lang) == c.Help(spec.name)
        title, lines = c.help_lines(spec.name, lang)
        assert spec.name in title
        assert any(spec.usage in line for line in lines)
        assert spec.details[lang] in lines
    title, lines = c.help_lines(None, lang)
    for spec in c.SPECS:
        assert any(f"`/news {spec.usage}`" in line for line in lines), spec.name


def test_help_is_written_in_each_language() -> None:
    for spec in c.SPECS:
        assert spec.summary["en"] != spec.summary["fr"]
        assert spec.details["en"] != spec.details["fr"]


@pytest.mark.parametrize(("text", "expected"), [
    ("", c.Help()),
    ("/news latest", c.Latest()),
    ("latest Libya --since 24h", c.Latest("Libya", dt.timedelta(hours=24))),
    ("!news latest --since=30m", c.Latest(None, dt.timedelta(minutes=30))),
    ("casualties Tripoli", c.Casualties("Tripoli")),
    ("statements secrétaire d'Etat", c.Statements("secrétaire d'Etat")),
    ("fighting Libye", c.FightingCmd("Libye")),
    ("digest libya --since 7d", c.DigestCmd("libya", dt.timedelta(days=7))),
    ("digest --since 2j", c.DigestCmd(None, dt.timedelta(days=2))),
    ('search "aéroport international" Haftar', c.Search("aéroport international Haftar")),
    ("story S3", c.StoryCmd(c.Ref("story", 3))),
    ("story 3", c.StoryCmd(c.Ref("story", 3))),
    ("story A12", c.StoryCmd(c.Ref("alert", 12))),
    ("subscribe libya", c.Subscribe("libya")),
    ("subscribe keyword Haftar", c.Subscribe("Haftar", "keyword")),
    ("unsubscribe topic libya", c.Unsubscribe("libya", "topic")),
    ("subscriptions", c.Subscriptions()),
    ("sources", c.Sources()),
    ("sources add https://example.org/feed.xml --name ex", c.SourcesAdd("https://example.org/feed.xml", "ex")),
    ("sources remove ex", c.SourcesRemove("ex")),
    ("read https://example.org/a", c.Read("https://example.org/a")),
    ("help", c.Help()),
    ("aide derniers", c.Help("latest")),
    ("bilan Tripoli", c.Casualties("Tripoli")),
    ("LATEST", c.Latest()),
])
def test_parse(text: str, expected: c.Command) -> None:
    assert c.parse(text) == expected


@pytest.mark.parametrize(("text", "suggestion"), [
    ("lastest", "latest"),
    ("casulties Tripoli", "casualties"),
    ("statments", "statements"),
    ("figting", "fighting"),
    ("digets", "digest"),
    ("serch Haftar", "search"),
    ("subscibe libya", "subscribe"),
    ("sources ad https://x.org", "sources add"),
    ("sources remve x", "sources remove"),
    ("hlep", "help"),
    ("help lastest", "help latest"),
    ("latest --sinse 24h", "--since"),
])
def test_misspelled_gets_the_closest_suggestion(text: str, suggestion: str) -> None:
    error = c.parse(text)
    assert isinstance(error, c.ParseError)
    assert error.suggestion == suggestion
    assert suggestion in error.message or error.usage


def test_errors_explain_in_the_readers_language() -> None:
    en, fr = c.parse("lastest", "en"), c.parse("lastest", "fr")
    assert isinstance(en, c.ParseError) and isinstance(fr, c.ParseError)
    assert "Did you mean `latest`?" in en.message
    assert "Vouliez-vous dire `latest` ?" in fr.message


@pytest.mark.parametrize("text", [
    "search", "story", "story x12y", "read", "read ftp://x", "read not-a-url", "sources add", "sources add nope",
    "latest --since soon", "subscriptions extra", "sources remove", "subscribe", "xyzzy",
])
def test_wrong_arguments_are_errors_with_usage(text: str) -> None:
    error = c.parse(text)
    assert isinstance(error, c.ParseError)
    assert error.message
    if not text.startswith("xyzzy"):
        assert error.usage


def test_refs_and_durations() -> None:
    assert c.parse_ref("a12") == c.Ref("alert", 12)
    assert c.parse_ref("alert-12") == c.Ref("alert", 12)
    assert c.parse_ref("story:4") == c.Ref("story", 4)
    assert c.parse_ref("7", default="alert") == c.Ref("alert", 7)
    assert c.parse_ref("x") is None
    assert c.parse_duration("90m") == dt.timedelta(minutes=90)
    assert c.parse_duration("2w") == dt.timedelta(weeks=2)
    assert c.parse_duration("12") == dt.timedelta(hours=12)
    assert c.parse_duration("soon") is None


def test_since_takes_a_time_too() -> None:
    assert c.parse("digest --since 2026-11-26T08:00") == c.DigestCmd(None, dt.datetime(2026, 11, 26, 8, 0))
    assert c.parse("latest --since 2026-11-26") == c.Latest(None, dt.datetime(2026, 11, 26))


def test_subscribe_kinds_and_modes() -> None:
    assert c.parse("subscribe type casualty --mode digest") == c.Subscribe("casualty", "type", "digest")
    assert c.parse("subscribe importance 6") == c.Subscribe("6", "importance")
    assert c.parse("unsubscribe Haftar --mode alerts") == c.Unsubscribe("Haftar", None, "alerts")
    error = c.parse("subscribe libya --mode sometimes")
    assert isinstance(error, c.ParseError) and "sometimes" in error.message
