"""Read just enough of references.bib: keys, DOIs and short author-year labels."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\}\s*,?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str
    year: str
    doi: str
    title: str = ""

    @property
    def short(self) -> str:
        """'Dominici et al. 2006' style label for tooltips and plain-text lists."""
        names = [a.strip() for a in self.authors.split(" and ") if a.strip()]
        surnames = [n.split(",")[0].strip().strip("{}") for n in names]
        if not surnames:
            return f"{self.key} {self.year}"
        if len(surnames) == 1:
            who = surnames[0]
        elif len(surnames) == 2 and surnames[1] != "others":
            who = f"{surnames[0]} and {surnames[1]}"
        else:
            who = f"{surnames[0]} et al."
        return f"{who} {self.year}"

    @property
    def url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


def read_bib(path: Path) -> dict[str, Reference]:
    """Map every key in a BibTeX file to its Reference (duplicate keys are an error)."""
    text = path.read_text(encoding="utf-8")
    refs: dict[str, Reference] = {}
    starts = list(_ENTRY.finditer(text))
    for i, match in enumerate(starts):
        body = text[match.end(): starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        fields = {name.lower(): value for name, value in _FIELD.findall(body)}
        key = match.group(2)
        if key in refs:
            line = text.count("\n", 0, match.start()) + 1
            raise ValueError(f"{path.name}, line {line}: duplicate key '{key}'")
        refs[key] = Reference(key, fields.get("author", ""), fields.get("year", ""), fields.get("doi", ""),
                              fields.get("title", "").replace("{", "").replace("}", ""))
    return refs
