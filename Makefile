# Two commands: `make book` builds the site, `make test` runs every test.
# Everything lands in .venv (Python packages, pinned in requirements.txt) and,
# on Debian/Ubuntu as root, Graphviz and Chromium come from apt-get.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
JB_ARGS := --warningiserror --keep-going

.DEFAULT_GOAL := book
.PHONY: book pdf pack test test-fast preview clean figures validate bench system-deps browser-deps

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

# The data check before a build, repeated only when the data, the bibliography or the package change.
VALIDATED := _build/.data-valid
$(VALIDATED): $(STAMP) $(wildcard data/*) references.bib $(wildcard mechgraph/*.py)
	@$(BIN)/python -m mechgraph validate
	@mkdir -p _build && touch $@

book: $(STAMP) system-deps $(VALIDATED)
	@$(BIN)/jupyter-book build . $(JB_ARGS) || { \
	  rm -rf _build/html _build/.doctrees; \
	  echo "error: the build failed (see the messages above); _build/html was removed so nothing half-built is left (the next build re-reads every page, so no warning hides in the cache)."; \
	  exit 1; }

# The whole book as one PDF (_build/pdf/book.pdf, copied to _build/html/book.pdf), printed
# offline by the system Chromium; then the offline classroom pack (_build/pack/*.zip).
pdf: book
	@[ -x "$(CHROMIUM)" ] || { echo "error: the PDF is printed by Chromium, not found at $(CHROMIUM): run 'make browser-deps' or set CHROMIUM="; exit 1; }
	$(BIN)/python -m mechgraph pdf

pack: pdf
	$(BIN)/python -m mechgraph pack

# Every test, the slow ones included (two clean builds compared byte for byte, an offline build).
test: pdf browser-deps
	$(BIN)/python -m pytest

# While editing: everything but the slow clean rebuilds (a few minutes less).
test-fast: book browser-deps
	$(BIN)/python -m pytest -m "not slow"

figures: $(STAMP) system-deps $(VALIDATED)
	$(BIN)/python -m mechgraph figures

preview: $(STAMP) system-deps $(VALIDATED)
	$(BIN)/jupyter-book config sphinx . >/dev/null
	$(BIN)/sphinx-autobuild . _build/html --host 127.0.0.1 --port 8000 \
	  --re-ignore '(_build|\.venv|\.git|\.jupyter_cache|figures|tests)/' -b html

bench: $(STAMP) system-deps $(VALIDATED) browser-deps
	$(BIN)/python tests/benchmark.py

clean:
	rm -rf _build conf.py
