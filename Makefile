# Two commands set everything up on a fresh Debian/Ubuntu machine: `make serve` and `make test`.
# Both create .venv and install into it exactly what requirements.lock pins, with its hashes (again
# only when a lock changes); `make test` also installs the system tools the tests drive for real.

VENV := .venv
# Material prints a banner about MkDocs 2 on every run; the project pins MkDocs 1.6.
export NO_MKDOCS_2_WARNING := 1
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# A second PyYAML build, whose libyaml has no nesting limit of its own, for the loader's guard tests.
OLD_PYYAML_LOCK := tests/pyyaml-6.0.2.lock
PROJECT_LOCK := generator/project/requirements.lock
OLD_PYYAML := $(VENV)/pyyaml-6.0.2
UV_VERSION := 0.13.9
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
# pip compiles every package it installs but an editable one: refarch's own modules are compiled here, once,
# instead of in each of the many processes the tests start where PYTHONDONTWRITEBYTECODE is set.
COMPILE_OWN = $(BIN)/python -m compileall -q generator
INSTALL_OLD_PYYAML = $(PIP) install --require-hashes --no-deps --upgrade --target $(OLD_PYYAML) -r $(OLD_PYYAML_LOCK)
# The first Python 3.11+ on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)

SERVE_PACKAGES := graphviz
# chromium: browser tests; pcs, pacemaker-cli-utils (crm_verify, crm_simulate), resource-agents and
# fence-agents: the pcs export run for real; scram: the fault-tree cross-check.
TEST_PACKAGES := $(SERVE_PACKAGES) chromium pcs pacemaker-cli-utils resource-agents fence-agents scram

.PHONY: serve test test-latest build bench screenshots lock setup clean

# --dirty: each rebuild renders only the pages that changed (the refarch plugin tells MkDocs which ones
# did, and renders every page again when the navigation changes).
serve: setup ## Serve the site on http://127.0.0.1:8000 with the shipped architectures
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

# REFARCH_NO_SKIPS turns any skipped test into a failure: `make test` runs the whole suite or says why not.
test: setup ## Run the whole test suite, nothing skipped
	@sh scripts/system-packages.sh $(TEST_PACKAGES)
	REFARCH_NO_SKIPS=1 $(BIN)/python -m pytest

# The newest versions pyproject.toml allows, ignoring the lock: what the weekly workflow runs. LATEST_VENV
# lets the setup tests dry-run it in a folder of their own.
LATEST_VENV ?= .venv-latest
test-latest: ## Run the suite on the newest allowed dependencies, in .venv-latest
	$(MAKE) test VENV=$(LATEST_VENV) INSTALL=latest

build: setup ## Build the static site into site/
	$(BIN)/mkdocs build --strict

bench: setup ## Measure validation, analysis, import and site build speed (prints timings, writes docs/performance.md), check the explorer on every set of hosts and open every page in Chromium
	@sh scripts/system-packages.sh chromium
	$(BIN)/python tests/bench.py
	$(BIN)/python tests/bench_site.py
	$(BIN)/python tests/bench_explorer.py
	$(BIN)/python tests/bench_import.py
	REFARCH_EXHAUSTIVE=1 $(BIN)/python -m pytest -q tests/test_browser.py tests/test_hostile.py -k "every_page or hostile_input"

screenshots: setup ## Screenshot every architecture page (1280x800 and a 390x844 phone) into docs/screenshots/
	@sh scripts/system-packages.sh chromium
	$(BIN)/python scripts/screenshots.py

lock: ## Regenerate the locks from pyproject.toml's ranges (newest versions that fit)
	@$(MAKE) --no-print-directory $(BIN)/python
	$(PIP) install --target $(VENV)/uv uv==$(UV_VERSION)
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		| PYTHONPATH=$(VENV)/uv $(VENV)/uv/bin/uv pip compile pyproject.toml - --extra test --universal \
		--python-version 3.11 --generate-hashes --upgrade --custom-compile-command "make lock" --quiet -o $(LOCK)
	echo "PyYAML==6.0.2" | PYTHONPATH=$(VENV)/uv $(VENV)/uv/bin/uv pip compile - --universal \
		--python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet -o $(OLD_PYYAML_LOCK)
	# The lock of the repositories `refarch init` writes: refarch's own pins, without the test tools, with
	# setuptools (their make builds refarch without isolation) and pre-commit (their hook); seeded from the
	# new main lock, whose versions uv then keeps.
	cp $(LOCK) $(PROJECT_LOCK)
	printf 'setuptools>=69\npre-commit\n' | PYTHONPATH=$(VENV)/uv $(VENV)/uv/bin/uv pip compile pyproject.toml - --universal \
		--python-version 3.11 --generate-hashes --custom-compile-command "refarch's make lock" --quiet -o $(PROJECT_LOCK)

setup: $(STAMP)
	@sh scripts/system-packages.sh $(SERVE_PACKAGES)

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then sh scripts/system-packages.sh python3 python3-venv; fi
	@py="$(PYTHON)"; py="$${py:-python3}"; \
	$$py -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "refarch: Python 3.11 or newer is needed (on Ubuntu 22.04: apt-get install python3.11 python3.11-venv)." >&2; exit 1; }; \
	$$py -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); sh scripts/system-packages.sh python3-venv && $$py -m venv $(VENV); }

ifeq ($(INSTALL),latest)
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade --upgrade-strategy eager -e '.[test]'
	$(COMPILE_OWN)
	$(INSTALL_OLD_PYYAML)
	@touch $@
else
# --no-build-isolation: the editable install builds with the locked setuptools instead of fetching one.
$(STAMP): $(LOCK) $(OLD_PYYAML_LOCK) pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	$(COMPILE_OWN)
	$(INSTALL_OLD_PYYAML)
	@touch $@
endif

clean:
	rm -rf $(VENV) .venv-latest site .cache .pytest_cache .hypothesis
