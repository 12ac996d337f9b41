package io.eunomia.enforcer.seccomp;

import com.fasterxml.jackson.databind.JsonNode;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import io.eunomia.enforcer.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What each OCI runtime needs between applying the seccomp filter and exec'ing the workload, with
 * and without no_new_privileges: measured data ({@code runtime-baselines.json}, with its source),
 * which a generated profile must allow on top of the workload's calls or the container never
 * starts ("error closing exec fds: operation not permitted").
 *
 * <p>Docker, podman (with its default runc) and containerd all run runc's init, so they share
 * runc's baseline; the data unites what was measured through each of them.
 */
public final class RuntimeBaselines {
    /** One baseline: the calls, on which architecture they were measured, and where the data comes from. */
    public record Baseline(String runtime, boolean noNewPrivileges, Arch arch, Set<String> syscalls, String source) {
        public Baseline {
            syscalls = java.util.Collections.unmodifiableSet(new TreeSet<>(syscalls));
        }
    }

    private record Entry(String runtime, String version, boolean noNewPrivileges, Arch arch, List<String> syscalls,
                         List<String> via) {}

    private static final String SOURCE;
    private static final List<Entry> ENTRIES;

    static {
        try (InputStream in = RuntimeBaselines.class.getResourceAsStream("runtime-baselines.json")) {
            if (in == null) {
                throw new IllegalStateException("runtime-baselines.json is missing from the jar: rebuild");
            }
            JsonNode root = Json.MAPPER.readTree(in);
            SOURCE = root.path("source").asText() + " (" + root.path("measured").asText() + ")";
            List<Entry> entries = new ArrayList<>();
            for (JsonNode b : root.path("baselines")) {
                List<String> names = new ArrayList<>();
                b.path("syscalls").forEach(n -> names.add(n.asText()));
                List<String> via = new ArrayList<>();
                b.path("measuredVia").forEach(n -> via.add(n.asText()));
                entries.add(new Entry(b.path("runtime").asText(), b.path("version").asText(),
                        b.path("noNewPrivileges").asBoolean(), Arch.parse(b.path("arch").asText()).orElseThrow(),
                        names, via));
            }
            ENTRIES = List.copyOf(entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RuntimeBaselines() {
    }

    /** The OCI runtimes with data ("runc", "crun"). */
    public static Set<String> runtimes() {
        Set<String> out = new TreeSet<>();
        ENTRIES.forEach(e -> out.add(e.runtime()));
        return out;
    }

    /**
     * The baseline of an OCI runtime ("runc", "crun") on {@code arch}. Where it was not measured on
     * that architecture, the names measured elsewhere that {@code arch} has are used, and the
     * source says so.
     */
    public static Optional<Baseline> of(String runtime, boolean noNewPrivileges, Arch arch) {
        String rt = runtime.toLowerCase(Locale.ROOT);
        List<Entry> matching = ENTRIES.stream().filter(e -> e.runtime().equals(rt) && e.noNewPrivileges() == noNewPrivileges)
                .toList();
        if (matching.isEmpty()) {
            return Optional.empty();
        }
        Optional<Entry> here = matching.stream().filter(e -> e.arch() == arch).findFirst();
        if (here.isPresent()) {
            Entry e = here.get();
            return Optional.of(new Baseline(rt, noNewPrivileges, arch, new TreeSet<>(e.syscalls()), e.runtime() + " "
                    + e.version() + " measured on " + e.arch().id() + " through " + String.join(", ", e.via()) + "; "
                    + SOURCE));
        }
        Entry other = matching.getFirst();
        SyscallTable table = SyscallTable.of(arch);
        TreeSet<String> names = new TreeSet<>();
        other.syscalls().stream().filter(n -> table.number(n).isPresent()).forEach(names::add);
        return Optional.of(new Baseline(rt, noNewPrivileges, arch, names, other.runtime() + " " + other.version()
                + " measured on " + other.arch().id() + " only (names " + arch.id() + " has); " + SOURCE));
    }
}
