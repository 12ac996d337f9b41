package io.eunomia.bpf.container;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The one stage that sets an event's container, between the decoders and the subscribers.
 *
 * <p>The host is a known mount namespace: its events pass at once as {@link ContainerInfo#HOST}.
 * Any other namespace is described by the kernel before its first event ({@link NamespaceIdentity}:
 * cgroup paths and the runtime's process ancestry, captured while its process lived) and resolved
 * from that on a resolver thread, so neither a container that exits within milliseconds nor a hung
 * Docker daemon affects the event path. A namespace's events wait, in order, until it is resolved
 * or {@link #HOLD_NANOS} passed since its first look began (at most {@link #MAX_HOLD_NANOS}), and
 * are then delivered with what is known, at least what the kernel's description names (its cgroup's
 * container id); what cannot be resolved is {@link ContainerInfo#UNRESOLVED}, never the host. Identities are cached by mount
 * namespace id (never reused), so the common case is one map lookup per event.
 *
 * <p>A namespace released before it was fully known (its resolver slower than the hold, under
 * load or behind a hung Docker daemon, or released early by the bound on waiting events) is looked
 * at again in the background ({@link #LATE_LOOKS} times, backing off to every {@link #LATE_MAX_DELAY_NANOS},
 * only while it makes events), on a thread of its own so that new namespaces never wait behind
 * it. What a late look finds names every later event of the namespace, and so every consumer:
 * rules and alerts, metrics labels, {@link #seen()}.
 *
 * <p>A cgroup names a container only as long as nobody moves a process: one allowed to write
 * cgroup.procs (a privileged container, CAP_SYS_ADMIN with the cgroupfs writable) can put itself in
 * another container's cgroup, or the host's. So a namespace keeps the container it was named when its
 * events began to flow: a later look naming another one is refused, counted and logged once
 * ({@link #moves()}). A namespace a container's own process made ({@code unshare -m}, clone with
 * CLONE_NEWNS) is that container's, whatever cgroup it went to first: the process's pid was seen forked
 * or exec'd in the container ({@link #MAX_PIDS} kept). A process of a container in the host's
 * namespace is the container's by that pid too, else by its cgroup (that cgroup learned only where its
 * path names the container, never from where a process went).
 *
 * <p>Threads: {@link #offer}, {@link #onIdentity}, {@link #releaseReady} and {@link #releaseAll}
 * run on the sensor poller thread, which also runs the downstream consumer; resolution runs on
 * "eunomia-containers" threads; the listings and counters may be read from any thread.
 */
public final class ContainerAttribution implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ContainerAttribution.class.getName());

    /** A namespace and what is known of it, for `eunomia containers`. */
    public record Seen(ContainerInfo container, long mntns, long mntnsId, long events, long firstSeenNanos,
                       long lastSeenNanos) {}

    /**
     * Events held in all, waiting for their namespace's identity; past it the oldest namespace is
     * released. One namespace holds at most a quarter of it: past that it is released on its own.
     */
    static final int MAX_HELD = 65_536;
    /**
     * The longest a namespace's events wait for its identity (a hung Docker daemon answers in 500 ms),
     * counted from when its first look began.
     */
    static final long HOLD_NANOS = 1_000_000_000L;
    /**
     * The longest they wait in all: on a loaded host the resolvers may begin a look seconds after a
     * namespace's first event (1.4 s seen at load 17), and a hold counted from that event would end
     * before anything was looked at.
     */
    static final long MAX_HOLD_NANOS = 5_000_000_000L;
    private static final long FIRST_RETRY_NANOS = 5_000_000;
    /** A namespace known only in part is looked at again on exec, at most this often, a few times. */
    private static final long REFRESH_NANOS = 5_000_000_000L;
    private static final int MAX_REFRESHES = 5;
    /** Background looks at a namespace released before it was fully known. */
    static final int LATE_LOOKS = 10;
    private static final long LATE_FIRST_DELAY_NANOS = 250_000_000L;
    static final long LATE_MAX_DELAY_NANOS = 4_000_000_000L;
    /** How often the late looks due are gathered (the poller comes back at least this often). */
    private static final long LATE_SCAN_NANOS = 50_000_000L;
    private static final int DEFAULT_MAX_ENTRIES = 8192;
    /** The cgroup v2 root's id: shared by every unplaced process on a hybrid host, so it names no container. */
    private static final long ROOT_CGROUP = 1;
    /** Processes of containers remembered by pid (seen forked or exec'd there); past it the oldest is forgotten. */
    static final int MAX_PIDS = 32_768;

    private final ContainerResolver resolver;
    private final long hostMntns;
    private final int maxEntries;
    private final int maxHeld;
    private final int maxHeldPerNamespace;
    private final LongSupplier clock;
    private final Consumer<Event> downstream;
    private final LongConsumer forgetInKernel;
    private final ExecutorService resolvers;
    /** Late looks: one thread, so a hung daemon's 500 ms answers never delay a new namespace's resolution. */
    private final ExecutorService lateResolver;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Map<Long, Ns> table = new ConcurrentHashMap<>();
    /**
     * Cgroup v2 ids seen in a resolved container's namespace, to that namespace: a process that left
     * its container's mount namespace for the host's (`nsenter -t 1 -m`) keeps its cgroup. The v2
     * root (id 1, every process on a hybrid host that nothing placed) is never learned.
     */
    private final Map<Long, Ns> byCgroup = new ConcurrentHashMap<>();
    /**
     * Processes seen forked or exec'd in a resolved container's namespace, to that namespace: a new
     * mount namespace one of them makes, or the host's it enters, is still that container (its cgroup
     * may have been moved first). A host process's child is forgotten here (its pid may be reused), a
     * container process's child in the host's namespace inherits. Kept with the pid namespace the
     * process was seen in: an exit the ring lost leaves the entry behind, and a host process that gets
     * the pid again (in the host's pid namespace) must not match it. Poller thread only.
     */
    private final LinkedHashMap<Integer, ContainerPid> containerPids = new LinkedHashMap<>();

    /**
     * A remembered container process: its namespace and the pid namespace it was seen in (a forked
     * child's is its parent's; a child that entered another pid namespace matches by cgroup only).
     */
    private record ContainerPid(Ns ns, long pidns) {}
    /** Namespaces still being resolved (their events wait), oldest first. Poller thread only. */
    private final LinkedHashMap<Long, Ns> unsettled = new LinkedHashMap<>();
    /** Released namespaces not fully known, to be looked at again. Poller thread only. */
    private final LinkedHashMap<Long, Ns> late = new LinkedHashMap<>();
    private long nextLateScan;
    private int held;
    /** Resolutions submitted and not yet applied. Poller thread only. */
    private int inFlight;
    private final LongAdder unresolvedEvents = new LongAdder();
    private final LongAdder overflowEvents = new LongAdder();
    private final LongAdder resolutions = new LongAdder();
    private final LongAdder identities = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder moves = new LongAdder();
    private final LongAdder pidsForgotten = new LongAdder();
    private final LongAdder pidsForgottenAfterLoss = new LongAdder();
    private final LongAdder releasedUnanswered = new LongAdder();
    private final Map<String, LongAdder> engineDisagreements = EngineStacks.LABELS.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(l -> l, l -> new LongAdder()));

    /** One namespace. Fields without volatile are the poller thread's. */
    private static final class Ns {
        final long key;
        final long mntns;
        final long mntnsId;
        final long firstSeen;
        volatile NamespaceIdentity identity;
        /**
         * The first description that named a container by itself: a namespace is named by it, not by
         * a later one of a process that moved into another container's cgroup. Poller thread only.
         */
        ContainerResolver.Resolution firstNamed;
        volatile ContainerInfo info;
        ContainerResolver.Basis basis = ContainerResolver.Basis.NONE;
        /** Its runtime's records were read: nothing better will come. */
        boolean complete;
        /** Events pass without waiting (complete, or waited long enough). */
        boolean settled;
        boolean inFlight;
        /** A newer identity arrived while a resolution was in flight. */
        boolean again;
        /** Answers named engines of different stacks (counted and logged once). */
        boolean engineDisagreed;
        /** A later look named another container (a cgroup move; counted once). */
        boolean moved;
        /** The container namespace whose process made this one: its container is this one's. */
        volatile Ns madeBy;
        /** A look's answer was taken in. */
        boolean answered;
        /** Named by the kernel's description alone, no look answered since (namedByDescription). */
        boolean describedOnly;
        /** When its first look began on a resolver thread (0: not yet). */
        volatile long firstLookBegan;
        long nextAttempt;
        long retryDelay = FIRST_RETRY_NANOS;
        long lastRefresh;
        int refreshes;
        /** Late looks made, when the next is due, and when the last began (events since then make it worth it). */
        int lateLooks;
        long nextLate;
        long lateDelay = LATE_FIRST_DELAY_NANOS;
        long lastLook;
        int lastPid;
        List<Event> held;
        volatile long events;
        volatile long lastSeen;

        Ns(long key, long mntns, long mntnsId, long now) {
            this.key = key;
            this.mntns = mntns;
            this.mntnsId = mntnsId;
            this.firstSeen = now;
            this.lastSeen = now;
        }

        ContainerInfo best() {
            Ns maker = madeBy;
            if (maker != null) {
                return maker.best();
            }
            ContainerInfo i = info;
            return i == null ? ContainerInfo.UNRESOLVED : i;
        }

        /** Named as a container (not the host, not unresolved). */
        boolean named() {
            ContainerInfo c = best();
            return c.isResolved() && !c.isHost();
        }
    }

    /** What a resolver found, and the identity it went by (read from /proc when the kernel's was missing). */
    private record Outcome(Ns ns, NamespaceIdentity identity, ContainerResolver.Resolution resolution, long started,
                           long took) {}

    private static final ContainerResolver.Resolution NOTHING =
            new ContainerResolver.Resolution(ContainerInfo.UNRESOLVED, ContainerResolver.Basis.NONE, false);

    /**
     * @param downstream     receives every event, with its container, in order per namespace
     * @param forgetInKernel told the key of a namespace this stage forgot, so the kernel describes it again
     */
    public ContainerAttribution(ContainerResolver resolver, long hostMntns, Consumer<Event> downstream,
                                LongConsumer forgetInKernel) {
        this(resolver, hostMntns, downstream, forgetInKernel, DEFAULT_MAX_ENTRIES, MAX_HELD, System::nanoTime);
    }

    ContainerAttribution(ContainerResolver resolver, long hostMntns, Consumer<Event> downstream,
                         LongConsumer forgetInKernel, int maxEntries, int maxHeld, LongSupplier clock) {
        this.maxHeld = maxHeld;
        this.maxHeldPerNamespace = Math.max(1, maxHeld / 4);
        this.resolver = resolver;
        this.hostMntns = hostMntns;
        this.downstream = downstream;
        this.forgetInKernel = forgetInKernel;
        this.maxEntries = maxEntries;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.resolvers = Executors.newFixedThreadPool(2, r -> Thread.ofPlatform().daemon(true)
                .name("eunomia-containers-" + n.incrementAndGet()).unstarted(r));
        this.lateResolver = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon(true)
                .name("eunomia-containers-late").unstarted(r));
    }

    /** The kernel described a namespace (before its first event, or after its cgroups changed). */
    public void onIdentity(NamespaceIdentity identity) {
        if (identity.mntns() == hostMntns) {
            return;
        }
        identities.increment();
        boolean isNew = !table.containsKey(identity.key());
        Ns ns = entry(identity.key(), identity.mntns(), identity.mntnsId());
        if (isNew && adoptedByMaker(ns, identity.pid())) {
            ns.identity = identity;
            return;
        }
        learnCgroup(ns, identity);
        if (ns.complete) {
            return; // e.g. a `runc exec` process still in the runtime's cgroup: the container is known
        }
        ns.identity = identity;
        if (ns.firstNamed == null && ns.info == null) {
            ContainerResolver.Resolution r = ContainerResolver.fromDescriptionAlone(identity);
            ns.firstNamed = r.info().isResolved() ? r : null;
        }
        if (ns.settled) {
            namedByDescription(ns);   // its events pass from now on: named by this description until a look answers
        }
        request(ns);
    }

    /**
     * A new namespace whose first process was seen forked or exec'd in a container's namespace was
     * made by that container's process: it is that container, settled now, never resolved from its
     * cgroup (which the process may have moved into another container's first).
     */
    private boolean adoptedByMaker(Ns ns, int pid) {
        ContainerPid remembered = containerPids.isEmpty() ? null : containerPids.get(pid);
        Ns maker = remembered == null ? null : remembered.ns();
        if (maker == null || maker == ns || !maker.named()) {
            return false;
        }
        ns.madeBy = maker.madeBy != null ? maker.madeBy : maker;
        ns.basis = ContainerResolver.Basis.RECORDS;
        ns.complete = true;
        settle(ns);
        return true;
    }

    /** A decoded event: delivered now with its container, or held until that is known. */
    public void offer(Event event) {
        ProcessInfo p = event.process();
        if (p.mntns() == hostMntns) {
            Ns escaped = containerProcess(p);
            ContainerInfo c = escaped != null && escaped.named() ? escaped.best() : hostOrEscaped(p);
            if (!containerPids.isEmpty()) {
                followPids(event, escaped);
            }
            downstream.accept(with(event, c));
            return;
        }
        if (!outcomes.isEmpty()) {
            takeOutcomes();   // a late look's answer names this event already (late looks are not waited for)
        }
        long now = clock.getAsLong();
        Ns ns = table.get(NamespaceIdentity.key(p.mntns(), p.mntnsId()));
        if (ns == null) {
            // The kernel's description was lost (ring buffer full) or forgotten here: /proc it is.
            ns = entry(NamespaceIdentity.key(p.mntns(), p.mntnsId()), p.mntns(), p.mntnsId());
            ns.lastPid = p.pid();
            if (!adoptedByMaker(ns, p.pid())) {
                request(ns);
            }
        }
        ns.lastPid = p.pid();
        ns.events++;
        ns.lastSeen = now;
        if (ns.settled) {
            followPids(event, ns.named() ? ns : null);
            if (!ns.complete && event.type() == io.eunomia.event.EventType.EXEC) {
                refresh(ns, now);
            }
            deliver(event, ns.best());
            return;
        }
        hold(ns, event);
    }

    /**
     * The container of a process as known now, without waiting: the host's, a resolved
     * namespace's, else {@link ContainerInfo#UNRESOLVED}. For records that are not events (the
     * ring-buffer benchmark's); events go through {@link #offer}.
     */
    public ContainerInfo current(ProcessInfo p) {
        if (p.mntns() == hostMntns) {
            return hostOrEscaped(p);
        }
        Ns ns = table.get(NamespaceIdentity.key(p.mntns(), p.mntnsId()));
        return ns == null || !ns.settled ? ContainerInfo.UNRESOLVED : ns.best();
    }

    /**
     * A process in the host's mount namespace: the host's, unless its cgroup is a known container's
     * (a privileged container that entered the host's namespace is still that container).
     */
    private ContainerInfo hostOrEscaped(ProcessInfo p) {
        long cgroup = p.cgroupId();
        if (cgroup <= ROOT_CGROUP || byCgroup.isEmpty()) {
            return ContainerInfo.HOST;
        }
        Ns ns = byCgroup.get(cgroup);
        return ns == null ? ContainerInfo.HOST : ns.best();
    }

    /**
     * Learns the v2 cgroup a namespace's identity shows when its path names the namespace's container
     * (its runtime's layout, or runc's /ID): a cgroup a process merely went to names no container.
     */
    private void learnCgroup(Ns ns, NamespaceIdentity identity) {
        long cgroup = identity == null ? 0 : identity.cgroupV2Id();
        if (cgroup <= ROOT_CGROUP || !ns.named() || byCgroup.get(cgroup) == ns) {
            return;
        }
        String id = ns.best().id();
        List<String> lines = List.of("0::" + identity.cgroupV2());
        java.util.Optional<CgroupPatterns.Match> m = CgroupPatterns.match(lines);
        if (m.isPresent() ? m.get().id().equals(id) : CgroupPatterns.ociIdCandidates(lines).contains(id)) {
            byCgroup.put(cgroup, ns);
        }
    }

    /**
     * Keeps {@link #containerPids}: a fork or exec in a container's namespace ({@code in}, null for
     * none) remembers the pid, a fork elsewhere forgets the child's, an exit forgets the pid.
     */
    private void followPids(Event event, Ns in) {
        int pid = event.process().pid();
        switch (event) {
            case io.eunomia.event.ForkEvent f -> remember(f.childPid(), in, event.process().pidns());
            case io.eunomia.event.ExecEvent x when in != null && containerProcess(event.process()) != in ->
                    remember(pid, in, event.process().pidns());
            case io.eunomia.event.ExitEvent x -> containerPids.remove(pid);
            default -> { }
        }
    }

    /** The container namespace a process was remembered in, null if none (or its pid was reused since). */
    private Ns containerProcess(ProcessInfo p) {
        ContainerPid remembered = containerPids.isEmpty() ? null : containerPids.get(p.pid());
        return remembered == null || remembered.pidns() != p.pidns() ? null : remembered.ns();
    }

    private void remember(int pid, Ns in, long pidns) {
        if (in == null) {
            containerPids.remove(pid);
            return;
        }
        containerPids.remove(pid);
        containerPids.put(pid, new ContainerPid(in, pidns));
        if (containerPids.size() > MAX_PIDS) {
            Iterator<Integer> oldest = containerPids.keySet().iterator();
            oldest.next();
            oldest.remove();
            pidsForgotten.increment();
        }
    }

    /**
     * The process sensor lost events: a lost exit (and the fork that gave the pid to another process,
     * lost too or in the same pid namespace) leaves a remembered pid that is no longer the container's
     * process, and which one cannot be told. Every remembered pid is forgotten: the namespace such a
     * process makes, or the host's it enters, is then named by its cgroup, as one never seen forked.
     * Poller thread only.
     */
    public void processEventsLost() {
        pidsForgottenAfterLoss.add(containerPids.size());
        containerPids.clear();
    }

    /** After each poll: takes in what the resolvers found, asks again where due, releases what is ready. */
    public void releaseReady() {
        takeOutcomes();
        long now = clock.getAsLong();
        if (!late.isEmpty() && now - nextLateScan >= 0) {
            nextLateScan = now + LATE_SCAN_NANOS;
            lookLate(now);
        }
        if (unsettled.isEmpty()) {
            return;
        }
        for (Ns ns : List.copyOf(unsettled.values())) {
            if (holdOver(ns, now)) {
                settle(ns);
            } else if (ns.nextAttempt != 0 && now - ns.nextAttempt >= 0 && !ns.inFlight) {
                ns.nextAttempt = 0;
                submit(ns);
            }
        }
    }

    /**
     * Its events waited long enough: {@link #HOLD_NANOS} since its first look began (or since its first
     * event, when no look is coming), {@link #MAX_HOLD_NANOS} in all.
     */
    private static boolean holdOver(Ns ns, long now) {
        long began = ns.firstLookBegan;
        if (now - ns.firstSeen >= MAX_HOLD_NANOS) {
            return true;
        }
        if (began == 0) {
            return !ns.inFlight && now - ns.firstSeen >= HOLD_NANOS;
        }
        return now - Math.max(ns.firstSeen, began) >= HOLD_NANOS;
    }

    /** Releases everything held (at shutdown) with what is known now. */
    public void releaseAll() {
        takeOutcomes();
        for (Ns ns : List.copyOf(unsettled.values())) {
            settle(ns);
        }
    }

    private void takeOutcomes() {
        Outcome o;
        while ((o = outcomes.poll()) != null) {
            apply(o);
        }
    }

    /** Whether a namespace is being resolved (the poller then comes back soon). */
    public boolean resolving() {
        return !unsettled.isEmpty() || !outcomes.isEmpty();
    }

    /** Late looks that are due, for namespaces that made events since their last look. */
    private void lookLate(long now) {
        for (Ns ns : List.copyOf(late.values())) {
            if (ns.complete || ns.lateLooks >= LATE_LOOKS) {
                late.remove(ns.key);
            } else if (!ns.inFlight && now - ns.nextLate >= 0 && ns.lastSeen - ns.lastLook > 0) {
                ns.lateLooks++;
                submit(ns, lateResolver);
            }
        }
    }

    /** A released namespace not fully known: looked at again later, backing off. */
    private void scheduleLate(Ns ns) {
        if (ns.complete || ns.lateLooks >= LATE_LOOKS || !table.containsKey(ns.key)) {
            late.remove(ns.key);
            return;
        }
        ns.nextLate = clock.getAsLong() + ns.lateDelay;
        ns.lateDelay = Math.min(ns.lateDelay * 2, LATE_MAX_DELAY_NANOS);
        late.put(ns.key, ns);
    }

    private Ns entry(long key, long mntns, long mntnsId) {
        Ns ns = table.get(key);
        if (ns == null) {
            ns = new Ns(key, mntns, mntnsId, clock.getAsLong());
            table.put(key, ns);
            unsettled.put(key, ns);
            if (table.size() > maxEntries) {
                evictOldest();
            }
        }
        return ns;
    }

    private void request(Ns ns) {
        if (ns.inFlight) {
            ns.again = true;
        } else {
            submit(ns);
        }
    }

    private void submit(Ns ns) {
        submit(ns, resolvers);
    }

    private void submit(Ns ns, ExecutorService on) {
        NamespaceIdentity identity = ns.identity;
        int pid = ns.lastPid;
        ns.inFlight = true;
        ns.lastLook = clock.getAsLong();
        inFlight++;
        resolutions.increment();
        try {
            on.execute(() -> {
                long started = clock.getAsLong();
                if (ns.firstLookBegan == 0) {
                    ns.firstLookBegan = started;
                }
                NamespaceIdentity id = identity;
                ContainerResolver.Resolution r = NOTHING;
                try {
                    if (id == null) {
                        id = resolver.identityOfNamespace(pid, ns.mntns, ns.mntnsId).orElse(null);
                    }
                    if (id != null) {
                        r = resolver.resolve(id);
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "resolving mount namespace " + ns.mntns + " failed: " + e);
                }
                outcomes.add(new Outcome(ns, id, r, started, clock.getAsLong() - started));
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            ns.inFlight = false;
            inFlight--;
        }
    }

    private void apply(Outcome o) {
        long now = clock.getAsLong();
        Ns ns = o.ns();
        ContainerResolver.Resolution r = o.resolution();
        ns.inFlight = false;
        boolean describedOnly = ns.describedOnly;
        ns.describedOnly = false;
        ns.answered = true;
        inFlight--;
        if (ns.identity == null) {
            ns.identity = o.identity();
        }
        ContainerInfo found = r.info();
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "mount namespace " + ns.mntns + " after " + (now - ns.firstSeen) / 1000
                    + " µs (resolver started at " + (o.started() - ns.firstSeen) / 1000 + " µs, took " + o.took() / 1000
                    + " µs): " + found + (r.complete() ? " (complete)" : r.retry() ? " (partial, asking again)" : " (partial)")
                    + " from " + o.identity());
        }
        if (found.isResolved() && !describedOnly && movedAway(ns, found)) {
            refuseMove(ns, found);
        } else if (found.isResolved() && r.basis().compareTo(ns.basis) >= 0) {
            ns.info = engineReconciled(ns, r.complete() ? found : merged(ns.info, found), r.complete());
            ns.basis = r.basis();
        } else if (found.isResolved() && ns.info != null && ns.info.id().equals(found.id())) {
            ns.info = merged(found, ns.info);
        }
        learnCgroup(ns, ns.identity);
        if (r.complete()) {
            ns.complete = true;
            settle(ns);
        } else if (ns.again) {
            ns.again = false;
            submit(ns);
        } else if (!ns.settled && r.retry() && now - ns.firstSeen + ns.retryDelay < HOLD_NANOS) {
            ns.nextAttempt = now + ns.retryDelay;
            ns.retryDelay *= 2;
        } else {
            settle(ns);
        }
    }

    /**
     * Whether an answer names another container than the one the namespace is known as, once that is
     * settled: its events went out under it, and only a process moved into another cgroup makes the
     * cgroup say otherwise now. Before it settles the runtime may still be placing its process (its
     * first cgroup the runtime's own), so only an answer from the container's cgroup leaf gives way.
     * Not asked of a name the kernel's description alone gave (the resolvers behind: namedByDescription):
     * that gives way to the first look's answer.
     */
    private static boolean movedAway(Ns ns, ContainerInfo found) {
        ContainerInfo known = ns.info;
        return known != null && known.isResolved() && !known.isHost() && !known.id().equals(found.id())
                && (ns.settled || ns.basis.compareTo(ContainerResolver.Basis.CGROUP_LEAF) > 0);
    }

    /** The known container stays; the move is counted once per container and logged once. */
    private void refuseMove(Ns ns, ContainerInfo found) {
        if (ns.moved) {
            return;
        }
        ns.moved = true;
        if (moves.sum() == 0) {
            LOG.log(System.Logger.Level.WARNING, "container " + ns.info.id() + " (mount namespace " + ns.mntns
                    + "): a later look names container " + found.id() + " (" + found.runtime() + "): a process of it "
                    + "was moved into another cgroup; it stays " + ns.info.id() + " (logged once; counted in "
                    + "eunomia_attribution_moves_total)");
        }
        moves.increment();
    }

    /** An exec in a namespace known only in part: look again in the background, events flow on. */
    private void refresh(Ns ns, long now) {
        if (ns.inFlight || ns.refreshes >= MAX_REFRESHES || now - ns.lastRefresh < REFRESH_NANOS) {
            return;
        }
        ns.lastRefresh = now;
        ns.refreshes++;
        submit(ns);
    }

    private void hold(Ns ns, Event event) {
        if (ns.held == null) {
            ns.held = new ArrayList<>();
        }
        ns.held.add(event);
        held++;
        if (ns.held.size() > maxHeldPerNamespace) {
            // A busy namespace is released on its own, before it crowds out the others' waiting events.
            overflow(ns, "mount namespace " + ns.mntns + " has more than " + maxHeldPerNamespace + " events waiting");
        } else if (held > maxHeld) {
            Ns oldest = ns;
            for (Ns u : unsettled.values()) {
                if (u.held != null) {
                    oldest = u;
                    break;
                }
            }
            overflow(oldest, "more than " + maxHeld + " events in all are waiting");
        }
    }

    /** Releases a namespace's held events early, with what is known, and counts them. */
    private void overflow(Ns ns, String why) {
        if (overflowEvents.sum() == 0) {
            LOG.log(System.Logger.Level.WARNING, why + " for their container's identity: releasing "
                    + "those of mount namespace " + ns.mntns + " with what is known (logged once; counted in "
                    + "eunomia_attribution_overflow_events_total)");
        }
        overflowEvents.add(ns.held.size());
        settle(ns);
    }

    /** From now on the namespace's events pass with what is known; the held ones leave first. */
    private void settle(Ns ns) {
        if (!ns.settled && !ns.answered && ns.madeBy == null) {   // adopted: named by its maker, no look was due
            releasedUnanswered.increment();
            namedByDescription(ns);
        }
        ns.settled = true;
        ns.nextAttempt = 0;
        unsettled.remove(ns.key);
        if (!ns.inFlight) {
            scheduleLate(ns);   // in flight: its outcome settles it again, then this runs
        }
        List<Event> waiting = ns.held;
        if (waiting == null) {
            return;
        }
        ns.held = null;
        held -= waiting.size();
        ContainerInfo c = ns.best();
        Ns in = ns.named() ? ns : null;
        for (Event e : waiting) {
            followPids(e, in);
            deliver(e, c);
        }
    }

    /**
     * Its events can wait no longer (released, or described anew once released) and nothing named it
     * yet (the resolvers behind on a loaded host, or a hung daemon; crun described it before it placed
     * the process): what the kernel's first description naming a container names without a read (the
     * cgroup's container id) rather than nothing; a look that answers later names the later events.
     */
    private void namedByDescription(Ns ns) {
        ContainerResolver.Resolution r = ns.firstNamed;
        if (ns.info != null || r == null) {
            return;
        }
        ns.info = r.info();
        ns.basis = r.basis();
        ns.describedOnly = true;
    }

    private void deliver(Event e, ContainerInfo c) {
        if (!c.isResolved()) {
            unresolvedEvents.increment();
        }
        downstream.accept(with(e, c));
    }

    /**
     * The answer, its engine weighed against the one known of the same container ({@link EngineStacks}):
     * an engine further up the same stack is taken (containerd's shim, then Docker's cgroup layout), one
     * further down keeps the known (a state root naming only runc once the shim is gone). An engine of
     * another stack is a disagreement, counted and logged once per container: the engine's own records
     * decide it, anything else leaves the known engine (a trusted engine process cannot be made up from
     * inside a container; a cgroup path can, by a process allowed to write cgroup.procs).
     */
    private ContainerInfo engineReconciled(Ns ns, ContainerInfo answer, boolean records) {
        ContainerInfo known = ns.info;
        if (known == null || !known.isResolved() || !known.id().equals(answer.id())) {
            return answer;
        }
        return switch (EngineStacks.of(known.runtime(), answer.runtime())) {
            case SAME, REFINES -> answer;
            case COARSER -> withEngine(answer, known.runtime());
            case CONTRADICTS -> {
                ContainerInfo kept = records ? answer : withEngine(answer, known.runtime());
                if (!ns.engineDisagreed) {
                    ns.engineDisagreed = true;
                    engineDisagreements.get(EngineStacks.label(known.runtime())).increment();
                    LOG.log(System.Logger.Level.WARNING, "container " + known.id() + " (mount namespace " + ns.mntns
                            + ") was named a " + known.runtime() + " container, and a later look says " + answer.runtime()
                            + (records ? " from its engine's own records: " + answer.runtime() + " kept"
                            : ": " + known.runtime() + " kept") + " (logged once per container; counted in "
                            + "eunomia_attribution_disagreements_total)");
                }
                yield kept;
            }
        };
    }

    private static ContainerInfo withEngine(ContainerInfo c, String engine) {
        return new ContainerInfo(c.id(), c.name(), c.image(), engine, c.podName(), c.podNamespace());
    }

    /**
     * A later partial answer about the same container keeps what an earlier one knew (the
     * runtime's command line named the bundle; once the runtime exited only the cgroup is left).
     */
    static ContainerInfo merged(ContainerInfo before, ContainerInfo now) {
        if (before == null || !before.id().equals(now.id())) {
            return now;
        }
        return new ContainerInfo(now.id(), or(now.name(), before.name()), or(now.image(), before.image()),
                now.runtime(), or(now.podName(), before.podName()), or(now.podNamespace(), before.podNamespace()));
    }

    private static String or(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    private static Event with(Event e, ContainerInfo c) {
        return e.process().container() == c ? e : e.withProcess(e.process().withContainer(c));
    }

    private void evictOldest() {
        List<Ns> all = new ArrayList<>(table.values());
        all.removeIf(ns -> !ns.settled || ns.inFlight);
        all.sort(Comparator.comparingLong(ns -> ns.lastSeen));
        int drop = Math.min(all.size(), Math.max(1, table.size() - maxEntries + maxEntries / 10));
        for (int i = 0; i < drop; i++) {
            Ns gone = all.get(i);
            table.remove(gone.key);
            late.remove(gone.key);
            byCgroup.values().removeIf(n -> n == gone);
            containerPids.values().removeIf(r -> r.ns() == gone || r.ns().madeBy == gone);
            forgetInKernel.accept(all.get(i).key);
            evictions.increment();
        }
    }

    /** Resolutions under way (poller thread; for tests). */
    int inFlight() {
        return inFlight;
    }

    /** What the kernel (or /proc) said identifies a namespace; empty when it is not known here. */
    public java.util.Optional<NamespaceIdentity> identity(long mntns, long mntnsId) {
        Ns ns = table.get(NamespaceIdentity.key(mntns, mntnsId));
        return java.util.Optional.ofNullable(ns == null ? null : ns.identity);
    }

    /** Namespaces seen so far, most recently active first. */
    public List<Seen> seen() {
        List<Seen> out = new ArrayList<>();
        for (Ns ns : table.values()) {
            out.add(new Seen(ns.best(), ns.mntns, ns.mntnsId, ns.events, ns.firstSeen, ns.lastSeen));
        }
        out.sort(Comparator.comparingLong(Seen::lastSeenNanos).reversed());
        return out;
    }

    /** Whether a mount namespace number is the host's. */
    public boolean isHostNamespace(long mntns) {
        return mntns == hostMntns;
    }

    /** Events delivered without a container identity (not the host's, yet nothing named a container). */
    public long unresolvedEvents() {
        return unresolvedEvents.sum();
    }

    /** The engines a disagreement is counted under (the engine known first): a fixed set. */
    public static List<String> engineLabels() {
        return EngineStacks.LABELS;
    }

    /**
     * Containers whose engine, known as {@code known} (one of {@link #engineLabels()}), a later answer
     * contradicted (another stack's engine: podman against docker), each counted once.
     */
    public long engineDisagreements(String known) {
        LongAdder n = engineDisagreements.get(known);
        return n == null ? 0 : n.sum();
    }

    /**
     * Events released before their container was known because too many were waiting ({@link #MAX_HELD}
     * in all, a quarter of it in one namespace).
     */
    public long overflowEvents() {
        return overflowEvents.sum();
    }

    /**
     * Containers a later look named otherwise (a process of them moved into another container's
     * cgroup, or the host's): each kept as it was known, counted once.
     */
    public long moves() {
        return moves.sum();
    }

    /** Container processes forgotten by pid to stay bounded ({@link #MAX_PIDS}), not because they exited. */
    public long pidsForgotten() {
        return pidsForgotten.sum();
    }

    /** Container processes forgotten by pid because the process sensor lost events ({@link #processEventsLost}). */
    public long pidsForgottenAfterLoss() {
        return pidsForgottenAfterLoss.sum();
    }

    /** Resolution attempts (each off the event path). */
    public long resolutions() {
        return resolutions.sum();
    }

    /** Namespace descriptions received from the kernel. */
    public long identities() {
        return identities.sum();
    }

    public long evictions() {
        return evictions.sum();
    }

    /**
     * Namespaces whose events were released before any look at their container answered (the
     * resolvers behind the hold on a loaded host, or a hung daemon): named from the kernel's
     * description alone (a cgroup's id, no name), else unresolved.
     */
    public long releasedUnanswered() {
        return releasedUnanswered.sum();
    }

    public ContainerResolver resolver() {
        return resolver;
    }

    @Override
    public void close() {
        resolvers.shutdownNow();
        lateResolver.shutdownNow();
        resolver.close();
        try {
            resolvers.awaitTermination(1, TimeUnit.SECONDS);
            lateResolver.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
