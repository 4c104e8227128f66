"""The `/news` commands, one handler per command (or small family), and the table the conversation
dispatches with: parsed command type -> handler, and whether only admins may run it.

A handler takes the parsed command, the conversation's `Env` and the chat context (whose `lang` is the
reader's) and returns the `Message` to post, or a coroutine of it when it waits on the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import commands as c
from bot.service.handlers import casualties, digest, help, listing, read, search, sources, story, subscribe
from bot.service.handlers.base import Env, Handler
from bot.service.story_admin import StoryMerge, StorySplit


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    admin: bool = False  # only admins may run it (asking for its help is not running it)


ROUTES: dict[type[Any], Route] = {
    c.Help: Route(help.help_),
    c.Latest: Route(listing.latest),
    c.Statements: Route(listing.statements),
    c.FightingCmd: Route(listing.fighting),
    c.Casualties: Route(casualties.casualties),
    c.DigestCmd: Route(digest.digest),
    c.Search: Route(search.search),
    c.StoryCmd: Route(story.story),
    c.Subscribe: Route(subscribe.subscribe),
    c.Unsubscribe: Route(subscribe.unsubscribe),
    c.Subscriptions: Route(subscribe.subscriptions),
    c.Sources: Route(sources.sources),
    c.SourcesAdd: Route(sources.sources_add, admin=True),
    c.SourcesRemove: Route(sources.sources_remove, admin=True),
    c.Read: Route(read.read),
    StoryMerge: Route(story.story_admin, admin=True),
    StorySplit: Route(story.story_admin, admin=True),
}


def command_name(kind: type[Any]) -> str:
    """The name a command class answers to (`sources add`): the default of its `name` field."""
    return str(kind.__dataclass_fields__["name"].default)


# By name too: a command typed wrong (a ParseError naming it) is refused to readers like a right one.
ADMIN_ONLY = frozenset(command_name(kind) for kind, route in ROUTES.items() if route.admin)

__all__ = ["ADMIN_ONLY", "ROUTES", "Env", "Handler", "Route", "command_name"]
