"""The preview's builds (mechgraph/preview.py), on a two-file Sphinx project: each runs in a fork of
the test process and leaves it as it was; a failed build gives its exit code; a module file edited
after the start is noticed, and then builds start a new Python again; importing what a build
imported leaves the root logger alone. `make preview` itself, with a prose edit and a data error,
is in test_build_sequence.py."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import pytest

import mechgraph.preview as preview


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Sphinx project whose one extension is a module only it can import."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\nsys.path.insert(0, __import__('os').path.dirname(__file__))\n"
        "extensions = ['preview_probe_extension']\n"
    )
    (src / "preview_probe_extension.py").write_text(
        "def setup(app):\n    return {'parallel_read_safe': True}\n"
    )
    (src / "index.rst").write_text("Probe\n=====\n\nA page the preview builds.\n")
    return src


def test_a_build_runs_in_a_fork_and_reports_what_it_imported(project, tmp_path):
    code, imported = preview.build_in_fork([str(project), str(tmp_path / "out"), "-b", "html", "-q"])
    assert code == 0
    assert "A page the preview builds." in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "preview_probe_extension" in imported  # the build imported it, so the server can
    assert "preview_probe_extension" not in sys.modules  # ... but it happened in the child


def test_a_failed_build_gives_its_exit_code(project, tmp_path):
    (project / "index.rst").write_text("Probe\n=====\n\n:ref:`no-such-label`\n")
    code, _ = preview.build_in_fork([str(project), str(tmp_path / "out"), "-b", "html", "-q", "-W", "-n"])
    assert code != 0


def test_a_module_file_changed_after_the_start_is_noticed(tmp_path, monkeypatch):
    module = tmp_path / "preview_probe_module.py"
    module.write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import preview_probe_module  # noqa: F401

    try:
        old = preview.STARTED - 60
        os.utime(module, (old, old))
        assert str(module) not in preview.changed_code()
        os.utime(module, (time.time(), time.time()))
        assert str(module) in preview.changed_code()
    finally:
        del sys.modules["preview_probe_module"]


def test_after_a_code_change_builds_start_a_new_python(monkeypatch):
    ran = []
    monkeypatch.setattr(preview.Builder, "__call__", lambda self, **kw: ran.append("new python"))
    monkeypatch.setattr(preview, "build_in_fork", lambda args: ran.append("fork") or (0, []))
    builder = preview.ForkingBuilder(
        [".", "out"], url_host="127.0.0.1:1", pre_build_commands=[], post_build_commands=[]
    )
    monkeypatch.setattr(preview, "changed_code", lambda: [])
    builder(changed_paths=[Path("chapters/a.md")])
    monkeypatch.setattr(preview, "changed_code", lambda: ["mechgraph/data.py"])
    builder(changed_paths=[Path("mechgraph/data.py")])
    assert ran == ["fork", "new python"]


def test_importing_what_a_build_imported_keeps_the_root_logger(tmp_path, monkeypatch):
    (tmp_path / "preview_probe_logging.py").write_text(
        "import logging\nlogging.basicConfig(level=logging.INFO)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in a fresh process (pytest adds its own handlers)
    monkeypatch.setattr(root, "level", logging.WARNING)
    before = (root.handlers[:], root.level)
    try:
        preview.preload(["preview_probe_logging", "no_such_module_anywhere"])
        assert "preview_probe_logging" in sys.modules
        assert (root.handlers[:], root.level) == before
    finally:
        sys.modules.pop("preview_probe_logging", None)


def test_a_page_deleted_while_previewing_is_built_afresh_and_named(tmp_path, monkeypatch, capsys):
    """An incremental build after a page of _toc.yml was deleted stops at `KeyError:
    'chapters/measuring-pain'` (Sphinx writes the page from the last build's environment); the
    preview builds afresh instead, and says which page went."""
    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n- file: chapters/measuring-pain\n", encoding="utf-8"
    )
    (src / "index.md").write_text("# Home\n", encoding="utf-8")
    ran = []
    monkeypatch.setattr(preview, "build_in_fork", lambda args: ran.append(list(args)) or (0, []))
    monkeypatch.setattr(preview, "changed_code", lambda: [])
    builder = preview.ForkingBuilder(
        [str(src), str(tmp_path / "out")],
        url_host="127.0.0.1:1",
        pre_build_commands=[],
        post_build_commands=[],
    )
    builder(changed_paths=[src / "chapters" / "measuring-pain.md"])
    assert ran[-1][-1] == "-E"
    assert "chapters/measuring-pain (in _toc.yml) is not there any more" in capsys.readouterr().out
    (src / "chapters" / "measuring-pain.md").write_text("# Measuring pain\n", encoding="utf-8")
    builder(changed_paths=[src / "chapters" / "measuring-pain.md"])
    assert "-E" not in ran[-1]
