"""`python -m bot casualties [TOPIC]`: the reconciled casualty figures of stories, and their history.

Reads the configured database (what `python -m bot run` stored); writes nothing to it but the
migrations opening it may apply. Charts are saved under ./data/charts/ unless --no-chart is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from bot.config import DEFAULT_CONFIG, load_config
from bot.core.i18n import languages


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "casualties",
        help="casualty figures per story: each source's latest figure, a low/best/high range, the history",
        description="Print, for the stories holding casualty figures (those of TOPIC when given: a story "
        "topic, a source tag or words of a story's title), each source's latest figure side by side, a "
        "low/best/high range per counted group, and every figure in order with what it changed.",
    )
    p.add_argument("topic", nargs="?", metavar="TOPIC", help="only stories of this topic (default: all)")
    p.add_argument("-c", "--config", default=str(DEFAULT_CONFIG), help="configuration file (default: %(default)s)")
    p.add_argument("--lang", choices=languages(), help="language of the output (default: the config's)")
    p.add_argument("--limit", type=int, default=10, help="at most this many stories (default: %(default)s)")
    p.add_argument("--no-chart", action="store_true", help="do not save charts under ./data/charts/")
    p.set_defaults(handler=cmd_casualties)


def cmd_casualties(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from bot.chat.console import ConsoleAdapter
    from bot.core.i18n import t
    from bot.core.models import Line, Message, Span, fold
    from bot.core.tally_text import view_lines
    from bot.service import tallies
    from bot.store import Store

    out = out or sys.stdout
    config = load_config(Path(args.config))
    lang = args.lang or next((c.language for c in config.channels if c.output == "console"), config.language)
    console = ConsoleAdapter(out, color=config.console.color)
    topic: str | None = args.topic
    tagged = [src.name for src in config.sources if topic and fold(topic) in {fold(x) for x in src.tags}]
    store = Store.open(config.database)
    try:
        stories = tallies.stories_with_figures(store, topic, tagged_sources=tagged, limit=max(1, args.limit))
        if not stories:
            out.write(t(lang, "no_figures") + "\n")
            return 0
        if topic and len(stories) > 1:
            view = tallies.topic_view(store, [int(st["id"]) for st in stories], topic)
            message = Message(headline=f"{t(lang, 'casualties')} — {topic}", lang=lang,
                              lines=tuple(view_lines(view, lang)))
            out.write(console.format(message) + "\n\n")
        for story in stories:
            story_id = int(story["id"])
            view = tallies.story_view(store, story_id)
            lines: list[Line] = [*view_lines(view, lang),
                                 Line.of(Span(t(lang, "history"), "bold")), *tallies.history_lines(view, lang)]
            attachments: tuple[str, ...] = ()
            if not args.no_chart:
                chart = tallies.story_chart(store, story_id, lang=lang, view=view)
                attachments = (str(chart),) if chart is not None else ()
            message = Message(
                headline=f"{t(lang, 'story')} {story_id}: {story['title'] or ''}".rstrip(": "),
                lines=tuple(lines), lang=lang, attachments=attachments)
            out.write(console.format(message) + "\n\n")
    finally:
        store.close()
    return 0
