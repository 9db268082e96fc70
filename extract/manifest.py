"""The corpus manifest (``data/manifest.toml``): which documents exist and how to read them."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ipkg.extract.errors import ManifestError, SourceError
from ipkg.extract.records import Document

_REQUIRED = ("slug", "title", "kind")
_KNOWN = {
    "slug", "title", "alternative_titles", "kind", "issuer", "number", "number_as_printed", "issued",
    "date_precision", "implements", "file", "style", "notes",
}


@dataclass(frozen=True)
class Source:
    """A document of the corpus with its raw text."""

    document: Document
    style: str
    path: Path
    raw: str


def load_manifest(path: Path) -> list[tuple[Document, str | None]]:
    """Documents in manifest order, each with its numbering style (None for cited documents)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(path, "manifest not found; expected data/manifest.toml") from None
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(path, f"not valid TOML: {e}") from None
    entries = data.get("document")
    if not isinstance(entries, list) or not entries:
        raise ManifestError(path, "no [[document]] entries")
    out: list[tuple[Document, str | None]] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        where = f"document #{i} ({entry.get('slug', '?')})"
        missing = [k for k in _REQUIRED if not entry.get(k)]
        if missing:
            raise ManifestError(path, f"{where}: missing {', '.join(missing)}")
        unknown = set(entry) - _KNOWN
        if unknown:
            raise ManifestError(path, f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        if entry["slug"] in seen:
            raise ManifestError(path, f"{where}: duplicate slug")
        seen.add(entry["slug"])
        if entry.get("file") and not entry.get("style"):
            raise ManifestError(path, f"{where}: a document with a file needs a numbering style")
        if entry.get("style") and not entry.get("file"):
            # a typo'd or forgotten `file` would otherwise turn a source into a cited-only document, silently
            raise ManifestError(path, f"{where}: a numbering style needs a file (a cited document has neither)")
        style = entry.pop("style", None)
        out.append((Document(**entry), style))
    slugs = {d.slug for d, _ in out}
    for doc, _ in out:
        for target in doc.implements:
            if target not in slugs:
                raise ManifestError(path, f"{doc.slug}: implements unknown document {target!r}")
    return out


def read_source(path: Path) -> str:
    """The raw text of a source file, or a clear error saying why it cannot be used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "file listed in the manifest does not exist") from None
    if not data.strip():
        raise SourceError(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise SourceError(path, "file looks binary (NUL bytes), not a policy text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SourceError(path, f"not UTF-8 (byte {e.start}: {data[e.start:e.start + 1]!r}); convert it first") from None


def load_sources(data_dir: Path) -> tuple[list[Document], list[Source]]:
    """All documents of the manifest and the sources of those with a file."""
    manifest = data_dir / "manifest.toml"
    documents: list[Document] = []
    sources: list[Source] = []
    for doc, style in load_manifest(manifest):
        if doc.file:
            path = data_dir / "raw" / doc.file
            raw = read_source(path)
            doc.sha256 = hashlib.sha256(raw.encode("utf-8")).hexdigest()
            sources.append(Source(doc, style or "", path, raw))
        documents.append(doc)
    return documents, sources
