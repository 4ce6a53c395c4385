# The two commands of the README: `make lab` and `make test`. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2
LAB_PORT ?= 8888

# Jupyter, IPython and matplotlib write their config and runtime files inside the project.
HOME_DIR := $(CURDIR)/.jupyter-home
export JUPYTER_CONFIG_DIR := $(HOME_DIR)/config
export JUPYTER_DATA_DIR := $(HOME_DIR)/data
export JUPYTER_RUNTIME_DIR := $(HOME_DIR)/runtime
export JUPYTERLAB_SETTINGS_DIR := $(HOME_DIR)/lab/user-settings
export JUPYTERLAB_WORKSPACES_DIR := $(HOME_DIR)/lab/workspaces
export IPYTHONDIR := $(HOME_DIR)/ipython
export MPLCONFIGDIR := $(HOME_DIR)/matplotlib
export PATH := $(BIN):$(PATH)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help setup system-deps hub-setup hub lab test test-fast test-cifar test-portability \
	test-busy lint format release grade-demo bench lock clean

help:
	@echo "make lab        set up (once) and open the course in JupyterLab"
	@echo "make test       set up (once) and run every test, lint included"
	@echo "make test-fast  the tests without the slow and browser ones"
	@echo "make test-cifar every notebook's CIFAR-10 branch, on a synthetic archive (slow)"
	@echo "make test-portability  the numerics tests under forced BLAS/SIMD kernels (other CPUs)"
	@echo "make test-busy  the browser and notebook tests while two processes hold the CPUs"
	@echo "make release    regenerate notebooks/ and the student bundles from solutions/"
	@echo "make grade-demo grade a generated class of sample submissions, offline"
	@echo "make bench      measure the kit against its peers and budgets (docs/benchmarks.md)"
	@echo "make hub        run the class's JupyterHub (as root; deploy/jupyterhub/README.md)"
	@echo "make image      build the grading image for Kubernetes (docs/CLUSTER.md; needs Docker)"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@mkdir -p $(HOME_DIR)
	@touch $(STAMP)

# System packages from Debian/Ubuntu: bubblewrap for the grading sandbox, chromium for the
# browser tests. As root we install what is missing; otherwise grading runs with fewer
# protections (and says so) and the browser tests are skipped.
SYSTEM_PACKAGES := bubblewrap:bwrap chromium:chromium
# Slurm and munge for the test that grades on a real one-node cluster (docs/CLUSTER.md).
SYSTEM_PACKAGES += slurm-wlm:slurmctld munge:munged
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v $${pair#*:} >/dev/null || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "note: not installed:$$missing (apt install$$missing); see README"; fi; \
	fi

# JupyterLab's defaults for everyone using this environment: no "news" pop-up, no update
# check (students would be asked on first start; nothing is fetched from outside).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): deploy/jupyterlab/overrides.json $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

# The proxy JupyterHub needs, from npm, pinned by deploy/jupyterhub/proxy/package-lock.json
# and installed into that folder (never globally). Skipped, with a note, where npm is missing.
PROXY := deploy/jupyterhub/proxy/node_modules/.bin/configurable-http-proxy
$(PROXY): deploy/jupyterhub/proxy/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix deploy/jupyterhub/proxy --no-audit --no-fund --loglevel=error; \
	else echo "note: npm not found: the class hub (make hub) needs it (apt install npm)"; fi

hub-setup: $(PROXY)

setup: $(STAMP) $(LAB_OVERRIDES) hub-setup system-deps

# The class's JupyterHub, as root (it starts each user's server as that Unix user). Set
# COURSE_INSTRUCTOR and COURSE_STUDENTS (or COURSE_ROSTER); deploy/jupyterhub/README.md.
hub: setup
	@test "$$(id -u)" = 0 || { echo "make hub runs as root (PAM logins, servers as users)"; exit 2; }
	@mkdir -p $${COURSE_HUB_STATE:-/srv/jupyterhub} $${COURSE_EXCHANGE:-/srv/nbgrader/exchange}
	@chmod 700 $${COURSE_HUB_STATE:-/srv/jupyterhub}; chmod 1777 $${COURSE_EXCHANGE:-/srv/nbgrader/exchange}
	cd $${COURSE_HUB_STATE:-/srv/jupyterhub} && $(BIN)/jupyterhub -f $(CURDIR)/deploy/jupyterhub/jupyterhub_config.py

lab: setup
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) $(ALLOW_ROOT) \
	  --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=20

test-fast: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not slow and not browser"

# What other CPUs compute: the tests marked `numerics` (training runs, notebook claims, the
# solution notebooks) under forced kernels, e.g. `make test-portability KERNELS="Prescott Zen"`.
KERNELS ?= Prescott Haswell
test-portability: setup
	$(BIN)/python -m tests.portability $(KERNELS) -- -n $(PYTEST_WORKERS) --dist loadgroup -q

# A loaded machine: the tests that wait on a browser or a kernel, beside two busy processes.
test-busy: setup
	$(BIN)/python -m tests.busy 2 -- $(BIN)/python -m pytest -n $(PYTEST_WORKERS) \
	  --dist loadgroup -q tests/test_browser.py tests/test_validate.py tests/test_lab_server.py

test-cifar: setup
	COURSE_TEST_CIFAR=all $(BIN)/python -m pytest -n $(PYTEST_WORKERS) tests/test_notebooks_cifar10.py

release: setup
	$(BIN)/python -m autograder release

grade-demo: setup
	$(BIN)/python -m autograder demo

bench: setup
	$(BIN)/python -m tests.bench

lock: setup
	@grep '^#' requirements.lock > requirements.lock.new
	$(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip==' \
	  | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' >> requirements.lock.new
	@mv requirements.lock.new requirements.lock

# The grading image that deploy/kubernetes/ names (docs/CLUSTER.md).
.PHONY: image
IMAGE ?= nn-course-kit:latest
image:
	docker build -f deploy/Dockerfile -t $(IMAGE) .

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .ruff_cache
