# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
INFRA_STAMP := $(VENV)/.infra-stamp
AZURITE := node_modules/.bin/azurite

# The real Functions worker library indexes the app (tests/worker/): azure-functions-runtime needs
# Python 3.13, the version the Bicep deploys. Found on PATH or in pyenv; none: those tests skip and say so.
WORKER_VENV := $(VENV)/functions-worker
WORKER_STAMP := $(WORKER_VENV)/.installed-stamp
WORKER_RUNTIME := azure-functions-runtime==1.3.0
WORKER_PYTHON ?= $(shell for p in $$(command -v python3.13 2>/dev/null) $$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3.13 2>/dev/null | sort -rV); do "$$p" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: demo test test-fast lint venv azurite worker worker-python dns-checkers bench bench-estate bench-skewed golden clean help

help:
	@echo "make demo   - run pedns end to end on the local ARM emulator"
	@echo "make test   - install everything needed and run the test suite"
	@echo "make venv   - create .venv and install pedns with its dev tools (make demo and make test do it too)"
	@echo "make lint   - ruff and mypy"
	@echo "make test-fast - the tests without the infra checks and the slow profiles (no install of infra tools)"
	@echo "make bench  - benchmarks (latency and request counts against the emulator)"
	@echo "make bench-estate - the 10,000-endpoint reconcile on the emulator (a Markdown report)"
	@echo "make bench-skewed - a skewed 10,000-endpoint estate's first fill and drift under Private DNS's limits"
	@echo "make golden - record what pedns did in every test, to compare two trees (tests/golden.py)"
	@echo "make dns-checkers - install named-checkconf and unbound-checkconf (apt-get) for the pedns forwarders tests"

$(STAMP): pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -e '.[dev]'
	@touch $(STAMP)

# The offline Bicep checks' tools (checkov is large): only `make test` needs them.
$(INFRA_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,infra]'
	@touch $(INFRA_STAMP)

venv: $(STAMP)

$(WORKER_STAMP): requirements.txt
ifeq ($(strip $(WORKER_PYTHON)),)
	@echo "make: SKIPPING the real Functions worker's indexing (tests/worker): no Python 3.13 on PATH or in pyenv (pyenv install 3.13)"
else
	$(WORKER_PYTHON) -m venv $(WORKER_VENV)
	$(WORKER_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(WORKER_RUNTIME)' -r requirements.txt
	@touch $(WORKER_STAMP)
endif

worker: $(WORKER_STAMP)

worker-python:
	@echo "Python for the real Functions worker (tests/worker): $(or $(strip $(WORKER_PYTHON)),none found: those tests will skip)"

$(AZURITE): package.json
	npm ci --no-audit --no-fund --silent
	@touch $(AZURITE)

azurite: $(AZURITE)

# `pedns forwarders` output is checked by the DNS servers' own checkers (tests/integration/test_forwarders_e2e.py):
# Debian's bind9-utils and unbound, installed with apt-get when missing and apt-get can be used (as root, or
# sudo without a password). Anywhere else this says so and those tests skip, naming the package.
DNS_CHECKERS_PATH := $(PATH):/usr/sbin:/sbin
dns-checkers:
	@if PATH="$(DNS_CHECKERS_PATH)" command -v named-checkconf >/dev/null && PATH="$(DNS_CHECKERS_PATH)" command -v unbound-checkconf >/dev/null; then \
		:; \
	elif ! command -v apt-get >/dev/null; then \
		echo "make: SKIPPING the install of named-checkconf and unbound-checkconf: no apt-get (install bind9-utils and unbound); their tests will skip"; \
	else \
		if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
		if [ "$$SUDO" = none ]; then \
			echo "make: SKIPPING the install of named-checkconf and unbound-checkconf: apt-get needs root (sudo apt-get install bind9-utils unbound); their tests will skip"; \
		else \
			export DEBIAN_FRONTEND=noninteractive; \
			$$SUDO apt-get install -y -qq bind9-utils unbound >/dev/null 2>&1 \
				|| { $$SUDO apt-get update -qq >/dev/null 2>&1 && $$SUDO apt-get install -y -qq bind9-utils unbound >/dev/null 2>&1; } \
				|| echo "make: could not install bind9-utils and unbound with apt-get; the pedns forwarders checker tests will skip"; \
		fi; \
	fi

demo: venv
	$(PY) -m tools.demo

test: $(INFRA_STAMP) worker azurite dns-checkers lint
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow"

lint: venv
	$(VENV)/bin/ruff check shared functions function_app.py emulator tools tests benchmarks
	$(VENV)/bin/mypy

test-fast: venv
	$(PY) -m pytest -q -m "not infra and not slow"

bench: venv azurite
	$(PY) -m pytest -q benchmarks --benchmark-only -p no:cacheprovider --benchmark-columns=min,median,max,rounds

# A few minutes: 10,000 endpoints, 100 subscriptions, 20 zones, throttled, 20 ms a request.
bench-estate: venv
	$(PY) -m benchmarks.estate

# About 15 minutes: the first fill needs 67 virtual minutes in the blob zone, at 10x compressed time.
bench-skewed: venv
	$(PY) -m benchmarks.skewed

# What pedns did in every test, one JSON file each (tests/golden.py): record on two trees, then
# `$(PY) tests/golden.py DIR_A DIR_B` lists the tests whose outputs differ. For changes of shape.
GOLDEN_DIR ?= .pedns/golden
golden: venv azurite
	PEDNS_GOLDEN=$(GOLDEN_DIR) PYTHONPATH=tests $(PY) -m pytest -q -p no:cacheprovider -p golden -m "not slow" \
		tests/unit tests/scenarios tests/integration tests/functions tests/emulator

clean:
	rm -rf $(VENV) node_modules .pytest_cache .pedns
