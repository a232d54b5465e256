# polkg — two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
KG     := $(BIN)/kg
STORE  ?= .kg

.PHONY: demo screenshots test test-fast test-slow eval eval-test splits train learning-curve quality bench bench-quick bench-ingest notebooks install install-test lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The lock files are complete (uv pip compile output): install them exactly as written with
# --no-deps, so pip never resolves an extra against the live index, then let `pip check`
# prove that nothing is missing or mismatched.
LOCKED := $(PIP) install --quiet --no-deps --require-hashes

$(VENV)/.installed: $(BIN)/python requirements/main.txt pyproject.toml
	$(LOCKED) -r requirements/main.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	$(LOCKED) -r requirements/test.txt
	$(PIP) check
	touch $@

$(VENV)/.installed-notebooks: $(VENV)/.installed-test requirements/notebooks.txt
	$(LOCKED) -r requirements/notebooks.txt
	$(PIP) check
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(KG) --store $(STORE) ingest seeds/
	$(KG) --store $(STORE) summary
	$(KG) --store $(STORE) view --output out/graph.html
	@echo "Open out/graph.html in a browser."

test: install-test
	$(BIN)/python -m pytest

test-fast: install-test
	$(BIN)/python -m pytest -m "not slow"

# The README's pictures of the viewer, as the browser tests take them (out/test-artifacts/).
screenshots: install-test
	$(BIN)/python -m pytest tests/viz/test_viz_browser.py tests/viz/test_viz_workbench.py -q \
	  -k "seed_page or labels_readable or 500_nodes or screenshots"
	cp out/test-artifacts/screenshot-seed.png out/test-artifacts/viewer-16.png out/test-artifacts/viewer-53.png \
	  out/test-artifacts/viewer-500.png out/test-artifacts/viewer-table.png out/test-artifacts/viewer-actor.png docs/

# Browser, server, crash and load tests only.
test-slow: install-test
	$(BIN)/python -m pytest -m slow

# The gold documents split once into train / dev / test (tests/gold/splits.tsv, never moved);
# `make splits` adds newly annotated documents to the manifest and rewrites the split files.
GOLD := tests/gold
splits: install
	$(BIN)/python -m kg.splits $(GOLD)

# Scores on the dev and train splits (per document too). The split files are rewritten from the
# manifest first (new documents are not added: that is `make splits`).
eval: install
	$(BIN)/python -m kg.splits $(GOLD) --no-add
	$(KG) eval $(GOLD)/dev.jsonl $(EVAL_FLAGS)
	$(KG) eval $(GOLD)/train.jsonl --summary $(EVAL_FLAGS)

# The sentence classifier of kg/extract/learned.py, trained on the train split with
# training/decisions.cfg (seeded, CPU, well under a minute here) and copied into kg/models/decisions.
train: install
	nice $(BIN)/python training/train.py

# The locked test split: the aggregate table only, never per-document lines or errors.
eval-test: install
	@$(BIN)/python -m kg.splits $(GOLD) --no-add >/dev/null
	@$(KG) eval $(GOLD)/test.jsonl --summary $(EVAL_FLAGS)

# `make eval EVAL_FLAGS=--rules-only` (or eval-test) scores the rules without the classifier.
EVAL_FLAGS ?=

# Rules alone vs with the learned decisions on dev and test (aggregates only), and the learning
# curve (the classifier trained on 25 / 50 / 100% of train); both print Markdown for bench/RESULTS.md.
quality: install
	nice $(BIN)/python bench/quality.py

learning-curve: install
	nice $(BIN)/python bench/learning_curve.py

# JupyterLab on notebooks/, reachable from this machine only. (`make test` runs the notebooks.)
notebooks: $(VENV)/.installed-notebooks
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks --ServerApp.allow_root=True

# The scale suite (bench/ingest.py --suite): ingest vs bare spaCy at -j 1 and 2, re-ingest,
# Dask, store size, memory, query latency; paste its Markdown into bench/RESULTS.md.
# Hours on 2 cores at 10,000 documents; `make bench BENCH_SIZES=1000 BENCH_RUNS=1` takes ~10 minutes.
BENCH_SIZES ?= 1000 10000
BENCH_RUNS  ?= 3
bench: install-test
	$(BIN)/python bench/ingest.py --suite --sizes $(BENCH_SIZES) --runs $(BENCH_RUNS)

# The whole `kg ingest` process against a bare spaCy process with the same components, at -j 1 and 2,
# arms alternated, medians of 3, with the per-stage split and `kg stats` / `kg query` latency.
# bench-quick: 40 real and 40 synthetic documents, a few minutes; bench-ingest: 200 real, 1,000 synthetic.
bench-quick: install-test
	$(BIN)/python bench/ingest.py --quick
bench-ingest: install-test
	$(BIN)/python bench/ingest.py --real 200 --synthetic 1000

# Regenerate the pinned requirement files (needs network to the package index).
lock:
	$(PIP) install --quiet uv
	$(BIN)/uv pip compile --python-version 3.11 --generate-hashes requirements/main.in -o requirements/main.txt
	$(BIN)/uv pip compile --python-version 3.11 --generate-hashes requirements/test.in -o requirements/test.txt
	$(BIN)/uv pip compile --python-version 3.11 --generate-hashes requirements/notebooks.in -o requirements/notebooks.txt

clean:
	rm -rf $(VENV) $(STORE) out .pytest_cache
