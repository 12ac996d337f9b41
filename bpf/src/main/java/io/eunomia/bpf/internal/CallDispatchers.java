package io.eunomia.bpf.internal;

import io.eunomia.bpf.Sensor;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The two shared dispatchers sensors plug their tail-called programs into: the 32-bit call pair
 * ({@link CompatDispatch}, loaded before the sensors with compat programs: their program arrays are
 * its) and the io_uring one ({@link UringDispatch}, loaded with the first sensor that has ring
 * handlers). Not thread-safe: KernelSensors serialises.
 */
public final class CallDispatchers implements AutoCloseable {
    /** The programs that take 32-bit calls from the dispatcher (syscall.bpf.h: COMPAT_PROGRAMS), in the sensors that have them. */
    public static final List<String> COMPAT_PROGRAMS = List.of(CompatDispatch.ENTER, CompatDispatch.EXIT);

    private CompatDispatch compat;
    /** Each loaded sensor's dispatch slot, for those with compat programs loaded. */
    private final Map<Sensor, Integer> compatSlots = new EnumMap<>(Sensor.class);
    private UringDispatch uring;

    /** Whether a program is attached by its own section (not tail-called by a dispatcher). */
    public static boolean attachedDirectly(BpfProgram p) {
        return p.autoload() && !COMPAT_PROGRAMS.contains(p.name()) && !UringDispatch.isHandler(p);
    }

    /** Loads the 32-bit call dispatcher (not attached yet), once. */
    public void loadCompat() {
        if (compat == null) {
            compat = CompatDispatch.load();
        }
    }

    public boolean compatLoaded() {
        return compat != null;
    }

    /**
     * Before a sensor object with compat programs loads: its program arrays become the dispatcher's.
     * The dispatcher is loaded first when no sensor at start had compat programs (a sensor attached
     * at run time is the first): at start it is loaded before the parallel loads, so this never
     * loads it from two threads.
     */
    public void shareCompat(BpfObject sensor) {
        loadCompat();
        compat.share(sensor);
    }

    /** A loaded sensor's compat programs take this slot when it is attached. */
    public void addSlot(Sensor sensor, int slot) {
        compatSlots.put(sensor, slot);
    }

    /** A sensor being attached: its compat programs and ring handlers are plugged into their dispatchers. */
    public void plugIn(Sensor sensor, BpfObject obj) {
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
    }

    /** A sensor's ring handlers take no more requests. */
    public void unplugUring(Sensor sensor) {
        if (uring != null) {
            uring.unplug(sensor.objectName());
        }
    }

    /** A sensor detached: its programs take no more calls (its slot stays for when it is attached again). */
    public void unplug(Sensor sensor) {
        Integer slot = compatSlots.get(sensor);
        if (slot != null) {
            compat.unplug(slot);
        }
        unplugUring(sensor);
    }

    /** A sensor whose loading at run time failed: unplugged, and its slot forgotten. */
    public void forget(Sensor sensor) {
        Integer slot = compatSlots.remove(sensor);
        if (slot != null) {
            compat.unplug(slot);
        }
        unplugUring(sensor);
    }

    /**
     * The programs on the 32-bit call path by "object:program" (the dispatcher's pair, attached to
     * every syscall, and the sensors' compat programs it tail-calls), with their fds.
     */
    public Map<String, Integer> compatProgramFds(Map<Sensor, BpfObject> objects) {
        Map<String, Integer> fds = new LinkedHashMap<>();
        if (compat != null) {
            compat.object().programs().forEach((name, p) -> fds.put("compat32:" + name, p.fd()));
        }
        compatSlots.keySet().forEach(s -> COMPAT_PROGRAMS.forEach(name ->
                fds.put(s.objectName() + ":" + name, objects.get(s).program(name).fd())));
        return fds;
    }

    /** The io_uring dispatcher's programs by "uring_dispatch:program", with their fds. */
    public Map<String, Integer> uringProgramFds() {
        Map<String, Integer> fds = new LinkedHashMap<>();
        if (uring != null) {
            uring.object().programs().forEach((name, p) -> fds.put("uring_dispatch:" + name, p.fd()));
        }
        return fds;
    }

    public Optional<BpfObject> compatObject() {
        return compat == null ? Optional.empty() : Optional.of(compat.object());
    }

    public Optional<UringDispatch> uring() {
        return Optional.ofNullable(uring);
    }

    public boolean compatAttached() {
        return compat != null && compat.attached();
    }

    /** Before the sensors are closed: no call is handed to a sensor being closed. */
    @Override
    public void close() {
        if (compat != null) {
            compat.close();
        }
        if (uring != null) {
            uring.close();
        }
    }
}
