#!/usr/bin/env bash
# What each of the monitor's BPF programs costs per workload (issue 15): starts the real
# `eunomia monitor` (default pack, the launcher's JVM flags), turns kernel.bpf_stats_enabled on
# for the measured stretch only (it is shared: back to 0 right after), and prints per program the
# runs and ns per run that a workload caused (bpftool's run_time_ns/run_cnt of the monitor's own
# programs, before and after; others' activity in the same window is counted too: quiet machine).
#   bench/progcost.sh [--reps N]        after bench/run.sh has built bench/target (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3
[ "${1:-}" = --reps ] && reps=$2
. scripts/setup.sh
eunomia_select_jdk >/dev/null
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
work=$(mktemp -d)
log=$work/monitor.err
java "${EUNOMIA_JVM_FLAGS[@]}" -cp "$cp" io.eunomia.engine.Main monitor --no-metrics \
  --rule-cache "$work/rule-cache" >/dev/null 2>"$log" &
mon=$!
cleanup() { kill "$mon" 2>/dev/null || true; wait "$mon" 2>/dev/null || true; sysctl -qw kernel.bpf_stats_enabled=0; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 600); do grep -q "monitoring with" "$log" && break; kill -0 "$mon" || { cat "$log"; exit 1; }; sleep 0.1; done
# the monitor's programs: the prog_id of its file descriptors (bpftool of this machine lists no pids)
snapshot() {
  local ids; ids=$(grep -h '^prog_id:' /proc/"$mon"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u | paste -sd,)
  bpftool prog show -j | jq -r --argjson ids "[$ids]" \
    '.[] | select(.id as $i | $ids | index($i)) | "\(.id) \(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"' | sort
}
loop=bench/target/syscall_loop
declare -A workloads=(
  [true300]="for i in \$(seq 300); do /bin/true; done"
  [tar]="tar cf /dev/null -C /usr/lib python3"
  [openclose]="$loop openclose 200000 >/dev/null"
)
for w in true300 tar openclose; do
  bash -c "${workloads[$w]}"    # warm-up (page cache, the monitor's JIT)
  sleep 1
  sysctl -qw kernel.bpf_stats_enabled=1
  snapshot > "$work/before"
  for _ in $(seq "$reps"); do bash -c "${workloads[$w]}"; done
  snapshot > "$work/after"
  sysctl -qw kernel.bpf_stats_enabled=0
  echo "== $w x$reps (load $(cut -d' ' -f1-3 /proc/loadavg))"
  join "$work/before" "$work/after" | awk -v reps="$reps" '{
      runs = $7 - $4; ns = $6 - $3
      if (runs > 0) { printf "  %-28s %10.0f runs/rep %8.1f ns/run %9.1f us/rep\n", $2, runs / reps, ns / runs, ns / reps / 1000; tot += ns }
    } END { printf "  %-28s %51.1f us/rep\n", "total", tot / reps / 1000 }'
done
