"""The one helper module of the tests (the fixtures are in conftest.py): where the repository
and the built site are, a local web server, the list of pages, a static
link checker, CSV edits for breaking data on purpose, copies of the repository for builds and
a comparison of two built sites.

Imported by the test modules and by benchmark.py (pytest puts tests/ on sys.path); no test
module imports another. Chromium is started by mechgraph.pdf.launch_chromium, from the system
(CHROMIUM=/path/to/chromium, default /usr/bin/chromium), never by `playwright install`.
"""

from __future__ import annotations

import csv
import difflib
import filecmp
import functools
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"  # a small valid data set the tests break on purpose
BUILD = Path(os.environ.get("BOOK_HTML", REPO / "_build" / "html")).resolve()  # BOOK_HTML: test another build
ARTIFACTS = REPO / "tests" / "artifacts"
AXE = REPO / "tests" / "node_modules" / "axe-core" / "axe.min.js"
#: files `make pdf` adds to the site after `make book`: a link to one is fine while it is not built yet
LATER_FILES = {"book.pdf"}
#: folders of the built site that hold assets, not pages
ASSET_DIRS = {"_static", "_sources", "_images", "_downloads", "jupyter_execute"}


def site_pages(root: Path = BUILD) -> list[str]:
    """Every HTML page of the built site, as paths relative to its root ('chapters/x.html')."""
    if not root.is_dir():
        return []
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.html")
        if not (set(p.relative_to(root).parts[:-1]) & ASSET_DIRS)
    )


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


#: every URL but the local server's and data:/blob: ones: offline_context aborts a page's request
#: for one (context.route(FOREIGN, ...): only these requests are held, the page's own go straight through)
FOREIGN = re.compile(r"^(?!http://127\.0\.0\.1[:/]|data:|blob:).*")


def offline_context(browser, mode: str | None = None, **options):
    """A fresh browser context (`options`: Playwright's, e.g. viewport) in which a page's request
    to another host is aborted; with `mode` ('light' or 'dark'), the book opens in that colour mode
    (the theme keeps the reader's choice in localStorage)."""
    context = browser.new_context(**options)
    context.route(FOREIGN, lambda route: route.abort())
    if mode:
        context.add_init_script(
            f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"
        )
    return context


def settle(page) -> None:
    """Wait until a loaded page is drawn as a reader sees it: its web fonts loaded and two frames
    painted. (Waiting for the network to stay idle costs 500 ms a page; the tests that check the
    requests made after the load event, test_browser.py's, still wait for that.)"""
    page.evaluate(
        "async () => { await document.fonts.ready;"
        " await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))); }"
    )


def is_local(url: str) -> bool:
    """True for URLs the site may load: the local server, data: and blob: URLs."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


# -- static link checking ------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return frozenset(
        [t["id"] for t in soup.find_all(id=True)]
        + [t["name"] for t in soup.find_all("a", attrs={"name": True})]
    )


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
    for tag, attr in (
        ("a", "href"),
        ("link", "href"),
        ("script", "src"),
        ("img", "src"),
        ("source", "src"),
        ("iframe", "src"),
        ("object", "data"),
    ):
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


# -- the small fixture data set, and CSV edits for breaking a copy of it on purpose ------


def copy_fixture_data(target: Path) -> Path:
    """A copy of the small valid fixture data set with the real schema in `target`; returns it."""
    target.mkdir(parents=True)
    for csv_file in FIXTURES.glob("*.csv"):
        shutil.copy(csv_file, target)
    for name in ("datapackage.json", "vocabulary.csv", "chapters.csv"):  # the schema and its vocabularies
        shutil.copy(REPO / "data" / name, target)
    shutil.copy(REPO / "references.bib", target.parent)  # the bibliography datapackage.json names
    return target


def edit_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; row counts CSV lines, the header being line 1."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    rows[row - 2][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def append_row(path: Path, values: dict[str, str]) -> int:
    """Add one row; returns the file's line count (the new row's line)."""
    with path.open(encoding="utf-8", newline="") as f:
        fields = next(csv.reader(f))
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fields, lineterminator="\n").writerow(values)
    return sum(1 for _ in path.open(encoding="utf-8"))


def drop_column(path: Path, column: str) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = [k for k in rows[0] if k != column]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


# -- copies of the repository for builds ------------------------------------------------


def copy_repo(dest: Path, src: Path = REPO, *, jupyter_cache: bool = False) -> Path:
    """Copy the files git knows about (tracked, plus untracked but not ignored) to `dest`,
    and link the same .venv and explorer/node_modules (so no install is needed). With
    `jupyter_cache`, also copy the executed notebooks of `src` (_build/.jupyter_cache), as a
    reader's checkout has them after a first build. Returns `dest`."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=src,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in sorted(set(filter(None, listed))):
        s = src / rel
        if s.is_file():
            d = dest / rel
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)
    if (src / ".venv").exists():
        (dest / ".venv").symlink_to((src / ".venv").resolve())
    if (
        src / "explorer" / "node_modules"
    ).exists():  # the explorer's pinned npm packages (make book installs them)
        (dest / "explorer" / "node_modules").symlink_to((src / "explorer" / "node_modules").resolve())
    if jupyter_cache and (src / "_build" / ".jupyter_cache").is_dir():
        shutil.copytree(src / "_build" / ".jupyter_cache", dest / "_build" / ".jupyter_cache")
    return dest


def build_env(copy: Path) -> dict[str, str]:
    """Environment for building a copy: the same as `make book` (the copy's build reads the copy's
    data: the extension from its source folder, the notebooks from the folder they run in)."""
    return dict(os.environ)


@contextmanager
def running_preview(copy: Path, log: Path):
    """`make preview` running in a copy of the repository on a free port, its output in `log`:
    yields the preview's address, and stops it (and every build it started) afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("w", encoding="utf-8") as out:
        job = subprocess.Popen(
            ["make", "-o", ".venv/.installed", "preview", f"PREVIEW_PORT={port}"],
            cwd=copy,
            env=build_env(copy),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(job.pid, signal.SIGTERM)
        job.wait(timeout=60)


def wait_for_text(url: str, text: str, limit: float) -> str:
    """The page at `url` once it contains `text` (asked for every 50 ms); TimeoutError after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                body = response.read().decode("utf-8")
        except (OSError, http.client.HTTPException):  # not served yet, or the page was being rewritten
            body = ""
        if text in body:
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not show {text!r} within {limit:.0f} s")
        time.sleep(0.05)


def jupyter_book(copy: Path, *extra: str, timeout: int = 900, prefix: list[str] | None = None):
    """Run `jupyter-book build` (same flags as the Makefile) on a copy of the repository."""
    exe = REPO / ".venv" / "bin" / "jupyter-book"
    cmd = (prefix or []) + [
        str(exe if exe.exists() else shutil.which("jupyter-book") or "jupyter-book"),
        "build",
        str(copy),
        "--warningiserror",
        "--keep-going",
        *extra,
    ]
    return subprocess.run(cmd, cwd=copy, env=build_env(copy), capture_output=True, text=True, timeout=timeout)


def run_make(copy: Path, *targets: str, prefix: list[str] | None = None, timeout: int = 1500, **kwargs):
    """Run `make TARGET...` in a copy of the repository, as a reader would (-o: never remake the
    shared, symlinked .venv from the copy)."""
    return subprocess.run(
        [*(prefix or []), "make", "-o", ".venv/.installed", *targets],
        cwd=copy,
        env=build_env(copy),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def check_site_links(root: Path = BUILD) -> list[str]:
    """Every broken internal link (file or anchor) of every page of the site at `root`."""
    broken = []
    for page in site_pages(root):
        reasons = {broken_link(root, page, href) for _, href in page_links(root, page)}
        broken += [f"{page}: {why}" for why in sorted(filter(None, reasons))]
    return broken


# -- comparing two built sites ----------------------------------------------------------


def site_files(root: Path, leave_out: frozenset[str] = frozenset()) -> dict[str, Path]:
    return {
        name: p
        for p in sorted(root.rglob("*"))
        if p.is_file() and (name := p.relative_to(root).as_posix()) not in leave_out
    }


def _short_diff(a: Path, b: Path, lines: int = 12) -> str:
    try:
        ta, tb = a.read_text(encoding="utf-8").splitlines(), b.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        return f"    binary files differ ({a.stat().st_size} vs {b.stat().st_size} bytes)"
    diff = [line[:200] for line in difflib.unified_diff(ta, tb, "first", "second", n=0, lineterm="")]
    return "\n".join("    " + line for line in diff[2 : 2 + lines]) + (
        "\n    ..." if len(diff) > 2 + lines else ""
    )


def site_differences(first: Path, second: Path, leave_out: frozenset[str] = frozenset()) -> list[str]:
    """Every file only in one of two built sites, and every file whose bytes differ (with a
    short diff); files named in `leave_out` (paths relative to the site) are not compared."""
    a, b = site_files(first, leave_out), site_files(second, leave_out)
    report = [f"only in the first: {n}" for n in sorted(a.keys() - b.keys())]
    report += [f"only in the second: {n}" for n in sorted(b.keys() - a.keys())]
    report += [
        f"differs: {n}\n{_short_diff(a[n], b[n])}"
        for n in sorted(a.keys() & b.keys())
        if not filecmp.cmp(a[n], b[n], shallow=False)
    ]
    return report


if __name__ == "__main__":  # `python tests/sitetools.py [site dir]`: internal link check for CI
    import sys

    site = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else BUILD
    if not site_pages(site):
        sys.exit(f"no HTML pages under {site}: run `make book` first")
    broken = check_site_links(site)
    print("\n".join(broken) if broken else f"internal links OK: {len(site_pages(site))} pages under {site}")
    sys.exit(1 if broken else 0)
