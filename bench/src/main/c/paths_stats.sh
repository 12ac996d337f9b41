#!/bin/bash
# usage: measure.sh JAR LABEL ; prints per-program ns/run of the monitor's programs for each loop
set -u
# Needs in $PATHS_BENCH_DIR: send_loop (bench/src/main/c/send_loop.c), twolinks (a file with a second link), hostslink (a link to /etc/hosts).
JAR=$1; LABEL=$2; D=${PATHS_BENCH_DIR:-/tmp/paths-bench}
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
BEFORE=$(bpftool prog show --json | python3 -c "import json,sys; print(max(p['id'] for p in json.load(sys.stdin)))")
$J --enable-native-access=ALL-UNNAMED -jar $JAR monitor --no-control --no-metrics --aggregate=0 --output-file=$D/$LABEL.alerts >/dev/null 2>$D/$LABEL.err &
MON=$!
trap 'kill $MON 2>/dev/null; sysctl -q kernel.bpf_stats_enabled=0' EXIT
for i in $(seq 1 120); do sleep 1; grep -q "ready in" $D/$LABEL.err && break; done
sleep 2
# the monitor's programs: ids above the highest one before it started, by name
bpftool prog show --json > $D/progs.json
snap() { bpftool prog show --json | python3 -c "
import json,sys
before=$BEFORE
want={'exit_openat','enter_sendto','exit_sendto','enter_sendmsg','exit_sendmsg'}
out={}
for p in json.load(sys.stdin):
  if p['id']>before and p.get('name') in want and p.get('name') not in out:
    out[p['name']]=(p.get('run_time_ns',0),p.get('run_cnt',0))
print(json.dumps(out))"; }
sysctl -q kernel.bpf_stats_enabled=1
for w in "send 200000" "sendto 200000" "sendmsg 200000" "open 200000 /usr/lib/os-release" "open 200000 $D/twolinks" "open 200000 $D/hostslink"; do
  a=$(snap); r=$($D/send_loop $w); b=$(snap)
  python3 - "$a" "$b" "$w" "$r" "$LABEL" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json,sys
a,b=json.loads(sys.argv[1]),json.loads(sys.argv[2])
parts=[]
for k in sorted(b):
  dn=b[k][0]-a.get(k,(0,0))[0]; dc=b[k][1]-a.get(k,(0,0))[1]
  if dc: parts.append(f"{k} {dn/dc:.0f}ns x{dc}")
w=sys.argv[3].split()
print(sys.argv[5], w[0], w[2] if len(w)>2 else '', "cpu/iter", sys.argv[4].split()[0], "|", "; ".join(parts), "| load", sys.argv[6], flush=True)
PY
done
