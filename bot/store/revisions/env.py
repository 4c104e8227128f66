"""Alembic's environment: migrate on the connection handed over in the config (`Store.open` does), or on
the database named by `-x url=…` or the config's `sqlalchemy.url` (the alembic command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.store.db import make_engine
from bot.store.migrations import context_options


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **context_options())
    with context.begin_transaction():  # joins the caller's transaction if it has one open
        context.run_migrations()


def _main() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) mode is not supported: the baseline inspects the database")
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("which database? pass -x url=… (a SQLAlchemy URL)")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


_main()
