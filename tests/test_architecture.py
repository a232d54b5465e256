"""The layers of docs/architecture.md hold in the code: read the table, walk every import of kg/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


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


def import_cycles(graph: nx.DiGraph) -> list[list[str]]:
    """The sets of modules that import each other in a circle, however long."""
    return [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]


def test_architecture_modules_import_without_a_cycle():
    """No module of kg/ reaches itself through its imports, a package's ``__init__`` and its
    own modules included, at module level or inside functions."""
    assert import_cycles(GRAPH) == []


def test_architecture_a_cycle_would_be_caught(tmp_path):
    """The rule can fail: a role module importing its package, which imports it, is a cycle."""
    (tmp_path / "__init__.py").write_text("def order():\n    from kg.extract.roles import speaker\n")
    (tmp_path / "speaker.py").write_text("from kg.extract.roles import RoleContext\n")
    graph = nx.DiGraph()
    for name, path in (("kg.extract.roles", tmp_path / "__init__.py"), ("kg.extract.roles.speaker", tmp_path / "speaker.py")):
        graph.add_edges_from((name, target) for target in imported(name, path))
    assert import_cycles(graph) == [["kg.extract.roles", "kg.extract.roles.speaker"]]


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


# -- one store interface -------------------------------------------------------------

HTTP_CLIENTS = ("requests", "http.client", "urllib.request", "urllib3", "httpx", "aiohttp", "oxrdflib")
SERVERS = {"kg.serve"}
"""A server, not a store client: it proxies its clients' requests to the Oxigraph server it runs
(on the store's files, under the store's lock)."""


def store_reaches(module: str, path: Path) -> list[str]:
    """Where ``module`` opens a pyoxigraph store on disk (``Store(path)``, ``Store.read_only``,
    ``Store`` imported by name), takes a store's pyoxigraph handle (``.raw``,
    ``OxigraphStore.wrap``), imports what ``kg.store`` keeps to itself (a private name, such as
    its lock), or imports an HTTP client."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{module}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Store" \
                and (node.args or node.keywords):
            found.append(f"{where} opens a pyoxigraph Store on disk")
        elif isinstance(node, ast.Attribute) and node.attr in ("read_only", "secondary") \
                and isinstance(node.value, ast.Attribute) and node.value.attr == "Store":
            found.append(f"{where} opens a pyoxigraph Store on disk")
        elif isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph" \
                and any(a.name == "Store" for a in node.names):
            found.append(f"{where} imports pyoxigraph's Store by name")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg.store") \
                and any(a.name.startswith("_") for a in node.names) and module not in SERVERS:
            found.append(f"{where} imports what kg.store keeps to itself")
        elif isinstance(node, ast.Attribute) and node.attr in ("raw", "wrap"):
            found.append(f"{where} takes a store's pyoxigraph handle")
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and module not in SERVERS:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"{where} imports {n}" for n in names if n.startswith(HTTP_CLIENTS)]
    return found


def test_architecture_only_the_store_package_reaches_a_store():
    outside = {m: p for m, p in MODULES.items() if not (m == "kg.store" or m.startswith("kg.store."))}
    assert [line for m, p in outside.items() for line in store_reaches(m, p)] == []


@pytest.mark.parametrize("source", [
    "import pyoxigraph as ox\nox.Store('/tmp/x')\n",
    "import pyoxigraph\npyoxigraph.Store.read_only('/tmp/x')\n",
    "def f(store):\n    return store.raw.quads_for_pattern(None, None, None)\n",
    "from pyoxigraph import Store\nStore('/tmp/x')\n",
    "def f(path):\n    from kg.store.oxigraph import OxigraphStore, _Lock\n    return _Lock(path)\n",
    "def f(raw):\n    from kg.store import OxigraphStore\n    return OxigraphStore.wrap(raw)\n",
    "def f():\n    import requests\n",
    "from http.client import HTTPConnection\n",
])
def test_architecture_store_rule_can_fail(tmp_path, source):
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    assert store_reaches("kg.x", path)


def test_architecture_an_in_memory_store_is_no_store():
    """``ox.Store()`` in memory (a parse check, a merge) is a data structure, not polkg's store."""
    assert not store_reaches("kg.federation", MODULES["kg.federation"])


def readme_stages() -> list[tuple[str, list[str]]]:
    """The rows of the README's "How it works" table: stage and the paths it names."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it works", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| stage ")]
    return [(row.strip("|").split("|")[0].strip(), re.findall(r"`(kg/[^`]+)`", row.strip("|").split("|")[1]))
            for row in rows]


def test_architecture_readme_table_matches_the_stages():
    rows = readme_stages()
    assert len(rows) >= 10 and "docs/architecture.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    for stage, paths in rows:
        assert stage in PATHS, f"README stage {stage!r} is not a stage of docs/architecture.md"
        for path in paths:
            assert list(ROOT.glob(path)), f"README: {path} does not exist"
            if path.endswith(".py") or path.endswith("/") and (ROOT / path / "__init__.py").exists():
                assert stage_of(module_name(ROOT / (path + "__init__.py" if path.endswith("/") else path))) == stage, \
                    f"README: {path} is not in stage {stage}"
            else:
                assert any(path.startswith(listed) for listed in PATHS[stage]), f"README: {path} is not in {stage}"


# -- IRIs from one place ---------------------------------------------------------------

IRI = re.compile(r"https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>]*")


def spelled_iris(module: str, path: Path) -> list[str]:
    """The IRIs written out in ``module``'s strings (docstrings, which show examples, apart)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [f"{module}:{node.lineno}: {iri}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            for iri in IRI.findall(node.value)]


def test_architecture_iris_come_from_the_namespaces():
    assert [line for m, p in MODULES.items() if m != "kg.namespaces" for line in spelled_iris(m, p)] == []


@pytest.mark.parametrize("source, found", [
    ('X = "https://w3id.org/polkg/id/doc/"\n', 1),
    ('Q = """SELECT ?s WHERE { ?s a <http://www.w3.org/ns/prov#Entity> }"""\n', 1),
    ('def f():\n    """See https://w3id.org/polkg/ for the terms."""\n    return f"{BASE}id/"\n', 0),
    ('URL = f"https://www.wikidata.org/wiki/{qid}"\n', 1),
])
def test_architecture_iri_rule_can_fail(tmp_path, source, found):
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    assert len(spelled_iris("kg.x", path)) == found


# -- SPARQL in one place ---------------------------------------------------------------

SPARQL_TEXT = re.compile(r"""
    \b(?:SELECT|CONSTRUCT|DESCRIBE)\s+(?:DISTINCT\s+|REDUCED\s+)?[?$*(]   # a query's projection
  | \b(?:ASK|CONSTRUCT|WHERE|OPTIONAL|MINUS|UNION)\s*\{                     # a group
  | \b(?:INSERT|DELETE)\s+(?:DATA\s*|WHERE\s*)?\{                           # an update
  | \bGRAPH\s+[?$<]                                                          # a named graph
  | \bVALUES\s*[?$(]                                                         # inline data
  | \b(?:FILTER|BIND)\s*\(                                                   # a filter, a binding
  | \bPREFIX\s+[\w-]*:\s*<                                                   # a prefix declaration
""", re.VERBOSE)
"""What SPARQL text looks like inside a string: a keyword in the place the grammar gives it,
upper case (prose and messages that name a keyword, "a CONSTRUCT query", do not match)."""

SPARQL_MODULES = {"kg.sparql"}
"""The one module that builds SPARQL in code; the rest is in ``kg/queries/``."""


def sparql_strings(module: str, path: Path) -> list[str]:
    """The string literals (f-string parts included; docstrings, which show examples, apart)
    of ``module`` that hold SPARQL text."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [f"{module}:{node.lineno}: {SPARQL_TEXT.search(node.value).group(0)!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            and SPARQL_TEXT.search(node.value)]


SPARQL_NOT_YET = {
    "kg.corrections": "reads the corrections graph with queries of its own",
}
"""Modules that still hold SPARQL text, to be moved into ``kg/queries/``; the test fails
once one no longer does, so that it leaves this list."""


def test_architecture_sparql_lives_in_the_queries():
    outside = {m: p for m, p in MODULES.items() if m not in SPARQL_MODULES | set(SPARQL_NOT_YET)}
    assert [line for m, p in outside.items() for line in sparql_strings(m, p)] == []
    assert [m for m in SPARQL_NOT_YET if not sparql_strings(m, MODULES[m])] == []


@pytest.mark.parametrize("source, found", [
    ('Q = "SELECT ?s WHERE { ?s ?p ?o }"\n', 1),
    ('Q = PREFIXES + """\nSELECT DISTINCT ?doc WHERE {\n  ?doc a pol:Document }"""\n', 1),
    ('def f(g):\n    return f"ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"\n', 1),
    ('def f(g):\n    return "DELETE WHERE { GRAPH " + g + " { ?s ?p ?o } }"\n', 1),
    ('BLOCK = " VALUES (?s) { (<urn:x>) } "\n', 1),
    ('HEAD = "PREFIX pol: <urn:x#>"\n', 1),
    ('MESSAGE = "draw a CONSTRUCT or DESCRIBE query; SELECT and ASK return no graph"\n', 0),
    ('FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")\n', 0),
    ('def f():\n    """Runs ``SELECT ?s WHERE { ?s ?p ?o }``."""\n', 0),
])
def test_architecture_sparql_rule_can_fail(tmp_path, source, found):
    path = tmp_path / "x.py"
    path.write_text(source, encoding="utf-8")
    assert len(sparql_strings("kg.x", path)) == found


def stored_queries() -> list[Path]:
    return sorted((ROOT / "kg" / "queries" / "internal").glob("*.rq"))


@pytest.mark.parametrize("path", stored_queries(), ids=lambda p: p.stem)
def test_architecture_stored_queries_have_headers_parse_and_are_used(path):
    """Each query of kg/queries/internal/ says what it answers, parses, and is read by some module."""
    import pyoxigraph as ox

    from kg.query import load_query
    from kg.sparql import stored_query

    assert load_query(path).description
    ox.Store().query(stored_query(path.stem))
    users = [m for m, p in MODULES.items() if f'stored_query("{path.stem}")' in p.read_text(encoding="utf-8")]
    assert users, f"{path.name} is read by no module"
