# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmkd-installed
LITE_STAMP := $(VENV)/.mmkd-lite-installed
CONSTRAINTS := requirements/constraints.txt
REQS := requirements/build.txt requirements/runtime.txt requirements/tests.txt \
	requirements/mminstall.txt $(CONSTRAINTS) setup.py tools/repair_mmaction_drn.py
PYTEST_ARGS ?=

.PHONY: install install-lite test test-slow demo demo-ava

# Full install: everything, with mmcv's compiled ops (RoIAlign for AVA
# detection). The compile takes about 12 min on 2 cores, once per machine.
install: $(STAMP)

$(STAMP): $(LITE_STAMP)
	bash tools/install_mmcv.sh $(PY)
	$(PY) -c "import mmkd_video, mmcv.ops; print('mmkd_video', mmkd_video.__version__, 'installed with mmcv ops')"
	touch $(STAMP)

# Recognition needs no compiled ops: mmcv-lite (pure Python) installs in
# seconds, so `make demo` starts training within minutes on a fresh machine.
# An mmcv already present (e.g. the full one) is kept.
install-lite: $(LITE_STAMP)

$(LITE_STAMP): $(REQS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/build.txt -c $(CONSTRAINTS)
	$(PY) -m pip install -q -r requirements/runtime.txt -r requirements/tests.txt -c $(CONSTRAINTS)
	$(PY) -c "import mmcv" 2>/dev/null || $(PY) -m pip install -q mmcv-lite -c $(CONSTRAINTS)
	# mmaction2 1.2.0's wheel lacks models/localizers/drn: write it into the
	# installed package (reinstalling mmaction2 undoes it).
	$(PY) tools/repair_mmaction_drn.py
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) -c "import mmaction.models; from mmaction.apis import init_recognizer; print('plain mmaction2 imports')"
	$(PY) -c "import mmkd_video; print('mmkd_video', mmkd_video.__version__, 'installed')"
	touch $(LITE_STAMP)

# Default tier: everything but tests marked `slow`.
test: install
	$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

# Slow tier (multi-process / cluster tests). pytest exits 5 when the marker
# selects nothing; that is not a failure here.
test-slow: install
	$(PY) -m pytest tests -m slow $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Recognition only: runs on mmcv-lite (or the full mmcv when installed).
demo: install-lite
	$(PY) tools/demo.py

# AVA-style action detection: teacher, student, StructKD-distilled student
# on the generated AVA set, frame mAP table (about 10 min on 2 CPU cores).
demo-ava: install
	$(PY) tools/demo_ava.py
