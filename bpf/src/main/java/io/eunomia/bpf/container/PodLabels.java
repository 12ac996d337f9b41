package io.eunomia.bpf.container;

import java.util.Map;

/**
 * The Kubernetes identity a container's labels claim: its pod, the pod's namespace and its name in
 * the pod (the kubelet's {@code io.kubernetes.*} labels). Docker, podman and containerd (its CRI
 * plugin and {@code ctr run}) copy the image's labels into the container's, so an image can claim
 * any pod: only values the image does not hold too are the runner's (the kubelet's, through the CRI
 * or cri-dockerd, set at create and winning over the image's).
 */
record PodLabels(String podName, String podNamespace, String containerName) {
    static final String POD_NAME = "io.kubernetes.pod.name";
    static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    static final String CONTAINER_NAME = "io.kubernetes.container.name";
    static final PodLabels NONE = new PodLabels("", "", "");

    PodLabels {
        podName = podName == null ? "" : podName;
        podNamespace = podNamespace == null ? "" : podNamespace;
        containerName = containerName == null ? "" : containerName;
    }

    /** What a container's labels claim. */
    static PodLabels of(Map<String, String> labels) {
        return new PodLabels(labels.get(POD_NAME), labels.get(POD_NAMESPACE), labels.get(CONTAINER_NAME));
    }

    boolean isEmpty() {
        return podName.isEmpty() && podNamespace.isEmpty() && containerName.isEmpty();
    }

    /**
     * Without every value the image's labels hold under the same key: the image may have set it.
     * (A pod whose real namespace is what its image claims loses it too: the kubelet's label and the
     * image's cannot be told apart once merged. Its events then match no namespace-scoped exception:
     * more alerts, never fewer.)
     */
    PodLabels notFromImage(Map<String, String> imageLabels) {
        return new PodLabels(unless(podName, imageLabels.get(POD_NAME)), unless(podNamespace, imageLabels.get(POD_NAMESPACE)),
                unless(containerName, imageLabels.get(CONTAINER_NAME)));
    }

    /** How many values this has that {@code kept} has not. */
    int droppedIn(PodLabels kept) {
        return dropped(podName, kept.podName) + dropped(podNamespace, kept.podNamespace)
                + dropped(containerName, kept.containerName);
    }

    private static String unless(String value, String imageValue) {
        return value.equals(imageValue) ? "" : value;
    }

    private static int dropped(String before, String after) {
        return !before.isEmpty() && after.isEmpty() ? 1 : 0;
    }
}
