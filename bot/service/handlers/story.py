"""`story ID`: one story with its articles and alerts; `story merge|split`: an admin's corrections."""

from __future__ import annotations

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.answers import citation
from bot.core.i18n import t
from bot.core.models import Line, Message, Span
from bot.service.handlers.base import Env, alert_line, error
from bot.service.handlers.facts import read_story_facts, resolve
from bot.service.story_admin import StoryMerge, StorySplit
from bot.service.story_admin import story_admin as run_story_admin


def story(cmd: c.StoryCmd, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    story_id, _ = resolve(env, cmd.ref)
    read = read_story_facts(env, story_id) if story_id is not None else None
    if read is None:
        return error(lang, t(lang, "cmd_no_story", ref=cmd.ref.label))
    story, facts = read
    lines: list[Line] = []
    if facts.title:
        first = facts.sources[0].lang if facts.sources else None
        lines.append(Line.of(Span(facts.title, "italic", lang=first)))
    lines.append(Line.of(Span(t(lang, "cmd_articles"), "bold")))
    lines.extend(citation(src, lang) for src in facts.sources)
    lines.append(Line.of(Span(t(lang, "cmd_alerts"), "bold")))
    lines.extend(alert_line(env.store, sa, lang, {sa.article_id: sa.article_lang}) for sa in story.alerts)
    return Message(headline=f"{t(lang, 'story')} S{facts.story_id}", lines=tuple(lines), lang=lang,
                   meta={"type": "story", "story_id": str(facts.story_id)})


def story_admin(cmd: StoryMerge | StorySplit, env: Env, ctx: ChatContext) -> Message:
    """`story merge S3 S7`, `story split S3 A45`: admins correcting the machine (see bot.service.story_admin)."""
    return run_story_admin(env.store, cmd, ctx.lang)
