"""`latest`, `statements` and `fighting`: the newest alerts (of one type), on a topic, since a time."""

from __future__ import annotations

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.i18n import echo, t
from bot.core.mentions import alert_mentions
from bot.core.models import Line, Message, Span
from bot.service.handlers.base import Env, alert_line
from bot.store import StoredAlert
from bot.store.listing_db import ArticleGist, StoryGist, article_gists, story_gists
from bot.store.readmodels import AlertView, read_alerts

LIST_LIMIT = 15
SCAN_LIMIT = 1000  # newest alerts looked at by a listing command
CONTEXT_CACHE = 20000  # (article, story) contexts remembered; a long-running bot sees many stories


def latest(cmd: c.Latest, env: Env, ctx: ChatContext) -> Message:
    return listing(env, ctx, t(ctx.lang, "cmd_latest"), None, cmd.topic, cmd.since, "latest")


def statements(cmd: c.Statements, env: Env, ctx: ChatContext) -> Message:
    return listing(env, ctx, t(ctx.lang, "section_statement"), "statement", cmd.query, cmd.since, "statements")


def fighting(cmd: c.FightingCmd, env: Env, ctx: ChatContext) -> Message:
    return listing(env, ctx, t(ctx.lang, "section_fighting"), "fighting", cmd.query, cmd.since, "fighting")


def listing(env: Env, ctx: ChatContext, title: str, kind: str | None, query: str | None, since: c.Since | None,
            name: str) -> Message:
    lang = ctx.lang
    after = env.after(since, ctx)
    # The newest alerts with their context (article title, language and source, story): one statement.
    stored = read_alerts(env.store, since=after, types=[kind] if kind else None, newest_first=True,
                         limit=SCAN_LIMIT, carriers=False)
    chosen = [sa for sa in stored if matches(env, sa, query)]
    langs = {sa.id: sa.article_lang for sa in chosen[:LIST_LIMIT]}
    tz = env.timezone(ctx)
    local = after.astimezone(tz) if after else None
    head = title + (f" — {echo(query)}" if query else "") + (
        f" ({t(lang, 'cmd_since', when=local.strftime('%Y-%m-%d %H:%M'))})" if local else "")
    lines = [alert_line(env.store, sa, lang, {sa.article_id: langs[sa.id]}) for sa in chosen[:LIST_LIMIT]]
    if not lines:
        lines.append(Line.of(t(lang, "cmd_nothing")))
    elif len(chosen) > LIST_LIMIT:
        oldest = chosen[LIST_LIMIT - 1].created_at.astimezone(tz)
        more = " ".join([f"{env.prefix(ctx)} digest", echo(query or ""),
                         f"--since {oldest.strftime('%Y-%m-%dT%H:%M')}"])
        lines.append(Line.of(Span(t(lang, "and_more", n=len(chosen) - LIST_LIMIT, cmd=more.replace("  ", " ")),
                                  "italic")))
    return Message(headline=head, lines=tuple(lines), lang=lang, meta={"type": name})


def matches(env: Env, stored: StoredAlert, query: str | None, *, kind: str | None = None) -> bool:
    """Does the alert concern `query` (a topic, speaker or place, in English or French; the rule is
    `bot.core.mentions`)? With kind="own", only the alert's own words count, not its sentence, its
    article's title, source tags or story."""
    if not query:
        return True
    if alert_mentions(stored.alert, query, own_only=True):
        return True
    if kind == "own":
        return False
    if isinstance(stored, AlertView):  # read with its context
        found = _context(env, ArticleGist(stored.article_title, stored.article_source, stored.article_lang)
                         if stored.article_source is not None else None,
                         StoryGist(stored.story_title, stored.story_topic) if stored.story_id is not None else None)
    else:
        found = _context_of(env, stored.article_id, stored.story_id)
    return alert_mentions(stored.alert, query, context=found)


def _context(env: Env, article: ArticleGist | None, story: StoryGist | None) -> tuple[str | None, ...]:
    """Title and source tags of the article, title and topic of the story."""
    found: list[str | None] = []
    if article is not None:
        found += [article.title, *env.tags.get(article.source, ())]
    if story is not None:
        found += [story.title, story.topic]
    return tuple(found)


def _context_of(env: Env, article_id: int, story_id: int | None) -> tuple[str | None, ...]:
    cached = env.contexts.get((article_id, story_id))
    if cached is None:
        article = article_gists(env.store, [article_id]).get(article_id)
        story = story_gists(env.store, [story_id]).get(story_id) if story_id is not None else None
        cached = _context(env, article, story)
        if len(env.contexts) >= CONTEXT_CACHE:
            env.contexts.clear()
        env.contexts[(article_id, story_id)] = cached
    return cached
