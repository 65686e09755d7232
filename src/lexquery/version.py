"""The version of lexquery, written in one place: ``lexquery.__version__``, ``lexquery
--version``, the answers' ``knowledge_base.version`` and the package metadata (pyproject.toml
reads it) all come from here. On the lowest floor, so that any module may import it."""
__version__ = "0.1.0"
