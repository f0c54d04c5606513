#!/usr/bin/env bash
# cmake --install into a fresh prefix; then, as a non-root user, from another folder, with the
# source tree and the build tree hidden, PREFIX/bin/memwall run --quick --only cpu writes a
# complete report. Hiding needs root (a mount namespace); without it the run still goes from
# the prefix, as the user running the test.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
mkdir "$work/out"
chmod -R a+rwX "$work"
chmod a+rx "$(dirname "$work")"
tiny="--min-bytes 4KiB --max-bytes 64KiB --points-per-octave 1 --repetitions 1 --min-time 0.001"
tiny="$tiny --model bert-base --batch 1 --seq 16 --gemm-n 64 --threads 1"
run="cd / && '$work/prefix/bin/memwall' run --quick --only cpu --out '$work/out/run' --cpu-args '$tiny'"
# Hiding needs a mount namespace, which a chroot (where / is no mount point) cannot make.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v setpriv >/dev/null &&
   mountpoint -q / && unshare -m true 2>/dev/null; then
  unshare -m sh -c "mount -t tmpfs none '$build' && mount -t tmpfs none '$src' &&
    setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env sh -c \"$run\"" \
    >"$work/run.log" 2>&1 || { cat "$work/run.log"; echo "FAIL: the installed run"; exit 1; }
  echo "install: ran as nobody with $src and $build hidden"
else
  sh -c "$run" >"$work/run.log" 2>&1 || { cat "$work/run.log"; echo "FAIL: the installed run"; exit 1; }
fi
for f in profile.json summary.md report.html report.tex metrics.csv profile.csv bench_cpu.json trend.svg; do
  [ -s "$work/out/run/$f" ] || { cat "$work/run.log"; echo "FAIL: $f missing"; exit 1; }
done
grep -q "AI and Memory Wall" "$work/out/run/summary.md" || { echo "FAIL: no reference data"; exit 1; }
echo "install: memwall ran from $work/prefix and wrote a complete report"
