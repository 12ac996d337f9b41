package io.eunomia.bpf;

import io.eunomia.event.NetInterest;
import io.eunomia.event.NetOp;
import io.eunomia.event.PortSet;
import io.eunomia.libbpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes net.bpf.c's net filter (the maps net_skip and net_ports) from {@link SensorOptions#netInterest()}:
 * the socket events no rule can match stay in the kernel. One 32-bit word holds the whole setting:
 * the classes kept back, those judged by server port, and which of net_ports' two sets of port
 * bitmaps is current. The bitmaps are written to the set not in use first, then the word switches
 * to it, so a change (a rule reload) is atomic for the programs: each event sees the old setting or
 * the new one.
 */
final class NetFilterMap {
    private static final byte[] KEY0 = new byte[4];
    /** As net.bpf.c: classes (2 per operation: peer not loopback, loopback), bitmap bytes, word bits. */
    static final int CLASSES = 8;
    static final int PORT_BYTES = 8192;
    static final int BY_PORT_SHIFT = 8;
    static final int BUFFER_BIT = 16;

    private NetFilterMap() {}

    /** Not to be called concurrently for one object (KernelSensors holds its lock). */
    static void apply(BpfObject object, NetInterest interest) {
        int current = object.map("net_skip").lookup(KEY0)
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt())
                .orElse(0);
        int next = 1 - ((current >>> BUFFER_BIT) & 1);
        object.map("net_ports").update(key(next), portBitmaps(interest));
        object.map("net_skip").update(KEY0, key(bits(interest) | next << BUFFER_BIT));
    }

    private static byte[] key(int n) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(n).array();
    }

    private static int cls(NetOp op, boolean loopback) {
        return 2 * op.ordinal() + (loopback ? 1 : 0);
    }

    /**
     * Per class (events.h's net_op from 1, then loopback or not): bit cls keeps all its events back,
     * bit {@link #BY_PORT_SHIFT}+cls those of inet and inet6 sockets whose server port its bitmap leaves out.
     */
    static int bits(NetInterest interest) {
        int bits = 0;
        for (NetOp op : NetOp.values()) {
            for (boolean loop : new boolean[] {false, true}) {
                PortSet ports = interest.ports(op, loop);
                if (ports.ranges().isEmpty()) {
                    bits |= 1 << cls(op, loop);
                } else if (!ports.any()) {
                    bits |= 1 << (BY_PORT_SHIFT + cls(op, loop));
                }
            }
        }
        return bits;
    }

    /** net_ports' value: a bitmap of the wanted ports per class (bit port%8 of byte port/8). */
    static byte[] portBitmaps(NetInterest interest) {
        byte[] v = new byte[CLASSES * PORT_BYTES];
        for (NetOp op : NetOp.values()) {
            for (boolean loop : new boolean[] {false, true}) {
                int base = cls(op, loop) * PORT_BYTES;
                for (PortSet.Range r : interest.ports(op, loop).ranges()) {
                    for (int p = r.lo(); p <= r.hi(); p++) {
                        v[base + (p >>> 3)] |= (byte) (1 << (p & 7));
                    }
                }
            }
        }
        return v;
    }

    /** Socket events the filter kept back so far (a per-CPU counter). */
    static long skipped(BpfObject object) {
        return object.map("net_skipped").sumPerCpuU64(0);
    }
}
