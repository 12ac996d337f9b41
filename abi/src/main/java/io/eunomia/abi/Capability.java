package io.eunomia.abi;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Linux capabilities in kernel order: {@code ordinal() == number()}, so an {@code EnumSet} maps to
 * the kernel's bit mask. Matches linux/capability.h up to CAP_LAST_CAP (40, unchanged up to 6.18);
 * a test checks this list against the header, the generated capabilities.tsv and capsh.
 */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP,
    LINUX_IMMUTABLE, NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER,
    SYS_MODULE, SYS_RAWIO, SYS_CHROOT, SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE,
    SYS_RESOURCE, SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE, AUDIT_WRITE, AUDIT_CONTROL, SETFCAP,
    MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ, PERFMON, BPF,
    CHECKPOINT_RESTORE;

    private static final Capability[] BY_NUMBER = values();
    private static final String PREFIX = "CAP_";
    private static final Map<String, Capability> BY_NAME = HashMap.newHashMap(BY_NUMBER.length);

    static {
        for (Capability cap : BY_NUMBER) {
            BY_NAME.put(cap.name(), cap);
        }
    }

    /** The kernel's capability number (bit in CapEff, argument of cap_capable). */
    public int number() {
        return ordinal();
    }

    /** {@code CAP_SYS_ADMIN}: the form of Docker's {@code --cap-add} and OCI configs. */
    public String capName() {
        return PREFIX + name();
    }

    /** {@code sys_admin}: for display. */
    public String shortName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Capability> of(int number) {
        return number >= 0 && number < BY_NUMBER.length ? Optional.of(BY_NUMBER[number]) : Optional.empty();
    }

    /** Accepts {@code CAP_SYS_ADMIN}, {@code SYS_ADMIN}, {@code sys_admin}, {@code cap_sys_admin}, ... */
    public static Optional<Capability> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.strip().toUpperCase(Locale.ROOT);
        if (s.startsWith(PREFIX)) {
            s = s.substring(PREFIX.length());
        }
        return Optional.ofNullable(BY_NAME.get(s));
    }
}
