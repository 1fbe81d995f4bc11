# The README's contract: `make demo` and `make test` work on a fresh machine from a clean clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed
# `make test-min`: the suite on the lowest versions pyproject.toml allows (pinned in MIN_VERSIONS)
MIN_VENV := .venv-min
MIN_PY := $(MIN_VENV)/bin/python
MIN_VERSIONS := .ci/min-versions.txt

.PHONY: setup demo test test-real test-min bench clean redis-server nginx docs docs-serve chromium

setup: $(STAMP)

redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# the proxy tests (tests/client/test_behind_nginx.py) and bench/latency.py run Debian's nginx
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "installing nginx (Debian package)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

# the browser test (tests/frames/test_browser.py) drives Debian's headless Chromium with its driver
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || { \
	  echo "installing chromium and chromium-driver (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

$(STAMP): pyproject.toml | redis-server nginx chromium
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all]'
	touch $(STAMP)

$(MIN_VENV)/.installed: pyproject.toml $(MIN_VERSIONS) | redis-server nginx chromium
	test -x $(MIN_PY) || $(PYTHON) -m venv $(MIN_VENV)
	$(MIN_PY) -m pip install -q --upgrade pip
	$(MIN_PY) -m pip install -q -c $(MIN_VERSIONS) -e '.[all]'
	touch $@

$(DOCS_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install -q -e '.[docs]'
	touch $@

# The documentation site (mkdocs.yml): built into site/ with --strict, served on http://127.0.0.1:8000
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve

demo: setup
	$(PY) -m zenoo.demo

# mypy --strict over zenoo/ and zenoo_frames/ (settings in pyproject.toml), then the suite
# (which builds the documentation site with --strict: tests/test_docs_site.py)
test: setup $(DOCS_STAMP)
	$(PY) -m mypy
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The suite against real Odoo 19 and 17 (see tests/real_odoo/run.sh for the variables).
test-real: setup
	PY=$(PY) tests/real_odoo/run.sh $(PYTEST_ARGS)

test-min: $(MIN_VENV)/.installed
	$(MIN_PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/orm.py
	$(PY) bench/server.py
	$(PY) bench/fetch.py
	$(PY) bench/cache.py
	$(PY) bench/small_calls.py
	$(PY) bench/writing.py
	$(PY) bench/writeback.py
	$(PY) bench/latency.py

clean:
	rm -rf $(VENV) $(MIN_VENV) .pytest_cache .hypothesis site
