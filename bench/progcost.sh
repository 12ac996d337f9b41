#!/usr/bin/env bash
# What each of the monitor's BPF programs costs per workload (issue 15): now a part of the bench,
# `bench/run.sh --part progcost` (ProgCostBench: the real monitor, bpf_stats on for the measured
# stretches only, runs and ns per run per program for 300 x /bin/true, tar and an open+close loop).
#   bench/progcost.sh [--reps N]        as root
set -euo pipefail
exec "$(dirname "$0")/run.sh" --part progcost "$@"
