package io.eunomia.bpf;

import io.eunomia.bpf.internal.CallDispatchers;
import io.eunomia.bpf.internal.SettingsCodec;
import io.eunomia.libbpf.BpfLink;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loaded sensor objects and which of them are attached: their own programs by their sections,
 * their tail-called ones through the shared dispatchers. Not thread-safe: KernelSensors serialises
 * (the poller only reads {@link #objects}).
 */
final class SensorAttachments {
    private static final System.Logger LOG = System.getLogger(KernelSensors.class.getName());

    private final Map<Sensor, BpfObject> objects = new EnumMap<>(Sensor.class);
    /** Each sensor's attachments; empty while it is detached ({@link #detach}). */
    private final Map<Sensor, List<BpfLink>> links = new EnumMap<>(Sensor.class);
    private final List<String> skippedHooks = new ArrayList<>();
    private final CallDispatchers dispatchers;

    SensorAttachments(CallDispatchers dispatchers) {
        this.dispatchers = dispatchers;
    }

    /** The loaded objects by sensor, a live view. */
    Map<Sensor, BpfObject> objects() {
        return Collections.unmodifiableMap(objects);
    }

    /** A loaded sensor joins, not attached yet. */
    void add(SensorLoader.Loaded l) {
        objects.put(l.sensor(), l.object());
        skippedHooks.addAll(l.skippedHooks());
    }

    /** A sensor loaded but not installed (another failed first) is kept only to be closed with the others. */
    void keepForClose(SensorLoader.Loaded l) {
        objects.putIfAbsent(l.sensor(), l.object());
    }

    /** Attaches a sensor {@link #add}ed just now, with its compat programs' slot. */
    void attachFirst(SensorLoader.Loaded l) {
        l.compatSlot().ifPresent(s -> dispatchers.addSlot(l.sensor(), s));
        attach(l.sensor());
    }

    /** Attaches a loaded sensor: its programs by their sections, its compat programs and ring handlers through the dispatchers. */
    void attach(Sensor sensor) {
        BpfObject obj = objects.get(sensor);
        List<BpfLink> attached = new ArrayList<>();
        try {
            for (BpfProgram p : obj.programs().values()) {
                if (CallDispatchers.attachedDirectly(p)) {
                    attached.add(p.attach());
                }
            }
            dispatchers.plugIn(sensor, obj);
        } catch (RuntimeException e) {
            attached.forEach(BpfLink::close);
            dispatchers.unplugUring(sensor);
            throw e;
        }
        links.put(sensor, attached);
    }

    /** A sensor whose loading or attaching at run time failed: unplugged, and its object closed. */
    void forget(Sensor sensor) {
        BpfObject half = objects.remove(sensor);
        links.remove(sensor);
        dispatchers.forget(sensor);
        if (half != null) {
            half.close();
        }
    }

    /**
     * Detaches a sensor's programs; its maps stay, so {@link #attach} brings it back as it was.
     *
     * @return false when it was not attached
     */
    boolean detach(Sensor sensor) {
        List<BpfLink> current = links.getOrDefault(sensor, List.of());
        if (current.isEmpty()) {
            return false;
        }
        links.put(sensor, List.of());
        dispatchers.unplug(sensor);
        for (BpfLink l : current) {
            l.close();
        }
        return true;
    }

    boolean isAttached(Sensor sensor) {
        return !links.getOrDefault(sensor, List.of()).isEmpty();
    }

    Set<Sensor> attached() {
        Set<Sensor> out = EnumSet.noneOf(Sensor.class);
        links.forEach((s, l) -> {
            if (!l.isEmpty()) {
                out.add(s);
            }
        });
        return out;
    }

    Set<Sensor> loaded() {
        return objects.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(objects.keySet()));
    }

    BpfObject object(Sensor sensor) {
        BpfObject o = objects.get(sensor);
        if (o == null) {
            throw new IllegalArgumentException("sensor " + sensor + " is not loaded");
        }
        return o;
    }

    /** Hooks left out because this kernel lacks them, as "sensor:section". */
    List<String> skippedHooks() {
        return Collections.unmodifiableList(skippedHooks);
    }

    /**
     * Detaches every program and frees the objects, the dispatchers first; in the background: the
     * sensors are switched off at once and their links left to a kernel worker.
     *
     * @return how many links were left to the kernel
     */
    int close(boolean background) {
        int left = 0;
        dispatchers.close(); // first: no call is handed to a sensor being closed
        for (BpfObject o : objects.values()) {
            if (background) {
                disable(o);
                left += o.closeInBackground();
            } else {
                o.close();
            }
        }
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
