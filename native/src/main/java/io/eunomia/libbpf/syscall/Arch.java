package io.eunomia.libbpf.syscall;

import java.util.Locale;
import java.util.Optional;

/** The CPU architectures whose syscall numbers we know. */
public enum Arch {
    X86_64("x86_64", "SCMP_ARCH_X86_64", "AUDIT_ARCH_X86_64", 0xC000_003E),
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
