# The two commands of the README: `make lab` and `make test`. Both set everything up first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The interpreter for a new venv: the first of python3.11, 3.12, 3.13, python3 that runs and is
# at least 3.11 (a pyenv shim of a version not selected does not run). `make test PYTHON=python3.12
# VENV=.venv-py312` keeps a second venv beside the first; each venv has its own stamp.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-stamp
PIP := $(BIN)/python -m pip
# Wheels only, on every Python: no package of the lock is ever built from source.
PIP_INSTALL := $(PIP) install --quiet --only-binary=:all:
# Where torch comes from (see README, "Other ways to install"): cpu = the CPU build from
# TORCH_INDEX (about 190 MB); pypi (or cuda) = the lock's pin as pip's index serves it, on Linux
# x86-64 PyPI's CUDA build with its nvidia-* wheels (about 2.7 GB); auto = a torch wheel that pip's
# own configuration has on disk (find-links), else pypi where an NVIDIA driver is present or the
# machine is not Linux x86-64, else cpu.
TORCH ?= auto
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_VERSION := $(shell sed -n 's/^torch==//p' requirements.lock)
ifeq ($(filter auto cpu pypi cuda,$(TORCH)),)
$(error TORCH=$(TORCH): use auto, cpu or pypi (or cuda, the same as pypi))
endif
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

.PHONY: help setup torch python-matches system-deps hub-setup hub lab test test-fast test-cifar \
	test-portability test-busy lint format release grade-demo bench lock image clean

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

# The venv itself, made once from $(PYTHON) after checking its version.
$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: no Python 3.11 or newer found (tried python3.11, \
	python3.12, python3.13, python3); install one or pass PYTHON=/path/to/python3" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; \
	  sys.exit(f"error: $(PYTHON) is Python {v[0]}.{v[1]}; the lock needs 3.11 or newer" \
	  if v < (3, 11) else None); \
	  v > (3, 13) and print(f"note: Python {v[0]}.{v[1]} is untested; 3.11-3.13 are")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# PYTHON=... given for an existing venv of another version: say so instead of using that venv.
PY_VERSION := import sys; print("%d.%d" % sys.version_info[:2])
python-matches: | $(BIN)/python
ifeq ($(origin PYTHON),command line)
	@want=$$($(PYTHON) -c '$(PY_VERSION)'); have=$$($(BIN)/python -c '$(PY_VERSION)'); \
	test "$$want" = "$$have" || { echo "error: $(VENV) is a Python $$have venv and \
	PYTHON=$(PYTHON) is $$want: add VENV=.venv-py$${want/./} (or make clean VENV=$(VENV))" >&2; \
	exit 1; }
endif

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python python-matches
	@$(MAKE) --no-print-directory torch
	$(PIP_INSTALL) -r requirements.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@mkdir -p $(HOME_DIR)
	@touch $(STAMP)

# torch first, from the route TORCH names; the lock's `torch==X` is then already satisfied
# (X+cpu is X for pip), so the lock step adds nothing of PyPI's CUDA build on the cpu route.
TORCH_AUTO = if [ "$$(uname -sm)" != "Linux x86_64" ]; then echo pypi; \
  elif $(PIP) install --dry-run --quiet --no-index --no-deps --only-binary=:all: \
    torch==$(TORCH_VERSION) >/dev/null 2>&1; then echo local; \
  elif command -v nvidia-smi >/dev/null; then echo pypi; else echo cpu; fi
TORCH_PYPI_NOTE = on Linux x86-64 PyPI's CUDA build with its nvidia-* wheels, about 2.7 GB
TORCH_CPU_MISSING = error: no torch $(TORCH_VERSION)+cpu from $(TORCH_INDEX); set TORCH_INDEX, or \
  TORCH=pypi for PyPI's build (with CUDA on Linux x86-64, about 2.7 GB)
torch: | $(BIN)/python
	@route="$(TORCH)"; test "$$route" != auto || route=$$($(TORCH_AUTO)); \
	case "$$route" in \
	  cpu) echo "torch $(TORCH_VERSION): the CPU build from $(TORCH_INDEX) (TORCH=$(TORCH))"; \
	    $(PIP_INSTALL) --no-deps --index-url $(TORCH_INDEX) torch==$(TORCH_VERSION)+cpu \
	    || { echo "$(TORCH_CPU_MISSING)" >&2; exit 1; };; \
	  local) echo "torch $(TORCH_VERSION): the wheel pip's configuration has on disk (find-links)"; \
	    $(PIP_INSTALL) --no-deps --no-index torch==$(TORCH_VERSION);; \
	  *) echo "torch $(TORCH_VERSION): as pip's index serves it (TORCH=$(TORCH); $(TORCH_PYPI_NOTE))"; \
	    $(PIP_INSTALL) torch==$(TORCH_VERSION);; \
	esac

# System packages from Debian/Ubuntu: bubblewrap for the grading sandbox, chromium for the
# browser tests. As root we install what is missing; otherwise grading runs with fewer
# protections (and says so) and the browser tests are skipped. While another apt or dpkg holds
# the package lock (unattended upgrades, a second terminal), apt waits for it up to
# APT_LOCK_TIMEOUT seconds instead of failing at once.
SYSTEM_PACKAGES ?= bubblewrap:bwrap chromium:chromium
# Slurm and munge for the test that grades on a real one-node cluster (docs/CLUSTER.md).
SYSTEM_PACKAGES += slurm-wlm:slurmctld munge:munged
APT_GET ?= apt-get
APT_LOCK_TIMEOUT ?= 600
APT := $(APT_GET) -o DPkg::Lock::Timeout=$(APT_LOCK_TIMEOUT)
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  command -v $${pair#*:} >/dev/null || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v $(APT_GET) >/dev/null; then \
	    echo "installing$$missing (waiting up to $(APT_LOCK_TIMEOUT) s for apt's lock)"; \
	    ($(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq $$missing) \
	      >/dev/null; \
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

# The lock is pip's freeze of this venv, whatever its Python (3.11-3.13 give the same pins):
# torch without its +cpu label, and without the CUDA build's own dependencies (nvidia-*, cuda-*,
# triton), which torch pins itself and which the cpu route never installs.
lock: setup
	@grep '^#' requirements.lock > requirements.lock.new
	$(PIP) freeze --all --exclude-editable | grep -v '^pip==' \
	  | grep -Eiv '^(nvidia[-_]|cuda[-_]|triton==)' \
	  | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' >> requirements.lock.new
	@mv requirements.lock.new requirements.lock

# The grading image that deploy/kubernetes/ names (docs/CLUSTER.md).
.PHONY: image
IMAGE ?= nn-course-kit:latest
image:
	docker build -f deploy/Dockerfile -t $(IMAGE) .

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .ruff_cache
