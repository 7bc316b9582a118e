"""The structure holds: no import cycle (function-level imports count too), the core never imports an
adapter, and starting the command does not load what a scan needs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "scanner"
ADAPTERS = ("scanner.cli", "scanner.options", "scanner.report", "scanner.ui", "scanner.mail")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every scanner module this file imports, at the top or inside a function."""
    found = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up from this module's package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, set(known)) - {name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_the_graph_sees_function_level_imports() -> None:
    edges = graph()
    # scanner.engine.pool imports the scanner only inside the worker's functions
    assert "scanner.engine.scanner" in edges["scanner.engine.pool"]


def test_the_core_never_imports_an_adapter() -> None:
    offending = {
        name: sorted(target for target in targets if target.startswith(ADAPTERS))
        for name, targets in graph().items()
        if not name.startswith(ADAPTERS)
    }
    assert {name: targets for name, targets in offending.items() if targets} == {}


def test_starting_the_command_loads_nothing_a_scan_needs() -> None:
    script = ("import sys\nfrom scanner.cli import build_parser\nbuild_parser().format_help()\n"
              "heavy = ('numpy', 'cv2', 'pymupdf', 'PIL', 'tesserocr', 'pydantic', 'rich', 'fastapi', 'aiosmtpd')\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from scanner import *", namespace)
    assert {"Scanner", "Policy", "FileReport", "Finding", "MessageReport", "Verdict"} <= set(namespace)
