package io.eunomia.enforcer.kernel;

import io.eunomia.event.ContainerInfo;
import io.eunomia.profiler.LearnSelection;
import io.eunomia.profiler.Profile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A profile to enforce and the containers it is for.
 *
 * @param name     how alerts name it (the profile's name, or its file's)
 * @param file     the file it was read from (where {@code --update} writes), null when it has none
 *                 or came from several files
 * @param profile  what was learned
 * @param selector which containers it applies to
 */
public record ProfileTarget(String name, Path file, Profile profile, Selector selector) {
    /** Which containers a profile applies to. */
    public sealed interface Selector {
        /** Containers the profile was learned for: its name (a container's name or id), or its image. */
        record Own() implements Selector {}

        /** A container by name, id or id prefix (need not exist yet). */
        record Container(String ref) implements Selector {}

        /** Every container of an image. */
        record Image(String ref) implements Selector {}
    }

    public ProfileTarget withProfile(Profile p) {
        return new ProfileTarget(name, file, p, selector);
    }

    /** Whether the selector names this container itself (not only its image). */
    boolean selectsByName(ContainerInfo c) {
        return switch (selector) {
            case Selector.Container s -> c.matches(s.ref());
            case Selector.Own o -> !isImageProfile() && c.matches(profile.metadata().name());
            case Selector.Image i -> false;
        };
    }

    /** Whether it is for every container of this container's image. */
    boolean selectsByImage(ContainerInfo c) {
        String image = switch (selector) {
            case Selector.Image i -> i.ref();
            case Selector.Own o -> profile.metadata().image();
            case Selector.Container s -> "";
        };
        return !image.isEmpty() && new LearnSelection(List.of(), List.of(image), false).profileOf(c).isPresent();
    }

    /** The name of the container it was learned for, when it applies to that container by name. */
    public Optional<String> containerName() {
        return selector instanceof Selector.Own && !isImageProfile() ? Optional.of(profile.metadata().name()) : Optional.empty();
    }

    /** A profile learned for every container of an image (its name is the image). */
    boolean isImageProfile() {
        return profile.metadata().name().equals(profile.metadata().image());
    }

    /** The file to update, when there is exactly one. */
    public Optional<Path> updatable() {
        return Optional.ofNullable(file);
    }
}
