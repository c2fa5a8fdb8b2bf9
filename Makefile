# One command per job. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
export RAPPORT_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-fast fuzz lint format typecheck bench bench-m bench-matching eval-matching \
	bench-imports bench-import-reading bench-vcards bench-calendars bench-duplicates bench-backup \
	bench-webhooks clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: $(STAMP)  ## set up, load the demo library into an empty database, serve on :8000
	$(BIN)/rapport serve

test: $(STAMP)  ## lint, then the whole suite (browser tests need /usr/bin/chromium)
	$(BIN)/ruff check rapport tests benchmarks
	$(BIN)/ruff format --check rapport tests benchmarks
	$(BIN)/rapport makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(STAMP)  ## everything but the browser
	$(BIN)/pytest -m "not browser"

fuzz: $(STAMP)  ## the API against its published schema only (part of `make test` too)
	$(BIN)/pytest tests/api/test_schemathesis.py

lint: $(STAMP)
	$(BIN)/ruff check rapport tests benchmarks
	$(BIN)/ruff format --check rapport tests benchmarks
	$(BIN)/mypy rapport

format: $(STAMP)
	$(BIN)/ruff format rapport tests benchmarks
	$(BIN)/ruff check --fix rapport tests benchmarks

bench: $(STAMP)  ## tier S; `make bench TIER=M` for the reference figures
	$(BIN)/python -m benchmarks.run --tier $(or $(TIER),S)

bench-matching: $(STAMP)  ## the matcher at scale: 100,000 profiles x 10,000 items, and encoding speed
	DJANGO_SETTINGS_MODULE=rapport.settings $(BIN)/python -m benchmarks.matching

eval-matching: $(STAMP)  ## ranking quality of each mode on the public evaluation set
	DJANGO_SETTINGS_MODULE=rapport.settings $(BIN)/python -m benchmarks.evaluation.evaluate

BENCH := DJANGO_SETTINGS_MODULE=rapport.settings $(BIN)/python -m

bench-imports: $(STAMP)  ## 1,000,000 LibAnswers rows into SQLite (and 100,000), against bare executemany
	$(BENCH) benchmarks.imports

bench-import-reading: $(STAMP)  ## reading a LibAnswers export into typed rows, against csv.reader
	$(BENCH) benchmarks.import_reading --rows 1000000

bench-vcards: $(STAMP)  ## 10,000 and 100,000 vCards imported, against a bare parse + executemany
	$(BENCH) benchmarks.vcards

bench-calendars: $(STAMP)  ## a daily meeting of 3,714 days from .ics, against dateutil + executemany
	$(BENCH) benchmarks.calendars

bench-duplicates: $(STAMP)  ## duplicate candidates across 100,000 people with planted duplicates
	$(BENCH) benchmarks.duplicates

bench-backup: $(STAMP)  ## backup and restore of a tier (TIER=M for the reference figures)
	$(BENCH) benchmarks.backup --tier $(or $(TIER),S)

bench-webhooks: $(STAMP)  ## what announcing adds to a capture, and deliveries per second
	$(BENCH) benchmarks.webhooks

clean:
	rm -rf $(VENV) var
