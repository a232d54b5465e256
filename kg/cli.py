"""The ``kg`` command. Each command parses options, calls one API function and prints.

Errors polkg raises on purpose (:class:`~kg.errors.KgError`) print as one line
``Error: <where>: <what is wrong>`` and exit with status 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.budget import DEFAULT_MEMORY_MB, DEFAULT_SECONDS
from kg.codes import Outcome
from kg.errors import KgError
from kg.export import EXPORT_FORMATS
from kg.export import FORMAT_SYNONYMS as EXPORT_FORMAT_SYNONYMS
from kg.query import FORMAT_SYNONYMS as QUERY_FORMAT_SYNONYMS
from kg.query import FORMATS as QUERY_FORMATS


class _LazyChoice(click.Choice):
    """The choices ``attribute`` of ``module``, imported only when an option needs them
    (kg.analysis loads the claims layer, which commands without analysis never import)."""

    def __init__(self, module: str, attribute: str) -> None:
        self._where = (module, attribute)
        super().__init__([])

    @property
    def choices(self):
        import importlib

        return list(getattr(importlib.import_module(self._where[0]), self._where[1]))

    @choices.setter
    def choices(self, value) -> None:
        pass

STORE_HELP = ("Store directory. Given after the command it wins over one given before it, which wins over "
              "POLKG_STORE; the default is .kg in the working directory.")


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except (OSError, RuntimeError) as exc:
            fault = _storage_fault(ctx, exc)
            if fault is None:
                raise
            click.echo(f"Error: {fault}", err=True)
            ctx.exit(1)


def _storage_fault(ctx, exc: BaseException):
    """A fault of the store's files (full disk, damaged store...) that reached the command
    unconverted, as the one-line error; None for anything else."""
    from kg.store.faults import is_store_fault, store_fault

    if not is_store_fault(exc):
        return None
    return store_fault((ctx.obj or {}).get("store", ".kg"), exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_path", default=".kg", show_default=True, type=click.Path(file_okay=False),
              envvar="POLKG_STORE", show_envvar=True, help=STORE_HELP)
@click.version_option(package_name="polkg")
@click.pass_context
def main(ctx: click.Context, store_path: str) -> None:
    """polkg: a knowledge graph of political positions and preconditions from news documents."""
    ctx.obj = {"store": store_path}


def _store_option(command):
    """``--store DIR`` after the command too (``kg ingest docs/ --store S``); it overrides the
    one before the command and ``POLKG_STORE``."""
    def remember(ctx: click.Context, param, value):
        if value is not None:
            ctx.find_root().obj["store"] = value
        return value

    return click.option("--store", type=click.Path(file_okay=False), expose_value=False, is_eager=True,
                        callback=remember, help=STORE_HELP)(command)


def _open(ctx, wait: float = 0, *, read_only: bool = False):
    """The store; a reader (``read_only``) runs beside other readers, and beside a writer on its snapshot."""
    from kg.store import open_store

    return open_store(ctx.obj["store"], wait=wait, read_only=read_only)


def _endpoint_options(help_text: str):
    """``--endpoint``, ``--update-endpoint`` and ``--graph-store``: a remote SPARQL store."""
    def decorate(command):
        command = click.option("--graph-store", metavar="URL",
                               help="Its Graph Store Protocol URL: write graphs by PUT (default: by SPARQL Update).")(command)
        command = click.option("--update-endpoint", metavar="URL",
                               help="Its SPARQL Update URL (default: the --endpoint URL).")(command)
        return click.option("--endpoint", metavar="URL", help=help_text + " Credentials come from "
                            "POLKG_ENDPOINT_TOKEN, or POLKG_ENDPOINT_USER and POLKG_ENDPOINT_PASSWORD.")(command)
    return decorate


def _remote(endpoint, update_endpoint, graph_store, *, schema: bool = False):
    from kg.store.remote import open_remote

    if not endpoint:
        if update_endpoint or graph_store:
            raise click.UsageError("--update-endpoint and --graph-store go with --endpoint")
        return None
    return open_remote(endpoint, update_endpoint=update_endpoint, graph_store=graph_store, schema=schema)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--wait", type=float, default=0, help="Seconds to wait for another process holding the store.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for the NLP on this machine.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run the NLP on the Dask cluster of this scheduler; this process stays the only writer.")
@click.option("--archive", type=click.Path(dir_okay=False), metavar="FILE.jsonl",
              help="Append every text ingested to this JSON Lines archive (kg rebuild re-creates the store from it).")
@click.option("--document-seconds", type=click.FloatRange(min=0), default=DEFAULT_SECONDS, show_default=True,
              metavar="S", help="Refuse a document whose annotation and extraction take longer (0: no limit).")
@click.option("--document-memory", type=click.FloatRange(min=0), default=DEFAULT_MEMORY_MB, show_default=True,
              metavar="MB", help="Refuse a document that needs more memory than this (0: no limit).")
@_endpoint_options("Write to this SPARQL endpoint instead of the store (see README, SPARQL).")
@_store_option
@click.pass_context
def ingest(ctx, paths, wait, progress, jobs, scheduler, archive, document_seconds, document_memory,
           endpoint, update_endpoint, graph_store):
    """Ingest text, Markdown, HTML and JSON Lines files (or folders of them) into the store.

    Documents already in the store (same content) are skipped before any NLP; a
    file whose content changed replaces its old version. A document over its budget
    (--document-seconds, --document-memory) is refused by name and the others go in.
    """
    from tqdm import tqdm

    from kg.budget import Budget

    from kg.api import ingest as run_ingest
    from kg.ingest import count_documents

    if scheduler and jobs > 1:
        raise click.UsageError("give -j/--jobs or --scheduler, not both")
    show = sys.stderr.isatty() if progress is None else progress
    total = count_documents(paths) if show else None
    bar = tqdm(total=total, unit="doc", disable=not show, file=sys.stderr, dynamic_ncols=True)

    def on_document(kind: str, what: str) -> None:
        bar.update(1)
        if kind == "failed":
            bar.write(f"Error: {what}", file=sys.stderr)

    from contextlib import nullcontext

    from kg.archive import Archive

    budget = Budget(document_seconds or None, document_memory or None)
    remote = _remote(endpoint, update_endpoint, graph_store, schema=True)
    with Archive(archive) if archive else nullcontext() as kept:
        if remote is not None:
            from kg.ingest import ingest as ingest_into

            with remote:
                report = ingest_into(paths, remote, on_document=on_document, jobs=jobs, scheduler=scheduler,
                                     archive=kept, budget=budget)
        else:
            from kg.corrections import prepare_corrected_view

            with _open(ctx, wait) as store:
                report = run_ingest(paths, store, on_document=on_document, jobs=jobs, scheduler=scheduler,
                                    archive=kept, budget=budget)
                prepare_corrected_view(store)  # the reviewers' corrections applied to what changed
    bar.close()
    click.echo(report.summary())
    if not report.ok:
        ctx.exit(1)


@main.command()
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["json", "ttl", "turtle"], case_sensitive=False), default="json",
              show_default=True, help="json, or Turtle (ttl or turtle).")
def extract(path, fmt):
    """Extract one file and print what was found (JSON of the extraction contract, or Turtle)."""
    from kg.api import extract as run_extract
    from kg.export import graph_turtle
    from kg.rdf.mapping import to_graph

    for extraction in run_extract(path):
        if fmt.lower() == "json":
            click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False))
        else:
            click.echo(graph_turtle(to_graph(extraction)).decode("utf-8"))


@main.command()
@click.argument("sparql", required=False)
@click.option("--name", "-n", help="Run a named query (see `kg queries`).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the named query; an actor or region may be any of its names, or its IRI.")
@click.option("--format", "fmt", type=click.Choice(QUERY_FORMATS + tuple(QUERY_FORMAT_SYNONYMS), case_sensitive=False),
              default="table", show_default=True,
              help="table for people; SPARQL results csv, tsv, json, xml; turtle (ttl) or ntriples (nt) for CONSTRUCT.")
@_endpoint_options("Query this SPARQL endpoint instead of the store.")
@click.option("--raw", is_flag=True, help="Query the extractor's assertions, without the reviewers' corrections.")
@_store_option
@click.pass_context
def query(ctx, sparql, name, params, fmt, endpoint, update_endpoint, graph_store, raw):
    """Run SPARQL (text, or a .rq file) or a named query over the store.

    Parameters are bound by the query engine, never pasted into the query text.
    The reviewers' corrections (`kg correct`) apply unless --raw.
    """
    from kg.query import run_named, run_sparql, sparql_text

    if bool(sparql) == bool(name):
        raise click.UsageError("give either SPARQL (text or a .rq file) or --name")
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param takes NAME=VALUE, got {item!r}")
        values[key.strip()] = value
    if values and not name:
        raise click.UsageError("--param goes with --name")
    text = sparql_text(sparql) if sparql else None
    from kg.corrections import corrected_view

    with _remote(endpoint, update_endpoint, graph_store) or _open(ctx, read_only=True) as store:
        with corrected_view(store, raw=raw) as view:
            result = run_named(view, name, values) if name else run_sparql(view, text)
            corrections = getattr(view, "corrections", 0) if view is not store else 0
    if corrections:
        click.echo(_corrections_note(corrections, "kg query --raw"), err=True)
    for note in result.notes:
        click.echo(note, err=True)
    out = result.render(fmt)
    click.echo(out, nl=not out.endswith("\n"))


def _corrections_note(count: int, raw_command: str) -> str:
    return (f"With {count} reviewer's correction{'s' if count != 1 else ''} "
            f"({raw_command} for the extractor's assertions).")


@main.command()
def queries():
    """List the named queries, what they answer and their parameters."""
    from kg.query import named_queries

    for q in named_queries().values():
        click.echo(f"{q.name}: {q.description}")
        for param, kind in q.parameters.items():
            note = (q.help or {}).get(param, "")
            click.echo(f"    --param {param}=<{kind}>" + (f"  {note}" if note else ""))


class _Size(click.ParamType):
    """A number of bytes: ``1048576``, ``512k``, ``1M``."""

    name = "size"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip()
        factor = {"k": 2**10, "m": 2**20}.get(text[-1:].lower(), 1)
        number = text[:-1] if factor > 1 else text
        try:
            size = int(float(number) * factor)
        except (ValueError, OverflowError):
            self.fail(f"{value!r} is not a size (bytes, or a number with k or M)", param, ctx)
        if size < 1:
            self.fail(f"{value!r} is not a positive size", param, ctx)
        return size


_SIZE = _Size()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free one).")
@click.option("--allow-update", is_flag=True, help="Accept SPARQL updates and Graph Store writes that carry the token.")
@click.option("--token", envvar="POLKG_SERVE_TOKEN", metavar="TOKEN",
              help="The bearer token writes need (or POLKG_SERVE_TOKEN, which ps does not show).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30, show_default=True,
              help="Seconds a request may take.")
@click.option("--max-result-mb", type=click.FloatRange(min=0, min_open=True), default=64, show_default=True,
              help="Largest answer passed on, in MB.")
@click.option("--page", type=click.Path(dir_okay=False), default="out/graph.html", show_default=True,
              help="Where to write the graph view served at /.")
@click.option("--no-page", is_flag=True, help="Serve no graph view.")
@click.option("--wait", type=float, default=0, help="Seconds to wait for another process holding the store.")
@click.option("--allow-service", metavar="HOST[,HOST]",
              help="Let SPARQL SERVICE call these hosts (host or host:port); by default every SERVICE is refused.")
@click.option("--read-timeout", type=click.FloatRange(min=0, min_open=True), default=10, show_default=True,
              help="Seconds a client has to send a request's headers, and again its body.")
@click.option("--max-body", type=_SIZE, default="1M", show_default=True, metavar="SIZE",
              help="Largest request body (bytes, or with k or M); larger ones get 413 before they are read.")
@click.option("--max-connections", type=click.IntRange(min=1), default=256, show_default=True,
              help="Open connections in all.")
@click.option("--max-connections-per-client", type=click.IntRange(min=1), default=32, show_default=True,
              help="Open connections from one address.")
@click.option("--max-queries", type=click.IntRange(min=1), default=4, show_default=True,
              help="Requests the query engine runs at once; the others wait in a queue.")
@click.option("--max-queries-per-client", type=click.IntRange(min=1), default=2, show_default=True,
              help="Requests from one address the query engine runs at once.")
@click.option("--max-memory-mb", type=click.IntRange(min=0), default=1024, show_default=True,
              help="Heap memory of the query engine; over it, the engine restarts and its requests get 503 (0: no limit).")
@click.option("--raw", is_flag=True, help="Serve the extractor's assertions, without the reviewers' corrections.")
@_store_option
@click.pass_context
def serve(ctx, host, port, allow_update, token, timeout, max_result_mb, page, no_page, wait, allow_service,
          read_timeout, max_body, max_connections, max_connections_per_client, max_queries, max_queries_per_client,
          max_memory_mb, raw):
    """Serve the store as a SPARQL 1.1 endpoint at /sparql, with the graph view at /.

    Read-only unless --allow-update; the store stays locked against ingest while it runs.
    The reviewers' corrections (`kg correct`) apply unless --raw; --allow-update serves
    the store itself, so a store with corrections needs --raw for it.
    """
    import signal

    from kg.federation import parse_hosts
    from kg.serve import start_server

    if token and not allow_update:
        raise click.UsageError("--token goes with --allow-update")
    if allow_update and not token:
        raise click.UsageError("--allow-update needs --token TOKEN (or POLKG_SERVE_TOKEN)")
    server = start_server(ctx.obj["store"], host=host, port=port, allow_update=allow_update, token=token,
                          timeout=timeout, max_result_bytes=int(max_result_mb * 2**20),
                          page=None if no_page else page, wait=wait, allow_service=parse_hosts(allow_service),
                          read_timeout=read_timeout, max_request_bytes=max_body, max_connections=max_connections,
                          max_connections_per_client=max_connections_per_client, max_queries=max_queries,
                          max_queries_per_client=max_queries_per_client, max_memory_bytes=max_memory_mb * 2**20,
                          raw=raw)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        mode = "read-write for requests with the token" if allow_update else "read-only"
        click.echo(f"SPARQL endpoint: {server.url}/sparql ({mode})")
        if server.corrections:
            click.echo(_corrections_note(server.corrections, "kg serve --raw"))
        if server.page is not None:
            click.echo(f"Graph view:      {server.url}/")
        click.echo("Press Ctrl+C to stop.")
        sys.stdout.flush()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@main.command()
@_endpoint_options("The SPARQL endpoint to write to (required).")
@click.option("--documents-only", is_flag=True, help="Only the documents' graphs, not the ontology and reference data.")
@click.option("--wait", type=float, default=0, help="Seconds to wait for another process holding the store.")
@_store_option
@click.pass_context
def push(ctx, endpoint, update_endpoint, graph_store, documents_only, wait):
    """Copy the store's named graphs to a SPARQL endpoint (each replaces its namesake there)."""
    from kg.store.remote import push as run_push

    if not endpoint:
        raise click.UsageError("push needs --endpoint URL")
    with _open(ctx, wait, read_only=True) as local, _remote(endpoint, update_endpoint, graph_store) as remote:
        report = run_push(local, remote, documents_only=documents_only)
    click.echo(report.summary())




@main.command()
@click.argument("what", type=_LazyChoice("kg.analysis.tables", "ANALYSES"), default="actors")
@click.argument("names", nargs=-1, metavar="[ACTOR]...")
@click.option("--format", "fmt", type=_LazyChoice("kg.analysis.tables", "FORMATS"), default="table", show_default=True)
@click.option("--write", is_flag=True, help="actors: also write the measures into the store's analysis graph.")
@click.option("--outcome", type=click.Choice([outcome.value for outcome in Outcome]),
              help="preconditions: only those of this outcome.")
@click.option("--min-demanders", type=click.IntRange(min=1), default=2, show_default=True,
              help="regions: fewest sides making demands for a region to be contested.")
@click.option("--by", "basis", type=click.Choice(["said", "reported"]),
              help="timeline, changes: claims ordered by when they were said (from the text) or reported.")
@click.option("--raw", is_flag=True, help="Analyse the extractor's assertions, without the reviewers' corrections.")
@_store_option
@click.pass_context
def analyze(ctx, what, names, fmt, write, outcome, min_demanders, basis, raw):
    """Network analysis of the store. ACTOR is any label or IRI of an actor.

    \b
    actors              centrality (degree, betweenness, PageRank) and community of each actor
    regions             regions named in demands, their demanders, and which are contested
    alignment           pairs of actors that agree or disagree on the same topics
    preconditions       what must happen before a ceasefire, talks, an agreement
    path ACTOR ACTOR    how two actors are connected, with the quotes on the way
    timeline ACTOR      an actor's positions and demands by date (--by: its claims)
    changes ACTOR       how an actor's claims changed (--by said|reported)
    """
    from kg.analysis import analyze as run_analysis
    from kg.analysis.tables import ANALYSES as _ANALYSES
    from kg.analysis.tables import to_text

    if len(names) != _ANALYSES[what]:
        wanted = {0: "no ACTOR", 1: "one ACTOR", 2: "two ACTORs"}[_ANALYSES[what]]
        raise click.UsageError(f"{what} takes {wanted}, got {len(names)}")
    if write and what != "actors":
        raise click.UsageError("--write goes with actors")
    from kg.corrections import ExtractorView, read_corrections

    with _open(ctx, read_only=not write) as store:
        frame = run_analysis(ExtractorView(store) if raw else store, what, tuple(names), write=write, outcome=outcome,
                             min_demanders=min_demanders, basis=basis)
        corrections = 0 if raw else len(read_corrections(store))
    if corrections:
        click.echo(_corrections_note(corrections, "kg analyze --raw"), err=True)
    if fmt == "json":
        click.echo(frame.to_json(orient="records", force_ascii=False))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False).rstrip("\n"))
    else:
        click.echo(to_text(frame))


@main.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS + tuple(EXPORT_FORMAT_SYNONYMS), case_sensitive=False),
              default="trig", show_default=True,
              help="RDF: ttl (turtle), trig, nq (nquads), nt (ntriples), jsonld; networks: graphml, gexf.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@click.option("--documents-only", is_flag=True, help="Only the documents' graphs, not the ontology and reference data.")
@click.option("--projection", type=_LazyChoice("kg.analysis.export", "PROJECTIONS"), default="actors",
              show_default=True, help="graphml/gexf: which network, with its measures as attributes.")
@_store_option
@click.pass_context
def export(ctx, fmt, output, documents_only, projection):
    """Export the store as RDF, or a network (for Gephi, Cytoscape) as GraphML or GEXF."""
    from kg.export import export as run_export

    with _open(ctx, read_only=True) as store:
        data = run_export(store, fmt, documents_only=documents_only, projection=projection)
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output} ({len(data):,} bytes)")
    else:
        sys.stdout.buffer.write(data)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="out/graph.html", show_default=True)
@click.option("--focus", metavar="NAME", help="Draw only the neighbourhood of this node (any of its names).")
@click.option("--hops", type=click.IntRange(min=0), default=2, show_default=True, help="How far from --focus to go.")
@click.option("--query", "query_file", type=click.Path(exists=True, dir_okay=False),
              help="Draw the result of this CONSTRUCT query (a .rq file) instead of the whole graph.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Keep only this many nodes, the most central, and say what was left out.")
@_store_option
@click.option("--raw", is_flag=True, help="Draw the extractor's assertions, without the reviewers' corrections.")
@click.pass_context
def view(ctx, output, focus, hops, query_file, max_nodes, raw):
    """Write the interactive graph (one self-contained HTML file that works offline)."""
    from kg.viz import write_html

    try:
        query = Path(query_file).read_text(encoding="utf-8") if query_file else None
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{query_file}: not UTF-8", param_hint="--query") from exc
    with _open(ctx, read_only=True) as store:
        report = write_html(store, output, focus=focus, hops=hops, query=query, max_nodes=max_nodes, raw=raw)
    click.echo(report.summary())


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def correct(ctx, file):
    """Write the corrections the graph view exported (a JSON file) into the store, apart from the documents."""
    from kg.corrections import write_corrections

    from kg.corrections import prepare_corrected_view

    with _open(ctx) as store:
        corrections = write_corrections(store, file)
        prepare_corrected_view(store)  # made once here, read by every query after
    wrong = sum(c.wrong for c in corrections)
    click.echo(f"{file}: {len(corrections)} correction{'s' if len(corrections) != 1 else ''} written "
               f"({wrong} marked wrong, {len(corrections) - wrong} fixed)")


@main.command()
@click.option("--all", "everything", is_flag=True, help="Validate the whole store at once, not document by document.")
@_store_option
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
@_store_option
@click.pass_context
def stats(ctx, fmt):
    """Counts: documents, actors, regions, statements, positions, preconditions, triples."""
    from kg.stats import stats as run_stats

    with _open(ctx, read_only=True) as store:
        counts = run_stats(store)
    if fmt == "json":
        click.echo(json.dumps(counts))
    else:
        for key, value in counts.items():
            click.echo(f"{key:<14}{value:>10,}")


@main.command()
@_store_option
@click.pass_context
def check(ctx):
    """Verify the store: file checksums, every index read through and compared, document metadata.

    Exit status 1 when it is damaged, naming the damage and how to recover.
    """
    from kg.store.faults import DAMAGED_HELP
    from kg.store.integrity import check_store

    report = check_store(ctx.obj["store"])
    click.echo(report.summary())
    if not report.ok:
        click.echo(f"Error: {ctx.obj['store']}: store is damaged ({report.damage[0]}); {DAMAGED_HELP}", err=True)
        ctx.exit(1)


@main.command()
@click.option("--archive", type=click.Path(exists=True, dir_okay=False), metavar="FILE.jsonl",
              help="The archive kg ingest --archive kept (default: read the documents' recorded locations again).")
@click.option("--wait", type=float, default=0, help="Seconds to wait for another process holding the store.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for the NLP on this machine.")
@_store_option
@click.pass_context
def rebuild(ctx, archive, wait, progress, jobs):
    """Re-create the store from an archive of its texts, or from its documents' recorded locations.

    The new database is built beside the old one, which is kept (oxigraph.replaced-TIME) when it
    takes its place.
    """
    from tqdm import tqdm

    from kg.archive import rebuild_store

    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(unit="doc", disable=not show, file=sys.stderr, dynamic_ncols=True)

    def on_document(kind: str, what: str) -> None:
        bar.update(1)
        if kind == "failed":
            bar.write(f"Error: {what}", file=sys.stderr)

    report = rebuild_store(ctx.obj["store"], archive=archive, wait=wait, on_document=on_document, jobs=jobs)
    bar.close()
    click.echo(report.summary())
    if not report.ingest.ok:
        ctx.exit(1)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def backup(ctx, folder):
    """Write a consistent backup of the store into FOLDER (a new folder), while it is in use."""
    from kg.store.backup import backup_store

    click.echo(backup_store(ctx.obj["store"], folder).summary())


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--wait", type=float, default=0, help="Seconds to wait for another process holding the store.")
@click.pass_context
def restore(ctx, folder, wait):
    """Replace the store by the backup in FOLDER (the replaced database is kept beside it)."""
    from kg.store.backup import restore_store

    click.echo(restore_store(folder, ctx.obj["store"], wait=wait).summary("restored"))


@main.command()
@click.option("--limit", type=int, default=20, show_default=True, help="Most items listed per section.")
@_store_option
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
@click.option("--summary", is_flag=True,
              help="Only the aggregate table: no per-document line (for the locked test split).")
@click.option("--rules-only", is_flag=True, help="Score the rules alone, without the learned sentence classifier.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--corrected", is_flag=True,
              help="Score the extraction as the reviewers' corrections in the store (kg correct) amend it.")
@_store_option
@click.pass_context
def eval_(ctx, gold, documents, explain, summary, rules_only, fmt, corrected):
    """Score extraction against a gold file (JSON Lines): P/R/F1 per type and micro-averaged."""
    from kg.api import evaluate_gold
    from kg.eval import format_report

    if summary and explain:
        raise click.UsageError("--summary and --explain exclude each other")
    if corrected:
        with _open(ctx, read_only=True) as store:
            report = evaluate_gold(gold, documents, learned=not rules_only, corrected=store)
    else:
        report = evaluate_gold(gold, documents, learned=not rules_only)
    if fmt == "json":
        data = report.as_dict()
        if summary:
            del data["documents"]
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(format_report(report, explain=explain, per_document=not summary))


@main.command(name="eval-claims")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--gold-fed", is_flag=True,
              help="Give the gold assertions straight to the claim builder (no NLP): the claim layer's own quality.")
@click.option("--by", "basis", type=click.Choice(["said", "reported"]), default="said", show_default=True,
              help="Order claims, and so score changes, by when they were said or when they were reported.")
@click.option("--explain", is_flag=True, help="Also list every gold assertion: matched or missed, its claims, said-times.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def eval_claims(folder, gold_fed, basis, explain, fmt):
    """Score the claim layer on a thread gold FOLDER (gold.jsonl, claims.jsonl): claim merging, typed
    changes, said-time (the documents are ingested into a temporary store unless --gold-fed)."""
    from kg.claims.evaluate import evaluate_claims, format_claim_eval, format_details

    result = evaluate_claims(folder, gold_fed=gold_fed, basis=basis)
    if fmt == "json":
        data = result.as_dict()
        if explain:
            data["details"] = result.details
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(format_claim_eval(result))
        if explain:
            click.echo("")
            click.echo(format_details(result))


if __name__ == "__main__":  # pragma: no cover
    main()
