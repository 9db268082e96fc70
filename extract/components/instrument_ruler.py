"""``ipkg_instruments``: legal instruments named in a text, linked to ``ontology/instruments.tsv``.

Every ``name_en`` and variant of the authority file becomes a case-insensitive phrase pattern; the
longest match wins, so the Patent Law printed inside "Implementing Rules of the Patent Law ..." is not a
citation of its own. Matches land in ``doc.spans["instruments"]`` with the instrument kind as label and
the slug as ``kb_id_``. A leading "the" is never part of a pattern: the span is the name as printed.

Generic phrases ("IP laws and regulations", "relevant regulations") are not in the authority file and so
are never matched. One anaphoric form is resolved: "its Implementation Regulations" right after a law
means that law's implementing regulation (``based_on`` the law), which the authority file deliberately
does not list as a variant because the bare phrase is ambiguous.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ipkg.ontology import authority

SPANS_KEY = "instruments"
ANAPHOR_LABEL = "ANAPHOR"
_APOSTROPHES = ("'", "\u2019")
# Kinds of instrument an "its Implementation Regulations / Implementing Rules" anaphor can point back to.
_ANAPHOR_HEAD_KINDS = frozenset({"law"})


@dataclass(frozen=True)
class InstrumentEntry:
    """What the ruler needs from one row of ``instruments.tsv``."""

    slug: str
    name_en: str
    kind: str
    variants: tuple[str, ...] = ()
    based_on: str = ""

    @classmethod
    def of(cls, row: Any) -> "InstrumentEntry":
        """From an ``ipkg.ontology.authority`` record, or a dict with the same keys (test fixtures)."""
        get = row.get if isinstance(row, Mapping) else lambda k, d=None: getattr(row, k, d)
        variants = get("variants", ()) or ()
        if isinstance(variants, str):
            variants = tuple(v.strip() for v in variants.split(" | ") if v.strip())
        return cls(
            slug=get("slug"), name_en=get("name_en") or "", kind=get("kind") or "instrument",
            variants=tuple(variants), based_on=get("based_on") or "",
        )


def surface_forms(name: str) -> set[str]:
    """A name as it may be printed: without a leading "the", with either apostrophe."""
    name = name.strip()
    if name.lower().startswith("the "):
        name = name[4:]
    forms = {name}
    for a in _APOSTROPHES:
        for b in _APOSTROPHES:
            forms.add(name.replace(a, b))
    return forms


class InstrumentRuler:
    """Finds and links instrument names; see the module docstring."""

    def __init__(self, nlp: Language, name: str = "ipkg_instruments", spans_key: str = SPANS_KEY) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.entries: dict[str, InstrumentEntry] = {}
        self.matcher: PhraseMatcher | None = None
        self.anaphor_matcher: Matcher | None = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Language | None = None, instruments: list[Any] | None = None,
    ) -> None:
        """Build the patterns; ``instruments`` (fixture rows) defaults to the authority file."""
        rows = list(authority.instruments().values()) if instruments is None else list(instruments)
        self.entries = {e.slug: e for e in map(InstrumentEntry.of, rows)}
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for entry in self.entries.values():
            forms: set[str] = set()
            for name in (entry.name_en, *entry.variants):
                forms |= surface_forms(name)
            self.matcher.add(entry.slug, [self.nlp.make_doc(f) for f in sorted(forms)])
        self.anaphor_matcher = Matcher(self.nlp.vocab)
        self.anaphor_matcher.add(ANAPHOR_LABEL, [
            [{"LOWER": "its"}, {"LOWER": {"IN": ["implementation", "implementing"]}},
             {"LOWER": {"IN": ["regulations", "rules", "measures"]}}],
        ])

    def __call__(self, doc: Doc) -> Doc:
        if self.matcher is None or self.anaphor_matcher is None:
            self.initialize()
        assert self.matcher is not None and self.anaphor_matcher is not None
        found: list[Span] = []
        for match_id, start, end in self.matcher(doc):
            slug = self.nlp.vocab.strings[match_id]
            found.append(Span(doc, start, end, label=self.entries[slug].kind, kb_id=slug))
        spans = filter_spans(found)
        spans += self._anaphors(doc, spans)
        doc.spans[self.spans_key] = sorted(spans, key=lambda s: (s.start, s.end))
        return doc

    def _anaphors(self, doc: Doc, named: list[Span]) -> list[Span]:
        """"its Implementation Regulations" -> the implementing regulation of the law named just before."""
        assert self.anaphor_matcher is not None
        out: list[Span] = []
        for _, start, end in self.anaphor_matcher(doc):
            heads = [s for s in named if s.end <= start and s.label_ in _ANAPHOR_HEAD_KINDS]
            if not heads:
                continue
            target = self._implementing(heads[-1].kb_id_)
            if target is not None:
                # The span leaves out "its": the name as printed is "Implementation Regulations".
                out.append(Span(doc, start + 1, end, label=target.kind, kb_id=target.slug))
        return out

    def _implementing(self, law: str) -> "InstrumentEntry | None":
        for entry in self.entries.values():
            if entry.based_on == law and "implement" in (entry.name_en + entry.slug).lower():
                return entry
        return None


@Language.factory("ipkg_instruments", default_config={"spans_key": SPANS_KEY})
def make_instrument_ruler(nlp: Language, name: str, spans_key: str) -> InstrumentRuler:
    return InstrumentRuler(nlp, name, spans_key)
