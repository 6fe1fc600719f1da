# One entry point for the book. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROFILE ?= full
JOBS ?= 2
NB ?=
ARGS ?=

# trained zoo models are cached here (git-ignored); one BLAS/torch thread per process
export UNIFIED_ATTRIBUTION_CACHE ?= $(CURDIR)/.cache
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION ?= 1

.PHONY: help setup notebooks notebook html check-pages book book-student test benchmark sweep browser format bundle assignment clean

help:
	@echo "make setup      create .venv (torch 2.13.0 CPU first, then the package with its extras)"
	@echo "make book       setup, execute every notebook (full profile; one whose inputs did not change since its last execution is reused), strict build, browser check"
	@echo "make test       setup, run pytest (which also executes every notebook as make book does, into book/executed)"
	@echo "make notebook NB=name [PROFILE=quick] [ARGS='-p seed 3']   rerun one notebook"
	@echo "make benchmark  run benchmarks/ (writes benchmarks/results/, read by the book's Cost page)"
	@echo "make sweep [SEEDS=5] [SCHEDULER=tcp://host:8786]   seeded chapters at K seeds on Dask (writes benchmarks/results/seed_sweep.json, read by the ledger)"
	@echo "make bundle NB=name [STUDENT=1]   one executed chapter (STUDENT=1: without solutions), its results and a wheel, to run outside the repository"
	@echo "make assignment NB=name   the chapter as an autograded assignment (_build/assignments/name/, README there)"
	@echo "make book-student   the book without the exercises' solutions (_build/student/_build/html), from the executed chapters"
	@echo "make format     ruff format: src, tests, benchmarks, and the chapters as notebooks"
	@echo "make clean      remove generated files (keeps .venv and the model cache)"

setup: $(STAMP)

# reinstalls only when the dependency pins change; `make setup` is a no-op otherwise
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=python3.11)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book,sweep,test,assignments]'
	# the LRP oracles of tests/test_oracles.py (zennit; lxt, AttnLRP's reference), in a folder of
	# their own: --no-deps, as their torchvision / transformers requirements would pull a CUDA torch
	# (the modules the tests load import torch only), and outside site-packages, as quantus
	# imports any zennit it finds
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --upgrade --target $(VENV)/oracles zennit==0.5.1 lxt==2.1
	touch $(STAMP)

bundle: setup
	@test -n "$(NB)" || { echo "name the chapter: make bundle NB=gradient_methods (see notebooks/)"; exit 2; }
	$(PY) -m attribution_book.bookbuild.bundle $(NB) $(if $(STUDENT),--student)

assignment: setup
	@test -n "$(NB)" || { echo "name the chapter: make assignment NB=taylor_interactions (graded chapters: taylor_interactions, propagation_methods, gradient_methods)"; exit 2; }
	$(PY) -m attribution_book.bookbuild.assignment build $(NB)

format: setup
	$(VENV)/bin/ruff format src tests benchmarks
	$(PY) -m attribution_book.bookbuild.notebook_format

notebooks: setup
	$(PY) -m attribution_book.bookbuild.execute --profile $(PROFILE) --jobs $(JOBS) $(ARGS)

notebook: setup
	@test -n "$(NB)" || { echo "name the notebook: make notebook NB=models_and_data (see notebooks/)"; exit 2; }
	$(PY) -m attribution_book.bookbuild.execute --only $(NB) --profile $(PROFILE) $(ARGS)
	@# the ledger reads every chapter's verdicts: rebuild it too, and check it against them
	@if [ "$(NB)" != "claims" ]; then $(PY) -m attribution_book.bookbuild.execute --only claims --profile $(PROFILE); fi
	$(PY) -c "import sys; from attribution_book import claims; p = claims.check('book/executed'); print('\n'.join(p) or 'the ledger agrees with every chapter'); sys.exit(bool(p))"

# strict: warnings are errors, nitpicky references; notebooks were executed by papermill
html: setup
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(VENV)/bin/jupyter-book build . --builder html -W -n --keep-going

browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the page check"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the page check needs chromium: sudo apt-get install chromium"; exit 1; fi; }

check-pages: setup browser
	$(PY) -m attribution_book.bookbuild.check_pages _build/html

book: setup browser
	$(MAKE) notebooks PROFILE=full ARGS=--reuse
	$(MAKE) html
	$(MAKE) check-pages
	@echo "The book: $(CURDIR)/_build/html/index.html"

book-student: setup browser
	$(MAKE) notebooks PROFILE=full ARGS=--reuse
	$(PY) -m attribution_book.bookbuild.student
	$(PY) -m attribution_book.bookbuild.check_pages _build/student/_build/html --screenshots _build/student/page-check

test: setup
	$(PY) -m pytest

benchmark: setup
	$(PY) benchmarks/bench_dividends.py
	$(PY) benchmarks/bench_sasanet_budget.py
	$(PY) benchmarks/bench_sasanet_cost.py
	$(PY) benchmarks/bench_comparison.py
	$(PY) benchmarks/bench_propagation.py

SEEDS ?= 5
SCHEDULER ?=
sweep: setup
	$(PY) -m attribution_book.sweep --seeds $(SEEDS) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

clean:
	rm -rf _build book/executed
