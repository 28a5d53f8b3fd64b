# The README's commands. `make run` and `make test` each set up everything they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PORT   ?= 8000
SANDBOX_PORT ?= 8700

.PHONY: install messages run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

messages: install
	$(BIN)/pybabel -q compile -d locale -D django

run: install messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	@echo
	@echo "  Empresa24 is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops everything)"
	@echo
	@# honcho gives each process its own PORT (web: $(PORT), the next +100...): the others use PORTAL_BASE_URL.
	PORT=$(PORT) PORTAL_BASE_URL=http://127.0.0.1:$(PORT) SANDBOX_PORT=$(SANDBOX_PORT) \
	  XROAD_SECURITY_SERVER_URL=http://127.0.0.1:$(SANDBOX_PORT) \
	  SANDBOX_IDP_REDIRECT_URIS=http://127.0.0.1:$(PORT)/oidc/callback/,http://localhost:$(PORT)/oidc/callback/ \
	  SANDBOX_IDP_POST_LOGOUT_REDIRECT_URIS=http://127.0.0.1:$(PORT)/,http://localhost:$(PORT)/ \
	  $(BIN)/honcho --procfile Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict xroad_client
	$(BIN)/mypy portal companies sandbox
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

test: install messages lint
	$(BIN)/python -m pytest

bench: install messages
	$(BIN)/python benchmarks/summary.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
