#!/usr/bin/env bash
# bench_io on a real file system the test makes (a loop-mounted ext4 image as root, else a
# folder in the build tree): every benchmark passes its check and reports as fio counts, the
# report has storage as the last level, every bad input gets one line and exit 2, and no run,
# interrupted or killed mid-write included, leaves a file behind.
#   tests/storage.sh BENCH_IO MEMWALL
set -uo pipefail
bench=$1
memwall=$2
work=$(mktemp -d "$PWD/storage-test.XXXXXX")
mnt=""
cleanup() {
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

dir=$work/plain
mkdir -p "$dir"
loopdev=""
if [ "$(id -u)" -eq 0 ] && command -v mkfs.ext4 >/dev/null; then
  truncate -s 192M "$work/ext4.img" && mkfs.ext4 -q -F "$work/ext4.img" &&
    mkdir -p "$work/mnt" && mount -o loop "$work/ext4.img" "$work/mnt" 2>/dev/null &&
    { mnt=$work/mnt; dir=$mnt/io; mkdir -p "$dir"; loopdev=$(findmnt -no SOURCE "$mnt"); }
fi
echo "storage test: measuring in $dir${mnt:+ (a loop-mounted ext4 image on $loopdev)}"

empty() { [ -z "$(ls -A "$1")" ] || fail "$1 is not empty after $2: $(ls -A "$1")"; }

# 1. A quick run on the small file: every benchmark valid, counted as fio, nothing left.
out=$work/out
mkdir -p "$out"
"$bench" --quick --io-dir "$dir" --io-size 32MiB --min-time 0.01 --repetitions 2 \
  --out "$out/bench_io.json" 2>"$work/run.err" || { cat "$work/run.err"; fail "bench_io exited $?"; }
empty "$dir" "a finished run"
python3 - "$out/bench_io.json" <<'PY' || fail "the result file"
import json, sys
d = json.load(open(sys.argv[1]))
runs = [b for b in d["benchmarks"] if b.get("run_type") == "iteration"]
names = {b["run_name"].split("/min_time")[0] for b in runs}
assert len(names) >= 8, names
for b in runs:
    assert b.get("valid") == 1, b["name"]
    assert b["GBps"] > 0 and b["latency_p50_ns"] > 0 and b["latency_p99_ns"] >= b["latency_p50_ns"]
    if b["name"].startswith("io.rand"):
        assert b["iops"] > 0 and abs(b["iops"] * 4096 / 1e9 - b["GBps"]) < 1e-6 * b["GBps"] + 1e-9
c = d["context"]
for k in ("io_target", "io_engine", "io_direct", "io_counting", "io_file_bytes"):
    assert k in c, k
assert c["io_file_bytes"] == str(32 << 20)
print("storage test: %d benchmarks valid; engine: %s" % (len(names), c["io_engine"]))
PY
"$memwall" report "$out" >/dev/null 2>&1 || fail "memwall report"
grep -q '^## Storage' "$out/summary.md" || fail "no Storage section"
grep -q '^| storage |' "$out/summary.md" || fail "no storage level"
grep -q 'seconds to load' "$out/summary.md" || fail "no model-load lines"

# 2. Bad input: one line, exit 2, nothing written.
expect_error() {  # PATTERN ARGS...
  local pattern=$1
  shift
  "$bench" "$@" --benchmark_filter=io >"$work/bad.out" 2>"$work/bad.err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$* exited $rc, not 2: $(cat "$work/bad.err")"
  grep -q "error: .*$pattern" "$work/bad.err" || fail "$*: no '$pattern' in: $(cat "$work/bad.err")"
  [ "$(grep -c error "$work/bad.err")" -eq 1 ] || fail "$*: more than one error line"
}
expect_error "No such file or directory" --io-dir "$work/missing"
touch "$work/a-file"
expect_error "is not a folder" --io-dir "$work/a-file"
expect_error "does not fit" --io-dir "$dir" --io-size 64TiB
expect_error "below the smallest test file" --io-dir "$dir" --io-size 1MiB
expect_error "is not a block device" --io-device "$work/a-file"
expect_error "not both" --io-device "$work/a-file" --io-dir "$dir"
expect_error "must be auto, io_uring or psync" --io-dir "$dir" --io-engine aio
if [ -n "$loopdev" ]; then
  expect_error "is a block device: memwall never writes to a device" --io-dir "$loopdev"
fi
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
chmod 755 "$work"
mkdir -p "$work/locked" && chmod 755 "$work/locked"
# As another user, where one can reach the binary and the folder (a clone under /root cannot).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
  "${as_nobody[@]}" test -x "$bench" -a -x "$work/locked" 2>/dev/null; then
  "${as_nobody[@]}" "$bench" --io-dir "$work/locked" --benchmark_filter=io 2>"$work/bad.err"
  [ $? -eq 2 ] && grep -q "is not writable" "$work/bad.err" || fail "unwritable folder: $(cat "$work/bad.err")"
  if [ -n "$loopdev" ]; then
    "${as_nobody[@]}" "$bench" --io-device "$loopdev" --benchmark_filter=io 2>"$work/bad.err"
    [ $? -eq 2 ] && grep -q "cannot open it for reading" "$work/bad.err" ||
      fail "unreadable device: $(cat "$work/bad.err")"
  fi
fi
empty "$dir" "the bad inputs"

# 3. A block device is read, never written: no write benchmark is registered for it.
if [ -n "$loopdev" ]; then
  "$bench" --io-device "$loopdev" --benchmark_list_tests 2>/dev/null >"$work/list"
  grep -q 'io.seq/read' "$work/list" || fail "no reads of the device"
  ! grep -q '/write/' "$work/list" || fail "a write benchmark of a device"
fi

# 4. Interrupted while the test file is written (Ctrl-C, then SIGKILL): no file is left. The
# signal goes once bench_io says it is writing; were the write done by then, the run is
# interrupted later instead, and the check is the same.
big=$work/big
mkdir -p "$big"
for sig in INT KILL; do
  "$bench" --io-dir "$big" --io-size 1GiB --benchmark_filter='io.seq/read/mode:direct' \
    2>"$work/big.err" >/dev/null &
  pid=$!
  until grep -q "writing the" "$work/big.err" 2>/dev/null || ! kill -0 $pid 2>/dev/null; do
    sleep 0.01
  done
  kill -$sig $pid 2>/dev/null
  wait $pid
  rc=$?
  [ "$sig" = KILL ] || [ $rc -eq 130 ] || [ $rc -eq 1 ] || fail "SIGINT: exit $rc"
  empty "$big" "SIG$sig while writing"
done
echo "storage test: passed"
