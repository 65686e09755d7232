"""What an answer was computed from: KB version and SHA-256 of every source file used.

Used by the Turtle/JSON-LD rendering's PROV-O receipt so that an answer can be
reproduced and audited (W3C PROV-O: prov:Activity, prov:used, prov:wasGeneratedBy).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

from ..paths import home

PARTS = ("rules", "law", "reference", "ontology", "shapes")


@lru_cache(maxsize=1)
def source_hashes() -> tuple[tuple[str, str], ...]:
    root = home()
    out = []
    for part in PARTS:
        base = root / part
        if not base.exists():
            continue
        for f in sorted(base.rglob("*")):
            if f.is_file() and f.suffix in (".yaml", ".ttl", ".rq", ".jsonld"):
                out.append((str(f.relative_to(root)), hashlib.sha256(f.read_bytes()).hexdigest()))
    return tuple(out)
