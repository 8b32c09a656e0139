# The two commands of the README's quick start, and what CI calls.
# `make demo`: the main job on the embedded default (development keys, SQLite under data/), then the service.
# `make test`: the whole test suite, the JavaScript verifier kit's (clients/js, `make test-js`) included.
# `make scan-page`: rebuild the scan page's browser files (clients/scanpage -> web/ui/static, committed).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-js lint install lock audit cluster-test scan-page

JS := clients/js
SCANPAGE := clients/scanpage

# Every package at the version and hash that requirements.lock pins, then the project itself (no dependency
# resolution at install time: the same versions on every machine).
LOCK := requirements.lock

$(BIN)/verify: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/verify

# Re-pin after a change to pyproject.toml's dependencies (tests/core/test_lock.py fails until then).
lock: $(BIN)/verify
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --custom-compile-command 'make lock' --quiet -o $(LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra web --extra hsm --extra otel --generate-hashes \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --custom-compile-command 'make lock' \
	  --quiet -o requirements-web.lock

# Known vulnerabilities of the pinned versions (pip-audit), where the advisory database is reachable.
audit: install
	$(BIN)/python tools/audit.py --lock $(LOCK)

install: $(BIN)/verify

demo: install
	$(BIN)/verify demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The kit's dependencies, exactly as package-lock.json pins them (again only when the lock changes).
$(JS)/node_modules/.package-lock.json: $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --no-audit --no-fund
	touch $@

# The scan page's bundler and decoder (esbuild, zxing-wasm), pinned by its own lock file.
$(SCANPAGE)/node_modules/.package-lock.json: $(SCANPAGE)/package.json $(SCANPAGE)/package-lock.json
	cd $(SCANPAGE) && npm ci --no-audit --no-fund
	touch $@

# Type-check and build the kit (tsc), then run its tests with node's test runner; then check that the scan page's
# committed browser files (web/ui/static/scan-app.js, scan-sw.js, zxing_reader.wasm) are built from their sources.
test-js: $(JS)/node_modules/.package-lock.json $(SCANPAGE)/node_modules/.package-lock.json
	cd $(JS) && npm test
	cd $(SCANPAGE) && npm run check

scan-page: $(JS)/node_modules/.package-lock.json $(SCANPAGE)/node_modules/.package-lock.json
	cd $(SCANPAGE) && npm run build

# The deployment on this machine: primary + streaming replica, Redis, two instances, HAProxy (deploy/); it prints
# each check's figure. Part of `make test` too.
cluster-test: install
	CI=$${CI:-true} $(BIN)/python -m pytest -q tests/cluster

test: install lint test-js
	$(BIN)/python -m pytest -q
