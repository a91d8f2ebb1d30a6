"""``make preview``: sphinx-autobuild, with every build run in a fork of one process that has
already imported what a build imports and checked the book's data.

sphinx-autobuild starts ``python -m sphinx`` afresh for each change it sees: about two seconds of
imports (myst-nb imports nbformat, whose jsonschema compiles rfc3987-syntax's grammars) and half a
second of data checks before Sphinx reads the one page that changed. Here the first build runs in
a fork and reports the modules it imported; this process then imports them too and checks the
data, and every later build is a fork that starts with all of that done.

A fork is as fresh as a new process for what matters: nothing one build changes reaches the next,
and data edited since the preview started are checked again, because the check's answer is kept
per content of the files (:func:`mechgraph.data.fingerprint`), not per folder. Only code is
inherited, so once the source of a module loaded here changes (an edit to ``mechgraph/``), each
build is a new Python again, as in plain sphinx-autobuild.

Usage: ``python -m mechgraph preview SOURCEDIR OUTDIR [sphinx-autobuild's options]``. Where ``fork``
is not the safe default (anything but Linux), or on a sphinx-autobuild this was not written for,
it runs sphinx-autobuild as it comes: slower, the same pages.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import runpy
import signal
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

import sphinx_autobuild
from packaging.version import Version
from sphinx_autobuild import __main__ as autobuild
from sphinx_autobuild.build import Builder
from sphinx_autobuild.utils import show_message

from mechgraph.data import PAGE_SUFFIXES, REVIEW_KEY, import_jsonschema, load, validate
from mechgraph.makeutil import held

# ForkingBuilder takes the place of sphinx_autobuild.__main__.Builder, which main() constructs;
# written for this version's constructor and its call with ``changed_paths``.
WRITTEN_FOR = "2025.8.25"
STARTED = time.time()  # this module is imported before the build's modules are


def changed_code() -> list[str]:
    """The source files of modules imported in this process that were modified after it started:
    a fork would build with the old code."""
    files = {getattr(module, "__file__", None) for module in list(sys.modules.values())}
    stale = []
    for name in files:
        try:
            if name and os.stat(name).st_mtime > STARTED:
                stale.append(name)
        except OSError:  # deleted, or not a file (a namespace package)
            continue
    return sorted(stale)


def build_in_fork(sphinx_args: Sequence[str]) -> tuple[int, list[str]]:
    """Run ``sphinx-build *sphinx_args`` in a child forked from this process. Returns the build's
    exit code and the names of the modules it imported that this process had not."""
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, report the new modules, and leave without running any cleanup
        os.close(read)
        code = 1
        # as a new process would: stopped by Ctrl+C or SIGTERM, not by the server's handlers
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_DFL)
        try:
            from sphinx.cmd.build import build_main

            before = set(sys.modules)
            code = build_main(list(sphinx_args))
            with os.fdopen(write, "w", encoding="utf-8") as pipe:
                json.dump(sorted(set(sys.modules) - before), pipe)
        except BaseException:  # noqa: BLE001 - whatever it is, the child must exit here
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as pipe:
        report = pipe.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), json.loads(report) if report else []


def preload(modules: Iterable[str]) -> None:
    """Import ``modules`` in this process; one that fails to import is left to the build. The root
    logger is kept as it was: a11y-pygments (the theme's code colours) configures it when imported,
    which in a build happens after Sphinx has set its own logging up."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - any import error is the build's to report
            pass
    root.handlers[:] = handlers
    root.setLevel(level)


def check_data(srcdir: Path) -> None:
    """Check and load the book's data here, so that builds forked later find the answer for files
    they have not changed. A problem is left for the build to report (on its error page)."""
    conf = runpy.run_path(str(srcdir / "conf.py"))
    folder = Path(srcdir, conf.get("mechgraph_data_dir", "data"))
    if not validate(folder, review=conf.get("mechgraph_review_key", REVIEW_KEY)):
        load(folder)


def missing_pages(srcdir: Path) -> list[str]:
    """The pages _toc.yml names that are not there (deleted or renamed while the preview runs)."""
    from mechgraph.pdf import reading_order

    try:
        pages = reading_order(srcdir / "_toc.yml")
    except Exception:  # noqa: BLE001 - a broken _toc.yml is the build's to report
        return []
    return [page for page in pages if not any((srcdir / f"{page}{s}").is_file() for s in PAGE_SUFFIXES)]


def afresh_if_pages_went(sphinx_args: Sequence[str]) -> list[str]:
    """``sphinx_args``, with ``-E`` (a fresh environment) when a page of _toc.yml has gone: an
    incremental build would still try to write it from the environment of the last build and stop
    at ``KeyError: 'chapters/...'``; a fresh one names it (and the data check names the row of
    chapters.csv that still lists it)."""
    gone = missing_pages(Path(sphinx_args[0]).resolve())
    if not gone:
        return list(sphinx_args)
    show_message(f"{', '.join(gone)} (in _toc.yml) is not there any more: building afresh to say so")
    return [*sphinx_args, "-E"]


def build_lock(sphinx_args: Sequence[str]) -> Path:
    """The build lock of the book whose source folder is the first of ``sphinx_args``."""
    return Path(sphinx_args[0]).resolve() / "_build" / ".lock"


class LockedBuilder(Builder):
    """sphinx-autobuild's builder, each build holding the book's build lock (where builds are not
    forked)."""

    def __call__(self, *, changed_paths: Sequence[Path]) -> None:
        with held(build_lock(self.sphinx_args), "make preview"):
            super().__call__(changed_paths=changed_paths)


class ForkingBuilder(Builder):
    """sphinx-autobuild's builder, with ``sphinx-build`` run in a fork of this process. The first
    build (the one sphinx-autobuild runs in its own process, before serving) also warms this
    process up: what that build imported is imported here, and the data are checked."""

    def __call__(self, *, changed_paths: Sequence[Path]) -> None:
        # one build at a time in the book's folder: the preview shares _build/.jupyter_cache with
        # `make book` (mechgraph/makeutil.py; a build that has to wait says which run it waits for)
        with held(build_lock(self.sphinx_args), "make preview"):
            self._build(changed_paths)

    def _build(self, changed_paths: Sequence[Path]) -> None:
        stale = changed_code()
        if stale:  # sphinx-autobuild's own way: a new Python reads the new code
            show_message(f"{stale[0]} changed: builds start a new Python until make preview restarts")
            super().__call__(changed_paths=changed_paths)
            return
        if changed_paths:
            names = ", ".join(sorted({p.name for p in changed_paths})[:5])
            show_message(f"Detected changes ({names})")
        show_message("Rebuilding...")
        code, imported = build_in_fork(afresh_if_pages_went(self.sphinx_args))
        if code:
            print(f"Sphinx exited with exit code {code}; the preview shows what stopped it.")
        if not changed_paths:  # the first build, in the serving process itself
            preload(imported)
            check_data(Path(self.sphinx_args[0]).resolve())
        show_message(f"Serving on {self.uri}")


def main(argv: Sequence[str]) -> int:
    """Run sphinx-autobuild with :class:`ForkingBuilder` (``argv`` as sphinx-autobuild takes them,
    the source folder first)."""
    if sys.platform == "linux" and Version(sphinx_autobuild.__version__) == Version(WRITTEN_FOR):
        import_jsonschema()  # before any build imports it the slow way (see that function)
        autobuild.Builder = ForkingBuilder
    else:
        print(
            f"note: each rebuild starts a new Python (mechgraph.preview forks builds on Linux with "
            f"sphinx-autobuild {WRITTEN_FOR}; found {sys.platform}, {sphinx_autobuild.__version__})"
        )
        if hasattr(os, "fork"):  # POSIX: the lock (flock) works
            autobuild.Builder = LockedBuilder
    autobuild.main(list(argv))
    return 0
