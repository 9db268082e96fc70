"""Live servers and a browser for the API tests.

``server_url``: a uvicorn serving a fresh build of the real corpus (the session's ``built`` fixture). ``limited_server_url``: the fixture graph with tight
limits (time, rows, request size, concurrency) for the safety tests. ``browser_page``: a Playwright
page on Debian's Chromium that records every URL it requests (``page.requested_urls``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ipkg.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_GRAPH = ROOT / "tests" / "fixtures" / "api_graph.ttl"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")

# The limits of the safety server.
LIMITS = {"query_timeout_s": 1.5, "max_rows": 20, "max_request_bytes": 4_000, "max_concurrent_queries": 2}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fixture_data_dir(root: Path) -> Path:
    """A data folder whose build holds the fixture graph (Oxigraph store + N-Triples)."""
    import pyoxigraph
    from rdflib import Graph

    store_dir = root / "build" / "store"
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    store = pyoxigraph.Store(str(store_dir))
    store.bulk_load(path=str(FIXTURE_GRAPH), format=pyoxigraph.RdfFormat.TURTLE)
    store.flush()
    del store
    Graph().parse(FIXTURE_GRAPH).serialize(root / "build" / "ipkg.nt", format="nt", encoding="utf-8")
    return root


@contextlib.contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Run ``create_app(settings)`` under uvicorn in a thread; yield its base URL once it answers."""
    import uvicorn

    from ipkg.serve import uvicorn_config

    port = _free_port()
    config = uvicorn_config(settings.model_copy(update={"host": "127.0.0.1", "port": port}), log_level="warning",
                            lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            if r.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the test server on port {port} did not come up")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="session")
def fixture_graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_data_dir(tmp_path_factory.mktemp("api-data"))


@pytest.fixture(scope="session")
def server_url(built) -> Iterator[str]:
    """A live server on a fresh build of the real corpus (the session's ``built`` fixture)."""
    settings, _ = built
    with live_server(Settings(data_dir=settings.data_dir, query_timeout_s=20.0)) as url:
        yield url


@pytest.fixture(scope="session")
def limited_server_url(fixture_graph_dir: Path) -> Iterator[str]:
    """The fixture graph behind tight limits (see ``LIMITS``)."""
    with live_server(Settings(data_dir=fixture_graph_dir, **LIMITS)) as url:
        yield url


@pytest.fixture(scope="session")
def _browser():
    if not CHROMIUM.exists():
        # `make test` installs it; CI must never pass by skipping the browser tests
        message = "Chromium is missing: apt-get install -y chromium (or `make chromium`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser, server_url: str):
    """A fresh page; ``page.requested_urls`` lists every URL it requested (assert they stay local),
    ``page.failed_urls`` the ones answered with an error status, ``page.console_errors`` the scripts' errors."""
    context = _browser.new_context(base_url=server_url)
    page = context.new_page()
    requested: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}") if response.status >= 400 else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.requested_urls, page.failed_urls, page.console_errors = requested, failed, errors
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _outside(urls: list[str]) -> list[str]:
    return [u for u in urls if not (u.startswith("http://127.0.0.1:") or u.startswith("http://localhost:")
                                    or u.startswith("data:") or u.startswith("blob:") or u == "about:blank")]


@pytest.fixture(scope="session")
def outside_requests():
    """``outside_requests(page.requested_urls)``: the URLs that left the local server (should be [])."""
    return _outside
