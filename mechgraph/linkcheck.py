"""Read the report of Sphinx's linkcheck builder (``output.json``) and say which links are broken.

``make linkcheck`` (weekly on GitHub, .github/workflows/linkcheck.yml) checks every external link,
the DOIs of the bibliography included, then ``python -m mechgraph linkcheck-report`` reads the
report. A DOI that doi.org resolved but whose publisher then refused the robot (401, 403 or 429:
many answer 403 to anything that is not a browser) is listed apart and does not fail: the DOI exists
and leads to the publisher. Anything else that is broken or timed out fails, one line each,
``file:line: uri (why)``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

RESOLVER = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
#: what requests says when a server answers with an error: "403 Client Error: Forbidden for url: https://..."
HTTP_ERROR = re.compile(r"^(\d{3}) (?:Client|Server) Error: .* for url: (\S+)")
REFUSALS = {"401", "403", "429"}  # "who are you", "not for robots", "too many requests"


def classify(report: Path) -> tuple[list[str], list[str]]:
    """(broken, refused): the links that fail the check, and the DOIs a publisher refused to show."""
    broken: list[str] = []
    refused: list[str] = []
    for text in Path(report).read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        link = json.loads(text)
        if link["status"] not in ("broken", "timeout"):
            continue
        line = f"{link['filename']}:{link['lineno']}: {link['uri']} ({link['info']})"
        error = HTTP_ERROR.match(str(link["info"]))
        if RESOLVER.match(link["uri"]) and error and error[1] in REFUSALS and not RESOLVER.match(error[2]):
            refused.append(line)
        else:
            broken.append(line)
    return broken, refused
