"""Shared helpers for the site tests: where the built site is, a local web server,
a headless Chromium, the list of pages and a static link checker.

Imported by test_browser.py, test_accessibility.py, test_offline.py and benchmark.py
(pytest puts tests/ on sys.path). Never calls `playwright install`: Chromium comes from
the system (CHROMIUM=/path/to/chromium, default /usr/bin/chromium).
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("BOOK_HTML", REPO / "_build" / "html")).resolve()  # BOOK_HTML: test another build
ARTIFACTS = REPO / "tests" / "artifacts"
AXE = REPO / "tests" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: files `make pdf` adds to the site after `make book`: a link to one is fine while it is not built yet
LATER_FILES = {"book.pdf"}
#: folders of the built site that hold assets, not pages
ASSET_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute"}


def site_pages(root: Path = BUILD) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root ('chapters/x.html')."""
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not (set(p.relative_to(root).parts[:-1]) & ASSET_DIRS))


def chapter_pages(root: Path = BUILD) -> list[str]:
    """The reading pages (home page and chapters), the ones worth a screenshot."""
    return [p for p in site_pages(root) if p == "index.html" or p.startswith("chapters/")]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass

    def end_headers(self) -> None:  # always revalidate: tests must see the files on disk
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


@contextmanager
def serve(root: Path = BUILD):
    """Serve `root` on 127.0.0.1 at a free port (a ThreadingHTTPServer in a daemon thread)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(f"Chromium not found at {CHROMIUM}; run `make browser-deps` or set CHROMIUM=")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    """True for URLs the site may load: the local server, data: and blob: URLs."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


# -- static link checking ------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset([t["id"] for t in soup.find_all(id=True)] + [t["name"] for t in soup.find_all("a", attrs={"name": True})])


def resolve_target(root: Path, page: str, href: str) -> tuple[Path, str] | None:
    """File and fragment an internal href of `page` points to; None for external links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    url, fragment = urldefrag(urljoin(f"http://site/{page}", href))
    rel = unquote(urlsplit(url).path).lstrip("/")
    target = root / rel
    if rel == "" or target.is_dir():
        target = target / "index.html"
    return target, unquote(fragment)


def broken_link(root: Path, page: str, href: str) -> str | None:
    """Why an internal link is broken (missing file or anchor), or None when it resolves."""
    if href.startswith(("mailto:", "javascript:", "tel:")):
        return None
    resolved = resolve_target(root, page, href)
    if resolved is None:
        return None
    target, fragment = resolved
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        return f"{href}: points outside the site"
    if not target.is_file() and target.parent == root and target.name in LATER_FILES:
        return None  # written by `make pdf`, which `make book` does not run
    if not target.is_file():
        return f"{href}: no such file {target.relative_to(root) if target.is_relative_to(root) else target}"
    if fragment and target.suffix == ".html" and fragment not in _ids(target):
        return f"{href}: no element with id '{fragment}' in {target.relative_to(root).as_posix()}"
    return None


def page_links(root: Path, page: str) -> list[tuple[str, str]]:
    """(tag, url) for every link, script, stylesheet, image and source of a page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((root / page).read_text(encoding="utf-8"), "html.parser")
    out = []
    for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                      ("source", "src"), ("iframe", "src"), ("object", "data")):
        for el in soup.find_all(tag):
            if el.get(attr):
                out.append((tag, el[attr]))
    for el in soup.find_all(attrs={"xlink:href": True}):  # links inside inline SVG
        out.append(("svg-a", el["xlink:href"]))
    return out


def external_assets(root: Path, page: str) -> list[str]:
    """Scripts, stylesheets, images and media a page would load from another host."""
    loaded = []
    for tag, url in page_links(root, page):
        if tag == "a" or tag == "svg-a":
            continue
        parts = urlsplit(url)
        if parts.netloc or parts.scheme in ("http", "https"):
            loaded.append(f"<{tag}> {url}")
    return loaded


# -- copies of the repository for clean builds ----------------------------------------

def copy_repo(dest: Path, src: Path = REPO) -> Path:
    """Copy the files git knows about (tracked, plus untracked but not ignored) to `dest`,
    and link the same .venv and explorer/node_modules (so no install is needed). Returns `dest`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=src, check=True, capture_output=True).stdout.decode().split("\0")
    for rel in sorted(set(filter(None, listed))):
        s = src / rel
        if s.is_file():
            d = dest / rel
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)
    if (src / ".venv").exists():
        (dest / ".venv").symlink_to((src / ".venv").resolve())
    if (src / "explorer" / "node_modules").exists():  # the explorer's pinned npm packages (make book installs them)
        (dest / "explorer" / "node_modules").symlink_to((src / "explorer" / "node_modules").resolve())
    return dest


def build_env(copy: Path) -> dict[str, str]:
    """Environment for building a copy: the same as `make book` (the copy's build reads the copy's
    data: the extension from its source folder, the notebooks from the folder they run in)."""
    return dict(os.environ)


def jupyter_book(copy: Path, *extra: str, timeout: int = 900, prefix: list[str] | None = None):
    """Run `jupyter-book build` (same flags as the Makefile) on a copy of the repository."""
    exe = REPO / ".venv" / "bin" / "jupyter-book"
    cmd = (prefix or []) + [str(exe if exe.exists() else shutil.which("jupyter-book") or "jupyter-book"),
                            "build", str(copy), "--warningiserror", "--keep-going", *extra]
    return subprocess.run(cmd, cwd=copy, env=build_env(copy), capture_output=True, text=True, timeout=timeout)


def check_site_links(root: Path = BUILD) -> list[str]:
    """Every broken internal link (file or anchor) of every page of the site at `root`."""
    broken = []
    for page in site_pages(root):
        reasons = {broken_link(root, page, href) for _, href in page_links(root, page)}
        broken += [f"{page}: {why}" for why in sorted(filter(None, reasons))]
    return broken


if __name__ == "__main__":  # `python tests/sitetools.py [site dir]`: internal link check for CI
    import sys

    site = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else BUILD
    if not site_pages(site):
        sys.exit(f"no HTML pages under {site}: run `make book` first")
    broken = check_site_links(site)
    print("\n".join(broken) if broken else f"internal links OK: {len(site_pages(site))} pages under {site}")
    sys.exit(1 if broken else 0)
