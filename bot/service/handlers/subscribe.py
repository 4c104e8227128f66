"""`subscribe`, `unsubscribe` and `subscriptions`: what this channel follows."""

from __future__ import annotations

from bot.chat.base import ChatContext
from bot.config import ALERT_TYPE_NAMES
from bot.core import commands as c
from bot.core.i18n import echo, label, t
from bot.core.models import Line, Message, Span, fold
from bot.core.translate import equivalents
from bot.service import subscriptions as subs
from bot.service.handlers.base import Env, error
from bot.store.source_registry import story_topics


def subscribe(cmd: c.Subscribe, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    kind, value = _kind(env, cmd.kind, cmd.value)
    before = subs.list_subscriptions(env.store, ctx.adapter, ctx.channel)
    try:
        made = subs.subscribe(env.store, ctx.adapter, ctx.channel, kind, value, cmd.mode or "both", ctx.user,
                              now=env.clock())
    except subs.SubscriptionError as exc:
        return error(lang, str(exc))
    what = t(lang, f"the_kind_{kind}")  # with its article: "le sujet", "l'importance minimale"
    if any(b.kind == made.kind and b.value == made.value and b.mode == made.mode for b in before):
        return _message(lang, t(lang, "cmd_already_subscribed", kind=what, value=echo(made.value)), "subscribe")
    text = t(lang, "cmd_subscribed", kind=what, value=echo(made.value))
    if made.mode != "both":
        text += f" ({t(lang, 'mode_' + made.mode)})"
    return _message(lang, text, "subscribe")


def unsubscribe(cmd: c.Unsubscribe, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    kinds = [cmd.kind] if cmd.kind else list(subs.KINDS)
    forms = equivalents(cmd.value)
    removed = False
    for sub in subs.list_subscriptions(env.store, ctx.adapter, ctx.channel):
        if sub.kind in kinds and (fold(sub.value) in forms if sub.kind == "topic" else
                                  fold(sub.value) == fold(cmd.value)):
            try:
                removed |= subs.unsubscribe(env.store, ctx.adapter, ctx.channel, sub.kind, sub.value,
                                            cmd.mode or "both", ctx.user)
            except subs.SubscriptionError as exc:
                return error(lang, str(exc))
    if removed:
        return _message(lang, t(lang, "cmd_unsubscribed", value=echo(cmd.value)), "unsubscribe")
    configured = [x for x in subs.channel_subscriptions(env.config, env.store, ctx.adapter, ctx.channel)
                  if x.created_by == "config" and x.kind in kinds and fold(x.value) in forms | {fold(cmd.value)}]
    key = "cmd_sub_in_config" if configured else "cmd_not_subscribed"
    return _message(lang, t(lang, key, value=echo(cmd.value)), "unsubscribe")


def subscriptions(_cmd: c.Subscriptions, env: Env, ctx: ChatContext) -> Message:
    lang = ctx.lang
    lines = []
    for sub in subs.channel_subscriptions(env.config, env.store, ctx.adapter, ctx.channel):
        notes = [t(lang, "mode_" + sub.mode)] if sub.mode != "both" else []
        if sub.created_by == "config":
            notes.append(t(lang, "from_config"))
        lines.append(Line.of(Span(label(lang, "kind_" + sub.kind), "bold"), sub.value,
                             f" ({'; '.join(notes)})" if notes else ""))
    if not lines:
        lines.append(Line.of(t(lang, "cmd_no_subscriptions")))
    return Message(headline=t(lang, "cmd_subscriptions"), lines=tuple(lines), lang=lang,
                   meta={"type": "subscriptions"})


def _known_topics(env: Env) -> dict[str, str]:
    """Folded form -> spelling of every topic the bot knows: source tags, channel topics, story topics."""
    topics = {fold(tag): tag for src in env.config.sources for tag in src.tags}
    topics.update({fold(x): x for ch in env.config.channels for x in ch.topics})
    topics.update({fold(x): x for x in story_topics(env.store)})
    return topics


def _kind(env: Env, kind: str | None, value: str) -> tuple[str, str]:
    """The kind of a subscription and its value; a topic named in the other language becomes the known one."""
    known = _known_topics(env)
    topic = next((known[form] for form in equivalents(value) if form in known), None)
    if kind == "topic" or (kind is None and topic is not None):
        return "topic", topic or value
    if kind is None and fold(value) in ALERT_TYPE_NAMES:
        return "type", fold(value)
    return kind or "keyword", value


def _message(lang: str, text: str, name: str) -> Message:
    return Message(headline=t(lang, "cmd_subscriptions"), lines=(Line.of(text),), lang=lang, meta={"type": name})
