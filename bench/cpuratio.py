#!/usr/bin/env python3
"""A workload's own CPU (user + system of its processes, from wait4) with no monitor and under each jar's monitor,
alternated round by round (bench/README, "The per-open cost of tar and git"). As root, in the repository (git reads it):

  bench/cpuratio.py ROUNDS REPS LABEL=JAR [LABEL=JAR...]     (ONLY=gcc10,true300 picks workloads; default tar,git)

Each round: off, then each jar's monitor (callcost.py's: default pack, ready, warmed up by one run), in turn first and
last; REPS runs of each workload per setting, their CPU summed. Prints one line per round and setting, then the medians
of the ratios on/off.
"""
import os, statistics, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callcost import start_monitor, stop_monitor

ALL = {
    'tar': ['tar', 'cf', '/dev/null', '-C', '/usr/lib', 'python3'],
    'git': ['sh', '-c', 'git status >/dev/null && git log -p -n 200 >/dev/null'],
    # callcost.py's: 10 compiles of an empty file (WORKDIR holds it), 300 short processes from dash
    'gcc10': ['sh', '-c', 'cd "$WORKDIR" && for i in 1 2 3 4 5 6 7 8 9 10; do gcc -O0 -c empty.c -o empty.o; done'],
    'true300': ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done'],
}
WORK = {w: ALL[w] for w in (os.environ.get('ONLY') or 'tar,git').split(',')}


def cpu(cmd, reps):
    total = 0.0
    for _ in range(reps):
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        if status:
            raise SystemExit('%s failed: %d' % (cmd, status))
        total += ru.ru_utime + ru.ru_stime
    return total


def main():
    if len(sys.argv) < 4 or os.geteuid() != 0:
        raise SystemExit(__doc__)
    rounds, reps = int(sys.argv[1]), int(sys.argv[2])
    jars = [a.split('=', 1) for a in sys.argv[3:]]
    work = '/tmp/cpuratio-%d' % os.getpid()
    os.makedirs(work, exist_ok=True)
    open(work + '/empty.c', 'w').close()
    os.environ['WORKDIR'] = work
    ratios = {}
    for r in range(rounds):
        off = {w: cpu(c, reps) for w, c in WORK.items()}
        print(r, 'off', ' '.join('%s=%.3fs' % kv for kv in off.items()), flush=True)
        for label, jar in (jars if r % 2 == 0 else list(reversed(jars))):
            mon = start_monitor(label, jar, work)
            try:
                for c in WORK.values():
                    subprocess.run(c, check=True, stdout=subprocess.DEVNULL)
                on = {w: cpu(c, reps) for w, c in WORK.items()}
            finally:
                stop_monitor(mon)
            with open('/proc/loadavg') as f:
                load = f.read().split()[0]
            print(r, label, ' '.join('%s=%.3fs ×%.3f' % (w, on[w], on[w] / off[w]) for w in WORK), 'load', load, flush=True)
            for w in WORK:
                ratios.setdefault((label, w), []).append(on[w] / off[w])
    for (label, w), xs in sorted(ratios.items()):
        print('%s %s CPU on/off: median ×%.3f (min ×%.3f, max ×%.3f, %d rounds)'
              % (label, w, statistics.median(xs), min(xs), max(xs), len(xs)))


if __name__ == '__main__':
    main()
