# `make run` and `make test` work on a fresh clone: they create .venv and install into it.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
OUT ?= out

.PHONY: setup run test lint bench clean

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)

run: setup
	$(VENV)/bin/photoreel run examples/ --out $(OUT)

test: setup
	$(PYTHON) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PYTHON) bench/render.py

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
