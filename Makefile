# Driftline — every target installs what it needs first (`setup`), so a fresh clone needs no manual step.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV := $(PYTHON) -m uv
UV_VERSION := 0.13.9
RUN := $(UV) run --all-packages --locked
export FEAST_USAGE := False

STAMP := .venv/.driftline-setup
PROJECT_FILES := uv.lock pyproject.toml libs/driftline/pyproject.toml $(wildcard services/*/pyproject.toml)

.PHONY: help setup test test-unit test-integration lint format up broker demo foundation-demo schemas bench bench-tools clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

setup: $(STAMP) ## Create .venv and install the workspace (uv, locked)

$(STAMP): $(PROJECT_FILES)
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --all-packages --locked
	@touch $@

test: setup ## Run the whole test suite (unit, contracts, integration on a real broker, infra, e2e)
	$(RUN) pytest

test-unit: setup ## Only the fast tests (no broker, no database)
	$(RUN) pytest -m "not integration and not e2e"

test-integration: setup ## Only the tests that talk to real brokers and databases
	$(RUN) pytest -m "integration or e2e"

lint: setup ## ruff (lint + format check) and mypy (strict) on every package
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy libs/driftline/src $(wildcard services/*/src)

format: setup ## Apply ruff's fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

schemas: setup ## Regenerate event models, check compatibility, record changed schemas in history/
	$(RUN) driftline schemas codegen
	$(RUN) driftline schemas check
	$(RUN) driftline schemas snapshot

up: setup ## Start the broker and every service as processes (driftline up); Ctrl-C stops them all
	$(RUN) driftline up

broker: setup ## Only the embedded broker with the catalog's topics, on :9092
	$(RUN) driftline broker --port $${DRIFTLINE_BROKER_PORT:-9092}

demo: setup ## The closed loop on the embedded default: drift -> retrain -> promote -> retire
	$(RUN) python -m driftline.demo

foundation-demo: setup ## One command through the bus, with a dead letter
	$(RUN) python -m driftline.foundation_demo

bench: setup bench-tools ## Benchmarks side by side (serving vs MLServer, data plane vs Feast, monitoring, loop, footprint); ~10 min
	$(RUN) python bench/serving_bench.py --duration 8
	$(RUN) python bench/dataplane_bench.py
	$(RUN) python bench/monitoring_bench.py
	$(RUN) python bench/loop_bench.py
	$(RUN) python bench/footprint_bench.py
	$(RUN) python bench/summary.py --readme

bench-tools: ## wrk for the serving load (apt-get when root; else the benchmark uses a Python client)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)); } || \
	  echo "wrk is not installed and could not be: the serving benchmark falls back to a Python load generator"

clean: ## Remove local state (var/) and caches; keeps .venv
	rm -rf var .mypy_cache .ruff_cache
