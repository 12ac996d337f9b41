package io.eunomia.bpf.internal;

import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.nio.charset.StandardCharsets;

/** Decoder for net.bpf.c's record (struct net_event of events.h) and the address text forms. */
public final class NetRecords {
    private static final int H = Header.SIZE;
    static final Layout.Struct NET_EVENT = new Layout.Struct("net_event", H + 56);
    static final Layout.Int32 FD = NET_EVENT.int32("fd", H);
    static final Layout.Int32 BACKLOG = NET_EVENT.int32("backlog", H + 4);
    static final Layout.Int16 OP = NET_EVENT.int16("op", H + 8);
    static final Layout.Int16 FAMILY = NET_EVENT.int16("family", H + 10);
    static final Layout.Int16 SOCK_TYPE = NET_EVENT.int16("sock_type", H + 12);
    static final Layout.Int16 PROTOCOL = NET_EVENT.int16("protocol", H + 14);
    static final Layout.Int16 LOCAL_PORT = NET_EVENT.int16("local_port", H + 16);
    static final Layout.Int16 REMOTE_PORT = NET_EVENT.int16("remote_port", H + 18);
    static final Layout.Int16 LOCAL_LEN = NET_EVENT.int16("local_len", H + 20);
    static final Layout.Int16 REMOTE_LEN = NET_EVENT.int16("remote_len", H + 22);
    static final Layout.Chars LOCAL_ADDR = NET_EVENT.chars("local_addr", H + 24, 16);
    static final Layout.Chars REMOTE_ADDR = NET_EVENT.chars("remote_addr", H + 40, 16);

    private static final SyscallTable SYSCALLS = SyscallTable.of(Arch.current());

    private NetRecords() {}

    public static NetEvent net(Header h, RecordReader r) {
        if (r.size() < NET_EVENT.size()) {
            throw new IndexOutOfBoundsException("net record of " + r.size() + " bytes is shorter than " + NET_EVENT.size());
        }
        SocketFamily family = SocketFamily.ofCode(r.u16(FAMILY));
        String local;
        String remote;
        if (family == SocketFamily.UNIX) {
            int localLen = r.u16(LOCAL_LEN);
            int remoteLen = r.u16(REMOTE_LEN);
            r.at(NET_EVENT);
            local = unixPath(r.nextBytes(localLen));
            remote = unixPath(r.nextBytes(remoteLen));
        } else {
            local = inetText(family, r.bytes(LOCAL_ADDR));
            remote = inetText(family, r.bytes(REMOTE_ADDR));
        }
        return new NetEvent(h.epochNanos(), h.process(), NetOp.ofCode(r.u16(OP)), SYSCALLS.nameOrNumber(h.syscallNr()),
                r.s32(FD), family, SocketType.ofCode(r.u16(SOCK_TYPE)), r.u16(PROTOCOL), local, r.u16(LOCAL_PORT),
                remote, r.u16(REMOTE_PORT), r.s32(BACKLOG), h.result());
    }

    private static String inetText(SocketFamily family, byte[] addr) {
        return switch (family) {
            case INET -> ipv4(addr, 0);
            case INET6 -> ipv6(addr);
            default -> "";
        };
    }

    /**
     * sun_path as the kernel holds it: a path up to its first NUL, or, after a leading NUL, an
     * abstract name shown as "@name" (with inner NULs as '@', as ss(8) and Falco show them).
     */
    static String unixPath(byte[] raw) {
        if (raw.length == 0) {
            return "";
        }
        if (raw[0] != 0) {
            int n = 0;
            while (n < raw.length && raw[n] != 0) {
                n++;
            }
            return new String(raw, 0, n, StandardCharsets.UTF_8);
        }
        byte[] name = raw.clone();
        for (int i = 0; i < name.length; i++) {
            if (name[i] == 0) {
                name[i] = '@';
            }
        }
        return new String(name, StandardCharsets.UTF_8);
    }

    static String ipv4(byte[] a, int from) {
        return (a[from] & 0xff) + "." + (a[from + 1] & 0xff) + "." + (a[from + 2] & 0xff) + "." + (a[from + 3] & 0xff);
    }

    /**
     * RFC 5952 text: lower-case hex, the longest run (first of equal ones) of two or more zero
     * groups as "::". An IPv4-mapped address is shown as its IPv4 address.
     */
    static String ipv6(byte[] a) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return ipv4(a, 12);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
