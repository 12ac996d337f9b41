package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import io.eunomia.abi.Capability;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A learned profile: what one container (or every container of an image) needed. Immutable; the
 * file form is described in {@code policies/schema/profile-v1.schema.json} and read and written
 * by {@link ProfileFiles}.
 *
 * @param metadata       whose it is and how it was learned
 * @param architectures  syscalls and argument values by ABI (only ABIs that were used)
 * @param capsGranted    capabilities checked and granted, by capability
 * @param capsDenied     capabilities checked and refused (kept apart: a refused check is not a need)
 * @param executables    programs run, by path
 */
public record Profile(ProfileMetadata metadata, SortedMap<Arch, ArchProfile> architectures,
                      SortedMap<Capability, CapabilityUse> capsGranted, SortedMap<Capability, CapabilityUse> capsDenied,
                      SortedMap<String, Executable> executables) {
    /** The {@code apiVersion} of files this build reads and writes. */
    public static final String API_VERSION = "eunomia.io/v1";
    /** The {@code kind} of a learned profile file. */
    public static final String KIND = "LearnedProfile";

    public Profile {
        Objects.requireNonNull(metadata, "metadata");
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>();
        architectures.forEach((arch, p) -> {
            if (p.arch() != arch) {
                throw new IllegalArgumentException("profile of " + p.arch().id() + " filed under " + arch.id());
            }
            if (!p.isEmpty()) {
                arches.put(arch, p);
            }
        });
        architectures = Collections.unmodifiableSortedMap(arches);
        capsGranted = keyed(capsGranted);
        capsDenied = keyed(capsDenied);
        TreeMap<String, Executable> exes = new TreeMap<>();
        executables.forEach((path, e) -> {
            if (!path.equals(e.path())) {
                throw new IllegalArgumentException("executable keyed " + path + " has path " + e.path());
            }
            exes.put(path, e);
        });
        executables = Collections.unmodifiableSortedMap(exes);
    }

    private static SortedMap<Capability, CapabilityUse> keyed(Map<Capability, CapabilityUse> caps) {
        TreeMap<Capability, CapabilityUse> copy = new TreeMap<>();
        caps.forEach((cap, use) -> {
            if (use.capability() != cap) {
                throw new IllegalArgumentException(use.capability() + " filed under " + cap);
            }
            copy.put(cap, use);
        });
        return Collections.unmodifiableSortedMap(copy);
    }

    /** A profile with nothing learned yet. */
    public static Profile empty(ProfileMetadata metadata) {
        return new Profile(metadata, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    public Set<Arch> arches() {
        return architectures.keySet();
    }

    /** The profile of one ABI, empty when the container made no call in it. */
    public ArchProfile arch(Arch arch) {
        ArchProfile p = architectures.get(arch);
        return p != null ? p : ArchProfile.empty(arch);
    }

    /** Syscalls, capabilities (granted and denied) and executables learned: what "items learned" counts. */
    public int itemCount() {
        int n = capsGranted.size() + capsDenied.size() + executables.size();
        for (ArchProfile p : architectures.values()) {
            n += p.workload().size() + p.runtime().size();
        }
        return n;
    }

    public Profile withMetadata(ProfileMetadata m) {
        return new Profile(m, architectures, capsGranted, capsDenied, executables);
    }

    /**
     * The union of this profile and another (runs of the same container, or replicas): every
     * syscall, argument value, capability and executable of either, earliest first-seen times,
     * counts added. Metadata: this profile's name and image, both sides' containers and runtimes.
     */
    public Profile union(Profile other) {
        TreeMap<Arch, ArchProfile> arches = new TreeMap<>(architectures);
        other.architectures.forEach((arch, p) -> arches.merge(arch, p, ArchProfile::union));
        TreeMap<Capability, CapabilityUse> granted = new TreeMap<>(capsGranted);
        other.capsGranted.forEach((c, u) -> granted.merge(c, u, CapabilityUse::union));
        TreeMap<Capability, CapabilityUse> denied = new TreeMap<>(capsDenied);
        other.capsDenied.forEach((c, u) -> denied.merge(c, u, CapabilityUse::union));
        TreeMap<String, Executable> exes = new TreeMap<>(executables);
        other.executables.forEach((p, e) -> exes.merge(p, e, Executable::union));
        return new Profile(metadata.union(other.metadata), arches, granted, denied, exes);
    }
}
