package io.eunomia.event;

/**
 * Which container a process belongs to.
 *
 * @param id           full container id (64 hex for docker/podman/CRI; the user's id for runc/crun);
 *                     "host" for host processes; empty when it could not be resolved
 * @param name         container name ("web-1"); "host" for the host
 * @param image        image name or reference; empty when the runtime has none
 * @param runtime      docker, podman, containerd, cri-o, runc, crun, conmon (podman or CRI-O, not told yet); "host"; "unknown" when unresolved
 * @param podName      Kubernetes pod name from CRI labels, empty when none
 * @param podNamespace Kubernetes namespace from CRI labels, empty when none
 */
public record ContainerInfo(String id, String name, String image, String runtime, String podName,
                            String podNamespace) {
    public static final ContainerInfo HOST = new ContainerInfo("host", "host", "", "host", "", "");
    public static final ContainerInfo UNRESOLVED = new ContainerInfo("", "", "", "unknown", "", "");

    public boolean isHost() {
        return "host".equals(runtime);
    }

    public boolean isResolved() {
        return !"unknown".equals(runtime);
    }

    /**
     * Whether a user's reference names this container: its id, its name, or an unambiguous id
     * prefix of at least 12 hex digits (what docker and podman print).
     */
    public boolean matches(String ref) {
        if (ref.isEmpty()) {
            return false;
        }
        return ref.equals(id) || ref.equals(name)
                || (ref.length() >= 12 && id.startsWith(ref) && ref.chars().allMatch(c -> Character.digit(c, 16) >= 0));
    }

    /** The 12-character short id docker and podman print, or the id itself when shorter. */
    public String shortId() {
        return id.length() > 12 && id.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? id.substring(0, 12) : id;
    }
}
