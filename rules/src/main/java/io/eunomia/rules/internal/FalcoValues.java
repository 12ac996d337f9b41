package io.eunomia.rules.internal;

import io.eunomia.abi.Capability;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Falco's textual forms of values our records keep as numbers (capability sets, ptrace requests,
 * socket families, open flags) and its address tests (CIDR, server names), so Falco conditions such
 * as {@code evt.arg.request contains PTRACE_ATTACH} or {@code fd.snet in ("10.0.0.0/8")} keep
 * their meaning.
 */
public final class FalcoValues {
    private FalcoValues() {}

    private static final Map<Long, String> PTRACE = Map.ofEntries(
            Map.entry(0L, "PTRACE_TRACEME"), Map.entry(1L, "PTRACE_PEEKTEXT"), Map.entry(2L, "PTRACE_PEEKDATA"),
            Map.entry(3L, "PTRACE_PEEKUSR"), Map.entry(4L, "PTRACE_POKETEXT"), Map.entry(5L, "PTRACE_POKEDATA"),
            Map.entry(6L, "PTRACE_POKEUSR"), Map.entry(7L, "PTRACE_CONT"), Map.entry(8L, "PTRACE_KILL"),
            Map.entry(9L, "PTRACE_SINGLESTEP"), Map.entry(12L, "PTRACE_GETREGS"), Map.entry(13L, "PTRACE_SETREGS"),
            Map.entry(14L, "PTRACE_GETFPREGS"), Map.entry(15L, "PTRACE_SETFPREGS"), Map.entry(16L, "PTRACE_ATTACH"),
            Map.entry(17L, "PTRACE_DETACH"), Map.entry(24L, "PTRACE_SYSCALL"), Map.entry(0x4200L, "PTRACE_SETOPTIONS"),
            Map.entry(0x4201L, "PTRACE_GETEVENTMSG"), Map.entry(0x4202L, "PTRACE_GETSIGINFO"),
            Map.entry(0x4203L, "PTRACE_SETSIGINFO"), Map.entry(0x4204L, "PTRACE_GETREGSET"),
            Map.entry(0x4205L, "PTRACE_SETREGSET"), Map.entry(0x4206L, "PTRACE_SEIZE"), Map.entry(0x4207L, "PTRACE_INTERRUPT"),
            Map.entry(0x4208L, "PTRACE_LISTEN"));

    private static final Map<Long, String> FAMILIES = Map.ofEntries(
            Map.entry(0L, "AF_UNSPEC"), Map.entry(1L, "AF_UNIX"), Map.entry(2L, "AF_INET"), Map.entry(10L, "AF_INET6"),
            Map.entry(15L, "AF_KEY"), Map.entry(16L, "AF_NETLINK"), Map.entry(17L, "AF_PACKET"), Map.entry(38L, "AF_ALG"),
            Map.entry(40L, "AF_VSOCK"), Map.entry(44L, "AF_XDP"));

    /** Open flags above the access mode, octal as in the kernel's uapi (x86_64 values). */
    private static final long[][] OPEN_FLAGS = {
            {0100, 0}, {0200, 1}, {0400, 2}, {01000, 3}, {02000, 4}, {04000, 5}, {010000, 6}, {040000, 7},
            {0200000, 8}, {0400000, 9}, {01000000, 10}, {02000000, 11}, {010000000, 12}, {020000000, 13}};
    private static final String[] OPEN_FLAG_NAMES = {"O_CREAT", "O_EXCL", "O_NOCTTY", "O_TRUNC", "O_APPEND", "O_NONBLOCK",
            "O_DSYNC", "O_DIRECT", "O_DIRECTORY", "O_NOFOLLOW", "O_NOATIME", "O_CLOEXEC", "O_PATH", "O_TMPFILE"};

    /** A capability set as Falco prints it: "CAP_CHOWN CAP_DAC_OVERRIDE ...". */
    public static String capabilities(long set) {
        StringJoiner j = new StringJoiner(" ");
        for (Capability c : Capability.values()) {
            if ((set & (1L << c.number())) != 0) {
                j.add("CAP_" + c.name());
            }
        }
        return j.toString();
    }

    public static String ptraceRequest(long request) {
        return PTRACE.getOrDefault(request, Long.toString(request));
    }

    private static final String[] BPF_COMMANDS = {"BPF_MAP_CREATE", "BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM",
            "BPF_MAP_DELETE_ELEM", "BPF_MAP_GET_NEXT_KEY", "BPF_PROG_LOAD", "BPF_OBJ_PIN", "BPF_OBJ_GET", "BPF_PROG_ATTACH",
            "BPF_PROG_DETACH", "BPF_PROG_TEST_RUN", "BPF_PROG_GET_NEXT_ID", "BPF_MAP_GET_NEXT_ID", "BPF_PROG_GET_FD_BY_ID",
            "BPF_MAP_GET_FD_BY_ID", "BPF_OBJ_GET_INFO_BY_FD", "BPF_PROG_QUERY", "BPF_RAW_TRACEPOINT_OPEN", "BPF_BTF_LOAD"};

    /** bpf(2)'s command as the uapi names it (the first ones; a number beyond them). */
    public static String bpfCommand(long cmd) {
        return cmd >= 0 && cmd < BPF_COMMANDS.length ? BPF_COMMANDS[(int) cmd] : Long.toString(cmd);
    }

    public static String socketFamily(long family) {
        return FAMILIES.getOrDefault(family, Long.toString(family));
    }

    /** Open flags as Falco prints them: "O_WRONLY|O_CREAT|O_TRUNC". */
    public static String openFlags(int flags) {
        StringJoiner j = new StringJoiner("|");
        j.add(switch (flags & 3) {
            case 0 -> "O_RDONLY";
            case 1 -> "O_WRONLY";
            default -> "O_RDWR";
        });
        for (long[] f : OPEN_FLAGS) {
            if ((flags & f[0]) == f[0]) {
                j.add(OPEN_FLAG_NAMES[(int) f[1]]);
            }
        }
        return j.toString();
    }

    private static final String[] MOUNT_FLAG_NAMES = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS",
            "MS_REMOUNT", "MS_MANDLOCK", "MS_DIRSYNC", "MS_NOSYMFOLLOW", null, "MS_NOATIME", "MS_NODIRATIME", "MS_BIND",
            "MS_MOVE", "MS_REC", "MS_SILENT", "MS_POSIXACL", "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED",
            "MS_RELATIME", "MS_KERNMOUNT", "MS_I_VERSION", "MS_STRICTATIME", "MS_LAZYTIME"};
    private static final long MS_MGC_MSK = 0xffff0000L;
    private static final long MS_MGC_VAL = 0xc0ed0000L;

    /**
     * mount(2)'s flags as linux/mount.h names them ("MS_REMOUNT|MS_RDONLY"), bit 0 first; the old magic
     * number in the upper half (MS_MGC_VAL) dropped as the kernel drops it.
     */
    public static String mountFlags(long flags) {
        return bitNames((flags & MS_MGC_MSK) == MS_MGC_VAL ? flags & ~MS_MGC_MSK : flags, MOUNT_FLAG_NAMES);
    }

    private static final String[] MOUNT_ATTR_NAMES = new String[22];

    static {
        String[] low = {"MOUNT_ATTR_RDONLY", "MOUNT_ATTR_NOSUID", "MOUNT_ATTR_NODEV", "MOUNT_ATTR_NOEXEC",
                "MOUNT_ATTR_NOATIME", "MOUNT_ATTR_STRICTATIME", null, "MOUNT_ATTR_NODIRATIME"};
        System.arraycopy(low, 0, MOUNT_ATTR_NAMES, 0, low.length);
        MOUNT_ATTR_NAMES[20] = "MOUNT_ATTR_IDMAP";
        MOUNT_ATTR_NAMES[21] = "MOUNT_ATTR_NOSYMFOLLOW";
    }

    /** mount_setattr's attr_set/attr_clr as linux/mount.h names them ("MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID"). */
    public static String mountAttrs(long attrs) {
        return bitNames(attrs, MOUNT_ATTR_NAMES);
    }

    private static final String[] CLONE_FLAG_NAMES = new String[32];

    static {
        // linux/sched.h; bit 7 is CLONE_NEWTIME for unshare and setns (in clone's flags it is part of CSIGNAL)
        String[] high = {"CLONE_NEWTIME", "CLONE_VM", "CLONE_FS", "CLONE_FILES", "CLONE_SIGHAND", "CLONE_PIDFD",
                "CLONE_PTRACE", "CLONE_VFORK", "CLONE_PARENT", "CLONE_THREAD", "CLONE_NEWNS", "CLONE_SYSVSEM",
                "CLONE_SETTLS", "CLONE_PARENT_SETTID", "CLONE_CHILD_CLEARTID", "CLONE_DETACHED", "CLONE_UNTRACED",
                "CLONE_CHILD_SETTID", "CLONE_NEWCGROUP", "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWUSER", "CLONE_NEWPID",
                "CLONE_NEWNET", "CLONE_IO"};
        System.arraycopy(high, 0, CLONE_FLAG_NAMES, 7, high.length);
    }

    /**
     * unshare(2)'s flags and setns(2)'s nstype as linux/sched.h names them ("CLONE_NEWNS|CLONE_NEWNET"), the
     * names Falco prints for them; "" for setns's 0 (any type: the namespace file decides).
     */
    public static String cloneFlags(long flags) {
        return bitNames(flags, CLONE_FLAG_NAMES);
    }

    private static final String[] OPEN_TREE_FLAG_NAMES = new String[20];

    static {
        // linux/mount.h and linux/fcntl.h: OPEN_TREE_CLOEXEC is O_CLOEXEC (02000000)
        OPEN_TREE_FLAG_NAMES[0] = "OPEN_TREE_CLONE";
        OPEN_TREE_FLAG_NAMES[8] = "AT_SYMLINK_NOFOLLOW";
        OPEN_TREE_FLAG_NAMES[11] = "AT_NO_AUTOMOUNT";
        OPEN_TREE_FLAG_NAMES[12] = "AT_EMPTY_PATH";
        OPEN_TREE_FLAG_NAMES[15] = "AT_RECURSIVE";
        OPEN_TREE_FLAG_NAMES[19] = "OPEN_TREE_CLOEXEC";
    }

    /** open_tree(2)'s flags as the uapi names them ("OPEN_TREE_CLONE|AT_RECURSIVE"), bit 0 first. */
    public static String openTreeFlags(long flags) {
        return bitNames(flags, OPEN_TREE_FLAG_NAMES);
    }

    /** The names of the bits set, bit 0 first; a bit without a name as its value in hex (0x200). */
    private static String bitNames(long bits, String[] names) {
        StringJoiner j = new StringJoiner("|");
        for (int bit = 0; bit < 64; bit++) {
            long mask = 1L << bit;
            if ((bits & mask) != 0) {
                j.add(bit < names.length && names[bit] != null ? names[bit] : "0x" + Long.toHexString(mask));
            }
        }
        return j.toString();
    }

    private static final String[] MODE_NAMES = {"S_IXOTH", "S_IWOTH", "S_IROTH", "S_IXGRP", "S_IWGRP", "S_IRGRP",
            "S_IXUSR", "S_IWUSR", "S_IRUSR", "S_ISVTX", "S_ISGID", "S_ISUID"};

    /** Mode bits as Falco prints them ("S_IRUSR|S_ISUID"); "" for none or an unknown mode (-1). */
    public static String modeBits(int mode) {
        if (mode < 0) {
            return "";
        }
        StringJoiner j = new StringJoiner("|");
        for (int bit = MODE_NAMES.length - 1; bit >= 0; bit--) {
            if ((mode & (1 << bit)) != 0) {
                j.add(MODE_NAMES[bit]);
            }
        }
        return j.toString();
    }

    /** Whether an address lies in a network ("10.0.0.0/8", or one address); false for anything unparsable. */
    public static boolean inNet(String address, String cidr) {
        byte[] a = parse(address);
        int slash = cidr.indexOf('/');
        byte[] n = parse(slash < 0 ? cidr : cidr.substring(0, slash));
        if (a == null || n == null || a.length != n.length) {
            return false;
        }
        int bits;
        try {
            bits = slash < 0 ? a.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (n[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Whether text is an address or a network Falco's CIDR fields accept. */
    public static boolean isNet(String cidr) {
        int slash = cidr.indexOf('/');
        byte[] n = parse(slash < 0 ? cidr : cidr.substring(0, slash));
        if (n == null) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        try {
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            return bits >= 0 && bits <= n.length * 8;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Numeric IPv4/IPv6 text only: never a name lookup. */
    private static byte[] parse(String text) {
        if (text == null || text.isEmpty() || !(text.contains(":") || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null;
        }
        if (!text.contains(":") && text.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private record Resolved(List<String> addresses, long atNanos) {}

    private static final ConcurrentHashMap<String, Resolved> NAMES = new ConcurrentHashMap<>();
    private static final long NAME_TTL_NANOS = 60_000_000_000L;

    /**
     * Whether an address is one of a host name's, as Falco's fd.sip.name compares: the name is
     * resolved by the system resolver (as Falco's DNS manager does) and kept a minute.
     */
    public static boolean resolvesTo(String address, String name) {
        long now = System.nanoTime();
        Resolved r = NAMES.get(name);
        if (r == null || now - r.atNanos() > NAME_TTL_NANOS) {
            List<String> addrs = new ArrayList<>();
            try {
                for (InetAddress a : InetAddress.getAllByName(name)) {
                    addrs.add(a.getHostAddress());
                }
            } catch (UnknownHostException | SecurityException e) {
                // a name that does not resolve matches no address, until it does
            }
            r = new Resolved(List.copyOf(addrs), now);
            NAMES.put(name, r);
        }
        return r.addresses().contains(address);
    }
}
