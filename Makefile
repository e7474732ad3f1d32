# The two commands a new user needs: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DIST ?= dist
# The panel is rebuilt (by the wheel's build hook) whenever one of its sources changes.
PANEL_SOURCES := $(wildcard labextension/src/*.ts labextension/style/* labextension/schema/*.json) \
	labextension/package.json labextension/yarn.lock labextension/tsconfig.json
ROOT_FLAG = $$([ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: setup demo test test-lint test-panel test-python bench wheel clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(PANEL_SOURCES)
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	rm -rf ipy_reimport/labextension
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	cd notebooks && ../$(BIN)/jupyter lab demo.ipynb \
		--LabApp.app_settings_dir=$(CURDIR)/notebooks/.lab-settings $(ROOT_FLAG)

test: test-lint test-panel test-python

# The Python linter and formatter (ruff, configured in pyproject.toml).
test-lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The panel's linters (stylelint, prettier, eslint) and unit tests.
test-panel: $(STAMP)
	cd labextension && ../$(BIN)/jlpm lint:check && ../$(BIN)/jlpm test

test-python: $(STAMP)
	chrome="$$(PYTHON=$(BIN)/python scripts/ensure-chromium.sh)" && \
		CHROME_PATH="$$chrome" $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/compat.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/soak.py
	chrome="$$(PYTHON=$(BIN)/python scripts/ensure-chromium.sh)" && \
		CHROME_PATH="$$chrome" $(BIN)/python bench/panel.py

# dist/ipy_reimport-*.whl with the built panel inside: installs anywhere with pip, no Node.js.
wheel: $(STAMP)
	rm -f $(DIST)/ipy_reimport-*.whl
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir $(DIST) .
	@ls $(DIST)/ipy_reimport-*.whl

clean:
	rm -rf $(VENV) ipy_reimport/labextension labextension/node_modules labextension/lib dist
