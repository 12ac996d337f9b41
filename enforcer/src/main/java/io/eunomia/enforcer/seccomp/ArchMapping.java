package io.eunomia.enforcer.seccomp;

import java.util.List;

/**
 * An {@code archMap} entry of a moby profile: when the host is {@code architecture}, the filter
 * also covers {@code subArchitectures} (e.g. x86 and x32 calls on an x86_64 host).
 */
public record ArchMapping(String architecture, List<String> subArchitectures) {
    public ArchMapping {
        subArchitectures = List.copyOf(subArchitectures);
    }
}
