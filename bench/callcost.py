#!/usr/bin/env python3
"""Per-program BPF time of the real monitor around each of a set of workloads, for several monitor jars
alternated round by round (bench/README, "Per-call cost of the kernel side"). As root:

  bench/callcost.py OUT.jsonl ROUNDS LABEL=JAR [LABEL=JAR...]     (ONLY=open_ro,gcc10 picks workloads)

Each jar's monitor (`monitor --no-control --no-metrics --aggregate=0`, default pack) is started, warmed up by one
run of every workload, then kernel.bpf_stats_enabled is on (and back to 0 after, also on failure) while each
workload runs once: per program of that monitor (its own fds' fdinfo, named by bpftool), run_time_ns and run_cnt
before and after. One JSON line per workload and jar; a short line on stdout. PAIRED=1: the jars' monitors run
together (started in turn first and last), so each program of each sees the same calls in the same window. Runs of other processes in the same
window count too: read ns per run, and totals only for programs the workload dominates. Needs in $CALLCOST_TOOLS
(default bench/target/callcost): send_loop, syscall_loop and dirwalk (bench/src/main/c, gcc -O2). The git workload reads
the repository in the current directory.
"""
import json, os, subprocess, sys, time

TOOLS = os.environ.get('CALLCOST_TOOLS', 'bench/target/callcost')
JAVA = os.environ.get('JAVA', '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java')
XATTR = r'''
import os, struct, sys
acl = struct.pack('<I', 2) + b''.join(struct.pack('<HHI', t, p, i) for t, p, i in
      [(1, 6, 0xffffffff), (2, 4, 65534), (4, 4, 0xffffffff), (0x10, 4, 0xffffffff), (0x20, 0, 0xffffffff)])
for _ in range(int(sys.argv[1])):
    os.setxattr(sys.argv[2], 'system.posix_acl_access', acl)
'''

# One process: its path calls' entry slot is made once (gcc's driver, a new process, makes it at its first unlink).
UNLINKS = r'''
import os, sys
for _ in range(int(sys.argv[1])):
    os.close(os.open(sys.argv[2], os.O_CREAT | os.O_WRONLY, 0o600))
    os.unlink(sys.argv[2])
'''


def workloads(work, repo):
    return [
        ('open_ro', [TOOLS + '/send_loop', 'open', '100000', '/usr/lib/os-release']),
        ('open_w', [TOOLS + '/syscall_loop', 'openwrite', '100000']),
        ('open_enoent', ['sh', '-c', 'cd "$1" && exec "$2"/send_loop open 50000 no-such-dir/.gitattributes', 'sh', repo, TOOLS]),
        ('sendto', [TOOLS + '/send_loop', 'sendto', '100000']),
        ('sendmsg', [TOOLS + '/send_loop', 'sendmsg', '100000']),
        ('setxattr', ['python3', '-c', XATTR, '20000', work + '/xattr-file']),
        ('true300', ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done']),
        ('gcc10', ['sh', '-c', 'cd "$1" && for i in 1 2 3 4 5 6 7 8 9 10; do gcc -O0 -c empty.c -o empty.o; done', 'sh', work]),
        ('gcc20', ['sh', '-c', 'cd "$1" && i=0; while [ $i -lt 20 ]; do gcc -O0 -c empty.c -o empty.o; i=$((i+1)); done', 'sh', work]),
        ('unlink_tmp', ['python3', '-c', UNLINKS, '5000', work + '/unlinked']),
        ('git', ['sh', '-c', 'cd "$1" && git status >/dev/null && git log -p -n 200 >/dev/null', 'sh', repo]),
        ('tar', ['tar', 'cf', '/dev/null', '-C', '/usr/lib', 'python3']),
        ('tar10', ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do tar cf /dev/null -C /usr/lib python3; done']),
        # tar's directory opens alone, 300 walks of the tree (~105k opens): they dominate others' opens in the window
        ('dirwalk', [TOOLS + '/dirwalk', '/usr/lib/python3', '300']),
    ]


def programs(pid, names):
    """{name: [run_time_ns, run_cnt]} of the BPF programs process pid holds; names (id -> name) filled by bpftool."""
    rows = {}
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            if os.readlink('/proc/%d/fd/%s' % (pid, fd)) != 'anon_inode:bpf-prog':
                continue
            with open('/proc/%d/fdinfo/%s' % (pid, fd)) as f:
                info = dict(l.split(':\t', 1) for l in f.read().splitlines() if ':\t' in l)
        except OSError:
            continue
        rows[int(info['prog_id'])] = (int(info['run_time_ns']), int(info['run_cnt']))
    if any(i not in names for i in rows):
        for p in json.loads(subprocess.check_output(['bpftool', 'prog', 'show', '--json'])):
            names[p['id']] = p.get('name', str(p['id']))
    out = {}
    for i, (t, c) in rows.items():
        a = out.setdefault(names.get(i, str(i)), [0, 0])
        a[0] += t
        a[1] += c
    return out


def bpf_stats(on):
    subprocess.run(['sysctl', '-q', 'kernel.bpf_stats_enabled=%d' % on], check=True)


def start_monitor(label, jar, work):
    """A monitor of jar, once it is ready."""
    err_path = '%s/%s.err' % (work, label)
    with open(err_path, 'w') as err:
        mon = subprocess.Popen([JAVA, '--enable-native-access=ALL-UNNAMED', '-jar', jar, 'monitor', '--no-control',
                                '--no-metrics', '--aggregate=0', '--output-file=%s/%s.alerts' % (work, label)],
                               stdout=subprocess.DEVNULL, stderr=err)
    for _ in range(600):
        time.sleep(1)
        with open(err_path) as f:
            if 'ready in' in f.read():
                return mon
        if mon.poll() is not None:
            stop_monitor(mon)
            raise SystemExit('%s: the monitor exited; see %s' % (label, err_path))
    stop_monitor(mon)
    raise SystemExit('%s: the monitor was not ready in 600 s' % label)


def stop_monitor(mon):
    mon.terminate()
    try:
        mon.wait(60)
    except subprocess.TimeoutExpired:
        mon.kill()
        mon.wait()


def measure(jars, rnd, chosen, work, out):
    """Each workload once with the monitors of jars ([(label, jar)]) running together: their programs see the same calls."""
    mons = []
    try:
        for label, jar in jars:
            mons.append((label, start_monitor(label, jar, work)))
        names = {}
        for _, cmd in chosen:  # warm-up: page cache, the monitor's JIT
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        time.sleep(2)
        bpf_stats(1)
        try:
            for name, cmd in chosen:
                before = {label: programs(mon.pid, names) for label, mon in mons}
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                wall = time.perf_counter() - t0
                with open('/proc/loadavg') as f:
                    load = f.read().split()[0]
                for label, mon in mons:
                    after = programs(mon.pid, names)
                    b = before[label]
                    progs = {k: [v[0] - b.get(k, [0, 0])[0], v[1] - b.get(k, [0, 0])[1]] for k, v in after.items()}
                    progs = {k: v for k, v in progs.items() if v[1]}
                    out.write(json.dumps({'label': label, 'round': rnd, 'work': name, 'wall': wall, 'load': load,
                                          'paired': len(mons) > 1, 'progs': progs}) + '\n')
                    out.flush()
                    top = sorted(progs.items(), key=lambda kv: -kv[1][0])[:6]
                    print(label, rnd, name, '%.3fs' % wall, 'load', load,
                          ' '.join('%s=%.0fns/run*%d' % (k, v[0] / v[1], v[1]) for k, v in top), flush=True)
        finally:
            bpf_stats(0)
    finally:
        for _, mon in mons:
            stop_monitor(mon)


def main():
    if len(sys.argv) < 4 or os.geteuid() != 0:
        raise SystemExit(__doc__)
    jars = [a.split('=', 1) for a in sys.argv[3:]]
    work = os.environ.get('CALLCOST_WORK', '/tmp/callcost-%d' % os.getpid())
    os.makedirs(work, exist_ok=True)
    open(work + '/empty.c', 'w').close()
    open(work + '/xattr-file', 'w').close()
    only = [w for w in os.environ.get('ONLY', '').split(',') if w]
    chosen = [w for w in workloads(work, os.getcwd()) if not only or w[0] in only]
    with open(sys.argv[1], 'a') as out:
        try:
            for r in range(int(sys.argv[2])):
                order = jars if r % 2 == 0 else list(reversed(jars))
                if os.environ.get('PAIRED'):
                    measure(order, r, chosen, work, out)  # attached in turn first and last
                else:
                    for label, jar in order:
                        measure([(label, jar)], r, chosen, work, out)
        finally:
            bpf_stats(0)


if __name__ == '__main__':
    main()
