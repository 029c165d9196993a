# framelens — the two set-up commands are `make reports` and `make test`.
# Each bootstraps uv (with pip, into .tools/, if it is not on PATH), syncs the locked
# environment into .venv, then runs.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := .tools/bin/uv
endif
VENV := .venv
CORPUS ?= seeds
OUT ?= outputs
JOBS ?= 2
export UV_PYTHON_DOWNLOADS := never

.DEFAULT_GOAL := help
.PHONY: help env reports test test-fast test-browser bench bench-scale lab clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo "  variables: CORPUS=$(CORPUS) OUT=$(OUT) JOBS=$(JOBS); make bench SCALE=1 BENCH_ARGS='--help'"

.tools/bin/uv:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --target .tools uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON)
	@# the package is installed editable from lib/: compile it once, so that every notebook kernel
	@# reads bytecode instead of compiling framelens from source (PYTHONDONTWRITEBYTECODE may be set)
	$(VENV)/bin/python -m compileall -q lib
	@touch $@

env: $(VENV)/.synced ## create/update .venv from uv.lock

reports: $(VENV)/.synced ## run every notebook on CORPUS (default: the seeds) into OUT (default: outputs/)
	$(VENV)/bin/framelens run --corpus $(CORPUS) --out $(OUT) --jobs $(JOBS)

test: $(VENV)/.synced ## run the test suite
	$(VENV)/bin/python -m pytest

# test-fast: bytecode caching on (this environment sets PYTHONDONTWRITEBYTECODE, which also stops pytest
# caching its rewritten test modules: 3 s of every run)
test-fast: $(VENV)/.synced ## unit tests only: no kernels, processes or slow tests (under 30 s)
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/python -m pytest -m "not notebook and not slow" -p no:cacheprovider

test-browser: $(VENV)/.synced ## install Chromium (Debian packages) if missing, then run the browser tests
	@command -v chromium >/dev/null 2>&1 || { $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y chromium chromium-driver \
		|| { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update && $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y chromium chromium-driver; }; }
	$(VENV)/bin/python -m pytest -rs tests/test_browser.py

bench: $(VENV)/.synced ## print speed and memory figures beside their targets (not a test); SCALE=1 adds 10k/100k
	$(VENV)/bin/python -m benchmarks.bench $(if $(SCALE),--scale) $(BENCH_ARGS)

bench-scale: $(VENV)/.synced ## a whole default `framelens run` at SIZES (default 10000 100000) generated articles, pool and Dask: phases, memory, sizes (slow; not a test)
	$(VENV)/bin/python -m benchmarks.scale_bench $(if $(SIZES),--sizes $(SIZES)) $(BENCH_ARGS)

lab: $(VENV)/.synced ## open JupyterLab on notebooks/ with the project kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## remove the environment and generated outputs
	rm -rf $(VENV) .tools $(OUT)/notebooks $(OUT)/reports $(OUT)/tables $(OUT)/figures $(OUT)/findings $(OUT)/articles $(OUT)/.store $(OUT)/index.html $(OUT)/provenance.json $(OUT)/.framelens-output
