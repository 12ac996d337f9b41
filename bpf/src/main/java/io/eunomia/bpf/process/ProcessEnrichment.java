package io.eunomia.bpf.process;

import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.paths.MountTables;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.ExitEvent;
import io.eunomia.event.ForkEvent;
import io.eunomia.event.ProcessFacts;
import io.eunomia.event.ProcessInfo;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * The stage between decoding (and container attribution) and the rules that adds what the kernel
 * record does not carry: ancestors, the process's executable and command line on every event, its
 * cwd, user name, start time, effective capabilities and the exec'd file's origin
 * ({@link ProcessFacts}), from a {@link ProcessTable} it keeps from the same events. Runs on the
 * thread that delivers events, so records of one ring buffer are applied in order.
 */
public final class ProcessEnrichment implements Consumer<Event> {
    /** Processes the table holds at most (each a few hundred bytes). */
    public static final int DEFAULT_CAPACITY = 32_768;

    private final ProcessTable table;
    private final UserNames users;
    private final Consumer<Event> downstream;
    /** The host's capability bounding set (init's): all a privileged container can be given here. */
    private final long hostCaps;
    private long eventNum;
    /**
     * The facts of the last event's process, when built from its table entry: a burst of one
     * process's events reuses them while the table is unchanged.
     */
    private ProcessInfo lastProcess;
    private long lastVersion = -1;
    private long lastAt;
    private ProcessFacts lastFacts;
    private static final long REUSE_NANOS = 1_000_000_000L; // the user-name cache's own re-check interval

    public ProcessEnrichment(Consumer<Event> downstream) {
        this(downstream, new MountTables(System::nanoTime));
    }

    /** mounts: the mount tables path calls keep (one read per namespace and mount change serves both). */
    public ProcessEnrichment(Consumer<Event> downstream, MountTables mounts) {
        this(downstream, mounts, id -> null);
    }

    /**
     * kernelRoot: the root directory the kernel reported at the last exec per mount namespace id
     * (null when none): while it stays, a container's root that is no overlay need not be read again.
     */
    public ProcessEnrichment(Consumer<Event> downstream, MountTables mounts, LongFunction<ProcessRecords.Root> kernelRoot) {
        this(ProcReader.system(), DEFAULT_CAPACITY, downstream, mounts, kernelRoot);
    }

    ProcessEnrichment(ProcReader proc, int capacity, Consumer<Event> downstream) {
        this(proc, capacity, downstream, new MountTables(System::nanoTime));
    }

    ProcessEnrichment(ProcReader proc, int capacity, Consumer<Event> downstream, MountTables mounts) {
        this(proc, capacity, downstream, mounts, id -> null);
    }

    ProcessEnrichment(ProcReader proc, int capacity, Consumer<Event> downstream, MountTables mounts,
                      LongFunction<ProcessRecords.Root> kernelRoot) {
        this.table = new ProcessTable(proc, capacity, mounts, kernelRoot);
        this.users = new UserNames(proc);
        this.downstream = downstream;
        this.hostCaps = proc.bounding(1);
    }

    /** Reads the processes running now, so the first events already have ancestors. */
    public ProcessEnrichment seed() {
        table.seed();
        return this;
    }

    /** Processes known now. */
    public int tracked() {
        return table.size();
    }

    /** Processes forgotten because the table was full. */
    public long evicted() {
        return table.evicted();
    }

    /** Namespaces whose root at a mount-table read was forgotten because more were seen. */
    public long rootsForgotten() {
        return table.rootsForgotten();
    }

    @Override
    public void accept(Event e) {
        ProcessInfo p = e.process();
        boolean exec = e instanceof ExecEvent x && x.succeeded();
        // A burst of one process's events: the table lookup is skipped too (most of this stage's
        // cost per event; the entry's place in the table's eviction order is then that of the
        // burst's first event, and the reuse ends within REUSE_NANOS).
        ProcessFacts facts = !exec && reusable(e, p) ? lastFacts.withEventNum(++eventNum) : fresh(e, p, exec);
        downstream.accept(e.withProcess(p.withFacts(facts)));
        switch (e) {
            case ForkEvent f -> table.fork(p.pid(), f.childPid(), e.epochNanos());
            case ExitEvent x when p.pid() == p.tid() -> table.exit(p.pid());
            default -> { }
        }
    }

    /**
     * Whether the last event's facts hold for this one: the same process with the same parent, and
     * the table unchanged since (so {@link ProcessTable#current} would return the very entry they
     * were built from, without changing the table).
     */
    private boolean reusable(Event e, ProcessInfo p) {
        return lastFacts != null && table.version() == lastVersion && e.epochNanos() - lastAt < REUSE_NANOS && same(p, lastProcess);
    }

    private ProcessFacts fresh(Event e, ProcessInfo p, boolean exec) {
        Optional<ProcessTable.Entry> self;
        boolean execOnHost;
        if (exec) {
            ExecEvent x = (ExecEvent) e;
            // an exec is the act of the program that called it: where that one was exec'd
            execOnHost = table.execOnHost(p.pid(), p);
            self = Optional.of(table.exec(p.pid(), p.ppid(), p.comm(), x.exe(), x.cmdline(), e.epochNanos(), !p.container().isHost(),
                    p.mntns(), p.mntnsId(), x.credentials(), x.cwd(), p.pidns()));
        } else {
            self = table.current(p.pid(), p.ppid());
            // judged at each event: whether the exec's mount namespace is a container's may be known only later
            execOnHost = self.isPresent() && table.execOnHost(self.get(), p);
        }
        ProcessFacts f = build(e, p, self, execOnHost);
        lastProcess = p;
        lastVersion = table.version();
        lastAt = e.epochNanos();
        // Facts without a table entry (its /proc look-up failed) are not kept: the next event looks again.
        // Nor an exec's: they say where the caller was exec'd, the new program's next events where it was.
        lastFacts = self.isPresent() && !exec ? f : null;
        return f;
    }

    private static boolean same(ProcessInfo a, ProcessInfo b) {
        return a.pid() == b.pid() && a.ppid() == b.ppid() && a.uid() == b.uid() && a.mntnsId() == b.mntnsId() && a.mntns() == b.mntns();
    }

    private ProcessFacts build(Event e, ProcessInfo p, Optional<ProcessTable.Entry> self, boolean execOnHost) {
        List<ProcessFacts.Ancestor> ancestors = table.ancestors(p.ppid());
        String user = users.name(p.pid(), p.mntnsId() != 0 ? p.mntnsId() : p.mntns(), p.uid(), e.epochNanos());
        ProcessTable.Entry s = self.orElse(null);
        return new ProcessFacts(s == null ? "" : s.exe(), s == null ? "" : s.cmdline(), ancestors, s == null ? "" : s.cwd(), user,
                s == null ? 0 : s.startNanos(), s == null ? -1 : s.capEffective(), s == null ? -1 : s.capPermitted(),
                s == null ? -1 : s.vpid(), s != null && s.capEffective() >= 0 && (s.capEffective() & hostCaps) == hostCaps,
                s == null ? -1 : s.seccomp(),
                s != null && s.exeUpperLayer(), s != null && s.exeFromMemfd(), ++eventNum, execOnHost);
    }
}
