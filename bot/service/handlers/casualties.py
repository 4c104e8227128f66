"""`casualties [TOPIC]`: the reconciled figures of the stories, as the thread roots and digests show them,
with the chart of the newest story whose figures have two dates or more."""

from __future__ import annotations

import dataclasses

from bot.chat.base import ChatContext
from bot.core import commands as c
from bot.core.models import Message, fold
from bot.core.tally import Reconciled
from bot.service.delivery import casualty_charts
from bot.service.handlers.base import Env
from bot.service.tallies import casualties_message, figure_story_lists


def casualties(cmd: c.Casualties, env: Env, ctx: ChatContext) -> Message:
    # A topic may be a source tag: the figures of those sources' stories count too.
    tagged = [src.name for src in env.config.sources if cmd.topic and fold(cmd.topic) in {fold(x) for x in src.tags}]
    # The stories, read once: with the tagged sources' for the figures, without them for the chart.
    stories, charted = figure_story_lists(env.store, cmd.topic, tagged_sources=tagged, limit=5)
    views: dict[int, Reconciled] = {}  # the stories' figures, read once for the answer and its chart
    message = casualties_message(env.store, cmd.topic, lang=ctx.lang, stories=stories, views=views)
    # Blocking (draws a PNG): this handler runs in a worker thread, see bot.service.handlers.
    charts = casualty_charts(env.store, ctx.lang, stories=charted, views=views)
    return dataclasses.replace(message, attachments=charts)
