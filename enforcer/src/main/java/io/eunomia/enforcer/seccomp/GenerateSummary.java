package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.caps.CapabilitySet;
import io.eunomia.enforcer.caps.DockerDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The lines people read after generating: per architecture, how many calls the profile allows
 * against the runtime's default profile, and the capabilities kept against Docker's 14.
 */
public final class GenerateSummary {
    private GenerateSummary() {
    }

    /**
     * @param runtime the runtime asked for (docker, podman, ...) or empty; podman compares with
     *                containers-common's profile, every other runtime with Docker's default
     */
    public static List<String> lines(SeccompGenerator.Result r, CapabilitySet caps, Optional<String> runtime) {
        List<String> out = new ArrayList<>();
        for (Arch arch : r.arches()) {
            int allowed = r.profile().evaluate(arch, caps.keep(), KernelVersion.running()).allowedNames().size();
            int baseline = r.baselineAdded().getOrDefault(arch, java.util.Set.of()).size();
            Optional<DefaultProfiles.Allowed> reference = runtime.filter("podman"::equals).isPresent()
                    ? DefaultProfiles.podman(arch, DockerDefaults.PODMAN_CAPABILITIES).or(() -> DefaultProfiles.docker(arch))
                    : DefaultProfiles.docker(arch);
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s: %d syscalls allowed (%d learned + %d for %s's "
                    + "set-up)", arch.id(), allowed, allowed - baseline, baseline, r.ociRuntime()));
            reference.ifPresentOrElse(ref -> {
                int theirs = ref.syscalls().size();
                b.append(String.format(Locale.ROOT, "; %s allows %d: %d%% fewer", ref.name(), theirs,
                        Math.round(100.0 * (theirs - allowed) / theirs)));
            }, () -> b.append("; no default profile measured for ").append(arch.id()).append(" to compare with"));
            out.add(b.toString());
        }
        String kept = caps.keep().isEmpty() ? "none" : caps.keep().stream().map(Capability::name).collect(Collectors.joining(", "));
        String line = String.format(Locale.ROOT, "capabilities: %d kept (%s) vs Docker's default %d: %d of those dropped",
                caps.keep().size(), kept, DockerDefaults.CAPABILITIES.size(), caps.droppedFromDockerDefault().size());
        if (!caps.beyondDockerDefault().isEmpty()) {
            line += "; beyond Docker's default: " + caps.beyondDockerDefault().stream().map(Capability::name)
                    .collect(Collectors.joining(", "));
        }
        out.add(line);
        if (!caps.triedDenied().isEmpty()) {
            out.add("tried and refused while learning (not kept): " + caps.triedDenied().stream().map(Capability::name)
                    .collect(Collectors.joining(", ")));
        }
        return out;
    }
}
