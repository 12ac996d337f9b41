#!/usr/bin/env python3
"""After an overflow, when does the monitor alert again? (stall18) A monitor (JAR, --ring-mib 1) scoped to a
private mount namespace is SIGSTOPped while a shell there opens /etc/shadow FLOOD times (~200 B records: far
past 1 MiB; 0: no stop), SIGCONTed; then a cat of /etc/shadow every GAP s for AFTER s, each timed to its
exec and read alerts; optionally FLOODERS C loops (stall-flood.c, cc -O2 -o FLOODER stall-flood.c; FLOODER env, default /tmp/stall18/flood) of LIVE s
from the resume; metrics every 100 ms (changes printed), alert lines per second.
usage: stall-probe.py JAR FLOOD GAP AFTER [FLOODERS LIVE], JAVA_HOME and FLAGS (EUNOMIA_JVM_FLAGS) set;
env: WARM=1 (a cat alerted before the stop: the namespace's look done), HOST=1 (not scoped), NICE=n (the
monitor's nice), RULES=file (default: bench/stall-rules.yaml), AGG=seconds (--aggregate, default 0)"""
import json, os, re, signal, socket, subprocess, sys, threading, time, urllib.request
jar, flood, gap, after = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
flooders, live = (int(sys.argv[5]), float(sys.argv[6])) if len(sys.argv) > 6 else (0, 0)
flags = os.environ.get("FLAGS", "").split()
java = os.environ["JAVA_HOME"] + "/bin/java"
holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sleep", "900"])
self_ns = os.readlink("/proc/self/ns/mnt")
while os.readlink(f"/proc/{holder.pid}/ns/mnt") == self_ns: time.sleep(0.02)
ns = int(re.sub(r"\D", "", os.readlink(f"/proc/{holder.pid}/ns/mnt")))
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
env = dict(os.environ) if os.environ.get("HOST") else dict(os.environ, JAVA_TOOL_OPTIONS=f"-Deunomia.bench.mntns={ns}")
mon = subprocess.Popen((["nice", "-n", os.environ["NICE"]] if os.environ.get("NICE") else []) + [java] + flags + ["-jar", jar, "monitor", "--ring-mib", "1", "--format", "json", "--no-rule-cache",
        "--no-default-rules", "--rules", os.environ.get("RULES", os.path.join(os.path.dirname(os.path.abspath(__file__)), "stall-rules.yaml")), "--aggregate", os.environ.get("AGG", "0"), "--no-control",
        "--metrics-address", f"127.0.0.1:{port}", "--duration", "900"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
alerts = {}   # (rule, pid) -> time
lines = []   # arrival time of every alert line
errlines = []
ready = threading.Event()
def rd_out():
    for l in mon.stdout:
        try: a = json.loads(l)
        except ValueError: continue
        alerts.setdefault((a.get("rule"), int(re.sub(r"\D", "", a.get("output", "0")) or 0)), time.time())
        lines.append(time.time())
def rd_err():
    for l in mon.stderr:
        errlines.append((time.time(), l.rstrip()))
        if "monitoring with" in l: ready.set()
threading.Thread(target=rd_out, daemon=True).start(); threading.Thread(target=rd_err, daemon=True).start()
def scrape():
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    r = {}
    for line in body.splitlines():
        if line.startswith("#"): continue
        m = re.match(r"(\S+) (\S+)$", line)
        if m and re.match(r"eunomia_(events_total|dropped_events_total|pipeline|kernel_records_shed|alerts_total|queue|ring|attribution|events_unattributed|output)", m.group(1)):
            r[m.group(1)] = float(m.group(2))
    return r
samples = []
stop_scrape = threading.Event()
def scraper():
    while not stop_scrape.is_set():
        try: samples.append((time.time(), scrape()))
        except Exception as e: samples.append((time.time(), {"error": str(e)}))
        time.sleep(0.1)
try:
    if not ready.wait(180): sys.exit("monitor not ready: " + "\n".join(l for _, l in errlines))
    if os.environ.get("WARM"):   # the namespace known before the stop: a cat, its alert awaited
        w = subprocess.Popen(["nsenter", "-t", str(holder.pid), "-m", "cat", "/etc/shadow"], stdout=subprocess.DEVNULL); w.wait()
        tw = time.time()
        while ("Stall read", w.pid) not in alerts and time.time() - tw < 30: time.sleep(0.05)
        print(f"warm-up cat alerted after {time.time() - tw:.3f}s: {('Stall read', w.pid) in alerts}")
    base = scrape()
    os.kill(mon.pid, signal.SIGSTOP)
    t_stop = time.time()
    sh = subprocess.run(["nsenter", "-t", str(holder.pid), "-m", "sh", "-c",
        f"i=0; while [ $i -lt {flood} ]; do : < /etc/shadow; i=$((i+1)); done"], check=True)
    os.kill(mon.pid, signal.SIGCONT)
    t0 = time.time()
    threading.Thread(target=scraper, daemon=True).start()
    cats = []
    fl = [subprocess.Popen(["nsenter", "-t", str(holder.pid), "-m", os.environ.get("FLOODER", "/tmp/stall18/flood"), str(live)],
        stdout=subprocess.PIPE, text=True) for _ in range(flooders)]
    while time.time() - t0 < after:
        t = time.time()
        c = subprocess.Popen(["nsenter", "-t", str(holder.pid), "-m", "cat", "/etc/shadow"], stdout=subprocess.DEVNULL); c.wait()
        cats.append((c.pid, t - t0))
        time.sleep(max(0, gap - (time.time() - t)))
    opens = sum(int(f.communicate()[0]) for f in fl)
    t_end = time.time() - t0
    deadline = time.time() + 30
    while time.time() < deadline and not all(("Stall read", p) in alerts for p, _ in cats[-3:]): time.sleep(0.2)
    time.sleep(1)
    stop_scrape.set(); time.sleep(0.3)
    print(json.dumps({"jar": os.path.basename(jar), "flood": flood, "stopped_s": round(t0 - t_stop, 2), "live_opens": opens, "flood_ended_s": round(t_end, 2), "load": open("/proc/loadavg").read().split()[0]}))
    for p, tc in cats:
        ex = alerts.get(("Stall exec", p)); rd = alerts.get(("Stall read", p))
        print(f"cat pid {p} at +{tc:6.3f}s: exec {'%+.3f' % (ex - t0 - tc) if ex else 'NONE'}  read {'%+.3f' % (rd - t0 - tc) if rd else 'NONE'}")
    keys = sorted({k for _, m in samples for k in m if k != "error"})
    prev = None
    for t, m in samples:
        if "error" in m: print(f"+{t - t0:6.2f} {m['error']}"); continue
        row = {k: m.get(k, 0) - base.get(k, 0) for k in keys}
        if prev is None: diff = {k: v for k, v in row.items() if v}
        else: diff = {k: v for k, v in row.items() if v != prev.get(k)}
        if diff: print(f"+{t - t0:6.2f}", json.dumps({re.sub(r'eunomia_|_total', '', k): v for k, v in diff.items()}, separators=(",", ":")))
        prev = row
    for sec in range(0, int(max(lines, default=t0) - t0) + 2):
        n = sum(1 for x in lines if t0 + sec <= x < t0 + sec + 1)
        if n: print(f"alert lines in +{sec}..{sec + 1}s: {n}")
    for t, l in errlines:
        if t > t_stop: print(f"log +{t - t0:6.2f} {l}")
finally:
    try: os.kill(mon.pid, signal.SIGCONT)
    except ProcessLookupError: pass
    mon.terminate()
    try: mon.wait(60)
    except subprocess.TimeoutExpired: mon.kill(); mon.wait()
    holder.kill(); holder.wait()
