"""Entity and role scores against data/gold/assignments.tsv and data/gold/mentions.tsv.

Assignments are scored on every clause of promotion-plan-2012 and division-of-work-2016; a vague or
unknown actor (no agency id) is compared by its printed name. Mentions are scored on the 110 sampled
measures of entity_sample.tsv only, as one (measure, agency) pair each.
"""

from __future__ import annotations

from pathlib import Path

from ipkg.extract.records import Assignment, Corpus
from ipkg.extract.scoring import Score, Table, read_gold, sample_keys

COLUMNS = ["task", "gold", "predicted", "tp", "precision", "recall", "f1"]
_MAX_ERRORS = 40


def _actor(agency: str | None, actor_text: str) -> str:
    return agency or " ".join(actor_text.split())


def _assignment_keys(assignments: list[Assignment]) -> dict[str, set[tuple[str, ...]]]:
    keys: dict[str, set[tuple[str, ...]]] = {"assignments": set(), "leads": set(), "roles": set()}
    for a in assignments:
        actor = _actor(a.agency, a.actor_text)
        keys["assignments"].add((a.doc, a.label, actor, str(a.position)))
        if a.role == "lead":
            keys["leads"].add((a.doc, a.label, actor))
        keys["roles"].add((a.doc, a.label, actor, a.role, a.basis))
    return keys


def _gold_assignment_keys(rows: list[dict[str, str]]) -> dict[str, set[tuple[str, ...]]]:
    keys: dict[str, set[tuple[str, ...]]] = {"assignments": set(), "leads": set(), "roles": set()}
    for r in rows:
        actor = _actor(r["agency"] or None, r["actor_text"])
        keys["assignments"].add((r["doc"], r["label"], actor, r["position"]))
        if r["role"] == "lead":
            keys["leads"].add((r["doc"], r["label"], actor))
        keys["roles"].add((r["doc"], r["label"], actor, r["role"], r["basis"]))
    return keys


def _row(score: Score, gold: int, predicted: int) -> list[object]:
    return [score.task, gold, predicted, score.tp, round(score.precision, 4), round(score.recall, 4),
            round(score.f1, 4)]


def entity_scores(corpus: Corpus, gold_dir: Path) -> list[Score]:
    """Scores for responsible agencies, lead agencies, roles with basis, and mentions."""
    gold_rows = read_gold(gold_dir / "assignments.tsv")
    clause_docs = {r["doc"] for r in gold_rows}
    gold = _gold_assignment_keys(gold_rows)
    predicted = _assignment_keys([a for a in corpus.assignments if a.doc in clause_docs])
    scores = [
        Score.of_sets("responsible agencies (doc, label, agency, position)", gold["assignments"],
                      predicted["assignments"]),
        Score.of_sets("lead agencies (doc, label, agency)", gold["leads"], predicted["leads"]),
        Score.of_sets("roles and basis (doc, label, agency, role, basis)", gold["roles"], predicted["roles"]),
    ]
    scores.append(mention_score(corpus, gold_dir, "mentions on the sample (doc, label, agency)"))
    return scores


def mention_score(corpus: Corpus, sample_dir: Path, task: str = "agency mentions") -> Score:
    """Agency mentions in the measures of the sample in ``sample_dir`` (its entity_sample.tsv and
    mentions.tsv), as (doc, label, agency)."""
    sample = sample_keys(sample_dir)
    gold = {(r["doc"], r["label"], r["agency"]) for r in read_gold(sample_dir / "mentions.tsv")}
    predicted = {(m.doc, m.label, m.agency) for m in corpus.mentions if (m.doc, m.label) in sample}
    return Score.of_sets(task, gold, predicted)


def score_entities(corpus: Corpus, gold_dir: Path) -> list[Table]:
    """``ipkg eval`` tables: P/R/F1 per task, error cases and the unknown-organisation count in the notes."""
    scores = entity_scores(corpus, gold_dir)
    rows = [_row(s, s.tp + s.fn, s.tp + s.fp) for s in scores]
    notes: list[str] = []
    for s in scores:
        notes += [f"{s.task}: {e}" for e in s.errors[:_MAX_ERRORS]]
        if len(s.errors) > _MAX_ERRORS:
            notes.append(f"{s.task}: ... {len(s.errors) - _MAX_ERRORS} more errors")
    notes += _mention_text_notes(corpus, gold_dir)
    unknown = corpus.unknown_organizations
    by_source = {src: sum(u.source == src for u in unknown) for src in sorted({u.source for u in unknown})}
    notes.append(
        f"unknown organisations: {len(unknown)} ({', '.join(f'{k} {v}' for k, v in by_source.items()) or 'none'})"
    )
    notes += [f"unknown organisation: {u.doc}/{u.label} {u.text!r} ({u.source})" for u in unknown[:_MAX_ERRORS]]
    return [Table("Entities: agencies, roles and mentions", COLUMNS, rows, notes)]


def _mention_text_notes(corpus: Corpus, gold_dir: Path) -> list[str]:
    """Matched mentions whose first printed form differs from the gold text (not scored, reported)."""
    gold = {(r["doc"], r["label"], r["agency"]): r["text"] for r in read_gold(gold_dir / "mentions.tsv")}
    notes = []
    for m in corpus.mentions:
        want = gold.get((m.doc, m.label, m.agency))
        if want is not None and " ".join(want.split()) != m.text:
            notes.append(f"mention text {m.doc}/{m.label} {m.agency}: {m.text!r}, gold {want!r}")
    return notes
