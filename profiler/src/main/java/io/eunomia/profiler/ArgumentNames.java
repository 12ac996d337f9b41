package io.eunomia.profiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Names for learned argument values, for people ({@code profile show}, comments in generated
 * profiles). Values without a name are shown in hex. Numbers from the kernel UAPI headers
 * (socket.h, sched.h, prctl.h, personality.h, ioctls.h); the same on x86_64, x86 and aarch64.
 */
public final class ArgumentNames {
    private ArgumentNames() {}

    private static final Map<Long, String> FAMILIES = Map.ofEntries(Map.entry(0L, "AF_UNSPEC"), Map.entry(1L, "AF_UNIX"),
            Map.entry(2L, "AF_INET"), Map.entry(3L, "AF_AX25"), Map.entry(4L, "AF_IPX"), Map.entry(5L, "AF_APPLETALK"),
            Map.entry(9L, "AF_X25"), Map.entry(10L, "AF_INET6"), Map.entry(15L, "AF_KEY"), Map.entry(16L, "AF_NETLINK"),
            Map.entry(17L, "AF_PACKET"), Map.entry(29L, "AF_CAN"), Map.entry(31L, "AF_BLUETOOTH"), Map.entry(38L, "AF_ALG"),
            Map.entry(40L, "AF_VSOCK"), Map.entry(44L, "AF_XDP"));
    private static final Map<Long, String> TYPES = Map.of(1L, "SOCK_STREAM", 2L, "SOCK_DGRAM", 3L, "SOCK_RAW",
            4L, "SOCK_RDM", 5L, "SOCK_SEQPACKET", 6L, "SOCK_DCCP", 10L, "SOCK_PACKET");
    private static final Map<Long, String> NAMESPACES = Map.of(0x80L, "CLONE_NEWTIME", 0x20000L, "CLONE_NEWNS",
            0x2000000L, "CLONE_NEWCGROUP", 0x4000000L, "CLONE_NEWUTS", 0x8000000L, "CLONE_NEWIPC",
            0x10000000L, "CLONE_NEWUSER", 0x20000000L, "CLONE_NEWPID", 0x40000000L, "CLONE_NEWNET");
    private static final Map<Long, String> PRCTL = Map.ofEntries(Map.entry(1L, "PR_SET_PDEATHSIG"),
            Map.entry(2L, "PR_GET_PDEATHSIG"), Map.entry(3L, "PR_GET_DUMPABLE"), Map.entry(4L, "PR_SET_DUMPABLE"),
            Map.entry(7L, "PR_GET_KEEPCAPS"), Map.entry(8L, "PR_SET_KEEPCAPS"), Map.entry(15L, "PR_SET_NAME"),
            Map.entry(16L, "PR_GET_NAME"), Map.entry(21L, "PR_GET_SECCOMP"), Map.entry(22L, "PR_SET_SECCOMP"),
            Map.entry(23L, "PR_CAPBSET_READ"), Map.entry(24L, "PR_CAPBSET_DROP"), Map.entry(35L, "PR_SET_MM"),
            Map.entry(36L, "PR_SET_CHILD_SUBREAPER"), Map.entry(37L, "PR_GET_CHILD_SUBREAPER"),
            Map.entry(38L, "PR_SET_NO_NEW_PRIVS"), Map.entry(39L, "PR_GET_NO_NEW_PRIVS"), Map.entry(47L, "PR_CAP_AMBIENT"),
            Map.entry(0x53564d41L, "PR_SET_VMA"));
    private static final Map<Long, String> PERSONALITY = Map.of(0L, "PER_LINUX", 0x8L, "PER_LINUX32",
            0xFFFF_FFFFL, "query (0xffffffff)", 0x40000L, "ADDR_NO_RANDOMIZE", 0x800008L, "PER_LINUX32|ADDR_LIMIT_3GB");
    private static final Map<Long, String> IOCTLS = Map.ofEntries(Map.entry(0x5401L, "TCGETS"), Map.entry(0x5402L, "TCSETS"),
            Map.entry(0x5403L, "TCSETSW"), Map.entry(0x540FL, "TIOCGPGRP"), Map.entry(0x5410L, "TIOCSPGRP"),
            Map.entry(0x5413L, "TIOCGWINSZ"), Map.entry(0x5414L, "TIOCSWINSZ"), Map.entry(0x541BL, "FIONREAD"),
            Map.entry(0x5421L, "FIONBIO"), Map.entry(0x5451L, "FIOCLEX"), Map.entry(0x5412L, "TIOCSTI"),
            Map.entry(0x540EL, "TIOCSCTTY"));

    /** The value as people know it: AF_INET, SOCK_RAW, CLONE_NEWNS|CLONE_NEWPID, TCGETS, or hex. */
    public static String name(ArgumentSpec spec, long value) {
        Map<Long, String> names = switch (spec.syscall() + "#" + spec.index()) {
            case "socket#0" -> FAMILIES;
            case "socket#1" -> TYPES;
            case "prctl#0" -> PRCTL;
            case "personality#0" -> PERSONALITY;
            case "ioctl#1" -> IOCTLS;
            case "clone#0", "clone3#0", "unshare#0" -> null;
            default -> Map.of();
        };
        if (names == null) {
            return flags(value);
        }
        String n = names.get(value);
        return n != null ? n : "0x" + Long.toHexString(value);
    }

    private static String flags(long value) {
        if (value == 0) {
            return "no namespace";
        }
        List<String> out = new ArrayList<>();
        long rest = value;
        for (long bit = 1; bit != 0 && rest != 0; bit <<= 1) {
            if ((rest & bit) != 0) {
                String n = NAMESPACES.get(bit);
                out.add(n != null ? n : "0x" + Long.toHexString(bit));
                rest &= ~bit;
            }
        }
        return String.join("|", out);
    }
}
