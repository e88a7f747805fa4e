# Newswire: `make run` sets up and runs the pipeline on seeds/; `make test` sets up and tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export NEWSWIRE_INBOX ?= $(CURDIR)/seeds
export AIRFLOW_HOME ?= $(CURDIR)/.airflow

.PHONY: help setup run test lint eval bench lock clean docs

help:
	@echo "make run    - set up .venv, then ingest seeds/ (or \$$NEWSWIRE_INBOX) and transform, in-process"
	@echo "make test   - set up .venv, then run the test suite"
	@echo "make eval   - score extraction, NER and event coding (ConfliBERT real news, PLOVER) on ../shared/eval (skips when absent)"
	@echo "make bench  - speed and memory: parsing, story clustering, NLP, the whole run on ../shared/corpora/bbc, scale (skips when absent)"
	@echo "make lint   - ruff and sqlfluff"
	@echo "make up     - start Airflow, the dbt docs and the Data Docs locally; make down stops them"

setup: $(STAMP)

# Re-install only when the pins or the package metadata change.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml vendor/data-docs/package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@# The Data Docs pages' CSS/JS, pinned in vendor/data-docs (newswire/docs/data_docs.py).
	@if command -v npm >/dev/null; then \
	  npm ci --prefix vendor/data-docs --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else echo "WARNING: npm not found: the GX Data Docs will need the network to render (apt-get install npm)"; fi
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/newswire run

test: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e"

lint: $(STAMP)
	$(BIN)/ruff check newswire dags tests scripts evaluation benchmarks
	$(BIN)/sqlfluff lint dbt_project/models

eval: $(STAMP)
	$(BIN)/python -m evaluation extraction ../shared/eval/extraction
	$(BIN)/python -m evaluation ner ../shared/eval/ner/conll2003/eng.testa
	$(BIN)/python -m evaluation events ../shared/eval/events

# Where `make bench` keeps the BBC warehouse it builds (the scale benchmark replicates its raw rows).
BENCH_DIR ?= $(CURDIR)/warehouse/bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks extraction
	$(BIN)/python -m benchmarks cluster
	$(BIN)/python -m benchmarks nlp
	rm -rf $(BENCH_DIR) && $(BIN)/python -m benchmarks pipeline --root $(BENCH_DIR) --keep
	$(BIN)/python -m benchmarks scale --source $(BENCH_DIR)/warehouse/.work/newswire.duckdb --root $(BENCH_DIR)/scale

# Regenerate the pins after editing pyproject.toml's dependencies (runtime) or its
# dev extra (tests and linters): requirements.lock is what the image installs.
lock:
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python scripts/lock.py

include Makefile.ops

clean:
	rm -rf warehouse/*.duckdb warehouse/.work warehouse/parquet warehouse/gx warehouse/dbt_docs .airflow
