package io.eunomia.bpf;

import io.eunomia.bpf.container.CgroupControllers;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.ContainerResolver;
import io.eunomia.bpf.paths.PathCallResolution;
import io.eunomia.bpf.paths.RealFileCapabilities;
import io.eunomia.bpf.process.ProcessEnrichment;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.bpf.internal.CompatDispatch;
import io.eunomia.bpf.internal.UringDispatch;
import io.eunomia.bpf.internal.Dispatcher;
import io.eunomia.bpf.internal.FileRecords;
import io.eunomia.bpf.internal.Header;
import io.eunomia.bpf.internal.BpfResources;
import io.eunomia.bpf.internal.InParallel;
import io.eunomia.bpf.internal.SharedMaps;
import io.eunomia.bpf.internal.MonotonicClock;
import io.eunomia.bpf.internal.NamespaceRecords;
import io.eunomia.bpf.internal.Preflight;
import io.eunomia.bpf.internal.ProcessRecords;
import io.eunomia.bpf.internal.RecordDecoder;
import io.eunomia.bpf.internal.RecordReader;
import io.eunomia.bpf.internal.RecordType;
import io.eunomia.bpf.internal.RoundLength;
import io.eunomia.bpf.internal.SettingsCodec;
import io.eunomia.event.Event;
import io.eunomia.event.EventStream;
import io.eunomia.event.EventType;
import io.eunomia.event.ExecEvent;
import io.eunomia.event.FileEvent;
import io.eunomia.event.FileOp;
import io.eunomia.event.NetInterest;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.StreamStats;
import io.eunomia.libbpf.BpfException;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import io.eunomia.libbpf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The live event stream from the kernel: loads the selected sensors, attaches them, and
 * delivers decoded events on one poller thread ("eunomia-sensors") that reads every sensor's ring
 * buffer: decode ({@code internal.*Records}, pure) → container attribution
 * ({@link ContainerAttribution}) → subscribers. {@link #close()} detaches and unloads everything.
 */
public final class KernelSensors implements EventStream {
    private static final System.Logger LOG = System.getLogger(KernelSensors.class.getName());
    private static final long WAKEUP_INTERVAL_NANOS = 1_000_000;
    /**
     * The poll timeout while no record came in the last poll and no container is being resolved:
     * a wake-up costs idle CPU (~50–130 µs of CPU each on this VM: bench/README.md), and the next
     * record forces one anyway; {@link #stop} ends the wait at once ({@link RingBuffer#wakeUp}).
     */
    private static final int IDLE_POLL_MILLIS = 10_000;
    /**
     * The first idle poll after records flowed: a record that read "in rounds" just before the
     * poller left them, and reached the ring only after its last look (its vCPU stolen meanwhile),
     * forced no wake-up, and every record after it sees data waiting and forces none either; this
     * bounds how long they can wait unseen.
     */
    private static final int FIRST_IDLE_POLL_MILLIS = 250;
    /** Ring of a sensor without records: a multiple of every page size (4 to 64 KiB). */

    private final SensorOptions options;
    private final MonotonicClock clock;
    private final long hostMntns;
    private final Optional<CgroupControllers.Controller> v1Controller;
    private final NamespaceRecords namespaceRecords;
    private final ContainerAttribution containers;
    /** The maps every sensor object shares (ring buffer, described namespaces, wake-up state), made before the sensors load. */
    private SharedMaps shared;
    /** Namespaces the kernel has described (shared by every sensor object); see common.bpf.h. */
    private BpfMap nsKnown;
    /**
     * The per-CPU time of the last forced reader wake-up and their count, shared like the ring
     * (common.bpf.h: wakeup_flags): one interval per CPU for all sensors, not one per sensor object.
     */
    private BpfMap lastWakeup;
    private BpfMap forcedWakeups;
    /**
     * Whether the poller takes records in rounds (common.bpf.h: reader_in_rounds): no program
     * forces a wake-up then. Written by the poller alone, when it changes.
     */
    private BpfMap readerInRounds;
    private boolean inRounds;
    private final Map<Sensor, BpfObject> objects = new EnumMap<>(Sensor.class);
    /** Read by the poller, added to when a sensor is loaded at run time ({@link #attach}). */
    private final Map<Integer, RecordDecoder> decoders = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each sensor's attachments; empty while it is detached ({@link #detach}). */
    private final Map<Sensor, List<io.eunomia.libbpf.BpfLink>> links = new EnumMap<>(Sensor.class);
    /** The shared pair that hands 32-bit calls to the sensors' compat programs; loaded with the first of them. */
    private CompatDispatch compat;
    /** Each loaded sensor's dispatch slot, for those with compat programs loaded. */
    private final Map<Sensor, Integer> compatSlots = new EnumMap<>(Sensor.class);
    /** The one program per io_uring tracepoint that hands ring requests to the sensors' handlers; loaded with the first of them. */
    private UringDispatch uring;
    /** Whether 32-bit calls are watched here (options.compat32() for this kernel), decided once at start. */
    private final Compat32Watch compat32;
    /** The ring buffer every sensor writes to (the shared "events" map). */
    private BpfMap sharedEvents;
    private static final int SIDE_CHANNEL_CAPACITY = 4096;
    private final Map<String, SideChannel> sideChannels = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<String> skippedHooks = new ArrayList<>();
    private final Dispatcher dispatcher;
    private final ProcessEnrichment processes;
    private final AtomicLong decodeErrors = new AtomicLong();
    private volatile Throwable firstDecodeError;
    /** User-space rest of the sensors' kernel filters (SensorConfigurer.eventFilter); set before polling. */
    private volatile Predicate<Event> accept = e -> true;
    private RingBuffer ring;
    private Thread poller;
    private volatile boolean running;
    /** The read filter's prefixes now: what the identity watch (WatchedInodes) re-reads after a rename. */
    private volatile Optional<List<String>> readPrefixes;
    /** The net filter's setting now (a rule reload changes it): what a net sensor attached later starts with. */
    private NetInterest netInterest;
    private boolean closed;
    private boolean stopped;
    /** The poller did not end: nothing may be freed under it. */
    private boolean stuck;
    private Map<String, Long> finalLost = Map.of();
    private long finalReadsFiltered;
    /** Path calls named through the task's root (bind mounts, symlinked directories); the poller's. */
    private final PathCallResolution paths = new PathCallResolution();
    private final RealFileCapabilities fileCaps;
    /** The identity watch of containers' own files (written from the decoding thread). */
    private final ContainerWatchedInodes containerFiles;
    private final ExecRoots execRoots;
    /** The opens the kernel could not name yet (decoding thread). */
    private final UnnamedOpens unnamedOpens;
    /** Hard links taken into the identity watch (link_counts[1] of file.bpf.c; decoding thread). */
    private long linksTaken;
    /** Start-up steps, logged at debug level. */
    private final PhaseTimer phases;

    private KernelSensors(SensorOptions options, MonotonicClock clock, PhaseTimer phases) {
        this.options = options;
        this.phases = phases;
        this.readPrefixes = options.readPrefixes();
        this.netInterest = options.netInterest();
        this.compat32 = Compat32Watch.decide(options.compat32());
        phases.mark("32-bit call decision");
        this.clock = clock;
        this.hostMntns = Namespaces.hostMountNamespace();
        this.v1Controller = CgroupControllers.watchedV1();
        String controller = v1Controller.map(CgroupControllers.Controller::name).orElse("");
        this.namespaceRecords = new NamespaceRecords(controller);
        this.dispatcher = new Dispatcher();
        // Process facts (ancestors, cwd, user names ...) are added after the container is known.
        this.processes = new ProcessEnrichment(dispatcher::deliver, paths.mountTables()).seed();
        phases.mark("process table seed");
        this.containers = new ContainerAttribution(new ContainerResolver(options.containers(), controller),
                hostMntns, processes, this::forgetNamespace);
        this.containerFiles = new ContainerWatchedInodes(hostMntns);
        this.execRoots = new ExecRoots(hostMntns);
        this.fileCaps = new RealFileCapabilities(hostMntns, execRoots::onHost, paths.mountTables());
        this.unnamedOpens = new UnnamedOpens(containerFiles::awaited, System::nanoTime);
        phases.mark("container attribution set-up");
    }

    /**
     * Loads and attaches the sensors and starts delivering events.
     *
     * @throws SensorUnavailableException when the host cannot run them (not root, no BTF, ...)
     * @throws BpfException when the kernel rejects a program
     */
    public static KernelSensors start(SensorOptions options) {
        PhaseTimer phases = new PhaseTimer(LOG);
        Preflight.check();
        phases.mark("preflight");
        MonotonicClock clock = MonotonicClock.calibrate();
        phases.mark("clock calibration");
        KernelSensors ks = new KernelSensors(options, clock, phases);
        try {
            ks.loadAll();
            ks.startPoller();
            phases.mark("ring buffer and poller");
            return ks;
        } catch (RuntimeException | Error e) {
            ks.close();
            throw e;
        }
    }

    /**
     * Loads every sensor with ONE shared ring buffer (made first, with the other maps all sensors
     * share: {@link SharedMaps}): records of all sensors then arrive in the order they were
     * produced, which temporal rules and container attribution rely on. The sensors open, load
     * (the verifier) and fill their maps in parallel, each on its own thread (libbpf keeps no state
     * shared between objects but idempotent feature probes; each object has its own verifier log
     * buffer), then attach one after the other in {@link Sensor}'s order: a failure is the first
     * failing sensor's in that order, whichever finished first.
     */
    private void loadAll() {
        List<Sensor> order = List.copyOf(options.sensors()); // Sensor's order: SensorOptions keeps an EnumSet
        shareMaps();
        if (compat32.watched() && order.stream().anyMatch(s -> CompatDispatch.hasSlot(s.objectName()))) {
            compat = CompatDispatch.load(); // its program arrays must exist before those sensors load
        }
        phases.mark("shared maps" + (compat == null ? "" : " and 32-bit call dispatcher"));
        List<InParallel.Task<Loaded>> tasks = order.stream()
                .map(s -> new InParallel.Task<>(s.objectName(), () -> openAndLoad(s))).toList();
        List<Loaded> loaded = InParallel.run(tasks, l -> l.object().close());
        phases.mark("sensors opened, loaded and configured (in parallel)");
        try {
            for (int i = 0; i < loaded.size(); i++) {
                install(loaded.get(i));
            }
        } finally {
            loaded.forEach(l -> objects.putIfAbsent(l.sensor(), l.object())); // close() frees those not installed
        }
        ring = RingBuffer.open(sharedEvents, this::onRecord);
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            for (var side : e.getKey().sideRings().entrySet()) {
                SideChannel channel = new SideChannel(new java.util.concurrent.ArrayBlockingQueue<>(SIDE_CHANNEL_CAPACITY),
                        side.getValue(), new AtomicLong());
                ring.add(e.getValue().map(side.getKey()), channel::offer);
                sideChannels.put(side.getKey(), channel);
            }
        }
    }

    private void shareMaps() {
        shared = SharedMaps.create(options.ringBufferBytes());
        sharedEvents = shared.events();
        nsKnown = shared.nsKnown();
        lastWakeup = shared.lastWakeup();
        forcedWakeups = shared.forcedWakeups();
        readerInRounds = shared.readerInRounds();
    }

    /**
     * Records of a sensor's own ring buffer ({@link Sensor#sideRings}), copied out by the poller
     * for one consumer; what does not fit is counted.
     */
    record SideChannel(java.util.concurrent.BlockingQueue<byte[]> queue, Consumer<MemorySegment> overflow,
                       AtomicLong droppedCount) {
        void offer(MemorySegment record) {
            if (!queue.offer(record.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))) {
                droppedCount.incrementAndGet();
                overflow.accept(record);
            }
        }

        long dropped() {
            return droppedCount.get();
        }
    }

    /** The side channel of a loaded sensor's ring (e.g. enforcement's exec notes of namespaces not yet classified). */
    SideChannel sideChannel(String ring) {
        SideChannel c = sideChannels.get(ring);
        if (c == null) {
            throw new IllegalArgumentException("no sensor with ring " + ring + " is loaded");
        }
        return c;
    }

    /** A sensor loaded and its maps written, not attached yet; what it left out of this kernel. */
    private record Loaded(Sensor sensor, BpfObject object, Optional<Integer> compatSlot, List<String> skippedHooks) {}

    /**
     * Opens, loads (into the shared maps) and configures one sensor; runs on a thread of its own
     * beside the other sensors' (touches no state of this stream but what {@link #install} reads
     * after). The file sensor's host files are listed on another thread meanwhile. Closes the
     * object when it fails.
     */
    private Loaded openAndLoad(Sensor sensor) {
        PhaseTimer phases = new PhaseTimer(LOG); // this thread's CPU time
        String sensorName = sensor.objectName();
        Supplier<WatchedInodes.HostFiles> hostFiles = sensor == Sensor.FILE
                ? InParallel.start("host-files", () -> WatchedInodes.listHost(readPrefixes)) : null;
        BpfObject obj = BpfObject.open(sensorName + ".bpf.o", BpfResources.read(sensor.resource()));
        try {
            phases.mark(sensorName + ": open");
            shared.share(obj);
            List<String> skipped = disableMissingHooks(sensor, obj);
            Optional<Integer> slot = CompatDispatch.slotOf(sensorName, obj);
            if (!compat32.watched()) {
                COMPAT_PROGRAMS.forEach(name -> Optional.ofNullable(obj.programs().get(name)).ifPresent(p -> p.setAutoload(false)));
            } else if (slot.isPresent()) {
                compat.share(obj);
            }
            options.mapEntries().forEach((name, n) -> obj.findMap(name).ifPresent(m -> m.setMaxEntries(n)));
            sensor.configurer().beforeLoad(obj, options);
            phases.mark(sensorName + ": set-up before load");
            obj.load();
            phases.mark(sensorName + ": load (verifier)");
            configure(sensor, obj, hostFiles);
            phases.mark(sensorName + ": configure maps");
            return new Loaded(sensor, obj, compat32.watched() ? slot : Optional.empty(), skipped);
        } catch (RuntimeException | Error e) {
            obj.close();
            throw e;
        }
    }

    /**
     * A loaded sensor joins the stream (on the starting thread, in Sensor's order): its user-space
     * filter, its decoders (before its first record can come), then its programs are attached.
     */
    private void install(Loaded l) {
        Sensor sensor = l.sensor();
        BpfObject obj = l.object();
        objects.put(sensor, obj);
        skippedHooks.addAll(l.skippedHooks());
        accept = accept.and(sensor.configurer().eventFilter(options.withNetInterest(netInterest)));
        // Before attaching: the looks run on their own thread, and a container's opens of files of
        // several names wait for its look (UnnamedOpens), so its first opens are judged with its files.
        if (sensor == Sensor.FILE) {
            containerFiles.clear(obj);
            containerFiles.scanRunning(obj, readPrefixes.orElse(List.of()));
            phases.mark(sensor.objectName() + ": running containers' watched files");
        }
        l.compatSlot().ifPresent(s -> compatSlots.put(sensor, s));
        decoders.putAll(sensor.decoders());
        attachSensor(sensor, obj);
        phases.mark(sensor.objectName() + ": attach");
    }

    /** Attaches a loaded sensor: its programs by their sections, its compat programs through the dispatcher. */
    private void attachSensor(Sensor sensor, BpfObject obj) {
        List<io.eunomia.libbpf.BpfLink> attached = new ArrayList<>();
        try {
            for (BpfProgram p : obj.programs().values()) {
                if (p.autoload() && !COMPAT_PROGRAMS.contains(p.name()) && !UringDispatch.isHandler(p)) {
                    attached.add(p.attach());
                }
            }
            Integer slot = compatSlots.get(sensor);
            if (slot != null) {
                compat.plugIn(slot, obj);
            }
            if (UringDispatch.hasHandlers(obj)) {
                if (uring == null) {
                    uring = UringDispatch.load();
                }
                uring.plugIn(sensor.objectName(), obj);
            }
        } catch (RuntimeException e) {
            attached.forEach(io.eunomia.libbpf.BpfLink::close);
            if (uring != null) {
                uring.unplug(sensor.objectName());
            }
            throw e;
        }
        links.put(sensor, attached);
    }

    /**
     * Switches a sensor on while the stream runs: a loaded one is attached again, another is loaded
     * into the shared ring buffer (so its events keep their order with the others'). A sensor with
     * rings of its own (enforcement) is loaded at start only.
     *
     * @return false when it was attached already
     * @throws IllegalStateException when the stream is stopped or the sensor cannot be loaded now
     */
    public synchronized boolean attach(Sensor sensor) {
        if (stopped || closed) {
            throw new IllegalStateException("the sensors are stopped");
        }
        BpfObject obj = objects.get(sensor);
        if (obj == null) {
            if (!sensor.sideRings().isEmpty()) {
                throw new IllegalStateException("the " + sensor.objectName() + " sensor is loaded at start only");
            }
            try {
                install(openAndLoad(sensor));   // on the caller's thread
            } catch (RuntimeException e) {
                BpfObject half = objects.remove(sensor);
                links.remove(sensor);
                Integer slot = compatSlots.remove(sensor);
                if (slot != null) {
                    compat.unplug(slot);
                }
                if (uring != null) {
                    uring.unplug(sensor.objectName());
                }
                if (half != null) {
                    half.close();
                }
                throw e;
            }
            return true;
        }
        if (!links.getOrDefault(sensor, List.of()).isEmpty()) {
            return false;
        }
        attachSensor(sensor, obj);
        return true;
    }

    /**
     * Switches a sensor off while the stream runs: its programs are detached (its maps stay, so
     * {@link #attach} brings it back as it was). Detaching a syscall tracepoint waits for the
     * kernel (tens of ms).
     *
     * @return false when it was not attached
     */
    public synchronized boolean detach(Sensor sensor) {
        List<io.eunomia.libbpf.BpfLink> current = links.getOrDefault(sensor, List.of());
        if (current.isEmpty() || closed) {
            return false;
        }
        links.put(sensor, List.of());
        Integer slot = compatSlots.get(sensor);
        if (slot != null) {
            compat.unplug(slot);
        }
        if (uring != null) {
            uring.unplug(sensor.objectName());
        }
        for (io.eunomia.libbpf.BpfLink l : current) {
            l.close();
        }
        return true;
    }

    /** The sensors attached now (loaded and not detached). */
    public synchronized java.util.Set<Sensor> attached() {
        java.util.Set<Sensor> out = java.util.EnumSet.noneOf(Sensor.class);
        links.forEach((s, l) -> {
            if (!l.isEmpty()) {
                out.add(s);
            }
        });
        return out;
    }

    /** The programs that take 32-bit calls from the dispatcher (syscall.bpf.h: COMPAT_PROGRAMS), in the sensors that have them. */
    private static final List<String> COMPAT_PROGRAMS = List.of(CompatDispatch.ENTER, CompatDispatch.EXIT);

    /**
     * The programs on the 32-bit call path by "object:program" (the dispatcher's pair, attached to
     * every syscall, and the sensors' compat programs it tail-calls), with their fds: for per-program
     * run-time figures (bpf_stats) in the benchmarks.
     */
    public synchronized Map<String, Integer> compatProgramFds() {
        Map<String, Integer> fds = new LinkedHashMap<>();
        if (compat != null) {
            compat.object().programs().forEach((name, p) -> fds.put("compat32:" + name, p.fd()));
        }
        compatSlots.keySet().forEach(s -> COMPAT_PROGRAMS.forEach(name ->
                fds.put(s.objectName() + ":" + name, objects.get(s).program(name).fd())));
        return fds;
    }

    /** The 32-bit call dispatcher's object, once a sensor with compat programs was loaded (tests hand it calls). */
    synchronized Optional<BpfObject> compatDispatcher() {
        return compat == null ? Optional.empty() : Optional.of(compat.object());
    }

    /** Whether 32-bit calls are watched, and why (for the start-up log and status). */
    public Compat32Watch compat32() {
        return compat32;
    }

    /** The io_uring dispatcher, once a sensor with ring handlers was attached (tests read its slots; benches its run time). */
    synchronized Optional<UringDispatch> uringDispatcher() {
        return Optional.ofNullable(uring);
    }

    /**
     * The io_uring dispatcher's programs by "uring_dispatch:program", with their fds: a ring
     * request's whole BPF time at each tracepoint (the handlers it tail-calls count in its run time).
     */
    public synchronized Map<String, Integer> uringProgramFds() {
        Map<String, Integer> fds = new LinkedHashMap<>();
        if (uring != null) {
            uring.object().programs().forEach((name, p) -> fds.put("uring_dispatch:" + name, p.fd()));
        }
        return fds;
    }

    /** Whether the shared 32-bit call dispatcher is attached now (while a sensor with compat programs is). */
    public synchronized boolean compatDispatchAttached() {
        return compat != null && compat.attached();
    }

    /** Leaves out programs whose hook this kernel lacks (e.g. sys_enter_open on arm64), says so, and returns them as "sensor:section". */
    private static List<String> disableMissingHooks(Sensor sensor, BpfObject obj) {
        List<String> skipped = new ArrayList<>();
        for (BpfProgram p : obj.programs().values()) {
            String sec = p.sectionName();
            boolean present;
            if (sec.startsWith("tracepoint/")) {
                Preflight.ensureTracefs();
                String[] parts = sec.split("/");
                present = parts.length == 3 && Preflight.tracepointExists(parts[1], parts[2]);
            } else if (sec.startsWith("tp_btf/")) {
                present = Preflight.btfTracepointExists(sec.substring("tp_btf/".length()));
            } else {
                present = true;
            }
            if (!present) {
                p.setAutoload(false);
                skipped.add(sensor.objectName() + ":" + sec);
                LOG.log(System.Logger.Level.DEBUG, "this kernel has no hook " + sec + ": " + sensor.objectName()
                        + " sensor runs without program " + p.name());
            }
        }
        if (obj.programs().values().stream().noneMatch(BpfProgram::autoload)) {
            throw new SensorUnavailableException("the " + sensor.objectName() + " sensor cannot run here: this kernel has "
                    + "none of its hooks (" + String.join(", ", skipped) + ")");
        }
        return skipped;
    }

    /** The maps a sensor reads its settings from, written after load (hostFiles: the file sensor's, listed meanwhile). */
    private void configure(Sensor sensor, BpfObject obj, Supplier<WatchedInodes.HostFiles> hostFiles) {
        SettingsCodec settings = new SettingsCodec(true, (int) ProcessHandle.current().pid(), options.pid(),
                options.mntns(), WAKEUP_INTERVAL_NANOS, 0, Math.max(hostMntns, 0),
                v1Controller.map(CgroupControllers.Controller::subsysId).orElse(-1));
        obj.map("settings").update(SettingsCodec.key0(), settings.encode());
        SensorOptions now = options.withNetInterest(netInterest);
        if (hostFiles != null) {
            FileSensorConfigurer.configure(obj, now, hostFiles.get());
        } else {
            sensor.configurer().configure(obj, now);
        }
    }

    private void startPoller() {
        running = true;
        poller = Thread.ofPlatform().name("eunomia-sensors").daemon(true).start(this::pollLoop);
    }

    private void pollLoop() {
        boolean busy = true;
        int quietPolls = 0;   // polls that found nothing since the last records
        RoundLength rounds = RoundLength.ofMillis(options.pollTimeoutMillis());
        while (running) {
            try {
                long round = System.nanoTime();
                // While records flow, take them in rounds at the poll interval instead of on every
                // kernel wake-up (~1 per ms per CPU): a wake-up of this thread, and of the pipeline
                // thread it hands the round to, costs more CPU than a batch of records.
                int n = busy ? ring.consume() : 0;
                if (n == 0) {
                    // Records sent without a wake-up are only seen by consume(): poll alone would leave
                    // them in the ring until the next forced wake-up. Those come within the wake-up
                    // interval after a forced one, so once a short poll (longer than that interval) found
                    // nothing, the next record on any CPU forces a wake-up: the poller may then sleep
                    // long (idle CPU) and still see it at once.
                    // Only a wake-up ends this poll early: the next record into the empty ring must force one.
                    setInRounds(false);
                    n = ring.poll(busy ? options.pollTimeoutMillis() : quietPolls < 2 ? FIRST_IDLE_POLL_MILLIS : IDLE_POLL_MILLIS);
                    n += ring.consume();
                }
                quietPolls = n > 0 ? 0 : quietPolls + 1;
                unnamedOpens.releaseReady(objects.get(Sensor.FILE), this::deliver);
                containers.releaseReady(); // every poll timeout at the latest: held events wait no longer
                dispatcher.endOfRound();   // batching subscribers hand the round on now
                busy = n > 0 || containers.resolving() || unnamedOpens.holding();
                if (n > 0) {
                    // Back for the next records after this round whatever happens: a forced wake-up
                    // (~10 us of the traced task here, one per short-lived process) would buy nothing.
                    // A round that found only a few is followed by a longer one (RoundLength).
                    setInRounds(true);
                    restOfRound(round, rounds.after(n));
                }
            } catch (BpfException e) {
                LOG.log(System.Logger.Level.ERROR, "ring buffer poll failed, sensors stop delivering: " + e.getMessage());
                running = false;
            }
        }
        unnamedOpens.releaseAll(objects.get(Sensor.FILE), this::deliver);
        containers.releaseAll();
        dispatcher.endOfRound();
        // Only this thread ever calls into the ring buffer, so only it may free it.
        ring.close();
    }

    /** Tells the programs whether the poller is in rounds (common.bpf.h: wakeup_flags); poller thread only. */
    private void setInRounds(boolean rounds) {
        if (rounds != inRounds) {
            readerInRounds.update(SettingsCodec.key0(), new byte[] {(byte) (rounds ? 1 : 0), 0, 0, 0});
            inRounds = rounds;
        }
    }

    /** Sleeps until {@code roundNanos} since {@code roundStart} are over (at once if the round took longer). */
    private void restOfRound(long roundStart, long roundNanos) {
        long left = roundStart + roundNanos - System.nanoTime();
        if (left > 0 && running) {
            LockSupport.parkNanos(left);
        }
    }

    /** Ring-buffer callback on the poller thread: decode, attribute, dispatch; never throws (RingBuffer guards). */
    private void onRecord(MemorySegment data) {
        Event event;
        RecordReader r = new RecordReader(data);
        long linksBefore = linksTaken;
        try {
            Header h = Header.read(r, clock);
            if (h.type() == RecordType.NAMESPACE.code()) {
                containers.onIdentity(namespaceRecords.decode(h, r));
                return;
            }
            RecordDecoder d = decoders.get(h.type());
            if (d == null) {
                throw new IllegalStateException("unknown record type " + h.type());
            }
            event = fileCaps.apply(paths.apply(d.decode(h, r)));
            Optional<ProcessRecords.Root> root = event instanceof ExecEvent ? ProcessRecords.root(r) : Optional.empty();
            execRoots.onExec(event.process().mntns(), event.process().mntnsId(), root);
            refreshWatchedInodes(event, root);
            FileRecords.Unnamed unnamed = event instanceof FileEvent ? FileRecords.unnamed(r) : null;
            if (unnamed != null) {
                unnamedOpens.onOpen(objects.get(Sensor.FILE), (FileEvent) event, unnamed).ifPresent(this::deliver);
                return;
            }
        } catch (RuntimeException e) {
            // The kernel counted this link when it sent it: one not taken in would keep every open of
            // a file of several names coming to user space for good (file.bpf.c, link_counts).
            if (linksTaken == linksBefore && FileRecords.reportedLink(r)) {
                linkTaken();
            }
            if (decodeErrors.getAndIncrement() == 0) {
                firstDecodeError = e;
                LOG.log(System.Logger.Level.ERROR, "undecodable kernel record (a sensor/decoder mismatch): " + e);
            }
            return;
        }
        deliver(event);
    }

    /** A decoded event through the user-space filter to attribution (decoding thread). */
    private void deliver(Event event) {
        if (accept.test(event)) {
            containers.offer(event);
        }
    }

    /**
     * A rename into a watched path (passwd writes /etc/shadow+ and renames it over /etc/shadow) made
     * it another inode: the identity watch learns the new one at once, on this thread, before the
     * next record. A hard link made to a watched file adds it (a file created while the sensors run
     * has another name now). A container's files are looked at at its first exec (its root is set
     * by then). See {@link WatchedInodes}, {@link ContainerWatchedInodes}.
     */
    private void refreshWatchedInodes(Event event, Optional<ProcessRecords.Root> root) {
        if (event instanceof FileEvent f && f.op() == FileOp.LINK && f.succeeded()) {
            try {
                refreshLinked(f, WatchedInodes.watchedPath(f.path(), readPrefixes));
            } finally {
                linkTaken();
            }
            return;
        }
        boolean exec = event instanceof ExecEvent;
        boolean renamed = event instanceof FileEvent f && f.op() == FileOp.RENAME && f.succeeded()
                && WatchedInodes.watchedPath(f.newPath(), readPrefixes);
        if (!exec && !renamed) {
            return;
        }
        BpfObject file = objects.get(Sensor.FILE);
        if (file == null || closed) {
            return;
        }
        ProcessInfo p = event.process();
        try {
            if (exec) {
                containerFiles.onProcess(file, p.mntns(), p.mntnsId(), p.pid(), readPrefixes.orElse(List.of()), root);
                return;
            }
            String target = ((FileEvent) event).newPath();
            if (containerFiles.linked(file, p.mntns(), p.mntnsId(), p.pid(), target)) {
                return;
            }
            WatchedInodes.replaced(file, target);
        } catch (RuntimeException e) {  // the file sensor detached meanwhile
            LOG.log(System.Logger.Level.WARNING, "identity watch not refreshed after " + event.getClass().getSimpleName()
                    + ": " + e);
        }
    }

    /** A hard link made: its target, when watched, is named by the link's path too from now on. */
    private void refreshLinked(FileEvent f, boolean watched) {
        BpfObject file = objects.get(Sensor.FILE);
        if (!watched || file == null || closed) {
            return;
        }
        try {
            if (!containerFiles.linked(file, f.process().mntns(), f.process().mntnsId(), f.process().pid(), f.path())) {
                WatchedInodes.replaced(file, f.path());
            }
        } catch (RuntimeException e) {  // the file sensor detached meanwhile
            LOG.log(System.Logger.Level.WARNING, "identity watch not refreshed after a link: " + e);
        }
    }

    /**
     * Tells the kernel one more reported link is in the identity watch: once it has them all, opens
     * of files of several names go back to costing it nothing (file.bpf.c, link_counts).
     */
    private void linkTaken() {
        linksTaken++;
        BpfObject file = objects.get(Sensor.FILE);
        if (file == null || closed) {
            return;
        }
        try {
            file.map("link_counts").update(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(1).array(),
                    ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(linksTaken).array());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "link count not written: " + e);
        }
    }

    /** The attribution stage forgot a namespace: its next event must describe it again. */
    private void forgetNamespace(long key) {
        if (nsKnown != null && !closed) {
            nsKnown.delete(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(key).array());
        }
    }

    @Override
    public Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer) {
        return dispatcher.subscribe(filter, consumer);
    }

    /** {@code endOfRound} runs on the poller thread after each poll round (and once more when the poller ends). */
    @Override
    public Subscription subscribe(Predicate<? super Event> filter, Consumer<? super Event> consumer, Runnable endOfRound) {
        return dispatcher.subscribe(filter, consumer, endOfRound);
    }

    @Override
    public StreamStats stats() {
        Map<EventType, Long> byType = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            long n = dispatcher.delivered(t);
            if (n > 0) {
                byType.put(t, n);
            }
        }
        // An Error out of onRecord (it catches RuntimeExceptions) was caught by the ring and its record lost: counted with them.
        RingBuffer r = ring;
        return new StreamStats(byType, lostBySensor(), decodeErrors.get() + (r == null ? 0 : r.handlerErrors()));
    }

    /** Records each sensor could not deliver because its ring buffer was full (in-kernel counters). */
    public synchronized Map<String, Long> lostBySensor() {
        // Once stopped nothing drains the rings, so their counters keep growing: not our losses.
        if (closed || (stopped && !stuck)) {
            return finalLost;
        }
        return readLossCounters();
    }

    /** The drops map's slot for events lost because a call's enter-to-exit state was evicted (common.bpf.h). */
    private static final int DROP_EVICTED = 2;

    /**
     * Of {@link #lostBySensor()}, the events lost because a call's state kept from its enter to its
     * exit was evicted from its map first (more threads inside watched calls at once than the map
     * holds: see {@link SensorOptions#mapEntries()}, {@code pending_args}); empty once closed.
     */
    public synchronized Map<String, Long> evictedBySensor() {
        Map<String, Long> evicted = new LinkedHashMap<>();
        if (closed) {
            return evicted;
        }
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            if (e.getValue().isLoaded()) {
                evicted.put(e.getKey().objectName(), e.getValue().map("drops").sumPerCpuU64(DROP_EVICTED));
            }
        }
        return evicted;
    }

    private Map<String, Long> readLossCounters() {
        Map<String, Long> lost = new LinkedHashMap<>();
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            if (e.getValue().isLoaded()) {
                BpfMap drops = e.getValue().map("drops");
                long sum = 0;
                for (int reason = 0; reason < drops.maxEntries(); reason++) {
                    sum += drops.sumPerCpuU64(reason); // ring buffer full, no scratch space, state evicted
                }
                lost.put(e.getKey().objectName(), sum);
            }
        }
        return lost;
    }

    /**
     * Changes the file sensor's read filter while it runs (a rule reload): absent = off. The change
     * goes wider first (see {@link SensorOptions#readPrefixes()}); nothing happens without the file
     * sensor.
     *
     * @throws IllegalArgumentException for prefixes the filter cannot hold (the old setting stays)
     */
    public synchronized void updateReadPrefixes(Optional<List<String>> prefixes) {
        BpfObject file = objects.get(Sensor.FILE);
        if (file != null && !closed && !stuck) {
            ReadFilterMaps.apply(file, prefixes);
            readPrefixes = prefixes;
            WatchedInodes.apply(file, prefixes);
            containerFiles.clear(file);
            containerFiles.scanRunning(file, prefixes.orElse(List.of()));
        }
    }

    /**
     * Changes the network sensor's filter while it runs (a rule reload); without the network sensor,
     * the setting it starts with when attached later. One word in the kernel: each event sees the
     * old setting or the new one.
     */
    public synchronized void updateNetInterest(NetInterest interest) {
        netInterest = interest;
        BpfObject net = objects.get(Sensor.NET);
        if (net != null && !closed && !stuck) {
            NetFilterMap.apply(net, interest);
        }
    }

    /** Socket events the net filter kept in the kernel (intended: no rule can match them); 0 once closed. */
    public synchronized long netEventsFiltered() {
        BpfObject net = objects.get(Sensor.NET);
        return closed || net == null || !net.isLoaded() ? 0 : NetFilterMap.skipped(net);
    }

    /**
     * Forgets which datagram destinations each process was reported for (net.bpf.c: dest_seen, a
     * UDP send's implicit connect is reported once per process and destination), so that new rules
     * (a rule reload) see each destination again; nothing happens without the net sensor.
     */
    public synchronized void forgetReportedDestinations() {
        BpfObject net = objects.get(Sensor.NET);
        if (net != null && !closed && !stuck && net.isLoaded()) {
            BpfMap seen = net.map("dest_seen");
            seen.keys().forEach(seen::delete);
        }
    }

    /**
     * sendmmsg messages whose destination was not reported: past the first 32 messages of a call, or
     * a destination past its first 8 distinct ones (net.bpf.c: mmsg_unreported); 0 without the net sensor.
     */
    public synchronized long unreportedDatagramDestinations() {
        BpfObject net = objects.get(Sensor.NET);
        return closed || net == null || !net.isLoaded() ? 0 : net.map("mmsg_unreported").sumPerCpuU64(0);
    }

    /** Successful read-only opens the read filter kept in the kernel (intended: no rule reads them). */
    public synchronized long readsFiltered() {
        BpfObject file = objects.get(Sensor.FILE);
        if (closed || file == null || !file.isLoaded()) {
            return finalReadsFiltered;
        }
        return ReadFilterMaps.skipped(file);
    }

    /** Forced reader wake-ups the sensors' programs sent (common.bpf.h: wakeup_flags); 0 once closed. */
    public synchronized long forcedWakeups() {
        return closed || forcedWakeups == null ? 0 : forcedWakeups.sumPerCpuU64(0);
    }

    /**
     * The identity watch's work for containers and first moments: containers' files looked at, the
     * time those looks took on their own thread (what the decoding thread spent on them inline
     * before), looks refused (queue full: a container's next exec tries again); opens of files of
     * several names named late by user space, dropped (nothing watched, the kernel's filters would
     * have kept them), and judged without their namespace's look (too many held at once, or held past UnnamedOpens.MAX_HOLD_NANOS).
     */
    public record IdentityWatchStats(long looks, long lookNanos, long looksRefused, long opensNamedLate, long opensDropped,
                                     long opensNotHeld) {}

    public IdentityWatchStats identityWatchStats() {
        ContainerWatchedInodes.Stats looks = containerFiles.stats();
        UnnamedOpens.Stats opens = unnamedOpens.stats();
        return new IdentityWatchStats(looks.scans(), looks.scanNanos(), looks.refused(), opens.named(), opens.dropped(),
                opens.overflowed());
    }

    /**
     * Path calls named through the task's root ({@link PathCallResolution}): walks done; directories
     * named from a walk of the same task's a moment before (reused); walks not done because the
     * second's budget was spent, the root is on a mount unsafe to walk (FUSE, network, procfs), the
     * walk was late (timeouts) or its namespace had a late one still stuck (stalled); walks given up
     * past the symlink or component limits; containers' root stats late; path calls with no task left
     * to walk through (taskGone), no readable mount table, a path the kernel could not make absolute
     * (unwalkable), or whose naming failed (errors). Each left the caller's text as given.
     */
    public record PathResolutionStats(long walks, long reused, long overBudget, long unsafeRoots, long timeouts, long stalled,
                                      long limits, long containerRootTimeouts, long taskGone, long noMountTable,
                                      long unwalkable, long errors) {}

    /** The file-capability looks after xattr calls not made (late, skipped behind a late one, unsafe mount). */
    public RealFileCapabilities.Stats fileCapabilityLooks() {
        return fileCaps.stats();
    }

    public PathResolutionStats pathResolutionStats() {
        return new PathResolutionStats(paths.walks(), paths.recentHits(), paths.overBudget(), paths.unsafeRoots(),
                paths.walkTimeouts(), paths.walksStalled(), paths.walkLimits(), containerFiles.stats().rootTimeouts(),
                paths.taskGone(), paths.noMountTable(), paths.unwalkable(), paths.errors());
    }

    /** Events delivered without a container identity (not the host's, yet nothing named a container). */
    public long unresolvedEvents() {
        return containers.unresolvedEvents();
    }

    /** The sensors this stream loaded (at start or later; attached or not: see {@link #attached}). */
    public synchronized java.util.Set<Sensor> sensors() {
        return objects.isEmpty() ? java.util.Set.of() : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(objects.keySet()));
    }

    /**
     * Where the host reaches the root directory the last exec in a container's mount namespace (by
     * id) ran in: its files after its processes are gone. Empty for the host's, a namespace with no
     * exec seen, or a root whose file system the host no longer mounts.
     */
    public Optional<java.nio.file.Path> execRootOnHost(long mntnsId) {
        return execRoots.onHost(mntnsId);
    }

    /** Container attribution: what was seen, and how many events could not be attributed. */
    public ContainerAttribution containers() {
        return containers;
    }

    /** Hooks left out because this kernel lacks them, as "sensor:section". */
    public List<String> skippedHooks() {
        return Collections.unmodifiableList(skippedHooks);
    }

    /** The first record that could not be decoded, for diagnosis; null when none. */
    public Throwable firstDecodeError() {
        return firstDecodeError;
    }

    /**
     * The name the identity watch gives opens of the file at {@code file} (an absolute host path; a
     * container's file through /proc/PID/root): what a hard link made to a watched file leads to
     * once its event is taken in. Empty when not watched, or without the file sensor.
     */
    public synchronized Optional<String> identityWatchName(java.nio.file.Path file) {
        BpfObject o = objects.get(Sensor.FILE);
        return o == null || closed ? Optional.empty() : WatchedInodes.watchedName(o, file);
    }

    /** The loaded object of a sensor, for components that read its maps (e.g. the learner). */
    public synchronized BpfObject object(Sensor sensor) {
        BpfObject o = objects.get(sensor);
        if (o == null) {
            throw new IllegalArgumentException("sensor " + sensor + " is not loaded");
        }
        return o;
    }

    /**
     * Stops delivering events (the poller ends; loss counters are read one last time) but leaves
     * the programs attached. Detaching is slow — each tracepoint waits for an RCU grace period in
     * the kernel, about 60 ms here, so seconds for all — so a command can report and flush first
     * and {@link #close} after.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        running = false;
        if (poller != null) {
            ring.wakeUp();
            try {
                poller.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (poller.isAlive()) {
                // A subscriber is stuck inside the ring-buffer callback: freeing the ring or the
                // objects now would crash the JVM under it. Leave them to process exit.
                LOG.log(System.Logger.Level.ERROR, "an event subscriber did not return within 10 s: "
                        + "sensors stay attached until the process exits");
                dispatcher.clear();
                stuck = true;
                return;
            }
        }
        try {
            finalLost = Map.copyOf(readLossCounters());
            finalReadsFiltered = readsFiltered();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not read loss counters: " + e.getMessage());
        }
    }

    /** Stops, then detaches every program and frees the maps: nothing of ours is left in the kernel. */
    @Override
    public synchronized void close() {
        close(false);
    }

    /**
     * Like {@link #close()}, for a command about to return control: the sensors are switched off
     * at once (every program returns at its first check), and the syscall tracepoints, whose
     * detaching takes seconds, are left to a kernel worker that detaches them within seconds,
     * also after this process exits ({@link BpfObject#closeInBackground}).
     *
     * @return how many links were left to the kernel
     */
    public synchronized int closeInBackground() {
        return close(true);
    }

    private int close(boolean background) {
        if (closed) {
            return 0;
        }
        stop();
        if (stuck) {
            return 0;
        }
        closed = true;
        containers.close();
        containerFiles.close();  // before the maps it writes are freed
        int left = 0;
        if (compat != null) {
            compat.close(); // first: no 32-bit call is handed to a sensor being closed
        }
        if (uring != null) {
            uring.close(); // likewise for ring requests
        }
        for (BpfObject o : objects.values()) {
            if (background) {
                disable(o);
                left += o.closeInBackground();
            } else {
                o.close();
            }
        }
        if (shared != null) {
            shared.close(); // after the sensors: the ring buffer on its map is closed by now
        }
        dispatcher.clear();
        return left;
    }

    /** The programs' shared filter turned off: each returns before doing any work. */
    private static void disable(BpfObject o) {
        try {
            if (o.isLoaded()) {
                o.map("settings").update(SettingsCodec.key0(), SettingsCodec.off().encode());
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not switch off " + o.name() + ": " + e.getMessage());
        }
    }
}
