"""Sphinx extension: check the data before anything is built, and generate pages from it.

* ``config-inited``: validate ``data/`` (a bad row stops the build with one line
  per problem) and point jupyter-cache at a folder named after the data's
  fingerprint, so notebooks re-execute when the data or this package change and
  are served from the cache otherwise.
* ``{data-glossary}`` and ``{data-errata}`` directives render the glossary and the
  critical-reading entries from the data.
* ``{data-figures}`` lists every figure for slides (the lighter of its SVG and PNG shown,
  lazy-loaded; mechgraph.theme sets its size so the page does not jump).
* ``{data-questions}`` renders a chapter's self-test questions (``:chapter:`` names it) and
  ``{data-question-exports}`` links the Moodle XML and GIFT exports written at the end of the build.
* Glossary links carry their definition as a tooltip.
* The explorer page's data and scripts are written into ``_static/explorer/`` (mechgraph.explorer).
* The book's version in the footer, a failed notebook named in one line, and (``make preview``)
  an error page in place of the pages when the data or a warning stops the build.

The fixes to the theme's HTML are a separate extension, :mod:`mechgraph.theme`.
"""

from __future__ import annotations

import html
import logging as pylogging
import os
import pickle
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from pybtex.backends.plaintext import Backend as PlaintextBackend
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from mechgraph.bib import read_bib
from mechgraph.colab import add_colab_link, setup_cell
from mechgraph.data import REVIEW_KEY, bibliography, data_files, fingerprint, load, validate
from mechgraph.glossary import glossary_myst, term_anchor
from mechgraph.notebooks import Links
from mechgraph.report import errata_myst
from mechgraph.text import myst_text


def data_dir(app_or_env) -> Path:
    """The book's data folder: ``mechgraph_data_dir`` (default ``data``) in the source folder."""
    return Path(app_or_env.srcdir, app_or_env.config.mechgraph_data_dir)


def _check_data_and_cache(app: Sphinx, config) -> None:
    problems = validate(data_dir(app), review=config.mechgraph_review_key)
    if problems:
        if _previewing():
            _show_error_page(Path(app.outdir), "The data in data/ is not fit to build from", problems)
        raise ConfigError("the data in data/ is not fit to build from:\n" + "\n".join(problems))
    root = Path(app.srcdir) / "_build" / ".jupyter_cache"  # the same wherever the site is built (staging)
    stamp = fingerprint(data_dir(app))
    for old in root.glob("*") if root.exists() else []:
        if old.is_dir() and old.name != stamp:
            shutil.rmtree(old)
    config.nb_execution_cache_path = str(root / stamp)
    # the review's exact title, for the attribution, comes from references.bib
    review = read_bib(bibliography(data_dir(app)))[config.mechgraph_review_key]
    # the captions of the named figures, for the chapters' numbered figures: {{ figures.fig1 }}
    data = load(data_dir(app))
    captions = {f.id: f"**{myst_text(f.title)}.** {myst_text(f.caption)}" for f in data.figures.itertuples()}
    config.myst_substitutions = {
        **config.myst_substitutions,
        "review_title": review.title,
        "figures": captions,
    }
    options = config.html_theme_options or {}
    if options.get(
        "repository_url"
    ):  # the Colab set-up cell, shown in the instructor guide as it is exported
        cell = setup_cell(options["repository_url"], options.get("repository_branch") or "main")
        config.myst_substitutions["colab_setup_cell"] = f"```python\n{cell}\n```"
    _show_version(config, Path(app.srcdir))


# -- the preview (make preview): errors shown in the browser, not only in the terminal ----------


def _previewing() -> bool:
    return os.environ.get("MECHGRAPH_PREVIEW") == "1"


def _show_error_page(outdir: Path, title: str, problems: list[str]) -> None:
    """Replace every page of the preview with one naming each problem, and forget the build
    info so the next good build rewrites every page."""
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems[:200])
    more = f"<p>... and {len(problems) - 200} more (see the terminal).</p>" if len(problems) > 200 else ""
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Build error</title></head>\n'
        f"<body><main><h1>{html.escape(title)}</h1>\n<p>The preview rebuilds when you save a fix.</p>\n"
        f"<ul>\n{items}\n</ul>{more}</main></body></html>\n"
    )
    outdir.mkdir(parents=True, exist_ok=True)
    pages = [p for p in outdir.rglob("*.html") if not {"_static", "_sources", "_images"} & set(p.parts)]
    for path in pages + [outdir / "index.html"]:
        path.write_text(page, encoding="utf-8")
    (outdir / ".buildinfo").unlink(missing_ok=True)


class _WarningCollector(pylogging.Handler):
    """Every warning of a preview build, with its location, for the error page."""

    def __init__(self) -> None:
        super().__init__(level=pylogging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: pylogging.LogRecord) -> None:
        from sphinx.util.logging import get_node_location

        location = getattr(record, "location", None)
        if isinstance(location, nodes.Node):
            location = get_node_location(location)
        elif isinstance(location, tuple):
            location = ":".join(str(part) for part in location if part is not None)
        if location:
            location = str(location).replace(str(Path.cwd()) + os.sep, "")
        self.lines.append(f"{location}: {record.getMessage()}" if location else record.getMessage())


_PREVIEW_WARNINGS = _WarningCollector()


def _preview_warnings_page(app: Sphinx, exception) -> None:
    if _PREVIEW_WARNINGS.lines or exception is not None:
        lines = _PREVIEW_WARNINGS.lines + ([f"{type(exception).__name__}: {exception}"] if exception else [])
        _show_error_page(Path(app.outdir), "The build has warnings (treated as errors)", lines)
    _PREVIEW_WARNINGS.lines.clear()


def _show_version(config, root: Path) -> None:
    """The book's version (git tag, else pyproject.toml) in the footer and as a substitution."""
    from mechgraph.release import book_version

    version = book_version(root)
    config.version = config.release = version
    config.myst_substitutions = {**config.myst_substitutions, "book_version": version}
    options = dict(config.html_theme_options or {})
    footer = options.get("extra_footer", "")
    options["extra_footer"] = f"{footer} Version {version}."
    config.html_theme_options = options


class _GeneratedMyST(SphinxDirective):
    """Base: parse MyST text generated from the data into the document."""

    def generate(self) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        for path in data_files(data_dir(self.env)):
            self.env.note_dependency(str(path))
        container = nodes.container()
        self.state.nested_parse(
            StringList(self.generate().splitlines(), source="data/"), self.content_offset, container
        )
        return container.children


class DataGlossary(_GeneratedMyST):
    def generate(self) -> str:
        return glossary_myst(load(data_dir(self.env)))


class DataErrata(_GeneratedMyST):
    """The errata as one table grouped by kind; each row is the target ``erratum-<id>`` the
    chapters link to, and carries its kind and severity for the page's filter (mechgraph.js)."""

    def generate(self) -> str:
        return errata_myst(load(data_dir(self.env)))

    def run(self) -> list[nodes.Node]:
        from mechgraph.report import errata_order

        data = load(data_dir(self.env))
        out = super().run()
        rows = [row for table in out for body in table.findall(nodes.tbody) for row in body.children]
        entries = errata_order(data)
        if len(rows) != len(entries):
            raise self.error(f"the errata table has {len(rows)} rows for {len(entries)} errata")
        groups = data.groups("erratum_kind")
        for row, erratum in zip(rows, entries, strict=True):
            name = f"erratum-{erratum.id}"
            row["ids"].append(name)
            row["names"].append(name)
            row["classes"] += ["mg-erratum"]
            self.state.document.note_explicit_target(row, row)
            row["classes"] += [f"mg-kind-{erratum.kind}", f"mg-severity-{groups.get(erratum.kind) or 'none'}"]
        return out


class DataFigures(_GeneratedMyST):
    def generate(self) -> str:
        from mechgraph.slides import catalogue

        out = []
        for item in catalogue(load(data_dir(self.env))):
            # The page shows the lighter file: matplotlib's SVGs spell out every hatch line
            # (about 300 KB each, against 30-90 KB for the PNG), Graphviz's SVGs are small
            # (35-65 KB, against 0.2-0.6 MB for their high-resolution PNG). Both stay
            # downloadable, and images below the fold load only when scrolled to.
            shown = "png" if item.name.startswith("plot-") else "svg"
            out += [
                f"({item.name})=",
                f"## {myst_text(item.title)}",
                "",
                f"```{{figure}} ../figures/{item.name}.{shown}",
                f":alt: {item.title}: {item.caption}",
                ":width: 100%",
                ":loading: lazy",
                "",
                f"{myst_text(item.caption)} *Computed from:* {myst_text(item.sources)}.",
                "```",
                "",
                f"Files for slides: {{download}}`SVG <../figures/{item.name}.svg>`, "
                f"{{download}}`PNG <../figures/{item.name}.png>`.",
                "",
            ]
        return "\n".join(out)


class DataQuestions(SphinxDirective):
    """The self-test questions of one chapter: accessible HTML, each with its objective and source."""

    option_spec = {"chapter": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        from mechgraph.questions import chapter_questions, objective_myst, question_html

        for path in data_files(data_dir(self.env)):
            self.env.note_dependency(str(path))
        chapter = self.options.get("chapter", "")
        data = load(data_dir(self.env))
        try:
            rows = chapter_questions(data, chapter)
        except ValueError as err:
            raise self.error(str(err))
        if rows.empty:
            raise self.error(f"data/questions.csv has no questions for chapter '{chapter}'")
        container = nodes.container(classes=["mg-questions"])
        for number, question in enumerate(rows.itertuples(), 1):
            block = nodes.container(classes=["mg-question-block"])
            block += nodes.raw("", question_html(data, question, number), format="html")
            self.state.nested_parse(
                StringList([objective_myst(question)], source="data/questions.csv"),
                self.content_offset,
                block,
            )
            for paragraph in block.findall(nodes.paragraph):
                paragraph["classes"].append("mg-q-source")
            container += block
        return [container]


class DataQuestionExports(SphinxDirective):
    """Links to the question exports that :func:`_write_question_exports` puts in _downloads/questions/."""

    def run(self) -> list[nodes.Node]:
        from mechgraph.questions import EXPORT_NAMES

        prefix = "../" * self.env.docname.count("/") + "_downloads/questions/"
        labels = {
            "questions-moodle.xml": "Moodle XML (Site administration or Question bank > Import > Moodle XML format)",
            "questions.gift": "GIFT (Question bank > Import > GIFT format)",
        }
        items = nodes.bullet_list()
        for name in EXPORT_NAMES:
            paragraph = nodes.paragraph()
            # `download`: the browser saves the file instead of showing the XML or text in the tab
            paragraph += nodes.raw(
                "",
                f'<a class="reference download" href="{html.escape(prefix + name, quote=True)}" '
                f'download="{html.escape(name, quote=True)}">{html.escape(name)}</a>',
                format="html",
            )
            paragraph += nodes.Text(": " + labels[name])
            items += nodes.list_item("", paragraph)
        return [items]


class ClassroomPack(SphinxDirective):
    """The link to the offline classroom pack of this version (mechgraph.pack), which the release
    workflow publishes beside the site and the PDF."""

    def run(self) -> list[nodes.Node]:
        from mechgraph.colab import _github
        from mechgraph.pack import NAME
        from mechgraph.release import book_version

        version = book_version(Path(self.env.srcdir))
        url = self.config.html_theme_options.get("repository_url", "")
        name = f"{NAME}-{version}.zip"
        href = f"https://github.com/{_github(url)}/releases/download/v{version}/{name}" if url else name
        text = (
            f'<p class="mg-pack"><a class="reference external download" href="{html.escape(href, quote=True)}" '
            f'download="{html.escape(name, quote=True)}">The classroom pack</a> ({html.escape(name)}): '
            "the site, the PDF, every chapter as an executed notebook, the data and the package, to use without "
            "internet. It is published with each release of the book.</p>"
        )
        return [nodes.raw("", text, format="html")]


def _write_question_exports(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from mechgraph.questions import write_exports

    write_exports(load(data_dir(app)), Path(app.outdir) / "_downloads" / "questions")


class BookCitation(SphinxDirective):
    """How to cite the book (text and BibTeX), from CITATION.cff and the book's version."""

    def run(self) -> list[nodes.Node]:
        from mechgraph.release import citation

        cff = Path(self.env.srcdir, "CITATION.cff")
        self.env.note_dependency(str(cff))
        text, bibtex = citation(cff)
        container = nodes.container()
        self.state.nested_parse(
            StringList([f"> {text}", "", "In BibTeX:", ""], source="CITATION.cff"),
            self.content_offset,
            container,
        )
        block = nodes.literal_block(bibtex, bibtex, language="bibtex")
        return container.children + [block]


def _per_chapter_numbers(app: Sphinx, env) -> list[str]:
    """Figures, tables and exercises numbered per chapter: "Figure 6.2" is the second figure of the
    chapter titled "6. ...", in the order of the page; a page whose title has no number counts
    from 1 ("Figure 2"). Sphinx numbers them across the book unless the toctree numbers its
    sections, which would number the chapters' titles a second time."""
    import re

    for docname, kinds in env.toc_fignumbers.items():
        title = env.titles[docname].astext() if docname in env.titles else ""
        chapter = re.match(r"(\d+)\.\s", title)
        prefix = (int(chapter[1]),) if chapter else ()
        for kind, numbers in kinds.items():
            order = sorted(numbers, key=lambda target: numbers[target])
            kinds[kind] = {target: (*prefix, n) for n, target in enumerate(order, 1)}
    return list(env.toc_fignumbers)


def _term_tooltips(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Glossary links carry their definition as a tooltip, and cover the whole word:
    ``{term}`Schwann cell`s`` links "Schwann cells", not "Schwann cell" and a stray "s"."""
    import re

    definitions = {
        term_anchor(e.label): f"{e.label}: {e.definition}" for e in load(data_dir(app)).entities.itertuples()
    }
    for ref in list(doctree.findall(nodes.reference)):
        first = ref.children[0] if ref.children else None
        if isinstance(first, nodes.Element) and "std-term" in first["classes"]:
            anchor = ref.get("refuri", "").rpartition("#")[2]
            if anchor in definitions:
                ref["reftitle"] = definitions[anchor]
            after = ref.next_node(descend=False, siblings=True)
            tail = re.match(r"[^\W_]+", after.astext()) if isinstance(after, nodes.Text) else None
            if tail and isinstance(first.children[-1] if first.children else None, nodes.Text):
                first.replace(first.children[-1], nodes.Text(first.children[-1].astext() + tail[0]))
                rest = after.astext()[tail.end() :]
                if rest:
                    after.parent.replace(after, nodes.Text(rest))
                else:
                    after.parent.remove(after)


def _report_notebook_failure(app: Sphinx, doctree: nodes.document) -> None:
    """A notebook that failed: one line in the terminal naming the chapter, the line of the cell,
    its first source line and the exception or time limit; the traceback kept in _build/reports/
    (outside the site, which the Makefile replaces)."""
    from myst_nb.sphinx_ import NbMetadataCollector

    from mechgraph.notebooks import failure_line

    docname = app.env.docname
    data = NbMetadataCollector.get_exec_data(app.env, docname)
    if not data or data.get("succeeded", True) or not data.get("traceback"):
        return
    source = Path(app.env.doc2path(docname))
    log = Path(app.srcdir) / "_build" / "reports" / f"{docname}.err.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(data["traceback"], encoding="utf-8")
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    line = failure_line(
        source.relative_to(app.srcdir).as_posix(),
        text,
        data.get("error"),
        data["traceback"],
        app.config.nb_execution_timeout,
        log.relative_to(app.srcdir).as_posix(),
    )
    logging.getLogger(__name__).warning(line, type="mechgraph", subtype="notebook")


def _with_cached_outputs(app: Sphinx, nb):
    """myst-nb writes the notebook it was given, so a chapter served from jupyter-cache (not
    executed in this build) would be offered for download without its outputs; merge them
    from the cache, which gives the same file as executing it."""
    code = [cell for cell in nb.cells if cell.get("cell_type") == "code"]
    if not code or all(cell.get("execution_count") is not None for cell in code):
        return nb
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(app.config.nb_execution_cache_path).merge_match_into_notebook(nb)
    except KeyError:  # not in the cache (a failed notebook): leave it as it is
        return nb
    return merged


class _SiteLinks(Links):
    """What the plain Markdown of a downloaded notebook links to, from the built site: citations
    as (Author year) linked to the DOI, glossary terms, pages, labels and numbers on the published
    site (GitHub Pages of the repository in _config.yml), the questions as text."""

    def __init__(self, app: Sphinx, docname: str, site: str):
        super().__init__(site, docname)
        self.app, self.env, self.docname = app, app.env, docname
        std = self.env.domaindata["std"]
        self.labels, self.anonlabels, self.objects = std["labels"], std["anonlabels"], std["objects"]

    def _url(self, docname: str, anchor: str = "") -> str:
        return self.page_url(docname, anchor)

    def cite(self, key: str, textual: bool) -> str:
        ref = _references(self.app).get(key)
        if ref is None:
            return key
        who, _, year = ref.short.rpartition(" ")
        text = f"{who} ({year})" if textual else ref.short
        return f"[{text}]({ref.url})" if ref.url else text

    def term(self, text: str, target: str) -> str:
        found = self.objects.get(("term", target.lower())) or self.objects.get(("term", target))
        if not found:
            return text
        return f"[{text}]({self._url(found[0], found[1])})"

    def doc(self, text, target: str) -> str:
        from posixpath import join, normpath

        docname = (
            normpath(join(self.docname.rpartition("/")[0], target))
            if not target.startswith("/")
            else target[1:]
        )
        title = text or (self.env.titles[docname].astext() if docname in self.env.titles else target)
        return f"[{title}]({self._url(docname)})"

    def ref(self, text, target: str) -> str:
        label = target.lower()
        if label in self.labels:
            docname, anchor, section = self.labels[label]
            return f"[{text or section}]({self._url(docname, anchor)})"
        if label in self.anonlabels:
            docname, anchor = self.anonlabels[label]
            return f"[{text or target}]({self._url(docname, anchor)})"
        return text or target

    def number(self, docname: str, anchor: str) -> str | None:
        for kind, numbers in self.env.toc_fignumbers.get(docname, {}).items():
            if anchor in numbers:
                return self.app.config.numfig_format.get(kind, "%s") % ".".join(map(str, numbers[anchor]))
        return None

    def numref(self, text, target: str) -> str:
        docname, anchor = self.anonlabels.get(target.lower(), (self.docname, target))
        number = self.number(docname, anchor) or target
        if text:
            number = text.replace("%s", number.rpartition(" ")[2]).replace(
                "{number}", number.rpartition(" ")[2]
            )
        return f"[{number}]({self._url(docname, anchor)})"

    def exercise_number(self, label: str, counted: int) -> str:
        number = self.env.toc_fignumbers.get(self.docname, {}).get("exercise", {}).get(label)
        return ".".join(map(str, number)) if number else str(counted)

    def substitution(self, name: str):
        import re

        value = self.app.config.myst_substitutions
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, str):
            return None
        # the substitutions escape every punctuation mark for MyST; plain Markdown needs fewer
        return re.sub(r"\\([^\\`*_\[\]<>|$#~{}])", r"\1", value)

    def questions(self, chapter: str) -> tuple[str, str]:
        from mechgraph.notebooks import questions_markdown

        return questions_markdown(load(data_dir(self.app)), chapter, self.cite)

    def caption(self, cell) -> str | None:
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if not figure.get("caption"):
            return None
        number = self.number(self.docname, figure.get("name", "")) if figure.get("name") else None
        return f"*{number}.* {figure['caption']}" if number else str(figure["caption"])


def _references(app: Sphinx) -> dict:
    if not hasattr(app, "_mechgraph_references"):
        app._mechgraph_references = read_bib(bibliography(data_dir(app)))
    return app._mechgraph_references


def _portable_notebooks(app: Sphinx, exception) -> None:
    """The notebooks offered for download (_sources/**/*.ipynb, which sphinx-book-theme copies from
    jupyter_execute/ for MyST-markdown notebooks) are made to open anywhere: the set-up cell first
    (mechgraph.colab), plain Markdown (mechgraph.notebooks.portable), outputs kept (from the cache
    when the chapter was not executed in this build). Their cells are numbered, not given nbformat's
    random ids, so two builds of the same sources are byte-identical."""
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    from mechgraph.colab import site_url
    from mechgraph.notebooks import portable

    options = app.config.html_theme_options or {}
    repository = options.get("repository_url")
    sources = Path(app.outdir) / "_sources"
    for path in sorted(sources.rglob("*.ipynb")) if sources.is_dir() else []:
        if Path(app.srcdir, path.relative_to(sources)).is_file():
            continue  # a real .ipynb source is offered as its author wrote it
        nb = _with_cached_outputs(app, nbformat.read(path, as_version=nbformat.NO_CONVERT))
        if repository:
            docname = path.relative_to(sources).with_suffix("").as_posix()
            links = _SiteLinks(app, docname, site_url(repository))
            setup = setup_cell(repository, options.get("repository_branch") or "main")
            nb = portable(nb, links, setup, links.caption)
        else:
            for number, cell in enumerate(nb.cells, 1):
                cell["id"] = f"cell-{number}"
        nbformat.write(nb, path)


# -- the bibliography: formatted once for each change of references.bib -------------------------


class CachedPlainStyle(PlainStyle):
    """pybtex's plain style, remembering what it formatted. sphinxcontrib-bibtex formats every
    reference twice (its bibliography entry and its hover preview) at every build, changed or not
    (about 5 s on a busy 2-core machine); the result depends only on the entry and its label."""

    name = "mechgraph-plain"
    formatted: dict = {}
    loaded = 0  # how many came from the cache file

    def format_entry(self, label, entry, bib_data=None):
        persons = tuple((role, tuple(map(str, people))) for role, people in entry.persons.items())
        key = (label, entry.key, entry.type, tuple(entry.fields.items()), persons, bib_data is None)
        if key not in self.formatted:
            self.formatted[key] = super().format_entry(label, entry, bib_data)
        return self.formatted[key]


def _formatted_references_cache(config) -> Path:
    # in the notebooks' cache folder, whose name changes with references.bib and this package
    return Path(config.nb_execution_cache_path) / "formatted-references.pickle"


def _load_formatted_references(app: Sphinx, config) -> None:
    path = _formatted_references_cache(config)
    try:
        CachedPlainStyle.formatted = pickle.loads(path.read_bytes()) if path.is_file() else {}
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):  # a damaged cache: format anew
        CachedPlainStyle.formatted = {}
    CachedPlainStyle.loaded = len(CachedPlainStyle.formatted)


def _save_formatted_references(app: Sphinx, exception) -> None:
    if exception is None and len(CachedPlainStyle.formatted) != CachedPlainStyle.loaded:
        path = _formatted_references_cache(app.config)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".tmp").write_bytes(pickle.dumps(CachedPlainStyle.formatted))
        path.with_suffix(".tmp").replace(path)  # whole or not at all


def _write_explorer(app: Sphinx, exception) -> None:
    """The explorer page's data (graph.js, dot.js, views/), its script and Graphviz-WebAssembly, into _static/explorer/,
    for a book that has the explorer's folder (``explorer/`` beside its pages)."""
    if exception is not None or app.builder.format != "html" or not Path(app.srcdir, "explorer").is_dir():
        return
    from mechgraph import explorer

    target = Path(app.outdir) / "_static" / "explorer"
    anchors = explorer.citation_anchors(app.env)
    # the data depends on the data folder and this package (both in the name of the notebooks'
    # cache folder, see _check_data_and_cache) and on the bibliography's anchors: kept in that
    # folder, it is computed once for each change, not at every build.
    explorer.publish(target, lambda: load(data_dir(app)), anchors, Path(app.config.nb_execution_cache_path))
    explorer.copy_scripts(target, Path(app.srcdir, "explorer"))


def setup(app: Sphinx) -> dict:
    app.add_config_value("mechgraph_data_dir", "data", "env", types=[str])  # relative to the source folder
    app.add_config_value(
        "mechgraph_review_key", REVIEW_KEY, "env", types=[str]
    )  # the review's key in the bibliography
    app.connect("config-inited", _check_data_and_cache, priority=400)
    register_plugin("pybtex.style.formatting", CachedPlainStyle.name, CachedPlainStyle)
    # sphinxcontrib-bibtex asks pybtex for its plain-text backend once for every citation, and
    # pybtex looks for it among the entry points of every installed package each time (17 ms
    # here; a build resolves over 1,000 citations): registered at run time, the same class is
    # found at once (pybtex.plugin checks the run-time plugins first).
    register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    app.connect("config-inited", _load_formatted_references, priority=401)  # once the cache folder is known
    app.connect("build-finished", _save_formatted_references)
    app.add_directive("data-glossary", DataGlossary)
    app.add_directive("data-errata", DataErrata)
    app.add_directive("data-figures", DataFigures)
    app.add_directive("data-questions", DataQuestions)
    app.add_directive("data-question-exports", DataQuestionExports)
    app.add_directive("classroom-pack", ClassroomPack)
    app.connect("doctree-read", _report_notebook_failure)
    app.add_directive("book-citation", BookCitation)
    app.connect("doctree-resolved", _term_tooltips)
    app.connect("env-get-updated", _per_chapter_numbers, priority=900)  # after Sphinx numbered them
    app.connect(
        "html-page-context", add_colab_link, priority=502
    )  # after sphinx-book-theme's launch menu (501)
    app.connect("build-finished", _portable_notebooks)
    app.connect("build-finished", _write_explorer)
    app.connect("build-finished", _write_question_exports)
    if _previewing():
        pylogging.getLogger("sphinx").addHandler(_PREVIEW_WARNINGS)
        app.connect("build-finished", _preview_warnings_page, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
