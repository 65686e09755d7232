# The two commands of the README: `make demo` (set up + main job), `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/lexquery: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	# bytecode written once, as pip does for an installed package: where PYTHONDONTWRITEBYTECODE
	# is set, every start would otherwise compile lexquery from source (≈ 70 ms of a cold ask)
	$(BIN)/python -m compileall -q src
	touch $@

setup: $(BIN)/lexquery

demo: setup
	$(BIN)/lexquery kb check
	$(BIN)/lexquery ask examples/ionescu.json

test: setup
	$(BIN)/python -m pytest

.PHONY: setup demo test
