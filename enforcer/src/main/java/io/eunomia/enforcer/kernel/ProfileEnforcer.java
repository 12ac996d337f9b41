package io.eunomia.enforcer.kernel;

import io.eunomia.abi.Arch;
import io.eunomia.bpf.EnforcementPolicy;
import io.eunomia.bpf.KernelEnforcement;
import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.PendingRecord;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.NamespaceIdentity;
import io.eunomia.bpf.container.ContainerResolver;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.enforcer.kernel.internal.NamespaceProcesses;
import io.eunomia.enforcer.kernel.internal.PendingJudge;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.EventStream;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.ViolationEvent;
import io.eunomia.event.ViolationKind;
import io.eunomia.libbpf.Libc;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Learned profiles watched in the kernel at run time: decides which mount namespaces (containers)
 * are watched and with which profile, installs their policies ({@link KernelEnforcement}),
 * attributes each violation to its profile, and in monitor mode with {@code update} writes what
 * violations did into the profile (complain-then-accept).
 *
 * <p>At start every existing namespace is classified. Nothing on the host ever waits for this
 * class: a namespace that appears later runs on while the kernel records what its workload does
 * and announces its execs; here its container is resolved and matched (milliseconds), and when it
 * gets a profile, that record and those execs are judged against it ({@link PendingJudge}): its
 * violations from its workload's first syscall are reported late, and in enforce mode a kill-kind
 * one kills the container's processes then. Namespaces that are not containers are classified
 * unwatched and their records dropped.
 *
 * <p>Violations reach {@code sink} on the sensors' thread (it must not block); exec notes,
 * judgments, clean-up of dead namespaces and profile updates run on this enforcer's own thread.
 */
public final class ProfileEnforcer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProfileEnforcer.class.getName());
    /** How long a new namespace's classification waits for its runtime's records (name, image) before it goes with what is known. */
    private static final long SETTLE_NANOS = 200_000_000L;
    private static final long SWEEP_NANOS = 2_000_000_000L;
    private static final long GONE_KEPT_NANOS = 60_000_000_000L;
    private static final long UPDATE_DELAY_NANOS = 500_000_000L;
    /** A record of a namespace gone unclassified is dropped this long after its first use (its exec note may still be queued). */
    private static final long UNCLAIMED_NANOS = 10_000_000_000L;
    private static final Duration POLL = Duration.ofMillis(50);

    /**
     * @param mode   monitor (report) or enforce (report and kill)
     * @param kill   in enforce mode, the kinds that kill
     * @param update in monitor mode, write violations into the profile files
     */
    public record Settings(EnforcementMode mode, Set<ViolationKind> kill, boolean update) {
        public Settings {
            kill = kill.isEmpty() ? Set.of() : java.util.Collections.unmodifiableSet(EnumSet.copyOf(kill));
            if (update && mode != EnforcementMode.MONITOR) {
                throw new IllegalArgumentException("--update accepts violations into profiles in monitor mode only");
            }
        }

        /** The kinds that kill: none in monitor mode. */
        public Set<ViolationKind> killing() {
            return mode == EnforcementMode.ENFORCE ? kill : Set.of();
        }
    }

    /** A namespace classified: watched with a profile, or not watched (target null). */
    private record Ns(long mntns, long mntnsId, ContainerInfo container, String target, int policyId) {
        boolean watched() {
            return target != null;
        }
    }

    private record Update(String target, ViolationEvent violation) {}

    private record Gone(Ns ns, long sinceNanos) {}

    private final KernelEnforcement kernel;
    private final ContainerAttribution registry;
    private final Settings settings;
    private final Consumer<ViolationEvent> sink;
    private final Consumer<ContainerInfo> onWatched;
    private final Arch arch = Arch.current();
    private final PendingJudge judge = new PendingJudge(arch);
    private final ProfileMatcher matcher;
    /** Targets switched to another mode than the settings' at run time ({@link #setMode}). */
    private final Map<String, EnforcementMode> modes = new ConcurrentHashMap<>();
    /** Current profile of each target by name (updates replace it). */
    private final Map<String, ProfileTarget> targets = new ConcurrentHashMap<>();
    /** Classified namespaces by id (the number alone is reused). */
    private final Map<Long, Ns> namespaces = new ConcurrentHashMap<>();
    /**
     * Watched namespaces that are gone, by id, with when they went: their last violations may still
     * be on their way through the sensors (a process killed at once, a slow poller), and are
     * attributed to their profile all the same.
     */
    private final Map<Long, Gone> gone = new ConcurrentHashMap<>();
    /** Violations per container name and kind of namespaces that are gone, and those counted here. */
    private final Map<String, long[]> counted = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Update> updates = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private EventStream.Subscription subscription;
    private long lastSweep = System.nanoTime();

    private ProfileEnforcer(KernelSensors sensors, ProfileMatcher matcher, Settings settings, Consumer<ViolationEvent> sink,
                            Consumer<ContainerInfo> onWatched) {
        this.kernel = KernelEnforcement.of(sensors);
        this.registry = sensors.containers();
        this.matcher = matcher;
        this.settings = settings;
        this.sink = sink;
        this.onWatched = onWatched;
        for (ProfileTarget t : matcher.targets()) {
            targets.put(t.name(), t);
        }
        this.thread = Thread.ofPlatform().name("eunomia-enforcer").daemon().unstarted(this::loop);
    }

    /**
     * Starts watching: the sensors must include {@link io.eunomia.bpf.Sensor#ENFORCE}.
     *
     * @param sink      violations, attributed to their profile (called on the sensors' thread: hand off, never block)
     * @param onWatched a container got its profile (e.g. to create its metric series)
     * @throws IllegalArgumentException when a profile cannot be enforced on this host
     */
    public static ProfileEnforcer start(KernelSensors sensors, List<ProfileTarget> targets, Settings settings,
                                        Consumer<ViolationEvent> sink, Consumer<ContainerInfo> onWatched) {
        check(targets);
        ProfileEnforcer e = new ProfileEnforcer(sensors, new ProfileMatcher(targets), settings, sink, onWatched);
        e.subscription = sensors.subscribe(ViolationEvent.class, e::onViolation);
        e.classifyHost();
        // Record first, then look at what exists: a namespace is either seen by the scan or recorded.
        e.kernel.recordNewNamespaces(true);
        e.classifyExisting();
        // Only now may the kernel skip tasks of namespaces it has not seen announced (those that existed are classified).
        e.kernel.startFilter();
        e.thread.start();
        return e;
    }

    /**
     * Whether the profiles can be enforced on this host: learned on its architecture, every
     * syscall known by name, one profile per name.
     *
     * @throws IllegalArgumentException saying which profile and why
     */
    public static void check(List<ProfileTarget> targets) {
        Set<String> names = new java.util.HashSet<>();
        for (ProfileTarget t : targets) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("two profiles are named " + t.name() + ": keep one, or merge them");
            }
            ProfilePolicy.unusableOn(t.profile(), Arch.current()).ifPresent(why -> {
                throw new IllegalArgumentException(why + (t.file() == null ? "" : " (" + t.file() + ")"));
            });
            try {
                ProfilePolicy.of(t.profile(), Arch.current(), Set.of());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((t.file() == null ? t.name() : t.file().toString()) + ": " + e.getMessage());
            }
        }
    }

    /** Namespaces watched now: container name → profile name. */
    public Map<String, String> watched() {
        Map<String, String> out = new HashMap<>();
        for (Ns n : namespaces.values()) {
            if (n.watched()) {
                out.put(n.container().name(), n.target());
            }
        }
        return out;
    }

    /**
     * Violations of one kind by containers of this name so far, reported or suppressed, live and
     * gone (under the lock that moves a gone namespace's counts, so the sum never goes back).
     */
    public synchronized long violations(String container, ViolationKind kind) {
        long sum = counted.getOrDefault(container, new long[ViolationKind.values().length])[kind.ordinal()];
        for (Ns n : namespaces.values()) {
            if (n.watched() && n.container().name().equals(container)) {
                KernelEnforcement.Counts c = kernel.counts(n.mntns()).get(kind);
                sum += c == null ? 0 : c.total();
            }
        }
        return sum;
    }

    /** The profile a target runs now (after accepted violations). */
    public Optional<ProfileTarget> target(String name) {
        return Optional.ofNullable(targets.get(name));
    }

    /** The mode a profile runs in now: the settings' unless switched by {@link #setMode}. */
    public EnforcementMode mode(String target) {
        return modes.getOrDefault(target, settings.mode());
    }

    /**
     * Switches one profile between monitor and enforce while it runs: the kernel policies of its
     * containers are rewritten in place (no violation is missed in between). In enforce mode the
     * kinds that kill are the settings' {@code --kill}, or all of them when monitor mode started.
     *
     * @return the containers running with that profile now
     * @throws IllegalArgumentException when no profile has that name
     */
    public synchronized List<String> setMode(String target, EnforcementMode mode) {
        ProfileTarget t = targets.get(target);
        if (t == null) {
            throw new IllegalArgumentException("no profile named " + target + " (profiles: " + String.join(", ",
                    new java.util.TreeSet<>(targets.keySet())) + ")");
        }
        if (mode == EnforcementMode.ENFORCE && settings.update()) {
            throw new IllegalArgumentException("this monitor accepts violations into the profiles (--update): "
                    + "enforce mode would kill what it is meant to learn; restart without --update");
        }
        modes.put(target, mode);
        widen(t);
        LOG.log(Level.INFO, "profile " + target + " switched to " + mode.cliName() + " mode");
        List<String> on = new java.util.ArrayList<>();
        for (Ns n : namespaces.values()) {
            if (target.equals(n.target())) {
                on.add(n.container().name());
            }
        }
        return on;
    }

    /** The kinds that kill for a profile now. */
    private Set<ViolationKind> killing(String target) {
        if (mode(target) != EnforcementMode.ENFORCE) {
            return Set.of();
        }
        return settings.kill().isEmpty() ? EnumSet.allOf(ViolationKind.class) : settings.kill();
    }

    /** The profiles by name. */
    public java.util.SortedSet<String> targetNames() {
        return new java.util.TreeSet<>(targets.keySet());
    }

    /**
     * What could not be recorded of containers not yet classified: uses (the kernel's pending map
     * was full) and execs (their note was lost); such a container's early violations may go unreported.
     */
    public long unrecorded() {
        return kernel.pendingFull() + kernel.notesLost();
    }

    /** The kernel side's figures (map use, what could not be recorded). */
    public KernelEnforcement.Stats kernelStats() {
        return kernel.stats();
    }

    // ---- classification -------------------------------------------------------------------------

    private void classifyHost() {
        long self = ProcessHandle.current().pid();
        for (long pid : List.of(1L, self)) {
            OptionalLong ns = Namespaces.mountNamespace(pid);
            OptionalLong id = Libc.mountNamespaceId(pid);
            if (ns.isPresent()) {
                kernel.markUnwatched(ns.getAsLong(), id.orElse(0));
                namespaces.putIfAbsent(key(ns.getAsLong(), id.orElse(0)),
                        new Ns(ns.getAsLong(), id.orElse(0), ContainerInfo.HOST, null, 0));
            }
        }
    }

    /** Every mount namespace with a process now: one process of each is enough to tell. */
    private void classifyExisting() {
        Map<Long, Long> pidByNs = new HashMap<>();
        ProcessHandle.allProcesses().forEach(p -> Namespaces.mountNamespace(p.pid()).ifPresent(ns -> pidByNs.putIfAbsent(ns, p.pid())));
        pidByNs.forEach((ns, pid) -> {
            OptionalLong id = Libc.mountNamespaceId(pid);
            if (id.isPresent() || Namespaces.mountNamespace(pid).isPresent()) {
                classify(ns, id.orElse(0), pid.intValue(), 0);
            }
        });
    }

    /**
     * Watches the namespace when a profile matches its container, else marks it unwatched; a
     * namespace already classified stays as it is. Returns the classification.
     *
     * @param settleUntil keep asking the runtime until then while its records are incomplete (0: ask once)
     */
    private synchronized Ns classify(long mntns, long mntnsId, int pid, long settleUntil) {
        Ns known = namespaces.get(key(mntns, mntnsId));
        if (known != null) {
            return known;
        }
        ContainerInfo c = resolve(mntns, mntnsId, pid, settleUntil);
        Optional<ProfileTarget> t = matcher.match(c).map(x -> targets.get(x.name()));
        Ns ns;
        if (t.isEmpty()) {
            ns = new Ns(mntns, mntnsId, c, null, 0);
            namespaces.put(key(mntns, mntnsId), ns);
            kernel.markUnwatched(mntns, mntnsId);
            kernel.forgetPending(mntns, mntnsId);
        } else {
            EnforcementPolicy policy = ProfilePolicy.of(t.get().profile(), arch, killing(t.get().name()));
            // Known here first: a violation may arrive as soon as the kernel has the policy.
            ns = new Ns(mntns, mntnsId, c, t.get().name(), 0);
            namespaces.put(key(mntns, mntnsId), ns);
            int id = kernel.install(mntns, mntnsId, policy);
            ns = new Ns(mntns, mntnsId, c, t.get().name(), id);
            namespaces.put(key(mntns, mntnsId), ns);
            LOG.log(Level.INFO, "watching container " + describe(c) + " with profile " + t.get().name() + " ("
                    + mode(t.get().name()).cliName() + (killing(t.get().name()).isEmpty() ? "" : ", kill on "
                    + String.join(",", killing(t.get().name()).stream().map(ViolationKind::cliName).toList())) + ")"
                    + " in mount namespace " + mntns + (mntnsId != 0 ? " id " + mntnsId : ""));
            onWatched.accept(c);
            judgePending(ns, policy, pid);
        }
        return ns;
    }

    /**
     * What the namespace's workload did before its policy was installed, judged against it and
     * dropped; in enforce mode a kill-kind violation kills the container's processes now. Called
     * after the install (what comes later is the kernel's to check), and again by the sweep for
     * what a task recorded while it had not yet seen the install.
     */
    private synchronized void judgePending(Ns ns, EnforcementPolicy policy, int pid) {
        Optional<PendingRecord> record = kernel.pending(ns.mntns(), ns.mntnsId());
        kernel.forgetPending(ns.mntns(), ns.mntnsId());
        if (record.isEmpty()) {
            return;
        }
        ProfileTarget t = targets.get(ns.target());
        ProcessInfo like = new ProcessInfo(pid, pid, 0, 0, 0, 0, 0, "", ns.mntns(), ns.mntnsId(), 0, 0, ns.container());
        List<ViolationEvent> found = judge.judge(record.get(), policy, t.name(),
                p -> NamespaceProcesses.process(p, like, ns.container()), pid, epochNow());
        if (record.get().unlogged() > 0 || record.get().outOfRange() > 0) {
            LOG.log(Level.DEBUG, "container " + describe(ns.container()) + " before classification: "
                    + record.get().unlogged() + " first uses without a time, " + record.get().outOfRange() + " calls beyond the tables");
        }
        reportLate(ns, found);
    }

    /** Late violations: counted, and in enforce mode the container's processes killed when one of them is of a killing kind. */
    private void reportLate(Ns ns, List<ViolationEvent> found) {
        if (found.isEmpty()) {
            return;
        }
        boolean kill = found.stream().anyMatch(v -> killing(ns.target()).contains(v.kind()));
        int killed = kill ? NamespaceProcesses.killAll(ns.mntns(), ns.mntnsId()) : 0;
        if (kill) {
            LOG.log(Level.WARNING, "container " + describe(ns.container()) + " stepped outside its profile " + ns.target()
                    + " before it was classified: " + killed + " of its processes killed now");
        }
        long[] c = counted.computeIfAbsent(ns.container().name(), k -> new long[ViolationKind.values().length]);
        for (ViolationEvent v : found) {
            c[v.kind().ordinal()]++;
            boolean k = killed > 0 && killing(ns.target()).contains(v.kind());
            deliver(k ? new ViolationEvent(v.epochNanos(), v.process(), v.kind(), v.syscall(), v.syscallNumber(), v.abi(),
                    v.capName(), v.capGranted(), v.exe(), true, v.suppressed(), v.total(), v.profile(), v.lateMillis()) : v, ns);
        }
    }

    private static long epochNow() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private ContainerInfo resolve(long mntns, long mntnsId, int pid, long settleUntil) {
        if (registry.isHostNamespace(mntns)) {
            return ContainerInfo.HOST;
        }
        ContainerResolver resolver = registry.resolver();
        while (true) {
            Optional<NamespaceIdentity> identity = resolver.identityOf(pid, mntns, 0);
            if (identity.isEmpty()) {
                // gone already (a short-lived container): what the kernel said of its namespace
                identity = registry.identity(mntns, mntnsId);
            }
            if (identity.isEmpty()) {
                return ContainerInfo.UNRESOLVED;
            }
            ContainerResolver.Resolution r = resolver.resolve(identity.get());
            if (r.complete() || System.nanoTime() >= settleUntil) {
                return r.info();
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r.info();
            }
        }
    }

    // ---- the enforcer's thread ------------------------------------------------------------------

    private void loop() {
        while (running) {
            try {
                Optional<KernelEnforcement.ExecNote> note = kernel.nextNote(POLL);
                note.ifPresent(this::onNote);
                long now = System.nanoTime();
                if (now - lastSweep > SWEEP_NANOS) {
                    lastSweep = now;
                    forgetDeadNamespaces();
                    kernel.nextFilterEpoch();
                }
                applyUpdates();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "profile enforcement: " + e, e);
            }
        }
    }

    /**
     * An exec in a namespace that was not classified when it happened (the process ran on):
     * classify the namespace, and judge the exec, which the kernel could not.
     */
    private void onNote(KernelEnforcement.ExecNote n) {
        ProcessInfo p = n.process();
        Ns ns = classify(p.mntns(), p.mntnsId(), p.pid(), System.nanoTime() + SETTLE_NANOS);
        if (!ns.watched()) {
            if (!kernel.isUnwatched(ns.mntns(), ns.mntnsId())) {
                kernel.markUnwatched(ns.mntns(), ns.mntnsId()); // the kernel's known set forgot it (LRU)
            }
            return;
        }
        ProfileTarget t = targets.get(ns.target());
        if (!t.profile().executables().containsKey(n.exe())) {
            reportLate(ns, List.of(new ViolationEvent(n.epochNanos(), p.withContainer(ns.container()), ViolationKind.EXEC, "", -1,
                    "", "", false, n.exe(), false, 0, 1, t.name(), PendingJudge.lateMillis(n.epochNanos(), epochNow()))));
        }
    }

    /**
     * Namespaces without a process any more: their policies go (their counts are kept). Pending
     * records left: judged (a watched namespace's task that recorded while it had not yet seen the
     * install), dropped (unwatched, gone), or their namespace classified now (its exec note was lost).
     */
    private synchronized void forgetDeadNamespaces() {
        long now = System.nanoTime();
        gone.values().removeIf(g -> now - g.sinceNanos() > GONE_KEPT_NANOS);
        Map<Long, Long> live = new HashMap<>();
        ProcessHandle.allProcesses().forEach(ph -> Namespaces.mountNamespace(ph.pid()).ifPresent(ns -> live.putIfAbsent(ns, ph.pid())));
        sweepPending(live);
        for (Ns n : List.copyOf(namespaces.values())) {
            Long pid = live.get(n.mntns());
            boolean alive = pid != null && (n.mntnsId() == 0 || Libc.mountNamespaceId(pid).orElse(n.mntnsId()) == n.mntnsId());
            if (alive || n.container().isHost() && n.mntns() == Namespaces.hostMountNamespace()) {
                continue;
            }
            namespaces.remove(key(n.mntns(), n.mntnsId()));
            if (n.watched()) {
                gone.put(key(n.mntns(), n.mntnsId()), new Gone(n, System.nanoTime()));
                Map<ViolationKind, KernelEnforcement.Counts> last = kernel.remove(n.mntns(), n.mntnsId());
                long[] c = counted.computeIfAbsent(n.container().name(), k -> new long[ViolationKind.values().length]);
                last.forEach((kind, counts) -> c[kind.ordinal()] += counts.total());
                LOG.log(Level.DEBUG, "container " + describe(n.container()) + " is gone: its policy is removed");
            }
        }
    }

    private void sweepPending(Map<Long, Long> live) {
        kernel.pendingNamespaces().forEach((k, mntns) -> {
            long mntnsId = k.longValue() == mntns.longValue() ? 0 : k;
            Ns ns = namespaces.get(key(mntns, mntnsId));
            Long pid = live.get(mntns);
            if (ns == null && pid != null && (mntnsId == 0 || Libc.mountNamespaceId(pid).orElse(0) == mntnsId)) {
                ns = classify(mntns, mntnsId, pid.intValue(), 0);
            }
            if (ns != null && ns.watched()) {
                judgePending(ns, ProfilePolicy.of(targets.get(ns.target()).profile(), arch, killing(ns.target())),
                        pid == null ? 0 : pid.intValue());
            } else if (ns != null || kernel.pending(mntns, mntnsId).map(r -> epochNow() - r.firstEpochNanos() > UNCLAIMED_NANOS)
                    .orElse(true)) {
                // unwatched; or gone without ever being classified, its exec notes long processed
                kernel.forgetPending(mntns, mntnsId);
            }
        });
    }

    // ---- violations -----------------------------------------------------------------------------

    /** On the sensors' thread: attribute, confirm, hand on. */
    private void onViolation(ViolationEvent v) {
        long k = key(v.process().mntns(), v.process().mntnsId());
        Ns ns = namespaces.get(k);
        if (ns == null) {
            Gone g = gone.get(k);
            ns = g == null ? null : g.ns();
        }
        if (ns == null || !ns.watched()) {
            // A policy this enforcer did not install (cannot happen unless the maps were changed behind it).
            sink.accept(v);
            return;
        }
        ProfileTarget t = targets.get(ns.target());
        if (v.kind() == ViolationKind.EXEC && t.profile().executables().containsKey(v.exe())) {
            // The kernel compares keyed hashes of the path: a path it could not hash as learned
            // (not UTF-8, cut) is confirmed here against the profile's own names.
            long[] c = counted.computeIfAbsent(ns.container().name(), n -> new long[ViolationKind.values().length]);
            c[ViolationKind.EXEC.ordinal()]--;
            return;
        }
        ViolationEvent attributed = v.withProfile(t.name());
        if (!v.process().container().isResolved() || v.process().container().id().isEmpty()) {
            // A process gone before the sensors could name its namespace: this one was named when it was classified.
            attributed = attributed.withProcess(v.process().withContainer(ns.container()));
        }
        deliver(attributed, ns);
    }

    private void deliver(ViolationEvent v, Ns ns) {
        if (settings.update()) {
            updates.add(new Update(ns.target(), v));
        }
        sink.accept(v);
    }

    /** Accepted violations into their profiles: the file rewritten atomically, the kernel policies widened. */
    private void applyUpdates() {
        if (updates.isEmpty()) {
            return;
        }
        try {
            Thread.sleep(UPDATE_DELAY_NANOS / 1_000_000); // a burst of violations becomes one write
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Update> batch = new java.util.ArrayList<>();
        updates.drainTo(batch);
        Map<String, ProfileTarget> changed = new HashMap<>();
        java.time.Instant now = java.time.Instant.now();
        for (Update u : batch) {
            ProfileTarget t = changed.getOrDefault(u.target(), targets.get(u.target()));
            changed.put(u.target(), t.withProfile(ProfilePolicy.accept(t.profile(), u.violation(), now)));
        }
        for (ProfileTarget t : changed.values()) {
            if (t.profile().equals(targets.get(t.name()).profile())) {
                continue;
            }
            try {
                io.eunomia.profiler.ProfileFiles.write(t.file(), t.profile());
            } catch (java.io.IOException e) {
                LOG.log(Level.ERROR, "cannot update profile " + t.file() + ": " + e.getMessage()
                        + "; the accepted violations are kept in memory only");
            }
            targets.put(t.name(), t);
            widen(t);
            LOG.log(Level.INFO, "profile " + t.name() + " updated with accepted violations: " + t.file());
        }
    }

    private synchronized void widen(ProfileTarget t) {
        EnforcementPolicy policy = ProfilePolicy.of(t.profile(), arch, killing(t.name()));
        for (Ns n : namespaces.values()) {
            if (t.name().equals(n.target())) {
                kernel.update(n.mntns(), n.mntnsId(), n.policyId(), policy);
            }
        }
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /**
     * Stops recording new namespaces. Policies stay in the kernel until the sensors are closed
     * (violations keep being reported meanwhile).
     */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        kernel.recordNewNamespaces(false);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        applyUpdates();
        if (subscription != null) {
            subscription.close();
        }
    }

    private static long key(long mntns, long mntnsId) {
        return mntnsId != 0 ? mntnsId : mntns | Long.MIN_VALUE;
    }

    private static String describe(ContainerInfo c) {
        return c.name().equals(c.id()) ? c.name() : c.name() + " (" + c.shortId() + ")";
    }
}
