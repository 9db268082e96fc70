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


def test_lineage_prints_the_chain_and_the_candidates_below_the_threshold(built):
    settings = built[0]
    result = runner.invoke(app, ["lineage", "outline-2008/57", "--data", str(settings.data_dir),
                                 "--candidates", "1"])
    assert result.exit_code == 0, result.output
    assert "forward (later plans)" in result.output and "candidates below the threshold" in result.output
    shown = [line.split("candidate ")[1].split("/")[0] for line in result.output.splitlines() if "candidate " in line]
    assert shown and len(shown) == len(set(shown))  # at most one per later document, as asked
    unknown = runner.invoke(app, ["lineage", "outline-2008/999", "--data", str(settings.data_dir)])
    assert unknown.exit_code == 2 and "unknown measure" in unknown.output and "did you mean" in unknown.output
    table = runner.invoke(app, ["lineage", "outline-2008", "--data", str(settings.data_dir)])
    assert table.exit_code == 0 and "Lineage between documents (with outline-2008)" in table.output
    rows = [line for line in table.output.splitlines() if "│ outline-2008" in line]
    assert len(rows) == 4  # the four later plans, each against the Outline


def test_lineage_without_a_build_says_so(tmp_path):
    result = runner.invoke(app, ["lineage", "outline-2008/8", "--data", str(tmp_path)])
    assert result.exit_code == 1 and "run `ipkg build` first" in result.output


def test_query_params_must_be_name_value_for_a_named_query(built):
    data = str(built[0].data_dir)
    bare = runner.invoke(app, ["query", "lineage-chain", "-p", "measure", "--data", data])
    assert bare.exit_code == 2 and "--param takes name=value" in bare.output
    raw = runner.invoke(app, ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-p", "a=b", "--data", data])
    assert raw.exit_code == 2 and "named query" in raw.output
    ok = runner.invoke(app, ["query", "lineage-chain", "-p", "measure=fyp13-plan-2016/IV.iii.1", "--data", data,
                             "--format", "csv"])
    assert ok.exit_code == 0 and "fyp13-plan-2016/IV.iii.1" in ok.output
    table = runner.invoke(app, ["query", "lineage-chain", "--data", data])
    assert table.exit_code == 0 and "id:measure/fyp13-plan-2016/IV.iii.1" in table.output
    assert "id: = https://w3id.org/ipkg/id/" in table.output


def test_bad_input_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b ")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2 and "cannot read" in result.output and "as turtle" in result.output
    for name in ("no-such-query", "missing.rq"):
        result = runner.invoke(app, ["query", name, "--data", str(tmp_path)])
        assert result.exit_code == 2 and "who-leads-what" in result.output, result.output
    result = runner.invoke(app, ["eval", "--data", str(tmp_path)])
    assert result.exit_code == 1 and "no annotations" in result.output
    result = runner.invoke(app, ["bench", "--quick", "--data", str(tmp_path / "missing")])
    assert result.exit_code == 1 and "cannot benchmark" in result.output and "manifest not found" in result.output
    result = runner.invoke(app, ["export", "--format", ",", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "names no format" in result.output
    monkeypatch.setenv("IPKG_MAX_ROWS", "abc")
    result = runner.invoke(app, ["query", "ASK { ?s ?p ?o }", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "bad setting" in result.output and "max_rows" in result.output


def test_validate_reads_rdf_xml_and_export_writes_under_the_data_folder(built, tmp_path, monkeypatch):
    from rdflib import Graph

    settings = built[0]
    graph = Graph().parse(settings.build_dir / "ipkg.nt", format="nt")
    rdf = tmp_path / "graph.rdf"
    graph.serialize(rdf, format="xml")
    result = runner.invoke(app, ["validate", str(rdf)])
    assert result.exit_code == 0 and "conforms" in result.output, result.output
    monkeypatch.chdir(tmp_path)  # the default folder follows --data, not the working directory
    result = runner.invoke(app, ["export", "--format", "csv", "--data", str(settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert (settings.build_dir / "export" / "measures.csv").is_file() and not (tmp_path / "data").exists()


def test_query_formats_follow_the_query_form_like_the_endpoint(built):
    import json

    data = str(built[0].data_dir)
    ask = runner.invoke(app, ["query", "ASK { ?s ?p ?o }", "--data", data, "-f", "xml"])
    assert ask.exit_code == 0 and "<boolean>true</boolean>" in ask.output  # before: -f ignored for ASK
    assert json.loads(runner.invoke(app, ["query", "ASK { ?s ?p ?o }", "--data", data, "-f", "json"]).output) == {
        "head": {}, "boolean": True}
    construct = "CONSTRUCT { ?m a ?t } WHERE { ?m a ?t } LIMIT 3"
    nt = runner.invoke(app, ["query", construct, "--data", data, "-f", "nt"])
    assert nt.exit_code == 0 and len(nt.output.splitlines()) == 3 and nt.output.endswith(" .\n")
    wrong = runner.invoke(app, ["query", construct, "--data", data, "-f", "csv"])
    assert wrong.exit_code == 2 and "not available for CONSTRUCT/DESCRIBE" in wrong.output
    store = runner.invoke(app, ["query", "ASK {}", "--data", data, "--store", "bogus"])
    assert store.exit_code == 2 and "bad setting" in store.output and "store" in store.output


def test_query_takes_the_nesting_the_endpoint_promises(built):
    from ipkg.graph.sparql import MAX_NESTING

    depth = MAX_NESTING - 2  # the SELECT expression's own brackets are two more
    expression = "1" + "+(1" * depth + ")" * depth
    result = runner.invoke(app, ["query", f"SELECT ({expression} AS ?x) WHERE {{}}", "--data",
                                 str(built[0].data_dir), "-f", "csv"])
    assert result.exit_code == 0, result.output  # before: "nested too deeply" at about 25 on the default stack
    assert result.output.split() == ["x", str(depth + 1)]
