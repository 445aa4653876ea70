# Set-up and everyday commands. `make serve` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Material prints an end-of-life banner on every build; it is not about this project.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build check test lint browser bench clean

# The virtual environment is rebuilt whenever the pinned dependencies change.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# --dirty: an edit rebuilds only the pages it changes (build_scripts/incremental.py).
serve: $(STAMP)  ## Serve the dossier at http://127.0.0.1:8000, reloading on edits under dossier/
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

build: $(STAMP)  ## Build the static site into site/
	$(BIN)/mkdocs build --strict

check: $(STAMP)  ## List every problem in the dossier as path:line: message
	$(BIN)/python -m build_scripts check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's chromium for the browser tests, installed when missing and we are root. Elsewhere
# the browser tests say why they skip (and fail under CI=true).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: lint browser  ## Lint, then every test
	$(BIN)/python -m pytest

.PHONY: screenshots
# The README's screenshot, docs/assets/screenshots/actor-page.png, made by the code that the
# browser tests use for their screenshots in test-output/screenshots/.
screenshots: $(STAMP) browser  ## Rebuild the site and refresh the README's screenshot
	$(BIN)/python tests/browser/screenshots.py

bench: $(STAMP)  ## Benchmark against plain MkDocs (N=1,000 and 10,000); not part of make test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site .pytest_cache .ruff_cache
