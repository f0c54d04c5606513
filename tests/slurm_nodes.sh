#!/usr/bin/env bash
# A one-controller Slurm with three nodes on this machine, all Debian's own daemons (munged,
# slurmctld, slurmd): the nodes are network namespaces on a private bridge, each slurmd with
# its own hostname (UTS namespace) and its own PMIx client folder.
# Inside `salloc -N 2`, `memwall run --quick --only comm` starts bench_comm under srun (PMIx)
# across both nodes; the report must name srun as the launcher and both nodes, every check
# passed. Then memwall run --each-node on all three (srun, one memwall a node), every node's
# profile in its folder of one results folder, and the fleet report over them. Needs root and Debian's slurmctld, slurmd and munge; exit 77 (skipped) without them.
#   slurm_nodes.sh MEMWALL
set -uo pipefail
memwall=$1
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces and the daemons"
for p in slurmctld slurmd munged salloc srun sinfo ip unshare nsenter; do
  command -v $p >/dev/null || skip "needs $p (apt-get install slurmctld slurmd munge slurm-client)"
done
mountpoint -q / || skip "/ is not a mount point here (a chroot): no namespaces"

. "$(dirname "$0")/namespace_nodes.sh"
tag=sl$$
prefix=10.$((200 + $$ % 50)).$((($$ / 50) % 250)).
port=$((20000 + $$ % 20000))
work=$(mktemp -d /var/tmp/memwall-slurm.XXXXXX)
chmod 700 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  remove_nodes "$tag" 3
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 "$work"/log/*.log >&2 2>/dev/null
  exit 1
}

make_nodes "$tag" "${prefix%.}" 3 || skip "cannot make network namespaces here"

# A private munged: its own key and socket, so a munged already running is left alone.
mkdir -p "$work/log" "$work/state" "$work/munge"
chmod 700 "$work/munge"
head -c 1024 /dev/urandom >"$work/munge/key"
chmod 400 "$work/munge/key"
munged --force --socket="$work/munge/sock" --key-file="$work/munge/key" \
  --pid-file="$work/munge/pid" --log-file="$work/log/munged.log" \
  --seed-file="$work/munge/seed" 2>>"$work/log/munged.log" || fail "munged did not start"
pids+=("$(cat "$work/munge/pid")")

conf=$work/slurm.conf
cat >"$conf" <<EOF
ClusterName=memwall-test
SlurmctldHost=ctl(${prefix}254)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/sock
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool-%n
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd-%n.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd-%n.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
NodeName=node1 NodeAddr=${prefix}1 CPUs=$(nproc) State=UNKNOWN
NodeName=node2 NodeAddr=${prefix}2 CPUs=$(nproc) State=UNKNOWN
NodeName=node3 NodeAddr=${prefix}3 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=node1,node2,node3 Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf
# The controller under the name the configuration gives it; each slurmd inside its node's
# network namespace (nsenter keeps the host's /sys, whose cgroups slurmd reads).
unshare --uts sh -c "hostname ctl && exec slurmctld -D -f '$conf'" >"$work/log/ctld.out" 2>&1 &
pids+=($!)
for n in 1 2 3; do
  # Each node's own configuration folder, for its own PMIx client folder (the "nodes" share
  # this machine's /tmp, where PMIx would put every node's folder of a step under one name).
  mkdir -p "$work/spool-node$n" "$work/conf-node$n" "$work/pmix-node$n"
  cp "$conf" "$work/conf-node$n/slurm.conf"
  echo "PMIxCliTmpDirBase=$work/pmix-node$n" >"$work/conf-node$n/mpi.conf"
  nsenter --net="/run/netns/$tag-n$n" unshare --uts \
    sh -c "hostname node$n && exec slurmd -D -N node$n -f '$work/conf-node$n/slurm.conf'" \
    >"$work/log/d$n.out" 2>&1 &
  pids+=($!)
done
# Wait for the event (every node idle), not for a time: sinfo answers once the controller is up.
for _ in $(seq 600); do
  [ "$(sinfo -h -N -t idle -o %N 2>/dev/null | sort -u | wc -l)" -eq 3 ] && break
  sleep 0.1
done
[ "$(sinfo -h -N -t idle -o %N | sort -u | wc -l)" -eq 3 ] || fail "the nodes never became idle"

# memwall run outside an allocation does not use srun: it is Slurm without an allocation.
out=$work/results
# TCP between the namespaces (shared memory would see through them).
export OMPI_MCA_btl=tcp,self OMPI_MCA_btl_tcp_if_include="${prefix}0/24"
salloc -N 2 -n 2 "$memwall" run --quick --only comm --out "$out" \
  --comm-args "--max-bytes 256 --collectives allreduce,allgather --repetitions 2 --min-time 0.001" \
  >"$work/log/run.log" 2>&1 || { cat "$work/log/run.log"; fail "memwall run inside salloc -N 2"; }
grep -q 'started by `srun`' "$out/summary.md" || fail "the report does not name srun: $(grep -i launcher "$out/summary.md")"
[ -n "${MEMWALL_SLURM_KEEP:-}" ] && cp "$out"/bench_*.json "$MEMWALL_SLURM_KEEP"/
python3 - "$out/profile.json" <<'PY' || fail "the profile"
import json, sys
p = json.load(open(sys.argv[1]))
links = p["links"]
assert links["mpi_launcher"].startswith("srun"), links["mpi_launcher"]
assert sorted(set(links["mpi_hosts"])) == ["node1", "node2"], links["mpi_hosts"]
other = [x for x in links["mpi_p2p"] if x["placement"] == "other_node"]
assert other and other[0]["latency_ns"] > 0, links["mpi_p2p"]
assert not p["provenance"]["failed"], p["provenance"]["failed"]
print("slurm: memwall run inside salloc -N 2: launcher %s, hosts %s, other_node latency %.1f us"
      % (links["mpi_launcher"], ",".join(sorted(set(links["mpi_hosts"]))),
         other[0]["latency_ns"] / 1e3))
PY

# One memwall per node (--each-node: srun, one task a node), each into its own folder of the
# one results folder (the file system is shared, as a cluster's home or scratch is), ending
# with the fleet view of the three.
nodes=$work/nodes
salloc -N 3 -n 3 "$memwall" run --each-node --quick --only comm --out "$nodes" \
  --comm-args "--max-bytes 256 --repetitions 2 --min-time 0.001" >"$work/log/nodes.log" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$work/log/nodes.log"; fail "memwall run --each-node exit $rc"; }
for n in 1 2 3; do
  [ -f "$nodes/node$n/profile.json" ] || { cat "$work/log/nodes.log"; fail "no profile of node$n"; }
done
grep -q "inside an srun step" "$nodes/node1/summary.md" || fail "a node's memwall started MPI itself"
# Each node's results record the job's command, not the node's own memwall.
grep -q -- "run --each-node --quick --only comm" "$nodes/node2/summary.md" ||
  fail "a node's results do not record the job's command: $(grep 'Made by' "$nodes/node2/summary.md")"
[ -f "$nodes/fleet.md" ] && [ -f "$nodes/fleet.svg" ] || fail "no fleet report: $(ls "$nodes")"
grep -q node1 "$nodes/fleet.md" && grep -q node3 "$nodes/fleet.md" ||
  fail "the fleet report does not name every node: $(cat "$nodes/fleet.md")"
echo "slurm: memwall run --each-node on 3 nodes under srun, every profile gathered, fleet report written (exit $rc)"

# Slurm without an allocation: one line, exit 2.
(unset SLURM_JOB_ID; "$memwall" run --each-node --quick --only comm --out "$work/none") \
  >"$work/log/none.log" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "needs a Slurm allocation" "$work/log/none.log" ||
  fail "--each-node without an allocation: exit $rc: $(cat "$work/log/none.log")"
echo "slurm test: passed"
