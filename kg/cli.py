"""The ``kg`` command. Each command parses options, calls one API function and prints.

Errors polkg raises on purpose (:class:`~kg.errors.KgError`) print as one line
``Error: <where>: <what is wrong>`` and exit with status 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.errors import KgError

STORE_HELP = "Store directory (default: .kg in the working directory)."


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_path", default=".kg", show_default=True, type=click.Path(file_okay=False),
              help=STORE_HELP)
@click.version_option(package_name="polkg")
@click.pass_context
def main(ctx: click.Context, store_path: str) -> None:
    """polkg: a knowledge graph of political positions and preconditions from news documents."""
    ctx.obj = {"store": store_path}


def _open(ctx, wait: float = 0):
    from kg.store import open_store

    return open_store(ctx.obj["store"], wait=wait)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--wait", type=float, default=0, help="Seconds to wait for another process holding the store.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.pass_context
def ingest(ctx, paths, wait, progress):
    """Ingest text, Markdown, HTML and JSON Lines files (or folders of them) into the store."""
    from tqdm import tqdm

    from kg.api import ingest as run_ingest

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(unit="doc", disable=not show, file=sys.stderr, dynamic_ncols=True)

    def on_document(kind: str, what: str) -> None:
        bar.update(1)
        if kind == "failed":
            bar.write(f"Error: {what}", file=sys.stderr)

    with _open(ctx, wait) as store:
        report = run_ingest(paths, store, on_document=on_document)
    bar.close()
    click.echo(report.summary())
    if not report.ok:
        ctx.exit(1)


@main.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "ttl"]), default="json", show_default=True)
def extract(path, fmt):
    """Extract one file and print what was found (JSON of the extraction contract, or Turtle)."""
    from kg.api import extract as run_extract
    from kg.rdf.mapping import to_graph

    for extraction in run_extract(path):
        if fmt == "json":
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
        else:
            click.echo(to_graph(extraction).serialize(format="turtle"))


@main.command()
@click.argument("sparql", required=False)
@click.option("--name", "-n", help="Run a named query (see `kg queries`).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter of the named query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table", show_default=True)
@click.pass_context
def query(ctx, sparql, name, params, fmt):
    """Run SPARQL (text, or a .rq file) or a named query over the store."""
    from kg.api import query as run_text
    from kg.api import run_query

    if bool(sparql) == bool(name):
        raise click.UsageError("give either SPARQL (text or a .rq file) or --name")
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param takes NAME=VALUE, got {item!r}")
        values[key.strip()] = value
    with _open(ctx) as store:
        if name:
            result = run_query(store, name, values)
        else:
            if values:
                raise click.UsageError("--param goes with --name")
            text = Path(sparql).read_text(encoding="utf-8") if sparql.endswith(".rq") and Path(sparql).is_file() else sparql
            result = run_text(store, text)
    click.echo({"table": result.to_table, "csv": result.to_csv, "json": result.to_json,
                "tsv": lambda: result.to_csv("\t")}[fmt]().rstrip("\n"))


@main.command()
def queries():
    """List the named queries and their parameters."""
    from kg.query import named_queries

    for q in named_queries().values():
        params = " ".join(f"{k}:{v}" for k, v in q.parameters.items())
        click.echo(f"{q.name:<24} {q.description}" + (f"\n{'':<24} parameters: {params}" if params else ""))


@main.command()
@click.argument("what", type=click.Choice(["actors", "regions"]), default="actors")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_context
def analyze(ctx, what, fmt):
    """Network analysis: centrality of actors, or actor-region links."""
    from kg.analysis import actor_table, region_table

    with _open(ctx) as store:
        frame = actor_table(store) if what == "actors" else region_table(store)
    if fmt == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False).rstrip("\n"))
    else:
        click.echo(frame.to_string(index=False) if len(frame) else "(nothing to analyse)")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "trig", "nq", "nt", "jsonld", "graphml"]), default="trig",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@click.option("--documents-only", is_flag=True, help="Only the documents' graphs, not the ontology and reference data.")
@click.pass_context
def export(ctx, fmt, output, documents_only):
    """Export the store as RDF, or the actor network as GraphML."""
    from kg.export import export as run_export

    with _open(ctx) as store:
        data = run_export(store, fmt, documents_only=documents_only)
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output} ({len(data):,} bytes)")
    else:
        sys.stdout.buffer.write(data)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="out/graph.html", show_default=True)
@click.pass_context
def view(ctx, output):
    """Write the interactive graph (one self-contained HTML file that works offline)."""
    from kg.viz import write_html

    with _open(ctx) as store:
        info = write_html(store, output)
    click.echo(f"wrote {output}: {info['nodes']} nodes, {info['edges']} edges")


@main.command()
@click.option("--all", "everything", is_flag=True, help="Validate the whole store at once, not document by document.")
@click.pass_context
def validate(ctx, everything):
    """Check the store against the SHACL shapes (ontology/shapes.ttl)."""
    from kg.rdf.validate import validate_store

    with _open(ctx) as store:
        report = validate_store(store, per_document=not everything)
    click.echo(report.summary())
    if not report.conforms:
        for line in report.violations[:20]:
            click.echo(f"  {line}")
        ctx.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def stats(ctx, fmt):
    """Counts: documents, actors, regions, statements, positions, preconditions, triples."""
    from kg.stats import stats as run_stats

    with _open(ctx) as store:
        counts = run_stats(store)
    if fmt == "json":
        click.echo(json.dumps(counts))
    else:
        for key, value in counts.items():
            click.echo(f"{key:<14}{value:>10,}")


@main.command()
@click.option("--limit", type=int, default=20, show_default=True, help="Most items listed per section.")
@click.pass_context
def summary(ctx, limit):
    """A short account of the store: actors, regions and preconditions with their quotes."""
    from kg.stats import summary as run_summary

    with _open(ctx) as store:
        click.echo(run_summary(store, limit=limit))


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option("--docs", "documents", type=click.Path(exists=True, file_okay=False),
              help="Folder of the documents (default: beside the gold file).")
@click.option("--explain", is_flag=True, help="List the false positives and the misses.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def eval_(gold, documents, explain, fmt):
    """Score extraction against a gold file (JSON Lines): P/R/F1 per type and micro-averaged."""
    from kg.api import evaluate_gold
    from kg.eval import format_report

    report = evaluate_gold(gold, documents)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(format_report(report, explain=explain))


if __name__ == "__main__":  # pragma: no cover
    main()
