#!/usr/bin/env bash
# Configure must never fail for an optional part: absent ones and one whose CMake package
# config is broken are each reported with one "skipped" line.
set -euo pipefail
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every optional part absent.
cmake -S "$src" -B "$work/none" "-DMEMWALL_WITHOUT=PAPI;OpenBLAS;oneDNN;MPI;CUDA;NCCL" \
  >"$work/none.log" 2>&1 || { cat "$work/none.log"; echo "FAIL: configure without optional parts"; exit 1; }
for part in PAPI OpenBLAS oneDNN MPI CUDA NCCL; do
  n=$(grep -c "optional $part skipped" "$work/none.log" || true)
  [ "$n" = 1 ] || { cat "$work/none.log"; echo "FAIL: $part: $n skipped lines"; exit 1; }
done

# A broken oneDNN package config first on the search path.
cmake -S "$src" -B "$work/broken" -DCMAKE_PREFIX_PATH="$src/tests/cmake/broken" \
  "-DMEMWALL_WITHOUT=CUDA;NCCL" >"$work/broken.log" 2>&1 \
  || { cat "$work/broken.log"; echo "FAIL: configure with a broken package config"; exit 1; }
grep -q "optional oneDNN skipped: its CMake package config failed" "$work/broken.log" \
  || { cat "$work/broken.log"; echo "FAIL: the broken oneDNN config was not reported"; exit 1; }
echo "configure: every optional part skips cleanly"
