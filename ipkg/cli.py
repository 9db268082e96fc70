"""The ``ipkg`` command: a thin layer over the library functions that the tests call directly."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

from ipkg.extract.errors import ExtractError
from ipkg.settings import Settings

app = typer.Typer(
    help="ipkg — a knowledge graph of Chinese national IP policy: build it, query it, serve it.",
    no_args_is_help=True,
    add_completion=False,
)
# Piped output (CI logs, README figures) gets room for the tables instead of rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)

# A bare word (a query's name or a file name), never SPARQL text: SPARQL needs a space or a brace.
_NAME = re.compile(r"[\w./-]+")
# Suffixes that make an argument of `ipkg query` a file even when it does not exist (then it is "no file").
_QUERY_FILE_SUFFIXES = (".rq", ".sparql", ".txt")

DataDir = Annotated[Path, typer.Option("--data", help="The data folder (manifest, raw texts, gold, build).")]


def _settings(data: Path, **values: object) -> Settings:
    """The settings for ``data`` (and ``values``), with the IPKG_* environment; a bad value is a clear error."""
    from pydantic import ValidationError

    try:
        return Settings(data_dir=data, **values)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc'])) or 'settings'}: {x['msg']}" for x in e.errors())
        err.print(f"[red]bad setting[/] ({problems}); the IPKG_* environment variables set these", soft_wrap=True)
        raise typer.Exit(2) from None


def _print_table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    table = RichTable(title=title, title_justify="left")
    for c in columns:
        table.add_column(c, justify="right" if c not in columns[:1] else "left")
    for row in rows:
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


@app.command()
def build(data: DataDir = Path("data")) -> None:
    """Extract every document of the manifest and build the graph into DATA/build/."""
    from ipkg.build import BuildError
    from ipkg.build import build as run_build

    settings = _settings(data)
    try:
        with console.status("building") as status:
            report = run_build(settings, lambda stage: status.update(f"[bold]{stage}[/]"))
    except (ExtractError, BuildError) as e:
        err.print(f"[red]build failed:[/] {e}")
        raise typer.Exit(1) from None
    c = report.corpus
    console.print(
        f"[green]built[/] {len([d for d in c.documents if d.in_corpus])} documents, {len(c.sections)} sections, "
        f"{len(c.measures)} measures, {len(c.indicators)} indicators in {report.total:.2f} s -> {settings.build_dir}"
    )
    _print_table("Build time per stage", ["stage", "seconds"], [[k, v] for k, v in report.timings.items()])
    if report.store_dir is not None:
        console.print(f"[green]published[/] {report.triples} triples -> {report.store_dir}")
    if c.unknown_organizations:
        names = ", ".join(sorted({u.text for u in c.unknown_organizations}))
        console.print(f"[yellow]{len(c.unknown_organizations)} organisation-like names not in "
                      f"ontology/agencies.tsv[/] ({names}): see {settings.build_dir / 'unknown_organizations.tsv'}")


@app.command("eval")
def evaluate(
    data: DataDir = Path("data"),
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="Show every note of each table (error cases, counts), not just the first five.",
    )] = False,
) -> None:
    """Score the last `ipkg build` (DATA/build/records.json; built first if missing) against the hand-checked
    annotations in DATA/gold/."""
    from ipkg.evaluate import evaluate_all

    settings = _settings(data)
    if not (settings.data_dir / "gold" / "measures.tsv").is_file():
        err.print(f"[red]no annotations in {settings.data_dir / 'gold'}[/]: eval scores against the gold files "
                  "of the data folder (measures.tsv, assignments.tsv, lineage.tsv ...)", soft_wrap=True)
        raise typer.Exit(1)
    try:
        tables = evaluate_all(settings)
    except ExtractError as e:
        err.print(f"[red]cannot build the records to score[/]: {e}", soft_wrap=True)
        raise typer.Exit(1) from None
    for table in tables:
        _print_table(table.title, table.columns, table.rows)
        shown = table.notes if verbose else table.notes[:5]
        for note in shown:
            console.print(f"  [dim]{note}[/]")
        if len(table.notes) > len(shown):
            console.print(f"  [dim]... {len(table.notes) - len(shown)} more (--verbose)[/]")


@app.command()
def lineage(
    measure: Annotated[str | None, typer.Argument(
        help="A measure: its IRI, or doc/label such as division-of-work-2016/20. A document slug (or none): "
             "the table of how many measures each plan carries forward from each earlier one.",
    )] = None,
    data: DataDir = Path("data"),
    candidates: Annotated[int | None, typer.Option(
        min=0, show_default=False,
        help="Also show the best N candidates below the threshold in each other document (0: none; default: "
             "as many as the measure and lineage pages and /api/lineage show).",
    )] = None,
) -> None:
    """Print a measure's lineage tree: back to the 2008 Outline and forward to the latest plan, with evidence."""
    from ipkg.extract.chains import UnknownMeasure, document_of, lineage_tree
    from ipkg.extract.lineage import document_lineage
    from ipkg.extract.records import Corpus

    # imported here, not for the option's default: the views pull in the catalogue, which every command
    # (and --help) would then wait for
    from ipkg.graph.views_measure import CANDIDATES_SHOWN

    settings = _settings(data)
    if not settings.records_path.is_file():
        err.print(f"[red]no built graph in {settings.build_dir}[/]: run `ipkg build` first", soft_wrap=True)
        raise typer.Exit(1)
    corpus = Corpus.load(settings.records_path)
    doc = document_of(corpus, measure) if measure else None
    if measure is None or doc is not None:
        table = document_lineage(corpus)
        rows = [r for r in table.rows if doc in (None, r[0], r[1])]
        _print_table(table.title + (f" (with {doc})" if doc else ""), table.columns, rows)
        for note in table.notes:
            console.print(f"  [dim]{note}[/]")
        return
    try:
        tree = lineage_tree(corpus, measure, candidates=CANDIDATES_SHOWN if candidates is None else candidates,
                            threshold=corpus.lineage_threshold)
    except UnknownMeasure as e:
        err.print(f"[red]unknown measure[/] {measure!r}: {e}", soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(tree)


@app.command()
def serve(
    data: DataDir = Path("data"),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the graph: SPARQL endpoint, JSON API, pages and network views on http://HOST:PORT."""
    from ipkg.graph.store import local_source
    from ipkg.serve import serve as run_server

    settings = _settings(data, host=host, port=port)
    needed = local_source(settings)  # checked without opening it: the server opens it, once
    if needed is not None and not needed.exists():
        err.print(f"[red]no graph at {needed}[/]: run `ipkg build` first")
        raise typer.Exit(1)
    console.print(f"serving [bold]http://{host}:{port}/[/] (SPARQL at /sparql, API docs at /docs)")
    run_server(settings)


def _graph_file(path: Path, given: bool) -> Path:
    """``path`` if it is a file; else a one-line error: the build's graph is missing until `ipkg build`, a
    file the user named is just not there."""
    if path.is_file():
        return path
    if not given:
        err.print(f"[red]no graph at {path}[/]; run `ipkg build` first")
        raise typer.Exit(1)
    what = f"{path} is a folder, not a graph file" if path.is_dir() else f"no such file {path}"
    err.print(f"[red]{what}[/]", soft_wrap=True)
    raise typer.Exit(2)


def _parse_graph(path: Path):  # noqa: ANN202
    from rdflib import Graph
    from rdflib.util import guess_format

    fmt = guess_format(str(path)) or "turtle"
    try:
        return Graph().parse(path, format=fmt)
    except Exception as e:  # noqa: BLE001 - every parser has its own exceptions; all mean "not a graph"
        err.print(f"[red]cannot read {path} as {fmt}[/]: {str(e).strip() or type(e).__name__}", soft_wrap=True)
        raise typer.Exit(2) from None


def _output_folder(path: Path) -> Path:
    """``path``, created if missing; checked before the graph is read (which takes seconds) and before any
    export is written, so a bad ``--out`` is one line and leaves nothing behind."""
    import os

    if path.exists() and not path.is_dir():
        reason = "it is a file, not a folder"
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            reason = e.strerror or type(e).__name__
        else:
            if os.access(path, os.W_OK):
                return path
            reason = "the folder is not writable"
    err.print(f"[red]cannot write to {path}[/]: {reason}", soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def validate(
    graph_file: Annotated[Path | None, typer.Argument(
        help="A graph file, its format from its suffix (.nt .ttl .jsonld .rdf .nq ...; default: DATA/build/ipkg.nt).",
    )] = None,
    data: DataDir = Path("data"),
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many violations.")] = 50,
) -> None:
    """Check a graph against the SHACL shapes (ontology/shapes.ttl); exit 1 if it does not conform."""
    from ipkg.graph.validate import validate as run_validate

    source = _graph_file(graph_file or _settings(data).build_dir / "ipkg.nt", given=graph_file is not None)
    graph = _parse_graph(source)
    if len(graph) == 0:
        # an empty graph satisfies every shape, which would pass a truncated or mistaken file as checked
        err.print(f"[red]{source} holds no triples[/]: nothing to validate", soft_wrap=True)
        raise typer.Exit(2)
    report = run_validate(graph)
    if report.conforms:
        console.print("[green]conforms[/]: the graph satisfies the ipkg shapes")
        return
    console.print(report.summary(limit=limit), markup=False, highlight=False)
    raise typer.Exit(1)


@app.command()
def export(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder to write the exports to (default: DATA/build/export).")] = None,
    formats: Annotated[str, typer.Option("--format", "-f", help="Comma-separated: ttl,nt,nq,jsonld,csv.")] = "ttl,nt,nq,jsonld,csv",
    data: DataDir = Path("data"),
) -> None:
    """Export the built graph as Turtle, N-Triples, N-Quads, JSON-LD and CSV tables."""
    from ipkg.graph.export import ALL_FORMATS
    from ipkg.graph.export import export as run_export

    chosen = list(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    if not chosen:
        err.print("[red]--format names no format[/]: use some of ttl,nt,nq,jsonld,csv")
        raise typer.Exit(2)
    unknown = [f for f in chosen if f not in ALL_FORMATS]
    if unknown:  # before reading the graph, which takes seconds
        err.print(f"[red]unknown export format(s) {', '.join(unknown)}[/]; use {', '.join(ALL_FORMATS)}")
        raise typer.Exit(2)
    settings = _settings(data)
    source = _graph_file(settings.build_dir / "ipkg.nt", given=False)
    folder = _output_folder(out or settings.build_dir / "export")
    try:
        written = run_export(_parse_graph(source), folder, chosen)
    except OSError as e:
        err.print(f"[red]cannot write to {folder}[/]: {e.strerror or e}", soft_wrap=True)
        raise typer.Exit(2) from None
    for path in written:
        console.print(f"wrote {path}")


def _existing_file(arg: str) -> Path | None:
    """``arg`` as a path if it names a file; SPARQL text can be too long or odd to be a path at all."""
    try:
        path = Path(arg)
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


def _file_query_text(path: Path, params: dict[str, str]) -> str:
    """The SPARQL a file holds: a named query's rendered with ``params``; any other file's as it stands."""
    from ipkg.graph.queries import is_named_query, load_query

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        err.print(f"[red]cannot read {path}[/]: {e}", soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        if is_named_query(text):
            return load_query(path).render(params)
    except ValueError as e:
        err.print(f"[red]{e}[/]", soft_wrap=True)
        raise typer.Exit(2) from None
    if params:
        err.print(f"[red]--param applies to a named query[/], and {path} is plain SPARQL (no '# title:' and "
                  "'# description:' header, no '# param:' lines)", soft_wrap=True)
        raise typer.Exit(2)
    return text


def _query_text(arg: str, params: dict[str, str]) -> str:
    """The SPARQL ``ipkg query ARG`` runs: a named query's (its name wins over a file of the same name, so
    output saved under a query's name is not read back as SPARQL), a file's, or ARG itself."""
    from ipkg.graph.queries import named_queries

    named = {q.name: q for q in named_queries()}
    if arg in named:
        try:
            return named[arg].render(params)
        except ValueError as e:
            err.print(f"[red]{e}[/]")
            raise typer.Exit(2) from None
    path = _existing_file(arg)
    if path is not None:
        return _file_query_text(path, params)
    looks_like_file = "\n" not in arg and arg.lower().endswith(_QUERY_FILE_SUFFIXES)
    if looks_like_file or _NAME.fullmatch(arg):
        what = "no file" if looks_like_file else "no named query"
        err.print(f"[red]{what} {arg!r}[/]; the named queries are {', '.join(sorted(named))}", soft_wrap=True)
        raise typer.Exit(2)
    if params:
        err.print("[red]--param applies to a named query or a named-query file[/], not to SPARQL text")
        raise typer.Exit(2)
    return arg


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(
        help="SPARQL text, a file of it (.rq, .sparql, .txt), or a named query: its name or a .rq file with its "
             "'# title:' and '# description:' header.")],
    data: DataDir = Path("data"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table (default); json, xml, csv or tsv for SELECT/ASK; ttl, nt, jsonld or rdf for CONSTRUCT/DESCRIBE.")] = "table",
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value for a named query's $name.")] = None,
    store: Annotated[str | None, typer.Option(help="oxigraph (default), memory or remote.")] = None,
) -> None:
    """Run a read-only SPARQL query against the built store."""
    from ipkg.graph.store import QueryError, QueryResult, StoreError, open_store, serialise_result

    malformed = [p for p in param or [] if "=" not in p or not p.split("=", 1)[0]]
    if malformed:
        err.print(f"[red]--param takes name=value[/], not {', '.join(map(repr, malformed))}")
        raise typer.Exit(2)
    text = _query_text(sparql, dict(p.split("=", 1) for p in param or []))
    from ipkg.graph.query_workers import on_large_stack
    from ipkg.graph.sparql import SparqlError, UnknownFormat, analyse, format_for

    settings = _settings(data, **({"store": store} if store else {}))

    def run() -> tuple[QueryResult, str | None]:
        # the endpoint's checks (updates, SERVICE, LOAD and FROM refused with a reason), and its nesting
        analysed = analyse(text)
        media = None if fmt.strip().lower() == "table" else format_for(fmt, analysed.kind).media_type
        with open_store(settings) as st:
            return st.query(text), media

    try:
        result, media = on_large_stack(run)
    except SparqlError as e:
        err.print(f"[red]{e}[/]", soft_wrap=True)
        raise typer.Exit(2 if isinstance(e, UnknownFormat) else 1) from None
    except (QueryError, StoreError) as e:
        err.print(f"[red]{e}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    if media is not None:
        body = serialise_result(result, media)
        sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")
        return
    if result.kind == "ask":
        console.print("true" if result.boolean else "false")
        return
    if result.kind == "graph":
        print((result.graph.serialize(format="turtle") if result.graph is not None else ""), end="")
        return
    from ipkg.ontology.namespaces import ID

    base = str(ID)  # the data IRIs as id:measure/..., so the columns hold what tells rows apart
    table = RichTable(title=f"{len(result.rows)} row(s)", title_justify="left", caption=f"id: = {base}")
    for v in result.variables:
        table.add_column(v, overflow="fold")  # fold, not cut: two IRIs must not end in the same "…"
    for row in result.rows:
        cells = ["" if t is None else str(t) for t in row]
        table.add_row(*["id:" + c[len(base):] if c.startswith(base) else c for c in cells])
    console.print(table)


@app.command()
def bench(
    data: DataDir = Path("data"),
    quick: Annotated[bool, typer.Option("--quick", help="Skip the 100x corpus and the 1M-triple graph.")] = False,
) -> None:
    """Measure build stages, query latency on the three stores, server throughput and scaling; print the table."""
    from ipkg.bench import print_report, run_bench
    from ipkg.extract.manifest import load_sources

    settings = _settings(data)
    try:
        load_sources(data)  # a missing or broken corpus is a message, not a table of n/a
    except ExtractError as e:
        err.print(f"[red]cannot benchmark {data}:[/] {e}", soft_wrap=True)
        raise typer.Exit(1) from None
    with console.status("benchmarking") as status:
        figures = run_bench(settings, settings.build_dir / "bench.json", quick=quick,
                            progress=lambda m: status.update(m))
    print_report(figures, console)


if __name__ == "__main__":
    app()
