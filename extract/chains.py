"""Lineage chains: from one measure back to the Outline and forward to the latest plan, along asserted links.

A chain is a tree: each node is a measure reached through one link (score, relation, evidence). Back: a
measure's asserted candidates, best first. Forward: the later measures that assert a link to it, best
first. Every asserted link is shown; a measure reached a second time (two 2016 tasks carrying forward the
same 2012 measure) is shown again but its own chain is not repeated (``ChainNode.repeat``). A measure
already on the path from the root is never entered again, so a cyclic set of links (not possible between
dated documents, but possible in hand-made data) still gives a finite tree. Beside the chains, the
measure's own candidates below the threshold (``below_threshold``): the links a reader should weigh, since
most true links score under the calibrated, precision-first threshold.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.markup import escape
from rich.tree import Tree

from ipkg.extract.records import Corpus, LineageCandidate
from ipkg.ontology import authority

ID_BASE = "https://w3id.org/ipkg/id/"  # ipkg.ontology.namespaces.ID, without loading rdflib for the CLI
MEASURE_IRI = ID_BASE + "measure/"
DOCUMENT_IRI = ID_BASE + "document/"


@dataclass
class ChainNode:
    measure: str  # "doc/label"
    link: LineageCandidate | None = None  # the link that reached this node (None at the root)
    children: list[ChainNode] = field(default_factory=list)
    repeat: bool = False  # its chain is shown where the measure first appears in the tree

    def walk(self) -> list[ChainNode]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


def _asserted(candidates: list[LineageCandidate]) -> list[LineageCandidate]:
    return sorted((c for c in candidates if c.asserted), key=lambda c: (-c.score, c.earlier, c.later))


def chain_back(candidates: list[LineageCandidate], measure: str, depth: int = 6) -> ChainNode:
    """The tree of asserted links from ``measure`` to earlier measures."""
    by_later: dict[str, list[LineageCandidate]] = {}
    for c in _asserted(candidates):
        by_later.setdefault(c.later, []).append(c)
    return _Grower(lambda m: by_later.get(m, []), lambda c: c.earlier).grow(measure, None, depth, ())


def chain_forward(candidates: list[LineageCandidate], measure: str, depth: int = 6) -> ChainNode:
    """The tree of later measures that assert a link to ``measure``, and so on to the latest plan."""
    by_earlier: dict[str, list[LineageCandidate]] = {}
    for c in _asserted(candidates):
        by_earlier.setdefault(c.earlier, []).append(c)
    return _Grower(lambda m: by_earlier.get(m, []), lambda c: c.later).grow(measure, None, depth, ())


def below_threshold(candidates: list[LineageCandidate], measure: str, per_document: int = 2) -> ChainNode:
    """``measure`` with its best ``per_document`` unasserted candidates in each other document, earlier
    (what it may carry forward) and later (what may carry it forward), best first: one level, not followed."""
    node = ChainNode(measure)
    taken: Counter[str] = Counter()
    for c in sorted(candidates, key=lambda c: (-c.score, c.earlier, c.later)):
        if c.asserted or measure not in (c.later, c.earlier):
            continue
        other = c.earlier if c.later == measure else c.later
        doc = other.split("/")[0]
        if taken[doc] < per_document:
            taken[doc] += 1
            node.children.append(ChainNode(other, c))
    return node


@dataclass
class _Grower:
    """Depth first, best link first; each measure's links are followed once per tree."""

    links_of: Callable[[str], list[LineageCandidate]]
    next_of: Callable[[LineageCandidate], str]
    expanded: set[str] = field(default_factory=set)

    def grow(self, measure: str, link: LineageCandidate | None, depth: int, path: tuple[str, ...]) -> ChainNode:
        node = ChainNode(measure, link)
        links = [c for c in self.links_of(measure) if self.next_of(c) not in (*path, measure)]  # no cycles
        if measure in self.expanded:
            node.repeat = bool(links)
            return node
        self.expanded.add(measure)
        if depth > 0:
            node.children = [self.grow(self.next_of(c), c, depth - 1, (*path, measure)) for c in links]
        return node


def document_of(corpus: Corpus, ref: str) -> str | None:
    """The slug when ``ref`` names a whole document (its slug or IRI), else None."""
    ref = ref.strip().removeprefix("<").removesuffix(">").strip().removeprefix(DOCUMENT_IRI).lower()
    return next((d.slug for d in corpus.documents if d.in_corpus and d.slug.lower() == ref), None)


class UnknownMeasure(KeyError):
    """A reference that names no measure; the message says what it names instead, or what is close."""

    def __str__(self) -> str:
        return str(self.args[0])


def resolve_measure(corpus: Corpus, ref: str) -> str:
    """'doc/label', 'doc label' or a measure IRI (bare or in <>) -> 'doc/label' (UnknownMeasure if none)."""
    ref = ref.strip().removeprefix("<").removesuffix(">").strip()
    if ref.startswith(MEASURE_IRI):
        ref = ref[len(MEASURE_IRI):]
    elif ref.startswith(("http://", "https://")):
        raise UnknownMeasure(f"{ref} is not a measure IRI: those start with {MEASURE_IRI}")
    if "/" not in ref and " " in ref:
        ref = ref.replace(" ", "/", 1)
    doc, _, label = ref.partition("/")
    slugs = {d.slug.lower(): d.slug for d in corpus.documents if d.in_corpus}
    if doc.lower() not in slugs:
        raise UnknownMeasure(f"no document {doc!r}; the documents are {', '.join(sorted(slugs.values()))}")
    doc = slugs[doc.lower()]
    labels = [m.label for m in corpus.measures if m.doc == doc]
    exact = {x.lower(): x for x in labels}
    if label.lower() in exact:
        return corpus.measure(doc, exact[label.lower()]).id
    if not label:
        raise UnknownMeasure(f"{doc} is a document: give one of its measures, e.g. {doc}/{labels[0]}")
    inside = [m.label for m in corpus.measures if m.doc == doc and m.section == label]
    if inside:
        raise UnknownMeasure(f"{doc}/{label} is a section; its measures are {', '.join(inside)}")
    close = difflib.get_close_matches(label, labels, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(f'{doc}/{x}' for x in close)}?" if close else ""
    raise UnknownMeasure(f"no measure {label!r} in {doc} ({len(labels)} measures, {labels[0]} to {labels[-1]}){hint}")


def _label(corpus: Corpus, node: ChainNode) -> str:
    doc, _, label = node.measure.partition("/")
    try:
        text = corpus.measure(doc, label).text
    except KeyError:
        text = ""
    head = f"[bold]{escape(node.measure)}[/bold]"
    link = node.link
    if link is not None:
        if not link.asserted:
            head = "[dim]candidate[/dim] " + head
        arrow = "←" if node.measure == link.earlier else "→"  # back to an earlier measure, or forward
        head = f"{arrow} {link.relation} [cyan]{link.score:.2f}[/cyan]  " + head
    if node.repeat:
        return head + "  [dim](its chain is shown above)[/dim]"
    snippet = escape(text[:90] + ("…" if len(text) > 90 else ""))
    return f"{head}\n[dim]{snippet}[/dim]"


SHARED = {"programmes": "programmes", "instruments": "laws", "agencies": "agencies", "ip_types": "IP types",
          "topics": "topics"}


def _evidence(link: LineageCandidate) -> list[str]:
    """The shared phrases as the later text words them, with the earlier wording where it differs (offsets
    are characters of the documents' files in data/raw), each text's words for a shared topic that no phrase
    shows, then the shared programmes, laws, agencies, IP types and topics."""
    lines = []
    if link.clause is not None:  # which sentence of a composite later measure carries it
        c = link.clause
        lines.append(f"[dim]carried in clause {c.number} of {escape(link.later)} (rank {c.rank} among that clause's "
                     f"candidates; later {c.span.start}-{c.span.end})[/dim]")
    phrases = [e for e in link.evidence if not e.topic][:3] + [e for e in link.evidence if e.topic]
    for e in phrases:
        earlier = ""
        if e.earlier_phrase and e.earlier_phrase.lower() != e.phrase.lower():
            earlier = f" [green]“{escape(e.earlier_phrase)}”[/green]"
        topic = f" [dim](topic: {escape(topic_label(e.topic))})[/dim]" if e.topic else ""
        lines.append(f"[green]“{escape(e.phrase)}”[/green] [dim]later {e.later_span.start}-{e.later_span.end},"
                     f" earlier[/dim]{earlier} [dim]{e.earlier_span.start}-{e.earlier_span.end}[/dim]{topic}")
    shared = [f"{name}: {', '.join(link.shared[key][:5])}" for key, name in SHARED.items() if link.shared.get(key)]
    if shared:
        lines.append(f"[dim]shared {escape('; '.join(shared))}[/dim]")
    return lines


def topic_label(topic: str) -> str:
    found = authority.topics().get(topic)
    return found.pref_label_en if found else topic


def _attach(tree: Tree, corpus: Corpus, node: ChainNode) -> None:
    for child in node.children:
        branch = tree.add(_label(corpus, child))
        if child.link is not None:
            for line in _evidence(child.link):
                branch.add(line)
        _attach(branch, corpus, child)


def lineage_tree(corpus: Corpus, measure_id: str, candidates: int = 2, threshold: float | None = None) -> Tree:
    """A rich Tree for ``ipkg lineage``: the measure, its chain back to the Outline and forward (every
    asserted link, with its evidence in both texts' words), and its best ``candidates`` per document below
    the ``threshold``."""
    root = resolve_measure(corpus, measure_id)
    tree = Tree(_label(corpus, ChainNode(root)))
    at = f" [dim](score ≥ {threshold:.3f})[/dim]" if threshold is not None else ""
    below_at = f" [dim](score < {threshold:.3f}; best {candidates} per document)[/dim]" if threshold is not None \
        else f" [dim](best {candidates} per document)[/dim]"
    for name, chain in (("back (earlier plans)", chain_back(corpus.lineage, root)),
                        ("forward (later plans)", chain_forward(corpus.lineage, root))):
        asserted = len(chain.walk()) - 1
        count = f" — {asserted} asserted link{'s' if asserted != 1 else ''}" if asserted else " — none asserted"
        _attach(tree.add(f"[yellow]{name}[/yellow]{count}{at}"), corpus, chain)
    if candidates > 0:
        below = below_threshold(corpus.lineage, root, candidates)
        head = f"[yellow]candidates below the threshold[/yellow]{below_at}"
        _attach(tree.add(head + ("" if below.children else " — none")), corpus, below)
    return tree
