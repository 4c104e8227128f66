"""Follow-up questions in an alert's thread, answered from the seed story (test extractor)."""

from __future__ import annotations

from tests.commands.conftest import SEED_ID, SEED_TITLE, World


async def test_who_spoke_names_pompeo(world: World) -> None:
    text = await world.ask("Qui a parlé ?")
    assert "Mike Pompeo" in text
    assert "secrétaire d'Etat" in text  # answered in French: the role stays French
    assert "Qui a parlé" in text


async def test_how_many_wounded_gives_27_and_says_others_gave_none(world: World) -> None:
    text = await world.ask("How many were wounded?")
    assert "27 wounded" in text
    assert "Health Ministry" in text
    assert "Other sources gave no figure for the wounded" in text
    assert "Ahmed al-Mesmari" in text and "the article itself" in text
    # the sentence the figure comes from, quoted as said
    assert "au moins 27 blessées" in text


async def test_where_gives_tripoli_and_airport(world: World) -> None:
    text = await world.ask("Où ?")
    assert "Tripoli" in text
    assert "aéroport international de Tripoli" in text
    assert text.startswith("Où")


async def test_where_in_english_names_the_airport_in_english(world: World) -> None:
    text = await world.ask("Where?")
    assert "Tripoli International Airport" in text


async def test_source_cites_the_seed(world: World) -> None:
    text = await world.ask("source?")
    assert SEED_TITLE in text
    assert SEED_ID in text  # the file it was read from
    assert "seed" in text


async def test_russia_is_not_in_the_sources(world: World) -> None:
    text = await world.ask("Quelle est la position de la Russie ?")
    assert "Ce n'est pas dans les sources" in text
    assert "Russie" in text
    assert "Pompeo" not in text.split("\n")[0]


async def test_question_about_unknown_person_is_not_guessed(world: World) -> None:
    text = await world.ask("What did Putin say?")
    assert "Not in the sources" in text
    assert "Putin" in text


async def test_what_was_said_quotes_in_original(world: World) -> None:
    text = await world.ask("Qu'a dit Pompeo exactement ?")
    assert "Nous avons clairement indiqué" in text
    assert "Ce qui a été dit" in text


async def test_how_many_killed_lists_every_source(world: World) -> None:
    text = await world.ask("Combien de morts ?")
    assert "35" in text and "21" in text and "14" in text
    assert "ministère de la Santé" in text and "Ahmed al-Mesmari" in text


async def test_when(world: World) -> None:
    text = await world.ask("When did this happen?")
    assert "2019-04-07" in text and "2019-04-08" in text


async def test_what_changed_and_what_else(world: World) -> None:
    changed = await world.ask("What changed since?")
    assert "One article so far" in changed
    other = await world.ask("Quoi d'autre ?")
    assert "Dans ce sujet" in other


async def test_answer_in_question_language_not_channel(world: World) -> None:
    text = await world.ask("How many were wounded?", channel="console-fr", lang="fr")
    assert "27 wounded" in text and "Health Ministry" in text


async def test_thread_not_ours_is_none(world: World) -> None:
    ctx = world.ctx(thread="some-other-message")
    assert await world.conversation.follow_up("Qui ?", ctx) is None
    assert await world.conversation.follow_up("Qui ?", world.ctx()) is None


async def test_a_name_the_sources_never_quote_is_not_answered_with_another_speaker(world: World) -> None:
    text = await world.ask("Who is Ghassan Salame?")
    assert text.startswith("No direct answer in the sources")
    assert "Ghassan Salame" in text  # the closest sentence names him
    assert "Mike Pompeo (Secretary of State)" not in text


async def test_figures_of_the_source_asked_about_come_first(world: World) -> None:
    text = await world.ask("Combien de morts selon le ministère ?")
    lines = text.splitlines()
    assert lines[1] == "Au moins 21 tués (ministère de la Santé, Tripoli)"


async def test_who_in_english_translates_the_role(world: World) -> None:
    text = await world.ask("Who said it?")
    assert "Mike Pompeo (Secretary of State)" in text
    assert "Health Ministry" in text
