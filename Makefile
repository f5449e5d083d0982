# The README's two commands, and the checks they run.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test check install-check bench drills clean

SOURCES := $(shell find domain infrastructure api -name "*.py" -o -name "*.jsonl" -o -name "*.toml" -o -path "api/web/*" -type f)

$(BIN)/ledger: pyproject.toml $(SOURCES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --force-reinstall --no-deps . && $(BIN)/pip install --quiet '.[dev]'
	touch $(BIN)/ledger

## Install, load the article's story and the sourced data sets into ./ledger.db (SQLite), and serve on :8000,
## signing checkpoints with ./ledger-signing.key (made if missing; its verifier key is printed), with an
## editor token for the README's examples in ./ledger-editor.token (made if missing or no longer valid).
serve: export LEDGER_SIGNING_KEY_FILE ?= ledger-signing.key
serve: $(BIN)/ledger
	$(BIN)/ledger keys create --if-missing
	$(BIN)/ledger demo
	$(BIN)/ledger data load
	@$(BIN)/ledger tokens create --role editor --name newsroom --save ledger-editor.token >/dev/null
	@echo "editor token (kept in ledger-editor.token): $$(cat ledger-editor.token)"
	$(BIN)/ledger serve

## Install, then run every check and the whole test suite (PostgreSQL tests need it running).
test: $(BIN)/ledger check install-check
	$(BIN)/pytest

check: $(BIN)/ledger
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## The installed package (not the source tree) works on its own: command, demo data, status.
install-check: $(BIN)/ledger
	@tmp=$$(mktemp -d) && cd $$tmp && \
	  LEDGER_DATABASE_URL=sqlite:///$$tmp/check.db $(abspath $(BIN))/ledger demo && \
	  LEDGER_DATABASE_URL=sqlite:///$$tmp/check.db $(abspath $(BIN))/ledger status taliban-iea --at 2025-07-03 \
	    | grep -q 'recognised by 1: RUS' && \
	  $(abspath $(BIN))/python -c "from api.web_page import WEB; import sys; sys.exit(any(not (WEB / f).is_file() \
	    for f in ('index.html', 'app.js', 'style.css', 'vendor/world-110m.json', 'vendor/d3-geo.min.js')))" && \
	  echo "install-check: installed ledger works, with its web page" && rm -rf $$tmp

## Faults and hostile clients, SQLite and PostgreSQL (needs it running): a table, exit 1 if a promise broke.
## make drills DRILLS=--short for the version CI runs (tests/test_drills.py).
drills: $(BIN)/ledger
	$(BIN)/python -m drills.run $(DRILLS)

## The benchmark at a chosen scale: make bench FACTS=1000000 (default 100000).
FACTS ?= 100000
bench: $(BIN)/ledger
	$(BIN)/python -m bench.run --facts $(FACTS)
	$(BIN)/python -m bench.log_cost --facts $(FACTS)
	$(BIN)/python -m bench.feed_cost
	$(BIN)/python -m bench.limits_cost
	@if command -v wrk >/dev/null; then $(BIN)/python -m bench.hot_route --against bare --facts $(FACTS); \
	  else echo "bench.hot_route skipped: it needs wrk"; fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
