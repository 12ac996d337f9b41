package io.eunomia.abi;

import java.util.Locale;
import java.util.Optional;

/**
 * The syscall ABIs whose numbers we know: the native 64-bit ones and x86 (ia32), the 32-bit ABI an
 * x86_64 kernel also serves ({@code int $0x80}), which numbers its calls differently.
 */
public enum Arch {
    X86_64("x86_64", "SCMP_ARCH_X86_64", "AUDIT_ARCH_X86_64", 0xC000_003E),
    X86("x86", "SCMP_ARCH_X86", "AUDIT_ARCH_I386", 0x4000_0003),
    AARCH64("aarch64", "SCMP_ARCH_AARCH64", "AUDIT_ARCH_AARCH64", 0xC000_00B7);

    private final String id;
    private final String seccompName;
    private final String auditArchName;
    private final int auditArch;

    Arch(String id, String seccompName, String auditArchName, int auditArch) {
        this.id = id;
        this.seccompName = seccompName;
        this.auditArchName = auditArchName;
        this.auditArch = auditArch;
    }

    /** The kernel's name ({@code uname -m}), which libseccomp's tools also take ({@code -a x86_64}). */
    public String id() {
        return id;
    }

    /** The name in Docker/OCI seccomp profiles ({@code architectures}, {@code archMap}). */
    public String seccompName() {
        return seccompName;
    }

    /** The {@code AUDIT_ARCH_*} constant's name from linux/audit.h. */
    public String auditArchName() {
        return auditArchName;
    }

    /**
     * The {@code AUDIT_ARCH_*} value (ELF machine | 64-bit | little-endian): what the kernel puts in
     * {@code seccomp_data.arch} and audit records, so a filter can reject foreign syscall numbers.
     */
    public int auditArch() {
        return auditArch;
    }

    /**
     * The 32-bit ABI a kernel of this architecture also serves, whose calls the sensors keep apart
     * (x86 for x86_64). Empty for aarch64: aarch32's table is not bundled yet.
     */
    public Optional<Arch> compat() {
        return this == X86_64 ? Optional.of(X86) : Optional.empty();
    }

    /** The architecture this JVM runs on. */
    public static Arch current() {
        String osArch = System.getProperty("os.arch");
        return fromOsArch(osArch).orElseThrow(() -> new IllegalStateException(
                "unsupported architecture os.arch=" + osArch + "; supported: x86_64 (amd64), aarch64 (arm64)"));
    }

    /** Maps Java's {@code os.arch} (amd64, aarch64) or a kernel/Go name (x86_64, arm64). */
    public static Optional<Arch> fromOsArch(String osArch) {
        return switch (osArch == null ? "" : osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64" -> Optional.of(X86_64);
            case "aarch64", "arm64" -> Optional.of(AARCH64);
            case "x86", "i386", "i686", "ia32" -> Optional.of(X86);
            default -> Optional.empty();
        };
    }

    /** Accepts {@link #id()} or {@link #seccompName()}, case-insensitively, and os.arch spellings. */
    public static Optional<Arch> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.strip();
        for (Arch arch : values()) {
            if (arch.seccompName.equalsIgnoreCase(s)) {
                return Optional.of(arch);
            }
        }
        return fromOsArch(s);
    }
}
