"""SHACL validation of a built graph against ontology/shapes.ttl (pyshacl, no inference).

``validate(graph)`` returns a :class:`ValidationReport` whose violations are readable: the focus node,
the path, the offending value and the shape's message (compacted with the project's prefixes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ipkg.graph.rdf import ontology_file
from ipkg.ontology.namespaces import PREFIXES, RDF, SH, bind_prefixes


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str = "Violation"
    value: str | None = None
    shape: str | None = None

    def __str__(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        value = f" (value {self.value})" if self.value and self.value != self.focus else ""
        return f"[{self.severity}] {where}{value}: {self.message}"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    text: str = ""

    def summary(self, limit: int = 20) -> str:
        if self.conforms:
            return "the graph conforms to the ipkg shapes"
        lines = [f"{len(self.violations)} SHACL result(s):"]
        lines += [f"  {v}" for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"  ... {len(self.violations) - limit} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


@cache
def _shape_parts() -> tuple[Graph, list[_SparqlConstraint]]:
    """The shapes for pyshacl without their SPARQL constraints, and those constraints on their own.

    pyshacl runs a SPARQL constraint once per focus node with rdflib's engine, which takes ~40 s on the
    corpus; the same constraints run as one query each over an embedded Oxigraph store in milliseconds.
    (It also refuses VALUES in a constraint, which the shapes use.)
    """
    g = Graph().parse(ontology_file("shapes.ttl"), format="turtle")
    constraints: list[_SparqlConstraint] = []
    for shape, constraint in list(g.subject_objects(SH.sparql)):
        select = g.value(constraint, SH.select)
        if select is None or g.value(constraint, SH.deactivated) == Literal(True):
            continue
        prefixes: dict[str, str] = {}
        for decl_owner in g.objects(constraint, SH.prefixes):
            for decl in g.objects(decl_owner, SH.declare):
                prefixes[str(g.value(decl, SH.prefix))] = str(g.value(decl, SH.namespace))
        targets = [("class", c) for c in g.objects(shape, SH.targetClass)]
        targets += [("node", n) for n in g.objects(shape, SH.targetNode)]
        targets += [("subjectsOf", p) for p in g.objects(shape, SH.targetSubjectsOf)]
        targets += [("objectsOf", p) for p in g.objects(shape, SH.targetObjectsOf)]
        messages = [str(m) for m in g.objects(constraint, SH.message)] or [
            str(m) for m in g.objects(shape, SH.message)
        ]
        severity = g.value(shape, SH.severity)
        constraints.append(
            _SparqlConstraint(
                shape=shape, select=str(select), prefixes=prefixes, targets=targets,
                message=messages[0] if messages else "SPARQL constraint violated",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            )
        )
        g.remove((shape, SH.sparql, constraint))
    return g, constraints


@dataclass(frozen=True)
class _SparqlConstraint:
    shape: Node
    select: str
    prefixes: dict[str, str]
    targets: list[tuple[str, Node]]
    message: str
    severity: str

    def query(self) -> str | None:
        if not self.targets:
            return None
        patterns = []
        for kind, term in self.targets:
            t = term.n3()
            patterns.append({
                "class": f"{{ ?this a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {t} }}",
                "node": f"{{ VALUES ?this {{ {t} }} }}",
                "subjectsOf": f"{{ SELECT DISTINCT ?this WHERE {{ ?this {t} ?any_o }} }}",
                "objectsOf": f"{{ SELECT DISTINCT ?this WHERE {{ ?any_s {t} ?this }} }}",
            }[kind])
        body = self.select.replace("$this", "?this")
        head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self.prefixes.items())
        # the constraint's query as a subquery, joined with the shape's focus nodes: the same answers as
        # running it once per focus node with $this pre-bound
        return f"{head}SELECT * WHERE {{ {{ {body} }} {' UNION '.join(patterns)} }}"


_TEMPLATE = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _run_sparql_constraints(
    graph: Graph, constraints: list[_SparqlConstraint], extra: Graph | None = None
) -> list[Violation]:
    from ipkg.graph.store import MemoryOxigraph

    if not constraints:
        return []
    store = MemoryOxigraph(graph)
    if extra is not None:
        store.load(extra)
    out: list[Violation] = []
    for c in constraints:
        q = c.query()
        if q is None:
            continue
        result = store.query(q)
        for row in result.rows:
            values = dict(zip(result.variables, row, strict=True))
            focus = values.get("this")
            message = _TEMPLATE.sub(lambda m, v=values: _short(v.get(m.group(1))) or "?", c.message)
            out.append(
                Violation(
                    focus=_short(focus) or "?", path=None, message=message, severity=c.severity,
                    value=_short(values.get("value")),
                    shape=_short(c.shape) if isinstance(c.shape, URIRef) else None,
                )
            )
    return out


@cache
def _ontology() -> Graph:
    g = Graph()
    g.parse(ontology_file("ipkg.ttl"), format="turtle")
    g.parse(ontology_file("vocabularies.ttl"), format="turtle")
    return g


def _short(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        text = str(term)
        best = None
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
                best = prefix
        if best is not None:
            return f"{best}:{text[len(PREFIXES[best]):]}"
        return f"<{text}>"
    return term.n3()


def _path(report: Graph, node: Node) -> str | None:
    path = report.value(node, SH.resultPath)
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _short(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_short(inverse)}"
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        from rdflib.collection import Collection

        return "|".join(_short(p) or "?" for p in Collection(report, alternatives))
    return "(complex path)"


def validate(graph: Graph, *, include_ontology: bool = True) -> ValidationReport:
    """Validate ``graph`` (which should already contain the vocabularies and authority data)."""
    ontology = _ontology() if include_ontology else None
    conforms, report_graph, text = pyshacl.validate(
        graph,
        shacl_graph=_shape_parts()[0],
        # pyshacl copies the data graph to mix the ontology in (2 s on the corpus): not when it is in already
        ont_graph=None if ontology is None or all(t in graph for t in ontology) else ontology,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        # the SHACL-SPARQL constraints run apart (``_shape_parts``); the shapes use no other advanced feature,
        # and advanced mode would also copy the data graph
        advanced=False,
    )
    violations: list[Violation] = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(result, SH.resultSeverity)
        messages = [str(m) for m in report_graph.objects(result, SH.resultMessage)]
        violations.append(
            Violation(
                focus=_short(report_graph.value(result, SH.focusNode)) or "?",
                path=_path(report_graph, result),
                message="; ".join(messages) or "(no message)",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                value=_short(report_graph.value(result, SH.value)),
                shape=_short(report_graph.value(result, SH.sourceShape))
                if isinstance(report_graph.value(result, SH.sourceShape), URIRef)
                else None,
            )
        )
    sparql_violations = _run_sparql_constraints(graph, _shape_parts()[1], ontology)
    violations.extend(sparql_violations)
    violations = list(dict.fromkeys(violations))
    conforms = bool(conforms) and not any(v.severity == "Violation" for v in sparql_violations)
    violations.sort(key=lambda v: (v.severity != "Violation", v.focus, v.path or "", v.message))
    bind_prefixes(report_graph)
    return ValidationReport(bool(conforms), violations, str(text))
