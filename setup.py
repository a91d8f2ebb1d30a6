"""Bundle the book's data into the wheel, so an installed mechgraph serves it without the repository.

The top-level ``data/`` and ``references.bib`` stay the one source: building a wheel copies them
into the package as ``mechgraph/bundled/`` (the layout ``datapackage.json``'s ``"bibliography":
"../references.bib"`` expects), which :func:`mechgraph.data.find_data` falls back to when no
``data/datapackage.json`` is found from the current folder upwards. An editable install reads the
repository itself and gets no copy. Everything else is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_data(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib, "mechgraph", "bundled")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree("data", target / "data")
        shutil.copy2("references.bib", target / "references.bib")


setup(cmdclass={"build_py": build_py_with_data})
