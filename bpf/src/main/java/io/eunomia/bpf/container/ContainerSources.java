package io.eunomia.bpf.container;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where container metadata lives on this host.
 *
 * @param stateRoots    OCI runtime state directories (one sub-directory per container) and the
 *                      runtime or engine that owns each
 * @param dockerSockets Docker Engine API sockets to ask for names, images and labels
 * @param containerdRoots containerd roots ({@code --root}, default /var/lib/containerd) whose
 *                      metadata store names containerd's containers (image, kubelet labels)
 * @param podmanEventLogs podman's event logs (file backend) that name its containers, also those
 *                      removed with {@code --rm} before anyone asked, with no API service running
 * @param podmanJournals journal directories (journald backend, podman's default where journald runs)
 *                      whose podman entries name its containers the same way
 * @param podmanGraphRoots podman's storage graph roots, whose images' labels tell which of a
 *                      container's labels its image may have set (a container whose bundle is
 *                      gone no longer says which storage it ran from)
 * @param dockerRetryAfter how long a Docker Engine API that timed out or refused is not asked
 *                      ({@link #DEFAULT_DOCKER_RETRY_AFTER}): a hung daemon costs one timeout per
 *                      this, not one per container
 */
public record ContainerSources(List<StateRoot> stateRoots, List<Path> dockerSockets, List<Path> containerdRoots,
                               List<Path> podmanEventLogs, List<Path> podmanJournals, List<Path> podmanGraphRoots,
                               Duration dockerRetryAfter) {
    /** Where podman as root logs its events with the file backend: its tmp_dir (/run/libpod), events/events.log. */
    public static final Path DEFAULT_PODMAN_EVENT_LOG = Path.of("/run/libpod/events/events.log");
    /** Where journald keeps the system journal: persistent, and volatile (before a flush, or with Storage=volatile). */
    public static final List<Path> DEFAULT_JOURNALS = List.of(Path.of("/var/log/journal"), Path.of("/run/log/journal"));
    /** podman's graph root as root by default (storage.conf {@code graphroot}). */
    public static final Path DEFAULT_PODMAN_GRAPH_ROOT = Path.of("/var/lib/containers/storage");
    /** A daemon that hung costs one API timeout (500 ms) per 5 s at most. */
    public static final Duration DEFAULT_DOCKER_RETRY_AFTER = Duration.ofSeconds(5);

    /**
     * An OCI state directory, e.g. /run/runc (plain runc), /run/docker/runtime-runc/moby (docker).
     *
     * @param engine what to call containers found here: runc, crun, docker, podman, containerd
     */
    public record StateRoot(Path dir, String engine) {}

    public ContainerSources {
        stateRoots = List.copyOf(stateRoots);
        dockerSockets = List.copyOf(dockerSockets);
        containerdRoots = List.copyOf(containerdRoots);
        podmanEventLogs = List.copyOf(podmanEventLogs);
        podmanJournals = List.copyOf(podmanJournals);
        podmanGraphRoots = List.copyOf(podmanGraphRoots);
        java.util.Objects.requireNonNull(dockerRetryAfter, "dockerRetryAfter");
    }

    public ContainerSources(List<StateRoot> stateRoots, List<Path> dockerSockets, List<Path> containerdRoots,
                            List<Path> podmanEventLogs, List<Path> podmanJournals, List<Path> podmanGraphRoots) {
        this(stateRoots, dockerSockets, containerdRoots, podmanEventLogs, podmanJournals, podmanGraphRoots,
                DEFAULT_DOCKER_RETRY_AFTER);
    }

    public ContainerSources(List<StateRoot> stateRoots, List<Path> dockerSockets, List<Path> containerdRoots) {
        this(stateRoots, dockerSockets, containerdRoots, List.of(DEFAULT_PODMAN_EVENT_LOG), DEFAULT_JOURNALS,
                List.of(DEFAULT_PODMAN_GRAPH_ROOT));
    }

    public ContainerSources(List<StateRoot> stateRoots, List<Path> dockerSockets) {
        this(stateRoots, dockerSockets, List.of(ContainerdMetadata.DEFAULT_ROOT));
    }

    /** The usual places for runc, crun, docker, containerd and podman run as root. */
    public static ContainerSources defaults() {
        return new ContainerSources(List.of(
                new StateRoot(Path.of("/run/docker/runtime-runc/moby"), "docker"),
                new StateRoot(Path.of("/run/containerd/runc/k8s.io"), "containerd"),
                new StateRoot(Path.of("/run/containerd/runc/moby"), "docker"),
                new StateRoot(Path.of("/run/runc"), "runc"),
                new StateRoot(Path.of("/run/crun"), "crun")),
                List.of(Path.of("/var/run/docker.sock")));
    }

    public ContainerSources withStateRoot(Path dir, String engine) {
        return new ContainerSources(first(new StateRoot(dir, engine), stateRoots), dockerSockets, containerdRoots,
                podmanEventLogs, podmanJournals, podmanGraphRoots, dockerRetryAfter);
    }

    public ContainerSources withDockerSocket(Path socket) {
        return new ContainerSources(stateRoots, first(socket, dockerSockets), containerdRoots, podmanEventLogs,
                podmanJournals, podmanGraphRoots, dockerRetryAfter);
    }

    /** Another containerd whose metadata store names its containers (a containerd started with {@code --root DIR}). */
    public ContainerSources withContainerdRoot(Path root) {
        return new ContainerSources(stateRoots, dockerSockets, first(root, containerdRoots), podmanEventLogs,
                podmanJournals, podmanGraphRoots, dockerRetryAfter);
    }

    /** Another podman event log (a podman whose containers.conf sets {@code events_logfile_path} or {@code tmp_dir}). */
    public ContainerSources withPodmanEventLog(Path log) {
        return new ContainerSources(stateRoots, dockerSockets, containerdRoots, first(log, podmanEventLogs),
                podmanJournals, podmanGraphRoots, dockerRetryAfter);
    }

    /** Another journal directory with podman's events (a journald of its own, a host's journal mounted elsewhere). */
    public ContainerSources withPodmanJournal(Path dir) {
        return new ContainerSources(stateRoots, dockerSockets, containerdRoots, podmanEventLogs,
                first(dir, podmanJournals), podmanGraphRoots, dockerRetryAfter);
    }

    /**
     * No podman event log of either backend, not even the default ones: podman's containers are named
     * by its API service or its records.
     */
    public ContainerSources withoutPodmanEventLogs() {
        return new ContainerSources(stateRoots, dockerSockets, containerdRoots, List.of(), List.of(), podmanGraphRoots,
                dockerRetryAfter);
    }

    /** Another podman storage (a podman whose storage.conf sets {@code graphroot}). */
    public ContainerSources withPodmanGraphRoot(Path graphRoot) {
        return new ContainerSources(stateRoots, dockerSockets, containerdRoots, podmanEventLogs, podmanJournals,
                first(graphRoot, podmanGraphRoots), dockerRetryAfter);
    }

    /**
     * Another wait before a Docker API that timed out or refused is asked again: tests of a daemon
     * that comes back need not wait out the product's 5 s.
     */
    public ContainerSources withDockerRetryAfter(Duration retryAfter) {
        return new ContainerSources(stateRoots, dockerSockets, containerdRoots, podmanEventLogs, podmanJournals,
                podmanGraphRoots, retryAfter);
    }

    /** A new list: {@code head}, then {@code rest} (a source added later is asked first). */
    private static <T> List<T> first(T head, List<T> rest) {
        List<T> all = new java.util.ArrayList<>(rest.size() + 1);
        all.add(head);
        all.addAll(rest);
        return all; // the record copies it
    }
}
