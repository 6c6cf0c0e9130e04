"""The house as README's "Architecture" draws it: folders by concern on floors, every import
running down a floor or within one, no circle of imports, no module over 450 lines."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = [
    ("config",),
    ("worker.prompt",),
    ("worker.job",),
    ("worker.understanding", "worker.files", "worker.media"),
    ("worker.backends",),
    ("worker.queue",),
    ("worker.outputs",),
    ("worker.flow",),
    ("producer",),
]
"""From the ground up: what each floor's folders hold may use what the floors below hold."""
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for top in ("config", "producer", "worker")
    for path in (ROOT / top).rglob("*.py")
}


def floor_of(module: str) -> int:
    for number, folders in enumerate(FLOORS):
        if any(module == folder or module.startswith(f"{folder}.") for folder in folders):
            return number
    raise AssertionError(f"{module} is on no floor: give its folder one in FLOORS")


def imports_of(module: str) -> set[str]:
    """The modules of the house that ``module`` imports, wherever in it (a function's lazy
    import counts too: it is an arrow all the same)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named = [f"{node.module}.{alias.name}" for alias in node.names]
            found |= {name for name in named if name in MODULES} or (
                {node.module} if node.module in MODULES else set()
            )
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
    return found - {module}


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_module_stands_on_a_floor() -> None:
    for module in MODULES:
        if module not in ("worker", "config", "producer"):
            floor_of(module)


def test_no_import_runs_up_a_floor() -> None:
    upward = [
        f"{module} (floor {floor_of(module)}) imports {target} (floor {floor_of(target)})"
        for module, targets in GRAPH.items()
        if module not in ("worker",)
        for target in targets
        if target != "worker" and floor_of(target) > floor_of(module)
    ]
    assert upward == []


def test_imports_make_no_circle() -> None:
    """Depth-first over the import graph; a module met again on the path closes a circle."""
    circles: list[list[str]] = []
    state: dict[str, str] = defaultdict(lambda: "new")

    def visit(module: str, path: list[str]) -> None:
        state[module] = "on path"
        for target in sorted(GRAPH.get(module, ())):
            if state[target] == "on path":
                circles.append([*path[path.index(target) :], target])
            elif state[target] == "new":
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if state[module] == "new":
            visit(module, [module])
    assert circles == []


@pytest.mark.parametrize("top", ["config", "producer", "worker"])
def test_no_module_is_over_450_lines(top: str) -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / top).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
