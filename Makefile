# Set-up and everyday commands. `make brochures` installs and builds; `make test` installs and tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Exact versions of every Python package, as the test suite last passed with them: a new release
# upstream (a changed CLDR plural rule in Babel, a new warning, a new lint rule) cannot break an
# install or CI between two deliberate upgrades. pyproject.toml keeps the lower bounds.
CONSTRAINTS := .ci/constraints.txt
# Debian packages: Python, Noto fonts for every reference script, HarfBuzz subsetting for
# WeasyPrint (17x faster than fontTools), Pango, poppler (pdftotext/pdftoppm) and GNU gettext.
APT_PACKAGES := python3 python3-venv python3-pip fonts-noto-core libharfbuzz-subset0 \
	libpango-1.0-0 libpangoft2-1.0-0 poppler-utils gettext
# For the tests only: Chromium (the download page in a real browser) and Ghostscript's CMYK
# ICC profile (PDF/X-4 output intent).
APT_TEST_PACKAGES := chromium libgs-common

.PHONY: brochures test checks venv venv-test npm-test constraints ui-messages

brochures: ## install everything and build the default brochures into build/
	@$(MAKE) --no-print-directory system PACKAGES="$(APT_PACKAGES)"
	@$(MAKE) --no-print-directory venv
	$(BIN)/brochures build

test: ## install everything and run the checks and the test suite
	@$(MAKE) --no-print-directory system PACKAGES="$(APT_PACKAGES) $(APT_TEST_PACKAGES)"
	@$(MAKE) --no-print-directory venv-test
	@$(MAKE) --no-print-directory npm-test
	@$(MAKE) --no-print-directory checks

# axe-core and puppeteer-core (tests/browser/package-lock.json) for the download page's browser
# test; Node.js and npm from Debian only where no npm is installed yet (a NodeSource nodejs
# brings its own npm, which Debian's npm package would conflict with).
npm-test:
	@command -v npm >/dev/null || $(MAKE) --no-print-directory system PACKAGES="nodejs npm"
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

checks:
	$(BIN)/ruff check brochures tests benchmarks
	$(BIN)/ruff format --check brochures tests benchmarks
	$(BIN)/brochures catalog update --check
	$(BIN)/pytest

system:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $(PACKAGES) >/dev/null; \
	else \
		missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			echo "Not root: please install the missing system packages first:"; \
			echo "  sudo apt-get install" $$missing; \
			exit 1; \
		fi; \
	fi

venv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) .

venv-test:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e ".[test,translate]"

constraints: ## upgrade every package within pyproject.toml's bounds, run the checks, pin them
	@$(MAKE) --no-print-directory venv-test CONSTRAINTS=/dev/null
	$(BIN)/python -m pip install -q --upgrade --upgrade-strategy eager -e ".[test,translate]"
	@$(MAKE) --no-print-directory checks
	{ sed -n 1,2p $(CONSTRAINTS); $(BIN)/python -m pip freeze --exclude-editable \
		| grep -v -i '^brochures'; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

ui-messages: ## extract the tool's own messages into brochures/locale/ (docs/i18n.md)
	$(BIN)/python -m brochures.uimessages
