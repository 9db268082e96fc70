"""Lineage chains: from one measure back to the Outline and forward to the latest plan, along asserted links.

A chain is a tree: each node is a measure reached through one link (score, relation, evidence). Back: a
measure's asserted candidates, best first. Forward: the later measures that assert a link to it, best
first. A measure already on the path from the root is never entered again, so a cyclic set of links (not
possible between dated documents, but possible in hand-made data) still gives a finite tree. Beside the
chains, the measure's own candidates below the threshold (``below_threshold``): the links a reader should
weigh, since most true links score under the calibrated, precision-first threshold.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.markup import escape
from rich.tree import Tree

from ipkg.extract.records import Corpus, LineageCandidate

MEASURE_IRI = "https://w3id.org/ipkg/id/measure/"


@dataclass
class ChainNode:
    measure: str  # "doc/label"
    link: LineageCandidate | None = None  # the link that reached this node (None at the root)
    children: list[ChainNode] = field(default_factory=list)

    def walk(self) -> list[ChainNode]:
        out = [self]
        for c in self.children:
            out += c.walk()
        return out


def _asserted(candidates: list[LineageCandidate]) -> list[LineageCandidate]:
    return sorted((c for c in candidates if c.asserted), key=lambda c: (-c.score, c.earlier, c.later))


def chain_back(candidates: list[LineageCandidate], measure: str, branch: int = 3, depth: int = 6) -> ChainNode:
    """The tree of asserted links from ``measure`` to earlier measures (at most ``branch`` per node)."""
    by_later: dict[str, list[LineageCandidate]] = {}
    for c in _asserted(candidates):
        by_later.setdefault(c.later, []).append(c)
    return _grow(measure, None, lambda m: by_later.get(m, []), lambda c: c.earlier, branch, depth, ())


def chain_forward(candidates: list[LineageCandidate], measure: str, branch: int = 3, depth: int = 6) -> ChainNode:
    """The tree of later measures that assert a link to ``measure``, and so on to the latest plan."""
    by_earlier: dict[str, list[LineageCandidate]] = {}
    for c in _asserted(candidates):
        by_earlier.setdefault(c.earlier, []).append(c)
    return _grow(measure, None, lambda m: by_earlier.get(m, []), lambda c: c.later, branch, depth, ())


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


def _grow(measure, link, links_of, next_of, branch, depth, path) -> ChainNode:  # type: ignore[no-untyped-def]
    node = ChainNode(measure, link)
    if depth <= 0:
        return node
    on_path = (*path, measure)
    taken = 0
    for c in links_of(measure):
        nxt = next_of(c)
        if nxt in on_path:
            continue  # a cycle
        node.children.append(_grow(nxt, c, links_of, next_of, branch, depth - 1, on_path))
        taken += 1
        if taken >= branch:
            break
    return node


def resolve_measure(corpus: Corpus, ref: str) -> str:
    """'doc/label', 'doc label' or a measure IRI -> 'doc/label' (KeyError if no such measure)."""
    ref = ref.strip()
    if ref.startswith(MEASURE_IRI):
        ref = ref[len(MEASURE_IRI):]
    if "/" not in ref and " " in ref:
        ref = ref.replace(" ", "/", 1)
    doc, _, label = ref.partition("/")
    return corpus.measure(doc, label).id


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
    snippet = escape(text[:90] + ("…" if len(text) > 90 else ""))
    return f"{head}\n[dim]{snippet}[/dim]"


def _attach(tree: Tree, corpus: Corpus, node: ChainNode) -> None:
    for child in node.children:
        branch = tree.add(_label(corpus, child))
        link = child.link
        if link is not None:
            for e in link.evidence[:3]:
                branch.add(f"[green]“{escape(e.phrase)}”[/green] [dim]later {e.later_span.start}-"
                           f"{e.later_span.end}, earlier {e.earlier_span.start}-{e.earlier_span.end}[/dim]")
            programmes = link.shared.get("programmes", [])
            if programmes:
                branch.add(f"[dim]shared: {escape(', '.join(programmes[:5]))}[/dim]")
        _attach(branch, corpus, child)


def lineage_tree(corpus: Corpus, measure_id: str, branch: int = 3, candidates: int = 2) -> Tree:
    """A rich Tree for ``ipkg lineage``: the measure, its chain back to the Outline and forward, and its best
    ``candidates`` per document below the threshold."""
    root = resolve_measure(corpus, measure_id)
    tree = Tree(_label(corpus, ChainNode(root)))
    back = chain_back(corpus.lineage, root, branch)
    forward = chain_forward(corpus.lineage, root, branch)
    back_tree = tree.add("[yellow]back (earlier plans)[/yellow]" + ("" if back.children else " — none asserted"))
    _attach(back_tree, corpus, back)
    fwd_tree = tree.add("[yellow]forward (later plans)[/yellow]" + ("" if forward.children else " — none asserted"))
    _attach(fwd_tree, corpus, forward)
    if candidates > 0:
        below = below_threshold(corpus.lineage, root, candidates)
        head = f"[yellow]candidates below the threshold[/yellow] [dim](best {candidates} per document)[/dim]"
        _attach(tree.add(head + ("" if below.children else " — none")), corpus, below)
    return tree
