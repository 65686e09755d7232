"""ISO 3166-1 alpha-2 codes: kept here for the engine's imports; the list is :mod:`lexquery.iso3166`
(a lowest-floor module, so that the knowledge base's State names can use it too)."""
from ..iso3166 import CODES  # noqa: F401
