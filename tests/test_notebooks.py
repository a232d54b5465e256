"""The notebooks of notebooks/: stored without outputs, on the public API only, and run top to bottom.

Each notebook asserts what it shows (a query that returns nothing, a chart
without data, a viewer without a frame fails the run); here they are executed
in a real Jupyter kernel with nbclient, matplotlib on the non-interactive Agg
backend, from the notebooks folder as JupyterLab runs them.
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
PUBLIC_MODULES = {"kg", "kg.analysis", "kg.viz"}


def read(path):
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def public_names(module: str) -> set[str]:
    import importlib

    names = set(importlib.import_module(module).__all__)
    return names | {name.split(".", 1)[1] for name in PUBLIC_MODULES if name.startswith(module + ".")}


def dotted(node: ast.AST) -> str | None:
    """``kg.analysis.read_facts`` for that attribute chain, None when it does not start at a name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def private_use(tree: ast.AST) -> list[str]:
    """What a cell uses that is not polkg's public API, or is private anywhere."""
    found = []
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "kg" and alias.name not in PUBLIC_MODULES:
                    found.append(f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.split(".")[0] == "kg":
                if module not in PUBLIC_MODULES:
                    found.append(f"from {module} import ...")
                else:
                    found += [f"from {module} import {a.name}" for a in node.names
                              if a.name not in public_names(module)]
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                found.append(f"attribute {node.attr}")
            name = None if id(node) in inner else dotted(node)
            if name and name.split(".")[0] == "kg":
                parts = name.split(".")
                for depth in range(1, len(parts)):
                    module = ".".join(parts[:depth])
                    if module not in PUBLIC_MODULES:
                        break
                    if parts[depth] not in public_names(module):
                        found.append(name)
                        break
        elif isinstance(node, ast.Name) and node.id.startswith("_"):
            found.append(f"name {node.id}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            found.append(f"a definition of its own ({type(node).__name__})")
    return found


def test_notebooks_are_the_four():
    assert [p.name for p in PATHS] == [
        "01-quickstart.ipynb",
        "02-positions-and-preconditions.ipynb",
        "03-network-analysis.ipynb",
        "04-positions-over-time.ipynb",
    ]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_stored_without_outputs(path):
    nb = read(path)
    nbformat.validate(nb)
    for cell in code_cells(nb):
        assert cell.outputs == [], f"{path.name}: cell {cell.get('id')} is stored with outputs"
        assert cell.execution_count is None, f"{path.name}: cell {cell.get('id')} is stored with an execution count"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_uses_only_the_public_api(path):
    for cell in code_cells(read(path)):
        found = private_use(ast.parse(cell.source))
        assert not found, f"{path.name}: cell {cell.get('id')} uses {found}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_asserts_what_it_shows(path):
    """A cell that ends by showing a value (a table, the viewer) also checks it."""
    for cell in code_cells(read(path)):
        tree = ast.parse(cell.source)
        last = tree.body[-1] if tree.body else None
        shows = isinstance(last, ast.Expr) and not isinstance(last.value, ast.Call)
        if shows:
            assert any(isinstance(node, ast.Assert) for node in tree.body), (
                f"{path.name}: cell {cell.get('id')} shows a value without asserting anything about it")


def test_notebook_checker_catches_private_use():
    source = "import kg.store\nfrom kg.analysis import facts_of\nkg.analysis.projections.facts_of(s)\nx._y\nf = lambda: 1"
    assert sorted(private_use(ast.parse(source))) == [
        "a definition of its own (Lambda)",
        "attribute _y",
        "from kg.analysis import facts_of",
        "import kg.store",
        "kg.analysis.projections.facts_of",
    ]
    assert private_use(ast.parse("import kg\nimport kg.viz\nkg.viz.show(kg.open_store(p))")) == []


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = read(path)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [output for cell in code_cells(nb) for output in cell.outputs]
    stderr = [output.text for output in outputs if output.output_type == "stream" and output.name == "stderr"]
    assert not stderr, f"{path.name} wrote to stderr (a warning?):\n{''.join(stderr)}"
    frames = [output for output in outputs
              if "polkg-view" in output.get("data", {}).get("text/html", "")]
    assert frames, f"{path.name} showed no graph view"
