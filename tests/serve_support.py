"""``lexquery serve --port 0`` in a subprocess, for the tests that need a real server on
127.0.0.1 (SPARQL clients, the installed wheel): the URL it printed, stopped at the end."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading


@contextlib.contextmanager
def served(command: list[str], *, cwd=None, env=None, timeout: float = 120):
    """Yields ``http://127.0.0.1:PORT`` once the server printed its address."""
    proc = subprocess.Popen(command + ["serve", "--port", "0"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    found: list[str] = []
    lines: list[str] = []

    def read():
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if m and not found:
                found.append(f"http://127.0.0.1:{m.group(1)}")
    t = threading.Thread(target=read, daemon=True)
    t.start()
    try:
        import time
        deadline = time.monotonic() + timeout
        while not found:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("lexquery serve did not start:\n" + "".join(lines))
            time.sleep(0.05)
        yield found[0]
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def no_proxy_env() -> dict:
    """The environment without HTTP proxies (a client must reach 127.0.0.1 directly)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env
