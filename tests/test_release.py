"""Citable releases: CITATION.cff against the official CFF 1.2.0 schema (vendored from the
cffconvert package: tests/schemas/citation-file-format-1.2.0.json), .zenodo.json, the
changelog, and the version the site and the PDF show."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from sitetools import REPO

from mechgraph.release import book_version, citation, pyproject_version, version_from_describe

SCHEMA = REPO / "tests" / "schemas" / "citation-file-format-1.2.0.json"


def _cff() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_is_valid():
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # dates must stay strings for the schema (YAML would read 2026-01-01 as a date)
    cff = json.loads(json.dumps(_cff(), default=str))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(cff), key=lambda e: list(e.path))
    assert not errors, "\n".join(
        f"CITATION.cff: {'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors
    )


def test_the_schema_catches_a_bad_citation():
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    bad = {**_cff(), "authors": [], "doi": "not a doi"}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(bad))


def test_versions_agree():
    version = pyproject_version()
    assert _cff()["version"] == version
    assert json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))["version"] == version
    assert f"## [{version}]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")


def test_zenodo_metadata():
    meta = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    assert meta["title"] == _cff()["title"]
    assert meta["creators"] and meta["license"] == "cc-by-4.0"
    assert any(r["identifier"] == "10.3389/fphar.2024.1483716" for r in meta["related_identifiers"])


@pytest.mark.parametrize(
    "described, version",
    [("v1.2.0", "1.2.0"), ("v1.2.0-3-gabc1234", "1.2.0+3.gabc1234"), ("2.0.0rc1", "2.0.0rc1")],
)
def test_version_from_git_describe(described, version):
    assert version_from_describe(described) == version


def test_version_falls_back_to_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "9.8.7"\n', encoding="utf-8")
    assert book_version(tmp_path) == "9.8.7"


def test_citation_has_title_version_and_bibtex():
    text, bibtex = citation(version="1.2.3")
    assert "MSCs and cancer pain: a critical reading companion" in text and "Version 1.2.3" in text
    assert bibtex.startswith("@book{") and "edition = {Version 1.2.3}" in bibtex


def test_site_shows_the_version(site):
    version = book_version()
    assert f"Version {version}." in (site / "index.html").read_text(encoding="utf-8"), (
        "no version in the footer"
    )
    from bs4 import BeautifulSoup

    about = BeautifulSoup(
        (site / "chapters" / "about.html").read_text(encoding="utf-8"), "html.parser"
    ).get_text()
    assert "How to cite this book" in about and "@book{" in about and f"Version {version}" in about


def test_a_modified_checkout_releases_as_dirty(tmp_path):
    import functools
    import subprocess

    from mechgraph.release import release_version

    run = functools.partial(subprocess.run, cwd=tmp_path, check=True, capture_output=True)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "9.8.7"\n', encoding="utf-8")
    run(["git", "init", "-q"])
    run(["git", "add", "-A"])
    run([*git, "commit", "-q", "-m", "one"])
    assert release_version(tmp_path) == "9.8.7"
    (tmp_path / "notes.env").write_text("secret=1\n", encoding="utf-8")  # new and not ignored
    assert release_version(tmp_path) == "9.8.7+dirty"
    run(["git", "add", "-A"])
    run([*git, "commit", "-q", "-m", "two"])
    run([*git, "tag", "v9.9.0"])
    assert release_version(tmp_path) == "9.9.0"
    (tmp_path / "pyproject.toml").write_text("changed\n", encoding="utf-8")
    run([*git, "commit", "-q", "-am", "three"])
    (tmp_path / "pyproject.toml").write_text("changed again\n", encoding="utf-8")
    assert re.fullmatch(r"9\.9\.0\+1\.g[0-9a-f]+\.dirty", release_version(tmp_path))


@pytest.mark.parametrize(
    "value, problem",
    [
        (
            "1767225600000",
            "after the year 2100; it looks like milliseconds: give seconds, SOURCE_DATE_EPOCH=1767225600",
        ),
        ("1767225600.5", "is not a whole number of seconds since 1970-01-01 UTC"),
        ("-1", "is not a whole number of seconds"),
        ("yesterday", "is not a whole number of seconds"),
        ("99999999999999999999", "is after the year 2100"),
    ],
)
def test_source_date_epoch_must_be_seconds(monkeypatch, value, problem):
    from mechgraph.release import book_timestamp

    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(ValueError, match=re.escape(problem)):
        book_timestamp(REPO)


def test_source_date_epoch_in_seconds_is_the_release_time(monkeypatch):
    from mechgraph.release import book_date, book_timestamp

    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1767225600 ")
    assert book_timestamp(REPO) == 1767225600 and book_date(REPO) == "2026-01-01"
