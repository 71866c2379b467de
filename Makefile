# Joinery: `make run` serves the portal on the embedded default; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

WEB := frontend
NODE_STAMP := $(WEB)/node_modules/.installed
WEB_BUILD := $(WEB)/dist/index.html
WEB_SOURCES := $(shell find $(WEB)/src -type f 2>/dev/null) $(WEB)/index.html $(WEB)/vite.config.ts

.PHONY: install run test test-deep lint typecheck pytest webtest bench api-types clean

install: $(STAMP) $(WEB_BUILD)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# The web app: npm ci from the committed lock file, then Vite builds it into frontend/dist.
$(NODE_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

$(WEB_BUILD): $(NODE_STAMP) $(WEB_SOURCES)
	cd $(WEB) && npm run --silent build

# The embedded default: SQLite portal and data databases, kombu's file-system broker and the
# in-memory channel layer, all under var/. One command: migrations, the demo pipeline (its login
# is printed), a Celery worker in the background and the ASGI server (daphne) in front; Ctrl-C
# stops both.
comma := ,
run: export JOINERY_PIPELINE_MODULES := pipelines.demo.pipeline@demo$(if $(JOINERY_PIPELINE_MODULES),$(comma)$(JOINERY_PIPELINE_MODULES))
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@$(BIN)/celery -A config worker --loglevel WARNING --concurrency 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	cd $(WEB) && npm run --silent lint

typecheck: install
	$(BIN)/mypy pipelines accounts frontend config
	cd $(WEB) && npm run --silent typecheck

pytest: install
	$(BIN)/pytest -n 2 --dist loadfile

# Unit tests of the web app (vitest); the browser tests run under pytest.
webtest: install
	cd $(WEB) && npm run --silent test

test: lint typecheck webtest pytest

# TypeScript types of the API, from its OpenAPI schema (after an API change).
api-types: install
	$(BIN)/python manage.py spectacular --file var/openapi.yaml
	cd $(WEB) && npx openapi-typescript ../var/openapi.yaml -o src/api/schema.d.ts

# The differential algebra test with many more random examples (minutes, not part of `make test`).
test-deep: install
	JOINERY_DEEP=1 $(BIN)/pytest tests/pipelines/core/differential -n 2 --dist loadfile

bench: install
	$(BIN)/python bench/engine_io.py
	$(BIN)/python bench/algebra.py
	$(BIN)/python bench/populate.py
	$(BIN)/python bench/integrity.py
	$(BIN)/python bench/rows_api.py
	$(BIN)/python bench/definition_validate.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache $(WEB)/node_modules $(WEB)/dist
