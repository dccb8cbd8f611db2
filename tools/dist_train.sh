#!/usr/bin/env bash
# Train on GPUS processes of this machine (or of NNODES machines) with torchrun:
#   tools/dist_train.sh CONFIG GPUS [train.py options]
# Multi-node: run it on every node with the same NNODES, MASTER_ADDR (node 0's
# address, reachable from all nodes) and PORT, and NODE_RANK=0..NNODES-1.
# Without CUDA the processes use gloo on CPU (GPUS = number of processes);
# gloo binds to the address of the node's hostname (set GLOO_SOCKET_IFNAME
# when that is not the cluster network). A collective waits at most
# env_cfg.dist_cfg.timeout seconds (--cfg-options env_cfg.dist_cfg.timeout=N).
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
TOOLS=$(cd "$(dirname "$0")" && pwd)

PYTHONPATH="$TOOLS/..${PYTHONPATH:+:$PYTHONPATH}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$TOOLS/train.py" "$CONFIG" --launcher pytorch "${@:3}"
