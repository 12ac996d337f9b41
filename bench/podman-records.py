#!/usr/bin/env python3
"""When does each podman record hold a --rm container's name? Polls every 0.5 ms while
`podman run --rm NAME sleep 0.05` runs (no API service) and 300 ms after it returned. Prints, per
source, the first and last time (ms after podman run started) it held the container (by name; runc's
state by id), and whether it still did at the end. Root; podman 4, runc, netavark, busybox.
Usage: bench/podman-records.py WORKDIR [RUNS]  (WORKDIR short: podman waits 20 s on long paths)."""
import json, os, subprocess, sys, time, shutil, tarfile, io
W = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 5
env = dict(os.environ, CONTAINERS_CONF=W + "/containers.conf", CONTAINERS_STORAGE_CONF=W + "/storage.conf", TMPDIR=W + "/tmp")
for d in ("graph", "run", "tmp", "networks"):
    os.makedirs(W + "/" + d, exist_ok=True)
open(W + "/containers.conf", "w").write(f'''[containers]
netns = "none"
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[network]
network_backend = "netavark"
network_config_dir = "{W}/networks"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{W}/events.log"
runtime = "runc"
tmp_dir = "{W}/tmp"
''')
open(W + "/storage.conf", "w").write(f'[storage]\ndriver = "overlay"\ngraphroot = "{W}/graph"\nrunroot = "{W}/run"\n')
if not os.path.exists(W + "/rootfs.tar"):
    buf = io.BytesIO()
    with tarfile.open(W + "/rootfs.tar", "w") as t:
        t.add("/usr/bin/busybox", arcname="bin/busybox")
        for a in ("sh", "sleep", "cat", "true"):
            ti = tarfile.TarInfo("bin/" + a); ti.type = tarfile.SYMTYPE; ti.linkname = "busybox"; t.addfile(ti)
    subprocess.run(["podman", "import", W + "/rootfs.tar", "localhost/meas:1"], env=env, check=True, capture_output=True)

def has(path, needle):
    try:
        with open(path, "rb") as f:
            return needle in f.read()
    except OSError:
        return False

def alive_conmon(name):
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                c = open(f"/proc/{p}/cmdline", "rb").read()
            except OSError:
                continue
            if c.startswith(b"/usr/bin/conmon") and name in c:
                return True
    return False

for i in range(N):
    name = f"meas-{os.getpid()}-{i}"
    nb = name.encode()
    t0 = time.monotonic()
    p = subprocess.Popen(["podman", "run", "--rm", "--name", name, "localhost/meas:1", "sleep", "0.05"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = {}
    cid = None
    def mark(k, v):
        t = (time.monotonic() - t0) * 1000
        if v:
            s = seen.setdefault(k, [t, t]); s[1] = t
    k = 0
    doneAt = None
    while True:
        done = p.poll() is not None
        mark("events.log", has(W + "/events.log", nb))
        mark("containers.json", has(W + "/graph/overlay-containers/containers.json", nb))
        if cid is None:
            try:
                for line in open(W + "/events.log", "rb"):
                    if nb in line:
                        cid = json.loads(line)["ID"]; break
            except (OSError, ValueError, KeyError):
                pass
        if cid:
            mark("runc state", os.path.exists(f"/run/runc/{cid}/state.json"))
            mark("bundle config.json", has(f"{W}/graph/overlay-containers/{cid}/userdata/config.json", nb))
        k += 1
        if k % 10 == 0:
            mark("conmon alive", alive_conmon(nb))
        if done and doneAt is None:
            doneAt = time.monotonic()
        if doneAt is not None and time.monotonic() - doneAt > 0.3:
            break
        time.sleep(0.0005)
    end = (doneAt - t0) * 1000
    last = (time.monotonic() - t0) * 1000
    print(f"run {i}: podman run exited at {end:.0f} ms; id {cid and cid[:12]}")
    for s in ("runc state", "bundle config.json", "conmon alive", "containers.json", "events.log"):
        v = seen.get(s)
        print(f"  {s:20s} " + (f"from {v[0]:6.0f} to {v[1]:6.0f} ms" + ("  (still 300 ms after exit)" if last - v[1] < 20 else "") if v else "never seen"))
