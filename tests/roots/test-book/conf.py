# A tiny book for tests/test_sphinxext.py: the data extension with what it builds on in the
# book (myst-nb, which it hands the jupyter-cache folder, sphinxcontrib-bibtex for the
# questions' citations, sphinx-book-theme for the footer) and none of Jupyter Book's other defaults; the
# tests add mechgraph.theme where they need it.
project = "Tiny book"
extensions = ["myst_nb", "sphinxcontrib.bibtex", "mechgraph.sphinxext"]
html_theme = "sphinx_book_theme"
myst_enable_extensions = ["colon_fence", "substitution"]
nb_execution_mode = "off"
bibtex_bibfiles = ["references.bib"]  # the book's, copied in by the tests
bibtex_reference_style = "author_year"
bibtex_default_style = "mechgraph-plain"  # as in the book's _config.yml
exclude_patterns = ["_build"]
