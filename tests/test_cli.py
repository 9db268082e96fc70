"""The CLI: every command documented in --help; bad input is a clear message and a non-zero exit."""

from __future__ import annotations

from typer.testing import CliRunner

from ipkg.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    out = runner.invoke(app, ["--help"]).output
    for command in ("build", "eval", "serve", "query", "lineage", "validate", "export", "bench"):
        assert command in out


def test_query_refuses_updates_and_services_before_touching_a_store(tmp_path):
    update = runner.invoke(app, ["query", "INSERT DATA { <a:b> <a:c> <a:d> }", "--data", str(tmp_path)])
    assert update.exit_code == 1 and "read-only" in update.output
    service = runner.invoke(app, ["query", "SELECT * WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }",
                                  "--data", str(tmp_path)])
    assert service.exit_code == 1 and "SERVICE" in service.output


def test_build_names_a_missing_manifest(tmp_path):
    result = runner.invoke(app, ["build", "--data", str(tmp_path)])
    assert result.exit_code == 1 and "manifest not found" in result.output
