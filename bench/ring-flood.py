#!/usr/bin/env python3
"""Paired flood: a monitor (JAR) whose ring a flood of /etc/shadow opens overflows; CATS cats of
/etc/shadow during the flood; what arrived (alerts) and what was lost (metrics) by class.
usage: ring-flood.py JAR MODE(stop|load) RING_MIB SECONDS CATS, with FLAGS (EUNOMIA_JVM_FLAGS) and JAVA_HOME set
(bench/README.md, ringrank)"""
import json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ring-flood-rules.yaml")
WORK = tempfile.mkdtemp(prefix="ring-")
shutil.copy("/bin/true", WORK + "/ringmark")   # the marker's exec: a name no one else runs
jar, mode, ring, secs, cats = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
flags = os.environ["FLAGS"].split()
java = os.environ["JAVA_HOME"] + "/bin/java"
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
out = open(WORK + "/out.json", "w+")
err = open(WORK + "/err.log", "w+")
mon = subprocess.Popen([java] + flags + ["-jar", jar, "monitor", "--ring-mib", ring, "--format", "json", "--no-rule-cache",
        "--no-default-rules", "--rules", RULES, "--aggregate", "0", "--no-control",
        "--metrics-address", f"127.0.0.1:{port}", "--duration", "600"], stdout=out, stderr=err)
try:
    while "monitoring with" not in open(WORK + "/err.log").read():
        if mon.poll() is not None: sys.exit("monitor died: " + open(WORK + "/err.log").read())
        time.sleep(0.2)
    hogs = []
    if mode == "load":   # CPU hogs at the poller's nice: it competes for the 2 vCPUs
        hogs = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(4)]
    if mode == "stop":
        os.kill(mon.pid, signal.SIGSTOP)
    t0 = time.time()
    flood = subprocess.Popen(["python3", "-c", f"""
import time
end = time.time() + {secs}; n = 0
while time.time() < end:
    for _ in range(1000):
        open('/etc/shadow').close()
    n += 1000
print(n)"""], stdout=subprocess.PIPE, text=True)
    catpids = []
    for i in range(cats):
        time.sleep(secs / (cats + 1))
        c = subprocess.Popen(["cat", "/etc/shadow"], stdout=subprocess.DEVNULL)
        catpids.append(c.pid); c.wait()
    opens = int(flood.communicate()[0])
    for h in hogs: h.kill(); h.wait()
    if mode == "stop":
        os.kill(mon.pid, signal.SIGCONT)
    mark = subprocess.Popen([WORK + "/ringmark"]); mark.wait()
    deadline = time.time() + 120
    seen = []
    while time.time() < deadline:
        out.seek(0)
        seen = [json.loads(l) for l in out.read().splitlines() if l.strip()]
        if any(a.get("rule") == "Ringrank marker" and str(mark.pid) in a.get("output", "") for a in seen): break
        time.sleep(0.5)
    else:
        print("marker never came")
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    def pids(rule):
        return {int(re.findall(r"\d+", a["output"])[-1]) for a in seen if a.get("rule") == rule}
    reads = len(pids("Ringrank shadow read") & set(catpids)); execs = len(pids("Ringrank cat exec") & set(catpids))
    drops = {m[0]: float(m[1]) for m in re.findall(r'eunomia_dropped_events_total\{source="(\w+)",stage="kernel"\} (\S+)', body)}
    shed = {f"{m[0]}/{m[1]}": float(m[2]) for m in re.findall(r'eunomia_kernel_records_shed_total\{source="(\w+)",why="(\w+)"\} (\S+)', body) if float(m[2])}
    fileev = re.findall(r'eunomia_events_total\{type="file"\} (\S+)', body)
    print(json.dumps({"jar": os.path.basename(jar), "mode": mode, "ring_mib": ring, "secs": secs, "flood_opens": opens,
        "cats": cats, "cat_execs_alerted": execs, "cat_reads_alerted": reads,
        "kernel_drops": {k: int(v) for k, v in drops.items() if v}, "shed": {k: int(v) for k, v in shed.items()},
        "file_events_delivered": fileev[0] if fileev else None, "load": open("/proc/loadavg").read().split()[0],
        "took_s": round(time.time() - t0, 1)}))
finally:
    try: os.kill(mon.pid, signal.SIGCONT)
    except ProcessLookupError: pass
    mon.terminate()
    try: mon.wait(60)
    except subprocess.TimeoutExpired: mon.kill(); mon.wait()
