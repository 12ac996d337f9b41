#!/usr/bin/env bash
# The sensor poller's own cost per short process and per file event (issue 15): CPU (schedstat),
# voluntary wake-ups and bytes allocated (JFR jdk.ThreadAllocationStatistics at the window's ends)
# of the `eunomia-sensors` thread of a live `eunomia monitor`, sensors scoped to a private mount
# namespace the loops run in (-Deunomia.bench.mntns: others' events stay in the kernel; the
# namespace counts as a container's, so its execs take the container path: root layer, attribution).
#   bench/pollercost.sh JAR [ROUNDS]     as root; JAR: an engine/target/eunomia.jar (copy it aside to pair builds)
# Per round: 300 x /bin/true, then 20,000 write-opens of /dev/null at 10k/s (bench/target/syscall_loop
# openwrite); KINDS="true gcc" (default "true open") puts 20 x `gcc -O0 -c` of an empty file per round in
# its place (issue 15's gcc). PROFILE=1 adds a JFR `settings=profile` recording of 3 more rounds; STRACE=1 counts the
# poller's system calls over 600 more processes (strace -c); STRACE=files lists the files and calls of
# its file and descriptor system calls over 20 more processes. Prints one line per round and kind.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "pollercost.sh: must run as root (loads BPF programs)" >&2; exit 1; }
jar=$(realpath "$1"); rounds=${2:-4}
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/setup.sh
. scripts/setup.sh
eunomia_select_jdk >/dev/null
work=$(mktemp -d /tmp/pollercost.XXXXXX)
: > "$work/empty.c"
gcc -O2 -o "$work/syscall_loop" bench/src/main/c/syscall_loop.c
unshare --mount --propagation private sleep 100000 &
hold=$!
monitor=""
cleanup() {
  local rc=$?
  if [ -n "$monitor" ]; then
    kill "$monitor" 2>/dev/null || true
    wait "$monitor" 2>/dev/null || true   # its links released before the next run's monitor starts
  fi
  kill "$hold" 2>/dev/null || true
  echo "pollercost.sh: monitor output and recordings in $work" >&2
  exit "$rc"
}
trap cleanup EXIT
sleep 0.5
ns=$(stat -Lc %i "/proc/$hold/ns/mnt")
java "${EUNOMIA_JVM_FLAGS[@]}" "-Deunomia.bench.mntns=$ns" -jar "$jar" monitor --no-metrics \
  --control-socket "$work/ctl/eunomia.sock" > "$work/alerts" 2> "$work/err" &
monitor=$!
for _ in $(seq 600); do grep -q " ready in " "$work/err" && break; kill -0 "$monitor" 2>/dev/null || exit 1; sleep 0.5; done
grep " ready in " "$work/err" >&2 || { echo "pollercost.sh: the monitor did not get ready" >&2; exit 1; }
tid=""
for t in /proc/"$monitor"/task/*; do [ "$(cat "$t/comm" 2>/dev/null)" = eunomia-sensors ] && tid=${t##*/}; done
[ -n "$tid" ] || { echo "pollercost.sh: no eunomia-sensors thread" >&2; exit 1; }
cpu() { cut -d' ' -f1 "/proc/$monitor/task/$tid/schedstat"; }
wakeups() { awk '/^voluntary_ctxt_switches/{print $2}' "/proc/$monitor/task/$tid/status"; }
allocated() {   # bytes the poller allocated between the recording's two chunk-end readings
  jfr print --json --events jdk.ThreadAllocationStatistics "$1" | python3 -c '
import json, sys
v = [e["values"]["allocated"] for e in json.load(sys.stdin)["recording"]["events"]
     if (e["values"].get("thread") or {}).get("javaName") == "eunomia-sensors"]
print(max(v) - min(v) if v else 0)'
}
run_true() { nsenter -t "$hold" -m bash -c 'for i in $(seq 300); do /bin/true; done'; }
run_open() { nsenter -t "$hold" -m "$work/syscall_loop" openwrite 20000 100000 >/dev/null; }
run_gcc() { nsenter -t "$hold" -m bash -c 'cd "$1" && for i in $(seq 20); do gcc -O0 -c empty.c -o empty.o; done' sh "$work"; }
kinds=${KINDS:-true open}
run_kinds() { for k in $kinds; do "run_$k"; done; }
for _ in 1 2 3; do run_kinds; done   # warm-up (JIT)
sleep 1
for r in $(seq "$rounds"); do
  for kind in $kinds; do
    jcmd "$monitor" JFR.start name=w settings=none +jdk.ThreadAllocationStatistics#enabled=true >/dev/null
    c0=$(cpu); v0=$(wakeups); load=$(cut -d' ' -f1 /proc/loadavg)
    case $kind in true) n=300 ;; open) n=20000 ;; gcc) n=20 ;; esac
    "run_$kind"
    sleep 0.3
    c1=$(cpu); v1=$(wakeups)
    jcmd "$monitor" JFR.stop name=w filename="$work/w.jfr" >/dev/null
    a=$(allocated "$work/w.jfr")
    echo "round $r, $kind: per unit: poller CPU $(( (c1 - c0) / n )) ns, wake-ups $(awk "BEGIN{printf \"%.2f\", ($v1 - $v0) / $n}"), allocated $(( a / n )) B (load $load)"
  done
done
if [ "${PROFILE:-0}" = 1 ]; then
  jcmd "$monitor" JFR.start name=p settings=profile >/dev/null
  for _ in 1 2 3; do run_kinds; done
  jcmd "$monitor" JFR.stop name=p filename="$work/profile.jfr" >/dev/null
fi
if [ "${STRACE:-0}" = files ]; then   # which files the poller touches for 20 short processes, by name
  strace -p "$tid" -e trace=%file,%desc -o "$work/strace-files.txt" &
  st=$!
  sleep 1; nsenter -t "$hold" -m bash -c 'for i in $(seq 20); do /bin/true; done'; sleep 0.5
  kill -INT "$st"; wait "$st" || true
  grep -oE '"[^"]*"' "$work/strace-files.txt" | sed -E 's#/proc/[0-9]+/#/proc/PID/#' | sort | uniq -c | sort -rn
  awk '{print $1}' FS='(' "$work/strace-files.txt" | sort | uniq -c | sort -rn
fi
if [ "${STRACE:-0}" = 1 ]; then
  strace -c -p "$tid" -o "$work/strace.txt" &
  st=$!
  sleep 1; run_true; run_true; sleep 0.5
  kill -INT "$st"; wait "$st" || true
  cat "$work/strace.txt"
fi
