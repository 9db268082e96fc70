"""Loaders for the authority files: agencies, legal instruments and IP types (TSV, shipped as package data).

The files are the single source of the ids the extractor links to and the graph mints IRIs from. Each
loader parses one file into frozen dataclasses keyed by id, checks it (a malformed row, a duplicate id,
an unknown kind, a reference to an id the file lacks, a successor cycle all raise :class:`AuthorityError`
naming the file and line), and caches the result. Pure Python: no rdflib, no spaCy.

Format shared by the three files: UTF-8, tab-separated, one header line, lines starting with ``#`` are
comments; list-valued cells separate their items with ``" | "``; an empty cell means "none".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

__all__ = [
    "AGENCY_KINDS",
    "CHANGE_KINDS",
    "INSTRUMENT_KINDS",
    "JURISDICTIONS",
    "Agency",
    "AuthorityError",
    "IPType",
    "Instrument",
    "agencies",
    "authority_path",
    "check_authorities",
    "clear_caches",
    "instruments",
    "ip_types",
    "notation_slug",
    "successors",
]

PACKAGE = "ipkg.ontology"
AGENCIES_FILE = "agencies.tsv"
INSTRUMENTS_FILE = "instruments.tsv"
IP_TYPES_FILE = "ip_types.tsv"
TOPICS_FILE = "topics.tsv"

AGENCY_COLUMNS = (
    "id", "name_en", "acronym", "name_zh", "kind", "variants", "successor_id", "successor_year", "note",
    "international", "parent", "hosted_by", "change_kind", "change_note",
)  # fmt: skip
INSTRUMENT_COLUMNS = (
    "slug", "name_en", "kind", "jurisdiction", "passed_by", "based_on", "name_zh", "variants", "note",
)  # fmt: skip
IP_TYPE_COLUMNS = ("id", "pref_label_en", "pref_label_zh", "broader", "cues", "note")
TOPIC_COLUMNS = ("id", "pref_label_en", "cues", "note")

# Notations of the SKOS schemes in vocabularies.ttl (a test keeps these in step with the Turtle).
AGENCY_KINDS = frozenset({
    "state-council-ministry", "state-council-agency", "party-organ", "court", "procuratorate", "military",
    "leading-group", "peoples-organization", "legislature", "academy", "other", "international-organization",
})  # fmt: skip
INSTRUMENT_KINDS = frozenset({
    "law", "administrative-regulation", "departmental-rule", "judicial-interpretation", "policy-document",
    "guideline", "treaty", "standard", "plan",
})  # fmt: skip
JURISDICTIONS = frozenset({"cn", "international"})
CHANGE_KINDS = frozenset({"merger", "renaming", "restructuring", "abolition"})

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_YEAR = re.compile(r"\d{4}")
_LIST_SEPARATOR = " | "
_YES = {"yes": True, "no": False, "": False}


class AuthorityError(ValueError):
    """An authority file that cannot be used: says which file, which line (0 = the whole file) and why."""

    def __init__(self, file: str | Path, line: int, message: str) -> None:
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {message}")
        self.file = str(file)
        self.line = line
        self.message = message


def notation_slug(value: str) -> str:
    """A kind as written in a TSV, as the notation of its SKOS concept ("people's-organization" ->
    "peoples-organization"): lowercase, apostrophes dropped, runs of spaces or underscores as "-"."""
    slug = value.strip().lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s_]+", "-", slug)


@dataclass(frozen=True)
class Agency:
    """A row of agencies.tsv: a Chinese state body, Party organ, coordination body or international body."""

    id: str
    name_en: str
    acronym: str | None
    name_zh: str | None
    kind: str  # as written in the file ("people's-organization"); see kind_slug
    variants: tuple[str, ...]  # every spelling printed in the corpus, verbatim
    successor_id: str | None
    successor_year: int | None
    note: str
    international: bool
    parent: str | None
    hosted_by: str | None
    change_kind: str | None
    change_note: str | None
    line: int = field(default=0, compare=False, repr=False)

    @property
    def kind_slug(self) -> str:
        """The notation of the kind in the agency-kind scheme."""
        return notation_slug(self.kind)

    @property
    def names(self) -> tuple[str, ...]:
        """English name, acronym and printed variants, each once, in that order."""
        return _unique((self.name_en, self.acronym or "", *self.variants))


@dataclass(frozen=True)
class Instrument:
    """A row of instruments.tsv: a law, regulation, rule, judicial interpretation, treaty, plan, ..."""

    slug: str
    name_en: str
    kind: str
    jurisdiction: str
    passed_by: str | None  # agency id
    based_on: str | None  # instrument slug
    name_zh: str | None
    variants: tuple[str, ...]
    note: str
    line: int = field(default=0, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.slug

    @property
    def names(self) -> tuple[str, ...]:
        """English name and printed variants, each once."""
        return _unique((self.name_en, *self.variants))


@dataclass(frozen=True)
class IPType:
    """A row of ip_types.tsv: a concept of the IP-type scheme."""

    id: str
    pref_label_en: str
    pref_label_zh: str | None
    broader: str | None  # id of the broader type, None for a top concept
    cues: tuple[str, ...]  # trigger phrases, lowercase
    note: str
    line: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Topic:
    """A row of topics.tsv: a named policy mechanism or programme, with the phrases it is printed as."""

    id: str
    pref_label_en: str
    cues: tuple[str, ...]
    note: str
    line: int = field(default=0, compare=False, repr=False)


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


# ------------------------------------------------------------------------------------------ reading


def authority_path(name: str) -> Path:
    """Where the packaged authority file ``name`` (e.g. "agencies.tsv") is; raises if it is missing."""
    resource = files(PACKAGE).joinpath(name)
    if not resource.is_file():
        raise AuthorityError(
            name, 0, f"not found in package {PACKAGE}; the authority files ship in ontology/"
        )
    return Path(str(resource))


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each data line; check the header and the cell count."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthorityError(path, 0, "file not found") from None
    except UnicodeDecodeError as err:
        raise AuthorityError(path, 0, f"not UTF-8 ({err.reason} at byte {err.start})") from None
    header: list[str] | None = None
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if header is None:
            header = cells
            missing = [c for c in columns if c not in header]
            if missing:
                raise AuthorityError(
                    path,
                    number,
                    f"header lacks column(s) {', '.join(missing)}; expected {', '.join(columns)}",
                )
            if len(set(header)) != len(header):
                raise AuthorityError(path, number, "header names a column twice")
            continue
        if len(cells) != len(header):
            raise AuthorityError(
                path, number, f"{len(cells)} tab-separated cells where the header has {len(header)}"
            )
        yield number, dict(zip(header, cells, strict=True))
    if header is None:
        raise AuthorityError(path, 0, "empty: no header line")


def _split(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.split(_LIST_SEPARATOR.strip()) if item.strip())


def _required(path: Path, number: int, row: dict[str, str], column: str) -> str:
    value = row[column]
    if not value:
        raise AuthorityError(path, number, f"empty {column}")
    return value


def _identifier(path: Path, number: int, row: dict[str, str], column: str) -> str:
    value = _required(path, number, row, column)
    if not _ID.fullmatch(value):
        raise AuthorityError(
            path, number, f"{column} {value!r} is not a slug (lowercase letters and digits joined by '-')"
        )
    return value


def _one_of(path: Path, number: int, column: str, value: str, allowed: frozenset[str]) -> str:
    if notation_slug(value) not in allowed:
        raise AuthorityError(path, number, f"{column} {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _no_repeats(path: Path, number: int, column: str, items: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise AuthorityError(path, number, f"{column} lists {item!r} twice")
        seen.add(item)
    return items


T = TypeVar("T")


def _keyed(path: Path, records: list[tuple[int, str, T]]) -> dict[str, T]:
    result: dict[str, T] = {}
    first_line: dict[str, int] = {}
    for number, key, record in records:
        if key in result:
            raise AuthorityError(path, number, f"duplicate id {key!r} (first on line {first_line[key]})")
        result[key] = record
        first_line[key] = number
    return result


def _check_reference(path: Path, number: int, column: str, value: str | None, known: Mapping[str, object],
                     own: str) -> None:  # fmt: skip
    if value is None:
        return
    if value == own:
        raise AuthorityError(path, number, f"{column} of {own!r} refers to itself")
    if value not in known:
        raise AuthorityError(path, number, f"{column} {value!r} is not an id of this file")


def _check_acyclic(path: Path, records: dict[str, T], link: Callable[[T], str | None], column: str,
                   line: Callable[[T], int]) -> None:  # fmt: skip
    for start, record in records.items():
        seen = [start]
        current = link(record)
        while current is not None:
            if current in seen:
                cycle = " -> ".join([*seen, current])
                raise AuthorityError(path, line(record), f"{column} chain loops: {cycle}")
            seen.append(current)
            current = link(records[current])


# ------------------------------------------------------------------------------------------ parsing


def _parse_agencies(path: Path) -> dict[str, Agency]:
    records: list[tuple[int, str, Agency]] = []
    for number, row in _rows(path, AGENCY_COLUMNS):
        agency_id = _identifier(path, number, row, "id")
        international = row["international"].lower()
        if international not in _YES:
            raise AuthorityError(
                path, number, f"international must be yes or no, not {row['international']!r}"
            )
        year_text = row["successor_year"]
        if year_text and not _YEAR.fullmatch(year_text):
            raise AuthorityError(path, number, f"successor_year {year_text!r} is not a four-digit year")
        if year_text and not (row["successor_id"] or row["change_kind"]):
            raise AuthorityError(path, number, "successor_year given without successor_id or change_kind")
        change_kind = row["change_kind"] or None
        if change_kind is not None:
            _one_of(path, number, "change_kind", change_kind, CHANGE_KINDS)
        agency = Agency(
            id=agency_id,
            name_en=_required(path, number, row, "name_en"),
            acronym=row["acronym"] or None,
            name_zh=row["name_zh"] or None,
            kind=_one_of(path, number, "kind", _required(path, number, row, "kind"), AGENCY_KINDS),
            variants=_no_repeats(path, number, "variants", _split(row["variants"])),
            successor_id=row["successor_id"] or None,
            successor_year=int(year_text) if year_text else None,
            note=row["note"],
            international=_YES[international],
            parent=row["parent"] or None,
            hosted_by=row["hosted_by"] or None,
            change_kind=change_kind,
            change_note=row["change_note"] or None,
            line=number,
        )
        records.append((number, agency_id, agency))
    result = _keyed(path, records)
    owner: dict[str, str] = {}
    for agency in result.values():
        for column in ("successor_id", "parent", "hosted_by"):
            _check_reference(path, agency.line, column, getattr(agency, column), result, agency.id)
        for variant in agency.variants:
            other = owner.setdefault(variant, agency.id)
            if other != agency.id:
                raise AuthorityError(path, agency.line, f"variant {variant!r} also belongs to {other!r}")
    _check_acyclic(path, result, lambda a: a.successor_id, "successor_id", lambda a: a.line)
    _check_acyclic(path, result, lambda a: a.parent, "parent", lambda a: a.line)
    return result


def _parse_instruments(path: Path) -> dict[str, Instrument]:
    records: list[tuple[int, str, Instrument]] = []
    for number, row in _rows(path, INSTRUMENT_COLUMNS):
        slug = _identifier(path, number, row, "slug")
        passed_by = row["passed_by"] or None
        if passed_by is not None and not _ID.fullmatch(passed_by):
            raise AuthorityError(path, number, f"passed_by {passed_by!r} is not an agency id")
        instrument = Instrument(
            slug=slug,
            name_en=_required(path, number, row, "name_en"),
            kind=_one_of(path, number, "kind", _required(path, number, row, "kind"), INSTRUMENT_KINDS),
            jurisdiction=_one_of(
                path, number, "jurisdiction", _required(path, number, row, "jurisdiction"), JURISDICTIONS
            ),
            passed_by=passed_by,
            based_on=row["based_on"] or None,
            name_zh=row["name_zh"] or None,
            variants=_no_repeats(path, number, "variants", _split(row["variants"])),
            note=row["note"],
            line=number,
        )
        records.append((number, slug, instrument))
    result = _keyed(path, records)
    for instrument in result.values():
        _check_reference(path, instrument.line, "based_on", instrument.based_on, result, instrument.slug)
    _check_acyclic(path, result, lambda i: i.based_on, "based_on", lambda i: i.line)
    return result


def _parse_ip_types(path: Path) -> dict[str, IPType]:
    records: list[tuple[int, str, IPType]] = []
    for number, row in _rows(path, IP_TYPE_COLUMNS):
        type_id = _identifier(path, number, row, "id")
        cues = _no_repeats(path, number, "cues", _split(row["cues"]))
        records.append(
            (
                number,
                type_id,
                IPType(
                    id=type_id,
                    pref_label_en=_required(path, number, row, "pref_label_en"),
                    pref_label_zh=row["pref_label_zh"] or None,
                    broader=row["broader"] or None,
                    cues=cues,
                    note=row["note"],
                    line=number,
                ),
            )
        )
    result = _keyed(path, records)
    for ip_type in result.values():
        _check_reference(path, ip_type.line, "broader", ip_type.broader, result, ip_type.id)
    _check_acyclic(path, result, lambda t: t.broader, "broader", lambda t: t.line)
    return result


def _parse_topics(path: Path) -> dict[str, Topic]:
    records: list[tuple[int, str, Topic]] = []
    for number, row in _rows(path, TOPIC_COLUMNS):
        topic_id = _identifier(path, number, row, "id")
        cues = _no_repeats(path, number, "cues", _split(row["cues"]))
        if not cues:
            raise AuthorityError(path, number, f"topic {topic_id!r} has no cues")
        records.append((number, topic_id, Topic(
            id=topic_id, pref_label_en=_required(path, number, row, "pref_label_en"), cues=cues, note=row["note"],
            line=number,
        )))
    return _keyed(path, records)


# ------------------------------------------------------------------------------------------ public API


def _resolve(name: str, path: str | Path | None) -> Path:
    return authority_path(name) if path is None else Path(path)


@functools.cache
def _agencies(path: Path) -> dict[str, Agency]:
    return _parse_agencies(path)


@functools.cache
def _instruments(path: Path) -> dict[str, Instrument]:
    return _parse_instruments(path)


@functools.cache
def _ip_types(path: Path) -> dict[str, IPType]:
    return _parse_ip_types(path)


@functools.cache
def _topics(path: Path) -> dict[str, Topic]:
    return _parse_topics(path)


def clear_caches() -> None:
    """Forget loaded files (after editing a TSV in a running process, or between tests)."""
    for loader in (_agencies, _instruments, _ip_types, _topics):
        loader.cache_clear()


def agencies(path: str | Path | None = None) -> dict[str, Agency]:
    """The agencies of ``agencies.tsv`` (the packaged file unless ``path`` is given), by id."""
    return dict(_agencies(_resolve(AGENCIES_FILE, path)))


def instruments(path: str | Path | None = None) -> dict[str, Instrument]:
    """The legal instruments of ``instruments.tsv`` (the packaged file unless ``path`` is given), by slug."""
    return dict(_instruments(_resolve(INSTRUMENTS_FILE, path)))


def ip_types(path: str | Path | None = None) -> dict[str, IPType]:
    """The IP types of ``ip_types.tsv`` (the packaged file unless ``path`` is given), by id."""
    return dict(_ip_types(_resolve(IP_TYPES_FILE, path)))


def topics(path: str | Path | None = None) -> dict[str, Topic]:
    """The policy topics of ``topics.tsv`` (the packaged file unless ``path`` is given), by id."""
    return dict(_topics(_resolve(TOPICS_FILE, path)))


def successors(agency_id: str, path: str | Path | None = None) -> list[str]:
    """The chain of bodies ``agency_id`` became, nearest first: ``successors("sarft")`` ->
    ``["sapprft", "nrta"]``; empty for a body that was not reorganised away."""
    table = agencies(path)
    if agency_id not in table:
        raise KeyError(f"unknown agency id {agency_id!r}")
    chain: list[str] = []
    current = table[agency_id].successor_id
    while current is not None:  # loaded tables are acyclic
        chain.append(current)
        current = table[current].successor_id
    return chain


def check_authorities(
    agencies_path: str | Path | None = None,
    instruments_path: str | Path | None = None,
    ip_types_path: str | Path | None = None,
) -> None:
    """Load the three files and check the references between them (an instrument's passed_by must be an
    agency id). Raises :class:`AuthorityError` on the first problem."""
    agency_table = agencies(agencies_path)
    instrument_file = _resolve(INSTRUMENTS_FILE, instruments_path)
    for instrument in instruments(instrument_file).values():
        if instrument.passed_by is not None and instrument.passed_by not in agency_table:
            raise AuthorityError(
                instrument_file, instrument.line, f"passed_by {instrument.passed_by!r} is not an agency id"
            )
    ip_types(ip_types_path)
    topics()
