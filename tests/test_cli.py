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


def test_query_runs_a_plain_sparql_file_and_fills_a_named_query_file(built, tmp_path):
    data = str(built[0].data_dir)
    for name in ("plain.rq", "q1.sparql", "q2.txt"):
        plain = tmp_path / name
        plain.write_text('SELECT ?v WHERE { BIND("plain" AS ?v) }\n')
        result = runner.invoke(app, ["query", str(plain), "--data", data, "-f", "csv"])
        assert result.exit_code == 0 and result.output.split() == ["v", "plain"], result.output  # before: the
        # .rq file refused for want of a '# title:' header, the others' paths parsed as SPARQL
    result = runner.invoke(app, ["query", str(tmp_path / "plain.rq"), "-p", "v=x", "--data", data])
    assert result.exit_code == 2 and "plain SPARQL" in result.output
    named = tmp_path / "named.rq"
    named.write_text("# title: Echo\n# description: the value given\n# param: value=default\n"
                     "SELECT ?v WHERE { BIND($value AS ?v) }\n")
    result = runner.invoke(app, ["query", str(named), "-p", "value=given", "--data", data, "-f", "csv"])
    assert result.exit_code == 0 and result.output.split() == ["v", "given"], result.output
    half = tmp_path / "half.rq"
    half.write_text("# title: no description\nSELECT * WHERE {}\n")
    result = runner.invoke(app, ["query", str(half), "--data", data])
    assert result.exit_code == 2 and "# description:" in result.output
    missing = runner.invoke(app, ["query", str(tmp_path / "missing.sparql"), "--data", data])
    assert missing.exit_code == 2 and "no file" in missing.output


def test_format_names_ignore_case_in_query_and_export(built, tmp_path):
    data = str(built[0].data_dir)
    result = runner.invoke(app, ["query", "ASK {}", "--data", data, "-f", "TABLE"])
    assert result.exit_code == 0 and result.output.strip() == "true", result.output
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--data", data, "-o", str(out), "-f", "TTL , Nt"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["ipkg.nt", "ipkg.ttl"]


def test_export_to_a_path_it_cannot_write_is_one_line_not_a_traceback(built, tmp_path):
    data = str(built[0].data_dir)
    existing = tmp_path / "existing.nt"
    existing.write_text("keep")
    for out, reason in ((existing, "it is a file, not a folder"), (existing / "below", "Not a directory")):
        result = runner.invoke(app, ["export", "--data", data, "-o", str(out), "-f", "nt"])
        assert result.exit_code == 2 and f"cannot write to {out}: {reason}" in result.output, result.output
    assert existing.read_text() == "keep" and list(tmp_path.iterdir()) == [existing]


def test_validate_refuses_an_empty_graph_and_names_a_missing_file(tmp_path):
    empty = tmp_path / "empty.nt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["validate", str(empty)])
    assert result.exit_code == 2 and "holds no triples" in result.output  # before: "conforms"
    result = runner.invoke(app, ["validate", str(tmp_path / "missing.nt")])
    assert result.exit_code == 2 and "no such file" in result.output and "ipkg build" not in result.output
    result = runner.invoke(app, ["validate", "--data", str(tmp_path)])  # the build's graph: build it first
    assert result.exit_code == 1 and "run `ipkg build` first" in result.output


def test_lineage_shows_as_many_candidates_as_the_pages_by_default(built):
    from collections import Counter

    from ipkg.graph.views_measure import CANDIDATES_SHOWN

    result = runner.invoke(app, ["lineage", "outline-2008/57", "--data", str(built[0].data_dir)])
    assert result.exit_code == 0 and f"best {CANDIDATES_SHOWN} per document" in result.output, result.output
    shown = Counter(line.split("candidate ")[1].split("/")[0] for line in result.output.splitlines()
                    if "candidate " in line)
    assert max(shown.values()) == CANDIDATES_SHOWN  # before: 2
