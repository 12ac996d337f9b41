#!/usr/bin/env bash
# Builds what the benchmark needs and runs it (as root: it loads BPF programs).
#   bench/run.sh [--quick] [--part overhead|ring|all] [--ring-mb N]
# Prints the tables on stdout. See bench/README.md for what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (loads BPF programs)" >&2; exit 1; }
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$JAVA_HOME/bin/java" ] || { echo "run.sh: JDK 25 not found at $JAVA_HOME (set JAVA_HOME)" >&2; exit 1; }
export PATH=$JAVA_HOME/bin:$PATH

mvn -B -q -pl bench -am package -DskipTests
mkdir -p bench/target
gcc -O2 -Wall -o bench/target/syscall_loop bench/src/main/c/syscall_loop.c

cp="bench/target/classes:bpf/target/classes:native/target/classes"
exec java --enable-native-access=ALL-UNNAMED -cp "$cp" io.eunomia.bench.Bench --loop bench/target/syscall_loop "$@"
