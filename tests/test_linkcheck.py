"""`python -m mechgraph linkcheck-report`: which links in Sphinx's linkcheck report fail the weekly check."""

from __future__ import annotations

import json

from mechgraph.__main__ import main
from mechgraph.linkcheck import classify

LINKS = [
    ("working", "https://doi.org/10.1000/ok", ""),
    ("redirected", "https://doi.org/10.1000/moved", "https://publisher.example/article"),
    (
        "broken",
        "https://doi.org/10.1000/typo",
        "404 Client Error: Not Found for url: https://doi.org/10.1000/typo",
    ),
    (
        "broken",
        "https://doi.org/10.1000/robots",
        "403 Client Error: Forbidden for url: https://publisher.example/a",
    ),
    (
        "broken",
        "https://doi.org/10.1000/gone",
        "404 Client Error: Not Found for url: https://publisher.example/b",
    ),
    ("broken", "https://example.org/page", "403 Client Error: Forbidden for url: https://example.org/page"),
    (
        "timeout",
        "https://slow.example/",
        "HTTPSConnectionPool(host='slow.example', port=443): Read timed out.",
    ),
]


def _report(tmp_path):
    path = tmp_path / "output.json"
    rows = [
        {"filename": "chapters/bibliography.md", "lineno": n, "status": s, "code": 0, "uri": u, "info": i}
        for n, (s, u, i) in enumerate(LINKS, 1)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_only_a_resolved_doi_that_the_publisher_refuses_is_forgiven(tmp_path):
    broken, refused = classify(_report(tmp_path))
    assert [line.split(" ")[1] for line in refused] == ["https://doi.org/10.1000/robots"]
    assert [line.split(" ")[1] for line in broken] == [
        "https://doi.org/10.1000/typo",
        "https://doi.org/10.1000/gone",
        "https://example.org/page",
        "https://slow.example/",
    ]
    assert broken[0].startswith("chapters/bibliography.md:3: ")


def test_command_line_fails_on_a_broken_link(tmp_path, capsys):
    report = _report(tmp_path)
    assert main(["linkcheck-report", str(report)]) == 1
    assert "4 broken link(s), 1 DOI(s) refused" in capsys.readouterr().err
    report.write_text(report.read_text(encoding="utf-8").splitlines()[3] + "\n", encoding="utf-8")
    assert main(["linkcheck-report", str(report)]) == 0
    assert main(["linkcheck-report", str(tmp_path / "missing.json")]) == 1
