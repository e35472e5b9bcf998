# chmonitor — `make run` starts the app on the embedded engine; `make test` installs what tests need and runs them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
CHM_DATA_DIR ?= data
export CHM_DATA_DIR

.PHONY: run watch test lint bench install install-dev system-deps clean

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

run: $(BIN)/.installed
	$(BIN)/python -m core.launch $(BIN)/streamlit run server.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# The alert watcher on its own (one per deployment; `CHM_ALERTS=true make run` runs it inside the app instead).
watch: $(BIN)/.installed
	$(BIN)/python -m alerts watch

# Debian packages the tests use: Chromium for the browser tests, PostgreSQL for the Postgres store.
system-deps:
	@if ! command -v chromium >/dev/null || ! test -x /usr/lib/postgresql/15/bin/initdb; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium postgresql >/dev/null; \
	fi

test: $(BIN)/.installed-dev system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .

bench: $(BIN)/.installed-dev
	$(BIN)/python bench/store_bench.py

# Every shipped statement on ClickHouse 24.8, 25.8, 26.3 (older chdb wheels, venvs cached in .compat/) and 26.9.
.PHONY: compat
compat: $(BIN)/.installed
	$(BIN)/python bench/compat.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
