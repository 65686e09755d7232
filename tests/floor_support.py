"""bench/floor.py (the benchmark's plain-Python floor) run on a test's CSV file, in a process
of its own as the benchmark runs it: its rows compared with the engine's."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def floor_agreement(path, as_of: str = "2026-12-01") -> dict:
    """``floor.agreement(...)["all"]``: rows compared on every column but the message."""
    code = ("import sys, json; sys.path.insert(0, 'bench'); from floor import agreement; "
            "from datetime import date\n"
            f"a = agreement({str(path)!r}, date.fromisoformat({as_of!r}), show=0); print(json.dumps(a['all']))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])
