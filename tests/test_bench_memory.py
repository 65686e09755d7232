"""The benchmark's memory sampler (bench/mem_sample.py) and its verdict (bench/bench_screen.py,
issue 16): a process and its children sampled together; the sum of their peaks and the peak of
their summed PSS, each said met or not met against 500 MB."""
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

pytestmark = pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux /proc only")

CHILD = """
import subprocess, sys, time
kid = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(60 << 20); time.sleep(1.0)"])
a = bytearray(30 << 20)
time.sleep(1.0)
kid.wait()
"""


def test_a_process_and_its_child_are_sampled_together():
    from mem_sample import run
    m = run([sys.executable, "-c", CHILD], every=0.05)
    assert m["rc"] == 0 and m["samples"] > 5
    assert len(m["hwm_mb"]) == 2                          # the process, then its child
    assert m["hwm_mb"][0] >= 30 and m["hwm_mb"][1] >= 60   # each one's own peak (VmHWM)
    assert m["peak_pss_mb"] >= 90 and m["peak_rss_mb"] >= m["peak_pss_mb"] - 1
    assert m["sum_hwm_mb"] == pytest.approx(sum(m["hwm_mb"]), abs=0.2)
    assert m["cpu_s"] >= 0 and m["wall_s"] >= 1.0


def test_the_verdict_says_both_measures_plainly():
    from bench_screen import memory_verdict
    v = memory_verdict(672, 3, 485)
    assert "sum of the 3 processes' peaks 672 MB (**not met**: ≤ 500 MB" in v
    assert "summed PSS 485 MB (met: shared pages counted once)" in v
    assert "PSS 520 MB (**not met**" in memory_verdict(700, 3, 520)
    assert memory_verdict(450, 3, 400).count("(met") == 2
    assert "not measured" in memory_verdict(700, 3, None)
