"""Helpers for the tests that drive a real headless Chromium (Debian's /usr/bin/chromium,
through Playwright): skipped when it is missing, failed instead when LEXQUERY_REQUIRE_BROWSER=1
(CI, .ci/run); the ``browser`` fixture, one browser per test module."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def cannot_run(reason: str):
    """Skip the calling test module — or fail it in CI, where a missing browser is a defect."""
    if os.environ.get("LEXQUERY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and LEXQUERY_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_chromium():
    """Playwright's sync API, once Chromium is known to be there (else :func:`cannot_run`)."""
    if not Path(CHROMIUM).exists():
        cannot_run(f"{CHROMIUM} is missing (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    sync_api = require_chromium()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
