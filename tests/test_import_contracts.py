"""The direction of dependence holds: the layers of docs/ARCHITECTURE.md, and no import circles.

The layers are import-linter's contract in `pyproject.toml`; the circles are
found here over the same import graph (grimp, import-linter's own), counting
every import, function-level ones too, because a circle hidden inside a
function is still a circle. Import-linter has no contract for circles between
arbitrary modules, so the search is written here: a strongly-connected-
components pass over the graph.
"""

from __future__ import annotations

import io
import re
import tomllib
from contextlib import redirect_stdout
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
ROOT_PACKAGES = ("config", "federation", "timeline", "members", "governance", "frontend")


def test_every_import_respects_the_layers() -> None:
    """No module imports a layer above its own, except the imports the contract names and justifies."""
    output = io.StringIO()
    with redirect_stdout(output):
        exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert exit_code == 0, output.getvalue()


def test_every_module_stands_in_a_layer() -> None:
    """A module the contract leaves out would be free to import anything, so none is left out."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layered = [name for layer in config["contracts"][0]["layers"] for name in re.split(r"[:|]", layer)]
    layered = [name.strip() for name in layered]
    graph = grimp.build_graph(*ROOT_PACKAGES, cache_dir=None)
    outside = [
        module
        for module in sorted(graph.modules)
        if module not in ROOT_PACKAGES and not any(module == name or module.startswith(f"{name}.") for name in layered)
    ]
    assert outside == []


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Return the groups of modules that import each other round a circle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        # Recursion depth is bounded by the length of an import chain, a few dozen modules.
        index[module] = lowest[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in on_stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_modules_import_each_other_round_a_circle() -> None:
    """No set of modules imports itself back, whatever the layer."""
    graph = grimp.build_graph(*ROOT_PACKAGES, cache_dir=None)
    assert _circles(graph) == []


def test_the_circle_search_finds_a_circle() -> None:
    """A graph with a circle is reported, so the test above can fail."""
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.three")
    graph.add_import(importer="a.three", imported="a.one")
    assert _circles(graph) == [["a.one", "a.three", "a.two"]]
