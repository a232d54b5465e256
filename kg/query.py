"""SPARQL over a store: text, a ``.rq`` file, or a named query of ``kg/queries``.

Values are always bound by the engine (pyoxigraph substitutions), never pasted
into the query text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import QueryError

__all__ = ["Result", "run_sparql", "NamedQuery", "named_queries", "load_query"]


@dataclass
class Result:
    """A SELECT result (``variables``, ``rows``), an ASK answer, or CONSTRUCT triples."""

    variables: list[str]
    rows: list[tuple]
    boolean: bool | None = None
    triples: list | None = None

    def to_df(self):
        """The rows as a pandas DataFrame of plain Python values."""
        import pandas as pd

        return pd.DataFrame([[_plain(v) for v in row] for row in self.rows], columns=self.variables)

    def to_records(self) -> list[dict]:
        return [{k: _plain(v) for k, v in zip(self.variables, row)} for row in self.rows]

    def to_csv(self, delimiter: str = ",") -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(["" if v is None else _text(v) for v in row])
        return out.getvalue()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON."""
        if self.boolean is not None:
            return json.dumps({"head": {}, "boolean": self.boolean})
        bindings = []
        for row in self.rows:
            binding = {}
            for name, value in zip(self.variables, row):
                if value is not None:
                    binding[name] = _json_term(value)
            bindings.append(binding)
        return json.dumps({"head": {"vars": self.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)

    def to_table(self, max_width: int = 60) -> str:
        if self.boolean is not None:
            return "yes" if self.boolean else "no"
        cells = [[_short(v, max_width) for v in row] for row in self.rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(self.variables)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(self.variables, widths))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''})")
        return "\n".join(lines)


def _plain(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def _text(term) -> str:
    return term.value


def _short(term, width: int) -> str:
    if term is None:
        return ""
    text = " ".join(_text(term).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _collect(raw) -> Result:
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = [tuple(solution[v] for v in variables) for solution in raw]
        return Result(variables, rows)
    if isinstance(raw, ox.QueryBoolean):
        return Result([], [], boolean=bool(raw))
    triples = list(raw)
    return Result(["subject", "predicate", "object"],
                  [(t.subject, t.predicate, t.object) for t in triples], triples=triples)


def run_sparql(store, sparql: str, bindings: dict | None = None) -> Result:
    """Run ``sparql`` on ``store`` with ``bindings`` substituted by the engine."""
    return _collect(store.query(sparql, bindings))


@dataclass
class NamedQuery:
    """A ``.rq`` file of ``kg/queries``: its header says what it answers and what binds."""

    name: str
    description: str
    parameters: dict[str, str]  # name -> kind ("actor", "region", "iri", "string", "date", "action", ...)
    text: str
    path: Path


_PARAM = re.compile(r"^#\s*@param\s+(\w+)\s+(\w+)(?:\s+(.*))?$")


def load_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    description = ""
    params: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM.match(line.strip())
        if match:
            params[match.group(1)] = match.group(2)
        elif not description and line.strip("# ").strip():
            description = line.strip("# ").strip()
    return NamedQuery(path.stem, description, params, text, path)


def named_queries() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    return {p.stem: load_query(p) for p in sorted(resources.query_dir().glob("*.rq"))}


def get_query(name: str) -> NamedQuery:
    queries = named_queries()
    if name not in queries:
        known = ", ".join(queries) or "none"
        raise QueryError(name, f"no such named query (known: {known})")
    return queries[name]
