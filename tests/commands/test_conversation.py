"""/news commands carried out over the seed store."""

from __future__ import annotations

from bot.core.commands import SPECS
from bot.core.models import Alert, Article, Casualty
from bot.service.conversation import NewsConversation, added_source_records, added_sources
from bot.store import Store
from tests.commands.conftest import SEED_ID, World, WorldFactory, seed_extractor


async def test_help_for_every_subcommand_through_the_conversation(world: World) -> None:
    listing = await world.run("help")
    for spec in SPECS:
        assert spec.usage in listing
        text = await world.run(f"help {spec.name}")
        # `code` in help text becomes code spans: compare without the backticks
        assert spec.usage in text and spec.details["en"].replace("`", "") in text
        french = await world.run(f"{spec.name} --help", lang="fr")
        assert spec.details["fr"].replace("`", "") in french


async def test_misspelled_command_gets_a_suggestion(world: World) -> None:
    text = await world.run("lastest Libya")
    assert "Did you mean `latest`?" in text or "Did you mean latest?" in text
    assert "latest [TOPIC]" in text
    french = await world.run("statments Pompeo", lang="fr")
    assert "Vouliez-vous dire" in french and "statements" in french


async def test_non_admin_sources_add_is_refused_before_anything_else(world: World) -> None:
    for text in ("sources add https://example.org/feed.xml", "sources add not-even-a-url", "sources remove seed",
                 "sources add"):
        reply = await world.run(text, admin=False)
        assert "Only admins may use" in reply, text
    assert added_source_records(world.store) == []


async def test_admin_sources_add_survives_a_restart_and_can_be_removed(world: World) -> None:
    reply = await world.run("sources add https://example.org/rss.xml --name example", admin=True, user="ops")
    assert "Source example added" in reply
    assert "already" in await world.run("sources add https://example.org/other --name Example", admin=True)
    # a restart: a new store on the same database
    again = Store.open(world.config.database)
    try:
        conversation = NewsConversation(again, world.config)
        message = await conversation.command("sources", world.ctx())
        assert "example (https://example.org/rss.xml)" in message.plain
        assert "added by ops" in message.plain
        assert [s.name for s in added_sources(again)] == ["example"]
        assert added_sources(again)[0].type == "feed"
    finally:
        again.close()
    assert "comes from the configuration file" in await world.run("sources remove seed", admin=True)
    assert "removed" in await world.run("sources remove example", admin=True)
    assert "No source added" in await world.run("sources remove example", admin=True)


async def test_sources_show_health(world: World) -> None:
    text = await world.run("sources")
    assert "seed" in text and "last success" in text and "healthy" in text
    text = await world.run("sources", lang="fr")
    assert "dernier succès" in text


async def test_latest_and_topic_matching_in_both_languages(world: World) -> None:
    everything = await world.run("latest")
    assert "[A1 · S1]" in everything and "Pompeo" in everything
    for topic in ("Libya", "libye", "LIBYE", "tripoli", "Haftar"):
        assert "Pompeo" in await world.run(f"latest {topic}"), topic
    assert "Nothing found" in await world.run("latest Ukraine")
    assert "Pompeo" in await world.run("latest --since 24h")


async def test_casualties_statements_fighting(world: World) -> None:
    cas = await world.run("casualties")
    assert "27 wounded — health ministry" in cas  # the reconciled view (bot.service.tallies)
    assert "14 killed — Ahmed al-Mesmari" in cas
    assert "Pompeo" not in cas
    assert "Mike Pompeo" in await world.run("statements pompeo")
    assert "Mike Pompeo" in await world.run("statements Secretary of State")
    assert "Mike Pompeo" in await world.run("statements secretaire d'etat")
    assert "Nothing found" in await world.run("statements Poutine")
    assert "Tripoli: fighting resumed (LNA, GNA)" in await world.run("fighting Tripoli")
    assert "Tripoli" in await world.run("fighting Libya")
    assert "Combats" in await world.run("fighting libye", lang="fr")


async def test_digest_in_each_language(world: World) -> None:
    en = await world.run("digest")
    assert en.startswith("Digest") and "Casualty figures" in en and "Health Ministry" in en
    fr = await world.run("digest libye --since 7d", lang="fr")
    assert fr.startswith("Résumé") and "ministère de la Santé" in fr and "Bilans" in fr


async def test_search_command(world: World) -> None:
    text = await world.run("search aéroport")
    assert "aéroport" in text and "[S1]" in text
    assert "[S1]" in await world.run("search airport")
    assert "No results" in await world.run("search Zelensky")


async def test_story_command(world: World) -> None:
    text = await world.run("story S1")
    assert "Libye : Washington" in text and SEED_ID in text and "[A4 · S1]" in text
    assert text == await world.run("story A4")
    assert "No story or alert S99" in await world.run("story 99")


async def test_subscriptions(world: World) -> None:
    assert "follows the topic libya" in await world.run("subscribe libya")
    assert "follows the keyword Haftar" in await world.run("subscribe Haftar")
    assert "already follows" in await world.run("subscribe LIBYA")
    listing = await world.run("subscriptions")
    assert "topic: libya" in listing and "keyword: Haftar" in listing
    assert "sujet: libya" in await world.run("subscriptions", lang="fr")
    assert "no longer follows" in await world.run("unsubscribe haftar")
    assert "does not follow" in await world.run("unsubscribe haftar")
    other = await world.run("subscriptions", channel="console-fr", lang="fr")
    assert "aucun" in other


def _benghazi_extractor(article: Article) -> list[Alert]:
    if article.id == "page-1":
        return [Casualty(article.id, killed=3, qualifier="exact", location="Benghazi", reported_by="secouristes",
                         evidence=article.text)]
    return seed_extractor(article)


async def test_read_url_through_an_injected_reader(make_world: WorldFactory) -> None:
    async def reader(url: str) -> Article:
        return Article(id="page-1", text="Trois personnes ont été tuées à Benghazi, selon les secouristes.",
                       title="Benghazi", lang="fr", url=url, source="read", outlet="example.org")

    world = await make_world(extractor=_benghazi_extractor, read_url=reader)
    text = await world.run("read https://example.org/benghazi")
    assert "1 new alert" in text and "3 killed (rescuers) — Benghazi" in text
    again = await world.run("read https://example.org/benghazi")
    assert "0 new alert" in again


async def test_read_url_refused_by_the_guard(make_world: WorldFactory) -> None:
    async def refusing(url: str) -> Article:
        raise ValueError("private address 127.0.0.1 refused")

    world = await make_world(read_url=refusing)
    text = await world.run("read http://127.0.0.1/admin")
    assert "Could not read http://127.0.0.1/admin: private address 127.0.0.1 refused" in text


async def test_channel_language_from_the_configuration_when_the_adapter_leaves_the_default(world: World) -> None:
    # an adapter that does not fill ctx.lang: the configured channel's language is used
    assert (await world.run("help", channel="console-fr")).startswith("Commandes /news")
    assert (await world.run("help", channel="console-en")).startswith("/news commands")


async def test_default_reader_refuses_a_private_address(world: World) -> None:
    # the real guard (bot.ingest.guard): no network needed for an IP literal
    text = await world.run("read http://127.0.0.1:9/admin")
    assert "Could not read http://127.0.0.1:9/admin" in text
    assert "127.0.0.1" in text and "refused" in text


async def test_conversation_for_a_running_app(world: World) -> None:
    from bot.service.app import open_app
    from bot.service.conversation import conversation_for

    async with open_app(world.config) as app:
        conversation = conversation_for(app)
        message = await conversation.command("casualties", world.ctx())
        assert "27 wounded" in message.plain
        answer = await conversation.follow_up("Who spoke?", world.ctx(thread=world.thread()))
        assert answer is not None and "Mike Pompeo" in answer.plain


async def test_subscribe_types_modes_and_topics_in_the_other_language(world: World) -> None:
    assert "follows the topic libya" in await world.run("subscribe Libye")  # the source tag, named in French
    assert "alert type casualty" in await world.run("subscribe casualty --mode digest")
    assert "digest only" in await world.run("subscriptions")
    assert "minimum importance 6" in await world.run("subscribe importance 6")
    assert "importance is a number" in await world.run("subscribe importance lots")
    assert "no longer follows" in await world.run("unsubscribe libya")


async def test_latest_since_a_time(world: World) -> None:
    assert "Nothing found" in await world.run("latest --since 2999-01-01T00:00")
    assert "Pompeo" in await world.run("latest --since 2000-01-01")
