"""A thread answer starts from the alert it was asked under, then the story, and stays short."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.answers import Fact, Source, StoryFacts, answer
from bot.core.commands import Ref
from bot.core.models import Alert, Casualty, Statement
from bot.store import StoredAlert
from tests.commands.conftest import World


def _alert(world: World, test: Callable[[Alert], bool]) -> StoredAlert:
    return next(sa for sa in world.store.alerts() if test(sa.alert))


def _ask(world: World, alert: StoredAlert, question: str, lang: str = "en") -> list[str]:
    message = world.conversation.answer_ref(Ref("alert", alert.id), question, default_lang=lang)
    return message.plain.split("\n")


async def test_who_said_it_on_a_figure_names_who_gave_that_figure_first(world: World) -> None:
    figure = _alert(world, lambda a: isinstance(a, Casualty) and a.killed == 21)
    lines = _ask(world, figure, "Who said it?")
    # before: five speakers, each with a citation, Mike Pompeo first
    assert lines[1] == "Source of this figure: Health Ministry (at least 21 killed, 27 wounded)"
    assert "Au moins 35" not in "\n".join(lines) and "Nous avons clairement" not in "\n".join(lines)
    assert lines[-1] == "Also in this story: Mike Pompeo (Secretary of State), Ahmed al-Mesmari"
    assert len(lines) <= 6


async def test_in_the_thread_the_root_alert_comes_first(world: World) -> None:
    root = world.store.alert_of_message("console", "console-en", world.thread())
    stored = world.store.alert(root) if root is not None else None
    assert stored is not None and isinstance(stored.alert, Casualty)
    text = await world.ask("who said it?")
    first = text.split("\n")[1]
    assert first.startswith("Source of this figure:") and f"{stored.alert.killed} killed" in first


def _story(*statements: Statement, root: int) -> StoryFacts:
    text = " ".join(s.evidence for s in statements)
    src = Source(1, "Réunion du Conseil", "AFP", "https://example.org/a", "fr", text)
    facts = tuple(Fact(i + 1, st, src) for i, st in enumerate(statements))
    return StoryFacts(1, "Réunion du Conseil", facts, (src,), root_alert_id=root)


def test_what_was_said_under_a_statement_quotes_that_statement_only() -> None:
    said = [Statement("a", name, quote, evidence=f"« {quote} », a dit {name}.") for name, quote in (
        ("Ghassan Salamé", "Il n'y a pas de solution militaire"), ("Antonio Guterres", "Les combats doivent cesser"),
        ("Mike Pompeo", "Nous nous opposons à l'offensive"), ("Jean-Yves Le Drian", "La France appelle au calme"))]
    lines = answer("what was said?", _story(*said, root=2)).plain.split("\n")
    text = "\n".join(lines)
    assert lines[1].startswith("Antonio Guterres") and "Les combats doivent cesser" in text
    assert "Ghassan" not in text and "Pompeo" not in text
    assert lines[-1] == "3 more in this story: ask “what else?”"
    french = answer("qu'a-t-il dit exactement ?", _story(*said, root=2), default_lang="fr").plain.split("\n")
    assert french[-1] == "3 de plus dans ce sujet : demandez « quoi d'autre ? »"
    # asked under no alert (a story): the first three, then what was left out
    whole = answer("what was said?", _story(*said, root=99)).plain
    assert "Le Drian" not in whole and whole.endswith("1 more in this story: ask “what else?”")


async def test_how_many_killed_starts_from_the_figure_asked_about(world: World) -> None:
    figure = _alert(world, lambda a: isinstance(a, Casualty) and a.killed == 14)
    lines = _ask(world, figure, "how many killed?")
    assert lines[1].startswith("14 killed (Ahmed al-Mesmari")
    # only that figure's sentence is cited; the other figures follow in one line each
    assert sum(1 for line in lines if line.startswith("— ")) == 1
    assert any(line.startswith("At least 35 killed") for line in lines)


def test_when_starts_from_the_alert_asked_about_and_stays_short() -> None:
    import datetime as dt

    said = [Statement("a", name, "Il faut cesser les combats", date=dt.date(2019, 4, day),
                      evidence=f"« Il faut cesser les combats », a dit {name}.")
            for day, name in ((1, "Ghassan Salamé"), (2, "Antonio Guterres"), (3, "Mike Pompeo"),
                              (4, "Jean-Yves Le Drian"), (5, "Fayez al-Sarraj"))]
    lines = answer("when?", _story(*said, root=4)).plain.split("\n")
    assert lines[1] == "Jean-Yves Le Drian spoke on 2019-04-04"
    assert "2 more in this story: ask “what else?”" in lines
    assert sum(1 for line in lines if "spoke on" in line) == 3
