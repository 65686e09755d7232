"""The README's worked case is the real output of `lexquery ask` (issue 3: "the README shows
one worked case end to end"), so the README cannot drift from the engine."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CMD = "$ lexquery ask examples/ionescu.json --as-of 2026-12-01\n"


def test_readme_worked_case_is_the_cli_output():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(CMD) + len(CMD)
    shown = text[start:text.index("```", start)]
    out = subprocess.run([sys.executable, "-m", "lexquery.cli", "ask", "examples/ionescu.json",
                          "--as-of", "2026-12-01"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert shown == out.stdout
