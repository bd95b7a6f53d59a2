# Two commands set everything up on a fresh Debian/Ubuntu machine: `make serve` and `make test`.
# Both create .venv, install the project into it (again only when pyproject.toml changes) and make
# sure Graphviz's `dot` is on the machine.

VENV := .venv
# Material prints a banner about MkDocs 2 on every run; the project pins MkDocs 1.6.
export NO_MKDOCS_2_WARNING := 1
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The first Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: serve test build bench setup system-packages clean

serve: setup ## Serve the site on http://127.0.0.1:8000 with the shipped architectures
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

test: setup ## Run the whole test suite
	$(BIN)/python -m pytest

build: setup ## Build the static site into site/
	$(BIN)/mkdocs build --strict

bench: setup ## Measure validation speed (prints timings; asserts nothing)
	$(BIN)/python tests/bench.py

setup: system-packages $(STAMP)

system-packages:
	@command -v dot >/dev/null 2>&1 || sh scripts/system-packages.sh graphviz

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then sh scripts/system-packages.sh python3 python3-venv; fi
	@py="$(PYTHON)"; py="$${py:-python3}"; \
	$$py -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "refarch: Python 3.11 or newer is needed (on Ubuntu 22.04: apt-get install python3.11 python3.11-venv)." >&2; exit 1; }; \
	if [ ! -x $(BIN)/python ]; then \
		$$py -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); sh scripts/system-packages.sh python3-venv && $$py -m venv $(VENV); }; \
	fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) site .cache .pytest_cache .hypothesis
