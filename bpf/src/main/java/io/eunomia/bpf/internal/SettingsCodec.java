package io.eunomia.bpf.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * struct sensor_settings of events.h, encoded for the "settings" map (members left out are 0).
 *
 * @param hostMntns      the host's mount namespace (no namespace records for it); 0 = unknown
 * @param cgroupV1Subsys cgroup_subsys_id of a controller mounted on a v1 hierarchy, whose path the
 *                       namespace records carry; -1 = none (a pure v2 host)
 * @param hostRoot       the host's root directory (the file sensor names a host file a container opened
 *                       through a bind mount by its path from there); {@link HostRoot#UNKNOWN}: not at all
 */
public record SettingsCodec(boolean enabled, int selfTgid, int filterTgid, long filterMntns, long wakeupIntervalNanos,
                            int flags, long hostMntns, int cgroupV1Subsys, HostRoot hostRoot) {
    static final Layout.Struct SENSOR_SETTINGS = new Layout.Struct("sensor_settings", 48);
    static final Layout.Int32 ENABLED = SENSOR_SETTINGS.int32("enabled", 0);
    static final Layout.Int32 SELF_TGID = SENSOR_SETTINGS.int32("self_tgid", 4);
    static final Layout.Int32 FILTER_TGID = SENSOR_SETTINGS.int32("filter_tgid", 8);
    static final Layout.Int32 FILTER_MNTNS = SENSOR_SETTINGS.int32("filter_mntns", 12);
    static final Layout.Int64 WAKEUP_INTERVAL = SENSOR_SETTINGS.int64("wakeup_interval_ns", 16);
    static final Layout.Int32 FLAGS = SENSOR_SETTINGS.int32("flags", 24);
    static final Layout.Int32 HOST_MNTNS = SENSOR_SETTINGS.int32("host_mntns", 28);
    static final Layout.Int32 CGROUP_V1_SUBSYS = SENSOR_SETTINGS.int32("cgroup_v1_subsys", 32);
    static final Layout.Int32 HOST_ROOT_DEV = SENSOR_SETTINGS.int32("host_root_dev", 36);
    static final Layout.Int64 HOST_ROOT_INO = SENSOR_SETTINGS.int64("host_root_ino", 40);

    /** Settings that name no host root. */
    public SettingsCodec(boolean enabled, int selfTgid, int filterTgid, long filterMntns, long wakeupIntervalNanos,
                         int flags, long hostMntns, int cgroupV1Subsys) {
        this(enabled, selfTgid, filterTgid, filterMntns, wakeupIntervalNanos, flags, hostMntns, cgroupV1Subsys, HostRoot.UNKNOWN);
    }

    /** Switched off: every program returns at its first check. */
    public static SettingsCodec off() {
        return new SettingsCodec(false, 0, 0, 0, 0, 0, 0, -1);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SENSOR_SETTINGS.size()).order(ByteOrder.nativeOrder());
        put(b, ENABLED, enabled ? 1 : 0);
        put(b, SELF_TGID, selfTgid);
        put(b, FILTER_TGID, filterTgid);
        put(b, FILTER_MNTNS, (int) filterMntns);
        put(b, WAKEUP_INTERVAL, wakeupIntervalNanos);
        put(b, FLAGS, flags);
        put(b, HOST_MNTNS, (int) hostMntns);
        put(b, CGROUP_V1_SUBSYS, cgroupV1Subsys);
        put(b, HOST_ROOT_DEV, hostRoot.kernelDev());
        put(b, HOST_ROOT_INO, hostRoot.inode());
        return b.array();
    }

    private static void put(ByteBuffer b, Layout.Int32 member, int value) {
        b.putInt(member.offset(), value);
    }

    private static void put(ByteBuffer b, Layout.Int64 member, long value) {
        b.putLong(member.offset(), value);
    }

    public static byte[] key0() {
        return new byte[4];
    }
}
