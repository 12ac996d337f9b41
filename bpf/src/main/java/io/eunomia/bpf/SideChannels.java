package io.eunomia.bpf;

import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.RingBuffer;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The side channels of the loaded sensors' own rings ({@link Sensor#sideRings}), by ring name. */
final class SideChannels {
    private static final int CAPACITY = 4096;

    private final Map<String, SideChannel> channels = new ConcurrentHashMap<>();

    /** Adds each loaded sensor's own rings to {@code ring}: its poller then reads them too. */
    void open(RingBuffer ring, Map<Sensor, BpfObject> objects) {
        for (Map.Entry<Sensor, BpfObject> e : objects.entrySet()) {
            for (var side : e.getKey().sideRings().entrySet()) {
                SideChannel channel = new SideChannel(new ArrayBlockingQueue<>(CAPACITY), side.getValue(), new AtomicLong());
                ring.add(e.getValue().map(side.getKey()), channel::offer);
                channels.put(side.getKey(), channel);
            }
        }
    }

    SideChannel get(String ring) {
        SideChannel c = channels.get(ring);
        if (c == null) {
            throw new IllegalArgumentException("no sensor with ring " + ring + " is loaded");
        }
        return c;
    }
}
