"""`search TERMS`: full-text search over articles and alerts, best first, with the matching passage."""

from __future__ import annotations

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.i18n import echo, t
from bot.core.models import Line, Message, Span
from bot.core.render import headline
from bot.service.handlers.base import Env
from bot.service.search import search as find


def search(cmd: c.Search, env: Env, ctx: ChatContext) -> Message:
    lang, store = ctx.lang, env.store
    lines: list[Line] = []
    for hit in find(store, cmd.terms):
        ref = f"  [S{hit.story_id}]" if hit.story_id is not None else ""
        if hit.kind == "alert" and hit.alert is not None:
            ref = f"  [A{hit.id}" + (f" · S{hit.story_id}]" if hit.story_id is not None else "]")
            lines.append(Line.of(Span(headline(hit.alert, lang), "bold"), Span(ref, "code")))
            stored = store.alert(hit.id)
            article = store.article(stored.article_id) if stored else None
        else:
            article = store.article(hit.id)
            lines.append(Line.of(Span(hit.title or hit.outlet or "?", "bold", lang=article.lang if article else None),
                                 f" — {hit.outlet}" if hit.outlet else "", Span(ref, "code")))
        src_lang = article.lang if article else None
        lines.append(Line(tuple(Span(text, "bold" if matched else "italic", lang=src_lang)
                                for text, matched in hit.snippet)))
    if not lines:
        lines.append(Line.of(t(lang, "cmd_no_results", terms=echo(cmd.terms))))
    return Message(headline=t(lang, "cmd_search", terms=echo(cmd.terms)), lines=tuple(lines), lang=lang,
                   meta={"type": "search"})
