package io.eunomia.bpf;

import io.eunomia.bpf.container.CgroupControllers;
import io.eunomia.bpf.container.ContainerAttribution;
import io.eunomia.bpf.container.ContainerResolver;
import io.eunomia.bpf.paths.PathCallResolution;
import io.eunomia.bpf.paths.TaskRoot;
import io.eunomia.bpf.paths.RealFileCapabilities;
import io.eunomia.bpf.process.ProcessEnrichment;
import io.eunomia.bpf.container.Namespaces;
import io.eunomia.bpf.internal.CallDispatchers;
import io.eunomia.bpf.internal.CompatDispatch;
import io.eunomia.bpf.internal.UringDispatch;
import io.eunomia.bpf.internal.Dispatcher;
import io.eunomia.bpf.internal.FileRecords;
import io.eunomia.bpf.internal.Header;
import io.eunomia.bpf.internal.LossCounters;
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
import io.eunomia.event.NetInterest;
import io.eunomia.event.StreamStats;
import io.eunomia.libbpf.BpfException;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The live event stream from the kernel: loads the selected sensors, attaches them, and
 * delivers decoded events on one poller thread ("eunomia-sensors") that reads every sensor's ring
 * buffer: decode ({@code internal.*Records}, pure) → container attribution
 * ({@link ContainerAttribution}) → subscribers. {@link #close()} detaches and unloads everything.
 * Composes the stages, runs the poller and owns the stream's life; loading is {@link SensorLoader}'s
 * job, attaching {@link SensorAttachments}', the kernel filters {@link FilterControls}', the identity
 * watch {@link IdentityWatch}'s and the loss counters {@link LossCounters}'.
 */
public final class KernelSensors implements EventStream {
    private static final System.Logger LOG = System.getLogger(KernelSensors.class.getName());
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
    /**
     * Whether the poller takes records in rounds (common.bpf.h: reader_in_rounds): no program
     * forces a wake-up then. Written by the poller alone, when it changes.
     */
    private io.eunomia.libbpf.MappedArray readerInRounds;
    private boolean inRounds;
    /** The process sensor's losses the attribution stage was told of. Poller thread only. */
    private long processLossesSeen;
    /** The 32-bit call and io_uring dispatchers the sensors plug into. */
    private final CallDispatchers callDispatchers = new CallDispatchers();
    private final SensorAttachments attachments = new SensorAttachments(callDispatchers);
    /** The loaded sensors' objects (a live view of {@link #attachments}'); the poller reads the file sensor's. */
    private final Map<Sensor, BpfObject> objects = attachments.objects();
    /** Read by the poller, added to when a sensor is loaded at run time ({@link #attach}). */
    private final Map<Integer, RecordDecoder> decoders = new java.util.concurrent.ConcurrentHashMap<>();
    /** Whether 32-bit calls are watched here (options.compat32() for this kernel), decided once at start. */
    private final Compat32Watch compat32;
    /** Whether the programs name btrfs files by their subvolume's device, decided before they load. */
    private final BtrfsDevices btrfs;
    private SensorLoader loader;
    private final SideChannels sideChannels = new SideChannels();
    private final Dispatcher dispatcher;
    private final ProcessEnrichment processes;
    private final AtomicLong decodeErrors = new AtomicLong();
    private volatile Throwable firstDecodeError;
    /** User-space rest of the sensors' kernel filters (SensorConfigurer.eventFilter); set before polling. */
    private volatile Predicate<Event> accept = e -> true;
    private RingBuffer ring;
    private Thread poller;
    private volatile boolean running;
    private final FilterControls filters;
    private final LossCounters losses = new LossCounters(objects);
    private boolean closed;
    private boolean stopped;
    /** The poller did not end: nothing may be freed under it. */
    private boolean stuck;
    /** Path calls named through the task's root (bind mounts, symlinked directories); the poller's. */
    private final PathCallResolution paths = new PathCallResolution();
    private final RealFileCapabilities fileCaps;
    /** The identity watch of containers' own files (written from the decoding thread). */
    private final ContainerWatchedInodes containerFiles;
    private final IdentityWatch identity;
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
        this.compat32 = Compat32Watch.decide(options.compat32());
        phases.mark("32-bit call decision");
        this.btrfs = BtrfsDevices.probe();
        this.clock = clock;
        this.hostMntns = Namespaces.hostMountNamespace();
        this.v1Controller = CgroupControllers.watchedV1();
        String controller = v1Controller.map(CgroupControllers.Controller::name).orElse("");
        this.namespaceRecords = new NamespaceRecords(controller);
        this.dispatcher = new Dispatcher();
        // Process facts (ancestors, cwd, user names ...) are added after the container is known.
        this.execRoots = new ExecRoots(hostMntns);
        this.processes = new ProcessEnrichment(dispatcher::deliver, paths.mountTables(), execRoots::root).seed();
        phases.mark("process table seed");
        this.containers = new ContainerAttribution(new ContainerResolver(options.containers(), controller),
                hostMntns, processes, this::forgetNamespace);
        this.containerFiles = new ContainerWatchedInodes(hostMntns);
        this.identity = new IdentityWatch(containerFiles, () -> readable(Sensor.FILE), this::linkTaken, options.readPrefixes());
        this.filters = new FilterControls(this::readable, this::writable, identity, options.netInterest(), options.missPrefixes(),
                options.timesPrefixes());
        this.fileCaps = new RealFileCapabilities(hostMntns, execRoots::onHost, paths);
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
     * (the verifier) and fill their maps in parallel ({@link SensorLoader}), then attach one after
     * the other in {@link Sensor}'s order: a failure is the first failing sensor's in that order,
     * whichever finished first.
     */
    private void loadAll() {
        List<Sensor> order = List.copyOf(options.sensors()); // Sensor's order: SensorOptions keeps an EnumSet
        shared = SharedMaps.create(options.ringBufferBytes());
        readerInRounds = shared.readerInRounds();
        if (compat32.watched() && order.stream().anyMatch(s -> CompatDispatch.hasSlot(s.objectName()))) {
            callDispatchers.loadCompat(); // its program arrays must exist before those sensors load
        }
        phases.mark("shared maps" + (callDispatchers.compatLoaded() ? " and 32-bit call dispatcher" : ""));
        loader = new SensorLoader(options, shared, compat32, callDispatchers, hostMntns, v1Controller);
        List<SensorLoader.Loaded> loaded = loader.loadInParallel(order, filters.netInterest(), identity.readPrefixes());
        phases.mark("sensors opened, loaded and configured (in parallel)");
        try {
            for (int i = 0; i < loaded.size(); i++) {
                install(loaded.get(i));
            }
        } finally {
            loaded.forEach(attachments::keepForClose); // close() frees those not installed
        }
        ring = RingBuffer.open(shared.events(), this::onRecord);
        sideChannels.open(ring, objects);
    }

    /** The side channel of a loaded sensor's ring (e.g. enforcement's exec notes of namespaces not yet classified). */
    SideChannel sideChannel(String ring) {
        return sideChannels.get(ring);
    }

    /**
     * A loaded sensor joins the stream (on the starting thread, in Sensor's order): its user-space
     * filter, its decoders (before its first record can come), then its programs are attached.
     */
    private void install(SensorLoader.Loaded l) {
        Sensor sensor = l.sensor();
        attachments.add(l);
        accept = accept.and(sensor.configurer().eventFilter(options.withNetInterest(filters.netInterest())));
        // Before attaching: the looks run on their own thread, and a container's opens of files of
        // several names wait for its look (UnnamedOpens), so its first opens are judged with its files.
        if (sensor == Sensor.FILE) {
            filters.configureFileFilters(l.object());
            identity.scanContainers(l.object());
            phases.mark(sensor.objectName() + ": running containers' watched files");
        }
        decoders.putAll(sensor.decoders());
        attachments.attachFirst(l);
        phases.mark(sensor.objectName() + ": attach");
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
        if (!objects.containsKey(sensor)) {
            if (!sensor.sideRings().isEmpty()) {
                throw new IllegalStateException("the " + sensor.objectName() + " sensor is loaded at start only");
            }
            try {
                install(loader.openAndLoad(sensor, filters.netInterest(), identity.readPrefixes()));   // on the caller's thread
            } catch (RuntimeException e) {
                attachments.forget(sensor);
                throw e;
            }
            return true;
        }
        if (attachments.isAttached(sensor)) {
            return false;
        }
        attachments.attach(sensor);
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
        return !closed && attachments.detach(sensor);
    }

    /** The sensors attached now (loaded and not detached). */
    public synchronized java.util.Set<Sensor> attached() {
        return attachments.attached();
    }

    /**
     * The programs on the 32-bit call path by "object:program" (the dispatcher's pair, attached to
     * every syscall, and the sensors' compat programs it tail-calls), with their fds: for per-program
     * run-time figures (bpf_stats) in the benchmarks.
     */
    public synchronized Map<String, Integer> compatProgramFds() {
        return callDispatchers.compatProgramFds(objects);
    }

    /** The 32-bit call dispatcher's object, once a sensor with compat programs was loaded (tests hand it calls). */
    synchronized Optional<BpfObject> compatDispatcher() {
        return callDispatchers.compatObject();
    }

    /** Whether 32-bit calls are watched, and why (for the start-up log and status). */
    public Compat32Watch compat32() {
        return compat32;
    }

    /** Whether files on btrfs are named by their subvolume's device in the kernel, and why (metrics). */
    public BtrfsDevices btrfsDevices() {
        return btrfs;
    }

    /** The io_uring dispatcher, once a sensor with ring handlers was attached (tests read its slots; benches its run time). */
    synchronized Optional<UringDispatch> uringDispatcher() {
        return callDispatchers.uring();
    }

    /**
     * The io_uring dispatcher's programs by "uring_dispatch:program", with their fds: a ring
     * request's whole BPF time at each tracepoint (the handlers it tail-calls count in its run time).
     */
    public synchronized Map<String, Integer> uringProgramFds() {
        return callDispatchers.uringProgramFds();
    }

    /** Whether the shared 32-bit call dispatcher is attached now (while a sensor with compat programs is). */
    public synchronized boolean compatDispatchAttached() {
        return callDispatchers.compatAttached();
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
                if (n > 0) {
                    processLosses();
                }
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

    /**
     * A lost fork or exit may leave a container's pid remembered after its process exited and the pid
     * went to another: the attribution stage forgets the pids it remembered. Checked after rounds that
     * took records (a ring full enough to lose some had records in it). Poller thread only.
     */
    private void processLosses() {
        long lost = losses.of(Sensor.PROCESS);
        if (lost != processLossesSeen) {
            processLossesSeen = lost;
            containers.processEventsLost();
        }
    }

    /** Tells the programs whether the poller is in rounds (common.bpf.h: wakeup_flags): a store, no system call; poller thread only. */
    private void setInRounds(boolean rounds) {
        if (rounds != inRounds) {
            readerInRounds.setIntVolatile(0, 0, rounds ? 1 : 0);
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
            Event decoded = d.decode(h, r);
            event = fileCaps.apply(paths.apply(decoded, decoded instanceof FileEvent ? FileRecords.root(r) : TaskRoot.UNKNOWN));
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

    /** The identity watch learns what a rename, a hard link or a container's first exec changed ({@link IdentityWatch#refresh}). */
    private void refreshWatchedInodes(Event event, Optional<ProcessRecords.Root> root) {
        identity.refresh(event, root);
    }

    /**
     * One more reported link is in the identity watch: the kernel is told (file.bpf.c, link_counts),
     * and {@link #onRecord} sees the record's link was taken in.
     */
    private void linkTaken() {
        linksTaken++;
        identity.linksTaken(linksTaken);
    }

    /** The attribution stage forgot a namespace: its next event must describe it again. */
    private void forgetNamespace(long key) {
        if (shared != null && !closed) {
            shared.forgetNamespace(key);
        }
    }

    /** A loaded sensor's object while its maps may be read: null when not loaded or once closed. */
    private BpfObject readable(Sensor sensor) {
        return closed ? null : objects.get(sensor);
    }

    /** A loaded sensor's object while its maps may be written: also null while a stuck poller may still use them. */
    private BpfObject writable(Sensor sensor) {
        return closed || stuck ? null : objects.get(sensor);
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
            return losses.atStop();
        }
        return losses.read();
    }

    /**
     * Of {@link #lostBySensor()}, the records shed as the ring filled, by sensor and why ("flood": past
     * their process's budget with the ring over 3/4 full; "reserve": not vital in its last eighth):
     * the kernel's ranking of what a full ring loses first (common.bpf.h: ring_shed).
     */
    public synchronized Map<String, Map<String, Long>> shedBySensor() {
        if (closed || (stopped && !stuck)) {
            return losses.shedAtStop();
        }
        return losses.shed();
    }

    /**
     * Of {@link #lostBySensor()}, the events lost because a call's state kept from its enter to its
     * exit was evicted from its map first (more threads inside watched calls at once than the map
     * holds: see {@link SensorOptions#mapEntries()}, {@code pending_args}); empty once closed.
     */
    public synchronized Map<String, Long> evictedBySensor() {
        return closed ? new LinkedHashMap<>() : losses.evicted();
    }

    /**
     * Changes the file sensor's read filter while it runs (a rule reload): absent = off. The change
     * goes wider first (see {@link SensorOptions#readPrefixes()}); nothing happens without the file
     * sensor.
     *
     * @throws IllegalArgumentException for prefixes the filter cannot hold (the old setting stays)
     */
    public synchronized void updateReadPrefixes(Optional<List<String>> prefixes) {
        filters.updateReadPrefixes(prefixes);
    }

    /**
     * Changes the file sensor's miss filter while it runs (a rule reload): absent = off; see
     * {@link SensorOptions#missPrefixes()}. Reports every failed open while it changes; without the
     * file sensor, the setting it starts with when attached later.
     *
     * @throws IllegalArgumentException for prefixes the filter cannot hold (the old setting stays)
     */
    public synchronized void updateMissPrefixes(Optional<List<String>> prefixes) {
        filters.updateMissPrefixes(prefixes);
    }

    /**
     * Changes the file sensor's times filter while it runs (a rule reload): absent = off; see
     * {@link SensorOptions#timesPrefixes()}. Reports every explicit-times call while it changes; without
     * the file sensor, the setting it starts with when attached later.
     *
     * @throws IllegalArgumentException for prefixes the filter cannot hold (the old setting stays)
     */
    public synchronized void updateTimesPrefixes(Optional<List<String>> prefixes) {
        filters.updateTimesPrefixes(prefixes);
    }

    /**
     * Changes the network sensor's filter while it runs (a rule reload); without the network sensor,
     * the setting it starts with when attached later. One word in the kernel: each event sees the
     * old setting or the new one.
     */
    public synchronized void updateNetInterest(NetInterest interest) {
        filters.updateNetInterest(interest);
    }

    /** Socket events the net filter kept in the kernel (intended: no rule can match them); 0 once closed. */
    public synchronized long netEventsFiltered() {
        return filters.netEventsFiltered();
    }

    /**
     * Forgets which datagram destinations each process was reported for (net.bpf.c: dest_seen, a
     * UDP send's implicit connect is reported once per process and destination), so that new rules
     * (a rule reload) see each destination again; nothing happens without the net sensor.
     */
    public synchronized void forgetReportedDestinations() {
        filters.forgetReportedDestinations();
    }

    /**
     * sendmmsg messages whose destination was not reported: past the first 32 messages of a call, or
     * a destination past its first 8 distinct ones (net.bpf.c: mmsg_unreported); 0 without the net sensor.
     */
    public synchronized long unreportedDatagramDestinations() {
        return filters.unreportedDatagramDestinations();
    }

    /** Successful read-only opens the read filter kept in the kernel (intended: no rule reads them). */
    public synchronized long readsFiltered() {
        return filters.readsFiltered();
    }

    /** Read-only opens of missing files the miss filter kept in the kernel (intended: no rule can match them). */
    public synchronized long missesFiltered() {
        return filters.missesFiltered();
    }

    /** Explicit-times calls the times filter kept in the kernel (intended: no rule can match them). */
    public synchronized long timesFiltered() {
        return filters.timesFiltered();
    }

    /** Forced reader wake-ups the sensors' programs sent (common.bpf.h: wakeup_flags); 0 once closed. */
    public synchronized long forcedWakeups() {
        return closed || shared == null ? 0 : shared.forcedWakeups().sumPerCpuU64(0);
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
     * (unwalkable), or whose naming failed (errors). Each left the caller's text as given. Path calls
     * whose task and parent were gone, named through another process of their namespace with the
     * task's root (standIns: the host's init, a container's live process, a chrooted task's fellow in
     * its chroot); left as given when none had the task's root (otherRoot: a chroot of its own).
     */
    public record PathResolutionStats(long walks, long reused, long overBudget, long unsafeRoots, long timeouts, long stalled,
                                      long limits, long containerRootTimeouts, long taskGone, long noMountTable,
                                      long unwalkable, long errors, long standIns, long otherRoot) {}

    /** The file-capability looks after xattr calls not made (late, skipped behind a late one, unsafe mount). */
    public RealFileCapabilities.Stats fileCapabilityLooks() {
        return fileCaps.stats();
    }

    public PathResolutionStats pathResolutionStats() {
        return new PathResolutionStats(paths.walks(), paths.recentHits(), paths.overBudget(), paths.unsafeRoots(),
                paths.walkTimeouts(), paths.walksStalled(), paths.walkLimits(), containerFiles.stats().rootTimeouts(),
                paths.taskGone(), paths.noMountTable(), paths.unwalkable(), paths.errors(), paths.standIns(), paths.otherRoot());
    }

    /** Path calls of a gone task whose pass over /proc for a stand-in was late: the text kept (also task_gone). */
    public long standInsLate() {
        return paths.standInsLate();
    }

    /** Processes whose root a look for a chrooted gone task's stand-in left unread: its pass had read its bound. */
    public long standInRootsUnread() {
        return paths.standInRootsUnread();
    }

    /**
     * Decoded file paths and exec'd programs: served from the text cache (hits), decoded and kept
     * (misses), kept ones replaced in their slot (evictions), too long to keep (uncached).
     */
    public record TextCacheStats(long hits, long misses, long evictions, long uncached) {}

    public TextCacheStats pathTexts() {
        return new TextCacheStats(FileRecords.PATHS.hits(), FileRecords.PATHS.misses(), FileRecords.PATHS.evictions(),
                FileRecords.PATHS.uncached());
    }

    /** Container namespaces whose root at a mount-table read was forgotten because more were seen (each costs a read). */
    public long containerRootsForgotten() {
        return processes.rootsForgotten();
    }

    /**
     * Processes the process table forgot because it was full, not because they exited: their later
     * events lose ancestry and credentials known at exec.
     */
    public long processesEvicted() {
        return processes.evicted();
    }

    /** Events delivered without a container identity (not the host's, yet nothing named a container). */
    public long unresolvedEvents() {
        return containers.unresolvedEvents();
    }

    /** The sensors this stream loaded (at start or later; attached or not: see {@link #attached}). */
    public synchronized java.util.Set<Sensor> sensors() {
        return attachments.loaded();
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
        return attachments.skippedHooks();
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
        return identity.watchedName(file);
    }

    /** The loaded object of a sensor, for components that read its maps (e.g. the learner). */
    public synchronized BpfObject object(Sensor sensor) {
        return attachments.object(sensor);
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
            losses.freeze();
            filters.freeze();
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
        int left = attachments.close(background); // the dispatchers first, then the sensors
        if (shared != null) {
            shared.close(); // after the sensors: the ring buffer on its map is closed by now
        }
        dispatcher.clear();
        return left;
    }
}
