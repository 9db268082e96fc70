"""The ``ipkg`` command: a thin layer over the library functions that the tests call directly."""

from __future__ import annotations

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
console = Console()
err = Console(stderr=True)

DataDir = Annotated[Path, typer.Option("--data", help="The data folder (manifest, raw texts, gold, build).")]


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data)


def _print_table(title: str, columns: list[str], rows: list[list[object]]) -> None:
    table = RichTable(title=title, title_justify="left")
    for c in columns:
        table.add_column(c, justify="right" if c not in columns[:1] else "left")
    for row in rows:
        table.add_row(*[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row])
    console.print(table)


@app.command()
def build(data: DataDir = Path("data")) -> None:
    """Extract every document of the manifest and build the graph into data/build/."""
    from ipkg.build import build as run_build

    settings = _settings(data)
    try:
        with console.status("building") as status:
            report = run_build(settings, lambda stage: status.update(f"[bold]{stage}[/]"))
    except ExtractError as e:
        err.print(f"[red]build failed:[/] {e}")
        raise typer.Exit(1) from None
    c = report.corpus
    console.print(
        f"[green]built[/] {len([d for d in c.documents if d.in_corpus])} documents, {len(c.sections)} sections, "
        f"{len(c.measures)} measures, {len(c.indicators)} indicators in {report.total:.2f} s -> {settings.build_dir}"
    )
    _print_table("Build time per stage", ["stage", "seconds"], [[k, v] for k, v in report.timings.items()])


@app.command("eval")
def evaluate(
    data: DataDir = Path("data"),
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every error case.")] = False,
) -> None:
    """Score the extractor against the hand-checked annotations in data/gold/."""
    from ipkg.evaluate import evaluate_all

    settings = _settings(data)
    for table in evaluate_all(settings):
        _print_table(table.title, table.columns, table.rows)
        shown = table.notes if verbose else table.notes[:5]
        for note in shown:
            console.print(f"  [dim]{note}[/]")
        if len(table.notes) > len(shown):
            console.print(f"  [dim]... {len(table.notes) - len(shown)} more (--verbose)[/]")


if __name__ == "__main__":
    app()
