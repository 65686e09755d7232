"""Setups of fresh workers (``lexquery.workers.in_order(start="spawn", setup=...)``) for
tests/test_workers_spawn.py: pickled by reference, so they live in a module a worker can import."""
import os
import signal
import time


def echo():
    """Each part answered as ``part@pid`` (the pid tells a worker's answer from this process's)."""
    return lambda part: f"{part}@{os.getpid()}"


def kills_once(victim, mark):
    """Dies by SIGKILL on ``victim`` the first time any worker meets it (``mark``: a file)."""
    def work(part):
        if part == victim and not os.path.exists(mark):
            open(mark, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return f"{part}@{os.getpid()}"
    return work


def stalls_on(victim):
    def work(part):
        if part == victim:
            time.sleep(3600)
        return f"{part}@{os.getpid()}"
    return work


def cannot_start():
    raise ImportError("no knowledge base here")


def gc_state():
    """Each part answered as ``part:collector at setup:collector when answering:frozen objects``
    (lexquery.gcpause: a fresh worker's setup runs with the collector paused, its work with it on)."""
    import gc
    at_setup = gc.isenabled()
    return lambda part: f"{part}:{at_setup}:{gc.isenabled()}:{gc.get_freeze_count() > 0}"
