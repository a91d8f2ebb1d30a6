"""Sphinx extension: fixes to the HTML of the book's theme, and the header's PDF button.

Written for the theme versions in :data:`THEME_VERSIONS` (those pinned in requirements.txt);
the build stops at start-up on any other version, because each fix below matches markup,
file names or context entries of those versions (as do the overrides in ``_templates/``).

* The page body: markup that Sphinx, docutils or myst-nb hard-code, made accessible;
  lazy-loaded images given their width and height.
* Scripts: repeated ``<script>`` entries dropped (Sphinx 7.4), sphinx-thebe's unused
  kernel configuration, scripts and stylesheet dropped.
* Icons: the theme's Font Awesome fonts cut down to the glyphs the pages use.
* The article header: a button to the whole-book PDF (``book.pdf`` at the site root,
  written by ``make pdf``), and no "print this page" entry in the download menu beside it.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _

#: The theme versions these fixes (and the overrides in _templates/) were written for.
THEME_VERSIONS = {"sphinx-book-theme": "1.3.0", "pydata-sphinx-theme": "0.17.1"}

#: The whole-book PDF, at the root of the site (mechgraph.pdf writes it there).
BOOK_PDF = "book.pdf"


def check_theme_versions(expected: dict[str, str] = THEME_VERSIONS) -> None:
    """Stop the build when an installed theme is not the version the fixes were written for."""
    found = {}
    for name in expected:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    wrong = [f"{name} {found[name]}" for name, want in expected.items() if found[name] != want]
    if wrong:
        raise ExtensionError(
            "mechgraph.theme was written for "
            + " and ".join(f"{n} {v}" for n, v in expected.items())
            + ", but installed: "
            + ", ".join(wrong)
            + ". Check its fixes and the overrides in _templates/ "
            "against the installed versions, then update THEME_VERSIONS in mechgraph/theme.py "
            "(or install the versions pinned in requirements.txt)."
        )


# -- the page body ------------------------------------------------------------------------

#: Markup fixes for HTML that Sphinx, docutils or myst-nb hard-code (no template to override).
_A11Y_BODY_FIXES = (
    # myst-nb's "Show code cell source" toggle has aria-label="Toggle hidden content", which
    # hides its visible text from assistive technology (axe label-content-name-mismatch, WCAG 2.5.3).
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    # docutils wraps citations in role="list" but gives each the deprecated role doc-biblioentry
    # instead of listitem (axe aria-required-children, critical; aria-deprecated-role).
    ('role="doc-biblioentry"', 'role="listitem"'),
)


def _accessible_body(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if body:
        for old, new in _A11Y_BODY_FIXES:
            body = body.replace(old, new)
        context["body"] = body


_LAZY_IMG = re.compile(r'<img (?P<before>[^>]*?)loading="lazy" src="(?P<src>[^"]*_images/(?P<name>[^"/]+))"')


def _image_size(path: Path) -> tuple[int, int] | None:
    """Intrinsic width and height of a PNG (IHDR) or an SVG (viewBox), or None."""
    head = path.read_bytes()[:4096]
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    box = re.search(rb'<svg[^>]*?viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', head)
    return (round(float(box[1])), round(float(box[2]))) if box else None


def _lazy_image_sizes(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Give lazy-loaded images (the figures page) width and height attributes, so the browser
    reserves their space before they load: otherwise each is 0 px tall until fetched, the
    whole page "is near the viewport", every image loads at once, and the page jumps."""
    body = context.get("body")
    if not body or 'loading="lazy"' not in body:
        return

    def sized(match: re.Match) -> str:
        source = Path(app.srcdir, "figures", match["name"])  # every image of the figures page
        size = _image_size(source) if source.is_file() else None
        if size is None or "width=" in match["before"]:
            return match[0]
        return (
            f'<img {match["before"]}width="{size[0]}" height="{size[1]}" loading="lazy" src="{match["src"]}"'
        )

    context["body"] = _LAZY_IMG.sub(sized, body)


# -- scripts and stylesheets ------------------------------------------------------------------


def _unique_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Drop repeated <script> entries. Sphinx 7.4 lists an inline script twice when an extension
    adds it with filename None (sphinx-doc/sphinx#13402, fixed in Sphinx 8.2); sphinx-thebe's
    `const THEBE_JS_URL` then throws "Identifier 'THEBE_JS_URL' has already been declared"."""
    seen, unique = set(), []
    for js in context.get("script_files", []):
        key = (getattr(js, "filename", js) or "", tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def _drop_thebe_nodes(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """sphinx-thebe (a Jupyter Book default) appends its kernel config to every page; no page has a
    Thebe button (launch_buttons has no thebe), so it is dropped, with its scripts and stylesheet."""
    for raw in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in raw.astext() or "kernelName = " in raw.astext():
            raw.parent.remove(raw)


def _drop_thebe_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    def thebe(asset) -> bool:
        name = getattr(asset, "filename", asset) or ""
        return "sphinx-thebe" in str(name) or "THEBE_JS_URL" in str(
            getattr(asset, "attributes", {}).get("body", "")
        )

    context["script_files"] = [js for js in context.get("script_files", []) if not thebe(js)]
    context["css_files"] = [css for css in context.get("css_files", []) if not thebe(css)]


# -- icons ------------------------------------------------------------------------------------

ICON_FONTS = {"fa-solid-900": "solid", "fa-regular-400": "regular", "fa-brands-400": "brands"}


def _icon_codepoints(static: Path) -> list[int]:
    """Every Font Awesome glyph a page can show: those of _static/fa-icons.css, the theme's
    --pst-icon-* variables (admonitions, links) and the icon glyphs other stylesheets insert.
    The theme's own one-rule-per-icon list (thousands of .fa-* classes) is not counted."""

    def glyphs(text: str) -> set[int]:
        escaped = {int(c, 16) for c in re.findall(r"\\(f[0-9a-f]{3})\b", text)}
        return escaped | {ord(c) for c in text if 0xE000 <= ord(c) <= 0xF8FF}

    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    found = set()
    for match in re.finditer(r"--pst-icon-[a-z-]+:\s*(\"[^\"]*\")", theme_css.read_text(encoding="utf-8")):
        found |= glyphs(match.group(1))
    for css in static.rglob("*.css"):
        if css != theme_css and "vendor" not in css.parts:
            for declaration in re.findall(r"content\s*:\s*([^;}]*)", css.read_text(encoding="utf-8")):
                found |= glyphs(declaration)
    return sorted(found)


def _subset_icon_fonts(app: Sphinx, exception) -> None:
    """Cut the theme's Font Awesome fonts (274 KB on every page) down to the glyphs the pages
    can use; the @font-face rules in _static/fa-icons.css point at these subsets."""
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset

    static = Path(app.outdir) / "_static"
    codepoints = _icon_codepoints(static)
    (static / "fa-subset").mkdir(exist_ok=True)
    for name in ICON_FONTS:
        options = subset.Options()
        options.flavor = "woff"  # zlib-compressed; woff2 would need the brotli package
        font = subset.load_font(str(static / "vendor" / "fontawesome" / "webfonts" / f"{name}.ttf"), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(static / "fa-subset" / f"{name}.woff"), options)


# -- the article header ---------------------------------------------------------------------


def _book_pdf_button(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """A button in the article header, beside the theme's download menu, to the whole-book PDF.
    sphinx-book-theme renders the entries of context["header_buttons"] (filled at priority 501)."""
    buttons = context.get("header_buttons")
    if buttons is None:
        return
    for group in buttons:  # the download menu's ".pdf" prints the page: the book's PDF is the button
        if group.get("label") == "download-buttons":
            group["buttons"] = [
                b for b in group.get("buttons", []) if b.get("label") != "download-pdf-button"
            ]
    button = {
        "type": "link",
        "url": context["pathto"](BOOK_PDF, 1),
        "icon": "fas fa-file-pdf",
        "tooltip": _("PDF of the whole book"),
        "label": "book-pdf-button",
        "classes": "pst-navbar-icon",
    }
    after = next((i + 1 for i, b in enumerate(buttons) if b.get("label") == "download-buttons"), len(buttons))
    buttons.insert(after, button)


def setup(app: Sphinx) -> dict:
    check_theme_versions()
    app.connect("doctree-resolved", _drop_thebe_nodes, priority=900)  # after sphinx-thebe adds them
    app.connect("html-page-context", _accessible_body)
    app.connect("html-page-context", _lazy_image_sizes)
    app.connect("html-page-context", _book_pdf_button, priority=502)  # after the theme's own buttons
    app.connect("html-page-context", _unique_scripts, priority=900)  # after extensions add page scripts
    app.connect("html-page-context", _drop_thebe_assets, priority=901)
    app.connect("build-finished", _subset_icon_fonts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
