package io.eunomia.profiler;

import io.eunomia.event.ContainerInfo;
import java.util.List;
import java.util.Optional;

/**
 * What to learn: containers by name or id (which need not exist yet), every container of an
 * image (one profile for all of them), or every container.
 *
 * @param containers    names, ids or id prefixes (12+ hex digits)
 * @param images        image references: every container of one of them goes into the image's profile
 * @param allContainers every container, each its own profile
 */
public record LearnSelection(List<String> containers, List<String> images, boolean allContainers) {
    public LearnSelection {
        containers = List.copyOf(containers);
        images = List.copyOf(images);
        if (containers.isEmpty() && images.isEmpty() && !allContainers) {
            throw new IllegalArgumentException("nothing to learn: name containers, images or all containers");
        }
    }

    /** The profile a container's namespace goes into, empty when it is not selected. */
    public Optional<ProfileKey> profileOf(ContainerInfo c) {
        if (c.isHost() || !c.isResolved() || c.id().isEmpty()) {
            return Optional.empty();
        }
        for (String ref : containers) {
            if (c.matches(ref)) {
                return Optional.of(ProfileKey.of(c));
            }
        }
        for (String image : images) {
            if (sameImage(image, c.image())) {
                return Optional.of(new ProfileKey(image, image));
            }
        }
        return allContainers ? Optional.of(ProfileKey.of(c)) : Optional.empty();
    }

    /** Exactly one profile can come out of it (what {@code --out FILE} needs). */
    public boolean singleProfile() {
        return !allContainers && containers.size() + images.size() == 1;
    }

    /**
     * "busybox" names "busybox:latest" and "docker.io/library/busybox:latest" too; otherwise
     * references must be equal.
     */
    static boolean sameImage(String wanted, String actual) {
        return normalise(wanted).equals(normalise(actual));
    }

    private static String normalise(String image) {
        String s = image.strip();
        for (String prefix : List.of("docker.io/library/", "docker.io/", "localhost/")) {
            if (s.startsWith(prefix)) {
                s = s.substring(prefix.length());
                break;
            }
        }
        int slash = s.lastIndexOf('/');
        if (s.indexOf(':', slash + 1) < 0 && !s.contains("@")) {
            s = s + ":latest";
        }
        return s;
    }

    /**
     * Whose profile: a container's name and image (learning the same name and image again
     * continues it), or an image's for every container of the image.
     */
    public record ProfileKey(String name, String image) {
        static ProfileKey of(ContainerInfo c) {
            return new ProfileKey(c.name().isEmpty() ? c.id() : c.name(), c.image());
        }

        public boolean matches(ProfileMetadata m) {
            return m.name().equals(name) && (m.image().equals(image) || sameImage(m.image(), image));
        }
    }
}
