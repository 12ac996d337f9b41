package io.eunomia.bpf;

import io.eunomia.bpf.container.CgroupControllers;
import io.eunomia.bpf.internal.BpfResources;
import io.eunomia.bpf.internal.CallDispatchers;
import io.eunomia.bpf.internal.CompatDispatch;
import io.eunomia.bpf.internal.HostRoot;
import io.eunomia.bpf.internal.InParallel;
import io.eunomia.bpf.internal.MissingHooks;
import io.eunomia.bpf.internal.SettingsCodec;
import io.eunomia.bpf.internal.SharedMaps;
import io.eunomia.event.NetInterest;
import io.eunomia.libbpf.BpfObject;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Opens sensor objects, loads them into the shared maps (the verifier) and writes their settings;
 * attaches nothing. At start all sensors load in parallel, each on its own thread (libbpf keeps no
 * state shared between objects but idempotent feature probes; each object has its own verifier log
 * buffer).
 */
final class SensorLoader {
    /** Start-up steps are logged as KernelSensors' (debug level). */
    private static final System.Logger LOG = System.getLogger(KernelSensors.class.getName());
    /** How often a program forces a reader wake-up at most, per CPU (common.bpf.h: wakeup_flags); written into every sensor's settings. */
    private static final long WAKEUP_INTERVAL_NANOS = 1_000_000;

    /** A sensor loaded and its maps written, not attached yet; what it left out of this kernel. */
    record Loaded(Sensor sensor, BpfObject object, Optional<Integer> compatSlot, List<String> skippedHooks) {}

    private final SensorOptions options;
    private final SharedMaps shared;
    private final Compat32Watch compat32;
    private final CallDispatchers dispatchers;
    private final long hostMntns;
    /** The host's root directory, for the file sensor's host paths of containers' opens through bind mounts. */
    private final HostRoot hostRoot;
    private final Optional<CgroupControllers.Controller> v1Controller;

    SensorLoader(SensorOptions options, SharedMaps shared, Compat32Watch compat32, CallDispatchers dispatchers,
                 long hostMntns, Optional<CgroupControllers.Controller> v1Controller) {
        this.options = options;
        this.shared = shared;
        this.compat32 = compat32;
        this.dispatchers = dispatchers;
        this.hostMntns = hostMntns;
        this.hostRoot = hostMntns > 0 ? HostRoot.ofThisProcess() : HostRoot.UNKNOWN;
        this.v1Controller = v1Controller;
    }

    /**
     * Loads the sensors in parallel; when one fails, those loaded are closed and the first failing
     * sensor's error in {@code order} is thrown, whichever finished first.
     */
    List<Loaded> loadInParallel(List<Sensor> order, NetInterest netInterest, Optional<List<String>> readPrefixes) {
        List<InParallel.Task<Loaded>> tasks = order.stream()
                .map(s -> new InParallel.Task<>(s.objectName(), () -> openAndLoad(s, netInterest, readPrefixes))).toList();
        return InParallel.run(tasks, l -> l.object().close());
    }

    /**
     * Opens, loads (into the shared maps) and configures one sensor with the filters' settings now;
     * touches no state but the object's, so sensors load on threads of their own. The file sensor's
     * host files are listed on another thread meanwhile. Closes the object when it fails.
     */
    Loaded openAndLoad(Sensor sensor, NetInterest netInterest, Optional<List<String>> readPrefixes) {
        PhaseTimer phases = new PhaseTimer(LOG); // this thread's CPU time
        String sensorName = sensor.objectName();
        Supplier<WatchedInodes.HostFiles> hostFiles = sensor == Sensor.FILE
                ? InParallel.start("host-files", () -> WatchedInodes.listHost(readPrefixes)) : null;
        BpfObject obj = BpfObject.open(sensorName + ".bpf.o", BpfResources.read(sensor.resource()));
        try {
            phases.mark(sensorName + ": open");
            shared.share(obj);
            List<String> skipped = MissingHooks.disable(sensorName, obj);
            Optional<Integer> slot = CompatDispatch.slotOf(sensorName, obj);
            if (!compat32.watched()) {
                CallDispatchers.COMPAT_PROGRAMS.forEach(name ->
                        Optional.ofNullable(obj.programs().get(name)).ifPresent(p -> p.setAutoload(false)));
            } else if (slot.isPresent()) {
                dispatchers.shareCompat(obj);
            }
            options.mapEntries().forEach((name, n) -> obj.findMap(name).ifPresent(m -> m.setMaxEntries(n)));
            sensor.configurer().beforeLoad(obj, options);
            phases.mark(sensorName + ": set-up before load");
            obj.load();
            phases.mark(sensorName + ": load (verifier)");
            configure(sensor, obj, hostFiles, options.withNetInterest(netInterest));
            phases.mark(sensorName + ": configure maps");
            return new Loaded(sensor, obj, compat32.watched() ? slot : Optional.empty(), skipped);
        } catch (RuntimeException | Error e) {
            obj.close();
            throw e;
        }
    }

    /** The maps a sensor reads its settings from, written after load (hostFiles: the file sensor's, listed meanwhile). */
    private void configure(Sensor sensor, BpfObject obj, Supplier<WatchedInodes.HostFiles> hostFiles, SensorOptions now) {
        SettingsCodec settings = new SettingsCodec(true, (int) ProcessHandle.current().pid(), options.pid(),
                options.mntns(), WAKEUP_INTERVAL_NANOS, 0, Math.max(hostMntns, 0),
                v1Controller.map(CgroupControllers.Controller::subsysId).orElse(-1), hostRoot);
        obj.map("settings").update(SettingsCodec.key0(), settings.encode());
        if (hostFiles != null) {
            FileSensorConfigurer.configure(obj, now, hostFiles.get());
        } else {
            sensor.configurer().configure(obj, now);
        }
    }
}
