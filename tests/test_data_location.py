"""Which data `load()` and `validate()` read: the folder given, else the nearest data/ from the
current folder upwards; the bibliography is the one datapackage.json names."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mechgraph.data import load, validate

REPO = Path(__file__).resolve().parents[1]


def _copy_book(target: Path) -> Path:
    shutil.copytree(REPO / "data", target / "data")
    shutil.copy2(REPO / "references.bib", target / "references.bib")
    return target


def test_without_a_path_the_nearest_data_folder_above_the_current_one_is_read(tmp_path, monkeypatch):
    book = _copy_book(tmp_path / "book")
    entities = book / "data" / "entities.csv"
    entities.write_text(
        entities.read_text(encoding="utf-8").replace("\nmsc,MSC,", "\nmsc,Mesenchymal cell,", 1),
        encoding="utf-8",
    )
    (book / "chapters").mkdir()
    monkeypatch.chdir(book / "chapters")  # where a chapter's notebook runs
    assert validate() == []
    assert load().entities.loc["msc", "label"] == "Mesenchymal cell"


def test_the_bibliography_is_the_file_datapackage_json_names(tmp_path):
    book = _copy_book(tmp_path / "book")
    package = book / "data" / "datapackage.json"
    spec = json.loads(package.read_text(encoding="utf-8"))
    shutil.move(book / "references.bib", book / "data" / "sources.bib")
    spec["bibliography"] = "sources.bib"
    package.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    assert validate(book / "data") == []
    del spec["bibliography"]
    package.write_text(json.dumps(spec, indent=2), encoding="utf-8")
    assert validate(book / "data") == [
        'data/datapackage.json: no "bibliography" naming the BibTeX file of the citation keys '
        '(a path relative to this folder, e.g. "../references.bib")'
    ]
