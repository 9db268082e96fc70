"""A walk through the pages in headless Chromium: home -> agency -> measure -> lineage -> compare ->
network. The networks draw (a <canvas> with a size), no request leaves the local server or fails, and no
script raises."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _canvas_size(page) -> tuple[int, int]:
    page.wait_for_selector(".network canvas", state="attached")
    return page.evaluate(
        "() => { const c = document.querySelector('.network canvas'); return [c.width, c.height]; }"
    )


def test_walk_through(browser_page, server_url, artifacts, outside_requests):
    page = browser_page
    shots = artifacts / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    page.goto("/")
    assert page.locator("h1").first.inner_text().startswith("Chinese national IP policy")
    page.screenshot(path=str(shots / "home.png"), full_page=True)

    page.goto("/agencies")
    page.click('a[href="/agency/spp"]')
    page.wait_for_url("**/agency/spp")
    assert "Supreme People" in page.locator("h1").inner_text()
    w, h = _canvas_size(page)
    assert w > 0 and h > 0
    page.wait_for_timeout(1500)
    page.screenshot(path=str(shots / "agency.png"), full_page=True)

    page.click('#agency-measures a[href="/measure/division-of-work-2016/20"]')
    page.wait_for_url("**/measure/division-of-work-2016/20")
    assert page.locator(".measure-text a.hl").count() >= 2
    page.locator("details.cite summary").first.click()
    assert page.locator("details.cite[open] code").first.is_visible()
    page.screenshot(path=str(shots / "measure.png"), full_page=True)

    page.click('a[href="/lineage/division-of-work-2016/20"]')
    page.wait_for_url("**/lineage/division-of-work-2016/20")
    assert page.locator(".timeline .card.focus").count() == 1
    w, h = _canvas_size(page)
    assert w > 0 and h > 0
    page.screenshot(path=str(shots / "lineage.png"), full_page=True)

    page.goto("/compare?a=promotion-plan-2012&b=division-of-work-2016")
    assert page.get_by_role("heading", name="Carried forward", exact=True).count() == 1
    page.screenshot(path=str(shots / "compare.png"), full_page=False)

    page.goto("/network/agencies")
    w, h = _canvas_size(page)
    assert w > 0 and h > 0
    page.wait_for_timeout(2500)
    page.screenshot(path=str(shots / "network-agencies.png"), full_page=False)

    page.goto("/search?q=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E")
    assert page.evaluate("() => window.pwned === undefined")

    page.goto("/document/division-of-work-2016")
    page.screenshot(path=str(shots / "document.png"), full_page=False)

    assert outside_requests(page.requested_urls) == []
    assert page.failed_urls == []
    assert page.console_errors == []  # also Chromium's "Failed to load resource" for the favicon


def test_network_node_click_opens_page(browser_page, server_url):
    page = browser_page
    page.goto("/network/agency/spp")
    _canvas_size(page)
    page.wait_for_function("() => document.querySelector('#net').visNetwork !== undefined")
    page.wait_for_timeout(1500)
    # click where vis-network drew the spp node
    pos = page.evaluate(
        """() => { const n = document.querySelector('#net').visNetwork;
                   const p = n.canvasToDOM(n.getPositions(['spp'])['spp']);
                   const r = document.querySelector('#net').getBoundingClientRect();
                   return [r.left + p.x, r.top + p.y]; }"""
    )
    page.mouse.click(pos[0], pos[1])
    page.wait_for_url("**/agency/spp")


@pytest.mark.parametrize("path", ["/documents", "/agencies", "/agency/sipo", "/instrument/patent-law", "/lineage",
                                  "/ip-type/patent"])
def test_wide_tables_do_not_widen_the_page_on_a_phone(browser_page, path):
    """At 390 px the page keeps the screen's width, and its tables fit it too (their rows stack as cards), so
    no column is out of sight behind a sideways scroll."""
    browser_page.set_viewport_size({"width": 390, "height": 844})
    browser_page.goto(path)
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= 390
    widest = browser_page.evaluate("Math.max(...[...document.querySelectorAll('table.grid')].map(t => t.scrollWidth))")
    assert widest <= 390


def test_api_docs_sit_in_the_site(browser_page, server_url):
    """/docs is a page of the site: its header leads back, and Swagger UI (vendored) draws the operations."""
    browser_page.goto("/docs")
    browser_page.locator(".opblock-summary-path", has_text="/api/measures").first.wait_for()
    assert browser_page.locator("header.site nav a.active").inner_text() == "API docs"
    assert browser_page.console_errors == [] and browser_page.failed_urls == []
    browser_page.locator("header.site a.brand").click()
    browser_page.wait_for_url(f"{server_url}/")
