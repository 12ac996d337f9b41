package io.eunomia.enforcer.seccomp;

import com.fasterxml.jackson.databind.JsonNode;
import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What runtimes allow by default, to compare a generated profile with: Docker's default as dockerd
 * gives it to runc (measured, {@code docker-default-allowed.json}), and podman's, read from
 * containers-common's {@code /usr/share/containers/seccomp.json} when it is installed.
 */
public final class DefaultProfiles {
    public static final Path CONTAINERS_COMMON = Path.of("/usr/share/containers/seccomp.json");

    /** A default's allowed calls on one architecture and where the list comes from. */
    public record Allowed(String name, Arch arch, Set<String> syscalls, String source) {
        public Allowed {
            syscalls = java.util.Collections.unmodifiableSet(new TreeSet<>(syscalls));
        }
    }

    private static final Allowed DOCKER = load();

    private DefaultProfiles() {
    }

    private static Allowed load() {
        try (InputStream in = DefaultProfiles.class.getResourceAsStream("docker-default-allowed.json")) {
            if (in == null) {
                throw new IllegalStateException("docker-default-allowed.json is missing from the jar: rebuild");
            }
            JsonNode root = Json.MAPPER.readTree(in);
            Set<String> names = new TreeSet<>();
            root.path("allowed").forEach(n -> names.add(n.asText()));
            return new Allowed("Docker's default", Arch.parse(root.path("arch").asText()).orElseThrow(), names,
                    root.path("source").asText() + " (" + root.path("measured").asText() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Docker's default on x86_64 (measured there only). */
    public static Optional<Allowed> docker(Arch arch) {
        return arch == DOCKER.arch() ? Optional.of(DOCKER) : Optional.empty();
    }

    /** podman's default: containers-common's profile evaluated for podman's default capabilities. */
    public static Optional<Allowed> podman(Arch arch, Set<Capability> defaultCaps) {
        if (!Files.isRegularFile(CONTAINERS_COMMON)) {
            return Optional.empty();
        }
        try {
            SeccompProfile p = SeccompProfileReader.read(CONTAINERS_COMMON).profile();
            return Optional.of(new Allowed("podman's default", arch,
                    p.evaluate(arch, defaultCaps, KernelVersion.running()).allowedNames(),
                    CONTAINERS_COMMON + " (containers-common), evaluated for podman's default capabilities"));
        } catch (SeccompProfileException e) {
            return Optional.empty();
        }
    }
}
