#!/bin/bash
# Paired rounds for the shared io_uring dispatcher (bench/README.md, "One program per ring tracepoint"):
# each round runs, one after another, the same ring loop with no programs, with the file and net
# sensors' ring programs attached each on its own (before), and with them plugged into the
# dispatcher (after). Prints the load average with every round.
#   uring_share_rounds.sh OBJDIR ROUNDS N
# OBJDIR holds file.bpf.o, net.bpf.o, uring_dispatch.bpf.o (bpf/target/classes/io/eunomia/bpf) and
# the tool: gcc -O2 -o OBJDIR/ups bench/src/main/c/uring_path_stats.c -lbpf
#  - read N with bpf_stats (the tool's own BPF_ENABLE_STATS fd): ns per ring request of every program
#    (IORING_OP_READ with IOSQE_ASYNC: an opcode no sensor watches, what most ring requests pay)
#  - openrc N with bpf_stats: ring openat + read + close (the open is watched: its handler works)
#  - openrc N without bpf_stats (UPS_NOSTATS=1): the loop's CPU per request, off / before / after
set -eu
D=${1:?OBJDIR}; ROUNDS=${2:-3}; N=${3:-100000}
cd "$D"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S)"
  for w in read openrc; do
    echo "-- $w before"; ./ups $w "$N" file.bpf.o net.bpf.o
    echo "-- $w after"; ./ups $w "$N" uring_dispatch.bpf.o file.bpf.o net.bpf.o
  done
  for how in off before after; do
    case $how in
      off) objs=() ;;
      before) objs=(file.bpf.o net.bpf.o) ;;
      after) objs=(uring_dispatch.bpf.o file.bpf.o net.bpf.o) ;;
    esac
    printf -- "-- openrc cpu %s: " $how; UPS_NOSTATS=1 ./ups openrc "$N" "${objs[@]}" | head -1
  done
done
echo "== end, load $(cut -d' ' -f1-3 /proc/loadavg)"
