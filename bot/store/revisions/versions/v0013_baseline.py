"""Baseline: the schema of hand-written migration 13, from an empty database or one of any legacy version.

It runs the frozen legacy steps a database still lacks (`bot.store.legacy_migrations`; none on a database
of version 13), then adds any index or nullable column that a legacy table lacks (the old steps created a
table's indexes only with the table, so a database older than an index kept without it), and drops the
legacy `schema_migrations` table: from here on `alembic_version` records the version. No row is touched.
"""

from __future__ import annotations

from alembic import op

from bot.store import legacy_migrations as legacy

revision = "0013"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    legacy.migrate(conn, legacy.LEGACY_LATEST)
    for table in legacy.metadata.sorted_tables:
        if table is legacy.schema_migrations:
            continue
        legacy.add_missing_columns(conn, tuple((table, c.name) for c in table.columns if c.nullable))
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    legacy.schema_migrations.drop(conn)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore the backup taken before upgrading")
