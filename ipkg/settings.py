"""One settings class for the whole product; every field can be set as ``IPKG_<NAME>``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPKG_")

    data_dir: Path = Path("data")
    # Embedded Oxigraph (default), "memory" (in-memory rdflib) or "remote" (a SPARQL 1.1 server).
    store: Literal["oxigraph", "memory", "remote"] = "oxigraph"
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_gsp_url: str | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65_535)] = 8000
    query_timeout_s: Annotated[float, Field(gt=0)] = 10.0
    max_rows: Annotated[int, Field(ge=1)] = 10_000
    # The text a result may carry (about: the terms' characters). The whole graph's text is 2 MB, so
    # only a query that multiplies it (a GROUP_CONCAT over a join) meets this.
    max_result_bytes: Annotated[int, Field(ge=1)] = 16_000_000
    max_request_bytes: Annotated[int, Field(ge=1)] = 64_000
    max_concurrent_queries: Annotated[int, Field(ge=1)] = 4
    # The memory of each query worker (its data segment: heap, anonymous maps, the 256 MiB query stack; an
    # idle worker holds about 300-370 MB). None: no cap.
    query_memory_mb: Annotated[int | None, Field(ge=512)] = 2048
    # Pooled lineage pairs per later measure that get the costly signals (extract/lineage.py, within_budget);
    # none: every earlier document is searched, and the cost grows with the number of documents.
    lineage_budget: Annotated[int | None, Field(ge=1)] = None

    @model_validator(mode="after")
    def _remote_needs_url(self) -> Settings:
        # refused when the settings are made (at start), not on the first request
        if self.store == "remote" and not self.remote_query_url:
            raise ValueError("store 'remote' needs IPKG_REMOTE_QUERY_URL (and IPKG_REMOTE_GSP_URL to load)")
        return self

    @property
    def build_dir(self) -> Path:
        return self.data_dir / "build"

    @property
    def store_dir(self) -> Path:
        return self.build_dir / "store"

    @property
    def records_path(self) -> Path:
        return self.build_dir / "records.json"
