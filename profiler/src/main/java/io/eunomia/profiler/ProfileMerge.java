package io.eunomia.profiler;

import io.eunomia.abi.Arch;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The union of profiles: runs of one container, or replicas of one image. */
public final class ProfileMerge {
    private ProfileMerge() {}

    /** Profiles learned on hosts of different native architectures, refused unless asked for. */
    public static final class ArchitectureMismatchException extends IllegalArgumentException {
        public ArchitectureMismatchException(String message) {
            super(message);
        }
    }

    /**
     * The union of {@code profiles} (in order: the first one's name and image are kept).
     *
     * @param allowMixedArchitectures merge profiles learned on hosts of different native
     *                                architectures (x86_64 and aarch64) too; otherwise that is an error
     */
    public static Profile merge(List<Profile> profiles, boolean allowMixedArchitectures) {
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        Profile first = profiles.getFirst();
        Set<Arch> natives = nativeArches(first);
        Profile out = first;
        for (Profile p : profiles.subList(1, profiles.size())) {
            Set<Arch> other = nativeArches(p);
            if (!allowMixedArchitectures && !natives.isEmpty() && !other.isEmpty() && !natives.equals(other)) {
                throw new ArchitectureMismatchException("profile " + p.metadata().name() + " was learned on " + ids(other)
                        + ", " + first.metadata().name() + " on " + ids(natives)
                        + "; merge profiles of one architecture, or allow mixed architectures");
            }
            if (natives.isEmpty()) {
                natives = other;
            }
            out = out.union(p);
        }
        return out;
    }

    /** The architectures a profile has native calls in (the compat ABI of another left out). */
    static Set<Arch> nativeArches(Profile p) {
        Set<Arch> out = EnumSet.noneOf(Arch.class);
        for (Arch a : p.arches()) {
            boolean isCompat = false;
            for (Arch n : Arch.values()) {
                isCompat |= n.compat().filter(c -> c == a).isPresent();
            }
            if (!isCompat) {
                out.add(a);
            }
        }
        return out;
    }

    private static String ids(Set<Arch> arches) {
        return String.join("+", arches.stream().map(Arch::id).toList());
    }
}
