package io.eunomia.bpf;

import io.eunomia.abi.Capability;
import io.eunomia.bpf.internal.Header;
import io.eunomia.bpf.internal.MonotonicClock;
import io.eunomia.bpf.internal.PendingRecords;
import io.eunomia.bpf.internal.RecordReader;
import io.eunomia.bpf.internal.ViolationRecords;
import io.eunomia.event.ProcessInfo;
import io.eunomia.event.ViolationKind;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.Libc;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The kernel side of profile enforcement ({@link Sensor#ENFORCE}, enforce.bpf.c): which mount
 * namespaces are watched and with what {@link EnforcementPolicy}, which are known not to be, the
 * rate limit of violation records and what it held back, and what namespaces nobody classified
 * yet did ({@link PendingRecord}, {@link ExecNote}) for the caller to judge once it classified
 * them. Nothing in the kernel ever waits for the caller. Violations themselves arrive on the
 * event stream as {@link io.eunomia.event.ViolationEvent}s.
 *
 * <p>Every entry is keyed by the namespace's number and checked against its id, so a number that a
 * new namespace reuses never inherits a policy. Thread-safe.
 */
public final class KernelEnforcement {
    static final String NOTE_RING = "enforce_notes";
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int WORDS = EnforcementPolicy.SYSCALL_BITS / 64;
    /** struct enforce_policy: ns_id, policy_id, kill, native[16], compat[16], caps_granted, caps_denied. */
    private static final int POLICY_SIZE = 16 + 2 * WORDS * 8 + 16;
    /** struct enforce_rate: window_start_ns, sent, pending, suppressed, total. */
    private static final int RATE_SIZE = 40;
    /** struct enforce_state: ns_id, reported_native[16], reported_compat[16], reported_caps, rate[3]. */
    private static final int STATE_SIZE = 8 + 2 * WORDS * 8 + 8 + 3 * RATE_SIZE;
    private static final int RATE_OFFSET = STATE_SIZE - 3 * RATE_SIZE;
    /** struct enforce_control: generation, record_new, hash_seed, rate_window_ns, rate_burst, filter_epoch. */
    private static final int CONTROL_SIZE = 32;
    /** enforce.bpf.c's ENF_FILTER_BITS: the fast path's filter of watched namespace numbers. */
    private static final int FILTER_BITS = 65536;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /**
     * An exec in a namespace nobody classified yet, announced while the process runs on: the
     * caller classifies the namespace ({@link #install} or {@link #markUnwatched}) and judges the
     * exec (the kernel could not: the namespace had no policy).
     *
     * @param process the process (its container not resolved: {@code ContainerInfo.UNRESOLVED})
     * @param exe     what it exec'd, resolved as the container sees it
     */
    public record ExecNote(ProcessInfo process, long epochNanos, String exe) {}

    /**
     * Violations of one kind in one namespace since its policy was installed.
     *
     * @param total      all of them, reported or not
     * @param suppressed held back by the rate limit
     * @param pending    of those, not yet carried by a record (they ride on the next one)
     */
    public record Counts(long total, long suppressed, long pending) {}

    /**
     * @param watched      namespaces with a policy
     * @param known        namespaces classified as not watched
     * @param pending      records of namespaces not classified yet
     * @param pendingFull  uses not recorded: the pending map was full
     * @param notesLost    execs in unclassified namespaces not announced (ring full) or not queued here
     * @param uncached     checks made without the per-task cache (its allocation failed): slower, not lost
     * @param noState      violations of a namespace without a state entry (reported without a rate limit)
     */
    public record Stats(int watched, int known, int pending, long pendingFull, long notesLost, long uncached, long noState) {}

    private final BpfMap policies;
    private final BpfMap states;
    private final BpfMap execs;
    private final BpfMap known;
    private final BpfMap control;
    private final BpfMap stats;
    private final BpfMap pending;
    private final BpfMap watchBits;
    private final SideChannel notes;
    private final MonotonicClock clock;
    private final long seed;
    private final Map<Integer, Set<ExecKey>> execKeys = new HashMap<>();
    private int lastPolicyId;

    private KernelEnforcement(BpfObject object, SideChannel notes) {
        this.policies = object.map("enforce_policy");
        this.states = object.map("enforce_state");
        this.execs = object.map("enforce_execs");
        this.known = object.map("enforce_known");
        this.control = object.map("enforce_control");
        this.stats = object.map("enforce_stats");
        this.pending = object.map("enforce_pending");
        this.watchBits = object.map("enforce_watch_bits");
        this.notes = notes;
        this.clock = MonotonicClock.calibrate();
        if (policies.valueSize() != POLICY_SIZE || states.valueSize() != STATE_SIZE || control.valueSize() != CONTROL_SIZE
                || pending.valueSize() != PendingRecords.SIZE) {
            throw new IllegalStateException("enforce.bpf.o map layouts (" + policies.valueSize() + ", " + states.valueSize()
                    + ", " + control.valueSize() + ", " + pending.valueSize() + " bytes) differ from this reader's ("
                    + POLICY_SIZE + ", " + STATE_SIZE + ", " + CONTROL_SIZE + ", " + PendingRecords.SIZE
                    + "): the jar's BPF object and its classes do not match");
        }
        this.seed = le(control.lookup(key(0)).orElseThrow()).getLong(8);
    }

    /**
     * @throws IllegalArgumentException when the stream was started without {@link Sensor#ENFORCE}
     */
    public static KernelEnforcement of(KernelSensors sensors) {
        return new KernelEnforcement(sensors.object(Sensor.ENFORCE), sensors.sideChannel(NOTE_RING));
    }

    /** After load: a fresh secret for path hashes, generation 1 (a fresh task cache is never current), nothing recorded. */
    static void configure(BpfObject object, SensorOptions options) {
        ByteBuffer c = le(new byte[CONTROL_SIZE]);
        c.putInt(0, 1);
        c.putLong(8, new SecureRandom().nextLong());
        object.map("enforce_control").update(key(0), c.array());
    }

    /**
     * Watches a namespace with a policy (replacing what it had); checked from its processes' next
     * syscall on.
     *
     * @param mntnsId the namespace's id ({@link Libc#mountNamespaceId}); 0 when the kernel has none
     *                (a reused number then goes unnoticed)
     * @return the policy's id, for {@link #update}
     */
    public synchronized int install(long mntns, long mntnsId, EnforcementPolicy policy) {
        byte[] k = nsKey(mntns);
        policies.lookup(k).ifPresent(old -> dropExecs(le(old).getInt(8)));
        int id = ++lastPolicyId;
        writeExecs(id, policy.executables());
        ByteBuffer st = le(new byte[STATE_SIZE]);
        st.putLong(0, mntnsId);
        states.update(k, st.array());
        policies.update(k, encode(mntnsId, id, policy));
        known.delete(k);
        writeWatchBits();
        bumpGeneration();
        return id;
    }

    /** Replaces an installed policy (e.g. widened by accepted violations); its counters stay. */
    public synchronized void update(long mntns, long mntnsId, int policyId, EnforcementPolicy policy) {
        byte[] k = nsKey(mntns);
        Optional<byte[]> current = policies.lookup(k);
        if (current.isEmpty() || le(current.get()).getInt(8) != policyId) {
            throw new IllegalStateException("namespace " + mntns + " does not run policy " + policyId);
        }
        Set<ExecKey> old = execKeys.getOrDefault(policyId, Set.of());
        writeExecs(policyId, policy.executables());
        Set<ExecKey> now = execKeys.get(policyId);
        for (ExecKey gone : old) {
            if (!now.contains(gone)) {
                execs.delete(gone.bytes());
            }
        }
        policies.update(k, encode(mntnsId, policyId, policy));
        bumpGeneration();
    }

    /**
     * Stops watching a namespace; returns its last counts. Nothing changes when another namespace
     * of that number (its id differs) has the policy now: a number is reused as soon as it is free.
     */
    public synchronized Map<ViolationKind, Counts> remove(long mntns, long mntnsId) {
        byte[] k = nsKey(mntns);
        Optional<byte[]> current = policies.lookup(k);
        if (current.isEmpty() || mntnsId != 0 && le(current.get()).getLong(0) != mntnsId) {
            return Map.of();
        }
        Map<ViolationKind, Counts> last = counts(mntns);
        policies.lookup(k).ifPresent(old -> dropExecs(le(old).getInt(8)));
        policies.delete(k);
        states.delete(k);
        writeWatchBits();
        bumpGeneration();
        return last;
    }

    /** Classifies a namespace as not watched: nothing of it is recorded any more (its record stays until {@link #forgetPending}). */
    public synchronized void markUnwatched(long mntns, long mntnsId) {
        known.update(nsKey(mntns), le(new byte[8]).putLong(0, mntnsId).array());
        bumpGeneration(); // its tasks stop recording at their next call
    }

    /** Whether the kernel has the namespace as classified unwatched (its known set is an LRU). */
    public synchronized boolean isUnwatched(long mntns, long mntnsId) {
        return known.lookup(nsKey(mntns)).map(v -> le(v).getLong(0) == mntnsId).orElse(false);
    }

    /**
     * What a namespace's workload did while nobody had classified it (empty when nothing was
     * recorded, or the record is gone).
     *
     * @param mntnsId the namespace's id (0 on kernels without ids: the number is the key then)
     */
    public synchronized Optional<PendingRecord> pending(long mntns, long mntnsId) {
        return pending.lookup(pendingKey(mntns, mntnsId)).map(v -> PendingRecords.decode(v, clock));
    }

    /** Deletes a namespace's pending record (classified, or gone). */
    public synchronized void forgetPending(long mntns, long mntnsId) {
        pending.delete(pendingKey(mntns, mntnsId));
    }

    /** The namespaces with a pending record: their numbers by their ids (the number's key when the id is 0). */
    public synchronized Map<Long, Long> pendingNamespaces() {
        Map<Long, Long> out = new HashMap<>();
        for (byte[] k : pending.keys()) {
            pending.lookup(k).ifPresent(v -> out.put(le(k).getLong(0), PendingRecords.mntns(v)));
        }
        return out;
    }

    /** Namespace numbers with a policy, with the namespace id each policy is for. */
    public synchronized Map<Long, Long> watched() {
        Map<Long, Long> out = new HashMap<>();
        for (byte[] k : policies.keys()) {
            policies.lookup(k).ifPresent(v -> out.put(Integer.toUnsignedLong(le(k).getInt(0)), le(v).getLong(0)));
        }
        return out;
    }

    /** Violations per kind of a watched namespace so far (empty when it has no policy). */
    public synchronized Map<ViolationKind, Counts> counts(long mntns) {
        Map<ViolationKind, Counts> out = new EnumMap<>(ViolationKind.class);
        states.lookup(nsKey(mntns)).ifPresent(v -> {
            ByteBuffer b = le(v);
            for (ViolationKind kind : ViolationKind.values()) {
                int at = RATE_OFFSET + kind.ordinal() * RATE_SIZE;
                out.put(kind, new Counts(b.getLong(at + 32), b.getLong(at + 24), b.getLong(at + 16)));
            }
        });
        return out;
    }

    /**
     * Records what the workload of every namespace not yet classified does, and announces its execs
     * ({@link #nextNote}); off, such namespaces go unwatched until classified. Nothing is stopped.
     */
    public synchronized void recordNewNamespaces(boolean on) {
        ByteBuffer c = le(control.lookup(key(0)).orElseThrow());
        c.putInt(4, on ? 1 : 0);
        control.update(key(0), c.array());
        bumpGeneration();
    }

    /**
     * Turns on the fast path's filter: from now on a task of a namespace that is neither watched
     * nor announced in the last epoch or two (an exec while unclassified) is neither checked nor
     * recorded. Call once every namespace that existed before recording began is classified; then
     * {@link #nextFilterEpoch} every few seconds.
     */
    public synchronized void startFilter() {
        ByteBuffer c = le(control.lookup(key(0)).orElseThrow());
        c.putInt(28, 2); // slots start at 0: not announced
        control.update(key(0), c.array());
    }

    /** Ages the announcements of unclassified namespaces (they pass the filter for one to two epochs). */
    public synchronized void nextFilterEpoch() {
        ByteBuffer c = le(control.lookup(key(0)).orElseThrow());
        int epoch = c.getInt(28);
        if (epoch != 0) {
            c.putInt(28, epoch + 1);
            control.update(key(0), c.array());
        }
    }

    /** The watched namespaces' bits, written whole (only user space writes this map). */
    private void writeWatchBits() {
        ByteBuffer b = le(new byte[FILTER_BITS / 8]);
        for (byte[] k : policies.keys()) {
            int n = le(k).getInt(0) & (FILTER_BITS - 1);
            b.putLong((n >>> 6) * 8, b.getLong((n >>> 6) * 8) | 1L << (n & 63));
        }
        watchBits.update(key(0), b.array());
    }

    /**
     * The kernel's rate limit of violation records: per namespace and kind at most {@code burst}
     * records per {@code window}, plus the first report of each syscall and capability number.
     */
    public synchronized void setRateLimit(Duration window, int burst) {
        if (window.isNegative() || window.isZero() || burst < 1) {
            throw new IllegalArgumentException("rate limit needs a positive window and burst, got " + window + " and " + burst);
        }
        ByteBuffer c = le(control.lookup(key(0)).orElseThrow());
        c.putLong(16, window.toNanos());
        c.putInt(24, burst);
        control.update(key(0), c.array());
    }

    /** The next exec announced in a namespace not yet classified, waiting up to timeout; empty when none came. */
    public Optional<ExecNote> nextNote(Duration timeout) throws InterruptedException {
        byte[] note = notes.queue().poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (note == null) {
            return Optional.empty();
        }
        RecordReader r = new RecordReader(MemorySegment.ofArray(note));
        ViolationRecords.Noted n = ViolationRecords.execNote(Header.read(r, clock), r);
        return Optional.of(new ExecNote(n.header().process(), n.header().epochNanos(), n.exe()));
    }

    /** Uses of namespaces not yet classified that were not recorded (pending map full): cheap, no map walk. */
    public long pendingFull() {
        return stats.sumPerCpuU64(1);
    }

    /** Execs in namespaces not yet classified whose note was lost (ring full, or no room here): cheap, no map walk. */
    public long notesLost() {
        return stats.sumPerCpuU64(2) + notes.dropped();
    }

    public synchronized Stats stats() {
        return new Stats(policies.keys().size(), known.keys().size(), pending.keys().size(), pendingFull(), notesLost(),
                stats.sumPerCpuU64(0), stats.sumPerCpuU64(3));
    }

    /** The kernel's hash of an executable path (FNV-1a 64, offset basis xor this run's secret seed). */
    long pathHash(byte[] path) {
        long h = FNV_OFFSET ^ seed;
        for (byte b : path) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return h;
    }

    private record ExecKey(int policyId, int length, long hash) {
        byte[] bytes() {
            return le(new byte[16]).putInt(0, policyId).putInt(4, length).putLong(8, hash).array();
        }
    }

    private void writeExecs(int policyId, Set<String> paths) {
        Set<ExecKey> keys = new HashSet<>();
        for (String p : paths) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            ExecKey k = new ExecKey(policyId, b.length, pathHash(b));
            execs.update(k.bytes(), new byte[] {1});
            keys.add(k);
        }
        execKeys.put(policyId, keys);
    }

    private void dropExecs(int policyId) {
        Set<ExecKey> keys = execKeys.remove(policyId);
        if (keys != null) {
            for (ExecKey k : keys) {
                execs.delete(k.bytes());
            }
        }
    }

    private void bumpGeneration() {
        ByteBuffer c = le(control.lookup(key(0)).orElseThrow());
        int next = c.getInt(0) + 1;
        c.putInt(0, next == 0 ? 1 : next);  // 0 marks "decide again" in a task's cache
        control.update(key(0), c.array());
    }

    private static byte[] encode(long mntnsId, int policyId, EnforcementPolicy p) {
        ByteBuffer b = le(new byte[POLICY_SIZE]);
        b.putLong(0, mntnsId);
        b.putInt(8, policyId);
        int kill = 0;
        for (ViolationKind k : p.kill()) {
            kill |= 1 << k.ordinal();
        }
        b.putInt(12, kill);
        putBits(b, 16, p.nativeSyscalls());
        putBits(b, 16 + WORDS * 8, p.compatSyscalls());
        b.putLong(16 + 2 * WORDS * 8, mask(p.capsGranted()));
        b.putLong(24 + 2 * WORDS * 8, mask(p.capsDenied()));
        return b.array();
    }

    private static void putBits(ByteBuffer b, int at, BitSet bits) {
        long[] words = bits.toLongArray();
        for (int i = 0; i < words.length && i < WORDS; i++) {
            b.putLong(at + i * 8, words[i]);
        }
    }

    private static long mask(Set<Capability> caps) {
        long m = 0;
        for (Capability c : caps) {
            m |= 1L << c.number();
        }
        return m;
    }

    private static byte[] nsKey(long mntns) {
        if (mntns <= 0 || mntns > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a mount namespace number: " + mntns);
        }
        return key((int) mntns);
    }

    private static byte[] pendingKey(long mntns, long mntnsId) {
        return le(new byte[8]).putLong(0, mntnsId != 0 ? mntnsId : mntns).array();
    }

    private static byte[] key(int k) {
        return le(new byte[4]).putInt(0, k).array();
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ORDER);
    }
}
