package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which syscall names exist, and where. For x86_64, x86 and aarch64 our own tables
 * ({@link SyscallTable}, from the kernel headers) decide; for the other architectures libseccomp's
 * table ({@code libseccomp-syscalls.tsv}, generated from its {@code syscalls.csv}) does. A name no
 * architecture has is a typo: runtimes skip such names without a word.
 */
public final class SyscallNames {
    /** The libseccomp release Debian 12's runc, crun and podman are built with. */
    public static final String DEBIAN_LIBSECCOMP = "2.5.4";

    /** @param arches libseccomp table columns that have the call; @param since first release that resolves it, or "next" */
    private record Entry(Set<String> arches, String since) {}

    private static final Map<String, Entry> LIBSECCOMP = load();

    private SyscallNames() {
    }

    private static Map<String, Entry> load() {
        Map<String, Entry> m = new HashMap<>();
        try (InputStream in = SyscallNames.class.getResourceAsStream("libseccomp-syscalls.tsv")) {
            if (in == null) {
                throw new IllegalStateException("libseccomp-syscalls.tsv is missing from the jar: rebuild");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                m.put(f[0], new Entry(Set.of(f[1].split(",")), f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }

    /** Whether some architecture has a syscall of this name. */
    public static boolean known(String name) {
        if (LIBSECCOMP.containsKey(name)) {
            return true;
        }
        for (Arch a : Arch.values()) {
            if (SyscallTable.of(a).number(name).isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Whether architecture {@code scmpArch} ({@code SCMP_ARCH_...}) has the call. */
    public static boolean existsOn(String name, String scmpArch) {
        Optional<Arch> ours = SeccompArches.arch(scmpArch);
        if (ours.isPresent()) {
            return SyscallTable.of(ours.get()).number(name).isPresent();
        }
        Entry e = LIBSECCOMP.get(name);
        return e != null && SeccompArches.tableColumn(scmpArch).map(e.arches()::contains).orElse(false);
    }

    /** Whether any of these architectures has it. */
    public static boolean existsOnAny(String name, Collection<String> scmpArches) {
        return scmpArches.stream().anyMatch(a -> existsOn(name, a));
    }

    /** The SCMP_ARCH names of the architectures that have the call, sorted. */
    public static Set<String> archesOf(String name) {
        Set<String> out = new TreeSet<>();
        for (String a : SeccompArches.scmpNames()) {
            if (existsOn(name, a)) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * The first libseccomp release that resolves the name ("2.5.4" means that release or older),
     * "next" for none released yet; empty when libseccomp does not know it at all.
     */
    public static Optional<String> libseccompSince(String name) {
        Entry e = LIBSECCOMP.get(name);
        return e == null ? Optional.empty() : Optional.of(e.since());
    }

    /** Whether Debian 12's libseccomp (2.5.4), and so its runc/crun/podman, resolves the name. */
    public static boolean knownToDebianLibseccomp(String name) {
        return libseccompSince(name).map(DEBIAN_LIBSECCOMP::equals).orElse(false);
    }

    /** Up to three known names closest to a misspelt one (edit distance at most 2). */
    public static List<String> suggestions(String name) {
        TreeSet<String> all = new TreeSet<>(LIBSECCOMP.keySet());
        for (Arch a : Arch.values()) {
            all.addAll(SyscallTable.of(a).names());
        }
        return all.stream().filter(n -> distance(n, name) <= 2)
                .sorted((x, y) -> Integer.compare(distance(x, name), distance(y, name)))
                .limit(3).toList();
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) {
            return 3;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
