# The two commands of the README's quick start, and what CI calls.
# `make demo`: the main job on the embedded default (development keys, SQLite under data/), then the service.
# `make test`: the whole test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint install

$(BIN)/verify: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/verify

install: $(BIN)/verify

demo: install
	$(BIN)/verify demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install lint
	$(BIN)/python -m pytest -q
