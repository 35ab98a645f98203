# The README's two commands are `make demo` and `make test`; the rest are their parts.
# The interpreter that makes the virtualenvs: PYTHON=, else the first of these that is Python 3.11
# or newer (pyproject.toml's requires-python; CI tests 3.11 to 3.13). Looked up once, by the first
# recipe that needs it, so targets that make no virtualenv never wait for it.
PYTHON_CANDIDATES := python3.13 python3.12 python3.11 python3
PYTHON ?= $(eval PYTHON := $(or $(shell $(FIND_PYTHON)),$(error $(NO_PYTHON))))$(PYTHON)
FIND_PYTHON = for p in $(PYTHON_CANDIDATES); do case "$$($$p --version 2>/dev/null)" in \
	"Python 3.1"[1-9]*|"Python 3."[2-9][0-9]*) echo $$p; break;; esac; done
NO_PYTHON = no Python 3.11 or newer on PATH (looked for $(PYTHON_CANDIDATES)); install Python \
	3.11, 3.12 or 3.13, or pass PYTHON=/path/to/python3
VENV := .venv
PY := $(VENV)/bin/python
POLICY_VENV := policy/venv

.PHONY: venv constraints install-check bytecode policy-venv cli test lint demo bench emulator clean fleet-demo bench-fleet \
	review-fixtures

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11, 3.12 or 3.13" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# After changing dependencies in pyproject.toml: pin what they resolve to today.
constraints:
	rm -rf .constraints-venv && $(PYTHON) -m venv .constraints-venv
	.constraints-venv/bin/pip install --quiet '.[dev]'
	{ sed -n '1,3p' constraints.txt; .constraints-venv/bin/pip freeze --exclude scim-setup; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .constraints-venv

# What a user gets from `pip install scim-setup`: the wheel in a fresh venv, without the emulator.
install-check:
	rm -rf .install-check && $(PYTHON) -m venv .install-check
	.install-check/bin/pip install --quiet -c constraints.txt .
	.install-check/bin/scim-setup --help >/dev/null
	! .install-check/bin/python -c 'import fastapi' 2>/dev/null
	! .install-check/bin/python -c 'import uvicorn' 2>/dev/null
	.install-check/bin/python -m scim_setup.emulator --port 0 2>&1 | grep -q "scim-setup\[emulator\]"
	test ! -e .install-check/lib/python*/site-packages/cli
	test ! -e .install-check/lib/python*/site-packages/emulator
	rm -rf .install-check
	@echo "install-check: scim-setup installs and runs without the emulator extra"


# pip compiles the packages it installs, but not this project's own sources (an editable install),
# and where PYTHONDONTWRITEBYTECODE is set (as on our CI machine) no process writes them either:
# every program, provider, emulator and CLI process would compile our modules again (~20-60 ms
# each). compileall skips what is up to date.
bytecode: venv
	$(PY) -m compileall -q components providers scim_setup bench scripts policy/*.py >/dev/null

# The policy pack runs in its own virtualenv (policy/PulumiPolicy.yaml), as `pulumi preview
# --policy-pack policy` expects.
policy-venv: $(POLICY_VENV)/.installed

$(POLICY_VENV)/.installed: policy/requirements.txt
	test -x $(POLICY_VENV)/bin/python || $(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(POLICY_VENV)/bin/python -m pip install --quiet -r policy/requirements.txt
	touch $@

cli:
	@scripts/install-pulumi >/dev/null

# Two workers more than cores (tests/conftest.py), whole files per worker (`--dist loadfile`):
# a module's tests run in order in one process, with its stacks and its emulator.
test: venv bytecode policy-venv
	bin="$$(scripts/install-pulumi)" && PATH="$$bin:$$PATH" $(PY) -m pytest -n auto --dist loadfile --durations=10

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pyright
	bin="$$(scripts/install-actionlint)" && "$$bin/actionlint" .github/workflows/*.yml

demo: venv bytecode
	bin="$$(scripts/install-pulumi)" && PATH="$$bin:$$PATH" $(PY) -m scripts.demo

# The Entra previews `scim-setup review`'s tests read (tests/cli/data), recorded from real
# `pulumi preview --json` runs of the program on the emulator, fake Graph and azuread stand-in.
review-fixtures: venv bytecode
	bin="$$(scripts/install-pulumi)" && PATH="$$bin:$$PATH" $(PY) -m scripts.record_previews

# pulumi commands: ours vs a bare program, and the emulator's SCIM throughput; one table, a few
# minutes; also rewrites its section of docs/benchmarks.md.
bench: venv bytecode
	bin="$$(scripts/install-pulumi)" && PATH="$$bin:$$PATH" $(PY) -m bench.report

emulator: venv bytecode
	$(PY) -m scim_setup.emulator --port 8750 --data-dir .demo/emulator-data

clean:
	rm -rf .demo .pytest_cache

# Many customers: three emulators, three stacks, `scim-setup fleet up` with its live table.
fleet-demo: venv bytecode
	bin="$$(scripts/install-pulumi)" && PATH="$$bin:$$PATH" $(PY) -m scripts.fleet_demo

bench-fleet: venv bytecode
	bin="$$(scripts/install-pulumi)" && PATH="$$bin:$$PATH" $(PY) -m bench.fleet
