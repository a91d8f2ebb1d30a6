"""The book builds without a network once installed, and the built pages load nothing
from other hosts.

The rebuild runs a copy of the repository (clean _build, so every notebook executes)
inside a new network namespace that has only the loopback interface (`unshare --net`,
needs root or user namespaces; skipped with the reason otherwise). It is slow, so it
is marked `slow`. The static check of the built pages is fast and always runs.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from sitetools import BUILD, REPO, copy_repo, external_assets, jupyter_book, site_pages


def _netns_prefix() -> list[str]:
    """A command prefix that runs a program with no network but loopback, or skip."""
    unshare = shutil.which("unshare")
    if not unshare:
        pytest.skip("`unshare` (util-linux) is not installed")
    probe = subprocess.run([unshare, "--net", "--map-root-user", "sh", "-c", "ip link set lo up 2>/dev/null || true; "
                            "python3 -c \"import socket; socket.create_connection(('1.1.1.1', 53), timeout=2)\""],
                           capture_output=True, text=True)
    if probe.returncode != 0 and "Traceback" not in probe.stderr:
        pytest.skip(f"cannot create a network namespace here (unshare --net): {probe.stderr.strip()[:200]}")
    if probe.returncode == 0:
        pytest.skip("the new network namespace still reaches the internet; cannot test offline")
    # loopback up (the notebook kernels talk to the build over 127.0.0.1), nothing else
    return [unshare, "--net", "--map-root-user", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "offline"]


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_build_without_network(tmp_path):
    if not (REPO / ".venv" / "bin" / "jupyter-book").exists():
        pytest.skip("no .venv with jupyter-book: run `make book` first")
    prefix = _netns_prefix()
    copy = copy_repo(tmp_path / "offline")
    result = jupyter_book(copy, prefix=prefix)
    assert result.returncode == 0, f"offline build failed:\n{result.stdout[-4000:]}\n{result.stderr[-3000:]}"
    site = copy / "_build" / "html"
    assert (site / "index.html").is_file()
    loaded = {p: external_assets(site, p) for p in site_pages(site)}
    assert not any(loaded.values()), {p: v for p, v in loaded.items() if v}


def test_pages_load_nothing_from_other_hosts(site):
    pages = site_pages(BUILD)
    assert pages
    found = {p: assets for p in pages if (assets := external_assets(BUILD, p))}
    assert not found, "pages that load from another host (<script src>, <link href>, <img src>):\n" + \
        "\n".join(f"{p}: {', '.join(a)}" for p, a in found.items())
