"""Lineage signals: content-word stems, corpus-learned term weights, a programme lexicon, shared entities.

Everything here is computed from the corpus itself. A term's weight is its inverse document frequency over
*measures* (``log((N + 1) / (df + 1)) + 1``), so the generic vocabulary of policy prose — "strengthen",
"improve", "promote", "intellectual property", "protection", "system", "mechanism", "work" — which occurs in
a large share of all measures, weighs little without any hand list of such words (the most generic terms
learned are written into the model file for review). Only grammatical function words are a fixed list.

Lemmas: a small suffix stemmer, not spaCy. It is deterministic, needs no model (the whole corpus is stemmed
in milliseconds, where tagging + lemmatising 504 measures with ``en_core_web_sm`` takes seconds), and it
conflates derivational families that a lemmatiser keeps apart but lineage needs together across
translators: revise / revision / revising, protect / protection, enforce / enforcement, navigate / navigation.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from ipkg.extract.clauses import SENTENCE_BREAK, clauses
from ipkg.extract.records import Corpus, Measure
from ipkg.extract.sentence_encoder import embed
from ipkg.ontology import authority

_WORD = re.compile(r"[A-Za-z]+|\d+")
_BREAK = re.compile(r"[.,;:()\[\]\"“”]")

FUNCTION_WORDS = frozenset(
    """a about above according across after again against all along also am among an and any are as at be
    based because been before being below between both but by can could did do does doing done down during
    each either etc every few for from further had has have having he her here hers him his how however i if
    in into is it its itself may might more most much must my no nor not of off on once only or other our
    ours out over own per same shall she should so some such than that the their theirs them then there
    these they this those through thus to too under until up upon us very via was we were what when where
    whether which while who whom whose why will with within without would yet you your s e g i.e ie eg""".split()
)

# Suffixes stripped (longest first), with the replacement; the stem keeps at least three letters.
_SUFFIXES = [
    ("izations", "ize"), ("ization", "ize"), ("isation", "ize"), ("ational", "ate"), ("fulness", "ful"),
    ("iveness", "ive"), ("ousness", "ous"), ("ements", ""), ("ement", ""), ("ments", ""), ("ment", ""),
    ("ations", "ate"), ("ation", "ate"), ("itions", ""), ("ition", ""), ("ities", ""), ("ity", ""),
    ("ings", ""), ("ing", ""), ("ions", ""), ("ion", ""), ("ies", "y"), ("ied", "y"), ("ness", ""),
    ("ized", "ize"), ("izes", "ize"), ("ives", "ive"), ("ive", ""), ("ally", "al"), ("ly", ""), ("ed", ""),
    ("ers", ""), ("er", ""), ("es", ""), ("s", ""),
]


def stem(word: str) -> str:
    """A cheap, deterministic stem of a lower-case word (numbers and short words unchanged)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)] + replacement
            break
    for suffix in ("ize", "ate", "al", "e", "y"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word


@dataclass(frozen=True)
class Token:
    stem: str
    start: int  # character offsets into Measure.text
    end: int
    sentence: int = 0  # which sentence of the text (see ``clauses.SENTENCE_BREAK``): shared phrases stay inside one
    word: str = ""  # the word as printed, lower-cased


def content_tokens(text: str) -> list[Token]:
    """Content words of a text as stems with their character offsets (function words and years dropped)."""
    breaks = [m.end() for m in SENTENCE_BREAK.finditer(text)]
    out: list[Token] = []
    for m in _WORD.finditer(text):
        w = m.group(0).lower()
        if w in FUNCTION_WORDS or len(w) < 2:
            continue
        if w.isdigit() and (len(w) < 3 or re.fullmatch(r"(19|20)\d\d", w)):
            continue
        out.append(Token(stem(w), m.start(), m.end(), bisect.bisect_right(breaks, m.start()), w))
    return out


def segment_tokens(tokens: list[Token]) -> list[list[Token]]:
    """The content tokens of each sentence (at least one segment, possibly empty). Composite measures —
    a five-year-plan paragraph, a long Outline paragraph — carry several distinct objects, one or two
    sentences each; comparing sentences finds the one object two measures share."""
    return [list(piece) for _, piece in itertools.groupby(tokens, key=lambda t: t.sentence)] or [[]]


def best_pair_similarity(vectors: np.ndarray | sparse.csr_matrix, starts: np.ndarray, rows_a: np.ndarray,
                         rows_b: np.ndarray) -> np.ndarray:
    """Best sentence-pair cosine for every measure of ``rows_a`` against every measure of ``rows_b``.

    ``vectors`` holds one l2-normalised row per sentence (sparse TF-IDF or dense embeddings); the sentences
    of measure ``r`` are rows ``starts[r]`` to ``starts[r + 1]``."""

    def seg_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = np.concatenate([np.arange(starts[r], starts[r + 1]) for r in rows])
        lengths = np.array([starts[r + 1] - starts[r] for r in rows])
        return idx, np.concatenate([[0], np.cumsum(lengths)[:-1]])

    ia, oa = seg_rows(rows_a)
    ib, ob = seg_rows(rows_b)
    sims = vectors[ia] @ vectors[ib].T
    if sparse.issparse(sims):
        sims = sims.toarray()
    sims = np.maximum.reduceat(sims, oa, axis=0)
    return np.maximum.reduceat(sims, ob, axis=1)


def segment_similarity(index: Index, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Best sentence-pair TF-IDF cosine between the measures of ``rows_a`` and ``rows_b``."""
    assert index.segments is not None and index.segment_start is not None
    return best_pair_similarity(index.segments, index.segment_start, rows_a, rows_b)


def _ngrams(stems: list[str], n: int) -> list[str]:
    return [" ".join(stems[i : i + n]) for i in range(len(stems) - n + 1)]


@dataclass
class Index:
    """Per-measure term vectors and entity sets over one corpus; rows follow ``measures``."""

    measures: list[Measure]
    tokens: list[list[Token]]
    idf: dict[str, float]
    unigram: sparse.csr_matrix  # sublinear tf * idf, l2-normalised
    bigram: sparse.csr_matrix
    presence: sparse.csr_matrix  # 1 where the measure has the stem
    weight: np.ndarray  # idf of each vocabulary column
    vocab: dict[str, int]
    programmes: dict[str, float]  # lexicon term (stems) -> weight
    programme_surface: dict[str, str]  # lexicon term -> how it is written where first seen
    programme_sets: list[set[str]]
    segments: sparse.csr_matrix | None = None  # one l2-normalised tf-idf row per sentence, measure by measure
    segment_start: np.ndarray | None = None  # first segment row of each measure (plus the end)
    dense: np.ndarray | None = None  # per measure: l2-normalised mean of its sentence embeddings
    dense_segments: np.ndarray | None = None  # one l2-normalised embedding per sentence, measure by measure
    dense_start: np.ndarray | None = None  # first dense_segments row of each measure (plus the end)
    entities: dict[str, list[set[str]]] = field(default_factory=dict)  # kind -> per-measure id sets
    entity_idf: dict[str, dict[str, float]] = field(default_factory=dict)
    # per measure: topic id -> character spans of its cues in the measure text (the evidence of a shared topic)
    topic_spans: list[dict[str, list[tuple[int, int]]]] = field(default_factory=list)

    def row(self, measure_id: str) -> int:
        return self._rows[measure_id]

    def __contains__(self, measure_id: object) -> bool:
        return measure_id in self._rows

    def __post_init__(self) -> None:
        self._rows = {m.id: i for i, m in enumerate(self.measures)}

    def generic_terms(self, n: int = 25) -> list[str]:
        """The stems the corpus itself marks as most generic (lowest idf)."""
        return sorted(self.idf, key=lambda t: (self.idf[t], t))[:n]


def _tfidf(rows: list[list[str]], vocab: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for terms in rows:
        counts = Counter(t for t in terms if t in vocab)
        for term, c in counts.items():
            indices.append(vocab[term])
            data.append((1.0 + math.log(c)) * idf[vocab[term]])
        indptr.append(len(indices))
    m = sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab)), dtype=np.float64)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m)


def _idf_of(rows: list[set[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for r in rows:
        df.update(r)
    n = len(rows)
    return {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}


def build_index(corpus: Corpus, measures: list[Measure] | None = None) -> Index:
    measures = list(corpus.measures if measures is None else measures)
    tokens = [content_tokens(m.text) for m in measures]
    stems = [[t.stem for t in ts] for ts in tokens]
    idf = _idf_of([set(s) for s in stems])
    vocab = {t: i for i, t in enumerate(sorted(idf))}
    weight = np.array([idf[t] for t in sorted(idf)])
    unigram = _tfidf(stems, vocab, weight)
    bigrams = [_ngrams(s, 2) for s in stems]
    bidf = _idf_of([set(b) for b in bigrams])
    bvocab = {t: i for i, t in enumerate(sorted(bidf))}
    bigram = _tfidf(bigrams, bvocab, np.array([bidf[t] for t in sorted(bidf)]))
    presence = (unigram > 0).astype(np.float64).tocsr()
    programmes, surface, sets = _programme_lexicon(measures, tokens)
    index = Index(measures, tokens, idf, unigram, bigram, presence, weight, vocab, programmes, surface, sets)
    seg_rows: list[list[str]] = []
    starts = [0]
    for ts in tokens:
        seg_rows += [[t.stem for t in piece] for piece in segment_tokens(ts)]
        starts.append(len(seg_rows))
    index.segments = _tfidf(seg_rows, vocab, weight)
    index.segment_start = np.array(starts)
    sentence_rows = measure_sentences(measures)
    dense_starts = np.cumsum([0] + [len(sentences(m.text)) for m in measures]).tolist()
    index.dense_segments = embed(sentence_rows)
    index.dense_start = np.array(dense_starts)
    # A measure's vector: the normalised mean of its sentences' (the encoder truncates long texts anyway).
    means = np.add.reduceat(index.dense_segments, index.dense_start[:-1], axis=0) if measures else \
        np.zeros((0, index.dense_segments.shape[1]), dtype=np.float32)
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    index.dense = means / np.maximum(norms, 1e-9)
    _add_entities(index, corpus)
    _add_topics(index)
    return index


def _programme_lexicon(
    measures: list[Measure], tokens: list[list[Token]]
) -> tuple[dict[str, float], dict[str, str], list[set[str]]]:
    """Multiword specific terms learned from the corpus: stem n-grams (n = 2..4) found in few measures but in
    at least two documents ("patent navigation", "pledge financing", "service invention", "well-known
    trademark"), plus distinctive numbers ("12330"). Weighted by idf; a term whose every word is among
    the most common tenth of the vocabulary is not specific and is dropped."""
    n = len(measures)
    max_df = max(6, int(0.025 * n))
    grams: list[dict[str, tuple[int, int]]] = []
    for m, ts in zip(measures, tokens, strict=True):
        found: dict[str, tuple[int, int]] = {}
        stems = [t.stem for t in ts]
        for size in (2, 3, 4):
            for i in range(len(ts) - size + 1):
                s, e = ts[i].start, ts[i + size - 1].end
                if not _BREAK.search(m.text, s, e):  # a term does not run across punctuation
                    found.setdefault(" ".join(stems[i : i + size]), (s, e))
        for t in ts:
            if t.stem.isdigit():
                found.setdefault(t.stem, (t.start, t.end))
        grams.append(found)
    df: Counter[str] = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    for m, found in zip(measures, grams, strict=True):
        df.update(found.keys())
        for g in found:
            docs[g].add(m.doc)
    word_df: Counter[str] = Counter()
    for ts in tokens:
        word_df.update({t.stem for t in ts})
    common = {w for w, _ in word_df.most_common(max(1, len(word_df) // 10))}
    lexicon: dict[str, float] = {}
    surface: dict[str, str] = {}
    for g, c in df.items():
        if not (2 <= c <= max_df and len(docs[g]) >= 2):
            continue
        words = g.split()
        if all(w in common for w in words) or len(set(words)) < len(words):
            continue
        lexicon[g] = math.log((n + 1) / (c + 1)) + 1.0
    for m, found in zip(measures, grams, strict=True):
        for g, (s, e) in found.items():
            if g in lexicon and g not in surface:
                surface[g] = m.text[s:e]
    sets = [{g for g in found if g in lexicon} for found in grams]
    return lexicon, surface, sets


def _add_entities(index: Index, corpus: Corpus) -> None:
    """Agencies (responsible or mentioned), instruments and IP types per measure, when the entity stages
    have filled the corpus; empty sets otherwise (the linker then runs on text signals alone)."""
    kinds: dict[str, dict[str, set[str]]] = {k: defaultdict(set) for k in ("agencies", "instruments", "ip_types")}
    for a in corpus.assignments:
        if a.agency:
            kinds["agencies"][f"{a.doc}/{a.label}"].add(a.agency)
    for mention in corpus.mentions:
        kinds["agencies"][f"{mention.doc}/{mention.label}"].add(mention.agency)
    for c in corpus.citations:
        kinds["instruments"][f"{c.doc}/{c.label}"].add(c.instrument)
    for t in corpus.ip_types:
        kinds["ip_types"][f"{t.doc}/{t.label}"].add(t.ip_type)
    for kind, by_measure in kinds.items():
        sets = [set(by_measure.get(m.id, set())) for m in index.measures]
        index.entities[kind] = sets
        index.entity_idf[kind] = _idf_of(sets)


# ---------------------------------------------------------------------------------------------- topics
#
# The policy-topic thesaurus (ontology/topics.tsv) names the mechanisms the plans carry forward under different
# renderings. Cues are matched on the same content stems as every other signal, so function words and
# inflection do not matter ("transfer of suspected criminal cases" ~ "transferring suspected criminal case").

# first stem -> (cue stems, the forms a one-word cue may take, topic id), longest cue first
CueIndex = dict[str, list[tuple[tuple[str, ...], frozenset[str], str]]]


def topic_cues(topics: dict[str, authority.Topic] | None = None) -> CueIndex:
    table = authority.topics() if topics is None else topics
    index: CueIndex = defaultdict(list)
    for topic in table.values():
        for cue in topic.cues:
            tokens = content_tokens(cue)
            if tokens:
                forms = inflections(tokens[0].word) if len(tokens) == 1 else frozenset()
                index[tokens[0].stem].append((tuple(t.stem for t in tokens), forms, topic.id))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


def topic_matches(tokens: list[Token], cues: CueIndex) -> dict[str, list[tuple[int, int]]]:
    """Topic id -> character spans (into the measure text) of its cues among ``tokens``."""
    stems = [t.stem for t in tokens]
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, s in enumerate(stems):
        for cue, forms, topic in cues.get(s, ()):
            if forms and tokens[i].word not in forms:
                continue  # one word alone: its stem is not enough ("police" / "policy", "integrity" / "integrate")
            if tuple(stems[i : i + len(cue)]) == cue:
                found[topic].append((tokens[i].start, tokens[i + len(cue) - 1].end))
    return dict(found)


def inflections(word: str) -> frozenset[str]:
    """``word`` and its regular inflections (plural, past, -ing): the forms a one-word topic cue matches. The
    stemmer also joins words of other meanings, and a lone word has no neighbour to tell them apart."""
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word[:-1] + "ed"}
    if word.endswith("y"):
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if word.endswith("ies"):
        forms |= {word[:-3] + "y"}
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("ing"):
        forms |= {word[:-3], word[:-3] + "e", word[:-3] + "s"}
    return frozenset(forms)


def _add_topics(index: Index) -> None:
    cues = topic_cues()
    index.topic_spans = [topic_matches(tokens, cues) for tokens in index.tokens]
    sets = [set(found) for found in index.topic_spans]
    index.entities["topics"] = sets
    index.entity_idf["topics"] = _idf_of(sets)


def coverage(later: set[str], earlier: set[str], weights: dict[str, float]) -> float:
    """Share of the earlier measure's weighted topics that the later one carries too (0 if it has none): a
    composite later paragraph covers all of a short earlier measure's topics, never the reverse."""
    if not earlier:
        return 0.0
    return _mass(later & earlier, weights) / _mass(earlier, weights)


def overlap(a: set[str], b: set[str], weights: dict[str, float]) -> float:
    """Weighted overlap coefficient: idf of what is shared over the idf of the smaller set (0 if either is
    empty). Shared specific ids (plant-variety, a named regulation) count more than broad ones (patent)."""
    if not a or not b:
        return 0.0
    return _mass(a & b, weights) / min(_mass(a, weights), _mass(b, weights))


def _mass(items: set[str], weights: dict[str, float]) -> float:
    # fsum: a set's order changes with the hash seed, an exactly rounded sum does not
    return math.fsum(weights.get(x, 1.0) for x in items)


def shared_programmes(index: Index, i: int, j: int) -> list[str]:
    """Lexicon terms the two measures share, dropping any contained in a longer shared term."""
    shared = index.programme_sets[i] & index.programme_sets[j]
    keep = [g for g in shared if not any(g != h and f" {g} " in f" {h} " for h in shared)]
    return sorted(keep, key=lambda g: (-index.programmes[g], g))


def programme_signal(index: Index, i: int, j: int) -> float:
    """Squashed idf mass of the shared programme terms (maximal ones), in [0, 1)."""
    mass = sum(index.programmes[g] for g in shared_programmes(index, i, j))
    return 1.0 - math.exp(-mass / 6.0)


# ---------------------------------------------------------------------------------------------- dense signal
#
# A sentence encoder (``sentence_encoder``) reads past the translators' paraphrases ("IP appraisal" /
# "reviewing IP for important economic events") that no stem overlap sees. Vectors are l2-normalised, so
# cosines are plain matrix products.


def measure_sentences(measures: list[Measure]) -> list[str]:
    return [s for m in measures for s in sentences(m.text)]


def sentences(text: str) -> list[str]:
    """The clauses of a measure as texts: what is embedded and compared sentence by sentence."""
    return [c.of(text) for c in clauses(text)]


def dense_segment_similarity(index: Index, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Best sentence-pair embedding cosine between the measures of ``rows_a`` and ``rows_b``."""
    assert index.dense_segments is not None and index.dense_start is not None
    return best_pair_similarity(index.dense_segments, index.dense_start, rows_a, rows_b)
