"""Bundle the book's data into the wheel, so an installed mechgraph serves it without the repository.

The top-level ``data/`` and ``references.bib`` stay the one source: building a wheel copies them
into the package as ``mechgraph/bundled/`` (the layout ``datapackage.json``'s ``"bibliography":
"../references.bib"`` expects), which :func:`mechgraph.data.find_data` falls back to when no
``data/datapackage.json`` is found from the current folder upwards. An editable install reads the
repository itself and gets no copy. Everything else is in pyproject.toml.

In a git checkout only the files git tracks go into the wheel and the source distribution: an
untracked file of ``data/`` or ``mechgraph/`` (a spreadsheet's lock file, someone's notes.env, a
scratch module) stays out. Outside one (a source distribution unpacked), its files are taken as
they are: it holds only tracked files.
"""

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist


def tracked() -> set[str] | None:
    """The files git tracks here (paths with /), or None outside a git checkout."""
    if not Path(".git").exists():
        return None
    try:
        out = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return {name for name in out.stdout.decode("utf-8", "surrogateescape").split("\0") if name}


class build_py_with_data(build_py):
    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        listed = tracked()
        return modules if listed is None else [m for m in modules if Path(m[2]).as_posix() in listed]

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib, "mechgraph", "bundled")
        shutil.rmtree(target, ignore_errors=True)
        (target / "data").mkdir(parents=True)
        listed = tracked()
        for path in sorted(Path("data").iterdir()):
            if path.is_file() and not path.is_symlink() and (listed is None or path.as_posix() in listed):
                shutil.copy2(path, target / "data" / path.name)
        shutil.copy2("references.bib", target / "references.bib")


class sdist_tracked(sdist):
    def make_release_tree(self, base_dir, files):
        listed = tracked()
        if listed is not None:  # what MANIFEST.in grafts, but only what git tracks (and the metadata)
            files = [f for f in files if Path(f).as_posix() in listed or ".egg-info" in f or f == "PKG-INFO"]
        super().make_release_tree(base_dir, files)


setup(cmdclass={"build_py": build_py_with_data, "sdist": sdist_tracked})
