"""The layering contract, read from the source (AST, no import of the bot): who may import whom.

- bot/core imports nothing of the project outside bot/core (it is pure: rules and data);
- bot/store imports only bot/core (and itself);
- bot/ingest and bot/chat import nothing of bot/service; nothing but `python -m bot` imports the CLI (bot/cli);
- only bot/store names sqlalchemy, its tables (schema, stories_schema) or its transactions and engine;
- no import circles among the bot's modules.

Every import counts: at the top of a module or inside a function (an import moved into a function to
break a circle still makes one). Imports under `if TYPE_CHECKING:` count for the layers, not for
circles (they never run). `from package import submodule` is an import of the submodule.

KNOWN_* list what was already broken when the contract was written, in files other branches own: the
test fails on any new violation, and on a known one that is gone (so the lists only shrink).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

BOT = ROOT / "bot"

# (importer, imported) edges that close an import circle today; owners in parentheses.
KNOWN_CIRCLE_EDGES: set[tuple[str, str]] = set()
# Modules outside bot/store that name sqlalchemy today (owners in parentheses).
KNOWN_SQL_OUTSIDE_STORE: set[str] = set()
# (importer, imported) edges that break a layer rule today.
KNOWN_LAYER_BREAKS: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    found = {}
    for path in BOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    """(module imported, whether only for type checking) for every import of a file."""

    def walk(node: ast.AST, typing_only: bool) -> Iterator[tuple[str, bool]]:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from walk(child, True)
            for child in node.orelse:
                yield from walk(child, typing_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, typing_only
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES]
            yield from ((sub, typing_only) for sub in subs)
            if len(subs) < len(node.names):  # names from the module itself, not only its submodules
                yield node.module, typing_only
        for sub in ast.iter_child_nodes(node):
            yield from walk(sub, typing_only)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")), False)


def _graph(*, typing_too: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        graph[name] = {imported for imported, typing_only in _imports(path)
                       if imported in MODULES and imported != name and (typing_too or not typing_only)}
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _may_import(importer: str, imported: str) -> bool:
    source, target = _layer(importer), _layer(imported)
    if target == "cli":
        return source == "cli" or importer == "bot.__main__"
    if source == "core":
        return target == "core"
    if source == "store":
        return target in ("core", "store")
    if source in ("ingest", "chat"):
        return target != "service"
    return True


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_contract_reads_the_whole_bot() -> None:
    graph = _graph(typing_too=True)
    assert {"bot.core.models", "bot.store.db", "bot.service.conversation", "bot.cli"} <= set(graph)
    assert "bot.core.models" in graph["bot.store.db"]  # imports are really read


def test_layers() -> None:
    breaks = {(importer, imported) for importer, targets in _graph(typing_too=True).items()
              for imported in targets if not _may_import(importer, imported)}
    assert breaks - KNOWN_LAYER_BREAKS == set(), "new layer breaks"
    assert KNOWN_LAYER_BREAKS - breaks == set(), "fixed: remove them from KNOWN_LAYER_BREAKS"


def test_no_new_import_circle() -> None:
    graph = _graph(typing_too=False)
    known = {edge for edge in KNOWN_CIRCLE_EDGES if edge[1] in graph.get(edge[0], set())}
    assert known == KNOWN_CIRCLE_EDGES, f"gone: remove {KNOWN_CIRCLE_EDGES - known} from KNOWN_CIRCLE_EDGES"
    for importer, imported in known:
        graph[importer].discard(imported)
    assert _cycles(graph) == [], "new import circle(s)"
    for importer, imported in known:  # each known edge still closes a circle, else it is not worth listing
        graph[importer].add(imported)
        assert any(importer in cycle for cycle in _cycles(graph)), (importer, imported)
        graph[importer].discard(imported)


def test_only_the_store_speaks_sql() -> None:
    users = {name for name, path in MODULES.items() if _layer(name) != "store"
             and any(imported.split(".")[0] == "sqlalchemy" for imported, _ in _imports(path))}
    assert users - KNOWN_SQL_OUTSIDE_STORE == set(), "sqlalchemy outside bot/store"
    assert KNOWN_SQL_OUTSIDE_STORE - users == set(), "fixed: remove them from KNOWN_SQL_OUTSIDE_STORE"


# The store's table modules and its handles on the database: outside bot/store, naming one is holding SQL
# even without importing sqlalchemy (a query built on `schema.articles`, a transaction opened by hand).
STORE_TABLES = {"bot.store.schema", "bot.store.stories_schema"}
STORE_HANDLES = {"tx", "engine"}


def _sql_handles(tree: ast.AST) -> set[str]:
    """The store's database handles a module reaches for: `x.tx()`, `x.engine`."""
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr in STORE_HANDLES}


def test_no_tables_transactions_or_engine_outside_the_store() -> None:
    found = {}
    for name, path in MODULES.items():
        if _layer(name) == "store":
            continue
        tables = {imported for imported, _ in _imports(path) if imported in STORE_TABLES}
        handles = _sql_handles(ast.parse(path.read_text(encoding="utf-8")))
        if tables or handles:
            found[name] = sorted(tables | handles)
    assert found == {}, "move these queries into bot/store"


def test_a_hand_opened_transaction_is_caught() -> None:
    assert _sql_handles(ast.parse("with store.tx() as conn:\n    pass\nurl = store.engine.url")) == {"tx", "engine"}
    assert _sql_handles(ast.parse("store.alerts(types=['casualty'])")) == set()


def test_a_circle_and_a_layer_break_are_caught() -> None:
    """The checks themselves: a made-up circle and a made-up break are found."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert not _may_import("bot.core.models", "bot.store.db")
    assert not _may_import("bot.store.db", "bot.config")
    assert not _may_import("bot.ingest.fetch", "bot.service.pipeline")
    assert not _may_import("bot.service.app", "bot.cli.run")
    assert _may_import("bot.cli.run", "bot.service.app")
