# herbot: `make run` sets up what is missing and starts; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.herbot-installed

.PHONY: run setup index test test-fast bench lint

run: index
	@echo "herbot's knowledge is ready. Ask it: $(BIN)/herbot search \"who plays Samantha?\""

setup: $(STAMP)

$(STAMP): requirements/lock.txt pyproject.toml .python-version scripts/setup.sh
	@scripts/setup.sh

index: setup
	@$(BIN)/herbot index

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not slow"

bench: index
	$(BIN)/python bench/retrieval.py

lint: setup
	$(BIN)/ruff check .
