# `make run` and `make test` work on a fresh clone: they create .venv and install into it.
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
OUT ?= out

SYSTEM_PACKAGES ?= chromium fonts-wqy-zenhei fonts-noto-color-emoji fonts-dejavu-core tesseract-ocr

.PHONY: setup system-deps run test lint bench lock deploy-smoke clean

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev,embedded]'
	touch $(INSTALLED)

setup: $(INSTALLED)

# Debian packages some tests need: headless Chromium (the batch page), fonts for CJK, Arabic,
# Hebrew and colour emoji titles, and Tesseract (reads rendered text back). Installed when
# missing and we are root; otherwise those tests skip.
system-deps:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "system-deps: missing$$missing and not root: the tests that need them skip"; fi

run: setup
	$(VENV)/bin/photoreel run examples/ --out $(OUT)
	$(VENV)/bin/photoreel catalog examples/products.csv --template examples/promo.yaml --out $(OUT) \
		--prompt-template "6-second promo for {title}, 9:16 for Reels"
	$(VENV)/bin/photoreel catalog examples/merchant-feed.tsv --template examples/promo.yaml --out $(OUT) \
		--prompt-template "6-second promo for {title}, 9:16 for Reels"

test: setup system-deps
	$(PYTHON) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PYTHON) bench/render.py
	$(PYTHON) bench/orchestration.py
	$(PYTHON) bench/catalog.py
	$(PYTHON) bench/feeds.py
	$(PYTHON) bench/beats.py

# The image's dependencies, pinned with their hashes for Linux and Python 3.11 (the Dockerfile
# installs them with --require-hashes): the runtime dependencies and the ops extra (Flower);
# and the build backend that packs the project's wheel. Pins already there are kept; `make lock
# LOCK_FLAGS=--upgrade` moves every pin to the newest release.
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform linux --custom-compile-command "make lock" $(LOCK_FLAGS)
lock: setup
	$(UV_COMPILE) pyproject.toml --extra ops -o deploy/requirements.lock
	$(PYTHON) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))\
	['build-system']['requires'], sep='\n')" | $(UV_COMPILE) - -o deploy/build.lock

# The compose deployment for real: needs a Docker engine and Compose v2 (root, minutes).
deploy-smoke:
	python3 deploy/smoke.py

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
