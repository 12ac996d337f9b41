package io.eunomia.enforcer.seccomp;

import java.nio.file.Path;

/**
 * Where a node's kubelet finds {@code Localhost} seccomp profiles: under
 * {@code /var/lib/kubelet/seccomp}, named in a pod's {@code securityContext.seccompProfile
 * .localhostProfile} relative to it. Eunomia's files go to {@code profiles/NAME.json}, NAME made
 * a Kubernetes name (no separator, no leading dot: nothing outside the directory can be named).
 */
public final class KubeletLocalhost {
    /** The kubelet's seccomp root, relative to the node's root. */
    public static final Path SECCOMP_ROOT = Path.of("var/lib/kubelet/seccomp");
    /** Eunomia's directory under it. */
    public static final String DIRECTORY = "profiles";

    private KubeletLocalhost() {
    }

    /** What the pod names: {@code profiles/NAME.json}. */
    public static String localhostProfile(String profileName) {
        return DIRECTORY + "/" + KubernetesProfileWriter.objectName(profileName) + ".json";
    }

    /** The file on a node whose root is {@code root} ({@code /}, or where the node's root is mounted). */
    public static Path file(Path root, String profileName) {
        return root.resolve(SECCOMP_ROOT).resolve(localhostProfile(profileName));
    }

    /** The pod (or container) securityContext that uses it. */
    public static String securityContext(String profileName) {
        return "securityContext:\n  seccompProfile:\n    type: Localhost\n    localhostProfile: " + localhostProfile(profileName) + "\n";
    }
}
