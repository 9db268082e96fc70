# The two commands of the README: `make run` (build the graph and serve it) and `make test`.
# Both create .venv and install everything the project needs from its own files.
VENV    ?= .venv
PY      := $(VENV)/bin/python
IPKG    := $(VENV)/bin/ipkg
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP   := $(VENV)/.installed

.PHONY: setup run build serve test lint bench chromium clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# Debian's Chromium drives the browser tests (Playwright's own browser download cannot work offline).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

build: setup
	$(IPKG) build

run: build
	$(IPKG) serve

test: setup chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# wrk drives the server from a separate process; without it the bench falls back to a Python load client.
bench: build
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; } || true
	$(IPKG) bench

clean:
	rm -rf data/build test-artifacts
