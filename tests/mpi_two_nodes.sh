#!/usr/bin/env bash
# Two "nodes" on this machine: network namespaces on a private bridge, each with its own
# hostname (a UTS namespace), and Open MPI's own mpirun across them with a hostfile, its launch
# agent entering the namespace where ssh would log in. MPI traffic between the two ranks goes
# over TCP between the namespaces (the TCP transport alone: shared memory would see through
# them). bench_comm --mpi must then report other_node pairs, collectives over both nodes and
# every rank's check passed. Needs root (namespaces); exit 77 (skipped) without it.
#   mpi_two_nodes.sh BENCH_COMM MEMWALL
set -euo pipefail
bench_comm=$1
memwall=$2
[ "$(id -u)" = 0 ] || { echo "skipped: needs root for network namespaces"; exit 77; }
command -v ip >/dev/null && command -v unshare >/dev/null && command -v mpirun >/dev/null \
  || { echo "skipped: needs ip (iproute2), unshare and mpirun"; exit 77; }
"$bench_comm" --describe | grep -q '"MPI"' || { echo "skipped: bench_comm built without MPI"; exit 77; }
# ip netns remounts / with its own propagation: in a chroot, where / is no mount point, it
# cannot (and would leave a mount behind).
mountpoint -q / || { echo "skipped: / is not a mount point here (a chroot): no namespaces"; exit 77; }

. "$(dirname "$0")/namespace_nodes.sh"
tag=mw$$
net=10.$((200 + $$ % 50)).$(($$ % 250)).0
prefix=${net%.0}
work=$(mktemp -d)
cleanup() {
  remove_nodes "$tag" 2
  rm -rf "$work"
}
trap cleanup EXIT
make_nodes "$tag" "$prefix" 2 || { echo "skipped: cannot make network namespaces here"; exit 77; }

# The launch agent: mpirun calls it as `agent HOST COMMAND...`, as it would call ssh.
cat >"$work/agent" <<EOF
#!/bin/sh
host=\$1; shift
n=\${host##*.}
exec ip netns exec "$tag-n\$n" unshare --uts sh -c "hostname node\$n && exec \$*"
EOF
chmod +x "$work/agent"
printf '%s slots=1\n%s slots=1\n' "$prefix.1" "$prefix.2" >"$work/hostfile"

tiny="--max-bytes 256 --collectives allreduce,allgather --repetitions 2 --min-time 0.001"
# The ranks share this machine's cores: unbound, so they do not both spin on core 0.
mpirun --allow-run-as-root --hostfile "$work/hostfile" -np 2 --bind-to none \
  --mca plm_rsh_agent "$work/agent" --mca btl tcp,self \
  --mca btl_tcp_if_include "$net/24" --mca oob_tcp_if_include "$net/24" \
  "$bench_comm" --mpi --out "$work/bench_comm_mpi.json" $tiny >"$work/run.log" 2>&1 \
  || { cat "$work/run.log"; echo "FAIL: bench_comm across two namespace nodes"; exit 1; }

python3 - "$work/bench_comm_mpi.json" <<'EOF' || { cat "$work/run.log"; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
ctx = d["context"]
assert ctx.get("rank_hosts") == "node1,node2", "rank hosts: %r" % ctx.get("rank_hosts")
names = {b["name"] for b in d["benchmarks"]}
other = [b for b in d["benchmarks"] if "placement:other_node" in b["name"]
         and b.get("aggregate_name") == "median" and "latency_ns" in b]
assert other, "no other_node latency in %s" % sorted(names)[:10]
coll = {n.split("/manual_time")[0] for n in names if "/ranks:2/" in n}
assert coll, "no collective over both nodes"
bad = [b["name"] for b in d["benchmarks"] if b.get("error_occurred")
       or (b.get("run_type") == "iteration" and b.get("valid", 1) != 1)]
assert not bad, "failed: %s" % bad[:5]
small = min(other, key=lambda b: int(b["name"].split("bytes:")[1].split("/")[0]))
print("two nodes: %s one-way latency %.1f us over TCP between namespaces; %d collectives over "
      "both nodes; every check passed" % (small["name"], small["latency_ns"] / 1e3, len(coll)))
EOF

# The profile names the MPI link across nodes.
"$memwall" report "$work" --out "$work/report" >"$work/report.log" 2>&1 \
  || { cat "$work/report.log"; echo "FAIL: memwall report"; exit 1; }
grep -q "other_node" "$work/report/profile.json" || { echo "FAIL: no other_node link in the profile"; exit 1; }
echo "mpi_two_nodes: passed"
