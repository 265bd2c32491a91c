# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.speechcrawl-installed

.PHONY: demo test lint typecheck install clean

# pywb (test extra) pulls in brotlipy, whose `brotli` package shadows Google's brotli module and
# breaks Scrapy's br decoding (it calls Decompressor.process); pywb needs it only to record live.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip uninstall --quiet --yes brotlipy
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/speechcrawl demo

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy cleaners archive

test: lint typecheck
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
