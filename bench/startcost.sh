#!/usr/bin/env bash
# What one `eunomia monitor` start costs (issue 15): wall and process CPU to the ready line, each
# sensor's verifier load (wall, CPU of its loading thread), and the instructions the kernel's
# verifier checked per sensor object (verified_insns of the monitor's own program fds, grouped by
# the object's BTF), and its close: how long after its --duration (6 s from the ready line) ended the
# process was gone. The monitor runs as the tests' child JVMs run it (no GC flags, no AOT cache).
#   bench/startcost.sh [JAR] [off|on|auto]     as root; JAR default engine/target/eunomia.jar
# Compare two builds in one script, alternated, several rounds, with the load average it prints.
set -euo pipefail
jar=${1:-$(dirname "$0")/../engine/target/eunomia.jar}
compat=${2:-off}
java=${EUNOMIA_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
log=$(mktemp /tmp/eunomia-startcost.XXXXXX)
trap 'rm -f "$log" "$log.gone"' EXIT
start=$(date +%s%N)
# The subshell notes when the monitor is gone (its close), whatever the listing below takes.
( EUNOMIA_LOG=debug "$java" --enable-native-access=ALL-UNNAMED -Deunomia.compat32="$compat" -jar "$jar" \
  monitor --duration 6 --no-metrics --no-control >"$log" 2>&1; date +%s%N >"$log.gone" ) &
pid=$!
until grep -q 'monitoring with' "$log"; do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
ready_ns=$(date +%s%N)
ready_ms=$(( (ready_ns - start) / 1000000 ))
jvm=$(pgrep -P "$pid" java)  # the monitor, the subshell's child
python3 - "$jvm" <<'PY'
import collections, json, os, subprocess, sys
pid = sys.argv[1]
insns = {}
for fd in os.listdir(f'/proc/{pid}/fdinfo'):
    try:
        info = dict(l.split(':', 1) for l in open(f'/proc/{pid}/fdinfo/{fd}').read().splitlines() if ':' in l)
    except OSError:
        continue
    if 'prog_id' in info and 'verified_insns' in info:
        insns[int(info['prog_id'])] = int(info['verified_insns'])
progs = {p['id']: p for p in json.loads(subprocess.check_output(['bpftool', 'prog', 'show', '-j']))}
objects = collections.defaultdict(list)
for i, n in insns.items():
    objects[progs.get(i, {}).get('btf_id')].append((n, progs.get(i, {}).get('name', '?')))
for lst in sorted(objects.values(), key=lambda l: -sum(n for n, _ in l)):
    lst.sort(reverse=True)
    print(f'verified {sum(n for n, _ in lst):>8} insns in {len(lst):>3} programs; largest: '
          + ' '.join(f'{name}={n}' for n, name in lst[:3]))
PY
wait "$pid" || true
close_ms=$(( ($(cat "$log.gone") - ready_ns) / 1000000 - 6000 ))
echo "ready after ${ready_ms} ms wall; gone ${close_ms} ms after its duration ended; load average $(cut -d' ' -f1-3 /proc/loadavg)"
grep -o 'ready [0-9]* ms after the JVM started, [0-9]* ms cpu.*' "$log" || true
grep -o '[a-z]*: load (verifier) .*' "$log" || true
