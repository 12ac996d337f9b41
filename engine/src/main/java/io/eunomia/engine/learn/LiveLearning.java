package io.eunomia.engine.learn;

import io.eunomia.bpf.KernelSensors;
import io.eunomia.bpf.Sensor;
import io.eunomia.bpf.container.ContainerSources;
import io.eunomia.event.CapEvent;
import io.eunomia.event.EventStream;
import io.eunomia.event.ExecEvent;
import io.eunomia.profiler.ContainerDirectory;
import io.eunomia.profiler.LearnSelection;
import io.eunomia.profiler.LearnSelection.ProfileKey;
import io.eunomia.profiler.Learner;
import io.eunomia.profiler.Profile;
import io.eunomia.profiler.ProfileStore;
import io.eunomia.profiler.kernel.KernelContainerDirectory;
import io.eunomia.profiler.kernel.KernelUsageSource;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Learning inside a running monitor, a container at a time, started and stopped through the
 * control API. The first start loads the learning sensor (syscount) into the running sensors and
 * attaches the capability sensor; the last stop detaches what it attached, so a monitor that
 * learns nothing pays nothing for it. Each container gets the {@link Learner} that
 * {@code eunomia learn} runs, over one shared kernel source; profiles are checkpointed to the
 * directory atomically (temp file, fsync, rename) and written a last time at stop.
 */
public final class LiveLearning implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LiveLearning.class.getName());
    /** What a container reference may look like: it becomes part of a file name and a URL path. */
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,252}");

    /** A profile written, with what it holds. */
    public record Written(String profile, String image, Path file, int syscalls) {}

    /** A container being learned. */
    public record Session(String container, Instant since, List<Written> profiles, int activeNamespaces) {}

    /** Start or stop refused: the container reference or the profile file is wrong. */
    public static final class LearningException extends RuntimeException {
        private final boolean conflict;

        LearningException(String message, boolean conflict) {
            super(message);
            this.conflict = conflict;
        }

        /** True when the request was sound but the state forbids it (a file that holds something else). */
        public boolean conflict() {
            return conflict;
        }
    }

    private record Running(String container, Learner learner, EventStream.Subscription subscription, Instant since,
                           Map<ProfileKey, Long> written) {}

    private final KernelSensors sensors;
    private final ContainerSources sources;
    private final ProfileStore store;
    private final Path directory;
    private final Duration checkpoint;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private ScheduledExecutorService poller;
    private SharedUsage usage;
    private ContainerDirectory containers;
    private boolean capAttachedByUs;
    private Instant nextCheckpoint = Instant.EPOCH;

    public LiveLearning(KernelSensors sensors, ContainerSources sources, Path directory, Duration checkpoint) {
        this.sensors = sensors;
        this.sources = sources;
        this.directory = directory.toAbsolutePath().normalize();
        this.store = ProfileStore.directory(this.directory);
        this.checkpoint = checkpoint;
    }

    public Path directory() {
        return directory;
    }

    /**
     * Starts learning a container (by name or id; it may start later).
     *
     * @return false when it is learned already
     * @throws LearningException for a malformed name, or a profile file there that cannot be read
     */
    public synchronized boolean start(String container) {
        if (!NAME.matcher(container).matches()) {
            throw new LearningException("'" + container + "' is not a container name or id (letters, digits, _ . : -)", false);
        }
        if (running.containsKey(container)) {
            return false;
        }
        try {
            store.check(List.of(container));
        } catch (IOException e) {
            throw new LearningException(e.getMessage() + " (nothing is learned: move the file away)", true);
        }
        loadSensors();
        Map<ProfileKey, Long> written = new HashMap<>();
        Learner learner = new Learner(usage.view(container), containers, new LearnSelection(List.of(container), List.of(), false),
                Clock.systemUTC(), key -> earlier(container, key));
        EventStream.Subscription sub = sensors.subscribe(e -> e instanceof ExecEvent || e instanceof CapEvent, learner::accept);
        running.put(container, new Running(container, learner, sub, Instant.now(), written));
        LOG.log(Level.INFO, "learning container " + container + "; its profile goes to " + directory);
        return true;
    }

    /**
     * Stops learning a container and writes its profile(s) a last time.
     *
     * @return what was written; empty when it was not learned
     */
    public synchronized Optional<List<Written>> stop(String container) {
        Running r = running.remove(container);
        if (r == null) {
            return Optional.empty();
        }
        try {
            r.subscription().close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, "closing the learner's subscription: " + e);
        }
        r.learner().poll();
        List<Written> out = write(r, true);
        usage.remove(container);
        if (running.isEmpty()) {
            unloadSensors();
        }
        LOG.log(Level.INFO, "stopped learning container " + container + ": " + out);
        return Optional.of(out);
    }

    /** The containers learned now. */
    public synchronized List<Session> sessions() {
        List<Session> out = new ArrayList<>();
        for (Running r : running.values()) {
            out.add(new Session(r.container(), r.since(), written(r), r.learner().activeNamespaces()));
        }
        return out;
    }

    private List<Written> written(Running r) {
        List<Written> out = new ArrayList<>();
        for (Profile p : r.learner().profiles()) {
            ProfileKey key = new ProfileKey(p.metadata().name(), p.metadata().image());
            out.add(new Written(key.name(), key.image(), pathOf(key), syscalls(p)));
        }
        return out;
    }

    private Path pathOf(ProfileKey key) {
        try {
            return store.pathOf(key);
        } catch (IOException e) {
            return null;
        }
    }

    private static int syscalls(Profile p) {
        return p.architectures().values().stream().mapToInt(a -> a.workload().size()).sum();
    }

    private void loadSensors() {
        if (usage == null) {
            capAttachedByUs = !sensors.attached().contains(Sensor.CAP);
            sensors.attach(Sensor.SYSCOUNT);
            sensors.attach(Sensor.CAP);
            KernelUsageSource source = KernelUsageSource.of(sensors);
            source.containersOnly();
            usage = new SharedUsage(source);
            containers = new KernelContainerDirectory(sensors, sources);
            poller = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("eunomia-live-learning")
                    .daemon().unstarted(r));
            poller.scheduleWithFixedDelay(this::pollAll, 500, 500, TimeUnit.MILLISECONDS);
        } else if (!sensors.attached().contains(Sensor.SYSCOUNT)) {
            capAttachedByUs = !sensors.attached().contains(Sensor.CAP);
            sensors.attach(Sensor.SYSCOUNT);
            sensors.attach(Sensor.CAP);
        }
    }

    /** Nothing learned any more: the learning sensor costs every syscall, so it goes (its maps stay). */
    private void unloadSensors() {
        sensors.detach(Sensor.SYSCOUNT);
        if (capAttachedByUs) {
            sensors.detach(Sensor.CAP);
        }
    }

    private synchronized void pollAll() {
        try {
            Instant now = Instant.now();
            boolean due = !now.isBefore(nextCheckpoint);
            for (Running r : running.values()) {
                r.learner().poll();
                r.learner().drainWarnings().forEach(w -> LOG.log(Level.WARNING, "learning " + r.container() + ": " + w));
                if (due) {
                    write(r, false);
                }
            }
            if (due) {
                nextCheckpoint = now.plus(checkpoint);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "live learning: a poll failed: " + e, e);
        }
    }

    /** Writes the profiles that changed since they were last written (all of them when {@code all}). */
    private List<Written> write(Running r, boolean all) {
        List<Written> out = new ArrayList<>();
        for (var e : r.learner().changes().entrySet()) {
            ProfileKey key = e.getKey();
            Optional<Profile> p = r.learner().profile(key);
            if (p.isEmpty() || (!all && e.getValue().equals(r.written().get(key)))) {
                continue;
            }
            try {
                Path f = store.write(key, p.get());
                r.written().put(key, e.getValue());
                out.add(new Written(key.name(), key.image(), f, syscalls(p.get())));
            } catch (IOException ex) {
                LOG.log(Level.ERROR, "cannot write the profile of " + key.name() + " (learning " + r.container() + "): "
                        + ex.getMessage());
            }
        }
        return out;
    }

    private Optional<Profile> earlier(String container, ProfileKey key) {
        try {
            return store.earlier(key);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "learning " + container + ": " + e.getMessage() + " (learned afresh; it will not be written)");
            return Optional.empty();
        }
    }

    /** Stops every learning and writes the profiles (the monitor stops). */
    @Override
    public synchronized void close() {
        for (String c : List.copyOf(running.keySet())) {
            stop(c);
        }
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
