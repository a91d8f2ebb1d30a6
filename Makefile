# Two commands: `make book` builds the site, `make test` runs every test.
# Everything lands in .venv (Python packages, pinned in requirements.txt) and,
# on Debian/Ubuntu as root, Graphviz and Chromium come from apt-get.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
JB_ARGS := --warningiserror --keep-going

.DEFAULT_GOAL := book
.PHONY: FORCE book pdf pack test test-unit test-fast test-slow preview clean figures validate bench screenshots system-deps browser-deps lint upgrade linkcheck notebooks

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	  echo "error: Python 3.10 or newer is needed (found $$($(PYTHON) --version)); install python3.11 and run 'make PYTHON=python3.11'"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { \
	  echo "error: the venv module is missing; on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# Graphviz's `dot` (and the font the diagrams are laid out with).
system-deps:
	@if ! command -v dot >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -q DejaVuSans; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing graphviz and fonts-dejavu-core with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz fonts-dejavu-core >/dev/null; \
	  else \
	    echo "error: Graphviz's 'dot' program (and the DejaVu Sans font) is needed. Install it:"; \
	    echo "  Debian/Ubuntu: sudo apt-get install graphviz fonts-dejavu-core"; \
	    echo "  Fedora:        sudo dnf install graphviz dejavu-sans-fonts"; \
	    echo "  macOS:         brew install graphviz && brew install --cask font-dejavu"; \
	    echo "  conda:         conda install -c conda-forge graphviz"; \
	    echo "  Windows:       winget install graphviz (then add it to PATH)"; \
	    exit 1; \
	  fi; \
	fi

# Headless Chromium for the browser tests (never `playwright install`: it downloads) and the
# pinned axe-core (tests/package-lock.json) for the accessibility tests.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
AXE := tests/node_modules/axe-core/axe.min.js

$(AXE): tests/package.json tests/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "error: npm (Node.js) is needed for the accessibility tests."; \
	  echo "  Debian/Ubuntu: sudo apt-get install nodejs npm   macOS: brew install node"; exit 1; }
	npm ci --prefix tests --no-audit --no-fund --loglevel=error
	@touch $@

# Graphviz compiled to WebAssembly for the explorer page, pinned in explorer/package-lock.json;
# the build copies it (and explorer/explorer.js) into _build/html/_static/explorer/.
VIZ := explorer/node_modules/@viz-js/viz/dist/viz.js

$(VIZ): explorer/package.json explorer/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "error: npm (Node.js) is needed for the explorer page's Graphviz (WebAssembly)."; \
	  echo "  Debian/Ubuntu: sudo apt-get install nodejs npm   macOS: brew install node"; exit 1; }
	npm ci --prefix explorer --no-audit --no-fund --loglevel=error
	@touch $@

browser-deps: $(AXE)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "error: the browser tests need Chromium at $(CHROMIUM)."; \
	    echo "  Debian/Ubuntu: sudo apt-get install chromium"; \
	    echo "  elsewhere: install Chromium or Chrome and run 'make test CHROMIUM=/path/to/chrome'"; \
	    exit 1; \
	  fi; \
	fi

validate: $(STAMP)
	@$(BIN)/python -m mechgraph validate

# What the Makefile needs of the system Python (mechgraph/makeutil.py, standard library only): the
# build lock, the publishing of a whole site, the checks of what is published, the list of inputs.
MAKEUTIL := $(PYTHON) mechgraph/makeutil.py

# One build at a time in this folder: `make book`, `pdf`, `pack`, `notebooks` and every goal that
# needs them (and each build of `make preview`) hold the lock _build/.lock while they run, taken
# here, before anything else is read or written; a second run says which run holds it and waits,
# then finds what the first built. A make run from inside one that holds it (a test's) goes on.
LOCK := $(CURDIR)/_build/.lock
UNLOCKED_GOALS := validate lint test-unit preview figures linkcheck bench upgrade system-deps browser-deps
ifneq ($(MECHGRAPH_BUILD_LOCK),$(LOCK))
ifneq ($(filter-out $(UNLOCKED_GOALS),$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))),)
$(shell $(MAKEUTIL) hold $(LOCK) $$PPID "make $(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))")
export MECHGRAPH_BUILD_LOCK := $(LOCK)
endif
endif

# The data check before a build, repeated only when the data, the bibliography or the package
# change (`find -newer`: a file of any name counts, but hidden ones such as a spreadsheet's lock
# file; make's own lists of prerequisites would split names at spaces).
VALIDATED := _build/.data-valid
DATA_CHANGED := $(shell find data references.bib mechgraph -path mechgraph/__pycache__ -prune -o ! -type d ! -name '.*' -newer $(VALIDATED) -print 2>/dev/null | head -n 1)
$(VALIDATED): $(STAMP) $(if $(DATA_CHANGED),FORCE)
	@$(BIN)/python -m mechgraph validate
	@mkdir -p _build && touch $@
FORCE:

# The site is built in a fresh staging folder and put in the place of _build/html only when the whole
# build succeeded, in one step (renameat2's exchange on Linux; elsewhere two renames, and a kill
# between them leaves _build/html.old, which the next run puts back): a failed or interrupted build
# leaves the last good site (or none) and never a partial one, and every build re-reads every page
# (notebooks come from the cache when nothing changed), so what happened before (failed builds, the
# preview, data edits) cannot change the result.
#
# When nothing the site is built from changed since the last good build, `make book` builds
# nothing (the build is reproducible: it would write the same files), once it has checked that what
# it published is whole (the home page there, every notebook executed). "What it is built from":
# every file git lists (tracked, or new and not ignored) but the tests and CI, the list itself (so
# a deleted file counts), the commit and tags (the footer's version, the PDF's date), .venv and the
# explorer's npm packages. Outside a git checkout every `make book` builds.
STAGE := _build/staging
SITE_BUILT := _build/.site-built
INPUT_LIST := _build/.site-inputs
ifeq ($(MECHGRAPH_BUILD_LOCK),$(LOCK))  # what is published is looked at (and repaired) only under the lock
$(shell $(MAKEUTIL) restore _build/html)
BOOK_INPUTS := $(shell $(MAKEUTIL) inputs $(INPUT_LIST))
$(shell [ ! -f $(SITE_BUILT) ] || $(MAKEUTIL) check-site _build/html || rm -f $(SITE_BUILT))
endif
ifneq ($(BOOK_INPUTS),)
SITE_INPUTS := $(INPUT_LIST) $(BOOK_INPUTS)
else
SITE_INPUTS := FORCE
endif

book: $(SITE_BUILT)
	@echo "the site is in _build/html"

$(SITE_BUILT): $(STAMP) $(VALIDATED) $(VIZ) $(SITE_INPUTS) | system-deps
	@rm -f $@
	@rm -rf $(STAGE) _build/reports _build/.doctrees _build/jupyter_execute
	@$(BIN)/jupyter-book build . --path-output $(STAGE) $(JB_ARGS) || { \
	  rm -rf $(STAGE); \
	  echo "error: the build failed (see the messages above; a failed notebook's traceback is in _build/reports/); _build/html was left as it was."; \
	  exit 1; }
	@$(MAKEUTIL) publish $(STAGE)/_build/html _build/html && rm -rf $(STAGE)
	@touch $@

# The whole book as one PDF (_build/pdf/book.pdf, copied to _build/html/book.pdf), printed
# offline by the system Chromium, again only when the site was rebuilt, or when either copy is
# missing, not a whole PDF, or not the same as the other; then the offline classroom pack
# (_build/pack/*.zip). Each is written beside its place and renamed into it.
BOOK_PDF := _build/pdf/book.pdf
ifeq ($(MECHGRAPH_BUILD_LOCK),$(LOCK))
$(shell [ -f $(BOOK_PDF) ] && [ -f _build/html/book.pdf ] && $(MAKEUTIL) check-pdf $(BOOK_PDF) _build/html/book.pdf \
  && cmp -s $(BOOK_PDF) _build/html/book.pdf || rm -f $(BOOK_PDF))
endif
pdf: $(BOOK_PDF)

$(BOOK_PDF): $(SITE_BUILT)
	@[ -x "$(CHROMIUM)" ] || { echo "error: the PDF is printed by Chromium, not found at $(CHROMIUM): run 'make browser-deps' or set CHROMIUM="; exit 1; }
	$(BIN)/python -m mechgraph pdf

pack: pdf
	$(BIN)/python -m mechgraph pack

# Every chapter as an executed .ipynb with the Colab set-up cell first, in _build/notebooks/
# (mechgraph/colab.py); the Pages workflow publishes them on the branch `notebooks`.
notebooks: book
	$(BIN)/python -m mechgraph notebooks

# The test tiers (markers in pyproject.toml, given in tests/conftest.py), each in one pytest-xdist
# worker per core. Every test, as CI runs it, after the lint (seconds, so it comes first);
# PYTEST_ARGS go to pytest (e.g. make test PYTEST_ARGS="-x --durations=20"):
test: lint pdf browser-deps
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

# No build and no browser (the data checks, bad input, the diagram engine, the exports, the figure
# check): under 30 s on two cores (pytest-xdist). The fuzz test runs 25 of its 150 examples here;
# the wheel tests (marked `package`: they build and install the wheel) run in `make test`.
test-unit: $(STAMP) system-deps
	$(BIN)/python -m pytest -m "not site and not browser and not slow and not package" --hypothesis-profile=unit -n auto

# While editing: everything but the builds of copies of the book (needs the site and Chromium).
test-fast: pdf browser-deps
	$(BIN)/python -m pytest -m "not slow" -n auto

# Every pre-commit hook on every tracked file: ruff (lint, format check), codespell, and the check
# that the MyST notebooks parse. The hooks are local and run tools from .venv: nothing is downloaded.
lint: $(STAMP)
	$(BIN)/pre-commit run --all-files

# Regenerate requirements.txt (every package of .venv, exact pins) from requirements.in with
# pip-compile (pip-tools, settings in pyproject.toml): every pin moves to the newest release that
# requirements.in allows, or only those named, `make upgrade PACKAGES="sphinx myst-nb"` (also the way
# to resolve a package just added to requirements.in). Needs PyPI. Then `rm -rf .venv && make test`.
PACKAGES ?=
upgrade: $(STAMP)
	$(BIN)/pip-compile --quiet $(if $(PACKAGES),$(addprefix --upgrade-package ,$(PACKAGES)),--upgrade) requirements.in
	@git --no-pager diff --stat -- requirements.txt 2>/dev/null || true
	@echo "requirements.txt is rewritten; now check it: rm -rf .venv && make test"

# Only the builds of copies: a clean offline build compared with the site, build sequences,
# escaping, the data guard.
test-slow: book browser-deps
	$(BIN)/python -m pytest -m slow -n auto

figures: $(STAMP) system-deps $(VALIDATED)
	$(BIN)/python -m mechgraph figures

# Its own folder (_build/preview), on http://127.0.0.1:$(PREVIEW_PORT) (8000 unless given), the same
# warnings-as-errors rule as the build; a data error or a warning replaces the pages with an error
# page naming file and line (mechgraph/sphinxext.py). sphinx-autobuild, each rebuild forked from a
# process that has imported Sphinx and the extensions and checked the data (mechgraph/preview.py).
PREVIEW_PORT ?= 8000
preview: $(STAMP) system-deps $(VIZ)
	$(BIN)/jupyter-book config sphinx . >/dev/null
	MECHGRAPH_PREVIEW=1 $(BIN)/python -m mechgraph preview . _build/preview --host 127.0.0.1 --port $(PREVIEW_PORT) \
	  --re-ignore '(_build|\.venv|\.git|\.jupyter_cache|figures|tests)/' -b html -W --keep-going

# Every external link (the bibliography's DOIs included) with Sphinx's linkcheck builder, then the
# report read by mechgraph/linkcheck.py: needs the network, so it runs weekly on GitHub
# (.github/workflows/linkcheck.yml). Report: _build/linkcheck/_build/html/output.txt
linkcheck: $(STAMP) system-deps $(VALIDATED) $(VIZ)
	@rm -rf _build/linkcheck
	-$(BIN)/jupyter-book build . --builder linkcheck --path-output _build/linkcheck --keep-going
	$(BIN)/python -m mechgraph linkcheck-report _build/linkcheck/_build/html/output.json

bench: $(STAMP) system-deps $(VALIDATED) browser-deps
	$(BIN)/python tests/benchmark.py

# Full-page screenshots of the home page and every chapter, 1366 px and 390 px wide, light and
# dark, in tests/artifacts/ (gitignored): for people to look at, so not part of `make test`.
screenshots: book browser-deps
	$(BIN)/python tests/screenshots.py

clean:
	rm -rf _build conf.py
