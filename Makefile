# Two entry points: `make run` serves ironbridge, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test lint bench services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.run-deps

## run: install, migrate, make the demo account + sandbox connection if none, print keys, serve
run: $(VENV)/.run-deps
	$(BIN)/ironbridge serve --demo

## test: install test deps and services the suite needs, lint, type-check, check the layer
##       contracts (pyproject's [tool.importlinter]), run every test
test: $(VENV)/.test-deps services
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -p no:cacheprovider --durations=30

services:
	scripts/ensure-test-services.sh

lint: $(VENV)/.test-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: every benchmark in bench/ (helpers start with _), each beside its own baseline
bench: $(VENV)/.test-deps services
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	@for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) .ironbridge .mypy_cache .ruff_cache
