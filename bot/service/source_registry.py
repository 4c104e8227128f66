"""Sources added by command, as `SourceConfig`s the pipeline polls beside the configured ones."""

from __future__ import annotations

from bot.config import SourceConfig
from bot.store import Store
from bot.store.source_registry import added_source_records


def added_sources(store: Store, *, interval_s: int = 900) -> list[SourceConfig]:
    return [SourceConfig(name=d["name"], type=d.get("type", "page"), url=d["url"], interval_s=interval_s)
            for d in added_source_records(store)]
