package io.eunomia.bpf.process;

import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.paths.MountTables;
import io.eunomia.event.ExecCredentials;
import io.eunomia.event.ProcessFacts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Processes by pid, kept from fork, exec and exit events, seeded from /proc at start and filled
 * from /proc on a miss: what ancestors (proc.aname[N], proc.pcmdline ...) are read from. Bounded
 * (least recently used processes are forgotten first); an exit removes its process. Used by one
 * thread (the poller that delivers events).
 */
public final class ProcessTable {
    /** Ancestors an event carries at most (Falco's rules look 7 levels up). */
    static final int MAX_ANCESTORS = 8;

    /**
     * One process as the table knows it. {@code asAncestor}: what its descendants' events carry of it,
     * made once with the entry, not per event. {@code execAt}: the namespaces its program was exec'd in
     * ({@link ExecSite}), seen by the table (a fork copies it; null for a process first read from /proc).
     */
    record Entry(int pid, int ppid, String comm, String exe, String cmdline, String cwd, long startNanos,
                 long capEffective, long capPermitted, int vpid, long seccomp, boolean exeUpperLayer, boolean exeFromMemfd,
                 ExecSite.Where execAt, ProcessFacts.Ancestor asAncestor) {
        Entry(int pid, int ppid, String comm, String exe, String cmdline, String cwd, long startNanos,
              long capEffective, long capPermitted, int vpid, long seccomp, boolean exeUpperLayer, boolean exeFromMemfd,
              ExecSite.Where execAt) {
            this(pid, ppid, comm, exe, cmdline, cwd, startNanos, capEffective, capPermitted, vpid, seccomp, exeUpperLayer, exeFromMemfd,
                    execAt, new ProcessFacts.Ancestor(pid, comm, exe, cmdline));
        }

        Entry withParent(int p) {
            return new Entry(pid, p, comm, exe, cmdline, cwd, startNanos, capEffective, capPermitted, vpid, seccomp, exeUpperLayer,
                    exeFromMemfd, execAt, asAncestor);
        }
    }

    /**
     * The ancestor list last built per parent (a few slots by pid): every event of a process and of
     * its siblings asks for the same parent's chain (a shell's loop: three events per child), and it
     * holds while the table still has the very same entries along it.
     */
    private record Chain(int ppid, Entry[] entries, List<ProcessFacts.Ancestor> ancestors) {}

    private static final int CHAIN_SLOTS = 16;
    private final Chain[] chains = new Chain[CHAIN_SLOTS];

    private final int capacity;
    private final ProcReader proc;
    private final RootLayers rootLayers;
    private final ExecSite execSite;
    private final Map<Integer, Entry> entries;
    private volatile long evicted;  // written by the poller, read by metrics scrapes
    /** Changes with every entry added, replaced or removed: facts built at one version hold until the next. */
    private long version;

    ProcessTable(ProcReader proc, int capacity) {
        this(proc, capacity, new MountTables(System::nanoTime));
    }

    /** mounts: the mount tables shared with path calls (the same mount calls make them stale). */
    ProcessTable(ProcReader proc, int capacity, MountTables mounts) {
        this(proc, capacity, mounts, id -> null);
    }

    /** kernelRoot: the root directory of the last exec the kernel reported per namespace id (null when none). */
    ProcessTable(ProcReader proc, int capacity, MountTables mounts, LongFunction<ProcessRecords.Root> kernelRoot) {
        this.proc = proc;
        this.rootLayers = new RootLayers(mounts, proc, kernelRoot);
        this.execSite = new ExecSite(io.eunomia.bpf.container.Namespaces.hostMountNamespace(), rootLayers);
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            public ProcessTable.Entry put(Integer k, ProcessTable.Entry v) {
                version++;
                return super.put(k, v);
            }

            @Override
            public ProcessTable.Entry remove(Object k) {
                version++;
                return super.remove(k);
            }

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ProcessTable.Entry> e) {
                if (size() > ProcessTable.this.capacity) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
    }

    /** Reads every process /proc lists now (up to the capacity). */
    void seed() {
        for (int pid : proc.pids()) {
            if (entries.size() >= capacity) {
                break;
            }
            load(pid);
        }
    }

    long version() {
        return version;
    }

    int size() {
        return entries.size();
    }

    /** Processes forgotten because the table was full (not because they exited). */
    long evicted() {
        return evicted;
    }

    /** Namespaces whose root at a mount-table read was forgotten (RootLayers). */
    long rootsForgotten() {
        return rootLayers.evicted();
    }

    /** A fork: the child starts as a copy of its parent (same program, cwd, capabilities). */
    void fork(int parent, int child, long epochNanos) {
        Entry p = get(parent).orElse(null);
        if (p == null) {
            return;
        }
        entries.put(child, new Entry(child, parent, p.comm(), p.exe(), p.cmdline(), p.cwd(), epochNanos, p.capEffective(),
                p.capPermitted(), -1, p.seccomp(), p.exeUpperLayer(), p.exeFromMemfd(), p.execAt()));
    }

    /**
     * A successful exec: the process now runs exe. Its capabilities, seccomp mode and namespace pid
     * are what the kernel sensor read at the exec ({@code kernel}); /proc/PID/status is read only
     * when it gave none (~25 us a read here: most of a short-lived process's cost to the reader).
     * Its cwd is the one the kernel sensor resolved at the exec ({@code kernelCwd}, "" when none):
     * /proc/PID/cwd is gone with a short process by now; without it, /proc. Its layer is read now.
     * pidns: the pid namespace of the exec (with mntns and mntnsId: where it happened, {@link ExecSite}).
     */
    Entry exec(int pid, int ppid, String comm, String exe, String cmdline, long epochNanos, boolean inContainer, long mntns, long mntnsId,
               ExecCredentials kernel, String kernelCwd, long pidns) {
        Entry old = entries.get(pid);
        boolean upper = inContainer && upperLayer(pid, mntns, mntnsId, exe);
        boolean memfd = exe.startsWith("memfd:") || exe.startsWith("/memfd:");
        long start = old != null && old.startNanos() > 0 ? old.startNanos() : proc.snapshot(pid).map(ProcReader.Snapshot::startNanos).orElse(epochNanos);
        String cwd = cwdAtExec(pid, kernelCwd);
        ExecSite.Where at = new ExecSite.Where(pidns, mntns, mntnsId);
        Entry e;
        if (kernel != null) {
            e = new Entry(pid, ppid, comm, exe, cmdline, cwd, start, kernel.capEffective(), kernel.capPermitted(), kernel.vpid(),
                    kernel.seccompMode(), upper, memfd, at);
        } else {
            long[] status = proc.status(pid);
            boolean read = status[0] >= 0 || old == null;
            // a process gone before its exec was handled: keep what its fork copied
            e = new Entry(pid, ppid, comm, exe, cmdline, cwd, start,
                    read ? status[0] : old.capEffective(), read ? status[2] : old.capPermitted(),
                    read ? (int) status[3] : old.vpid(), read ? status[1] : old.seccomp(), upper, memfd, at);
        }
        entries.put(pid, e);
        return e;
    }

    /**
     * In Falco's form, with a trailing / (as ProcReader gives /proc's). Not the fork's copy when
     * neither has it: the child may have changed directory before its exec ("cd /x && exec y").
     */
    private String cwdAtExec(int pid, String kernelCwd) {
        if (kernelCwd.isEmpty()) {
            return proc.cwd(pid);
        }
        return kernelCwd.endsWith("/") ? kernelCwd : kernelCwd + "/";
    }

    /**
     * Whether the table saw the process's program exec'd on the host, judged now ({@link ExecSite}):
     * now is the process at this event; false when the table does not hold it or did not see its exec.
     */
    boolean execOnHost(int pid, io.eunomia.event.ProcessInfo now) {
        Entry e = entries.get(pid);
        return e != null && execOnHost(e, now);
    }

    boolean execOnHost(Entry e, io.eunomia.event.ProcessInfo now) {
        return execSite.onHost(e.execAt(), now);
    }

    void exit(int pid) {
        entries.remove(pid);
    }

    /** The process, from the table or else from /proc (then remembered). */
    Optional<Entry> get(int pid) {
        Entry e = entries.get(pid);
        return e != null ? Optional.of(e) : load(pid);
    }

    /** The process with the parent the kernel reported for this event (a reparented orphan has a new one). */
    Optional<Entry> current(int pid, int ppid) {
        Optional<Entry> e = get(pid);
        if (e.isPresent() && e.get().ppid() != ppid && ppid > 0) {
            Entry moved = e.get().withParent(ppid);
            entries.put(pid, moved);
            return Optional.of(moved);
        }
        return e;
    }

    /** Parent first, at most MAX_ANCESTORS, as far as the table or /proc know them. */
    List<ProcessFacts.Ancestor> ancestors(int ppid) {
        int slot = Math.floorMod(ppid, CHAIN_SLOTS);
        Chain c = chains[slot];
        if (c != null && c.ppid() == ppid && unchanged(c.entries())) {
            return c.ancestors();
        }
        Entry[] walked = new Entry[MAX_ANCESTORS];
        int n = 0;
        int next = ppid;
        boolean missed = false;
        while (next > 0 && n < MAX_ANCESTORS) {
            Entry e = find(next);
            if (e == null) {
                missed = true;
                break;
            }
            walked[n++] = e;
            if (e.ppid() == next) {
                break;
            }
            next = e.ppid();
        }
        ProcessFacts.Ancestor[] out = new ProcessFacts.Ancestor[n];
        for (int i = 0; i < n; i++) {
            out[i] = walked[i].asAncestor();
        }
        List<ProcessFacts.Ancestor> list = List.of(out);
        // A walk that ended at a process neither the table nor /proc had looks again next time.
        chains[slot] = missed ? null : new Chain(ppid, java.util.Arrays.copyOf(walked, n), list);
        return list;
    }

    /** Whether the table still holds these very entries (none replaced, reparented or gone). */
    private boolean unchanged(Entry[] chain) {
        for (Entry e : chain) {
            if (entries.get(e.pid()) != e) {
                return false;
            }
        }
        return true;
    }

    /** The process, from the table or else from /proc (then remembered); null when neither has it. */
    private Entry find(int pid) {
        Entry e = entries.get(pid);
        return e != null ? e : load(pid).orElse(null);
    }

    private Optional<Entry> load(int pid) {
        Optional<ProcReader.Snapshot> s = proc.snapshot(pid);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        ProcReader.Snapshot x = s.get();
        long[] status = proc.status(pid);
        String exe = x.exe().endsWith(" (deleted)") ? x.exe().substring(0, x.exe().length() - 10) : x.exe();
        Entry e = new Entry(pid, x.ppid(), x.comm(), exe, x.cmdline(), proc.cwd(pid), x.startNanos(), status[0], status[2],
                (int) status[3], status[1], false, exe.startsWith("/memfd:"), null);
        entries.put(pid, e);
        return Optional.of(e);
    }

    private boolean upperLayer(int pid, long mntns, long mntnsId, String exe) {
        String upper = rootLayers.upperDir(pid, mntns, mntnsId);
        if (upper.isEmpty() || !exe.startsWith("/")) {
            return false;
        }
        return java.nio.file.Files.isRegularFile(java.nio.file.Path.of(upper, exe.substring(1)));
    }
}
