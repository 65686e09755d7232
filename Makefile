# The two commands of the README: `make demo` (set up + main job), `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/lexquery: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/lexquery

demo: setup
	$(BIN)/lexquery kb check
	$(BIN)/lexquery ask examples/ionescu.json

test: setup
	$(BIN)/python -m pytest

.PHONY: setup demo test
