package io.eunomia.bpf.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** struct sensor_settings of events.h, encoded for the "settings" map. */
public record SettingsCodec(boolean enabled, int selfTgid, int filterTgid, long filterMntns, long wakeupIntervalNanos,
                            int flags) {
    public static final int SIZE = 32;

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder())
                .putInt(enabled ? 1 : 0)
                .putInt(selfTgid)
                .putInt(filterTgid)
                .putInt((int) filterMntns)
                .putLong(wakeupIntervalNanos)
                .putInt(flags)
                .putInt(0)
                .array();
    }

    public static byte[] key0() {
        return new byte[4];
    }
}
