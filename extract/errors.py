"""The extractor's errors: each says what went wrong, where, and what to do."""

from __future__ import annotations

from pathlib import Path


class ExtractError(Exception):
    """Base class of everything the extractor raises on bad input."""


class ManifestError(ExtractError):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class SourceError(ExtractError):
    """A source file that cannot be read as a policy text (missing, empty, binary, not UTF-8)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class StructureError(ExtractError):
    """A document whose numbering the structure parser does not understand."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
