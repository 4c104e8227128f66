"""Full-text search: FTS5 on SQLite (bm25, snippets), LIKE elsewhere, words in English or French."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.core.models import Article
from bot.service import search as search_module
from bot.service.search import fts_query, query_groups, search
from bot.store import Store
from tests.commands.conftest import SEED_TITLE, World


def test_migration_5_creates_the_indexes(world: World) -> None:
    assert world.store.version() >= 5
    with world.store.tx() as conn:
        names = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
    assert {"articles_fts", "alerts_fts", "articles_fts_ai", "alerts_fts_ai"} <= names


def test_query_is_bilingual_and_quoted() -> None:
    groups = query_groups("Libya airport")
    assert groups == [{"libya", "libye"}, {"airport", "aeroport"}]
    assert fts_query(groups) == '("libya" OR "libye") AND ("aeroport" OR "airport")'
    # FTS syntax in user input is never interpreted
    assert fts_query(query_groups('NEAR(" OR *')) == '"near" AND "or"'


def test_search_finds_the_seed_with_snippet(world: World) -> None:
    hits = search(world.store, "aéroport")
    assert hits
    article = next(h for h in hits if h.kind == "article")
    assert article.title == SEED_TITLE
    matched = [part for part, is_match in article.snippet if is_match]
    assert matched and all(m.lower() == "aéroport" for m in matched)
    assert any(h.kind == "alert" for h in hits)  # the fighting alert's evidence names the airport


def test_search_ignores_accents_and_language(world: World) -> None:
    assert search(world.store, "aeroport")
    assert search(world.store, "airport")
    assert search(world.store, "LIBYA")
    assert search(world.store, "Zelensky") == []


def test_search_ranks_with_bm25(world: World) -> None:
    world.store.add_article(Article(id="other", text="Un marché a ouvert à Tripoli, au Liban, sans incident.",
                                    title="Marché", lang="fr", source="test"))
    hits = [h for h in search(world.store, "Tripoli Haftar") if h.kind == "article"]
    assert hits[0].title == SEED_TITLE
    either = [h.title for h in search(world.store, "Tripoli marché") if h.kind == "article"]
    assert either[0] == "Marché"


def test_like_fallback_finds_the_same(world: World) -> None:
    hits = search_module._like(world.store, query_groups("Haftar aéroport"), 10)
    assert any(h.kind == "article" and h.title == SEED_TITLE for h in hits)
    article = next(h for h in hits if h.kind == "article")
    assert any(is_match for _, is_match in article.snippet)


def test_index_follows_new_articles(tmp_path: object) -> None:
    store = Store.open("sqlite://")
    try:
        assert search(store, "Benghazi") == []
        store.add_article(Article(id="b", text="Des combats à Benghazi.", title="B", source="t"))
        assert [h.title for h in search(store, "benghazi")] == ["B"]
    finally:
        store.close()


@pytest.mark.parametrize("query", ["securite", "sécurité", "AEROPORT", "blessés"])
def test_search_ignores_accents_on_every_database(store: Store, query: str) -> None:
    """On PostgreSQL there is no FTS5: the fallback must fold accents as the SQLite index does."""
    from bot.core.models import Article

    store.add_article(Article(id="x", title="Sécurité à l'aéroport", source="afp",
                              text="Des tirs près de l'aéroport ont fait trois blessés, selon la sécurité civile."))
    store.add_article(Article(id="y", title="Autre", source="afp", text="Rien à voir ici."))
    hits = search_module.search(store, query)
    assert [h.title for h in hits if h.kind == "article"] == ["Sécurité à l'aéroport"]
