#!/usr/bin/env bash
# Install mmcv==2.1.0 with compiled ops into the given Python environment
# (replacing mmcv-lite if `make install-lite` put it there).
#
# mmcv 2.1.0 ships no CPU wheel for torch 2.13, so it is compiled from the
# sdist (~12 min on 2 cores). The built wheel is kept in a cache outside the
# repository (MMKD_WHEEL_CACHE, default ~/.cache/mmkd_video/wheels), so the
# next install on the same machine takes seconds.
set -euo pipefail
PY=${1:?usage: install_mmcv.sh PYTHON}
VERSION=2.1.0
CACHE=${MMKD_WHEEL_CACHE:-$HOME/.cache/mmkd_video/wheels}
mkdir -p "$CACHE"

if "$PY" -c "import mmcv, mmcv.ops, sys; sys.exit(mmcv.__version__ != '$VERSION')" 2>/dev/null; then
  exit 0
fi
wheel=$(ls "$CACHE"/mmcv-$VERSION-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
  echo "[install_mmcv] compiling mmcv $VERSION with ops (about 12 min on 2 cores) into $CACHE"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} FORCE_CUDA=0 \
    "$PY" -m pip wheel --no-build-isolation --no-deps -w "$CACHE" "mmcv==$VERSION"
  wheel=$(ls "$CACHE"/mmcv-$VERSION-*.whl | head -n 1)
fi
# mmcv-lite (what `make install-lite` gives recognition) owns the same `mmcv`
# package files: remove it first so the two never overlap.
if "$PY" -m pip show -q mmcv-lite >/dev/null 2>&1; then
  "$PY" -m pip uninstall -y -q mmcv-lite
fi
"$PY" -m pip install --no-deps "$wheel"
"$PY" -c "import mmcv.ops; from mmcv.ops import RoIAlign; print('[install_mmcv] mmcv', __import__('mmcv').__version__, 'with compiled ops')"
