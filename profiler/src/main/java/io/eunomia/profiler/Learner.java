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
import java.util.function.Function;

/**
 * Learns profiles: reads what namespaces did from a {@link UsageSource} on every {@link #poll()},
 * takes executables, user ids and capability details from events ({@link #accept(Event)}), and
 * files each selected container's namespace under its profile.
 *
 * <p>A namespace is identified by its number and its id: when a new container gets a dead one's
 * number, it is a new namespace and goes to its own container's profile (the kernel restarts the
 * entry). A namespace whose processes are all gone is read one last time and forgotten in the
 * source, so its entry is free for the next container.
 *
 * <p>Thread-safe: events arrive on the sensors' thread, polls on the caller's.
 */
public final class Learner {
    /** A namespace being learned (or known not to be). */
    private record Tracked(long mntns, long namespaceId, ContainerInfo container, ProfileKey key, Instant since) {}

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
    /** By namespace number: what is learned there now. */
    private final Map<Long, Tracked> tracked = new HashMap<>();
    /** Namespaces (by number and id) known to be unselected, the host, or done. */
    private final Map<Long, Long> ignored = new HashMap<>();
    private final Map<ProfileKey, ProfileBuilder> profiles = new LinkedHashMap<>();
    /** Dead namespaces nobody could name yet, since when. */
    private final Map<Long, Instant> unresolvedSince = new HashMap<>();
    /** How long a dead namespace may stay unnamed before its usage is dropped. */
    static final Duration RESOLVE_GRACE = Duration.ofSeconds(10);
    private UsageStats lastStats;
    private long lastReportedFull;

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

    /** Reads every namespace's usage and files what is new; forgets namespaces that are gone. */
    public synchronized void poll() {
        Instant now = clock.instant();
        for (long mntns : source.namespaces()) {
            Optional<NamespaceUsage> read = source.read(mntns);
            if (read.isEmpty()) {
                continue;
            }
            NamespaceUsage u = read.get();
            Tracked t = track(mntns, u.namespaceId(), null, now);
            boolean alive = directory.alive(mntns, u.namespaceId());
            if (t != null) {
                profiles.get(t.key()).add(u, now);
                unresolvedSince.remove(mntns);
                if (!alive) {
                    // Read above for the last time: free the entry for the next container.
                    source.forget(mntns);
                    tracked.remove(mntns);
                    ignored.put(mntns, u.namespaceId());
                }
            } else if (!alive && forgettable(mntns, u.namespaceId(), now)) {
                source.forget(mntns);   // an unselected namespace, or one nobody could name, is gone
                unresolvedSince.remove(mntns);
            }
        }
        noteLosses();
    }

    /**
     * A dead namespace that is not learned may go: at once when it is known to be unselected,
     * after {@link #RESOLVE_GRACE} when it was never named (events may still name it).
     */
    private boolean forgettable(long mntns, long nsid, Instant now) {
        Long ign = ignored.get(mntns);
        if (ign != null && ign == nsid) {
            return true;
        }
        Instant since = unresolvedSince.computeIfAbsent(mntns, k -> now);
        return Duration.between(since, now).compareTo(RESOLVE_GRACE) >= 0;
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
            String w = "the kernel's learning maps were full (" + s.namespaces() + "/" + s.capacity()
                    + " namespaces, " + s.argumentEntries() + "/" + s.argumentCapacity()
                    + " argument values): some calls were not recorded";
            for (Tracked t : tracked.values()) {
                profiles.get(t.key()).warn(w);
            }
            lastReportedFull = lost;
        }
    }

    /**
     * The tracking of a namespace, created when it is new and selected; null when it is not
     * learned (host, unselected, or not resolvable yet: tried again next time).
     */
    private Tracked track(long mntns, long nsid, ContainerInfo fromEvent, Instant now) {
        Tracked t = tracked.get(mntns);
        if (t != null && t.namespaceId() == nsid) {
            return t;
        }
        if (t != null) {
            tracked.remove(mntns);   // the number now names a new namespace: the old one is done
        }
        Long ign = ignored.get(mntns);
        if (ign != null && ign == nsid) {
            return null;
        }
        ContainerInfo c = fromEvent != null && fromEvent.isResolved() && !fromEvent.id().isEmpty()
                ? fromEvent
                : directory.container(mntns, nsid).orElse(null);
        if (c == null || !c.isResolved()) {
            return null;   // not known yet: its usage stays in the kernel until it is
        }
        Optional<ProfileKey> key = selection.profileOf(c);
        if (key.isEmpty()) {
            ignored.put(mntns, nsid);
            return null;
        }
        ProfileBuilder b = profiles.computeIfAbsent(key.get(), k -> earlier.apply(k)
                .map(p -> ProfileBuilder.continuing(p, now))
                .orElseGet(() -> new ProfileBuilder(k.name(), k.image(), now)));
        b.container(c.id(), directory.runtime(c), now);
        Tracked fresh = new Tracked(mntns, nsid, c, key.get(), now);
        tracked.put(mntns, fresh);
        return fresh;
    }

    /** Executables, user ids, no_new_privs and capability details of tracked containers. */
    public synchronized void accept(Event e) {
        Instant now = clock.instant();
        switch (e) {
            case ExecEvent x when x.succeeded() -> {
                Tracked t = track(x.process().mntns(), x.process().mntnsId(), x.process().container(), now);
                if (t == null) {
                    return;
                }
                ProfileBuilder b = profiles.get(t.key());
                String hash = b.knowsExecutable(x.exe()) ? null : directory.sha256(x.process().pid(), x.exe()).orElse(null);
                b.exec(x.exe(), hash, now);
                b.user(x.process().uid());
                b.user(x.process().euid());
                directory.noNewPrivs(x.process().pid()).ifPresent(b::noNewPrivs);
            }
            case CapEvent x -> {
                Tracked t = tracked.get(x.process().mntns());
                if (t == null || t.namespaceId() != x.process().mntnsId()) {
                    return;
                }
                Capability.of(x.capability()).ifPresent(cap -> profiles.get(t.key()).capabilityCheck(cap, x.granted(),
                        source.nativeArch(), x.syscall(), 1 + x.suppressed(), now));
            }
            default -> { }
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
