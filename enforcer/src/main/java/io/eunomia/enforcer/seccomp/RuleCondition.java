package io.eunomia.enforcer.seccomp;

import io.eunomia.abi.Capability;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code includes} or {@code excludes} of a moby rule: capabilities of the container, the
 * host's architecture (libseccomp's short names: "amd64", "arm64"), the host kernel's version.
 * Docker and podman evaluate these when a container starts; OCI runtimes never see them.
 *
 * @param caps      capability names as written ({@code CAP_SYS_ADMIN})
 * @param arches    short architecture names, as written
 * @param minKernel a kernel version ("4.8"), when given
 */
public record RuleCondition(List<Capability> caps, List<String> arches, Optional<KernelVersion> minKernel) {
    public static final RuleCondition NONE = new RuleCondition(List.of(), List.of(), Optional.empty());

    public RuleCondition {
        caps = List.copyOf(caps);
        arches = List.copyOf(arches);
    }

    public static RuleCondition arches(List<String> arches) {
        return new RuleCondition(List.of(), arches, Optional.empty());
    }

    public static RuleCondition caps(List<Capability> caps) {
        return new RuleCondition(caps, List.of(), Optional.empty());
    }

    public boolean isEmpty() {
        return caps.isEmpty() && arches.isEmpty() && minKernel.isEmpty();
    }

    /** The same condition with lists sorted and without repeats (order does not matter to runtimes). */
    public RuleCondition normalized() {
        return new RuleCondition(caps.stream().distinct().sorted().toList(), arches.stream().distinct().sorted().toList(),
                minKernel);
    }

    /**
     * As an {@code includes}: every capability is in the bounding set, the host architecture is
     * listed, the kernel is at least minKernel (Docker's semantics).
     */
    boolean includes(String hostShortArch, Set<Capability> bounding, KernelVersion kernel) {
        if (!arches.isEmpty() && !arches.contains(hostShortArch)) {
            return false;
        }
        if (!bounding.containsAll(caps)) {
            return false;
        }
        return minKernel.map(v -> kernel.compareTo(v) >= 0).orElse(true);
    }

    /**
     * As an {@code excludes}: the rule is left out when the host architecture is listed, when any
     * capability is in the bounding set, or when the kernel is at least minKernel.
     */
    boolean excludes(String hostShortArch, Set<Capability> bounding, KernelVersion kernel) {
        if (arches.contains(hostShortArch)) {
            return true;
        }
        if (caps.stream().anyMatch(bounding::contains)) {
            return true;
        }
        return minKernel.map(v -> kernel.compareTo(v) >= 0).orElse(false);
    }
}
