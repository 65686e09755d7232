"""Collect the legal test cases of tests/cases/*.yaml (the plugin is in test_legal_cases.py)."""
from test_legal_cases import collect_yaml


def pytest_collect_file(file_path, parent):
    return collect_yaml(file_path, parent)


import sys as _sys

import pytest as _pytest


@_pytest.fixture
def rules_copy(tmp_path):
    """A copy of the rules in ``tmp_path/rules`` (tests/rules_helpers.copy_rules), for the tests
    that edit a rule file (test_rules_files, test_prove, test_rule_periods)."""
    from rules_helpers import copy_rules   # here, not at the top: conftest imports no lexquery module
    return copy_rules(tmp_path)


@_pytest.fixture(autouse=True)
def _fresh_worker_errors():
    """Each test starts with an empty ``columnar_jobs.WORKER_ERRORS`` (when that module is loaded:
    it is not imported here, so a test of what a path imports sees its own imports). The list keeps
    its last 20 notes only, so a test counting new notes against its length (``len(...) > before``)
    saw none once earlier tests had filled it — and one asserting none were added could not fail."""
    jobs = _sys.modules.get("lexquery.screening.columnar_jobs")
    if jobs is not None:
        jobs.WORKER_ERRORS.clear()
    yield
