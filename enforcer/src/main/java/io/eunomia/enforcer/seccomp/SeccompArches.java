package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The architecture names seccomp profiles use: {@code SCMP_ARCH_*} in {@code architectures} and
 * {@code archMap}, and libseccomp's short names ("amd64", "arm64", ...) in a rule's
 * {@code includes.arches}/{@code excludes.arches}, which Docker and podman compare with the host's
 * architecture. Each maps to the column of libseccomp's syscall table that holds its numbers.
 */
public final class SeccompArches {
    /** SCMP_ARCH_X86_64 → libseccomp table column ("x86_64"). */
    private static final Map<String, String> SCMP_TO_TABLE = new LinkedHashMap<>();
    /** "amd64" → SCMP_ARCH_X86_64. */
    private static final Map<String, String> SHORT_TO_SCMP = new LinkedHashMap<>();

    static {
        scmp("X86", "x86");
        scmp("X86_64", "x86_64");
        scmp("X32", "x32");
        scmp("ARM", "arm");
        scmp("AARCH64", "aarch64");
        scmp("LOONGARCH64", "loongarch64");
        scmp("M68K", "m68k");
        scmp("MIPS", "mips");
        scmp("MIPSEL", "mips");
        scmp("MIPS64", "mips64");
        scmp("MIPSEL64", "mips64");
        scmp("MIPS64N32", "mips64n32");
        scmp("MIPSEL64N32", "mips64n32");
        scmp("PARISC", "parisc");
        scmp("PARISC64", "parisc64");
        scmp("PPC", "ppc");
        scmp("PPC64", "ppc64");
        scmp("PPC64LE", "ppc64");
        scmp("RISCV64", "riscv64");
        scmp("S390", "s390");
        scmp("S390X", "s390x");
        scmp("SH", "sh");
        scmp("SHEB", "sh");
        // libseccomp's names as moby/containers-common spell them in includes/excludes.arches
        shortName("x86", "X86");
        shortName("amd64", "X86_64");
        shortName("x32", "X32");
        shortName("arm", "ARM");
        shortName("arm64", "AARCH64");
        shortName("loong64", "LOONGARCH64");
        shortName("loongarch64", "LOONGARCH64");
        shortName("m68k", "M68K");
        shortName("mips", "MIPS");
        shortName("mipsle", "MIPSEL");
        shortName("mipsel", "MIPSEL");
        shortName("mips64", "MIPS64");
        shortName("mipsel64", "MIPSEL64");
        shortName("mips64n32", "MIPS64N32");
        shortName("mipsel64n32", "MIPSEL64N32");
        shortName("mips3l64n32", "MIPSEL64N32"); // moby's spelling
        shortName("parisc", "PARISC");
        shortName("parisc64", "PARISC64");
        shortName("ppc", "PPC");
        shortName("ppc64", "PPC64");
        shortName("ppc64le", "PPC64LE");
        shortName("riscv64", "RISCV64");
        shortName("s390", "S390");
        shortName("s390x", "S390X");
        shortName("sh", "SH");
        shortName("sheb", "SHEB");
    }

    private SeccompArches() {
    }

    private static void scmp(String suffix, String tableColumn) {
        SCMP_TO_TABLE.put("SCMP_ARCH_" + suffix, tableColumn);
    }

    private static void shortName(String name, String scmpSuffix) {
        SHORT_TO_SCMP.put(name, "SCMP_ARCH_" + scmpSuffix);
    }

    /** Whether {@code SCMP_ARCH_...} is an architecture libseccomp knows. */
    public static boolean isScmpName(String name) {
        return SCMP_TO_TABLE.containsKey(name);
    }

    public static Set<String> scmpNames() {
        return SCMP_TO_TABLE.keySet();
    }

    /** Whether "amd64", "arm64", ... is a name includes/excludes.arches may use. */
    public static boolean isShortName(String name) {
        return SHORT_TO_SCMP.containsKey(name);
    }

    public static Set<String> shortNames() {
        return SHORT_TO_SCMP.keySet();
    }

    /** "amd64" → SCMP_ARCH_X86_64. */
    public static Optional<String> scmpOfShortName(String shortName) {
        return Optional.ofNullable(SHORT_TO_SCMP.get(shortName));
    }

    /** SCMP_ARCH_X86_64 → "x86_64", the column of libseccomp's syscall table. */
    public static Optional<String> tableColumn(String scmpName) {
        return Optional.ofNullable(SCMP_TO_TABLE.get(scmpName));
    }

    /** The short name Docker compares includes.arches with on a host of this architecture ("amd64"). */
    public static String shortName(Arch arch) {
        return switch (arch) {
            case X86_64 -> "amd64";
            case AARCH64 -> "arm64";
            case X86 -> "x86";
        };
    }

    /** Our architecture of a {@code SCMP_ARCH_*} name, when we have its syscall table. */
    public static Optional<Arch> arch(String scmpName) {
        for (Arch a : Arch.values()) {
            if (a.seccompName().equals(scmpName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
