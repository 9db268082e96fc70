"""One settings class for the whole product; every field can be set as ``IPKG_<NAME>``."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPKG_")

    data_dir: Path = Path("data")
    # Embedded Oxigraph (default), "memory" (in-memory rdflib) or "remote" (a SPARQL 1.1 server).
    store: str = "oxigraph"
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_gsp_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout_s: float = 10.0
    max_rows: int = 10_000
    max_request_bytes: int = 64_000
    max_concurrent_queries: int = 4
    # Pooled lineage pairs per later measure that get the costly signals (extract/lineage.py, within_budget);
    # none: every earlier document is searched, and the cost grows with the number of documents.
    lineage_budget: int | None = None

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

    @property
    def store_dir(self) -> Path:
        return self.build_dir / "store"

    @property
    def records_path(self) -> Path:
        return self.build_dir / "records.json"
