#!/usr/bin/env bash
# Train on a SLURM cluster with srun, one task per GPU:
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py options]
# GRES (default gpu:$GPUS_PER_NODE) is passed as --gres; set GRES= (empty) on
# CPU-only nodes, where each task trains on CPU with gloo. A task that exits
# with an error ends the whole job (--kill-on-bad-exit=1) instead of leaving
# the other ranks waiting in a collective. Rank 0 hosts the rendezvous on the
# job's first node (from SLURM_NODELIST) at MASTER_PORT (default 29500).
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR=()
if [[ $# -gt 0 && $1 != -* ]]; then
    WORK_DIR=(--work-dir "$1")
    shift
fi
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
GRES=${GRES-gpu:$GPUS_PER_NODE}
SRUN_ARGS=${SRUN_ARGS:-""}
PYTHON=${PYTHON:-python}
TOOLS=$(cd "$(dirname "$0")" && pwd)

GRES_ARG=()
[[ -n $GRES ]] && GRES_ARG=(--gres="$GRES")
# shellcheck disable=SC2086  # SRUN_ARGS holds several words on purpose
PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    "${GRES_ARG[@]}" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    $SRUN_ARGS \
    "$PYTHON" -u "$TOOLS/train.py" "$CONFIG" "${WORK_DIR[@]}" \
    --launcher slurm "$@"
