#!/usr/bin/env bash
# A burst's heap (issue 15): monitors started one after the other on one private mount namespace (each
# sees the same events; -Deunomia.bench.mntns keeps others' out), then one burst of N chmods in it over
# SECS seconds, alternating u+s (an alert of "Set setuid or setgid bit") and u-s (no alert). Readings of
# each monitor 30 s after the last was ready, every 20 s of the burst, at its end and each minute for
# POST minutes: RSS, old generation committed (used), young committed, CPU, the VM thread's CPU (GC),
# eunomia_session_facts, load average.
#   bench/burstheap.sh N SECS POST LABEL ENV FLAGS JAR [LABEL ENV FLAGS JAR]...
# ENV: variables for that monitor's JVM (e.g. "MALLOC_ARENA_MAX=2", or "X=1" for none); FLAGS: JVM flags
# after EUNOMIA_JVM_FLAGS (later flags win; "" for none); JAR: an engine/target/eunomia.jar (copy it aside
# to pair builds). Metrics on 127.0.0.1:19881 and up. As root.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "burstheap.sh: must run as root (loads BPF programs)" >&2; exit 1; }
n=$1; secs=$2; post=$3; shift 3
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/setup.sh
. scripts/setup.sh
eunomia_select_jdk >/dev/null
work=$(mktemp -d /tmp/burstheap.XXXXXX)
echo "burstheap.sh: monitor outputs in $work" >&2
gcc -O2 -o "$work/chmod_burst" bench/src/main/c/chmod_burst.c
unshare --mount --propagation private sleep 100000 &
hold=$!
pids=(); labels=(); port=19880
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  kill "$hold" 2>/dev/null || true
}
trap cleanup EXIT
sleep 0.5
ns=$(stat -Lc %i "/proc/$hold/ns/mnt")
touch "$work/target"
while [ $# -ge 4 ]; do
  l=$1; e=$2; f=$3; j=$(realpath "$4"); shift 4; port=$((port + 1))
  mkdir -p "$work/$l"
  # shellcheck disable=SC2086   # ENV and FLAGS are lists
  env $e java "${EUNOMIA_JVM_FLAGS[@]}" $f "-Deunomia.bench.mntns=$ns" -jar "$j" monitor --metrics-address "127.0.0.1:$port" \
    --rule-cache "$work/$l/rc" --control-socket "$work/$l/ctl.sock" > "$work/$l/alerts" 2> "$work/$l/err" &
  pids+=($!); labels+=("$l:$port")
  for _ in $(seq 600); do grep -q " ready in " "$work/$l/err" && break; kill -0 "${pids[-1]}" || exit 1; sleep 0.5; done
done
thread_ms() { for t in /proc/"$1"/task/*; do [ "$(cat "$t/comm")" = "$2" ] && awk '{printf "%d", ($14+$15)*10}' "$t/stat"; done; true; }
reading() {
  local i=0 p l pt hi old young
  for p in "${pids[@]}"; do
    l=${labels[$i]%%:*}; pt=${labels[$i]##*:}
    hi=$(jcmd "$p" GC.heap_info)
    old=$(awk '$1=="Tenured" {gsub(/K,?/,"",$3); gsub(/K,?/,"",$5); printf "%.1f(%.1f)", $3/1024, $5/1024}' <<<"$hi")
    young=$(awk '$1=="DefNew" {gsub(/K,?/,"",$3); printf "%.1f", $3/1024}' <<<"$hi")
    echo "$1 $l: rss=$(awk '/^VmRSS/{printf "%d", $2/1024}' "/proc/$p/status") old=$old young=$young" \
      "cpu_ms=$(awk '{printf "%d", ($14+$15)*10}' "/proc/$p/stat") vmthread_ms=$(thread_ms "$p" "VM Thread")" \
      "facts=$(curl -s "http://127.0.0.1:$pt/metrics" | awk '$1=="eunomia_session_facts"{print $2}') load=$(cut -d' ' -f1 /proc/loadavg)"
    i=$((i + 1))
  done
}
sleep 30
reading "ready+30s"
nsenter -t "$hold" -m "$work/chmod_burst" "$work/target" "$n" "$secs" > "$work/burst.out" &
b=$!
for i in $(seq 1 $((secs / 20))); do sleep 20; reading "burst+$((i * 20))s"; done
wait "$b"; cat "$work/burst.out"; sleep 2
reading "after+0"
for m in $(seq 1 "$post"); do sleep 60; reading "after+${m}min"; done
