# The two set-up commands of the README: `make demo` and `make test`.
# Both create ./.venv on first use and install adapterkit into it (CPU torch, pinned in constraints.txt:
# for development and CI only; on a GPU machine follow the README's "Install on a GPU machine").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean-demo

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/adapterkit run demo

test: $(STAMP)
	$(BIN)/ruff check adapterkit tests benchmarks scripts
	$(BIN)/python scripts/make_standin_corpora.py --check
	$(BIN)/python scripts/make_standin_tasks.py --check
	$(BIN)/python scripts/cli_reference.py --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $$(mktemp -d)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check adapterkit tests benchmarks scripts
