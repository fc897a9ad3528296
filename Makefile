# Two user-facing commands: `make report` and `make test`. Each creates or
# updates the pinned environment in .venv/ first (a no-op when it is current).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SNAKEMAKE := $(BIN)/snakemake
# Builds go through prp.tools.build: one build at a time per folder, recovery after a kill.
BUILD := PYTHONPATH=scripts $(BIN)/python -m prp.tools.build

.DEFAULT_GOAL := report
.PHONY: report public restricted test test-unit venv lock clean dry-run verify lint release \
	graph rehash new-chapter new-dataset new-table new-figure bench scale diff watch preflight \
	seal unseal grant revoke public-key snakemake-report

venv: $(STAMP)

# Re-installs only when the pins change; the stamp records what was installed.
$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV)/ ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

## Build both editions (HTML + PDF) into build/public/ and build/restricted/.
## Without an age identity (PRP_AGE_IDENTITY) only the public edition is
## built, and the command says so; the restricted sources stay encrypted.
report: $(STAMP)
	$(BUILD) all

## The public edition: built without any identity or restricted source.
public: $(STAMP)
	$(BUILD) public

## The restricted edition: decrypts the restricted sources first (needs a key).
restricted: $(STAMP)
	$(BUILD) restricted

## Release disclosure-controlled aggregates of the restricted event data into
## data/released/, hashes included, in one atomic swap; refused unless the
## exact attack finds every withheld count protected (review, then commit).
release: $(STAMP)
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.release

## Restricted sources: encrypted in restricted/, decrypted into build/restricted-src/.
CRYPT := PYTHONPATH=scripts $(BIN)/python -m prp.data.crypt
unseal: $(STAMP)
	$(CRYPT) unseal

## Encrypt edits made in build/restricted-src/ (commit restricted/ afterwards).
seal: $(STAMP)
	$(CRYPT) seal

## Give (take) a person's age key access to the restricted sources: edits
## config/restricted-recipients.txt and re-encrypts restricted/ (needs a key).
grant: $(STAMP)
	@test -n "$(KEY)" || { echo "usage: make grant KEY=age1... [NAME='who']" >&2; exit 2; }
	$(CRYPT) grant "$(KEY)" "$(NAME)"

revoke: $(STAMP)
	@test -n "$(KEY)" || { echo "usage: make revoke KEY=age1..." >&2; exit 2; }
	$(CRYPT) revoke "$(KEY)"

## The public key (recipient) of your identity, to send to whoever can grant access.
public-key: $(STAMP)
	$(CRYPT) public-key

## Snakemake's own report of one edition, from that edition's jobs only:
## build/snakemake-report-$(EDITION).html (run after building the edition).
snakemake-report: $(STAMP)
	$(BUILD) --report build/snakemake-report-$(EDITION).html $(EDITION)

## Run the whole test suite (unit + integration) on TEST_WORKERS processes
## (pytest-xdist; whole files per process, so module fixtures are made once,
## handed out in the order tests/conftest.py sets, not reordered by size).
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) tests

test-unit: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) tests/unit

## Re-hash inputs, code and outputs against the provenance records of the last build.
verify: $(STAMP)
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.verify

## Preflight the built editions as a publisher would (PDF pages, tables, headings,
## source lines, figure text, page widths in Chromium, the restricted marking);
## prints one line per finding and fails when there is any. EDITION=public|restricted
## checks one edition (both by default); the edition is brought up to date first.
PREFLIGHT_EDITION = $(if $(filter command line environment,$(origin EDITION)),$(EDITION),all)
preflight: $(STAMP)
	$(BUILD) $(PREFLIGHT_EDITION)
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.preflight --edition $(PREFLIGHT_EDITION)

## Lint: ruff (lint + format check), snakefmt, Snakemake's linter, mypy on the shared package.
lint: $(STAMP)
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/snakefmt --check Snakefile rules
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.smklint
	$(BIN)/mypy
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.rulegraph --check --out docs/rulegraph.svg

## Extending the report (CONTRIBUTING.md): each command writes the files a new
## piece needs, with TODO markers that keep `make test` red until filled in.
SCAFFOLD := PYTHONPATH=scripts $(BIN)/python -m prp.tools.scaffold

new-chapter: $(STAMP)
	$(SCAFFOLD) chapter "$(NAME)" --title "$(TITLE)" $(if $(RESTRICTED),--restricted)

new-dataset: $(STAMP)
	$(SCAFFOLD) dataset "$(NAME)" $(if $(COLUMNS),--columns "$(COLUMNS)") $(if $(CITATION),--citation "$(CITATION)")

new-table: $(STAMP)
	$(SCAFFOLD) table "$(NAME)" --chapter "$(CHAPTER)" --dataset "$(DATASET)"
	@$(MAKE) --no-print-directory -o $(STAMP) graph

new-figure: $(STAMP)
	$(SCAFFOLD) figure "$(NAME)" --chapter "$(CHAPTER)" --dataset "$(DATASET)"
	@$(MAKE) --no-print-directory -o $(STAMP) graph

## Record the sha256 of changed data files in data/datapackage.yaml.
rehash: $(STAMP)
	PYTHONPATH=scripts $(BIN)/python -m prp.data.datapackage rehash

## Redraw docs/rulegraph.svg (the data-flow picture in CONTRIBUTING.md) from the workflow.
graph: $(STAMP)
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.rulegraph --out docs/rulegraph.svg

## Compare the report built at BASE (a git revision) with the current build:
## build/diff/<edition>.html and .md, and a summary of what changed.
BASE ?= HEAD~1
EDITION ?= public
PORT ?= 8000
diff: $(STAMP)
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.diff --base $(BASE) --edition $(EDITION)

## Rebuild the edition whenever a source changes and serve it with live reload
## (ENGINE=quarto: `quarto preview` on the edition's render tree, where Quarto is installed).
ENGINE ?= pandoc
watch: $(STAMP)
	PYTHONPATH=scripts $(BIN)/python -m prp.tools.watch --edition $(EDITION) --port $(PORT) --engine $(ENGINE)

## Time cold, no-op and incremental builds (median of 3, in temporary copies)
## and the 1,000,000-event scale run; writes bench/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python bench/bench.py

## Validation and aggregation of a generated N-event table (default 1,000,000).
EVENTS ?= 1000000
scale: $(STAMP)
	$(BIN)/python bench/scale.py --events $(EVENTS)

dry-run: $(STAMP)
	$(SNAKEMAKE) -n all

## Re-resolve the pins from pyproject.toml (needs the registry).
lock:
	rm -rf /tmp/prp-lock-venv && $(PYTHON) -m venv /tmp/prp-lock-venv
	/tmp/prp-lock-venv/bin/python -m pip install --quiet --upgrade pip==25.3
	/tmp/prp-lock-venv/bin/python -c 'import tomllib; d=tomllib.load(open("pyproject.toml","rb"))["project"]; print("\n".join(d["dependencies"]+d["optional-dependencies"]["test"]))' > /tmp/prp-lock-deps.txt
	/tmp/prp-lock-venv/bin/python -m pip install --quiet -r /tmp/prp-lock-deps.txt
	{ echo "# Full pinned environment (transitive closure of pyproject.toml's dependencies + test extras)."; \
	  echo "# Regenerate with: make lock   (Python 3.11)"; \
	  /tmp/prp-lock-venv/bin/python -m pip freeze; } > requirements.lock

clean:
	rm -rf build .snakemake
