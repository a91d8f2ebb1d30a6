"""One clean build of a copy of the book, with no network, gives the same site byte for byte as
the book's own build in _build/html, and the built pages load nothing from other hosts.

The copy (the files git knows, in another folder, with a clean _build, so every notebook
executes) is built inside a new network namespace that has only the loopback interface
(`unshare --net`, needs root or user namespaces; where that is impossible it is built with the
network and the offline test is skipped with the reason). Comparing it with _build/html (built
by `make book`, notebooks from the cache) checks at once that a build needs no network, that two
builds give the same bytes wherever they run, and that a build from the cache equals a clean one.
Slow (a full build): marked `slow`; `make test` runs it, `make test-unit` does not.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sitetools import LATER_FILES, REPO, copy_repo, external_assets, run_make, site_differences, site_pages


def _netns_prefix() -> tuple[list[str], str]:
    """A command prefix that runs a program with no network but loopback, or why there is none."""
    unshare = shutil.which("unshare")
    if not unshare:
        return [], "`unshare` (util-linux) is not installed"
    probe = subprocess.run(
        [
            unshare,
            "--net",
            "--map-root-user",
            "sh",
            "-c",
            "ip link set lo up 2>/dev/null || true; "
            "python3 -c \"import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)\"",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 and "Traceback" not in probe.stderr:
        return [], f"cannot create a network namespace here (unshare --net): {probe.stderr.strip()[:200]}"
    if probe.returncode == 0:
        return [], "the new network namespace still reaches the internet; cannot test offline"
    # loopback up (the notebook kernels talk to the build over 127.0.0.1), nothing else
    return [
        unshare,
        "--net",
        "--map-root-user",
        "sh",
        "-c",
        'ip link set lo up 2>/dev/null; exec "$@"',
        "offline",
    ], ""


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    """(site, why it was not offline) of one clean build of a copy, offline where possible."""
    if not (REPO / ".venv" / "bin" / "jupyter-book").exists():
        pytest.skip("no .venv with jupyter-book: run `make book` first")
    prefix, why_online = _netns_prefix()
    copy = copy_repo(tmp_path_factory.mktemp("clean") / "second-copy")  # another folder: paths must not leak
    result = run_make(copy, "book", prefix=prefix)  # as `make book` built the site
    assert result.returncode == 0, f"clean build failed:\n{result.stdout[-4000:]}\n{result.stderr[-3000:]}"
    return copy / "_build" / "html", why_online


pytestmark = pytest.mark.timeout(1800)


@pytest.mark.slow
def test_build_without_network(clean_build):
    site, why_online = clean_build
    if why_online:
        pytest.skip(why_online)
    assert (site / "index.html").is_file()


@pytest.mark.slow
def test_a_clean_build_is_identical_to_the_site(clean_build, site):
    report = site_differences(site, clean_build[0], leave_out=frozenset(LATER_FILES))
    assert not report, (
        f"{len(report)} difference(s) between {site} (first) and a clean build of a copy (second); "
        "if you changed the sources since, run `make book`:\n" + "\n".join(report[:40])
    )


def test_pages_load_nothing_from_other_hosts(site):
    pages = site_pages(site)
    assert pages
    found = {p: assets for p in pages if (assets := external_assets(site, p))}
    assert not found, (
        "pages that load from another host (<script src>, <link href>, <img src>):\n"
        + "\n".join(f"{p}: {', '.join(a)}" for p, a in found.items())
    )
