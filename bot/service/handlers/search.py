"""`search TERMS`: full-text search over articles and alerts, best first, with the matching passage."""

from __future__ import annotations

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.i18n import echo, t
from bot.core.models import Line, Message, Span
from bot.core.render import headline
from bot.service.handlers.base import Env
from bot.service.search import search as find
from bot.store.listing_db import article_gists
from bot.store.readmodels import read_alerts


def search(cmd: c.Search, env: Env, ctx: ChatContext) -> Message:
    lang, store = ctx.lang, env.store
    lines: list[Line] = []
    hits = find(store, cmd.terms)
    # The language of every hit's text, read at once: alerts with their article's, articles their own.
    alert_langs = {sa.id: sa.article_lang for sa in read_alerts(
        store, ids=[h.id for h in hits if h.kind == "alert"], carriers=False)} if hits else {}
    article_langs = {i: g.lang for i, g in article_gists(store, (h.id for h in hits if h.kind != "alert")).items()}
    for hit in hits:
        ref = f"  [S{hit.story_id}]" if hit.story_id is not None else ""
        if hit.kind == "alert" and hit.alert is not None:
            ref = f"  [A{hit.id}" + (f" · S{hit.story_id}]" if hit.story_id is not None else "]")
            lines.append(Line.of(Span(headline(hit.alert, lang), "bold"), Span(ref, "code")))
            src_lang = alert_langs.get(hit.id)
        else:
            src_lang = article_langs.get(hit.id)
            lines.append(Line.of(Span(hit.title or hit.outlet or "?", "bold", lang=src_lang),
                                 f" — {hit.outlet}" if hit.outlet else "", Span(ref, "code")))
        lines.append(Line(tuple(Span(text, "bold" if matched else "italic", lang=src_lang)
                                for text, matched in hit.snippet)))
    if not lines:
        lines.append(Line.of(t(lang, "cmd_no_results", terms=echo(cmd.terms))))
    return Message(headline=t(lang, "cmd_search", terms=echo(cmd.terms)), lines=tuple(lines), lang=lang,
                   meta={"type": "search"})
