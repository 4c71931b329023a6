# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
# Find a Python >= 3.12: on PATH first, then pyenv's versions (the machine's default python3 is 3.11).
PYTHON ?= $(shell for c in python3.12 python3.13 python3.14 $$HOME/.pyenv/versions/3.1[234]*/bin/python3 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	  if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c || echo $$c; break; fi; done)
VENV := .venv
UV := .uv/bin/uv
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test lint bench clean

.uv/bin/uv:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: install python3.12 and retry." >&2; exit 1; }
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: .uv/bin/uv pyproject.toml uv.lock package.json package-lock.json
	$(UV) sync --frozen --python $(PYTHON)
	npm ci --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.synced

# Builds a synthetic area in SQLite, creates one demo user per role and serves the site.
demo: install
	$(VENV)/bin/iom demo

# The whole suite. CI (.ci/run) sets OPENIOM_REQUIRE_SERVICES=1 so a missing PostgreSQL,
# Chromium or Java fails instead of skipping.
test: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	scripts/test

lint:
	$(VENV)/bin/ruff check src tests bench && $(VENV)/bin/ruff format --check src tests bench && $(VENV)/bin/mypy

# The comparison libraries (causalml, Polars) are only needed by the benchmarks.
bench: install
	$(UV) sync --frozen --all-groups --inexact --python $(PYTHON)
	$(VENV)/bin/python -m bench

clean:
	rm -rf .uv $(VENV) node_modules
