# The README's two commands are `make run` and `make test`; .ci/run calls `make test`.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
export HOST PORT
# The default suite leaves out the slow suites (soak, long fuzz, W3C query evaluation, ...);
# CI (.ci/run sets KZMIG_CI=1) and `make test SLOW=1` run them too.
PYTEST_SELECT = $(if $(or $(KZMIG_CI),$(SLOW)),,-m "not slow")

.PHONY: run test build serve lint format check clean bench bench-quick messages

# `make run` names each step it takes (STEP) and how long the install took.
STEP = @printf '\n==> %s\n'
$(BIN)/python:
	$(STEP) "Creating the Python environment in $(VENV)/ (needs Python >= 3.11)"
	@$(PYTHON) -c 'import sys; sys.exit("kzmig needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(STEP) "Installing kzmig and its Python dependencies (the first time takes a minute or two)"
	@start=$$(date +%s); $(BIN)/pip install --quiet --disable-pip-version-check -e . && \
	  echo "    installed in $$(( $$(date +%s) - start )) s"
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.run-installed

# Browser assets (YASGUI) from npm into node_modules/, never committed; the app serves them.
# Without npm the app still runs, with a plain query form instead of YASGUI.
node_modules/.installed: package.json package-lock.json
	$(STEP) "Installing the query UI (YASGUI, from npm) into node_modules/"
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else \
	  echo "npm not found: the query UI falls back to a plain form (install Node.js for YASGUI)"; \
	fi

## run: set up, build the graph (only when its inputs changed) and serve it on $(HOST):$(PORT)
run: $(VENV)/.run-installed node_modules/.installed
	$(STEP) "Building the graph (skipped when its inputs are unchanged)"
	@$(BIN)/kzmig build --if-changed
	$(STEP) "Serving on $(HOST):$(PORT): the addresses follow once it answers"
	@$(BIN)/kzmig serve --host $(HOST) --port $(PORT) $(if $(PUBLIC_URL),--public-url $(PUBLIC_URL))

## test: set up with the test extras and run every check and test (SLOW=1: the slow suites too)
test: $(VENV)/.test-installed node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/kzmig check --quiet
	$(BIN)/kzmig fmt --check
	$(BIN)/python -m pytest $(PYTEST_SELECT)

build: $(VENV)/.run-installed
	$(BIN)/kzmig build

## bench: the benchmark suite, every stage against its baselines (docs/performance.md)
bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench.run

## bench-quick: a reduced benchmark run, under 2 minutes
bench-quick: $(VENV)/.bench-installed
	$(BIN)/python -m bench.run --quick

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	sh bench/install-tools.sh
	touch $@ $(VENV)/.test-installed $(VENV)/.run-installed

## messages: the pages' words into server/translations/messages.pot, then kk and ru brought in
## step with it (new entries empty, to translate; docs/i18n.md)
messages: $(VENV)/.run-installed
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output \
	  --add-comments=Translators: --project=kzmig --version=0.1.0 \
	  --copyright-holder="kzmig contributors" --msgid-bugs-address=https://w3id.org/kzmig \
	  -o server/translations/messages.pot .
	$(BIN)/pybabel -q update -i server/translations/messages.pot -d server/translations \
	  --no-fuzzy-matching --ignore-obsolete

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy names graph loaders server

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache
