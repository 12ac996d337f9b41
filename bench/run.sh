#!/usr/bin/env bash
# Builds what the benchmark needs and runs it (as root: it loads BPF programs).
#   bench/run.sh [--quick] [--part overhead|syscallpath|ring|attribution|enrichment|paths|churn|pipeline|alerting|enforce|learning|learning-scale|workloads|workloads-floor|web|web-floor|progcost|all]
#                [--ring-mb N] [--rounds N] [--soak-seconds N] [--soak-rate EVENTS_PER_S] [--idle-seconds N] [--reps N]
# (learning-scale, 200 containers, is not part of "all")
#   workloads: N paired off/on rounds (10; --quick 6; 0 = soak only), each side running each workload again and
#              again for 2.5 s (--quick 1 s): wall and CPU ratios with a CI and a verdict against ×1.10
#              (--workloads tar,git,true,gcc,web picks some); then the web server (as --part web), the idle
#              reading (--idle-seconds N after 60 s of settling; default none), the soak (600 s at 15k events/s;
#              --quick 30 s; 0 = none)
#   workloads-floor: the same paired runs with sides none, syscall tracepoints on, an empty tp_btf pair and the
#              monitor, rotated (N rounds, 10; --quick 6; not in "all"); --floor-hooks tp-other,noop-pair,tp+noop picks
#              the hook sides ("" none; tp+noop: both at once); --monitor-side NAME[@JAR]=OPTIONS (repeatable) adds a
#              monitored side with more options (--compat32=off) or another jar, also compared with the monitor
#   --keep-unequal-rounds: paired parts keep rounds whose sides began with different counts of others' BPF links
#   --monitor-args 'OPTIONS': more options of `eunomia monitor` for every monitor a part starts
#   web: the workloads part's nginx cases alone (N paired rounds, 12; --quick 6; no soak)
#   web-floor: the hook machinery alone under nginx (syscall tracepoints on; an empty tp_btf pair), N rounds (12)
#   progcost: each of the monitor's BPF programs per workload (--reps N, 3; not in "all")
#   syscallpath: where a syscall pays, per hook path and per sensor (--rounds N, 9; --quick 5; not in "all")
# Prints the tables on stdout. See bench/README.md for what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (loads BPF programs)" >&2; exit 1; }
# shellcheck source=../scripts/setup.sh
. scripts/setup.sh
# build: clang, bpftool, JDK; test: gcc, runc, crun, busybox-static, bpftrace (the learning peer), nginx and wrk (workloads)
eunomia_setup build test

# Offline first (eunomia_setup has fetched what the build needs; a machine without network builds
# too), online only when something is missing from the local repository.
build=(-B -q -Dstyle.color=never -pl bench -am package dependency:build-classpath -DskipTests
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime)
mvn -o "${build[@]}" || { echo "run.sh: the offline build failed; building online" >&2; mvn "${build[@]}"; }
mkdir -p bench/target
gcc -O2 -Wall -o bench/target/syscall_loop bench/src/main/c/syscall_loop.c
# the same loop for a busybox container (no libc inside): bind-mounted as /loop
gcc -O2 -Wall -static -o bench/target/syscall_loop_static bench/src/main/c/syscall_loop.c
# the hook paths alone (--part syscallpath): loads the bench's syscallpath.bpf.o with libbpf
gcc -O2 -Wall -o bench/target/syscall_path bench/src/main/c/syscall_path.c -lbpf
# holds one configuration of those hooks while nginx or the workloads run (--part web-floor, workloads-floor)
gcc -O2 -Wall -o bench/target/hook_hold bench/src/main/c/hook_hold.c -lbpf
# runs a workload again and again: each run's wall time and its process tree's CPU from wait4 (--part workloads)
gcc -O2 -Wall -o bench/target/run_times bench/src/main/c/run_times.c

# The workloads part runs the monitor as ./eunomia does: its jar, its flags and its AOT cache
# (scripts/aot-train.sh; made here when the build left it older than the jar; EUNOMIA_AOT=off runs
# without, for a paired run).
jar=engine/target/eunomia.jar
case " $* " in *" --part workloads "*|*" --part workloads-floor "*|*" --part web "*|*" --part progcost "*|*" --part all "*) runs_monitor=yes ;;
  *" --part "*) runs_monitor=no ;; *) runs_monitor=yes ;; esac
if [ "$runs_monitor" = yes ] && [ "${EUNOMIA_AOT:-on}" != off ] && [ -z "$(eunomia_aot_flags "$jar")" ]; then
  scripts/aot-train.sh
fi
monitor_flags=("${EUNOMIA_JVM_FLAGS[@]}")
mapfile -t aot < <(eunomia_aot_flags "$jar")
monitor_flags+=("${aot[@]}")
# EUNOMIA_BENCH_JVM_FLAGS: more flags for the JVMs measured (e.g. -Deunomia.sessionFilter=off for a paired run).
# shellcheck disable=SC2206
EUNOMIA_JVM_FLAGS+=(${EUNOMIA_BENCH_JVM_FLAGS:-})
# shellcheck disable=SC2206
monitor_flags+=(${EUNOMIA_BENCH_JVM_FLAGS:-})
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
# The JVM flags and malloc settings of ./eunomia: what is measured is what runs (the workloads part starts the
# monitor with them). The malloc settings go to the monitors alone: the workloads (git, gcc, tar) keep the caller's.
exec java "${EUNOMIA_JVM_FLAGS[@]}" -cp "$cp" io.eunomia.bench.Bench --loop bench/target/syscall_loop \
  --jvm-flags "${monitor_flags[*]}" --monitor-jar "$jar" \
  --monitor-env "MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-$EUNOMIA_MALLOC_ARENA_MAX}" \
  --monitor-env "MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-$EUNOMIA_MALLOC_MMAP_THRESHOLD}" "$@"
