package io.eunomia.bpf.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A containerd container as containerd itself records it: its image and labels (the kubelet's
 * {@code io.kubernetes.pod.name}, {@code io.kubernetes.pod.namespace},
 * {@code io.kubernetes.container.name}), from containerd's metadata store
 * ({@code ROOT/io.containerd.metadata.v1.bolt/meta.db}, read-only, buckets
 * {@code v1/NAMESPACE/containers/ID}). The OCI spec runc keeps holds annotations only: labels set
 * on the container (by the kubelet's CRI calls, or {@code ctr run --label}) are only here.
 */
final class ContainerdMetadata {
    /** containerd's default root; ContainerSources adds others. */
    static final Path DEFAULT_ROOT = Path.of("/var/lib/containerd");
    private static final Path DB = Path.of("io.containerd.metadata.v1.bolt", "meta.db");
    private static final Path CONTENT = Path.of("io.containerd.content.v1.content", "blobs");

    /** What containerd (at {@code root}) keeps about a container: its image reference (may be empty) and labels. */
    record Record(Path root, String namespace, String image, Map<String, String> labels) {
        /** A label's value, or {@code fallback} when it is missing or empty. */
        String label(String key, String fallback) {
            String v = labels.get(key);
            return v == null || v.isEmpty() ? fallback : v;
        }
    }

    /**
     * The namespace a container's runc state says: the shim's bundle is
     * {@code .../io.containerd.runtime.v2.task/NAMESPACE/ID}; null when the bundle says nothing.
     */
    static String namespaceOf(Path bundle) {
        if (bundle == null || bundle.getParent() == null || bundle.getParent().getFileName() == null) {
            return null;
        }
        Path tasks = bundle.getParent().getParent();
        return tasks != null && tasks.getFileName() != null && tasks.getFileName().toString().startsWith("io.containerd.runtime.")
                ? bundle.getParent().getFileName().toString() : null;
    }

    private ContainerdMetadata() {}

    /**
     * The container {@code id} in the metadata stores of {@code roots}, in {@code namespace} first
     * (the one its runc state root names), then in any other.
     */
    static Optional<Record> lookup(List<Path> roots, String preferredNamespace, String id) {
        if (!CgroupPatterns.isSafeOciId(id)) {
            return Optional.empty();
        }
        for (Path root : roots) {
            Path db = root.resolve(DB);
            if (!Files.isRegularFile(db)) {
                continue;
            }
            try (BoltFile f = BoltFile.open(db)) {
                Optional<BoltFile.Bucket> v1 = f.bucket(f.root(), "v1");
                if (v1.isEmpty()) {
                    continue;
                }
                Optional<Record> r = inNamespace(f, root, v1.get(), preferredNamespace, id);
                if (r.isEmpty()) {
                    for (String ns : namespaces(f, v1.get())) {
                        r = r.or(() -> ns.equals(preferredNamespace) ? Optional.empty() : inNamespace(f, root, v1.get(), ns, id));
                    }
                }
                if (r.isPresent()) {
                    return r;
                }
            } catch (IOException | BoltFile.Malformed e) {
                // Unreadable now (being rewritten, or not ours to read): the runtime state still names the container.
            }
        }
        return Optional.empty();
    }

    private static Optional<Record> inNamespace(BoltFile f, Path root, BoltFile.Bucket v1, String ns, String id) {
        if (ns == null || ns.isEmpty()) {
            return Optional.empty();
        }
        return f.bucket(v1, ns).flatMap(n -> f.bucket(n, "containers")).flatMap(cs -> f.bucket(cs, id)).map(c ->
                new Record(root, ns, f.value(c, "image").orElse(""), f.bucket(c, "labels").map(f::values).orElse(Map.of())));
    }

    /**
     * The labels of an image's config ({@code config.Labels}) as containerd holds it: the image
     * record {@code v1/NAMESPACE/images/NAME/target} names a manifest (or an index: the manifest for
     * this machine's platform), its blobs are in ROOT/io.containerd.content.v1.content/blobs/sha256.
     * The CRI plugin and {@code ctr run} copy these into the container's labels. A container without
     * an image ({@code ctr run --rootfs}) has none. Missing when containerd holds no such
     * image; unreadable when its records cannot be read now.
     */
    static ImageLabels imageLabels(Record container, ImageLabelCache cache) {
        Path root = container.root();
        String namespace = container.namespace();
        String image = container.image();
        if (image.isEmpty()) {
            return new ImageLabels.Known(Map.of());
        }
        Optional<String> manifest;
        try (BoltFile f = BoltFile.open(root.resolve(DB))) {
            manifest = f.bucket(f.root(), "v1").flatMap(v1 -> f.bucket(v1, namespace)).flatMap(n -> f.bucket(n, "images"))
                    .flatMap(is -> f.bucket(is, image)).flatMap(i -> f.bucket(i, "target")).flatMap(t -> f.value(t, "digest"));
        } catch (IOException | BoltFile.Malformed e) {
            return new ImageLabels.Unreadable("containerd's metadata at " + root + ": " + e);
        }
        if (manifest.isEmpty()) {
            return new ImageLabels.Missing("containerd " + root + " namespace " + namespace + " has no image " + image);
        }
        Path blobs = root.resolve(CONTENT);
        return ImageConfig.configDigest(blobs, manifest.get())
                .map(config -> cache.get(config, () -> ImageConfig.labels(blobs, config)))
                .orElseGet(() -> new ImageLabels.Unreadable("manifest " + manifest.get() + " of " + image + " in " + blobs
                        + " unreadable"));
    }

    /** The namespaces of the store: the sub-buckets of v1. */
    private static List<String> namespaces(BoltFile f, BoltFile.Bucket v1) {
        return f.subBuckets(v1);
    }
}
