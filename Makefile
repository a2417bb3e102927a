# Two commands matter (see README, Quick start): `make demo` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test audit lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools  # the venv's bundled setuptools is an old release

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

## Install, build a realistic demo network in its own database, and show what to do today.
demo: install
	$(BIN)/dunbar demo

## Install what the tests need and run them (SQLite always; PostgreSQL where one answers).
test: install
	$(BIN)/python -m pytest -q

## Known vulnerabilities in the installed dependencies, and bandit over src/ (CI runs this before the tests).
audit: install
	$(BIN)/bandit -q -r src -c pyproject.toml && echo 'bandit: no issues in src/'
	$(BIN)/python scripts/audit_deps.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
