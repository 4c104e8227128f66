"""`/news story merge S3 S7` and `/news story split S3 A45`: admins correcting the machine.

- merge: every article of S7 (and its alerts) joins S3; S7 is redirected to S3, so articles the
  grouper would still file under S7 (copies of its articles) go to S3, and its thread's later alerts
  go to S3's thread. Figures are computed from the alerts of a story at each read, so S3's tallies,
  root, digest and answers include S7's figures from the next read on.
- split: the article of alert A45, with its near-duplicate copies in S3, leaves S3 for a new story;
  the cluster it came in with now points there, so later copies follow it.

Each correction bumps a generation number in the store's key/value state: every process's event
stories (`storylink.EventStories`) read their profiles again before their next decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core import commands as c
from bot.core.i18n import t
from bot.core.models import Line, Message, Span, fold
from bot.core.tally_sources import phrase
from bot.core.tally_text import view_lines
from bot.ingest.stories import STORY_LOCK
from bot.service import tallies
from bot.store import Store
from bot.store import stories_db as db
from bot.store.stories_db import GENERATION_KEY, generation


@dataclass(frozen=True, slots=True)
class StoryMerge:
    """`story merge S3 S7`: S7's articles join S3 (admins only)."""

    target: c.Ref
    source: c.Ref
    name: Literal["story merge"] = "story merge"


@dataclass(frozen=True, slots=True)
class StorySplit:
    """`story split S3 A45`: A45's article leaves S3 for a story of its own (admins only)."""

    story: c.Ref
    alert: c.Ref
    name: Literal["story split"] = "story split"


def is_story_admin(words: Sequence[str]) -> bool:
    """Whether command words are `story merge …` or `story split …`."""
    return len(words) >= 2 and fold(words[0]) in ("story", "sujet") and fold(words[1]) in ("merge", "split")


def parse_story_admin(words: Sequence[str], lang: str) -> StoryMerge | StorySplit | c.ParseError | None:
    """`story merge|split REF REF` (the words after the prefix) as a command; None for any other command.
    A ParseError names the command, so a reader who may not run it is told that, not how to type it."""
    if not is_story_admin(words):
        return None
    action = fold(words[1])
    name = f"story {action}"
    refs = [c.parse_ref(w, default="story") for w in words[2:]]
    if len(refs) != 2 or refs[0] is None or refs[1] is None:
        return c.ParseError(phrase("usage", lang, "admin"), name)
    return StoryMerge(refs[0], refs[1]) if action == "merge" else StorySplit(refs[0], refs[1])


def story_admin(store: Store, cmd: StoryMerge | StorySplit, lang: str) -> Message:
    """Run `story merge|split` and say what it did, with the figures now. The caller checked the rights."""
    first, second = (cmd.target, cmd.source) if isinstance(cmd, StoryMerge) else (cmd.story, cmd.alert)
    if first.kind != "story" or store.story(first.id) is None:
        return _error(lang, t(lang, "cmd_no_story", ref=first.label))
    if isinstance(cmd, StoryMerge):
        if second.kind != "story" or store.story(second.id) is None:
            return _error(lang, t(lang, "cmd_no_story", ref=second.label))
        if first.id == second.id:
            return _error(lang, phrase("same", lang, "admin"))
        moved = merge(store, first.id, second.id)
        text = phrase("merged", lang, "admin").format(source=second.id, target=first.id, n=moved)
        return _done(store, lang, text, [first.id])
    if second.kind != "alert":
        return _error(lang, phrase("usage", lang, "admin"))
    with store.exclusive(STORY_LOCK):  # checked and split at once: another admin may be moving the alert
        stored = store.alert(second.id)
        if stored is None:
            return _error(lang, t(lang, "cmd_no_story", ref=second.label))
        if stored.story_id != first.id:
            return _error(lang, phrase("not_in_story", lang, "admin").format(alert=second.id, story=first.id))
        result = split(store, first.id, stored.article_id)
    if result is None:
        return _error(lang, phrase("only_one", lang, "admin").format(story=first.id))
    new_id, moved = result
    text = phrase("split", lang, "admin").format(alert=second.id, source=first.id, target=new_id, n=moved)
    return _done(store, lang, text, [first.id, new_id])


def merge(store: Store, target: int, source: int) -> int:
    """Move every article of `source` into `target`; returns how many moved.

    Like `split`, one transaction under the story lock: all of it or nothing, and no article is filed
    while it runs (a filing reads the recent stories, and trusts they change only by filings or with
    the generation bumped: see `StoryGrouper.refresh`)."""
    with store.exclusive(STORY_LOCK):
        articles = db.story_articles(store, source)
        db.move_articles(store, articles, target, "merge")
        db.redirect(store, source, target, "merge")
        _bump(store)
    return len(articles)


def split(store: Store, story_id: int, article_id: int) -> tuple[int, int] | None:
    """Move an article and its copies out of a story into a new one: (new story, articles moved);
    None when they are the whole story. One transaction under the story lock (see `merge`)."""
    with store.exclusive(STORY_LOCK):
        return _split(store, story_id, article_id)


def _split(store: Store, story_id: int, article_id: int) -> tuple[int, int] | None:
    inside = set(db.story_articles(store, story_id))
    moving = [a for a in db.cluster_mates(store, article_id) if a in inside] or [article_id]
    if len(moving) >= len(inside):
        return None
    article = store.article(article_id)
    story = store.story(story_id)
    new_id = store.new_story(article.title if article else None, topic=story["topic"] if story else None)
    db.move_articles(store, moving, new_id, "split")
    filed = db.filed(store, article_id)
    if filed is not None and filed.cluster_id != story_id:
        db.redirect(store, filed.cluster_id, new_id, "split")
    _bump(store)
    return new_id, len(moving)


def _bump(store: Store) -> None:
    store.set_state(GENERATION_KEY, str(int(generation(store)) + 1))


def _done(store: Store, lang: str, text: str, story_ids: Sequence[int]) -> Message:
    lines = [Line.of(text)]
    for story_id in story_ids:
        view = tallies.story_view(store, story_id)
        if not view.empty:
            lines.append(Line.of(Span(f"S{story_id}", "bold")))
            lines.extend(view_lines(view, lang, rules=False))
    return Message(headline=t(lang, "story"), lines=tuple(lines), lang=lang, meta={"type": "story_admin"})


def _error(lang: str, text: str) -> Message:
    return Message(headline=t(lang, "cmd_error"), lines=(Line.of(text),), lang=lang, meta={"type": "error"})
