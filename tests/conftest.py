"""Collect the legal test cases of tests/cases/*.yaml (the plugin is in test_legal_cases.py)."""
from test_legal_cases import collect_yaml


def pytest_collect_file(file_path, parent):
    return collect_yaml(file_path, parent)
