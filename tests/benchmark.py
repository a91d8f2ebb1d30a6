"""Build and page-weight benchmark: `make bench` (or `.venv/bin/python tests/benchmark.py`).

Prints, each as the median of --runs runs (default 3), for this book and, beside it, for a
throwaway default Jupyter Book 1 (`jupyter-book create`, one markdown page as long as an
average chapter of this book), with the ratio book/default and the target:

* cold build: a clean copy of the repository (files git knows), empty _build, every notebook executed;
* repeated build with no change;
* rebuild after editing one chapter (one line of text appended);
* each notebook's execution time in a fresh kernel (jupytext + nbclient);
* the bytes each page loads in headless Chromium (sum of response body sizes, empty cache);
* the mechanism explorer (chapters/explorer.html): time from navigation to its first drawing
  with an empty cache, for the default view (drawn at build time) and for a 58-entity view the
  browser lays out with Graphviz-WebAssembly, the time to redraw that one after a filter change,
  and the default view's page weight (`--explorer-only` measures just these, on the already
  built site in _build/html).
* the whole-book PDF (`make pdf`): the time to assemble and print it, its size and page count
  (`--pdf-only` prints just these, from the site already in _build/html).
* the live preview (`make preview`, in a copy): the time from saving a one-sentence prose edit
  of a chapter to the preview serving the page with it (`--preview-only` measures just this).

It never fails on a missed target: it prints MISSED beside it. Builds use the same
command as `make book` (jupyter-book build --warningiserror --keep-going).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mechgraph.pdf import launch_chromium

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sitetools import (  # noqa: E402
    REPO,
    build_env,
    copy_repo,
    jupyter_book,
    running_preview,
    serve,
    site_pages,
    wait_for_text,
)

TARGETS = {
    "cold": 90.0,
    "nochange": 3.0,
    "edit": 10.0,
    "page_bytes": 1.2e6,
    "explorer_bytes": 2.0e6,
    "explorer_first": 1.5,
    "explorer_redraw": 0.3,
    "pdf_s": 90.0,
    "pdf_bytes": 15e6,
    "preview": 3.0,
}
EXPLORER = "chapters/explorer.html"


def page_target(page: str) -> float:
    """The explorer carries Graphviz compiled to WebAssembly: it has a budget of its own."""
    return TARGETS["explorer_bytes"] if page == EXPLORER else TARGETS["page_bytes"]


JB = REPO / ".venv" / "bin" / "jupyter-book"
LOREM = (
    "Mesenchymal stromal cells are studied in many models of pain. This paragraph is filler "
    "text of ordinary length, written only to give the default book a page as long as a chapter "
    "of this book, so that build times and page weights can be compared fairly. "
)


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def build(book: Path, strict: bool = True) -> None:
    if strict:
        result = jupyter_book(book)
    else:
        result = subprocess.run(
            [str(JB), "build", str(book)],
            cwd=book,
            env=build_env(book),
            capture_output=True,
            text=True,
            timeout=900,
        )
    if result.returncode != 0:
        raise RuntimeError(f"build of {book} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def chapter_files(book: Path) -> list[Path]:
    toc = (book / "_toc.yml").read_text(encoding="utf-8")
    files = []
    for name in re.findall(r"(?:file|root):\s*(\S+)", toc):
        for ext in (".md", ".ipynb"):
            if (book / (name + ext)).is_file():
                files.append(book / (name + ext))
    return files


def is_notebook(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return path.suffix == ".ipynb" or ("kernelspec:" in text[:1000] and "```{code-cell}" in text)


# -- the reference book -----------------------------------------------------------


def default_book(where: Path, page_chars: int) -> Path:
    """A default Jupyter Book 1 with one markdown page of `page_chars` characters."""
    book = where / "default-book"
    subprocess.run([str(JB), "create", str(book)], check=True, capture_output=True)
    body, n = ["# A page of average length", ""], 0
    while sum(map(len, body)) < page_chars:
        n += 1
        if n % 6 == 1:
            body += [f"## Section {n // 6 + 1}", ""]
        body += [LOREM * 3, ""]
    (book / "page.md").write_text("\n".join(body) + "\n", encoding="utf-8")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n- file: page\n- file: markdown-notebooks\n",
        encoding="utf-8",
    )
    for extra in ("markdown.md", "notebooks.ipynb"):
        (book / extra).unlink(missing_ok=True)
    return book


# -- measurements -------------------------------------------------------------------


def build_times(
    make_copy, edit_file, runs: int, strict: bool, cold_runs: int | None = None
) -> dict[str, list[float]]:
    out = {"cold": [], "nochange": [], "edit": []}
    for _ in range(runs if cold_runs is None else cold_runs):
        book = make_copy()
        shutil.rmtree(book / "_build", ignore_errors=True)
        out["cold"].append(timed(build, book, strict))
    for _ in range(runs):
        out["nochange"].append(timed(build, book, strict))
    target = edit_file(book)
    for i in range(runs):
        with target.open("a", encoding="utf-8") as fh:
            fh.write(f"\nA sentence added by the benchmark, edit {i}.\n")
        out["edit"].append(timed(build, book, strict))
    return out | {"_book": book}


def notebook_times(files: list[Path], runs: int) -> dict[str, list[float]]:
    import jupytext
    from nbclient import NotebookClient

    times = {}
    for path in files:
        if not is_notebook(path):
            continue
        samples = []
        for _ in range(runs):
            nb = jupytext.read(path)
            client = NotebookClient(
                nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
            )
            samples.append(timed(client.execute))
        times[path.name] = samples
    return times


def page_weights(
    site: Path, pages: list[str], runs: int
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Bytes each page loads (response bodies, decoded) and the same bodies gzip-compressed
    (level 6, what a static host such as GitHub Pages sends for text files)."""
    import gzip

    from playwright.sync_api import sync_playwright

    weights, zipped = {}, {}
    with serve(site) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        for page_path in pages:
            samples, zsamples = [], []
            for _ in range(runs):
                context = browser.new_context()
                page = context.new_page()
                sizes = []
                page.on("requestfinished", lambda req: sizes.append(req.response()))
                page.goto(base + page_path, wait_until="load")
                page.wait_for_load_state("networkidle")
                total = ztotal = 0
                for response in sizes:
                    try:
                        body = response.body() if response else b""
                    except Exception:  # noqa: BLE001 - a body that is gone (redirect) counts 0
                        body = b""
                    total += len(body)
                    ztotal += len(gzip.compress(body, 6, mtime=0)) if body else 0
                samples.append(total)
                zsamples.append(ztotal)
                context.close()
            weights[page_path], zipped[page_path] = samples, zsamples
        browser.close()
    return weights, zipped


EXPLORER_VIEWS = {  # the default view is drawn at build time; the other is laid out in the browser (Graphviz)
    "default view (?around=p2x7, drawn at build time)": "",
    "?around=tsg6&depth=2&all=1 (laid out in the browser)": "?around=tsg6&depth=2&all=1",
}


def explorer_times(site: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    """For each view: seconds from navigation to the explorer's first drawing (empty cache, a new
    browser context each run), its node count, and, on the laid-out view, seconds from a filter
    change to the end of its redraw (both directions tried, the better one painted)."""
    from playwright.sync_api import sync_playwright

    ready = (
        "n => Number(document.documentElement.dataset.explorerReady || 0) >= n"
        " && !document.documentElement.dataset.explorerPending"
    )
    out = {name: {"first": [], "redraw": [], "nodes": []} for name in EXPLORER_VIEWS}
    with serve(site) as base, sync_playwright() as p:
        browser = launch_chromium(p)
        for _ in range(runs):
            for name, query in EXPLORER_VIEWS.items():
                context = browser.new_context(viewport={"width": 1366, "height": 900})
                page = context.new_page()
                page.goto(base + EXPLORER + query, wait_until="commit")
                page.wait_for_function(ready, arg=1, timeout=30000)
                out[name]["first"].append(
                    float(page.evaluate("document.documentElement.dataset.explorerFirstMs")) / 1000
                )
                out[name]["nodes"].append(page.eval_on_selector_all("#ex-drawing g.node", "gs => gs.length"))
                if query:
                    page.click("#ex-filters > summary")  # the filters are folded away
                    for n, (control, value) in enumerate(
                        [("#ex-species", "rat"), ("#ex-species", ""), ("#ex-relation", "promotes")], start=2
                    ):
                        start = time.perf_counter()
                        page.select_option(control, value)
                        page.wait_for_function(ready, arg=n, timeout=30000)
                        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")  # painted
                        out[name]["redraw"].append(time.perf_counter() - start)
                context.close()
        browser.close()
    return out


def explorer_measure(site: Path, runs: int) -> dict:
    times = explorer_times(site, runs)
    weights, zipped = page_weights(site, [EXPLORER], runs)
    return {"runs": runs, "times": times, "weights": weights, "zipped": zipped}


def explorer_report(measured: dict) -> list[str]:
    """Print the explorer's figures; return the names of the targets missed."""
    med = statistics.median
    runs, times, weights, zipped = (
        measured["runs"],
        measured["times"],
        measured["weights"],
        measured["zipped"],
    )
    print()
    print(f"mechanism explorer ({EXPLORER}; median of {runs} runs)")
    checked = []
    for name, figures in times.items():
        print(f"  {name}: {med(figures['nodes'])} nodes")
        print(
            row(
                "    first drawing after a cold page load",
                med(figures["first"]),
                None,
                TARGETS["explorer_first"],
            )
        )
        checked.append((f"explorer first drawing, {name}", med(figures["first"]), "explorer_first"))
        if figures["redraw"]:
            print(
                row(
                    "    redraw after a filter change",
                    med(figures["redraw"]),
                    None,
                    TARGETS["explorer_redraw"],
                )
            )
            checked.append((f"explorer redraw, {name}", med(figures["redraw"]), "explorer_redraw"))
    print(
        row(
            "  page weight (default view), uncompressed",
            med(weights[EXPLORER]),
            None,
            TARGETS["explorer_bytes"],
            fmt=fmt_b,
        )
    )
    print(row("  page weight (default view), gzip-compressed", med(zipped[EXPLORER]), None, None, fmt=fmt_b))
    checked.append(("explorer page weight", med(weights[EXPLORER]), "explorer_bytes"))
    return [name for name, value, target in checked if value >= TARGETS[target]]


# -- report ---------------------------------------------------------------------------


def fmt_s(x: float) -> str:
    return f"{x:7.2f} s"


def fmt_b(x: float) -> str:
    return f"{x / 1e6:7.3f} MB"


def row(label: str, ours: float, ref: float | None, target: float | None, fmt=fmt_s) -> str:
    ratio = f"{ours / ref:6.2f}x" if ref else "     - "
    verdict = "" if target is None else ("ok" if ours < target else "MISSED")
    tgt = "" if target is None else f"< {fmt(target).strip()}"
    return f"{label:<44} {fmt(ours)}   {fmt(ref) if ref is not None else ' ' * 10}   {ratio}   {tgt:<12} {verdict}"


def pdf_figures(site: Path, where: Path, runs: int) -> tuple[list[float], int, int]:
    """Seconds to assemble and print the whole-book PDF from `site` (each run), its bytes and pages."""
    from pypdf import PdfReader

    from mechgraph.pdf import build as build_pdf

    times, pdf = [], None
    for n in range(runs):
        start = time.perf_counter()
        pdf = build_pdf(site, where / f"pdf-{n}", copy_to_site=False)
        times.append(time.perf_counter() - start)
    return times, pdf.stat().st_size, len(PdfReader(str(pdf)).pages)


def print_pdf_figures(times: list[float], size: int, pages: int) -> list[str]:
    med = statistics.median
    print(f"whole-book PDF: {pages} pages")
    print(row("  PDF build (assemble and print)", med(times), None, TARGETS["pdf_s"]))
    print(row("  PDF size", size, None, TARGETS["pdf_bytes"], fmt=fmt_b))
    return [k for k, v in (("pdf_s", med(times)), ("pdf_bytes", size)) if v >= TARGETS[k]]


def preview_times(runs: int) -> list[float]:
    """Seconds from saving a sentence appended to chapter 5 to `make preview` serving the page with
    it, in a copy of the repository (with the book's executed notebooks), after its first build."""
    chapter = "chapters/05-pain-mechanisms"
    samples = []
    with tempfile.TemporaryDirectory(prefix="book-preview-") as tmp:
        copy = copy_repo(Path(tmp) / "book", jupyter_cache=True)
        out = copy / "_build" / "preview"

        def quiet(seconds: float = 3) -> None:  # no file of the preview written for `seconds`
            last = None
            while True:
                newest = max((p.stat().st_mtime for p in out.rglob("*") if p.is_file()), default=0)
                if newest == last and time.time() - newest > seconds:
                    return
                last = newest
                time.sleep(0.5)

        with running_preview(copy, Path(tmp) / "preview.log") as base:
            url = f"{base}{chapter}.html"
            wait_for_text(url, "</html>", 900)  # the first build
            source = copy / f"{chapter}.md"
            for n in range(runs):
                quiet()  # the last build has finished writing
                marker = f"Preview probe number {n} of this benchmark."
                with source.open("a", encoding="utf-8") as f:
                    f.write(f"\n{marker}\n")
                start = time.monotonic()
                wait_for_text(url, marker, 120)
                samples.append(time.monotonic() - start)
            quiet()  # let the last build finish before the copy is deleted
    return samples


def print_builds(ours: dict, ref: dict, runs: int) -> None:
    med = statistics.median
    print(
        f"{'figure (median of %d runs)' % runs:<44} {'this book':>10}   {'default':>10}   {'ratio':>7}   target"
    )
    print(
        row(
            "cold build (clean copy, all notebooks run)", med(ours["cold"]), med(ref["cold"]), TARGETS["cold"]
        )
    )
    print(row("rebuild, no change", med(ours["nochange"]), med(ref["nochange"]), TARGETS["nochange"]))
    print(row("rebuild after editing one chapter", med(ours["edit"]), med(ref["edit"]), TARGETS["edit"]))
    print(
        "samples (s): "
        + "; ".join(
            f"{who} {k} " + ", ".join(f"{x:.2f}" for x in v)
            for who, d in (("book", ours), ("default", ref))
            for k, v in d.items()
            if not k.startswith("_")
        ),
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported; default 3)")
    parser.add_argument("--json", type=Path, help="also write the raw samples to this JSON file")
    parser.add_argument(
        "--explorer-only",
        action="store_true",
        help="only the explorer's figures, on the site already built in _build/html",
    )
    parser.add_argument(
        "--pdf-only", action="store_true", help="only the PDF figures, from the site in _build/html"
    )
    parser.add_argument(
        "--preview-only", action="store_true", help="only the live preview's time to show a prose edit"
    )
    parser.add_argument(
        "--builds-only",
        action="store_true",
        help="only the rebuild figures (no change, one chapter edited), after one cold build each",
    )
    args = parser.parse_args()
    med = statistics.median
    if args.explorer_only:
        from sitetools import BUILD

        missed = explorer_report(explorer_measure(BUILD, args.runs))
        print("targets missed: " + (", ".join(missed) if missed else "none"))
        return 0
    if args.preview_only or not (args.explorer_only or args.pdf_only or args.builds_only):
        print("timing the live preview ...", flush=True)
        samples = preview_times(args.runs)
        print(row("prose edit shown by make preview", med(samples), None, TARGETS["preview"]))
        print("samples (s): " + ", ".join(f"{s:.2f}" for s in samples))
        if args.preview_only:
            print("targets missed: " + ("preview" if med(samples) >= TARGETS["preview"] else "none"))
            return 0
    if args.pdf_only:
        with tempfile.TemporaryDirectory(prefix="book-bench-") as tmp:
            missed = print_pdf_figures(*pdf_figures(REPO / "_build" / "html", Path(tmp), args.runs))
        print("targets missed: " + (", ".join(missed) if missed else "none"))
        return 0

    with tempfile.TemporaryDirectory(prefix="book-bench-") as tmp:
        tmp = Path(tmp)
        counter = iter(range(1000))
        chapters = [f for f in chapter_files(REPO) if f.parent.name == "chapters"]
        avg_chars = (
            int(statistics.mean(len(f.read_text(encoding="utf-8")) for f in chapters)) if chapters else 20000
        )
        print(f"book: {REPO}  ({len(chapters)} chapters, average {avg_chars} characters)", flush=True)

        print("building this book ...", flush=True)
        ours = build_times(
            lambda: copy_repo(tmp / f"book-{next(counter)}"),
            lambda b: (
                b / "chapters" / "05-pain-mechanisms.md"
                if (b / "chapters" / "05-pain-mechanisms.md").exists()
                else chapter_files(b)[1]
            ),
            args.runs,
            strict=True,
            cold_runs=1 if args.builds_only else None,
        )
        print("building the default book ...", flush=True)
        ref_src = default_book(tmp, avg_chars)

        def ref_copy():
            dest = tmp / f"default-{next(counter)}"
            shutil.copytree(ref_src, dest, ignore=shutil.ignore_patterns("_build"))
            return dest

        ref = build_times(
            ref_copy,
            lambda b: b / "page.md",
            args.runs,
            strict=False,
            cold_runs=1 if args.builds_only else None,
        )
        if args.builds_only:
            print_builds(ours, ref, args.runs)
            return 0

        print("executing notebooks ...", flush=True)
        nb_ours = notebook_times(chapter_files(REPO), args.runs)
        nb_ref = notebook_times([ref_src / "markdown-notebooks.md"], args.runs)

        print("weighing pages ...", flush=True)
        site = ours["_book"] / "_build" / "html"
        w_ours, z_ours = page_weights(site, site_pages(site), args.runs)
        explorer = explorer_measure(site, args.runs) if (site / EXPLORER).is_file() else None
        ref_site = ref["_book"] / "_build" / "html"
        w_ref, z_ref = page_weights(ref_site, ["page.html"], args.runs)

        print("printing the PDF ...", flush=True)
        pdf = pdf_figures(site, tmp, args.runs)

    ref_nb = med(next(iter(nb_ref.values()))) if nb_ref else None
    ref_w, ref_z = med(w_ref["page.html"]), med(z_ref["page.html"])
    print()
    print_builds(ours, ref, args.runs)
    print()
    print("notebook execution in a fresh kernel (default: the template's markdown-notebooks.md)")
    for name, samples in nb_ours.items():
        print(row(f"  {name}", med(samples), ref_nb, None))
    print()
    print("bytes loaded by each page, uncompressed (default: its page.html of average chapter length)")
    for name, samples in w_ours.items():
        print(row(f"  {name}", med(samples), ref_w, page_target(name), fmt=fmt_b))
    print()
    print("the same, gzip-compressed as a static host sends them (informative; the target is on bytes above)")
    for name, samples in z_ours.items():
        print(row(f"  {name}", med(samples), ref_z, page_target(name), fmt=fmt_b))
    missed = [
        k
        for k, v in (
            ("cold", med(ours["cold"])),
            ("nochange", med(ours["nochange"])),
            ("edit", med(ours["edit"])),
        )
        if v >= TARGETS[k]
    ]
    missed += [n for n, s in w_ours.items() if med(s) >= page_target(n)]
    missed += explorer_report(explorer) if explorer else []
    print()
    missed += print_pdf_figures(*pdf)
    print()
    print("targets missed: " + (", ".join(missed) if missed else "none"))
    if args.json:
        raw = {
            "book": {k: v for k, v in ours.items() if not k.startswith("_")},
            "default": {k: v for k, v in ref.items() if not k.startswith("_")},
            "notebooks": nb_ours,
            "notebook_default": nb_ref,
            "pages": w_ours,
            "page_default": w_ref,
            "pages_gzip": z_ours,
            "page_default_gzip": z_ref,
            "pdf": {"seconds": pdf[0], "bytes": pdf[1], "pages": pdf[2]},
        }
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    sys.exit(main())
