package io.eunomia.profiler;

import io.eunomia.abi.Capability;
import io.eunomia.event.CapEvent;
import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.profiler.LearnSelection.ProfileKey;
import io.eunomia.profiler.internal.ProfileBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Learns profiles: reads what namespaces did from a {@link UsageSource} on every {@link #poll()},
 * takes executables, user ids and capability details from events ({@link #accept(Event)}), and
 * files each selected container's namespace under its profile.
 *
 * <p>A namespace is identified by its id, never by its number alone: when a new container gets a
 * dead one's number, it is a new namespace and goes to its own container's profile. A namespace
 * whose processes are all gone is read one last time and forgotten in the source, so the source
 * does not fill up with dead namespaces.
 *
 * <p>Thread-safe: events arrive on the sensors' thread and are only queued there (it never waits
 * for a poll); polls and the read-outs run on others.
 */
public final class Learner {
    /** A namespace being learned (or known not to be). */
    private record Tracked(long mntns, long namespaceId, ContainerInfo container, ProfileKey key, Instant since) {}

    /** A container's runtime found after 'unknown' was recorded for it: filed at the next poll. */
    private record FoundRuntime(ProfileKey key, String containerId, RuntimeInfo runtime) {}

    /** Told by the directory on its thread, taken over by {@link #poll()}. */
    private final ConcurrentLinkedQueue<FoundRuntime> foundRuntimes = new ConcurrentLinkedQueue<>();

    private void fileFoundRuntimes(Instant now) {
        for (FoundRuntime f = foundRuntimes.poll(); f != null; f = foundRuntimes.poll()) {
            ProfileBuilder b = profiles.get(f.key());
            if (b != null) {
                b.container(f.containerId(), f.runtime(), now);   // replaces the 'unknown' recorded
            }
        }
    }

    /** What the progress display shows for one profile. */
    public record Progress(String name, String image, List<String> containerIds, String runtime, int activeContainers,
                           int syscalls, int runtimeSyscalls, int capabilities, int executables, int items,
                           Duration sinceLastNew) {}

    private final UsageSource source;
    private final ContainerDirectory directory;
    private final LearnSelection selection;
    private final Clock clock;
    private final Function<ProfileKey, Optional<Profile>> earlier;
    private final Instant started;
    /**
     * What is learned now, by namespace id; a running container seen before the kernel had an
     * entry for it (so with no id yet) under the negated number.
     */
    private final Map<Long, Tracked> tracked = new HashMap<>();
    /** Namespaces (keyed like {@link #tracked}) known to be unselected, the host, or done. */
    private final Set<Long> ignored = new java.util.HashSet<>();
    private final Map<ProfileKey, ProfileBuilder> profiles = new LinkedHashMap<>();
    /** Dead namespaces nobody could name yet, since when. */
    private final Map<Long, Instant> unresolvedSince = new HashMap<>();
    /** How long a dead namespace may stay unnamed before its usage is dropped. */
    static final Duration RESOLVE_GRACE = Duration.ofSeconds(10);
    private UsageStats lastStats;
    /** Events taken on the sensors' thread, filed by the next poll. */
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingCount = new AtomicLong();
    private final AtomicLong pendingDropped = new AtomicLong();
    private static final int MAX_PENDING = 200_000;
    /** Namespace ids being learned, for the sensors' thread to decide what is worth reading. */
    private final Set<Long> trackedIds = ConcurrentHashMap.newKeySet();
    /** Executables hashed already, by namespace id and path. */
    private final Set<String> hashed = ConcurrentHashMap.newKeySet();
    private Instant lastSeed;
    /**
     * Learned namespaces read for the last time (dead), to their profile: their events still on the
     * way are filed there (a short workload's exec comes once its container is named, which may be
     * after its calls were read). The most recent {@link #MAX_FINISHED}.
     */
    private final Map<Long, ProfileKey> finished = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ProfileKey> eldest) {
            return size() > MAX_FINISHED;
        }
    };
    private static final int MAX_FINISHED = 4096;
    private final ProfileClaims claims = new ProfileClaims();
    /** Running namespaces (by id) a seed found unselected: not looked at by later seeds. */
    private final Set<Long> seedSkipped = new java.util.HashSet<>();
    private static final int MAX_SEED_SKIPPED = 65_536;
    /** How often running namespaces are looked at for selected containers not seen yet. */
    static final Duration SEED_INTERVAL = Duration.ofSeconds(5);
    private long lastReportedFull;
    private long lastReportedEvicted;
    /** Warnings since the last {@link #drainWarnings()}, bounded. */
    private final List<String> newWarnings = new ArrayList<>();

    /**
     * @param earlier a profile learned before under the same name and image, which learning
     *                continues (empty: start afresh)
     */
    public Learner(UsageSource source, ContainerDirectory directory, LearnSelection selection, Clock clock,
                   Function<ProfileKey, Optional<Profile>> earlier) {
        this.source = source;
        this.directory = directory;
        this.selection = selection;
        this.clock = clock;
        this.earlier = earlier;
        this.started = clock.instant();
    }

    /**
     * Only a container of this runtime is learned under this name (learn -- COMMAND: the workload
     * it started, not another runtime's container that has the name).
     */
    public synchronized void requireRuntime(String name, String runtime) {
        claims.requireRuntime(name, runtime);
    }

    /** Reads every namespace's usage and files what is new; forgets namespaces that are gone. */
    public synchronized void poll() {
        drainEvents();
        Instant now = clock.instant();
        Map<Long, Long> recorded = source.namespaces();
        if (lastSeed == null || Duration.between(lastSeed, now).compareTo(SEED_INTERVAL) >= 0) {
            seedRunning(recorded, now);
            lastSeed = now;
        }
        for (var e : recorded.entrySet()) {
            long nsid = e.getKey();
            long mntns = e.getValue();
            Optional<NamespaceUsage> read = source.read(nsid);
            if (read.isEmpty()) {
                continue;
            }
            Tracked t = track(mntns, nsid, null, now);
            boolean alive = directory.alive(mntns, nsid);
            if (t != null) {
                profiles.get(t.key()).add(read.get(), now);
                unresolvedSince.remove(nsid);
                if (!alive) {
                    // Read above for the last time.
                    source.forget(nsid);
                    tracked.remove(nsid);
                    ignored.add(nsid);
                    finished.put(nsid, t.key());
                    String prefix = nsid + "\0";
                    hashed.removeIf(k -> k.startsWith(prefix));
                }
            } else if (!alive && forgettable(nsid, now)) {
                source.forget(nsid);   // an unselected namespace, or one nobody could name, is gone
                unresolvedSince.remove(nsid);
            }
        }
        // Running containers that made no call since learning began have no usage to read.
        tracked.values().removeIf(t -> !recorded.containsKey(t.namespaceId()) && !directory.alive(t.mntns(), t.namespaceId()));
        trackedIds.clear();
        tracked.values().forEach(t -> trackedIds.add(t.namespaceId()));
        fileFoundRuntimes(now);   // the directory looks for them while this poll asks it what is alive
        noteLosses();
    }

    /**
     * Selected containers that run but made no syscall since learning began (so the source has
     * nothing for them yet): tracked at once, so their profile exists and shows as learning.
     */
    private void seedRunning(Map<Long, Long> recorded, Instant now) {
        Set<Long> numbers = new java.util.HashSet<>(recorded.values());
        tracked.values().forEach(t -> numbers.add(t.mntns()));
        for (ContainerDirectory.Namespace ns : directory.liveNamespaces()) {
            if (ns.namespaceId() != 0) {
                // By id: the number may be a dead namespace's, whose container this is not.
                if (!recorded.containsKey(ns.namespaceId()) && !tracked.containsKey(ns.namespaceId())
                        && !seedSkipped.contains(ns.namespaceId())) {
                    seed(ns, now);
                }
            } else if (!numbers.contains(ns.mntns())) {
                track(ns.mntns(), 0, null, now);   // a kernel without ids: the number is all there is
            }
        }
    }

    /**
     * Tracks a running namespace if it is a selected container's. One that is not is skipped by
     * later seeds only: its events decide for themselves (a namespace looked at while its runtime
     * sets it up may not be named as its container yet).
     */
    private void seed(ContainerDirectory.Namespace ns, Instant now) {
        long k = ns.namespaceId();
        if (ignored.contains(k)) {
            return;
        }
        Optional<ContainerInfo> c = directory.container(ns.mntns(), k);
        if (c.isPresent() && c.get().isResolved() && !c.get().isHost()) {
            if (selection.profileOf(c.get()).isPresent()) {
                track(ns.mntns(), k, c.get(), now);
            } else if (seedSkipped.size() < MAX_SEED_SKIPPED) {
                seedSkipped.add(k);
            }
        }
    }

    /**
     * A dead namespace that is not learned may go: at once when it is known to be unselected,
     * after {@link #RESOLVE_GRACE} when it was never named (events may still name it).
     */
    private boolean forgettable(long nsid, Instant now) {
        if (ignored.contains(nsid)) {
            return true;
        }
        Instant since = unresolvedSince.computeIfAbsent(nsid, k -> now);
        return Duration.between(since, now).compareTo(RESOLVE_GRACE) >= 0;
    }

    /** The warnings given since the last call (full kernel maps, dropped events), for the user's eyes. */
    public synchronized List<String> drainWarnings() {
        List<String> out = List.copyOf(newWarnings);
        newWarnings.clear();
        return out;
    }

    /** The stats of the last poll's end: map fill levels and losses. */
    public synchronized Optional<UsageStats> stats() {
        return Optional.ofNullable(lastStats);
    }

    private void noteLosses() {
        UsageStats s = source.stats();
        lastStats = s;
        long lost = s.syscallsNotRecorded() + s.argumentsNotRecorded();
        if (lost > lastReportedFull) {
            // Which namespace lost what is unknown: every profile being learned may be incomplete.
            warnAll("the kernel's learning maps were full: some calls were not recorded",
                    (lost - lastReportedFull) + " syscalls or argument values not recorded (" + s.namespaces() + "/"
                    + s.capacity() + " namespaces, " + s.argumentEntries() + "/" + s.argumentCapacity()
                    + " argument values in the maps)");
            lastReportedFull = lost;
        }
        if (s.capEvicted() > lastReportedEvicted) {
            warnAll("the kernel's capability map was full: some capability checks may be missing",
                    (s.capEvicted() - lastReportedEvicted) + " namespaces dropped from it (" + s.capNamespaces() + "/"
                    + s.capCapacity() + " in the map)");
            lastReportedEvicted = s.capEvicted();
        }
    }

    /**
     * Warns every profile being learned (a stable text: a profile keeps each warning once) and
     * whoever shows progress ({@link #drainWarnings()}: with the counts).
     */
    private void warnAll(String warning, String detail) {
        for (Tracked t : tracked.values()) {
            profiles.get(t.key()).warn(warning);
        }
        if (newWarnings.size() < 100) {
            newWarnings.add(warning + ": " + detail);
        }
    }

    /**
     * The tracking of a namespace, created when it is new and selected; null when it is not
     * learned (host, unselected, or not resolvable yet: tried again next time).
     *
     * @param nsid the namespace's id; 0 when not known (a running container that made no call yet)
     */
    private Tracked track(long mntns, long nsid, ContainerInfo fromEvent, Instant now) {
        long k = nsid != 0 ? nsid : -mntns;
        Tracked t = tracked.get(k);
        if (t != null) {
            return t;
        }
        if (ignored.contains(k)) {
            return null;
        }
        // An event may say "host" for a new container still being identified: only the host's
        // namespace is the host.
        ContainerInfo c = fromEvent != null && directory.complete(fromEvent)
                ? fromEvent
                : directory.container(mntns, nsid).orElse(null);
        if (c == null || !c.isResolved() || c.isHost() && !directory.isHost(mntns)) {
            return null;   // not known yet: its usage stays in the source until it is
        }
        Optional<ProfileKey> key = selection.profileOf(c);
        if (key.isEmpty()) {
            ignored.add(k);
            return null;
        }
        boolean byImage = key.get().name().equals(key.get().image()) && selection.images().contains(key.get().name());
        Optional<String> refused = claims.refusal(key.get(), c, byImage);
        if (refused.isPresent()) {
            ignored.add(k);
            if (newWarnings.size() < 100) {
                newWarnings.add(refused.get());
            }
            return null;
        }
        ProfileBuilder b = profiles.computeIfAbsent(key.get(), pk -> earlier.apply(pk)
                .map(p -> ProfileBuilder.continuing(p, now))
                .orElseGet(() -> new ProfileBuilder(pk.name(), pk.image(), now)));
        RuntimeInfo rt = directory.runtime(c);
        b.container(c.id(), rt, now);
        if (rt.name().equals("unknown")) {
            ProfileKey pk = key.get();
            directory.whenRuntimeFound(c, found -> foundRuntimes.add(new FoundRuntime(pk, c.id(), found)));
        }
        if (nsid != 0) {
            tracked.remove(-mntns);   // seen running before it had an id: this is it
        }
        Tracked fresh = new Tracked(mntns, nsid, c, key.get(), now);
        tracked.put(k, fresh);
        return fresh;
    }

    /**
     * Takes an event from the sensors' thread without blocking it: what must be read while the
     * process lives (its no_new_privs, the executable's hash) is read now, the rest is filed at
     * the next {@link #poll()}.
     */
    public void accept(Event e) {
        if (directory.isHost(e.process().mntns())) {
            return;
        }
        switch (e) {
            case ExecEvent x when x.succeeded() -> {
                String hash = null;
                Boolean nnp = null;
                if (worthReading(x.process())) {
                    // The kernel's reading at the exec when the sensor sent one; /proc only for events made elsewhere.
                    nnp = x.noNewPrivs() != null ? x.noNewPrivs() : directory.noNewPrivs(x.process().pid()).orElse(null);
                    String k = x.process().mntnsId() + "\0" + x.exe();
                    if (!hashed.contains(k)) {
                        // A process gone already (a workload of a millisecond): the file by its path in its root.
                        hash = directory.sha256(x.process().pid(), x.exe())
                                .or(() -> directory.sha256InRoot(x.process().mntnsId(), x.exe())).orElse(null);
                        if (hash != null) {
                            hashed.add(k);
                        }
                    }
                }
                enqueue(new Pending(x, hash, nnp, clock.instant()));
            }
            case CapEvent x -> enqueue(new Pending(x, null, null, clock.instant()));
            default -> { }
        }
    }

    /** An event waiting for the next poll, with what was read while its process lived. */
    private record Pending(Event event, String sha256, Boolean noNewPrivs, Instant at) {}

    private void enqueue(Pending p) {
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            pendingDropped.incrementAndGet();
            return;
        }
        pending.add(p);
    }

    /** Whether a process may belong to a learned container (then its files are worth reading). */
    private boolean worthReading(io.eunomia.event.ProcessInfo p) {
        ContainerInfo c = p.container();
        return !c.isResolved() || trackedIds.contains(p.mntnsId()) || selection.profileOf(c).isPresent();
    }

    /** Files the events taken since the last poll. */
    private void drainEvents() {
        for (Pending next = pending.poll(); next != null; next = pending.poll()) {
            Pending p = next;
            pendingCount.decrementAndGet();
            var proc = p.event().process();
            Tracked t = track(proc.mntns(), proc.mntnsId(), proc.container(), p.at());
            ProfileKey key = t != null ? t.key() : finished.get(proc.mntnsId());
            if (key == null) {
                continue;
            }
            ProfileBuilder b = profiles.get(key);
            switch (p.event()) {
                case ExecEvent x -> {
                    b.exec(x.exe(), p.sha256(), p.at());
                    b.user(proc.uid());
                    b.user(proc.euid());
                    if (p.noNewPrivs() != null) {
                        b.noNewPrivs(p.noNewPrivs());
                    }
                }
                case CapEvent x -> Capability.of(x.capability()).ifPresent(cap -> b.capabilityCheck(cap, x.granted(),
                        source.nativeArch(), x.syscall(), 1 + x.suppressed(), p.at()));
                default -> { }
            }
        }
        long dropped = pendingDropped.getAndSet(0);
        if (dropped > 0) {
            warnAll("events came faster than learning filed them: some executables or capability details were dropped",
                    dropped + " events dropped");
        }
    }

    /** Profiles as learned so far ({@code learned_until} now). */
    public synchronized List<Profile> profiles() {
        Instant now = clock.instant();
        List<Profile> out = new ArrayList<>();
        for (ProfileBuilder b : profiles.values()) {
            out.add(b.build(now));
        }
        return out;
    }

    /** One profile as learned so far. */
    public synchronized Optional<Profile> profile(ProfileKey key) {
        ProfileBuilder b = profiles.get(key);
        return b == null ? Optional.empty() : Optional.of(b.build(clock.instant()));
    }

    /** Change counters by profile: a checkpoint writes those that moved. */
    public synchronized Map<ProfileKey, Long> changes() {
        Map<ProfileKey, Long> out = new LinkedHashMap<>();
        profiles.forEach((k, b) -> out.put(k, b.changes()));
        return out;
    }

    public synchronized List<Progress> progress() {
        Instant now = clock.instant();
        List<Progress> out = new ArrayList<>();
        profiles.forEach((k, b) -> {
            int active = (int) tracked.values().stream().filter(t -> t.key().equals(k)).count();
            String rt = String.join(",", b.runtimes().stream().map(RuntimeInfo::toString).toList());
            out.add(new Progress(k.name(), k.image(), b.containerIds(), rt, active, b.syscallCount(),
                    b.runtimeSyscallCount(), b.capabilityCount(), b.executableCount(), b.itemCount(),
                    Duration.between(b.lastNewItem(), now)));
        });
        return out;
    }

    /** Namespaces being learned now. */
    public synchronized int activeNamespaces() {
        return tracked.size();
    }

    /**
     * Nothing new for {@code quiet}: every profile has had no new item for that long, and at
     * least one container has been learned (waiting for a container that has not started is not
     * stable).
     */
    public synchronized boolean stable(Duration quiet) {
        if (profiles.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        for (ProfileBuilder b : profiles.values()) {
            if (Duration.between(b.lastNewItem(), now).compareTo(quiet) < 0) {
                return false;
            }
        }
        return true;
    }

    /** When learning began. */
    public Instant started() {
        return started;
    }
}
