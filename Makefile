# Sanshe: `make run` to try it, `make test` to check it. Needs only Python 3.11 (and internet for the first install).
.DEFAULT_GOAL := run
.PHONY: run test bench lint install static demo serve riskstat modstat

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the lock changes: the stamp is newer than requirements.lock after a good install.
STAMP := $(VENV)/.requirements.lock.installed
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11（未找到 python3.11 或 python3）"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "需要 Python 3.11，当前 $(PYTHON) 为 $$($(PYTHON) --version 2>&1)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "创建虚拟环境失败：Debian/Ubuntu 上请先安装 python3.11-venv"; exit 1; }

$(STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(BIN)/python -m pip check --disable-pip-version-check
	@touch $(STAMP)

install: $(STAMP)

static: install
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0

# First run only: the demo is loaded into an empty database, never again on top of existing data.
demo: static
	$(MANAGE) demo --if-empty --no-logins

run: demo
	$(MANAGE) serve --demo-logins

test: install
	$(BIN)/pytest -rs $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

# The chat risk model's weights (sanshe/rules/chatrisk/riskstat_weights.json) from the public set; byte-identical on re-run.
riskstat: install
	$(BIN)/python -m bench.train_riskstat

# The chat moderation model's weights (sanshe/groups/modstat_weights.json) from the public set; byte-identical on re-run.
modstat: install
	$(BIN)/python -m bench.train_modstat

# ruff, then the import contract of pyproject.toml [tool.importlinter]: declared layers, no cycles between apps.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
