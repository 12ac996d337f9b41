package io.eunomia.enforcer.kernel;

import io.eunomia.event.ContainerInfo;
import java.util.List;
import java.util.Optional;

/**
 * Which profile a container gets: one that names it (by name or id) first, then one for its
 * image (an image's own profile before a container profile learned with that image). Host
 * processes and containers nobody could identify get none.
 */
public final class ProfileMatcher {
    private final List<ProfileTarget> targets;

    public ProfileMatcher(List<ProfileTarget> targets) {
        this.targets = List.copyOf(targets);
    }

    public Optional<ProfileTarget> match(ContainerInfo c) {
        if (c.isHost() || !c.isResolved() || c.id().isEmpty()) {
            return Optional.empty();
        }
        for (ProfileTarget t : targets) {
            if (t.selectsByName(c)) {
                return Optional.of(t);
            }
        }
        Optional<ProfileTarget> container = Optional.empty();
        for (ProfileTarget t : targets) {
            if (t.selectsByImage(c)) {
                if (t.isImageProfile() || !(t.selector() instanceof ProfileTarget.Selector.Own)) {
                    return Optional.of(t);
                }
                container = container.or(() -> Optional.of(t));
            }
        }
        return container;
    }

    public List<ProfileTarget> targets() {
        return targets;
    }
}
