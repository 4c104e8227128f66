"""Tables of event stories (migration 13), apart from `schema` so that their owner edits them alone."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Integer, String, Table, Text

from bot.store.schema import metadata

# One row per article: its near-duplicate cluster (the story row the MinHash grouper gave it), the event
# story it was filed under, how and with what score, the entities it names (JSON) and its topics.
article_stories = Table(
    "article_stories", metadata,
    Column("article_id", Integer, primary_key=True, autoincrement=False),
    Column("story_id", Integer, nullable=False, index=True),
    Column("cluster_id", Integer, nullable=False, index=True),
    Column("published", Date, index=True),
    Column("how", String(16), nullable=False),  # cluster | entities | new | merge | split
    Column("score", Float, nullable=False, default=0.0),
    Column("entities", Text, nullable=False),
    Column("topics", String(400)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A story row that now stands for another: a cluster filed under an event story, or a story an admin
# merged into another. Articles the grouper files under the first go to the second.
story_redirects = Table(
    "story_redirects", metadata,
    Column("story_id", Integer, primary_key=True, autoincrement=False),
    Column("target_id", Integer, nullable=False, index=True),
    Column("reason", String(16), nullable=False),  # cluster | merge
    Column("created_at", DateTime(timezone=True), nullable=False),
)
