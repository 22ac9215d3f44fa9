# Two commands on a fresh machine:  make demo  (build the demo site)  and  make test  (the whole suite + ruff).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test fuzz lint format system-deps clean bench

$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/sentinel --quiet build
	@echo "Demo site built. Open site/index.html in a browser (or run '$(BIN)/sentinel serve' for http://127.0.0.1:8000/)."

# Debian packages the real-client tests need (browser, PDF, Prometheus, the Atom schema validator xmllint,
# LibreOffice for the PPTX); installed only when missing. LibreOffice is large: it is checked by its command.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
	{ command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; } || missing="$$missing libreoffice-impress"; \
	{ command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; } || missing="$$missing nodejs npm"; \
	{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing="$$missing prometheus"; \
	[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing="$$missing fonts-noto-color-emoji"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# npm clients the tests run against the built site (the Statuspage client), pinned by tests/node/package-lock.json
tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.test system-deps tests/node/node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# Long random runs of every Hypothesis property (the suite itself uses fixed seeds).
FUZZ_MINUTES ?= 30
FUZZ_FACTOR  ?= 20
fuzz: $(VENV)/.test
	$(BIN)/python tests/fuzz_loop.py --minutes $(FUZZ_MINUTES) --factor $(FUZZ_FACTOR)

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(VENV)/.test
	$(BIN)/python benchmarks/ingest.py --rows 10000000

clean:
	rm -rf site .sentinel .pytest_cache build *.egg-info
