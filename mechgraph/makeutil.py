"""What the Makefile needs to build one at a time and publish whole: the build lock, files written
beside their place and renamed into it, a site folder swapped in without a moment in which it is
missing, the checks the "nothing changed" shortcut makes of what it publishes, and the list of
files the site is built from, safe for make whatever their names.

Standard library only, and run as a script by the Makefile with the system Python
(``python3 mechgraph/makeutil.py COMMAND ...``), so that it works before .venv exists and costs
no import of the package:

* ``hold FILE PID COMMAND``: take an exclusive lock on FILE (``flock(2)``, the lock ``flock(1)``
  takes) for the process PID (the ``make`` that reads the Makefile) and keep it until that process
  ends. While another run holds it, say which run (COMMAND, its process and start) and wait.
* ``publish NEW DEST``: put the folder NEW in the place of DEST (``_build/html``).
* ``restore DEST``: after a publish that was killed halfway (the fallback's two renames), put
  ``DEST.old`` back when DEST is missing.
* ``check-site SITE`` / ``check-pdf PDF...``: exit 1 (one line on stderr) when the published site
  or PDF is not whole: a PDF that does not end in ``%%EOF`` after a cross-reference table it points
  at, a notebook of the site whose code cells have no outputs.
* ``inputs LIST``: print the files git lists (tracked, or new and not ignored; not the tests or
  CI) whose names make can take as prerequisites, and write LIST (only when its content changes):
  the commit, the tags, SOURCE_DATE_EPOCH, every listed name, and the size and time of each file
  whose name make cannot take (a space, a quote, ``$``, ``%``, ``:``...), so that one counts too.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

LOCK_VARIABLE = "MECHGRAPH_BUILD_LOCK"


# --- the lock -----------------------------------------------------------------------------


def _holder(fd: int) -> str:
    """Who holds the lock, as the holder wrote it into the lock file."""
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip()
        info = json.loads(text) if text else {}
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or not info:
        return "another build"
    started = time.strftime("%H:%M:%S", time.localtime(info.get("started", 0)))
    return f"`{info.get('command', '?')}` (process {info.get('pid', '?')}, started {started})"


def acquire(path: Path | str, command: str, pid: int | None = None, out=sys.stderr) -> int:
    """Take the exclusive lock on ``path`` (waiting, after saying for which run, while another run
    holds it) and write who holds it (``command``, process ``pid``) into the file; returns the open
    file descriptor: the lock lasts while it, or a copy inherited by a child, is open."""
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(
            f"waiting: {_holder(fd)} is building in this folder ({path}); this run starts when it ends",
            file=out,
            flush=True,
        )
        fcntl.flock(fd, fcntl.LOCK_EX)
    info = json.dumps({"pid": pid or os.getpid(), "command": command, "started": time.time()})
    os.ftruncate(fd, 0)
    os.pwrite(fd, info.encode() + b"\n", 0)
    return fd


@contextlib.contextmanager
def held(path: Path | str, command: str) -> Iterator[None]:
    """Hold the build lock on ``path`` for the block (the preview's builds); nothing to do when this
    process already holds it (``MECHGRAPH_BUILD_LOCK`` names it)."""
    if os.environ.get(LOCK_VARIABLE) == os.path.abspath(path):
        yield
        return
    fd = acquire(path, command)
    try:
        yield
    finally:
        os.close(fd)


def hold_for(path: str, pid: int, command: str) -> None:
    """Take the lock on ``path`` for the process ``pid`` (a ``make``, which runs this from its
    ``$(shell ...)`` while it reads the Makefile): return once it is held, leaving a process that
    keeps it until ``pid`` ends. That process holds no other file open (make waits for the end of
    what ``$(shell)`` prints)."""
    fd = acquire(path, command, pid)
    if os.fork():
        return  # the lock stays with the child (the same open file)
    os.setsid()  # no terminal's signals; it ends with the make it serves
    null = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(null, std)
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 16)
    while _alive(pid):
        time.sleep(0.2)
    os._exit(0)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is still running: not gone, and not a zombie (a make that has ended
    but whose parent has not collected its exit status yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):  # no /proc (macOS, BSD): a zombie counts as running
        return True


# --- files and folders written beside their place ------------------------------------------


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed into ``path`` when the block ends
    without an exception, deleted otherwise. A reader sees the old file or the whole new one."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_bytes(path: Path | str, data: bytes) -> None:
    """``Path(path).write_bytes(data)``, renamed into place."""
    with replacing(path) as temporary:
        temporary.write_bytes(data)


def copy_file(source: Path | str, target: Path | str) -> None:
    """``shutil.copy2(source, target)``, renamed into place."""
    with replacing(target) as temporary:
        shutil.copy2(source, temporary)


_RENAME_EXCHANGE = 2  # linux/fs.h


def exchange(a: Path | str, b: Path | str) -> bool:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE); False where the
    system or the file system cannot, and nothing was changed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # not glibc 2.28+ (or musl): no renameat2
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0


def publish(new: Path | str, dest: Path | str) -> None:
    """Put the folder ``new`` in the place of ``dest``. With an exchange, ``dest`` is never missing;
    without one, ``dest`` is renamed to ``dest.old`` and ``new`` to ``dest``, and a kill between the
    two renames leaves ``dest.old``, which :func:`restore` (run before every build) puts back."""
    new, dest = Path(new), Path(dest)
    old = dest.with_name(dest.name + ".old")
    restore(dest)
    if dest.is_dir() and exchange(new, dest):
        shutil.rmtree(new)  # now the last site
        return
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        os.rename(dest, old)
    os.rename(new, dest)
    shutil.rmtree(old, ignore_errors=True)


def restore(dest: Path | str) -> bool:
    """Put ``dest.old`` back in the place of ``dest`` when a publish was killed between its renames."""
    dest = Path(dest)
    old = dest.with_name(dest.name + ".old")
    if old.is_dir() and not dest.exists():
        os.rename(old, dest)
        return True
    return False


# --- is what is published whole? --------------------------------------------------------------

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def pdf_problem(path: Path | str) -> str | None:
    """Why ``path`` is not a whole PDF (None when it is): it must start with ``%PDF-``, end with
    ``startxref N %%EOF`` and N must point at the cross-reference table (or stream)."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(8)
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - 1024))
            tail = f.read()
            match = _STARTXREF.search(tail)
            if not head.startswith(b"%PDF-"):
                return f"{path}: not a PDF (it is {size} bytes and does not start with %PDF-)"
            if not match:
                return f"{path}: not a whole PDF (no startxref and %%EOF at its end: cut short?)"
            offset = int(match[1])
            f.seek(offset)
            at = f.read(32) if offset < size else b""
    except OSError as err:
        return f"{path}: cannot be read ({err.strerror or err})"
    if not (at.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", at)):
        return f"{path}: its startxref ({offset}) does not point at a cross-reference table"
    return None


def notebook_problem(path: Path | str) -> str | None:
    """Why a published notebook is not an executed one (None when it is): it has code cells and
    none of them has an output or an execution count."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError) as err:
        return f"{path}: not a readable notebook ({err})"
    code = [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]
    if code and not any(c.get("outputs") or c.get("execution_count") for c in code):
        return f"{path}: its {len(code)} code cell(s) have no outputs (a build that did not execute it)"
    return None


def site_problems(site: Path | str) -> list[str]:
    """What is missing or not whole in a published site: its home page, its executed notebooks,
    its PDF (when it has one)."""
    site = Path(site)
    if not (site / "index.html").is_file():
        return [f"{site}/index.html is missing"]
    problems = [p for nb in sorted((site / "_sources").rglob("*.ipynb")) if (p := notebook_problem(nb))]
    if (site / "book.pdf").exists():
        problems += filter(None, [pdf_problem(site / "book.pdf")])
    return problems


# --- what the site is built from --------------------------------------------------------------

#: names make can take as words of a prerequisite list (anything else is listed by size and time)
_MAKE_SAFE = re.compile(r"[A-Za-z0-9._/+@-]+")
_LEFT_OUT = ("tests/", ".github/", ".ci/")


def _git(*args: str) -> str | None:
    import subprocess

    try:
        out = subprocess.run(["git", *args], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode("utf-8", "surrogateescape") if out.returncode == 0 else None


def book_inputs(list_file: Path | str) -> list[str]:
    """The files git lists whose names make can take (none outside a git checkout), after writing
    ``list_file`` as the module's docstring says."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if not listed:
        return []
    names = sorted({n for n in listed.split("\0") if n and not n.startswith(_LEFT_OUT)})
    safe = [n for n in names if _MAKE_SAFE.fullmatch(n) and os.path.isfile(n)]  # a deleted one: "missing"
    lines = [
        (_git("rev-parse", "HEAD") or "").strip(),
        (_git("describe", "--tags", "--always") or "").strip(),
    ]
    lines.append(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}")
    for name in names:
        if name in safe:
            lines.append(name)
            continue
        try:
            info = os.stat(name)
            lines.append(f"{name!r} {info.st_size} {info.st_mtime_ns}")
        except OSError:
            lines.append(f"{name!r} missing")
    text = "\n".join(lines) + "\n"
    list_file = Path(list_file)
    try:
        unchanged = list_file.read_text(encoding="utf-8", errors="surrogateescape") == text
    except OSError:
        unchanged = False
    if not unchanged:
        list_file.parent.mkdir(parents=True, exist_ok=True)
        with replacing(list_file) as temporary:
            temporary.write_text(text, encoding="utf-8", errors="surrogateescape")
    return safe


def main(argv: list[str]) -> int:
    usage = "usage: makeutil.py hold FILE PID COMMAND | publish NEW DEST | restore DEST | check-site SITE | check-pdf PDF... | inputs LIST"
    if len(argv) < 2:
        print(usage, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if command == "hold" and len(args) == 3 and args[1].isdigit():
        hold_for(os.path.abspath(args[0]), int(args[1]), args[2])
        return 0
    if command == "publish" and len(args) == 2:
        publish(*args)
        return 0
    if command == "restore" and len(args) == 1:
        if restore(args[0]):
            print(
                f"note: {args[0]} was missing (a build killed while it published); the last good one is back",
                file=sys.stderr,
            )
        return 0
    if command == "inputs" and len(args) == 1:
        print(" ".join(book_inputs(args[0])))
        return 0
    if command in ("check-site", "check-pdf"):
        problems = (
            site_problems(args[0]) if command == "check-site" else list(filter(None, map(pdf_problem, args)))
        )
        for line in problems[:1]:
            print(f"note: {line}; building it again", file=sys.stderr)
        return 1 if problems else 0
    print(usage, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
