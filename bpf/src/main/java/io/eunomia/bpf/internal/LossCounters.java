package io.eunomia.bpf.internal;

import io.eunomia.bpf.Sensor;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What each loaded sensor could not deliver, from its in-kernel "drops" map (common.bpf.h; libbpf
 * 1.1 has no ring_buffer__lost_count), by sensor object name. Not thread-safe: KernelSensors serialises.
 */
public final class LossCounters {
    /** The drops map's slot for events lost because a call's enter-to-exit state was evicted (common.bpf.h). */
    private static final int DROP_EVICTED = 2;
    /** The slots of records shed by rank while the ring filled (common.bpf.h: ring_shed), by why. */
    private static final Map<String, Integer> SHED = Map.of("flood", 3, "reserve", 4);

    private final Map<Sensor, BpfObject> objects;
    private Map<String, Long> atStop = Map.of();
    private Map<String, Map<String, Long>> shedAtStop = Map.of();

    /** {@code objects}: the loaded sensors, a live view. */
    public LossCounters(Map<Sensor, BpfObject> objects) {
        this.objects = objects;
    }

    /** Every reason summed: ring buffer full, no scratch space, state evicted. */
    public Map<String, Long> read() {
        Map<String, Long> lost = new LinkedHashMap<>();
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            if (e.getValue().isLoaded()) {
                lost.put(e.getKey().objectName(), of(e.getKey()));
            }
        }
        return lost;
    }

    /** One sensor's losses, every reason summed; 0 when it is not loaded. */
    public long of(Sensor sensor) {
        BpfObject o = objects.get(sensor);
        if (o == null || !o.isLoaded()) {
            return 0;
        }
        BpfMap drops = o.map("drops");
        long sum = 0;
        for (int reason = 0; reason < drops.maxEntries(); reason++) {
            sum += drops.sumPerCpuU64(reason);
        }
        return sum;
    }

    /** Of {@link #read}, the events lost because a call's state kept from its enter to its exit was evicted first. */
    public Map<String, Long> evicted() {
        Map<String, Long> evicted = new LinkedHashMap<>();
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            if (e.getValue().isLoaded()) {
                evicted.put(e.getKey().objectName(), e.getValue().map("drops").sumPerCpuU64(DROP_EVICTED));
            }
        }
        return evicted;
    }

    /**
     * Of {@link #read}, the records shed by rank (common.bpf.h: ring_shed) by sensor and why: "flood",
     * past their process's budget while the ring was over 3/4 full; "reserve", not vital while it was
     * in its last eighth. Empty for an object without those slots.
     */
    public Map<String, Map<String, Long>> shed() {
        Map<String, Map<String, Long>> shed = new LinkedHashMap<>();
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            if (e.getValue().isLoaded()) {
                BpfMap drops = e.getValue().map("drops");
                Map<String, Long> why = new LinkedHashMap<>();
                SHED.forEach((name, slot) -> {
                    if (slot < drops.maxEntries()) {
                        why.put(name, drops.sumPerCpuU64(slot));
                    }
                });
                shed.put(e.getKey().objectName(), why);
            }
        }
        return shed;
    }

    /** Reads the counters one last time: once stopped nothing drains the rings, so their counters keep growing, not our losses. */
    public void freeze() {
        atStop = Map.copyOf(read());
        shedAtStop = Map.copyOf(shed());
    }

    /** The shed counters {@link #freeze} read; empty before. */
    public Map<String, Map<String, Long>> shedAtStop() {
        return shedAtStop;
    }

    /** The counters {@link #freeze} read; empty before. */
    public Map<String, Long> atStop() {
        return atStop;
    }
}
