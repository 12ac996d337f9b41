package io.eunomia.bpf.internal;

import io.eunomia.abi.Capability;
import io.eunomia.bpf.PendingRecord;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Decoder for enforce.bpf.c's struct enforce_pending (a map value, not a ring record). */
public final class PendingRecords {
    private static final int WORDS = 16;
    private static final int LOG = 96;
    static final Layout.Struct USE = new Layout.Struct("enforce_pending_use", 16);
    static final Layout.Int64 USE_TS = USE.int64("ts_ns", 0);
    static final Layout.Int32 USE_PID = USE.int32("pid", 8);
    static final Layout.Int16 USE_NR = USE.int16("nr", 12);
    static final Layout.Int8 USE_KIND = USE.int8("kind", 14);
    static final Layout.Struct PENDING = new Layout.Struct("enforce_pending", 312 + LOG * USE.size());
    static final Layout.Int64 NS_ID = PENDING.int64("ns_id", 0);
    static final Layout.Int64 LOG_LEN = PENDING.int64("log_len", 8);
    static final Layout.Int64 FIRST = PENDING.int64("first_ns", 16);
    static final Layout.Int32 MNTNS = PENDING.int32("mntns", 24);
    static final Layout.Int64 NATIVE = PENDING.int64s("native", 32, WORDS);
    static final Layout.Int64 COMPAT = PENDING.int64s("compat", 32 + WORDS * 8, WORDS);
    static final Layout.Int64 CAPS_GRANTED = PENDING.int64("caps_granted", 32 + 2 * WORDS * 8);
    static final Layout.Int64 CAPS_DENIED = PENDING.int64("caps_denied", 40 + 2 * WORDS * 8);
    static final Layout.Int64 OUT_OF_RANGE = PENDING.int64("out_of_range", 48 + 2 * WORDS * 8);
    private static final int LOG_AT = 56 + 2 * WORDS * 8;
    public static final int SIZE = PENDING.size();

    private PendingRecords() {}

    /** The namespace number of a record. */
    public static long mntns(byte[] value) {
        return new RecordReader(MemorySegment.ofArray(value)).u32(MNTNS);
    }

    public static PendingRecord decode(byte[] value, MonotonicClock clock) {
        RecordReader r = new RecordReader(MemorySegment.ofArray(value));
        if (r.size() < SIZE) {
            throw new IndexOutOfBoundsException("pending record of " + r.size() + " bytes, expected " + SIZE);
        }
        long logged = r.s64(LOG_LEN);
        List<PendingRecord.Use> uses = new ArrayList<>();
        for (int i = 0; i < Math.min(logged, LOG); i++) {
            RecordReader u = new RecordReader(MemorySegment.ofArray(value).asSlice(LOG_AT + (long) i * USE.size(), USE.size()));
            long ts = u.s64(USE_TS);
            int kind = u.u8(USE_KIND);
            if (ts == 0 || kind >= PendingRecord.UseKind.values().length) {
                continue; // still being written when read
            }
            uses.add(new PendingRecord.Use(clock.toEpochNanos(ts), (int) u.u32(USE_PID), PendingRecord.UseKind.values()[kind],
                    u.u16(USE_NR)));
        }
        return new PendingRecord(r.u32(MNTNS), r.s64(NS_ID), clock.toEpochNanos(r.s64(FIRST)), bits(r, NATIVE), bits(r, COMPAT),
                caps(r.s64(CAPS_GRANTED)), caps(r.s64(CAPS_DENIED)), uses, Math.max(0, logged - LOG), r.s64(OUT_OF_RANGE));
    }

    private static BitSet bits(RecordReader r, Layout.Int64 words) {
        long[] w = new long[WORDS];
        for (int i = 0; i < WORDS; i++) {
            w[i] = r.s64(words, i);
        }
        return BitSet.valueOf(w);
    }

    private static Set<Capability> caps(long mask) {
        Set<Capability> out = EnumSet.noneOf(Capability.class);
        for (int n = 0; n < 64; n++) {
            if ((mask & (1L << n)) != 0) {
                Capability.of(n).ifPresent(out::add);
            }
        }
        return out;
    }
}
