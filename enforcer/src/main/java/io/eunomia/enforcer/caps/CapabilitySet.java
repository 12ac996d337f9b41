package io.eunomia.enforcer.caps;

import io.eunomia.abi.Capability;
import io.eunomia.profiler.CapabilityUse;
import io.eunomia.profiler.Profile;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The capabilities a container should keep: those its workload was granted when it checked them.
 * Capabilities it tried and was refused are listed apart: the workload ran without them, so it
 * does not need them (a refused check is often a probe, e.g. a program trying to raise a limit).
 *
 * @param keep         granted during learning: to add after dropping all
 * @param triedDenied  checked and refused, never granted: left out
 * @param userIds      the user ids the workload ran as (a non-root workload keeps capabilities
 *                     only through the ambient set)
 */
public record CapabilitySet(Set<Capability> keep, Set<Capability> triedDenied, Set<Integer> userIds) {
    public CapabilitySet {
        keep = Collections.unmodifiableSet(keep.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(keep));
        EnumSet<Capability> denied = triedDenied.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(triedDenied);
        denied.removeAll(keep);
        triedDenied = Collections.unmodifiableSet(denied);
        userIds = Set.copyOf(userIds);
    }

    /** From learned profiles (their union). */
    public static CapabilitySet of(List<Profile> profiles) {
        EnumSet<Capability> granted = EnumSet.noneOf(Capability.class);
        EnumSet<Capability> denied = EnumSet.noneOf(Capability.class);
        java.util.TreeSet<Integer> users = new java.util.TreeSet<>();
        for (Profile p : profiles) {
            p.capsGranted().values().stream().map(CapabilityUse::capability).forEach(granted::add);
            p.capsDenied().values().stream().map(CapabilityUse::capability).forEach(denied::add);
            users.addAll(p.metadata().userIds());
        }
        return new CapabilitySet(granted, denied, users);
    }

    /** Whether the workload ran as a user other than root (then the ambient set carries the capabilities). */
    public boolean nonRoot() {
        return userIds.stream().anyMatch(u -> u != 0);
    }

    /** Docker's default capabilities this set drops. */
    public Set<Capability> droppedFromDockerDefault() {
        EnumSet<Capability> d = EnumSet.copyOf(DockerDefaults.CAPABILITIES);
        d.removeAll(keep);
        return d;
    }

    /** Capabilities kept that Docker does not give by default (must be added explicitly). */
    public Set<Capability> beyondDockerDefault() {
        EnumSet<Capability> d = keep.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(keep);
        d.removeAll(DockerDefaults.CAPABILITIES);
        return d;
    }
}
