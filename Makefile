# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmkd-installed
CONSTRAINTS := requirements/constraints.txt
REQS := requirements/build.txt requirements/runtime.txt requirements/tests.txt \
	requirements/mminstall.txt $(CONSTRAINTS) setup.py tools/repair_mmaction_drn.py
PYTEST_ARGS ?=

.PHONY: install test test-slow demo demo-ava

install: $(STAMP)

$(STAMP): $(REQS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/build.txt -c $(CONSTRAINTS)
	$(PY) -m pip install -q -r requirements/runtime.txt -r requirements/tests.txt -c $(CONSTRAINTS)
	bash tools/install_mmcv.sh $(PY)
	# mmaction2 1.2.0's wheel lacks models/localizers/drn: write it into the
	# installed package (reinstalling mmaction2 undoes it).
	$(PY) tools/repair_mmaction_drn.py
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -c "import mmaction.models; from mmaction.apis import init_recognizer; print('plain mmaction2 imports')"
	$(PY) -c "import mmkd_video, mmcv.ops; print('mmkd_video', mmkd_video.__version__, 'installed')"
	touch $(STAMP)

# Default tier: everything but tests marked `slow`.
test: install
	$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

# Slow tier (multi-process / cluster tests). pytest exits 5 when the marker
# selects nothing; that is not a failure here.
test-slow: install
	$(PY) -m pytest tests -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ]

demo: install
	$(PY) tools/demo.py

# AVA-style action detection: teacher, student, StructKD-distilled student
# on the generated AVA set, frame mAP table (about 10 min on 2 CPU cores).
demo-ava: install
	$(PY) tools/demo_ava.py
