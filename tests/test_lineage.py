"""The lineage linker: signals on constructed examples, evidence spans, chains, relations, document table."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest

from ipkg.extract.alignment import SpanMapper, align, evidence, topic_evidence
from ipkg.extract.chains import (
    UnknownMeasure,
    below_threshold,
    chain_back,
    chain_forward,
    document_of,
    lineage_tree,
    resolve_measure,
)
from ipkg.extract.cleaning import Cleaner
from ipkg.extract.lineage import (
    LEARNED,
    add_learned_signals,
    aligned_where_kept,
    candidate_pool,
    document_lineage,
    earlier_documents,
    link_lineage,
    pair_relation,
    relation,
    to_candidates,
)
from ipkg.extract.lineage_adapter import load_adapter
from ipkg.extract.lineage_model import Gold, Model, folds_of, learned_columns, load_model, training_links
from ipkg.extract.lineage_signals import content_tokens, sentences, stem, topic_cues, topic_matches
from ipkg.extract.records import (
    Corpus,
    Document,
    InstrumentCitation,
    LineageCandidate,
    Measure,
    SharedPhrase,
    Span,
)
from ipkg.extract.sentence_encoder import embed

GENERIC = "Strengthen and improve the intellectual property protection system and mechanism work"
FILLER_OBJECTS = [
    "for software", "for trade secrets", "in universities", "in enterprises", "for folklore", "at customs",
    "for integrated circuits", "for broadcasting", "in agriculture", "for exhibitions", "in courts",
    "for traditional medicine",
]


def _corpus(texts: dict[str, list[str]], dates: dict[str, str]) -> tuple[Corpus, dict[str, str]]:
    """Documents whose raw text is their measures' texts, one per line."""
    corpus = Corpus(documents=[Document(d, d, "plan", issued=dates[d], file=f"{d}.txt") for d in texts])
    raws: dict[str, str] = {}
    for doc, items in texts.items():
        raw = ""
        for i, text in enumerate(items, 1):
            span = Span(len(raw), len(raw) + len(text))
            corpus.measures.append(Measure(doc, str(i), "numbered", None, [], text, span, body=span))
            raw += text + "\n"
        raws[doc] = raw
    return corpus, raws


def _pair(cands, later: str, earlier: str):  # type: ignore[no-untyped-def]
    for p in cands.pairs:
        if cands.ids(p) == (later, earlier):
            return p
    raise AssertionError(f"{later} -> {earlier} not in the pool")


def test_stemmer_conflates_derivational_families() -> None:
    assert stem("revise") == stem("revision") == stem("revising") == stem("revised")
    assert stem("protection") == stem("protect") == stem("protecting")
    assert stem("enforcement") == stem("enforce")
    assert [t.stem for t in content_tokens("the Patent Law of 2008 and 12330")] == ["patent", "law", "12330"]


def test_same_instrument_with_little_shared_wording_gets_a_high_entity_signal() -> None:
    corpus, raws = _corpus(
        {"a": ["Draft rules on border measures for goods.", "Train judges in courts."],
         "b": ["Complete the amendment of the customs regulations on goods.", "Train judges in courts again."]},
        {"a": "2008-01-01", "b": "2012-01-01"},
    )
    for doc in ("a", "b"):
        corpus.citations.append(InstrumentCitation(doc, "1", "customs-ipr-regulations", "revise", "x", Span(0, 1)))
    cands = candidate_pool(corpus, raws)
    linked = _pair(cands, "b/1", "a/1")
    assert linked.features["instruments"] == 1.0
    assert linked.features["lex_cos"] < 0.5
    other = _pair(cands, "b/2", "a/2")
    assert other.features["instruments"] == 0.0


def test_generic_wording_with_different_objects_scores_low() -> None:
    earlier = [f"{GENERIC} {obj}." for obj in FILLER_OBJECTS] + [
        f"{GENERIC} for plant varieties.",
        "Register geographical indications of agricultural products and protect them.",
    ]
    later = [f"{GENERIC} {obj}." for obj in FILLER_OBJECTS[:6]] + [
        f"{GENERIC} for geographical indications of agricultural products."
    ]
    corpus, raws = _corpus({"a": earlier, "b": later}, {"a": "2008-01-01", "b": "2012-01-01"})
    lineage = link_lineage(corpus, raws, load_model())
    score = {(c.later, c.earlier): c.score for c in lineage}
    gi = f"b/{len(later)}"
    same_object = score[(gi, f"a/{len(earlier)}")]
    generic_only = score.get((gi, f"a/{len(earlier) - 1}"), 0.0)
    assert same_object > generic_only
    top = min((c for c in lineage if c.later == gi), key=lambda c: c.rank)
    assert top.earlier == f"a/{len(earlier)}"
    assert "geographical indications of agricultural products" in [e.phrase for e in top.evidence]


def test_only_pairs_that_can_be_kept_are_aligned_and_the_links_stay_the_same() -> None:
    earlier = [f"{GENERIC} {obj}." for obj in FILLER_OBJECTS] + [
        "Register geographical indications of agricultural products and protect them."]
    later = [f"{GENERIC} {obj}." for obj in FILLER_OBJECTS[:6]] + [
        "Protect geographical indications of agricultural products."]
    corpus, raws = _corpus({"a": earlier, "b": later}, {"a": "2008-01-01", "b": "2012-01-01"})
    adapter = load_adapter()
    # the shipped model; one that asserts more than a document's top 1, all of which are kept; one where only
    # the alignment lifts a pair to the top (its best pair by the other signals is its worst); and a
    # later measure's cut to its best candidate over all documents
    shipped = load_model()
    generous = Model(["sem_cos", "align_coverage"], [6.0, 6.0], -7.0, 0.5)
    upside_down = Model(["sem_cos", "align_coverage"], [-4.0, 8.0], 0.0, 0.9999)  # asserts none
    aligned_count = {}
    for model, top_k, max_candidates in ((shipped, 3, 20), (generous, 1, 20), (upside_down, 1, 20),
                                         (shipped, 3, 1), (upside_down, 3, 1)):
        cands = candidate_pool(corpus, raws, aligned=False)
        assert all(p.alignment is None and p.features["align_coverage"] == 0.0 for p in cands.pairs)
        add_learned_signals(cands, adapter)
        aligned = aligned_where_kept(cands, model, top_k, max_candidates)
        assert all(p.alignment is not None for p in aligned)
        aligned_count[id(model), max_candidates] = len(aligned)
        full = candidate_pool(corpus, raws)
        add_learned_signals(full, adapter)
        eager = to_candidates(corpus, full, model.predict(full.matrix(model.features)), model.threshold, top_k,
                              max_candidates)
        assert link_lineage(corpus, raws, model, adapter, top_k, max_candidates=max_candidates) == eager
        assert any(c.signals["align_coverage"] > 0 for c in eager)
        if model is generous:
            assert max(Counter(c.later for c in eager if c.asserted).values()) > top_k
        if model is upside_down:
            top = {c.later: c.earlier for c in eager if c.rank == 1}
            assert top["b/1"] == "a/1"  # "... for software" -> "... for software": the same words, aligned whole
    assert 0 < aligned_count[id(shipped), 1] < aligned_count[id(shipped), 20] < len(cands.pairs) / 2


def test_paraphrase_scores_a_higher_semantic_signal_than_an_unrelated_pair() -> None:
    later = "Carry out reviews of intellectual property for important economic events."
    paraphrase = "Establish an appraisal system for intellectual property involved in major economic activities."
    unrelated = "Train judges of the people's courts in the trial of trademark infringement cases."
    v = embed([later, paraphrase, unrelated])
    assert abs(float(v[0] @ v[0]) - 1.0) < 1e-4  # normalised
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.1
    corpus, raws = _corpus({"a": [paraphrase, unrelated], "b": [later]}, {"a": "2008-01-01", "b": "2012-01-01"})
    cands = candidate_pool(corpus, raws)
    near, far = _pair(cands, "b/1", "a/1"), _pair(cands, "b/1", "a/2")  # both reach the pool (dense retrieval)
    assert near.features["sem_cos"] > far.features["sem_cos"]
    assert near.features["sem_seg"] > far.features["sem_seg"]
    assert near.features["sem_rel"] == 1.0


def test_sentences_split_composite_measures() -> None:
    text = "Improve the patent examination system. Build the 12330 hotline network; train the staff: all of them."
    assert sentences(text) == ["Improve the patent examination system.", "Build the 12330 hotline network;",
                               "train the staff:", "all of them."]
    assert sentences("IP.") == ["IP."]


def test_document_order_respects_date_precision() -> None:
    corpus = Corpus(documents=[
        Document("x", "x", "k", issued="2009", file="x"), Document("y", "y", "k", issued="2012-04-06", file="y"),
        Document("z", "z", "k", issued="2016-07-08", file="z"), Document("w", "w", "k", issued="2016-12-30", file="w"),
        Document("v", "v", "k", issued="2016", file="v"),
    ])
    order = earlier_documents(corpus)
    assert order["w"] == ["x", "y", "z"]
    assert order["y"] == ["x"]
    assert "v" not in order["w"] and "w" not in order["v"]


def test_alignment_blocks_are_content_word_runs() -> None:
    a = content_tokens("Complete the revision of the Patent Law and its implementing rules")
    b = content_tokens("Press ahead with the revision of the Patent Law")
    al = align(a, b, {})
    assert al.longest == 3  # revis patent law
    assert 0 < al.coverage <= 1


def test_shared_phrases_stay_inside_a_sentence() -> None:
    # Both texts run "... IP protection" into "Improve ...": without the sentence cut the stems align as
    # one block, "IP protection. Improve the mechanism", which neither text says.
    later = "Strengthen IP protection. Improve the mechanism for patent examination."
    earlier = "Reform IP protection; improve the mechanism for trademark registration."
    al = align(content_tokens(later), content_tokens(earlier), {})
    tokens = content_tokens(later)
    assert [" ".join(t.stem for t in tokens[i:i + n]) for i, _, n in al.blocks] == ["ip protect", "improv mechanism"]
    assert all(len({t.sentence for t in tokens[i:i + n]}) == 1 for i, _, n in al.blocks)


def test_evidence_phrase_closes_the_bracket_it_opens() -> None:
    corpus, raws = _corpus(
        {"old": ["Take part in the World Intellectual Property Organization (WIPO) meetings."],
         "new": ["Deepen cooperation with the World Intellectual Property Organization (WIPO) and others."]},
        {"old": "2008", "new": "2016"},
    )
    new, old = corpus.measures[1], corpus.measures[0]
    a, b = content_tokens(new.text), content_tokens(old.text)
    phrases = evidence(new, a, old, b, align(a, b, {}), SpanMapper(raws), {})
    assert [p.phrase for p in phrases] == ["World Intellectual Property Organization (WIPO)"]
    span = phrases[0].earlier_span
    assert raws["old"][span.start:span.end] == "World Intellectual Property Organization (WIPO)"


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def test_evidence_spans_round_trip_to_the_raw_texts(linked: Corpus, raws: dict[str, str]) -> None:
    cleaners = {doc: Cleaner(raw) for doc, raw in raws.items()}
    cues = topic_cues()
    checked = worded = 0
    for c in linked.lineage[:2000]:
        later_doc, earlier_doc = c.later.split("/")[0], c.earlier.split("/")[0]
        for e in c.evidence:
            later_text = cleaners[later_doc].normalise(e.later_span.slice(raws[later_doc]))
            earlier_text = cleaners[earlier_doc].normalise(e.earlier_span.slice(raws[earlier_doc]))
            assert _squash(later_text) == _squash(e.phrase)
            assert _squash(earlier_text) == _squash(e.earlier_phrase or e.phrase)
            later_words = [t.stem for t in content_tokens(later_text)]
            earlier_words = [t.stem for t in content_tokens(earlier_text)]
            if e.topic is None:
                assert later_words == earlier_words
                checked += 1
            else:  # each text's own words for a topic both share
                assert e.topic in c.shared["topics"]
                assert e.topic in topic_matches(content_tokens(later_text), cues)
                assert e.topic in topic_matches(content_tokens(earlier_text), cues)
                worded += 1
    assert checked > 100 and worded > 100


def test_candidates_are_ranked_top_k_per_earlier_document(linked: Corpus) -> None:
    order = earlier_documents(linked)
    by_later: dict[str, list[LineageCandidate]] = {}
    for c in linked.lineage:
        assert c.earlier.split("/")[0] in order[c.later.split("/")[0]]
        assert 0.0 <= c.score <= 1.0
        by_later.setdefault(c.later, []).append(c)
    for items in by_later.values():
        assert [c.rank for c in items] == list(range(1, len(items) + 1))
        assert all(a.score >= b.score for a, b in zip(items, items[1:], strict=False))
        per_doc: dict[str, int] = {}
        for c in items:
            if c.clause is None or c.clause.rank > 3:  # a clause's own best 3 are kept besides the measure's 5
                per_doc[c.earlier.split("/")[0]] = per_doc.get(c.earlier.split("/")[0], 0) + 1
        assert not per_doc or max(per_doc.values()) <= 5
    assert any(c.asserted for c in linked.lineage)
    assert {c.relation for c in linked.lineage} <= {"continues", "expands", "completes", "implements"}


def test_relation_rules(structure: Corpus) -> None:
    corpus = structure
    assert relation(corpus, "action-plan-2009", "x", "outline-2008", "y") == "implements"
    assert relation(corpus, "fyp13-plan-2016", "Complete the revision of the Patent Law.",
                    "promotion-plan-2012", "Press ahead with the revision of the Patent Law.") == "completes"
    # from trademarks to IP at large: the scope widens
    assert relation(corpus, "division-of-work-2016", "Strengthen IP supervision of large markets.",
                    "action-plan-2009", "Strengthen trademark supervision of large markets.",
                    set(), {"trademark"}) == "expands"
    # an expansion verb alone is no widening (composite paragraphs "expand" something else)
    assert relation(corpus, "fyp13-plan-2016", "Expand the pilot of patent navigation.",
                    "promotion-plan-2012", "Launch pilots of patent navigation.", {"patent"}, {"patent"}) == "continues"
    assert relation(corpus, "fyp13-plan-2016", "Run the 12330 hotlines.",
                    "promotion-plan-2012", "Run the 12330 hotlines.") == "continues"
    # finishing some work is not finishing a revision (fyp13 IV.ii.1: "Complete the judicial relief work")
    assert relation(corpus, "fyp13-plan-2016", "Complete the judicial relief work of the IP.",
                    "promotion-plan-2012", "Revise the Copyright Law and launch judicial relief work.") == "continues"


def test_a_composite_paragraph_completes_only_what_its_linked_sentence_completes() -> None:
    corpus, raws = _corpus(
        {"old": ["Revise the Patent Law and its implementing rules.", "Revise the Copyright Law and its rules."],
         "new": ["Complete the fourth revision of the Patent Law. Promote the third revision of the Copyright Law."]},
        {"old": "2012-01-01", "new": "2016-01-01"},
    )
    cands = candidate_pool(corpus, raws)
    assert pair_relation(corpus, cands, _pair(cands, "new/1", "old/1")) == "completes"
    assert pair_relation(corpus, cands, _pair(cands, "new/1", "old/2")) == "continues"


def _link(later: str, earlier: str, score: float, asserted: bool = True) -> LineageCandidate:
    ev = [SharedPhrase("p", Span(0, 1), Span(0, 1))]
    return LineageCandidate(later, earlier, score, 1, "continues", asserted, evidence=ev)


def test_chains_go_back_and_forward_best_first_without_cycles() -> None:
    links = [
        _link("d/1", "c/1", 0.9), _link("d/1", "c/2", 0.95), _link("c/1", "b/1", 0.8), _link("b/1", "a/1", 0.7),
        _link("c/2", "b/1", 0.6), _link("a/1", "d/1", 0.99),  # a cycle back to the root
        _link("d/1", "c/3", 0.99, asserted=False),  # below threshold: not followed
    ]
    back = chain_back(links, "d/1")
    assert [n.measure for n in back.children] == ["c/2", "c/1"]
    b1 = back.children[0].children[0]  # reached first through c/2, the better link
    assert b1.measure == "b/1" and [n.measure for n in b1.children] == ["a/1"]
    assert b1.children[0].children == []  # a/1 -> d/1 would close a cycle
    assert back.children[1].children[0].repeat  # b/1 again, through c/1: not expanded twice
    assert "c/3" not in {n.measure for n in back.walk()}
    forward = chain_forward(links, "a/1")
    assert [n.measure for n in forward.children] == ["b/1"]
    assert {n.measure for n in forward.walk()} == {"a/1", "b/1", "c/1", "c/2", "d/1"}


def test_chains_show_every_asserted_link_and_expand_a_shared_ancestor_once() -> None:
    links = [_link("e/1", f"d/{k}", 0.9 - k / 100) for k in range(1, 6)]  # five links back: all shown
    links += [_link(f"d/{k}", "c/1", 0.9) for k in (1, 2)] + [_link("c/1", "b/1", 0.9)]
    back = chain_back(links, "e/1")
    assert [n.measure for n in back.children] == ["d/1", "d/2", "d/3", "d/4", "d/5"]
    first, second = back.children[0].children[0], back.children[1].children[0]
    assert first.measure == second.measure == "c/1"
    assert not first.repeat and [n.measure for n in first.children] == ["b/1"]
    assert second.repeat and second.children == []  # c/1's chain is shown under d/1 already
    leaf = chain_back(links, "d/1").children[0].children[0]
    assert leaf.measure == "b/1" and not leaf.repeat  # nothing further back: not a repeat


def test_resolve_measure_says_what_a_reference_names_instead(linked: Corpus) -> None:
    iri = "https://w3id.org/ipkg/id/measure/outline-2008/8"
    assert resolve_measure(linked, f"<{iri}>") == resolve_measure(linked, "OUTLINE-2008 8") == "outline-2008/8"
    cases = {
        "nosuch/1": "no document 'nosuch'; the documents are action-plan-2009, ",
        "https://w3id.org/ipkg/id/agency/sipo": "is not a measure IRI",
        "action-plan-2009/I.1": "action-plan-2009/I.1 is a section; its measures are I.1.1, I.1.2",
        "action-plan-2009/I.1.77": "no measure 'I.1.77' in action-plan-2009 (170 measures, I.1.1 to IX.2.9); did you mean",
        "outline-2008/": "outline-2008 is a document: give one of its measures",
    }
    for ref, message in cases.items():
        with pytest.raises(UnknownMeasure) as e:
            resolve_measure(linked, ref)
        assert message in str(e.value), (ref, str(e.value))
    assert document_of(linked, "https://w3id.org/ipkg/id/document/outline-2008") == "outline-2008"
    assert document_of(linked, "outline-2008/8") is None


def test_lineage_tree_quotes_both_wordings_and_every_shared_entity(linked: Corpus) -> None:
    from rich.console import Console

    later, earlier = "fyp13-plan-2016/IV.iii.1", "outline-2008/19"
    link = LineageCandidate(later, earlier, 0.9, 1, "implements", True, shared={"topics": ["examination"],
                            "ip_types": ["patent"]}, evidence=[
                                SharedPhrase("Improve patent", Span(0, 14), Span(30, 48), None, "Improving patents"),
                                SharedPhrase("examination", Span(20, 31), Span(60, 66), "examination", "review"),
                                SharedPhrase("quality", Span(40, 47), Span(70, 77))])
    corpus = Corpus(documents=linked.documents, sections=linked.sections, measures=linked.measures, lineage=[link])
    console = Console(width=200, record=True)
    console.print(lineage_tree(corpus, later, threshold=0.83))
    text = console.export_text()
    assert "“Improve patent” later 0-14, earlier “Improving patents” 30-48\n" in text  # another inflection
    assert "“quality” later 40-47, earlier 70-77\n" in text  # the same words
    assert "“examination” later 20-31, earlier “review” 60-66 (topic: examination and registration of IP)" in text
    assert "shared IP types: patent; topics: examination" in text
    assert "back (earlier plans) — 1 asserted link (score ≥ 0.830)" in text


def test_candidates_below_the_threshold_best_per_document() -> None:
    links = [
        _link("d/1", "c/1", 0.4, asserted=False), _link("d/1", "c/2", 0.3, asserted=False),
        _link("d/1", "c/3", 0.2, asserted=False),  # third in c: over the quota of 2
        _link("d/1", "b/1", 0.1, asserted=False), _link("d/1", "b/2", 0.9),  # asserted: in the chain, not here
        _link("e/1", "d/1", 0.5, asserted=False),  # a later measure that may carry d/1 forward
        _link("e/1", "c/1", 0.8, asserted=False),  # not about d/1
    ]
    below = below_threshold(links, "d/1", per_document=2)
    assert [n.measure for n in below.children] == ["e/1", "c/1", "c/2", "b/1"]
    assert all(n.link is not None and not n.link.asserted and not n.children for n in below.children)
    assert below_threshold(links, "d/1", per_document=0).children == []


def test_lineage_tree_renders(linked: Corpus) -> None:
    from rich.console import Console

    source = next(c.later for c in linked.lineage if c.asserted)
    console = Console(width=120, record=True)
    console.print(lineage_tree(linked, "https://w3id.org/ipkg/id/measure/" + source))
    text = console.export_text()
    assert source in text and "back" in text and "forward" in text and "below the threshold" in text
    console = Console(width=120, record=True)
    console.print(lineage_tree(linked, source, candidates=0))
    assert "below the threshold" not in console.export_text()
    with pytest.raises(KeyError):
        lineage_tree(linked, "outline-2008/999")


def test_document_lineage_table(linked: Corpus) -> None:
    table = document_lineage(linked)
    pairs = {(r[0], r[1]): r for r in table.rows}
    assert len(pairs) == 10
    assert pairs[("action-plan-2009", "outline-2008")][2] == "yes"
    assert ("outline-2008", "fyp13-plan-2016") not in pairs
    assert sum(int(r[5]) for r in table.rows) == sum(1 for c in linked.lineage if c.asserted)


def test_topic_cues_match_on_content_stems() -> None:
    cues = topic_cues()
    text = "To further regulate the transfer of the suspected cases of trademark crimes to public security organs."
    found = topic_matches(content_tokens(text), cues)
    assert {"case-transfer", "ip-crime"} <= set(found)
    start, end = found["case-transfer"][0]
    assert text[start:end] == "transfer of the suspected cases"
    assert "customs-protection" not in found
    # Renderings of one mechanism by different translators meet in one topic.
    for rendering in ("Deepen the IP appraisal work.",
                      "form IPR assessment guidlines in conformity with the local reality",
                      "A mechanism for reviewing intellectual property for important economic events"):
        assert "ip-appraisal" in topic_matches(content_tokens(rendering), cues), rendering
    # The stemmer makes "integrity" and "integrate" one stem: the credit topic's cue is the phrase the texts
    # print ("IP integrity information"), so integrating resources is no credit mechanism
    assert "agency-credit" in topic_matches(content_tokens("Improve the management of IP integrity information"), cues)
    for text in ("Integrate IP information resources", "promote the integration of industries and IP"):
        assert "agency-credit" not in topic_matches(content_tokens(text), cues), text
    # a one-word cue matches its own inflections only: "police" is no "policy" (35 measures took the IP-crime
    # topic from "policies"), "universities" no "universal"
    assert "ip-crime" in topic_matches(content_tokens("concentrate advantageous police forces"), cues)
    assert "ip-crime" not in topic_matches(content_tokens("improve the policies and the policy system"), cues)
    assert "universities" not in topic_matches(content_tokens("universal IP education"), cues)
    assert "ip-training" in topic_matches(content_tokens("train the trainers; trainings for judges"), cues)


def test_shared_topic_reaches_the_pool_and_the_evidence() -> None:
    corpus, raws = _corpus(
        {"a": ["A mechanism for reviewing intellectual property for important economic events is needed.",
               "Train judges in the people's courts."],
         "b": ["Deepen the IP appraisal work and issue appraisal reports for key fields."]},
        {"a": "2008-01-01", "b": "2016-01-01"},
    )
    cands = candidate_pool(corpus, raws)
    linked = _pair(cands, "b/1", "a/1")
    assert linked.features["topics"] == 1.0
    lineage = link_lineage(corpus, raws, load_model())
    best = min((c for c in lineage if c.later == "b/1"), key=lambda c: c.rank)
    assert best.earlier == "a/1"
    assert best.shared["topics"] == ["ip-appraisal"]
    # no phrase is shared, so the evidence is each text's own words for the topic, with raw spans
    worded = [e for e in best.evidence if e.topic]
    assert [(e.topic, e.phrase) for e in worded] == [("ip-appraisal", "appraisal reports")]  # its longest cue
    assert worded[0].later_span.slice(raws["b"]) == "appraisal reports"
    assert worded[0].earlier_span.slice(raws["a"]) == "reviewing intellectual property for important economic events"


def test_topic_evidence_only_where_no_shared_phrase_holds_the_topic() -> None:
    corpus, raws = _corpus(
        {"a": ["Customs law enforcement and border protection need to be strengthened."],
         "b": ["Strengthen customs' enforcement of IP protection at the border."]},
        {"a": "2008-01-01", "b": "2016-01-01"},
    )
    old, new = corpus.measures
    cues = topic_cues()
    later, earlier = topic_matches(content_tokens(new.text), cues), topic_matches(content_tokens(old.text), cues)
    mapper = SpanMapper(raws)
    (worded,) = topic_evidence(new, later, old, earlier, ["customs-protection"], mapper, [])
    assert (worded.topic, worded.later_span.slice(raws["b"])) == ("customs-protection", "customs")
    assert worded.earlier_span.slice(raws["a"]) == "border protection"  # the longest cue, not the first
    # a shared phrase that holds one of the later text's cues for the topic already shows it
    shown = SharedPhrase("customs' enforcement", mapper.span(new, 12, 32), mapper.span(old, 0, 23))
    assert topic_evidence(new, later, old, earlier, ["customs-protection"], mapper, [shown]) == []
    assert topic_evidence(new, later, old, {}, ["customs-protection"], mapper, []) == []  # not shared


def test_the_budget_keeps_each_later_measures_best_pooled_pairs_over_all_earlier_documents() -> None:
    texts = {f"d{k}": [f"{GENERIC} {obj}." for obj in FILLER_OBJECTS[4 * k:4 * k + 4]] for k in range(3)}
    texts["d1"].append("Register geographical indications of agricultural products.")
    texts["late"] = ["Protect geographical indications of agricultural products for farmers."]
    corpus, raws = _corpus(texts, {"d0": "2008-01-01", "d1": "2009-01-01", "d2": "2010-01-01",
                                   "late": "2012-01-01"})
    full, cut = candidate_pool(corpus, raws), candidate_pool(corpus, raws, budget=4)
    pooled = [p for p in full.pairs if full.ids(p)[0] == "late/1"]
    kept = [p for p in cut.pairs if cut.ids(p)[0] == "late/1"]
    assert {full.ids(p)[1].split("/")[0] for p in pooled} == {"d0", "d1", "d2"} and len(pooled) > 3
    assert len(kept) == 4

    def first_stage(p):  # type: ignore[no-untyped-def]
        return p.features["sem_cos"] + p.features["sem_seg"] + p.features["lex_cos"] + p.features["seg_cos"]

    best = sorted(pooled, key=lambda p: -first_stage(p))[:4]
    assert [cut.ids(p) for p in kept] == [full.ids(p) for p in pooled if p in best]  # the best 4, in pool order
    assert ("late/1", "d1/5") in {cut.ids(p) for p in kept}
    for p in kept:  # signals relative to the best in a document are taken before the cut
        assert p.features == pytest.approx(_pair(full, *cut.ids(p)).features)
    pooled_per_later = Counter(full.ids(p)[0] for p in full.pairs)
    assert Counter(cut.ids(p)[0] for p in cut.pairs) == {m: min(4, n) for m, n in pooled_per_later.items()}
    assert min(pooled_per_later.values()) <= 4  # a pool under the budget stays whole
    linked = {c.earlier for c in link_lineage(corpus, raws, load_model(), budget=4) if c.later == "late/1"}
    assert linked == {cut.ids(p)[1] for p in kept}


def test_a_held_out_measure_never_reaches_the_adapter() -> None:
    corpus, raws = _corpus(
        {"a": ["Revise the Patent Law.", "Train judges in the people's courts."],
         "b": ["Complete the revision of the Patent Law.", "Train more judges in the courts."],
         "c": ["Carry out the revised Patent Law."]},
        {"a": "2008-01-01", "b": "2012-01-01", "c": "2016-01-01"},
    )
    cands = candidate_pool(corpus, raws)
    strong = {("b/1", "a/1"), ("b/2", "a/2"), ("c/1", "b/1"), ("c/1", "a/1")}
    gold = Gold(strong, set(), set(), {"b/1", "b/2", "c/1"}, {})
    fold = folds_of(["b/1", "b/2", "c/1"], k=3)
    kept = {(cands.index.measures[a].id, cands.index.measures[b].id)
            for a, b in training_links(cands, gold, fold, {fold["b/1"]})}
    assert kept == {("b/2", "a/2"), ("c/1", "a/1")}  # b/1 held out: neither as later nor as earlier
    assert len(training_links(cands, gold, fold, set())) == len(strong)
    learned = learned_columns(cands, gold, fold, {fold["b/1"]})
    assert learned.shape == (len(cands.pairs), len(LEARNED))
    gaps = {cands.ids(p): gap for p, (_, gap, _) in zip(cands.pairs, learned, strict=True)}
    for later in ("b/1", "b/2"):
        in_a = [gaps[(later, e)] for e in ("a/1", "a/2") if (later, e) in gaps]
        assert max(in_a) == 0.0 and min(in_a) <= 0.0  # the gap to the best pooled candidate of that document
    carried = {cands.ids(p): float(n) for p, (*_, n) in zip(cands.pairs, learned, strict=True)}
    assert carried[("b/1", "a/1")] == pytest.approx(np.log1p(1))  # c/1 carries a/1 forward
    assert carried[("b/2", "a/2")] == 0.0  # its only link is b/2's own: the pair's own document never counts
    assert carried[("c/1", "a/1")] == 0.0  # b/1 -> a/1 is held out


def test_linked_candidates_carry_the_learned_signals() -> None:
    corpus, raws = _corpus(
        {"a": ["Revise the Patent Law.", "Train judges in the people's courts."],
         "b": ["Complete the revision of the Patent Law."]},
        {"a": "2008-01-01", "b": "2012-01-01"},
    )
    lineage = link_lineage(corpus, raws, load_model())
    best = min((c for c in lineage if c.later == "b/1"), key=lambda c: c.rank)
    assert best.earlier == "a/1"
    assert set(LEARNED) <= set(best.signals)
    assert best.signals["adapted_gap"] == 0.0
