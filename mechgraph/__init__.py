"""mechgraph: the data, diagrams and plots behind the book.

The book's notebooks and tests import from here:

    from mechgraph import load, diagram
    data = load()                       # validated tables from data/
    diagram(data, figure="fig1")        # inline SVG with a text alternative
"""

from mechgraph.data import BookData, DataError, load
from mechgraph.diagram import Diagram, diagram

__all__ = ["BookData", "DataError", "Diagram", "diagram", "load"]
