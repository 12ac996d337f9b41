#!/usr/bin/env bash
# Builds what the benchmark needs and runs it (as root: it loads BPF programs).
#   bench/run.sh [--quick] [--part overhead|ring|attribution|pipeline|alerting|enforce|learning|learning-scale|all]
#                [--ring-mb N]
# (learning-scale, 200 containers, is not part of "all")
# Prints the tables on stdout. See bench/README.md for what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (loads BPF programs)" >&2; exit 1; }
# shellcheck source=../scripts/setup.sh
. scripts/setup.sh
# build: clang, bpftool, JDK; test: gcc, runc, crun, busybox-static, bpftrace (the learning peer)
eunomia_setup build test

mvn -B -q -Dstyle.color=never -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
mkdir -p bench/target
gcc -O2 -Wall -o bench/target/syscall_loop bench/src/main/c/syscall_loop.c
# the same loop for a busybox container (no libc inside): bind-mounted as /loop
gcc -O2 -Wall -static -o bench/target/syscall_loop_static bench/src/main/c/syscall_loop.c

cp="bench/target/classes:$(cat bench/target/classpath.txt)"
# The JVM flags of ./eunomia: what is measured is what runs.
exec java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -cp "$cp" io.eunomia.bench.Bench --loop bench/target/syscall_loop "$@"
