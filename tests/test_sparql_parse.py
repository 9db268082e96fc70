"""Parsing untrusted SPARQL in the server process: bounded nesting, thread-safe rdflib parses, and
Oxigraph's error positions found in a throwaway process (never in this one). No server needed.

The checks that could kill the interpreter if they regress run in a child process, so a regression
fails the test instead of the test run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from ipkg.graph.query_workers import LOCATE_TIMEOUT_S, locate_syntax_error
from ipkg.graph.sparql import MAX_NESTING, MAX_TOKENS, QuerySyntaxError, SparqlError, analyse

STAR = "BIND(<<( <http://a> <http://b> <http://c> )>> AS ?x)"  # Oxigraph (RDF 1.2) accepts it, rdflib does not
# The audit's query: rdflib rejects it, and Oxigraph's recursive parser overflowed the C stack of the server
# process while looking for the error position.
AUDIT_CRASH = f"SELECT * WHERE {{ {STAR} FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
# Nests only two deep, so the nesting bound lets it through: a 30 000-operand chain, which overflows
# Oxigraph's stack (8 MiB) as well.
FLAT_CRASH = f"SELECT * WHERE {{ {STAR} FILTER(" + "+".join(["1"] * 30_000) + ") }"
# Oxigraph accepts it and plans a 1000-way join for a minute, even over an empty store.
SLOW_TO_PLAN = f"SELECT * WHERE {{ {STAR} " + " ".join(f"?s{i} ?p ?o{i} ." for i in range(1000)) + " }"


def run_python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (a cold rdflib grammar, and a crash stays in there)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, check=False)


# ----------------------------------------------------------------------- nesting, before any parser


@pytest.mark.parametrize(("opening", "closing"), [("(", ")"), ("{ ", " }"), ("[ <urn:p> ", " ]"), ("<< ", " >>")])
def test_deep_nesting_is_refused_before_parsing(opening, closing):
    depth = MAX_NESTING + 10
    query = "SELECT * WHERE {\n  ?s ?p ?o FILTER(\n" + opening * depth + "1" + closing * depth + ") }"
    with pytest.raises(QuerySyntaxError, match=f"more than {MAX_NESTING} deep") as info:
        analyse(query)  # the message is the scan's: no parser ran, no locator process was started
    assert info.value.line == 3
    # the first bracket one level too deep: "{" and "(" on lines 1-2 are levels 1 and 2
    assert info.value.column == (MAX_NESTING - 2) * len(opening) + 1


def test_a_query_of_too_many_tokens_is_refused_before_parsing_and_a_long_values_list_is_not():
    chain = "SELECT * WHERE {\n  FILTER(" + "+".join(["1"] * 30_000) + ") }"  # 64 KB: rdflib took 20 s
    with pytest.raises(QuerySyntaxError, match=f"more than {MAX_TOKENS} tokens") as info:
        analyse(chain)
    assert info.value.line == 2 and info.value.column == len("  FILTER(") + MAX_TOKENS - 6 + 1
    iris = " ".join(f"<https://w3id.org/ipkg/id/measure/outline-2008/{k}>" for k in range(MAX_TOKENS - 20))
    assert analyse(f"SELECT * WHERE {{ VALUES ?m {{ {iris} }} }}").form == "select"
    assert analyse("SELECT * WHERE { ?s ?p ?o } # " + "1+" * MAX_TOKENS).form == "select"  # comments are free


def test_brackets_in_strings_iris_and_comments_do_not_nest():
    deep = "(" * (MAX_NESTING + 10)
    query = (f'SELECT ?a ?b ?c WHERE {{ BIND("{deep}" AS ?a) BIND(\'{deep}\' AS ?b) BIND("""{deep}\n{deep}""" AS ?c)\n'
             f"  ?s <urn:x:{deep}> ?o # {deep}\n}}")
    assert analyse(query).form == "select"


def test_nesting_scan_is_linear_on_hostile_text():
    hostile = ['"""' + "'''x" * 16_000, '"' * 64_000, "<a" * 32_000, '"\\' * 32_000, "'''" + "\\" * 64_000,
               "<" * 64_000, "#" * 64_000, "?x<?y " * 10_000]
    for text in hostile:
        started = time.monotonic()
        with pytest.raises(SparqlError):  # a syntax error; a comment alone parses as an (empty) update
            analyse(text)
        assert time.monotonic() - started < 3, text[:20]


# ----------------------------------------------------------------------- Oxigraph only out of process


def test_audit_crash_query_is_a_syntax_error_and_the_process_survives():
    result = run_python(f"""
        from ipkg.graph.sparql import QuerySyntaxError, analyse
        for query in {[AUDIT_CRASH, FLAT_CRASH]!r}:
            try:
                analyse(query)
            except QuerySyntaxError as e:
                print(type(e).__name__, e.line, e.column)
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    first, second = result.stdout.splitlines()
    assert first.startswith("QuerySyntaxError 1 ")  # refused by the nesting bound
    assert second.startswith("QuerySyntaxError 1 ")  # rdflib's position: the locator process crashed


def test_locator_survives_its_own_crash_and_runaway():
    assert locate_syntax_error(AUDIT_CRASH) is None  # its process segfaulted, not this one
    started = time.monotonic()
    assert locate_syntax_error(SLOW_TO_PLAN) is None  # killed when late
    assert time.monotonic() - started < LOCATE_TIMEOUT_S + 3


def test_a_query_oxigraph_would_plan_for_a_minute_fails_fast():
    started = time.monotonic()
    with pytest.raises(QuerySyntaxError, match="line 1"):
        analyse(SLOW_TO_PLAN)
    assert time.monotonic() - started < LOCATE_TIMEOUT_S + 5


def test_oxigraph_still_gives_the_position():
    assert locate_syntax_error("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(\n}")[:2] == (4, 2)
    assert locate_syntax_error("SELECT * WHERE { ?s ?p ?o }") is None  # nothing wrong


# ----------------------------------------------------------------------- one rdflib parse at a time


def test_concurrent_first_parses_in_a_fresh_process():
    """pyparsing settles each parse action's arity on its first call; two threads doing that at once
    used to break rdflib's grammar for good ("Param.postParse2() missing 1 required positional argument")."""
    result = run_python("""
        import json, threading
        from ipkg.graph.sparql import SparqlError, analyse

        THREADS = 24
        SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        errors, forms = [], []
        barrier = threading.Barrier(THREADS)

        def parse(i):
            query = SKOS + f"SELECT ?l WHERE {{ ?s skos:prefLabel ?l FILTER(STRLEN(?l) > {i}) }} LIMIT {i + 1}"
            barrier.wait()
            try:
                forms.append(analyse(query).form)
            except SparqlError as e:
                errors.append(str(e))

        threads = [threading.Thread(target=parse, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        later = analyse(SKOS + "ASK { ?s skos:altLabel ?l FILTER(CONTAINS(?l, 'x')) }").form
        print(json.dumps({"errors": errors, "forms": forms, "later": later}))
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["errors"] == []
    assert out["forms"] == ["select"] * 24
    assert out["later"] == "ask"
