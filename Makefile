# `make run` and `make test` work on a fresh clone: they create .venv and install into it.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
OUT ?= out

CHROMIUM ?= /usr/bin/chromium

.PHONY: setup system-deps run test lint bench clean

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)

# Headless Chromium for the batch-page test: installed from Debian's packages when missing and
# we are root; otherwise that test is skipped, saying why.
system-deps:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "system-deps: no $(CHROMIUM) and not root: the batch-page browser test will be skipped"; fi

run: setup
	$(VENV)/bin/photoreel run examples/ --out $(OUT)

test: setup system-deps
	$(PYTHON) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PYTHON) bench/render.py

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
