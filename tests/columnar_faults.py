"""Faults a columnar screening worker is made to meet (tests/test_columnar_jobs.py): each is
called by the worker with a batch's frame before it answers it (``screen_columnar(fault=...)``),
pickled by reference, so it lives in a module the worker can import (not the test module, whose
import would load the knowledge base once more)."""
import os
import time

LINE = 700
"""The physical line whose batch meets the fault (a 2,000-row file in 64 KB blocks has it in its third batch)."""


def _hit(frame) -> bool:
    return frame.height > 0 and LINE in set(frame.get_column("line").to_list())


def raises(frame):
    if _hit(frame):
        raise RuntimeError("panne simulée du processus de calcul")


def dies(frame):
    if _hit(frame):
        os._exit(7)


def hangs(frame):
    if _hit(frame):
        time.sleep(3600)


def always_raises(frame):
    raise MemoryError("simulated")


def spool_lost(frame):
    """The spool directory of the screening (under the worker's temporary directory, the test's)
    removed: this batch's CSV file, and every later one, cannot be written."""
    import glob
    import shutil
    import tempfile
    if _hit(frame):
        for d in glob.glob(f"{tempfile.gettempdir()}/lexquery-spool-*"):
            shutil.rmtree(d, ignore_errors=True)
