# Listening: `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Airflow keeps its files under the project, never in the user's home.
export AIRFLOW_HOME ?= $(CURDIR)/.local/airflow
export AIRFLOW__CORE__DAGS_FOLDER ?= $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES ?= False
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN ?= sqlite:///$(CURDIR)/.local/airflow/airflow.db

# Debian's Chromium for the report browser tests (Playwright drives it by path; no browser download).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test test-fast lint bench bench-stage bench-pii bench-pipeline bench-sources train-ner airflow-ui celery-smoke clean browser

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install ## the demo program end to end through Airflow, on SQLite
	$(BIN)/listening demo run

lint: install
	$(BIN)/ruff check listening dags tests benchmarks training
	$(BIN)/ruff format --check listening dags tests benchmarks training
	$(BIN)/mypy

test: install lint browser ## lint, type-check, then every test (PostgreSQL ones when LISTENING_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

browser: ## Debian's chromium for the browser tests of the HTML reports, installed when missing
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test-fast: install
	$(BIN)/pytest -m "not slow"

# `make bench N=1000000 BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres`
N ?= 20000
bench: install bench-stage bench-pii bench-pipeline bench-sources ## every benchmark; figures are ratios to anchors measured in the same run

bench-stage: install ## the full nightly stage on N generated mentions against plain Presidio and the NER floor
	$(BIN)/python -m benchmarks.bench_stage --n $(N)

bench-pipeline: install
	$(BIN)/python -m benchmarks.bench_pipeline

bench-sources: install ## planning and reading slices of a million-line file, as ratios to decoding it
	$(BIN)/python -m benchmarks.bench_sources

bench-pii: install
	$(BIN)/python -m benchmarks.bench_pii

train-ner: install ## retrain the social-media NER model (CPU, fixed seed) into listening/privacy/models/social_ner
	$(BIN)/python -m training.train_ner

AIRFLOW_UI_HOST ?= 127.0.0.1
AIRFLOW_UI_PORT ?= 8080
AIRFLOW_UI_EXECUTOR ?= local
airflow-ui: install ## Airflow (scheduler, DAG processor, triggerer, UI) on these DAGs at http://$(AIRFLOW_UI_HOST):$(AIRFLOW_UI_PORT)
	$(BIN)/python -m listening.airflow_ui --host $(AIRFLOW_UI_HOST) --port $(AIRFLOW_UI_PORT) --executor $(AIRFLOW_UI_EXECUTOR)

celery-smoke: install ## the demo nightly DAG on the CeleryExecutor (PostgreSQL metadata, Redis broker, two workers)
	$(BIN)/python -m listening.celery_smoke $(CELERY_SMOKE_ARGS)

clean:
	rm -rf .local .pytest_cache .mypy_cache .ruff_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
