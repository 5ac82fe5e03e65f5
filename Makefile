# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo refresh test test-superset superset lint services browser install clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

## Simulate the estate, extract it, build the warehouse and render the reports (DuckDB).
demo: install services
	$(BIN)/luckin demo

## The job after each extract, for a scheduler to run: extract, build (incremental once a
## complete build is on record), gate and publish. The project has no scheduler of its own.
refresh: install
	$(BIN)/luckin extract --no-progress && $(BIN)/luckin build && $(BIN)/luckin publish

## The whole test suite against the local MariaDB, Redis, PostgreSQL and DuckDB.
test: install services browser
	$(BIN)/pytest -n 2

## Apache Superset on the published marts, with the executive dashboard (installs it the first time).
superset: install services
	$(BIN)/luckin bi superset

## Superset's own test (starts a server; not part of `make test`): charts against report 00.
test-superset: install services
	$(BIN)/pytest -m superset tests/bi/test_superset.py

## SQL style (sqlfluff) and project conventions (dbt-bouncer over the manifest); also run by `make test`.
lint: install
	$(BIN)/sqlfluff lint models analyses macros tests/dbt/singular snapshots
	$(BIN)/dbt parse --quiet --no-use-colors
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml

services:
	bash scripts/start-services.sh

# Headless Chromium (Debian package) for the report suite's browser test.
browser:
	bash scripts/install-browser.sh

clean:
	rm -rf data target logs reports
