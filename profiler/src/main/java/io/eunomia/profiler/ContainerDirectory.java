package io.eunomia.profiler;

import io.eunomia.event.ContainerInfo;
import java.util.Optional;

/**
 * Which container a mount namespace belongs to, for the learner. The kernel-backed directory
 * resolves namespaces seen in events and running processes; tests give their own.
 */
public interface ContainerDirectory {
    /**
     * The container of a namespace, identified by number and id (the number alone is reused);
     * empty while it cannot be told completely yet (the learner files a namespace for good by
     * what this says). {@link ContainerInfo#HOST} for the host's.
     */
    Optional<ContainerInfo> container(long mntns, long namespaceId);

    /**
     * Whether an identity (an event's, say) is complete enough to file a namespace by for good:
     * resolved, not the host, and named (docker and podman name every container, so one whose
     * name is its id was not fully read yet; so does CRI-O, and "conmon" is podman's or CRI-O's).
     */
    default boolean complete(ContainerInfo c) {
        if (!c.isResolved() || c.isHost() || c.id().isEmpty()) {
            return false;
        }
        return switch (c.runtime()) {
            case "docker", "podman", "conmon" -> !c.name().equals(c.id());
            default -> true;
        };
    }

    /** Whether this is the host's mount namespace (an event's container label may say host while a new container is still being identified). */
    boolean isHost(long mntns);

    /**
     * Mount namespaces with a live process now (containers that run but have not been seen yet),
     * by number and id: a number alone may be a dead namespace's, reused by the next one.
     */
    java.util.Set<Namespace> liveNamespaces();

    /**
     * A mount namespace by number and id.
     *
     * @param namespaceId ioctl NS_GET_MNTNS_ID, never reused; 0 when the kernel tells no ids (before 6.8)
     */
    record Namespace(long mntns, long namespaceId) {}

    /** Whether some process still lives in the namespace. */
    boolean alive(long mntns, long namespaceId);

    /** The OCI runtime that set the container up, with its version ("unknown" when its state is not found yet). */
    RuntimeInfo runtime(ContainerInfo container);

    /**
     * Calls {@code found} once with the container's runtime when it is found after {@link #runtime}
     * said "unknown" (a runtime writes its state a moment after the container's first events); at
     * once when it is known. On the directory's thread: take it over, do not work there. Default:
     * never (a directory whose first answer is final).
     */
    default void whenRuntimeFound(ContainerInfo container, java.util.function.Consumer<RuntimeInfo> found) {
    }

    /** Whether a process runs with no_new_privs set; empty when it cannot be read (gone). */
    Optional<Boolean> noNewPrivs(int pid);

    /**
     * SHA-256 of the file a process runs, if it still runs {@code exe} and reading it is cheap;
     * empty otherwise.
     */
    Optional<String> sha256(int pid, String exe);

    /**
     * SHA-256 of the file at {@code exe} inside the root directory a namespace's processes ran in,
     * for an exec whose process was gone before {@link #sha256} could read it (a workload of a
     * millisecond); empty when that root cannot be reached. Default: never.
     */
    default Optional<String> sha256InRoot(long namespaceId, String exe) {
        return Optional.empty();
    }
}
