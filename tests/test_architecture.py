"""The layers of docs/architecture.md hold in the code: read the table, walk every import of kg/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
# Cycles tolerated inside this package only (docs/architecture.md, "Known exception").
CYCLES_ALLOWED_IN = "kg.extract"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted((ROOT / "kg").rglob("*.py"))}


def read_stages(text: str) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """The table of docs/architecture.md: stage -> its paths, and stage -> the stages it may import."""
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == ["stage", "modules", "owns", "may import"], header
    paths, allowed = {}, {}
    for row in rows[1:]:
        stage, modules, _, may = (cell.strip() for cell in row.strip("|").split("|"))
        paths[stage] = re.findall(r"`([^`]+)`", modules)
        allowed[stage] = set() if may == "—" else {"*"} if may == "every stage" else {
            s.strip() for s in may.split(",")}
    return paths, allowed


PATHS, ALLOWED = read_stages(DOC.read_text(encoding="utf-8"))


def stage_of(module: str) -> str | None:
    """The stage whose listed file or folder holds ``module`` (the longest match)."""
    best, length = None, -1
    for stage, paths in PATHS.items():
        for path in paths:
            prefix = path.removesuffix(".py").removesuffix("/").replace("/", ".")
            if (module == prefix or (path.endswith("/") and module.startswith(prefix + "."))) and len(prefix) > length:
                best, length = stage, len(prefix)
    return best


def imported(module: str, path: Path) -> set[str]:
    """The kg modules that ``module`` imports, at module level or inside functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("kg") and name != module:
                found.add(name)
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        graph.add_edges_from((module, target) for target in imported(module, path))
    return graph


GRAPH = import_graph()


def test_architecture_table_lists_existing_paths_and_stages():
    for stage, paths in PATHS.items():
        assert paths, stage
        for path in paths:
            assert (ROOT / path).exists(), f"{stage}: {path} does not exist"
    for stage, may in ALLOWED.items():
        assert may <= set(PATHS) | {"*"}, f"{stage} may import unknown stages {sorted(may - set(PATHS))}"


def test_architecture_every_module_has_a_stage():
    assert [m for m in MODULES if m != "kg" and stage_of(m) is None] == []


def test_architecture_stages_form_no_cycle():
    stages = nx.DiGraph((stage, other) for stage, may in ALLOWED.items() for other in may if other != "*")
    assert nx.is_directed_acyclic_graph(stages), nx.find_cycle(stages)


def test_architecture_imports_follow_the_layers():
    wrong = []
    for source, target in GRAPH.edges:
        here, there = stage_of(source) or "face", stage_of(target) or "face"
        if here != there and "*" not in ALLOWED[here] and there not in ALLOWED[here]:
            wrong.append(f"{source} ({here}) imports {target} ({there})")
    assert wrong == []


def test_architecture_modules_import_without_a_cycle():
    cycles = [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1]
    assert [c for c in cycles if not all(m.startswith(CYCLES_ALLOWED_IN + ".") for m in c)] == []


def test_architecture_runners_import_nothing_above_the_extraction():
    above = {"store", "query", "claims", "ingest", "analyse", "view", "export", "serve", "face"}
    reached = {stage_of(m) for m in nx.descendants(GRAPH, "kg.runners")}
    assert reached & above == set()


@pytest.mark.parametrize("source, expected", [
    ("import kg.store.oxigraph\n", {"kg.store.oxigraph"}),
    ("def f():\n    from kg.ingest import ingest\n", {"kg.ingest"}),
    ("from kg import resources, errors\n", {"kg.resources", "kg.errors"}),
    ("from . import oxigraph\nfrom .faults import store_fault\n", {"kg.store.oxigraph", "kg.store.faults"}),
    ("from kg.store import open_store\n", {"kg.store"}),
])
def test_architecture_import_walk_sees_every_form(tmp_path, source, expected):
    """The walk can fail: each form of import is seen, inside functions too."""
    path = tmp_path / "backup.py"
    path.write_text(source, encoding="utf-8")
    assert imported("kg.store.backup", path) == expected


def test_architecture_a_layer_breach_would_be_caught():
    """The rule can fail: the store importing the ingest loop breaks it."""
    assert "ingest" not in ALLOWED[stage_of("kg.store.oxigraph")]
    assert stage_of("kg.runners.pool") == "run" and stage_of("kg.store") == "store"
