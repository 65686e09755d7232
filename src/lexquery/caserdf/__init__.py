from .graph import to_graph
