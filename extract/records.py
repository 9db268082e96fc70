"""The typed records the extractor produces: plain, JSON-serialisable dataclasses.

Every record that comes from the text carries a :class:`Span` — character offsets (Python ``str``
indices, i.e. Unicode code points) into the *raw* file of its document, so any statement can be
checked against the exact source it came from. Nothing here knows about RDF.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

DatePrecision = Literal["day", "month", "year"]
SectionKind = Literal["part", "section", "group", "special-column"]
MeasureKind = Literal["numbered", "unnumbered", "special-column-paragraph", "section-paragraph"]
Role = Literal["lead", "participant", "responsible"]


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range ``[start, end)`` into a document's raw file."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, raw: str) -> str:
        return raw[self.start : self.end]

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass
class Document:
    """A policy document, in the corpus (``file`` set) or only cited by one (``file`` None)."""

    slug: str
    title: str
    kind: str
    issuer: str | None = None  # agency id from the authority file
    number: str | None = None  # normalised, e.g. "Guo Fa [2016] No. 86"
    number_as_printed: str | None = None
    issued: str | None = None  # ISO date, truncated to its precision ("2009", "2016-07-08")
    date_precision: DatePrecision | None = None
    implements: list[str] = field(default_factory=list)
    alternative_titles: list[str] = field(default_factory=list)
    file: str | None = None
    sha256: str | None = None
    notes: str = ""

    @property
    def in_corpus(self) -> bool:
        return self.file is not None


def issued_before(a: str | None, b: str | None) -> bool:
    """Issue date ``a`` is before ``b``; dates cut to different precisions are compared only where they can
    be ("2016" vs "2016-07-08": order unknown)."""
    return bool(a and b and a != b and not a.startswith(b) and not b.startswith(a) and a < b)


@dataclass
class Section:
    """A heading of a document: a part, a numbered section, a group of items, a Special Column."""

    doc: str
    path: str  # numbering path, e.g. "II", "II.ii", "I.1", "SC3"
    kind: SectionKind
    title: str
    number_as_printed: str
    parent: str | None  # path of the enclosing section, None at the top
    span: Span  # the heading line in the raw file
    intro: Span | None = None  # its own text before its first item or subsection (``extract/intros.py``)
    intro_text: str = ""  # that text, cleaned: paragraphs separated by a blank line


@dataclass
class Measure:
    """A numbered task (or an unnumbered paragraph that the label scheme counts as one)."""

    doc: str
    label: str  # DESIGN.md label, e.g. "I.1.1", "IV.i.1", "SC3.2", "III.i", "20"
    kind: MeasureKind
    section: str | None  # path of the innermost section
    heading_path: list[str]  # titles of the enclosing sections, outermost first
    text: str  # the clean text of the body (layout noise removed, whitespace collapsed)
    span: Span  # the whole item in the raw file, from its number to its last character
    number_as_printed: str | None = None
    body: Span | None = None  # the text after the number and before the agency clause
    clause: Span | None = None  # the trailing parenthesis naming the responsible agencies

    @property
    def id(self) -> str:
        return f"{self.doc}/{self.label}"


@dataclass
class Indicator:
    """One row of a key-indicator table."""

    doc: str
    name: str
    unit: str | None
    baseline: float | None
    baseline_year: int
    target: float | None
    target_year: int
    added: float | None  # "cumulatively added value"; None where the table prints a dash
    attribute: str  # e.g. "Anticipatory"
    span: Span
    note: str | None = None  # e.g. royalty exports are a five-year aggregate
    row: int = 0  # position in the table, 1-based


@dataclass
class Assignment:
    """An agency (or a vague actor) made responsible for a measure by its responsibility clause."""

    doc: str
    label: str  # the measure's label
    position: int  # 1-based place in the clause's list
    role: Role
    basis: str  # id in the basis scheme, e.g. "first-listed-lead", "explicit-lead-clause"
    actor_text: str  # the name as printed (cleaned)
    span: Span  # the name in the raw file
    agency: str | None = None  # agency id; None for a vague actor or an unknown body
    vague: bool = False  # "relevant administrative law enforcement authorities"


@dataclass
class Mention:
    """An organisation named inside a measure's text (not in its responsibility clause)."""

    doc: str
    label: str
    agency: str  # agency id (Chinese state body or international organisation)
    text: str
    span: Span
    international: bool = False


@dataclass
class InstrumentCitation:
    """A legal instrument named in a measure, and what the measure does to it."""

    doc: str
    label: str
    instrument: str  # instrument slug from the authority file
    action: str  # revise | formulate | implement | interpret | study | cite
    text: str
    span: Span


@dataclass
class IPTypeTag:
    """An IP type a measure concerns, with the words that triggered it."""

    doc: str
    label: str
    ip_type: str  # id in the IP-type scheme
    cue: str
    span: Span


@dataclass
class UnknownOrganization:
    """An organisation-like name the authority files do not cover."""

    doc: str
    label: str | None
    text: str
    span: Span
    source: str  # "clause" | "ner" | "pattern"


@dataclass
class SharedPhrase:
    """Evidence for a lineage candidate: a phrase of the later text and the span of the earlier text that
    matches it; with a ``topic``, two renderings of one policy topic, which may be worded differently."""

    phrase: str  # as the later text words it
    later_span: Span
    earlier_span: Span
    topic: str | None = None  # policy-topic id (ontology/topics.tsv) when the two texts share it in their own words
    earlier_phrase: str | None = None  # the earlier text's wording (cleaned like ``phrase``) where it differs


@dataclass
class ClauseOfLink:
    """The clause of a composite later measure (``clauses.clauses``) that carries a lineage candidate best."""

    number: int  # 1-based among the later measure's clauses
    span: Span  # the clause in the later document's raw file
    score: float  # the clause model's score in [0, 1]
    rank: int  # among the clause's candidates in the earlier document (1 = best)


@dataclass
class LineageCandidate:
    """A ranked earlier measure for a later one; ``asserted`` above the calibrated threshold."""

    later: str  # measure id "doc/label"
    earlier: str
    score: float  # in [0, 1]
    rank: int
    relation: str  # continues | expands | completes | implements
    asserted: bool
    signals: dict[str, float] = field(default_factory=dict)
    shared: dict[str, list[str]] = field(default_factory=dict)  # agencies, instruments, ip_types, programmes
    evidence: list[SharedPhrase] = field(default_factory=list)
    clause: ClauseOfLink | None = None  # only for a later measure of several clauses


@dataclass
class Corpus:
    """Everything ``ipkg build`` extracts, serialised to ``data/build/records.json``."""

    documents: list[Document] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    citations: list[InstrumentCitation] = field(default_factory=list)
    ip_types: list[IPTypeTag] = field(default_factory=list)
    unknown_organizations: list[UnknownOrganization] = field(default_factory=list)
    lineage: list[LineageCandidate] = field(default_factory=list)
    lineage_threshold: float | None = None  # the score from which a candidate is asserted
    warnings: list[str] = field(default_factory=list)

    def measure(self, doc: str, label: str) -> Measure:
        for m in self.measures:
            if m.doc == doc and m.label == label:
                return m
        raise KeyError(f"no measure {doc}/{label}")

    def document(self, slug: str) -> Document:
        for d in self.documents:
            if d.slug == slug:
                return d
        raise KeyError(f"no document {slug}")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Corpus:
        kinds = {f.name: f.type for f in dataclasses.fields(cls)}
        record_types: dict[str, type] = {
            "documents": Document, "sections": Section, "measures": Measure, "indicators": Indicator,
            "assignments": Assignment, "mentions": Mention, "citations": InstrumentCitation,
            "ip_types": IPTypeTag, "unknown_organizations": UnknownOrganization,
        }
        out = cls()
        for name in kinds:
            items = data.get(name, [])
            if name == "warnings":
                out.warnings = list(items)
            elif name == "lineage_threshold":
                out.lineage_threshold = data.get(name)
            elif name == "lineage":
                out.lineage = [_lineage_from_json(c) for c in items]
            else:
                setattr(out, name, [from_jsonable(record_types[name], item) for item in items])
        return out

    @classmethod
    def load(cls, path: Path) -> Corpus:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def _lineage_from_json(data: dict[str, Any]) -> LineageCandidate:
    candidate = from_jsonable(LineageCandidate, data)
    candidate.evidence = [from_jsonable(SharedPhrase, e) for e in data.get("evidence", [])]
    if data.get("clause"):
        candidate.clause = from_jsonable(ClauseOfLink, data["clause"])
    return candidate


def to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    return obj


T = TypeVar("T")


def from_jsonable(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record dataclass (one level of nested Spans / lists of records)."""
    kwargs: dict[str, Any] = {}
    hints = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    for name, value in data.items():
        if name not in hints:
            continue
        if isinstance(value, dict) and value.keys() == {"start", "end"}:
            value = Span(**value)
        kwargs[name] = value
    return cls(**kwargs)


def save_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
