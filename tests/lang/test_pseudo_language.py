"""A third language is data alone: a pseudo-language pack ("xx", every English word prefixed "zq") written
into a temporary folder on the language search path, and the bot extracts, alerts, digests, helps and
answers in it with no code change, no English word of its own showing through."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.config import ConfigError, load_config
from bot.core import commands, langpack
from bot.core.answers import Fact, Source, StoryFacts, answer, detect_lang
from bot.core.digest import DigestEntry, build_digest
from bot.core.extract import extract_alerts
from bot.core.i18n import languages, t
from bot.core.models import Alert, Article, Casualty, Fighting, Message, Statement
from bot.core.render import render_alert
from tests.lang.pseudo import CODE, article_text, build_pack

# An English wire story; its names stay as written in any language.
STORY = (
    "At least 21 people were killed and 27 wounded on Monday in clashes between forces loyal to Khalifa Haftar "
    "and government troops south of Tripoli, the health ministry said.\n"
    '"We will not stop until Tripoli is liberated," Ahmed al-Mesmari, a spokesman for Haftar\'s forces, told '
    "reporters on Tuesday.\n"
    "Fighting resumed near the international airport of Tripoli after a night of shelling, witnesses said."
)
TITLE = "Clashes near Tripoli"
NAMES = ("Tripoli", "Khalifa Haftar", "Haftar", "Ahmed al-Mesmari", "al-Mesmari")
OUTLET = "Agence"
DAY = dt.date(2019, 4, 8)
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Pack:
    folder: Path
    known: set[str]  # the English words the pack replaced, folded

    def text(self, english: str) -> str:
        return article_text(english, self.known, NAMES)


@pytest.fixture
def pack(tmp_path: Path) -> Iterator[Pack]:
    known = build_pack(tmp_path)
    langpack.use_path([tmp_path])
    try:
        yield Pack(tmp_path, known)
    finally:
        langpack.use_path(None)


def english_template_words() -> set[str]:
    """Words of what the bot writes in English (UI strings, command help and messages), lower case."""
    folder = langpack.pack_dir(langpack.FALLBACK)
    assert folder is not None
    words: set[str] = set()
    for name in ("ui", "commands"):
        data = yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8"))
        stack: list[object] = [data.get("strings"), data.get("messages"), data.get("help")]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, str):
                words |= {w.lower() for w in _LETTERS.findall(item) if len(w) >= 3}
    # Names of the story, the outlet and the grammar (command names, options) are not English text.
    grammar = {w for spec in commands.SPECS for part in (spec.usage, *spec.examples, *spec.options)
               for w in _LETTERS.findall(part.lower())}
    return words - {w.lower() for n in (*NAMES, OUTLET) for w in _LETTERS.findall(n)} - grammar


def leaks(text: str) -> set[str]:
    """English template words in a text the bot wrote in the pseudo-language."""
    return {w.lower() for w in _LETTERS.findall(text)} & english_template_words()


def extracted(pack: Pack) -> list[Alert]:
    article = Article("a1", pack.text(STORY), title=pack.text(TITLE), lang=CODE, published=DAY, outlet=OUTLET)
    return extract_alerts(article)  # the bot's own extractor finds the pack's lexicon


def test_the_language_is_found_from_its_folder(pack: Pack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert CODE in languages() and {"en", "fr"} <= set(languages())
    langpack.use_path(None)
    assert CODE not in languages()
    monkeypatch.setenv(langpack.PATH_ENV, str(pack.folder))
    langpack.reload()
    assert CODE in languages()
    # The configuration accepts it as a channel's language, with no list to edit.
    config = tmp_path / "config.yaml"
    config.write_text(f"language: {CODE}\n", encoding="utf-8")
    assert load_config(config).language == CODE
    monkeypatch.delenv(langpack.PATH_ENV)
    langpack.reload()
    with pytest.raises(ConfigError, match="a language the bot writes in: en, fr"):
        load_config(config)


def test_extract_reads_the_pseudo_language_with_its_lexicon(pack: Pack) -> None:
    alerts = extracted(pack)
    casualty = next(a for a in alerts if isinstance(a, Casualty))
    assert (casualty.killed, casualty.wounded, casualty.qualifier) == (21, 27, "at_least")
    assert casualty.reported_by == "zqhealth zqministry" and casualty.location == "Tripoli"
    fighting = [a for a in alerts if isinstance(a, Fighting) and a.place is not None]
    assert [(f.location, f.action) for f in fighting] == [("Tripoli", "clashes")]
    speakers = {a.speaker for a in alerts if isinstance(a, Statement)}
    assert "Ahmed al-Mesmari" in speakers
    quote = next(a.quote for a in alerts if isinstance(a, Statement) and a.speaker == "Ahmed al-Mesmari")
    assert quote.startswith("Zqwe zqwill zqnot zqstop")


def test_alerts_are_written_in_the_pseudo_language(pack: Pack) -> None:
    messages = [render_alert(a, lang=CODE, article_lang=CODE, outlets=[(OUTLET, None)], alert_id=i + 1, story_id=1)
                for i, a in enumerate(extracted(pack))]
    text = "\n".join(m.plain for m in messages)
    casualty = next(m for m in messages if m.meta["type"] == "casualty")
    assert casualty.headline.startswith("Zqat zqleast 21 zqkilled, 27 zqwounded")
    # The source as written; the place in the glossary's pseudo column ("Tripoli" is a place name it knows).
    assert casualty.headline.endswith("(zqhealth zqministry, Zqtripoli)")
    assert "Zqoutlets" in text and "Zqvictims" in text
    assert not leaks(text), leaks(text)


def test_a_digest_in_the_pseudo_language(pack: Pack) -> None:
    entries = [DigestEntry(a, 1, pack.text(TITLE), importance=5.0, outlets=(OUTLET,), story_lang=CODE)
               for a in extracted(pack)]
    now = dt.datetime(2019, 4, 8, 18, 0)
    digest = build_digest(entries, lang=CODE, since=now - dt.timedelta(days=1), now=now)
    assert digest.headline.startswith("Zqdigest")
    for section in ("section_casualty", "section_fighting", "section_statement"):
        assert t(CODE, section) in digest.plain and t(CODE, section).startswith("Zq")
    assert not leaks(digest.plain), leaks(digest.plain)
    empty = build_digest([], lang=CODE, since=None, now=now)
    assert empty.plain.endswith(t(CODE, "nothing_new")) and not leaks(empty.plain)


def test_help_and_parser_messages_in_the_pseudo_language(pack: Pack) -> None:
    title, lines = commands.help_lines(None, CODE)
    text = "\n".join([title, *lines])
    assert "zqthe zqnewest zqalerts" in text and "Zqin zqan zqalert'zqs zqthread" in text
    assert not leaks(text), leaks(text)
    title, lines = commands.help_lines("latest", CODE)
    assert lines[0].startswith("Zqusage:") and not leaks("\n".join([title, *lines]))
    # The pack's own words for commands and kinds are understood, in any channel.
    assert commands.parse("zqnew --since 24h", "en") == commands.Latest(None, dt.timedelta(hours=24))
    assert commands.parse("subscribe zqkeyword Haftar", CODE) == commands.Subscribe("Haftar", "keyword")
    error = commands.parse("lastest", CODE)
    assert isinstance(error, commands.ParseError) and error.suggestion == "latest"
    assert error.message.startswith("Zqunknown zqcommand") and not leaks(error.message)


def _facts(pack: Pack) -> StoryFacts:
    source = Source(1, pack.text(TITLE), OUTLET, None, CODE, pack.text(STORY), DAY)
    facts = tuple(Fact(i + 1, a, source) for i, a in enumerate(extracted(pack)))
    return StoryFacts(1, pack.text(TITLE), facts, (source,))


def _answer(pack: Pack, question: str) -> Message:
    reply = answer(pack.text(question), _facts(pack))
    assert reply.lang == CODE and not leaks(reply.plain), leaks(reply.plain)
    return reply


def test_thread_answers_in_the_pseudo_language(pack: Pack) -> None:
    assert detect_lang(pack.text("how many were killed?")) == CODE
    killed = _answer(pack, "how many were killed?")
    assert killed.headline == t(CODE, "ans_killed") == "Zqkilled"
    assert "Zqat zqleast 21 zqkilled" in killed.plain
    who = _answer(pack, "who said it?")
    assert who.headline == t(CODE, "ans_who") and "Ahmed al-Mesmari" in who.plain
    where = _answer(pack, "where?")
    assert where.headline == t(CODE, "ans_where") and "Tripoli" in where.plain
    # Thanks in the pseudo-language are small talk, as they are in English.
    from bot.core.answers import is_question

    assert not is_question(pack.text("thanks"))
