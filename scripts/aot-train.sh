#!/usr/bin/env bash
# Makes the monitor's AOT cache (JDK 25: classes loaded and linked, method profiles; JEP 483/514/515)
# next to the jar, engine/target/eunomia.aot, from a training run: `eunomia monitor` (default pack)
# for 40 s while this script makes file, exec and read events. ./eunomia and bench/run.sh start the
# JVM from it while it is newer than the jar. Runs as root (the monitor loads BPF programs); takes
# ~1.5 min (the run, then the JVM assembles the cache). The JIT starts with the training's profiles,
# so it compiles the hot paths in the first seconds instead of over the first minutes
# (bench/README.md, the monitor's own cost).
#   scripts/aot-train.sh [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "aot-train.sh: must run as root (the monitor loads BPF programs)" >&2; exit 1; }
seconds=${1:-40}
case $seconds in ''|*[!0-9]*) echo "aot-train.sh: SECONDS must be a number, got '$seconds'" >&2; exit 2 ;; esac
"$here/eunomia" --version >/dev/null   # builds the jar when the sources are newer
# shellcheck source=setup.sh
. "$here/scripts/setup.sh"
eunomia_select_jdk >/dev/null
jar="$here/engine/target/eunomia.jar"
cache="${jar%.jar}.aot"
work=$(mktemp -d /tmp/eunomia-aot-train.XXXXXX)
gen=
cleanup() {
  if [ -n "$gen" ]; then
    kill "$gen" 2>/dev/null || true
    wait "$gen" 2>/dev/null || true   # 143: killed, as asked
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Events while the monitor trains: write-opens (the soak's kind), reads of a file the rules watch,
# short-lived processes. Paced, so the training leaves the CPUs to the monitor.
(
  sleep 15   # the monitor's start-up
  while :; do
    sh -c 'i=0; while [ $i -lt 500 ]; do : >/dev/null; i=$((i+1)); done; head -c1 /etc/hostname >/dev/null'
    sleep 0.05
  done
) &
gen=$!

rm -f "$cache" "$work/eunomia.aot"
# The flags of ./eunomia: the cache records them, and the JVM uses it only under matching ones.
echo "aot-train.sh: training the monitor for $seconds s, then assembling $cache..." >&2
"$JAVA_HOME/bin/java" "${EUNOMIA_JVM_FLAGS[@]}" -XX:AOTCacheOutput="$work/eunomia.aot" -jar "$jar" monitor \
  --duration "$seconds" --no-metrics --no-control --rule-cache "$work/rule-cache" --learn-dir "$work/learn" \
  >"$work/train.out" 2>"$work/train.err" || {
    echo "aot-train.sh: the training run failed:" >&2; tail -20 "$work/train.err" >&2; exit 1; }
[ -s "$work/eunomia.aot" ] || { echo "aot-train.sh: the JVM wrote no cache:" >&2; tail -20 "$work/train.err" >&2; exit 1; }
mv "$work/eunomia.aot" "$cache"
echo "aot-train.sh: wrote $cache ($(du -m "$cache" | cut -f1) MiB)" >&2
