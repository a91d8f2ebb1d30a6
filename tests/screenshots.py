"""Screenshots of the reading pages, for people to look at: `make screenshots`.

The home page and every chapter, full length, at a laptop (1366 px) and a phone (390 px) width,
in light and dark mode, written to tests/artifacts/ (gitignored; the GitHub workflow uploads
them) as <page>-<width>-<mode>.png. They are not tests: the tests measure what these show (sizes
on screen, colours, what is visible). Needs `make book` and Chromium (`make browser-deps`);
BOOK_HTML=... shoots another build.
"""

from __future__ import annotations

import sys

from mechgraph.pdf import launch_chromium
from sitetools import ARTIFACTS, BUILD, REPO, chapter_pages, offline_context, serve, settle

WIDTHS = (1366, 390)
MODES = ("light", "dark")

#: every image loaded (the theme fixes make them lazy) and the diagrams' text descriptions closed
_READY = """async () => {
  document.querySelectorAll('details.mechgraph-text').forEach(d => d.open = false);
  const images = [...document.images];
  images.forEach(img => { img.loading = 'eager'; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => { img.onload = img.onerror = done; })));
}"""


def file_name(path: str, width: int, mode: str) -> str:
    """chapters/05-pain-mechanisms.html at 390 px, dark -> chapters__05-pain-mechanisms-390-dark.png"""
    return f"{path.replace('/', '__').removesuffix('.html')}-{width}-{mode}.png"


def main() -> int:
    pages = chapter_pages()
    if not pages:
        print(f"error: no pages under {BUILD}: run `make book` first", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with serve(BUILD) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for width in WIDTHS:
            for mode in MODES:
                context = offline_context(
                    browser, mode, viewport={"width": width, "height": 900}, color_scheme=mode
                )
                page = context.new_page()
                for path in pages:
                    page.goto(base + path, wait_until="load")
                    page.evaluate(_READY)
                    settle(page)
                    page.screenshot(path=str(ARTIFACTS / file_name(path, width, mode)), full_page=True)
                context.close()
        browser.close()
    where = ARTIFACTS.relative_to(REPO) if ARTIFACTS.is_relative_to(REPO) else ARTIFACTS
    print(f"wrote {len(pages) * len(WIDTHS) * len(MODES)} screenshots to {where}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
