"""``ipkg_ip_types``: the IP types a text concerns, from the cue words of ``ontology/ip_types.tsv``.

The matching rules are the authority file's (its header comments), which the gold follows:

- cues match case-insensitively on whole tokens (the tokenizer splits "copyright-related" at the hyphen,
  so a hyphen after a cue is allowed); a short all-letters cue such as ``gi`` is an acronym and matches
  only in capitals ("GI", never the "gi" of a word);
- cues inside the name of a Chinese state body (``doc.spans["agencies"]``, found by the agency components
  that run first) are not evidence: "National Copyright Administration" does not concern copyright. The
  name of an international body is: it names its subject ("WIPO Intergovernmental Committee on ... Genetic
  Resources, Traditional Knowledge and Folklore", "East Asia Plant Variety Protection Forum", UPOV), and the
  gold counts it. Which agency labels are topical is configurable (``topical_agency_labels``);
- the most specific concept wins: a match lying inside a match of a *narrower* type (skos:broader chain)
  does not count for the broader type ("design patents" is industrial-design, not also patent). An
  instrument name (``doc.spans["instruments"]``) counts as one phrase for this rule: the Interpretation
  "... Trademark Infringement Cases ... Well-known Trademarks" concerns well-known trademarks only.
  Types that are not on one chain all count ("national defense patents": national-defense-ip and patent).

Matches land in ``doc.spans["ip_types"]``, label and ``kb_id_`` = the IP-type id, in text order.
"""

from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ipkg.ontology import authority

SPANS_KEY = "ip_types"
AGENCY_KEY = "agencies"
INSTRUMENT_KEY = "instruments"
TOPICAL_AGENCY_LABELS = ("INTL_ORG",)
_ACRONYM_MAX = 4  # cues this short and without spaces are acronyms (GI, PCT, UPOV)


@dataclass(frozen=True)
class IPTypeEntry:
    """What the tagger needs from one row of ``ip_types.tsv``."""

    id: str
    broader: str = ""
    cues: tuple[str, ...] = ()

    @classmethod
    def of(cls, row: Any) -> "IPTypeEntry":
        get = row.get if isinstance(row, dict) else lambda k, d=None: getattr(row, k, d)
        cues = get("cues", ()) or ()
        if isinstance(cues, str):
            cues = tuple(c.strip() for c in cues.split(" | ") if c.strip())
        return cls(id=get("id"), broader=get("broader") or "", cues=tuple(cues))


class IPTypeTagger:
    """Tags IP-type cues; see the module docstring."""

    def __init__(
        self, nlp: Language, name: str = "ipkg_ip_types", spans_key: str = SPANS_KEY,
        topical_agency_labels: tuple[str, ...] = TOPICAL_AGENCY_LABELS,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.topical_agency_labels = frozenset(topical_agency_labels)
        self.entries: dict[str, IPTypeEntry] = {}
        self.narrower: dict[str, frozenset[str]] = {}
        self.words: PhraseMatcher | None = None
        self.acronyms: PhraseMatcher | None = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, ip_types: list[Any] | None = None,
    ) -> None:
        """Build the cue patterns; ``ip_types`` (fixture rows) defaults to the authority file."""
        rows = list(authority.ip_types().values()) if ip_types is None else list(ip_types)
        self.entries = {e.id: e for e in map(IPTypeEntry.of, rows)}
        self.narrower = {t: frozenset(self._descendants(t)) for t in self.entries}
        self.words = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.acronyms = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for entry in self.entries.values():
            acronyms = [c for c in entry.cues if len(c) <= _ACRONYM_MAX and c.isalpha()]
            words = [c for c in entry.cues if c not in acronyms]
            if words:
                self.words.add(entry.id, [self.nlp.make_doc(c) for c in words])
            if acronyms:
                self.acronyms.add(entry.id, [self.nlp.make_doc(c.upper()) for c in acronyms])

    def _descendants(self, type_id: str) -> set[str]:
        children = {e.id for e in self.entries.values() if e.broader == type_id}
        return children.union(*(self._descendants(c) for c in children)) if children else set()

    def __call__(self, doc: Doc) -> Doc:
        if self.words is None or self.acronyms is None:
            self.initialize()
        assert self.words is not None and self.acronyms is not None
        masked = {
            i for s in doc.spans.get(AGENCY_KEY, []) if s.label_ not in self.topical_agency_labels
            for i in range(s.start, s.end)
        }
        by_type: dict[str, list[Span]] = {}
        for match_id, start, end in [*self.words(doc), *self.acronyms(doc)]:
            if masked.intersection(range(start, end)):
                continue
            type_id = self.nlp.vocab.strings[match_id]
            by_type.setdefault(type_id, []).append(Span(doc, start, end, label=type_id, kb_id=type_id))
        # The longest cue at a position, per type.
        by_type = {t: filter_spans(spans) for t, spans in by_type.items()}
        phrases = list(doc.spans.get(INSTRUMENT_KEY, []))
        kept = [
            span for t, spans in by_type.items() for span in spans
            if not self._inside_narrower(span, by_type, phrases)
        ]
        doc.spans[self.spans_key] = sorted(kept, key=lambda s: (s.start, s.end, s.label_))
        return doc

    def _inside_narrower(self, span: Span, by_type: dict[str, list[Span]], phrases: list[Span]) -> bool:
        narrower = self.narrower.get(span.label_, frozenset())
        for other in narrower:
            for match in by_type.get(other, []):
                if _within(span, match):
                    return True
                if any(_within(span, p) and _within(match, p) for p in phrases):
                    return True
        return False


def _within(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


@Language.factory(
    "ipkg_ip_types",
    default_config={"spans_key": SPANS_KEY, "topical_agency_labels": list(TOPICAL_AGENCY_LABELS)},
)
def make_ip_type_tagger(
    nlp: Language, name: str, spans_key: str, topical_agency_labels: list[str]
) -> IPTypeTagger:
    return IPTypeTagger(nlp, name, spans_key, tuple(topical_agency_labels))
