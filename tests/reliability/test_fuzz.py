"""Bad input never stops the bot: random commands, questions and article text through the real core.

Feeds, pages and articles are fuzzed beside their parsers (tests/ingest, tests/test_extract_robustness.py);
here, what users type and what adapters render.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.base import ChatContext
from bot.chat.console import ConsoleAdapter
from bot.chat.matrix_render import message_content
from bot.chat.slack_render import render_message
from bot.config import ChannelConfig, Config, SourceConfig
from bot.core.commands import ParseError, parse
from bot.core.models import Line, Message, Span
from bot.service.conversation import NewsConversation
from bot.service.pipeline import Pipeline
from bot.store import Store
from tests.conftest import SEEDS

# Words the grammar knows, mixed with noise, so generated input reaches past the first token.
WORDS = ["latest", "casualties", "statements", "fighting", "digest", "search", "story", "subscribe",
         "unsubscribe", "subscriptions", "sources", "add", "remove", "read", "help", "--since", "--name",
         "--mode", "--public", "24h", "-1h", "99999999d", "S1", "A1", "S0", "A-3", "Tripoli", "libye", "bilan",
         "topic", "keyword", "type", "importance", "http://127.0.0.1/", "file:///etc/passwd", "«", "»", '"', "'"]
COMMANDS = st.one_of(st.text(max_size=120), st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=8)
                     .map(" ".join))
QUESTIONS = st.one_of(st.text(max_size=200), st.lists(st.sampled_from(
    ["who", "qui", "said", "a dit", "how many", "combien", "wounded", "blessés", "where", "où", "when",
     "quand", "source", "?", "since", "depuis", "changed", "else", "Russie", "Pompeo"]) | st.text(max_size=10),
    max_size=10).map(" ".join))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[asyncio.AbstractEventLoop, NewsConversation, str]]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    config = Config(path="fuzz.yaml", database=f"sqlite:///{tmp / 'bot.db'}",
                    sources=(SourceConfig(name="seed", type="folder", path=str(SEEDS), lang="fr"),),
                    channels=(ChannelConfig(output="console", id="c"),))
    loop = asyncio.new_event_loop()
    store = Store.open(config.database)
    pipeline = Pipeline(config, store, {"console": ConsoleAdapter(io.StringIO(), color="never")})
    loop.run_until_complete(pipeline.run_once())
    root = store.thread_root("console", "c", store.alerts()[0].story_id or 0)
    assert root is not None, "the seed was delivered into a thread"
    yield loop, NewsConversation(store, config, process=pipeline.process), root
    loop.run_until_complete(pipeline.fetcher.aclose())
    store.close()
    loop.close()


@given(text=COMMANDS)
@FUZZ
def test_any_command_text_parses_or_gets_a_clear_error(text: str) -> None:
    result = parse(text)
    if isinstance(result, ParseError):
        assert result.message.strip()


@given(text=COMMANDS, admin=st.booleans())
@FUZZ
def test_any_command_gets_an_answer(bot: tuple[asyncio.AbstractEventLoop, NewsConversation, str], text: str,
                                    admin: bool) -> None:
    loop, conversation, _ = bot
    if re.search(r"\b(read|sources\s+add)\b", text):
        text = "help"  # those reach the network (refused or not): covered by their own tests
    ctx = ChatContext(adapter="console", channel="c", user="u", is_admin=admin)
    answer = loop.run_until_complete(conversation.command(text, ctx))
    assert isinstance(answer, Message) and answer.headline.strip()


@given(question=QUESTIONS)
@FUZZ
def test_any_question_in_a_thread_gets_an_answer_or_none(
    bot: tuple[asyncio.AbstractEventLoop, NewsConversation, str], question: str,
) -> None:
    loop, conversation, root = bot
    ctx = ChatContext(adapter="console", channel="c", user="u", thread_id=root)
    answer = loop.run_until_complete(conversation.follow_up(question, ctx))
    assert answer is None or answer.headline.strip()


HOSTILE = st.one_of(st.text(max_size=80), st.sampled_from([
    "<!channel> breaking", "<!here|here>", "<@U123ABC>", "<http://evil.example|click>", "@room", "@channel",
    "@alice:evil.org", "<script>alert(1)</script>", "<a href='javascript:x'>x</a>", "&lt;!channel&gt;", "\x1b[2J",
]))


@given(title=HOSTILE, text=HOSTILE, quote=HOSTILE)
@FUZZ
def test_article_text_cannot_ping_or_inject_markup(title: str, text: str, quote: str) -> None:
    message = Message(headline=title, lines=(Line.of(text, Span(quote, "quote", lang="fr"), Span(text, "bold")),))
    slack = render_message(message)
    rendered = json.dumps([slack.text, slack.block_dicts()], ensure_ascii=False)
    for ping in ("<!channel", "<!here", "<!everyone", "<@U", "<http", "<javascript"):
        assert ping not in rendered
    matrix = message_content(message)
    for body in (matrix["body"], matrix["formatted_body"]):
        assert "@room" not in body and "@alice:evil.org" not in body  # what pings in Matrix
    assert "<script" not in matrix["formatted_body"] and "<a " not in matrix["formatted_body"]
