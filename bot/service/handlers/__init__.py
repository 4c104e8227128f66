"""The `/news` commands, one handler per command (or small family), and the table the conversation
dispatches with: parsed command type -> handler, and whether only admins may run it.

A handler takes the parsed command, the conversation's `Env` and the chat context (whose `lang` is the
reader's) and returns the `Message` to post, or a coroutine of it when it waits on the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core import commands as c
from bot.service.handlers.base import Env, Handler
from bot.service.handlers.casualties import casualties
from bot.service.handlers.digest import digest
from bot.service.handlers.help import help_
from bot.service.handlers.listing import fighting, latest, statements
from bot.service.handlers.read import read
from bot.service.handlers.search import search
from bot.service.handlers.sources import sources, sources_add, sources_remove
from bot.service.handlers.story import story, story_admin
from bot.service.handlers.subscribe import subscribe, subscriptions, unsubscribe
from bot.service.story_admin import StoryMerge, StorySplit


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    admin: bool = False  # only admins may run it (asking for its help is not running it)


ROUTES: dict[type[Any], Route] = {
    c.Help: Route(help_),
    c.Latest: Route(latest),
    c.Statements: Route(statements),
    c.FightingCmd: Route(fighting),
    c.Casualties: Route(casualties),
    c.DigestCmd: Route(digest),
    c.Search: Route(search),
    c.StoryCmd: Route(story),
    c.Subscribe: Route(subscribe),
    c.Unsubscribe: Route(unsubscribe),
    c.Subscriptions: Route(subscriptions),
    c.Sources: Route(sources),
    c.SourcesAdd: Route(sources_add, admin=True),
    c.SourcesRemove: Route(sources_remove, admin=True),
    c.Read: Route(read),
    StoryMerge: Route(story_admin, admin=True),
    StorySplit: Route(story_admin, admin=True),
}


def command_name(kind: type[Any]) -> str:
    """The name a command class answers to (`sources add`): the default of its `name` field."""
    return str(kind.__dataclass_fields__["name"].default)


# By name too: a command typed wrong (a ParseError naming it) is refused to readers like a right one.
ADMIN_ONLY = frozenset(command_name(kind) for kind, route in ROUTES.items() if route.admin)

__all__ = ["ADMIN_ONLY", "ROUTES", "Env", "Handler", "Route", "command_name"]
