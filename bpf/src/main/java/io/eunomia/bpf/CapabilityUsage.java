package io.eunomia.bpf;

import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.abi.Capability;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the capability sensor accumulates in the kernel, for the learner: per mount namespace,
 * the capabilities checked and granted and those checked and denied (map "cap_usage"; every
 * check counts, including the ones the event stream folds), by tasks that run a file of their own
 * namespace: a container runtime setting the container up (runc/crun init, whose binary lies
 * outside) is left out, since its checks say nothing about the workload. Also the live knob of the sensor's
 * in-kernel deduplication.
 *
 * <p>Entries are keyed by the namespace's id, which is never reused (its number is, at once on a
 * busy host); the by-number views take the newest namespace with that number. The kernel map
 * keeps at most 8192 namespaces and then drops the least recently active.
 */
public final class CapabilityUsage {
    /** Default of the kernel's report interval: one record per process, capability and outcome per second. */
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(1);

    private static final int USAGE_VALUE_SIZE = 32;

    /**
     * Capabilities checked in one mount namespace.
     *
     * @param mntnsId the namespace's id (never reused; the map's key), or its number on kernels without ids
     * @param mntns   the namespace's number
     * @param firstNanos its first check (CLOCK_MONOTONIC): the newest namespace with a number has the latest
     */
    public record Usage(Set<Capability> granted, Set<Capability> denied, long mntnsId, long mntns, long firstNanos) {
        public Usage {
            granted = Set.copyOf(granted);
            denied = Set.copyOf(denied);
        }
    }

    private final BpfMap usage;
    private final BpfMap tuning;
    /** [0] entries the program made, [1] entries deleted here: the rest of what is gone was evicted. */
    private final BpfMap counts;

    private CapabilityUsage(BpfObject capObject) {
        this.usage = capObject.map("cap_usage");
        this.tuning = capObject.map("cap_tuning");
        this.counts = capObject.map("cap_usage_counts");
        if (usage.valueSize() != USAGE_VALUE_SIZE) {
            throw new IllegalStateException("cap_usage values are " + usage.valueSize() + " bytes, this reader expects "
                    + USAGE_VALUE_SIZE + " (struct cap_usage of events.h): cap.bpf.o and the jar do not match");
        }
    }

    /**
     * @throws IllegalArgumentException when the stream was started without {@link Sensor#CAP}
     */
    public static CapabilityUsage of(KernelSensors sensors) {
        return new CapabilityUsage(sensors.object(Sensor.CAP));
    }

    /** Sets the kernel map defaults right after load (the sensor's configurer). */
    static void configure(BpfObject object, SensorOptions options) {
        new CapabilityUsage(object).setReportInterval(DEFAULT_REPORT_INTERVAL);
    }

    /** Every namespace's usage, by namespace id (the key: numbers are reused). */
    public Map<Long, Usage> byNamespaceId() {
        Map<Long, Usage> out = new HashMap<>();
        for (byte[] key : usage.keys()) {
            read(key).ifPresent(u -> out.put(u.mntnsId(), u));
        }
        return out;
    }

    /**
     * Every namespace's usage by number; where several namespaces had the number (a reused one),
     * the newest's.
     */
    public Map<Long, Usage> snapshot() {
        Map<Long, Usage> out = new HashMap<>();
        for (Usage u : byNamespaceId().values()) {
            out.merge(u.mntns(), u, (a, b) -> a.firstNanos() >= b.firstNanos() ? a : b);
        }
        return out;
    }

    /** Capabilities granted per mount namespace (namespaces with none granted are left out). */
    public Map<Long, EnumSet<Capability>> granted() {
        Map<Long, EnumSet<Capability>> out = new HashMap<>();
        snapshot().forEach((ns, u) -> {
            if (!u.granted().isEmpty()) {
                out.put(ns, EnumSet.copyOf(u.granted()));
            }
        });
        return out;
    }

    /** Capabilities denied per mount namespace (namespaces with none denied are left out). */
    public Map<Long, EnumSet<Capability>> denied() {
        Map<Long, EnumSet<Capability>> out = new HashMap<>();
        snapshot().forEach((ns, u) -> {
            if (!u.denied().isEmpty()) {
                out.put(ns, EnumSet.copyOf(u.denied()));
            }
        });
        return out;
    }

    /** The usage of the newest namespace with this number, empty when no check was seen there. */
    public Optional<Usage> of(long mntns) {
        return Optional.ofNullable(snapshot().get(mntns));
    }

    /** One namespace's usage by its id, empty when no check was seen there. */
    public Optional<Usage> ofNamespaceId(long id) {
        return read(key(id));
    }

    /** Drops a namespace's usage by its id. */
    public boolean forgetNamespaceId(long id) {
        return deleted(usage.delete(key(id)));
    }

    /** Counts a deletion in the kernel's cap_usage_counts[1], so that every reader sees it. */
    private boolean deleted(boolean done) {
        if (done) {
            synchronized (CapabilityUsage.class) {
                counts.update(index(1), u64(count(1) + 1));
            }
        }
        return done;
    }

    private long count(int i) {
        return counts.lookup(index(i)).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong()).orElse(0L);
    }

    private static byte[] index(int i) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(i).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    /**
     * Namespaces whose usage the full map evicted (least recently active first) since the sensor
     * loaded: entries made minus those deleted minus those present. A count, not a list: which
     * namespaces lost checks made since they were last read is not known.
     */
    public long evicted() {
        long made = count(0);
        long deleted = count(1);
        return Math.max(0, made - deleted - namespaceCount());
    }

    /** Namespaces with an entry now. */
    public int namespaceCount() {
        return usage.keys().size();
    }

    /** Namespaces the usage map can hold (it drops the least recently active past that). */
    public int capacity() {
        return usage.maxEntries();
    }

    /** Drops the usage of every namespace with this number. */
    public boolean forget(long mntns) {
        boolean any = false;
        for (Usage u : byNamespaceId().values()) {
            if (u.mntns() == mntns) {
                any |= deleted(usage.delete(key(u.mntnsId())));
            }
        }
        return any;
    }

    /**
     * How often a process may report the same capability with the same outcome again; the
     * first check is always reported at once. {@link Duration#ZERO} reports every check (costly:
     * the kernel checks capabilities thousands of times per second on a busy host).
     */
    public void setReportInterval(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("report interval must not be negative: " + interval);
        }
        // 0 in the map means "the default" to the kernel, so "every check" is 1 ns.
        long nanos = Math.max(1, interval.toNanos());
        tuning.update(new byte[4], le(new byte[8]).putLong(0, nanos).array());
    }

    public Duration reportInterval() {
        long nanos = tuning.lookup(new byte[4]).map(v -> le(v).getLong(0)).orElse(0L);
        return nanos == 0 ? DEFAULT_REPORT_INTERVAL : nanos == 1 ? Duration.ZERO : Duration.ofNanos(nanos);
    }

    private Optional<Usage> read(byte[] key) {
        return usage.lookup(key).map(v -> {
            ByteBuffer b = le(v);
            return new Usage(bits(b.getLong(0)), bits(b.getLong(8)), le(key).getLong(0), b.getLong(16), b.getLong(24));
        });
    }

    private static EnumSet<Capability> bits(long mask) {
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (long m = mask; m != 0; m &= m - 1) {
            // Bits beyond what this build knows (a newer kernel's capabilities) have no name to go to.
            Capability.of(Long.numberOfTrailingZeros(m)).ifPresent(set::add);
        }
        return set;
    }

    private static byte[] key(long namespaceId) {
        return le(new byte[8]).putLong(0, namespaceId).array();
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }
}
