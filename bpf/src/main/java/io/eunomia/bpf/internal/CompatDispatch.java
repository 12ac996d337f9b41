package io.eunomia.bpf.internal;

import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one sys_enter/sys_exit pair that watches 32-bit calls for every sensor (compat32.bpf.c,
 * compat_dispatch.bpf.h). Native calls cost that pair only, however many sensors are loaded; a
 * 32-bit call is tail-called into the compat programs of the sensors plugged in, slot by slot. The
 * pair is attached while at least one sensor is plugged in, so sensors come and go independently.
 * Not thread-safe: the caller serialises (KernelSensors is synchronized).
 */
public final class CompatDispatch implements AutoCloseable {
    /** The programs of a sensor that take 32-bit calls (syscall.bpf.h: COMPAT_PROGRAMS); never attached directly. */
    public static final String ENTER = "compat_enter";
    public static final String EXIT = "compat_exit";
    private static final String ENTER_CALLS = "compat_enter_calls";
    private static final String EXIT_CALLS = "compat_exit_calls";
    /** Slots by sensor object, in compat_dispatch.bpf.h's order (COMPAT_SLOT_*). */
    private static final Map<String, Integer> SLOTS = Map.of("file", 0, "net", 1, "priv", 2, "process", 3);

    private final DispatcherObject dispatcher;
    private final Set<Integer> plugged = new TreeSet<>();

    private CompatDispatch(DispatcherObject dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** Loads the dispatcher (not attached yet): its program arrays must exist before the sensors load. */
    public static CompatDispatch load() {
        return new CompatDispatch(DispatcherObject.load("compat32.bpf.o"));
    }

    /** Whether a sensor may have compat programs (it has a dispatch slot): the dispatcher loads before such sensors do. */
    public static boolean hasSlot(String objectName) {
        return SLOTS.containsKey(objectName);
    }

    /** Whether a sensor object has compat programs to plug in (and which slot they take). */
    public static Optional<Integer> slotOf(String objectName, BpfObject obj) {
        if (!obj.programs().containsKey(ENTER) || !obj.programs().containsKey(EXIT)) {
            return Optional.empty();
        }
        Integer slot = SLOTS.get(objectName);
        if (slot == null) {
            throw new IllegalStateException(objectName + ".bpf.o has compat programs but no dispatch slot");
        }
        return Optional.of(slot);
    }

    /** Before a sensor object loads: its program arrays become the dispatcher's. */
    public void share(BpfObject sensor) {
        sensor.map(ENTER_CALLS).reuseFd(dispatcher.object().map(ENTER_CALLS).fd());
        sensor.map(EXIT_CALLS).reuseFd(dispatcher.object().map(EXIT_CALLS).fd());
    }

    /** A loaded sensor's compat programs take 32-bit calls from now on. */
    public void plugIn(int slot, BpfObject sensor) {
        plugged.add(slot); // first: a half-done plug-in is undone by unplug
        byte[] key = DispatcherObject.u32(slot);
        dispatcher.object().map(ENTER_CALLS).update(key, DispatcherObject.u32(sensor.program(ENTER).fd()));
        dispatcher.object().map(EXIT_CALLS).update(key, DispatcherObject.u32(sensor.program(EXIT).fd()));
        dispatcher.attach();
    }

    /** A sensor stops taking 32-bit calls; the pair is detached once no sensor is left. */
    public void unplug(int slot) {
        if (!plugged.remove(slot)) {
            return;
        }
        byte[] key = DispatcherObject.u32(slot);
        dispatcher.object().map(ENTER_CALLS).delete(key);
        dispatcher.object().map(EXIT_CALLS).delete(key);
        if (plugged.isEmpty()) {
            dispatcher.detach();
        }
    }

    /** Whether the dispatcher pair is attached now. */
    public boolean attached() {
        return dispatcher.attached();
    }

    /** The dispatcher's programs (for per-program run-time figures). */
    public BpfObject object() {
        return dispatcher.object();
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
