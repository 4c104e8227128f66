"""Natural-language words in Python string literals: what a language pack should hold instead.

Usage: python scripts/lang_words.py ROOT [-v] FILE...
ROOT is the checkout whose names are "code, not words"; give the same ROOT to compare two checkouts.
Example: python scripts/lang_words.py . bot/core/*.py

A literal counts when it holds a word that is not a name of the code: not a Python identifier of ROOT/bot,
not a value of a Literal[...] type, not a key of ROOT's YAML data. Docstrings, module and file names, and
the character classes and escapes of regular expressions never count. Every word (2+ letters) of a counted
literal counts.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from pathlib import Path
from typing import Any

import yaml

WORD = re.compile(r"[^\W\d_]{2,}")


def code_names(root: Path) -> set[str]:
    names: set[str] = set()
    for py in root.glob("bot/**/*.py"):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.arg, ast.keyword)) and node.arg:
                names.add(node.arg)
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
                names.update(c.value for c in ast.walk(node.slice)
                             if isinstance(c, ast.Constant) and isinstance(c.value, str))
    for path in root.glob("bot/**/*.yaml"):
        with contextlib.suppress(yaml.YAMLError):
            _keys(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader), names)
    return names


def _keys(data: Any, out: set[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            out.add(str(key))
            _keys(value, out)
    elif isinstance(data, list):
        for value in data:
            _keys(value, out)


def words_of(literal: str) -> list[str]:
    if "\\" in literal or "(?" in literal or re.search(r"\[[^\]]+\]", literal):  # a regular expression
        literal = re.sub(r"\\.", " ", re.sub(r"\[[^\]]*\]", " ", literal))
    return WORD.findall(literal)


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def main(argv: list[str]) -> None:
    root, files = Path(argv[0]), argv[1:]
    verbose = bool(files) and files[0] == "-v"
    files = files[1:] if verbose else files
    names = code_names(root)
    name_words = {w.lower() for n in names for w in re.split(r"[_:\s]", n) if w}

    def is_code(literal: str) -> bool:
        s = literal.strip()
        if re.fullmatch(r"[a-z0-9]+(?:[_.:][a-z0-9]+)+", s) or re.search(r"\.(ya?ml|tsv|json|png|py)$", s):
            return True
        return s in names or s.lower() in {"utf-8", "utf8"} or all(
            w.lower() in name_words or w in names for w in words_of(literal))

    total, distinct = 0, set()
    for file in files:
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
        skip = docstrings(tree)
        rows = [(node.lineno, node.value) for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                and not is_code(node.value) and words_of(node.value)]
        count = sum(len(words_of(s)) for _, s in rows)
        distinct |= {w.lower() for _, s in rows for w in words_of(s)}
        total += count
        print(f"{count:5d} {file}")
        if verbose:
            for line, s in sorted(rows):
                print(f"        {line}: {s!r}"[:150])
    print(f"{total:5d} words in all, {len(distinct)} distinct")


if __name__ == "__main__":
    main(sys.argv[1:])
