"""Alembic revisions, one file each, numbered: v0013_baseline.py, v0014_….py (Alembic skips this file)."""
