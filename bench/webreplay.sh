#!/usr/bin/env bash
# What the monitor adds to nginx's request, split into the hooks' floor and Eunomia's own work (issue 15;
# bench/README.md "nginx's request, replayed"). bench/src/main/c/web_replay replays the worker's calls per
# request in one thread pinned to the last CPU (keep-alive, and a connection per request); its CPU ns per
# request is taken under each side, the order reversed every other round:
#   none       nothing of ours attached
#   tp-other   perf syscall tracepoints on a call the loop never makes (the slow syscall path: hook_hold)
#   noop-pair  an empty tp_btf sys_enter + sys_exit pair (the 32-bit dispatcher's floor: hook_hold)
#   both       the two together: the floor of a monitor that watches 32-bit calls
#   JAR...     `eunomia monitor` of each jar (copy engine/target/eunomia.jar aside to pair builds); JAR,ARG,...
#              adds monitor options (e.g. eunomia.jar,--compat32=off: the same jar without the 32-bit watch)
#   bench/webreplay.sh [ROUNDS] [JAR[,ARG...]...]   as root, after a bench build (bench/run.sh or mvn -pl bench -am package)
# Per side and case: the median of 3 runs; then per side the median over rounds of its difference to the
# round's `none`. Each line carries the other processes' BPF perf attachments (bpftool perf show): other
# monitors on the host run their hooks in the loop too, on every side.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "webreplay.sh: must run as root (loads BPF programs)" >&2; exit 1; }
rounds=${1:-6}
shift || true
jars=()
for j in "$@"; do jars+=("$(realpath "${j%%,*}")${j#"${j%%,*}"}"); done
cd "$(dirname "$0")/.."
# shellcheck source=../scripts/setup.sh
. scripts/setup.sh
eunomia_select_jdk >/dev/null
obj=bench/target/classes/io/eunomia/bpf/syscallpath.bpf.o
[ -f "$obj" ] || { echo "webreplay.sh: $obj missing: build the bench first" >&2; exit 1; }
work=$(mktemp -d /tmp/webreplay.XXXXXX)
gcc -O2 -Wall -o "$work/web_replay" bench/src/main/c/web_replay.c
gcc -O2 -Wall -o "$work/hook_hold" bench/src/main/c/hook_hold.c -lbpf
# The page as nginx serves it in the web part: 0.5 KB in a directory of /tmp readable by all.
mkdir -p "$work/html"
printf '<html><body>%s</body></html>\n' "$(printf 'eunomia %.0s' $(seq 64))" > "$work/html/small.html"
cpu=$(( $(nproc) - 1 ))
holds=()
monitor=""
release() {
  local p
  for p in "${holds[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  holds=()
  if [ -n "$monitor" ]; then
    kill "$monitor" 2>/dev/null || true
    wait "$monitor" 2>/dev/null || true
    monitor=""
    sleep 8   # the kernel releases a closed monitor's links in deferred work
  fi
}
trap 'release; echo "webreplay.sh: output in $work" >&2' EXIT
hold() {   # hook_hold CONFIG until released (it holds the links while its stdin is open)
  local fifo="$work/fifo.$1"
  mkfifo "$fifo"
  sleep 100000 > "$fifo" &
  holds+=($!)
  "$work/hook_hold" "$obj" "$1" < "$fifo" > "$work/hold.$1" 2>&1 &
  holds+=($!)
  for _ in $(seq 600); do grep -q attached "$work/hold.$1" && break; sleep 0.1; done   # loading takes seconds under load
  grep -q attached "$work/hold.$1" || { echo "webreplay.sh: hook_hold $1 failed: $(cat "$work/hold.$1")" >&2; exit 1; }
  rm -f "$fifo"
}
start_monitor() {   # JAR[,ARG...]
  local args
  IFS=, read -r -a args <<< "$1"
  java "${EUNOMIA_JVM_FLAGS[@]}" -jar "${args[0]}" monitor --no-metrics --no-control "${args[@]:1}" > "$work/alerts" 2> "$work/err" &
  monitor=$!
  for _ in $(seq 600); do grep -q " ready in " "$work/err" && break; kill -0 "$monitor" 2>/dev/null || exit 1; sleep 0.5; done
  grep -q " ready in " "$work/err" || { echo "webreplay.sh: the monitor did not get ready" >&2; exit 1; }
  sleep 2
}
# Perf attachments (syscall tracepoints and tp_btf links) of processes other than ours.
others() {
  local mine="^(${monitor:-0}$(for p in "${holds[@]}"; do printf '|%s' "$p"; done))$"
  bpftool perf show 2>/dev/null | awk '{print $2}' | grep -cvE "$mine" || true
}
measure() {   # CASE ITERATIONS: the median of 3 runs
  for _ in 1 2 3; do taskset -c "$cpu" "$work/web_replay" "$1" "$work/html/small.html" "$2"; done | sort -n | sed -n 2p
}
sides=(none tp-other noop-pair both)
for j in "${!jars[@]}"; do sides+=("jar$j"); done
for j in "${!jars[@]}"; do echo "jar$j: ${jars[$j]}"; done
echo "round side keepalive_ns close_ns others_attached load"
for r in $(seq "$rounds"); do
  order=("${sides[@]}")
  if [ $((r % 2)) = 0 ]; then mapfile -t order < <(printf '%s\n' "${sides[@]}" | tac); fi
  for s in "${order[@]}"; do
    case $s in
      tp-other|noop-pair) hold "$s" ;;
      both) hold tp-other; hold noop-pair ;;
      jar*) start_monitor "${jars[${s#jar}]}" ;;
    esac
    o=$(others)
    k=$(measure keepalive 30000)
    c=$(measure close 4000)
    echo "$r $s $k $c $o $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$work/rounds"
    release
  done
done
echo
echo "per side, median over rounds of (side - none) in ns per request, keep-alive / a connection per request:"
python3 - "$work/rounds" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
none = {r[0]: (float(r[2]), float(r[3])) for r in rows if r[1] == "none"}
sides = []
for r in rows:
    if r[1] not in sides:
        sides.append(r[1])
for s in sides:
    d = [(float(r[2]) - none[r[0]][0], float(r[3]) - none[r[0]][1]) for r in rows if r[1] == s and r[0] in none]
    k = statistics.median(x[0] for x in d); c = statistics.median(x[1] for x in d)
    base = [float(r[2]) for r in rows if r[1] == s]
    print(f"{s:10s} keep-alive {statistics.median(base):8.0f} ns ({k:+6.0f}, min..max {min(x[0] for x in d):+.0f}..{max(x[0] for x in d):+.0f}); "
          f"connection per request {statistics.median(float(r[3]) for r in rows if r[1] == s):8.0f} ns ({c:+6.0f})")
PY
