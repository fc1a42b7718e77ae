# The two commands a newcomer needs: `make run` and `make test`. Each creates .venv
# (if missing) with the Python found on PATH, installs what it needs, and goes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench screenshot clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Timeline Explorer needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/python -m explorer $(ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check explorer tests
	$(BIN)/ruff format --check explorer tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Two worker processes (pytest-xdist), a file's tests in one of them (`loadfile`: the
# engine suite's cases share one PostgreSQL, one JVM for Spark). (`loadgroup` would be
# finer, but pytest-xdist 3.8 cannot name groups under pytest 9.2: its node-id suffix
# is lost.)
# PYTEST_JOBS=0 runs it in one process.
PYTEST_JOBS ?= 2
test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n $(PYTEST_JOBS) --dist loadfile $(PYTEST_ARGS)

bench: $(VENV)/.run-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m explorer.bench $(ARGS)

screenshot: $(VENV)/.run-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m explorer.screenshots docs

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
