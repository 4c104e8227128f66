"""The facts of a story that answers and `story` are made of: its alerts, each with the article it comes
from (title, outlet, link, language, text), and the story's figures as the thread root shows them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bot.core import commands as c
from bot.core.answers import Fact, Source, StoryFacts, answer, detect_lang
from bot.core.i18n import t
from bot.core.models import Message
from bot.service.handlers.base import Env, error
from bot.service.tallies import story_view
from bot.store import StoredAlert, StoredArticle
from bot.store.readmodels import StoryRead, read_alerts, read_articles, read_story

ELSEWHERE_DAYS = 2  # "what else?" looks at other stories' alerts of the last two days


def resolve(env: Env, ref: c.Ref) -> tuple[int | None, int | None]:
    """(story, alert) a reader's `A12` or `S3` names; (None, None) when there is no such thing."""
    if ref.kind == "alert":
        stored = env.store.alert(ref.id)
        return (stored.story_id, stored.id) if stored else (None, None)
    return (ref.id, None) if env.store.story(ref.id) else (None, None)


def answer_story(env: Env, story_id: int, question: str, *, default_lang: str = "en",
                 root_alert_id: int | None = None) -> Message:
    facts = story_facts(env, story_id, root_alert_id=root_alert_id)
    if facts is None:
        lang = detect_lang(question, default_lang)
        return Message(headline=t(lang, "ans_story_unknown"), lang=lang, meta={"type": "error"})
    return answer(question, facts, default_lang=default_lang)


def answer_ref(env: Env, ref: c.Ref, question: str, *, default_lang: str = "en") -> Message:
    """`ask A12 "question"`: the answer from the story of an alert, or of a story."""
    story_id, alert_id = resolve(env, ref)
    if story_id is None:
        lang = detect_lang(question, default_lang)
        return error(lang, t(lang, "cmd_no_story", ref=ref.label))
    return answer_story(env, story_id, question, default_lang=default_lang, root_alert_id=alert_id)


def story_facts(env: Env, story_id: int, *, root_alert_id: int | None = None) -> StoryFacts | None:
    read = read_story_facts(env, story_id, root_alert_id=root_alert_id)
    return read[1] if read is not None else None


def read_story_facts(env: Env, story_id: int, *, root_alert_id: int | None = None
                     ) -> tuple[StoryRead, StoryFacts] | None:
    """The story as read (its articles and alerts with their context) and its facts: a fixed number of
    statements, however many alerts and articles the story has."""
    story = read_story(env.store, story_id)
    if story is None:
        return None
    since = env.clock() - dt.timedelta(days=ELSEWHERE_DAYS)
    elsewhere = [sa for sa in read_alerts(env.store, since=since, newest_first=True, limit=50, carriers=False)
                 if sa.story_id != story_id][:5]
    sources = {a.id: source_of(env, a) for a in story.articles}
    # Alerts first filed by an article that is not (or no longer) the story's: their articles in one read.
    missing = {sa.article_id for sa in (*story.alerts, *elsewhere)} - sources.keys()
    others = {i: source_of(env, a) for i, a in read_articles(env.store, missing).items()}
    facts = tuple(_fact(sa, sources, others) for sa in story.alerts)
    around = tuple(_fact(sa, sources, others) for sa in elsewhere)
    return story, StoryFacts(story_id, story.title, facts, tuple(sources.values()), root_alert_id, around,
                             tally=story_view(env.store, story_id))


def source_of(env: Env, article: StoredArticle) -> Source:
    return Source(article.id, article.title, article.outlet or article.source, _link(env, article),
                  article.lang, article.text, article.published)


def _fact(stored: StoredAlert, story_sources: dict[int, Source], others: dict[int, Source]) -> Fact:
    src = story_sources.get(stored.article_id) or others.get(stored.article_id)
    if src is None:
        src = Source(stored.article_id, None, None, None, None, "")
    return Fact(stored.id, stored.alert, src, stored.created_at)


def _link(env: Env, article: StoredArticle) -> str | None:
    """The article's URL, or for an article read from files, the file it came from."""
    if article.url:
        return article.url
    config = next((src for src in env.config.sources if src.name == article.source), None)
    if config is None or config.path is None:
        return None
    root = Path(config.path)
    if root.is_file():
        return str(root)
    stem = article.key.split(":", 1)[1] if ":" in article.key else article.key
    if root.is_dir():
        for path in sorted(root.rglob(f"{glob_escape(stem)}.*")):
            if not path.name.endswith(".meta.yaml"):
                return str(path)
    return f"{root}/{stem}"


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
