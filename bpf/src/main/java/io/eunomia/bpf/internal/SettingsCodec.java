package io.eunomia.bpf.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct sensor_settings of events.h, encoded for the "settings" map.
 *
 * @param hostMntns      the host's mount namespace (no namespace records for it); 0 = unknown
 * @param cgroupV1Subsys cgroup_subsys_id of a controller mounted on a v1 hierarchy, whose path the
 *                       namespace records carry; -1 = none (a pure v2 host)
 */
public record SettingsCodec(boolean enabled, int selfTgid, int filterTgid, long filterMntns, long wakeupIntervalNanos,
                            int flags, long hostMntns, int cgroupV1Subsys) {
    public static final int SIZE = 40;

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder())
                .putInt(enabled ? 1 : 0)
                .putInt(selfTgid)
                .putInt(filterTgid)
                .putInt((int) filterMntns)
                .putLong(wakeupIntervalNanos)
                .putInt(flags)
                .putInt((int) hostMntns)
                .putInt(cgroupV1Subsys)
                .putInt(0)
                .array();
    }

    public static byte[] key0() {
        return new byte[4];
    }
}
