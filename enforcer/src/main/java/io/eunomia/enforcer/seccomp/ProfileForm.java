package io.eunomia.enforcer.seccomp;

/** The kinds of file a seccomp profile is read from and written to. */
public enum ProfileForm {
    /** moby JSON: what {@code docker/podman run --security-opt seccomp=FILE} take (conditional rules allowed). */
    DOCKER,
    /** The OCI runtime spec's {@code linux.seccomp} object (or a whole config.json holding one). */
    OCI,
    /** A Security Profiles Operator {@code SeccompProfile} object (Kubernetes). */
    KUBERNETES
}
