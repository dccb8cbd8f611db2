#!/usr/bin/env bash
# A real two-node SLURM cluster on one machine, for the multi-node tests:
#   tests/slurm/two_node_cluster.sh install       # packages (apt-get)
#   tests/slurm/two_node_cluster.sh start DIR     # prints SLURM_CONF=...
#   tests/slurm/two_node_cluster.sh on NODE CMD...  # run CMD "on" node1|node2
#   tests/slurm/two_node_cluster.sh link NODE up|down
#   tests/slurm/two_node_cluster.sh stop DIR
# Each node is a network namespace (mmkd-node1, mmkd-node2) joined to the
# other by a veth pair, with an address that exists only inside them
# (10.77.0.1 and 10.77.0.2/24; the namespaces have no other interface and no
# route, so nothing they send leaves the machine). Every command "on" a
# node runs in its network namespace with the node's hostname and its own
# /etc/hosts naming node1 and node2 (/etc/netns/NAME/hosts, bound in a
# private mount namespace): the names resolve as on a real cluster, which
# SLURM_NODELIST -> MASTER_ADDR and gloo's choice of interface rely on.
# slurmctld runs on node1, one slurmd per node (distinct NodeName/NodeAddr);
# one munged with one key serves both (its socket is a file, which network
# namespaces do not separate). Needs root and the packages `install` gets.
set -euo pipefail
action=${1:?usage: two_node_cluster.sh install, start|stop DIR, on NODE CMD, link NODE up|down}
# lower-case names: an upper-case one (PORT, DIR...) would replace the
# caller's exported variable of that name in the commands `on` runs
port=${SLURM_TEST_PORT:-6917}
nodes=(node1 node2)
net=10.77.0
iface=mmkd0  # the same name in both namespaces (GLOO_SOCKET_IFNAME=mmkd0)

ns() { echo "mmkd-$1"; }
addr() { echo "$net.${1#node}"; }

on() {  # on NODE CMD...: CMD in NODE's network namespace, with its hostname
    local node=$1; shift
    [[ $node == node1 || $node == node2 ]] || {
        echo "unknown node $node: node1 or node2" >&2; return 2; }
    # not `ip netns exec`: it mounts a fresh /sys, without the cgroup
    # folders slurmd needs; a private mount namespace gets the node's hosts
    exec nsenter --net="/run/netns/$(ns "$node")" unshare --uts --mount \
        sh -c 'mount --bind "/etc/netns/$1/hosts" /etc/hosts &&
               hostname "$0" && shift && exec "$@"' \
        "$node" "$(ns "$node")" "$@"
}

wait_for() {  # wait_for SECONDS CMD...: retry CMD until it succeeds
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS > deadline)); then
            echo "timed out waiting for: $*" >&2; return 1
        fi
        sleep 0.5
    done
}

network_down() {  # idempotent: leftovers of an earlier run go too
    local node pid
    for node in "${nodes[@]}"; do
        if ip netns list | grep -qw "$(ns "$node")"; then
            # processes a test left on the node (by their ids)
            for pid in $(ip netns pids "$(ns "$node")"); do
                kill -9 "$pid" 2>/dev/null || true
            done
            ip netns del "$(ns "$node")"
        fi
        rm -rf "/etc/netns/$(ns "$node")"
    done
}

network_up() {
    network_down
    local node
    for node in "${nodes[@]}"; do
        ip netns add "$(ns "$node")"
        ip -n "$(ns "$node")" link set lo up
        mkdir -p "/etc/netns/$(ns "$node")"
        printf '127.0.0.1 localhost\n%s node1\n%s node2\n' \
            "$(addr node1)" "$(addr node2)" > "/etc/netns/$(ns "$node")/hosts"
    done
    # a veth pair is a cable: created in this namespace, each end moved
    # into one node and renamed there
    ip link add mmkd-v1 type veth peer name mmkd-v2
    for node in "${nodes[@]}"; do
        ip link set "mmkd-v${node#node}" netns "$(ns "$node")"
        ip -n "$(ns "$node")" link set "mmkd-v${node#node}" name "$iface"
        ip -n "$(ns "$node")" addr add "$(addr "$node")/24" dev "$iface"
        ip -n "$(ns "$node")" link set "$iface" up
    done
    # both ends up (node2's slurmd registering with slurmctld on node1 is
    # the proof that packets cross)
    for node in "${nodes[@]}"; do
        wait_for 10 bash -c "ip -n $(ns "$node") link show $iface | grep -q LOWER_UP"
    done
}

case $action in
install)  # the SLURM packages, and ip(8) where the image lacks it
    "$(dirname "$0")/local_cluster.sh" install
    command -v ip >/dev/null && command -v nsenter >/dev/null && exit 0
    DEBIAN_FRONTEND=noninteractive apt-get install -y \
        --no-install-recommends iproute2 util-linux >/dev/null
    ;;
start)
    dir=${2:?start needs DIR}
    network_up
    mkdir -p "$dir"/{munge,key,state,spool-node1,spool-node2,log}
    chmod 755 "$dir"
    # munged refuses a key others can read, and a socket folder others
    # cannot enter
    dd if=/dev/urandom of="$dir/key/munge.key" bs=1024 count=1 2>/dev/null
    chown -R munge:munge "$dir/munge" "$dir/key"
    chmod 755 "$dir/munge"
    chmod 700 "$dir/key"
    chmod 400 "$dir/key/munge.key"
    runuser -u munge -- munged --key-file="$dir/key/munge.key" \
        --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" \
        --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed"
    cat > "$dir/slurm.conf" <<CONF
ClusterName=mmkdtwo
SlurmctldHost=node1($(addr node1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool-%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
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
# a node that stops answering is DOWN (and its job ends) after 20 s, not
# the default 300 s: the bound of a SLURM job whose link goes down
SlurmdTimeout=20
NodeName=node1 NodeAddr=$(addr node1) CPUs=8 State=UNKNOWN
NodeName=node2 NodeAddr=$(addr node2) CPUs=8 State=UNKNOWN
PartitionName=debug Nodes=node1,node2 Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$dir/slurm.conf
    # daemons fork into the background; `on` execs, so run it in a subshell
    (on node1 slurmctld -f "$SLURM_CONF")
    for node in "${nodes[@]}"; do
        (on "$node" slurmd -N "$node" -f "$SLURM_CONF")
    done
    if ! wait_for 30 bash -c "$0 on node1 sinfo -h -N -o %T \
            | grep -c idle | grep -qx 2"; then
        tail -n 20 "$dir"/log/*.log "$dir/munge/munged.log" >&2 || true
        exit 1
    fi
    echo "SLURM_CONF=$SLURM_CONF"
    ;;
on)
    shift
    on "$@"
    ;;
link)
    node_=${2:?link needs NODE}
    state=${3:?link needs up or down}
    ip -n "$(ns "$node_")" link set "$iface" "$state"
    ;;
stop)
    dir=${2:?stop needs DIR}
    export SLURM_CONF=$dir/slurm.conf
    pids=()
    for pidfile in "$dir"/slurmd-node*.pid "$dir/slurmctld.pid" \
            "$dir/munge/munged.pid"; do
        [[ -f $pidfile ]] && pids+=("$(cat "$pidfile")")
    done
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
    # gone before the caller removes DIR (their logs and sockets are in it)
    wait_for 15 bash -c "for p in ${pids[*]:-}; do kill -0 \$p && exit 1; done; exit 0" \
        || kill -9 "${pids[@]}" 2>/dev/null || true
    network_down
    ;;
*)
    echo "unknown action $action: install, start, on, link or stop" >&2
    exit 2 ;;
esac
