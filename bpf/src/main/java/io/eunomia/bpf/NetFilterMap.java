package io.eunomia.bpf;

import io.eunomia.event.NetInterest;
import io.eunomia.event.NetOp;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes net.bpf.c's net filter (the map net_skip) from {@link SensorOptions#netInterest()}: the
 * socket events no rule can match stay in the kernel. One 32-bit word holds the whole setting, so a
 * change (a rule reload) is atomic for the programs: each event sees the old setting or the new one.
 */
final class NetFilterMap {
    private static final byte[] KEY0 = new byte[4];

    private NetFilterMap() {}

    static void apply(BpfObject object, NetInterest interest) {
        object.map("net_skip").update(KEY0, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(bits(interest)).array());
    }

    /** Two bits per operation (events.h's net_op from 1): kept back when its peer is not loopback, when it is. */
    static int bits(NetInterest interest) {
        int bits = 0;
        for (NetOp op : NetOp.values()) {
            int at = 2 * op.ordinal();
            if (!interest.other().contains(op)) {
                bits |= 1 << at;
            }
            if (!interest.loopback().contains(op)) {
                bits |= 1 << (at + 1);
            }
        }
        return bits;
    }

    /** Socket events the filter kept back so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("net_skipped").sumPerCpuU64(0);
    }
}
