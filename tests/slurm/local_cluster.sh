#!/usr/bin/env bash
# A real single-node SLURM cluster for the launcher tests, without systemd:
#   tests/slurm/local_cluster.sh start DIR   # prints SLURM_CONF=DIR/slurm.conf
#   tests/slurm/local_cluster.sh stop DIR
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages
# (`install` below gets them with apt-get). munged runs as user munge with its
# own key and socket in DIR; slurmctld and slurmd read DIR/slurm.conf.
# The node advertises 64 CPUs whatever it has (config_overrides), so jobs
# asking for more CPUs than the machine has still start instead of pending.
set -euo pipefail
ACTION=${1:?usage: local_cluster.sh install|start|stop DIR}
DIR=${2:-}
PORT=${SLURM_TEST_PORT:-6917}

wait_for() {  # wait_for SECONDS CMD...: retry CMD until it succeeds
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS > deadline)); then
            echo "timed out waiting for: $*" >&2; return 1
        fi
        sleep 0.5
    done
}

case $ACTION in
install)
    command -v slurmctld >/dev/null && command -v munged >/dev/null && exit 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends slurmctld slurmd slurm-client \
        munge >/dev/null || { apt-get update >/dev/null && apt-get install \
        -y --no-install-recommends slurmctld slurmd slurm-client munge \
        >/dev/null; }
    ;;
start)
    [[ -n $DIR ]] || { echo "start needs DIR" >&2; exit 2; }
    mkdir -p "$DIR"/{munge,key,state,spool,log}
    chmod 755 "$DIR"
    # munged refuses a key others can read, and a socket folder others
    # cannot enter
    dd if=/dev/urandom of="$DIR/key/munge.key" bs=1024 count=1 2>/dev/null
    chown -R munge:munge "$DIR/munge" "$DIR/key"
    chmod 755 "$DIR/munge"
    chmod 700 "$DIR/key"
    chmod 400 "$DIR/key/munge.key"
    runuser -u munge -- munged --key-file="$DIR/key/munge.key" \
        --socket="$DIR/munge/munge.socket" \
        --pid-file="$DIR/munge/munged.pid" \
        --log-file="$DIR/munge/munged.log" \
        --seed-file="$DIR/munge/munged.seed"
    host=$(hostname -s)
    cat > "$DIR/slurm.conf" <<CONF
ClusterName=mmkdtest
SlurmctldHost=$host
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SlurmdParameters=config_overrides
KillWait=5
NodeName=$host CPUs=64 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$DIR/slurm.conf
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF"
    if ! wait_for 30 bash -c "sinfo -h -o %T | grep -qx idle"; then
        tail -n 20 "$DIR"/log/*.log "$DIR/munge/munged.log" >&2 || true
        exit 1
    fi
    echo "SLURM_CONF=$SLURM_CONF"
    ;;
stop)
    [[ -n $DIR ]] || { echo "stop needs DIR" >&2; exit 2; }
    export SLURM_CONF=$DIR/slurm.conf
    pids=()
    for pidfile in "$DIR/slurmd.pid" "$DIR/slurmctld.pid" \
            "$DIR/munge/munged.pid"; do
        [[ -f $pidfile ]] && pids+=("$(cat "$pidfile")")
    done
    scontrol shutdown >/dev/null 2>&1 || true
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
    # gone before the caller removes DIR (their logs and sockets are in it)
    wait_for 15 bash -c "for p in ${pids[*]:-}; do kill -0 \$p && exit 1; done; exit 0" \
        || kill -9 "${pids[@]}" 2>/dev/null || true
    ;;
*)
    echo "unknown action $ACTION: install, start or stop" >&2; exit 2 ;;
esac
