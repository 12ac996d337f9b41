package io.eunomia.profiler;

import io.eunomia.event.ContainerInfo;
import io.eunomia.profiler.LearnSelection.ProfileKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which container a profile learned by container name is: the first one filed under it, by
 * runtime and id. Another container with that name (one of another runtime, or a new container
 * given a removed one's name) is not mixed into it. A profile by image gathers every container of
 * the image by design and is not claimed.
 */
final class ProfileClaims {
    /** The owner of a claimed profile: "runtime/id". */
    private final Map<ProfileKey, String> owners = new HashMap<>();
    /** Profile names only a container of this runtime may claim (the workload learn -- COMMAND started). */
    private final Map<String, String> runtimes = new HashMap<>();

    /** Only a container of this runtime may claim profiles of this name. */
    void requireRuntime(String name, String runtime) {
        runtimes.put(name, runtime);
    }

    /**
     * Empty when the container may go into the profile (claiming it if it is the first); else why
     * not, for a warning.
     */
    Optional<String> refusal(ProfileKey key, ContainerInfo c, boolean byImage) {
        if (byImage) {
            return Optional.empty();
        }
        String runtime = runtimes.get(key.name());
        if (runtime != null && !runtime.equals(c.runtime())) {
            return Optional.of("container " + c.name() + " (" + c.runtime() + ", id " + c.id() + ") is not the "
                    + runtime + " container being learned under that name: not learned");
        }
        String me = c.runtime() + "/" + c.id();
        String owner = owners.putIfAbsent(key, me);
        if (owner == null || owner.equals(me)) {
            return Optional.empty();
        }
        return Optional.of("container " + c.name() + " (" + c.runtime() + ", id " + c.id() + ") has the name of the "
                + "container learned as " + key.name() + " (" + owner.replaceFirst("/", ", id ") + "): not learned "
                + "into its profile (learn it on its own with --container ID)");
    }
}
