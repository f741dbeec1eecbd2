# The README's two commands are `make run` and `make test`; .ci/run calls `make test`.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
export HOST PORT

.PHONY: run test build serve lint format check clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("kzmig needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.run-installed

## run: set up, build the graph (only when its inputs changed) and serve it on $(HOST):$(PORT)
run: $(VENV)/.run-installed
	$(BIN)/kzmig build --if-changed
	$(BIN)/kzmig serve --host $(HOST) --port $(PORT)

## test: set up with the test extras and run every check and test
test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

build: $(VENV)/.run-installed
	$(BIN)/kzmig build

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy graph loaders server

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache
