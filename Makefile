# Two commands do everything on a fresh machine: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The environment is rebuilt when pyproject.toml's content changes, not its modification time (nbdev_export rewrites the
# file with the same text).
SPEC   := $(shell sha256sum pyproject.toml 2>/dev/null | cut -c1-16)
STAMP  := $(VENV)/.installed-$(SPEC)
# The test runner runs two notebooks at once; one torch thread each keeps the two cores busy without oversubscription.
TEST_ENV := CARDS_NUM_THREADS=1

.PHONY: setup setup-robustbench demo test test-slow export clean-nbs check-sync readme docs check-docs bench clean

setup: $(STAMP)

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed*; touch $@

# The optional RobustBench extra: 32_robustbench then also runs RobustBench's own classes and loader (CI installs it).
setup-robustbench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,robustbench]"

demo: $(STAMP)
	$(BIN)/cards-nb demo

test: $(STAMP)
	$(TEST_ENV) $(BIN)/nbdev_test --n-workers 2

test-slow: $(STAMP)
	$(BIN)/nbdev_test --flags slow --n-workers 1

export: $(STAMP)
	$(BIN)/nbdev_export

clean-nbs: $(STAMP)
	$(BIN)/nbdev_clean

# The library must be exactly what the notebooks export.
check-sync: $(STAMP)
	$(BIN)/nbdev_export && git diff --exit-code -- cards_nb && test -z "$$(git status --porcelain -- cards_nb)"

readme: $(STAMP)
	$(BIN)/cards-nb readme

docs: $(STAMP)
	$(BIN)/cards-nb docs

# The built site and README: an API entry for every exported name and public method (--strict: a missing one fails),
# no warning text or local path on any page, and (where Chromium is installed) every page opened in a headless browser.
check-docs: docs readme
	$(BIN)/python tools/check_site.py _docs --readme README.md --strict

bench: $(STAMP)
	$(BIN)/python benchmarks/train_step.py
	$(BIN)/python benchmarks/compression.py
	$(BIN)/python benchmarks/corruptions.py
	$(BIN)/python benchmarks/decks.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) _docs _proc runs
