"""The layout on a phone and the site's chrome: at 390 px no page is wider than the screen (data tables
stack into one card per row, each cell under its column's name; the query page's results scroll in
their own box); the desktop keeps its tables; a detail page lights its list's menu entry; dimmed rows and
the colour key keep WCAG AA contrast; Chinese names carry their language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# The WCAG contrast ratio of an element's text against the first opaque background behind it.
CONTRAST_JS = """el => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = el, back = 'rgb(255, 255, 255)';
  while (bg) { const c = getComputedStyle(bg).backgroundColor, p = rgb(c);
               if (p.length < 4 || p[3] > 0.5) { back = c; break; } bg = bg.parentElement; }
  const a = lum(getComputedStyle(el).color), b = lum(back);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("path", [
    "/documents",
    "/agencies",
    "/agency/sipo",
    "/instruments",
    "/ip-type/patent",
    "/measure/division-of-work-2016/20",
    "/lineage",
    "/query?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%2020",
])
def test_pages_wider_than_a_phone(browser_page, path):
    """At 390 px the page keeps the screen's width: no sideways scrolling of the whole page."""
    browser_page.set_viewport_size(PHONE)
    browser_page.goto(path)
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_agency_measure_text_off_screen_on_a_phone(browser_page):
    """The agency page's measures were a sideways-scrolling table whose Text column began at x=470, in rows
    mostly blank; now each row is a card and its text is on screen, labelled with its column's name."""
    browser_page.set_viewport_size(PHONE)
    browser_page.goto("/agency/sipo")
    cell = browser_page.locator("#agency-measures tbody td.excerpt").first
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["width"] > 0.75 * PHONE["width"]  # the text has the card's width, not a sliver of it
    row = browser_page.locator("#agency-measures tbody tr").first.bounding_box()
    assert row is not None and box["height"] > 0.4 * row["height"]  # the card is mostly text, not blank
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Text"'


def test_desktop_tables_stay_tables(browser_page):
    """The cards are for phones only: at 1280 px the measures are a table with its header row."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/agency/sipo")
    assert browser_page.locator("#agency-measures thead").is_visible()
    display = browser_page.locator("#agency-measures tbody tr").first.evaluate("tr => getComputedStyle(tr).display")
    assert display == "table-row"
    label = browser_page.locator("#agency-measures tbody td.excerpt").first.evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert label in ("none", "normal")


@pytest.mark.parametrize(("path", "entry"), [
    ("/agency/sipo", "Agencies"),
    ("/measure/division-of-work-2016/20", "Documents"),
    ("/section/fyp13-plan-2016/IV.iii", "Documents"),
    ("/ip-type/patent", "IP types"),
])
def test_detail_page_not_highlighted_in_menu(browser_page, path, entry):
    """A detail page lights its list's menu entry (and only that one), as the list pages do."""
    browser_page.goto(path)
    active = browser_page.locator("header.site nav a.active")
    assert active.count() == 1
    assert active.inner_text() == entry
    assert active.get_attribute("aria-current") == "true"


def test_list_page_is_the_current_page_in_menu(browser_page):
    browser_page.goto("/agencies")
    assert browser_page.locator("header.site nav a.active").get_attribute("aria-current") == "page"


@pytest.mark.parametrize(("path", "selector"), [
    ("/documents", "table.grid tr.muted td"),
    ("/instruments", "table.grid tr.muted td"),
    ("/measure/division-of-work-2016/20", ".legend-inline .hl"),
])
def test_dimmed_text_below_wcag_aa(browser_page, path, selector):
    """Dimmed rows (#94a3b8 on white: 2.56:1) and the colour key under a measure's text (3.4-3.9:1) read
    at >= 4.5:1, computed from the page's own styles."""
    browser_page.goto(path)
    cells = browser_page.locator(selector)
    assert cells.count() > 0
    worst = min(cells.nth(i).evaluate(CONTRAST_JS) for i in range(min(cells.count(), 12)))
    assert worst >= 4.5


@pytest.mark.parametrize("path", ["/agencies", "/agency/sipo", "/instrument/patent-law"])
def test_chinese_names_without_lang(browser_page, path):
    """Chinese names (class="zh") say their language, so screen readers and fonts treat them as Chinese."""
    browser_page.goto(path)
    names = browser_page.locator(".zh")
    assert names.count() > 0
    assert set(names.evaluate_all("els => els.map(e => e.closest('[lang]').lang)")) == {"zh-Hans"}
