"""The store: SQLite by default, any SQLAlchemy URL (PostgreSQL) in production."""

from bot.store.db import SourceState, Store, StoredAlert, StoredArticle, utcnow

__all__ = ["SourceState", "Store", "StoredAlert", "StoredArticle", "utcnow"]
