# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.speechcrawl-installed
# pywb pins redis 2.10.6 (through fakeredis); the distributed extra needs redis >= 4.  So pywb, which
# `speechcrawl replay` runs as a child process, lives in an environment of its own.
REPLAY_VENV ?= .venv-replay
REPLAY_STAMP := $(REPLAY_VENV)/.pywb-installed

.PHONY: demo test lint typecheck install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(REPLAY_STAMP):
	$(PYTHON) -m venv $(REPLAY_VENV)
	$(REPLAY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(REPLAY_VENV)/bin/python -m pip install --quiet 'pywb>=2.8'
	touch $(REPLAY_STAMP)

install: $(STAMP) $(REPLAY_STAMP)

demo: $(STAMP)
	$(BIN)/speechcrawl demo

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy cleaners archive

test: lint typecheck $(REPLAY_STAMP)
	SPEECHCRAWL_REPLAY_PYTHON=$(CURDIR)/$(REPLAY_VENV)/bin/python $(BIN)/pytest -q

clean:
	rm -rf $(VENV) $(REPLAY_VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
