"""Alembic's script directory for the store: env.py, the revision template and versions/.

`bot.store.migrations` runs them when a store opens; `python -m bot.store.revisions` writes a new one.
"""
