"""Agency recognition and linking: every name of ``ontology/agencies.tsv`` found in a Doc, with its id.

The component ``ipkg_agencies`` writes ``doc.spans["agencies"]``: one span per named body, label
``AGENCY`` (a Chinese state or Party body) or ``INTL_ORG`` (an international organisation), the agency id
in ``span.kb_id_``. Names are matched on lower-cased tokens, so "State-Owned" and "State-owned" are the
same name; every name is also tried with straight and curly apostrophes. Acronyms are matched only as
printed (upper case), so "SAT" is an agency but "sat" is not.

Overlaps resolve by longest match: "General Administration of Quality Supervision, Inspection and
Quarantine" is one AQSIQ span, not the short form plus leftovers; "CPC Central Committee" inside
"Propaganda Department of the CPC Central Committee" is not also cpccc. Titles of legal instruments and
policy documents ("Several State Council Opinions on ...") are matched too, as blockers: a name inside a
title is not an agency mention. The blocked titles are kept in ``doc.spans["titles"]`` for inspection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ipkg.ontology import authority

SPANS_KEY = "agencies"
TITLES_KEY = "titles"
AGENCY = "AGENCY"
INTL_ORG = "INTL_ORG"
_TITLE = "TITLE"
_ARTICLES = ("the ", "The ")
_APOSTROPHES = ("'", "\u2019")


@dataclass(frozen=True)
class AgencyNames:
    """What the ruler needs to know of one agency: its id, the names it is printed under, its kind."""

    id: str
    names: tuple[str, ...]
    acronym: str = ""
    international: bool = False


def authority_agencies() -> list[AgencyNames]:
    """Every agency of the authority file, with its English name and printed variants."""
    return [
        AgencyNames(a.id, (a.name_en, *a.variants), a.acronym or "", a.international)
        for a in authority.agencies().values()
    ]


def authority_titles() -> list[str]:
    """Names of legal instruments and policy documents: text in which agency names are not mentions."""
    return [name for i in authority.instruments().values() for name in (i.name_en, *i.variants)]


def name_forms(name: str) -> set[str]:
    """A printed name, without a leading article, in its straight- and curly-apostrophe spellings."""
    for article in _ARTICLES:
        if name.startswith(article):
            name = name[len(article) :]
    name = " ".join(name.split())
    forms = {name}
    for a, b in (_APOSTROPHES, _APOSTROPHES[::-1]):
        forms.add(name.replace(a, b))
    return {f for f in forms if f}


def _is_acronym(acronym: str) -> bool:
    # Only letter acronyms of two letters or more; "CPC Central Committee" (a short form) counts too.
    return len(acronym) >= 2 and any(c.isupper() for c in acronym) and acronym.replace(" ", "").isalnum()


class AgencyRuler:
    """Finds agency names (PhraseMatcher on LOWER, acronyms on ORTH) and links them to agency ids."""

    def __init__(
        self,
        nlp: Language,
        name: str = "ipkg_agencies",
        *,
        spans_key: str = SPANS_KEY,
        agencies: list[dict[str, Any]] | None = None,
        titles: list[str] | None = None,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self._fixture_agencies = agencies
        self._fixture_titles = titles
        self.labels: dict[str, str] = {}
        self._names: PhraseMatcher | None = None
        self._acronyms: PhraseMatcher | None = None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        agencies: Sequence[AgencyNames] | None = None,
        titles: Sequence[str] | None = None,
    ) -> None:
        """Build the matchers from the authority files (or from the rows given, for tests)."""
        if agencies is None:
            agencies = (
                [_fixture_row(r) for r in self._fixture_agencies]
                if self._fixture_agencies is not None
                else authority_agencies()
            )
        if titles is None:
            titles = self._fixture_titles if self._fixture_titles is not None else authority_titles()
        make_doc = (nlp or self.nlp).make_doc
        self._names = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._acronyms = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.labels = {}
        for agency in agencies:
            self.labels[agency.id] = INTL_ORG if agency.international else AGENCY
            forms = set().union(*(name_forms(n) for n in agency.names if n))
            self._names.add(agency.id, [make_doc(f) for f in sorted(forms)])
            if _is_acronym(agency.acronym):
                self._acronyms.add(agency.id, [make_doc(agency.acronym)])
        title_forms = set().union(set(), *(name_forms(t) for t in titles if t))
        if title_forms:
            self._names.add(_TITLE, [make_doc(t) for t in sorted(title_forms)])

    def __call__(self, doc: Doc) -> Doc:
        if self._names is None or self._acronyms is None:
            self.initialize()  # lazily, for pipelines assembled without nlp.initialize()
        assert self._names is not None and self._acronyms is not None
        strings = self.nlp.vocab.strings
        candidates = [
            Span(doc, start, end, label=strings[key]) for key, start, end in self._names(doc)
        ] + [Span(doc, start, end, label=strings[key]) for key, start, end in self._acronyms(doc)]
        agencies: list[Span] = []
        titles: list[Span] = []
        for span in filter_spans(candidates):  # longest wins, then earliest
            key = span.label_
            if key == _TITLE:
                titles.append(Span(doc, span.start, span.end, label=_TITLE))
            else:
                agencies.append(Span(doc, span.start, span.end, label=self.labels[key], kb_id=key))
        doc.spans[self.spans_key] = agencies
        doc.spans[TITLES_KEY] = titles
        return doc


def _fixture_row(row: dict[str, Any]) -> AgencyNames:
    names = row.get("names") or [row.get("name_en", ""), *row.get("variants", [])]
    return AgencyNames(
        id=row["id"],
        names=tuple(names),
        acronym=row.get("acronym", ""),
        international=bool(row.get("international", False)),
    )


@Language.factory(
    "ipkg_agencies",
    default_config={"spans_key": SPANS_KEY, "agencies": None, "titles": None},
)
def make_agency_ruler(
    nlp: Language,
    name: str,
    spans_key: str,
    agencies: list[dict[str, Any]] | None,
    titles: list[str] | None,
) -> AgencyRuler:
    """``agencies``/``titles`` override the authority files (fixture vocabularies in tests)."""
    return AgencyRuler(nlp, name, spans_key=spans_key, agencies=agencies, titles=titles)
