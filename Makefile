# The two commands a newcomer types: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test unit integration services down install clean bench

demo: services
	$(BIN)/pantau demo

test: services
	$(BIN)/python -m pytest

unit: install
	$(BIN)/python -m pytest -m "not integration"

integration: services
	$(BIN)/python -m pytest -m integration

# Every benchmark scenario at this machine's sizes (~30 min): bench/results/<date>.jsonl and .md.
bench: services
	$(BIN)/pantau bench all

services: install
	$(BIN)/pantau services up

down: install
	$(BIN)/pantau services down

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

clean: down
	rm -rf $(VENV) .cache data
