package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container as an OCI runtime's state directory describes it: runc keeps
 * {@code ROOT/ID/state.json} (init_process_pid, config.labels "bundle=..."), crun
 * {@code ROOT/ID/status} (pid, bundle). Annotations come from the bundle's config.json.
 */
record OciState(String id, String engine, int initPid, Path bundle, Map<String, String> annotations) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(OciState.class.getName());
    private static final String CONFIG = "config.json";
    /** config.json: a few KiB; annotations may carry more, but not megabytes. */
    static final long MAX_CONFIG = 1 << 20;
    private static final java.util.concurrent.atomic.LongAdder REFUSED = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.AtomicBoolean refusalLogged = new java.util.concurrent.atomic.AtomicBoolean();

    /** Reads ROOT/ID if it is a container's state directory; empty otherwise (or when it vanished). */
    static Optional<OciState> read(ContainerSources.StateRoot root, String id) {
        if (!CgroupPatterns.isSafeOciId(id)) {
            return Optional.empty();
        }
        Path dir = root.dir().resolve(id);
        try {
            Path runc = dir.resolve("state.json");
            Path crun = dir.resolve("status");
            if (Files.isRegularFile(runc)) {
                JsonNode s = JSON.readTree(runc.toFile());
                Path bundle = null;
                for (JsonNode label : s.path("config").path("labels")) {
                    String l = label.asText();
                    if (l.startsWith("bundle=")) {
                        bundle = Path.of(l.substring("bundle=".length()));
                    }
                }
                return Optional.of(new OciState(s.path("id").asText(id), root.engine(), s.path("init_process_pid").asInt(0),
                        bundle, bundleAnnotations(bundle, false)));
            }
            if (Files.isRegularFile(crun)) {
                JsonNode s = JSON.readTree(crun.toFile());
                Path bundle = s.hasNonNull("bundle") ? Path.of(s.path("bundle").asText()) : null;
                return Optional.of(new OciState(id, root.engine(), s.path("pid").asInt(0), bundle, bundleAnnotations(bundle, false)));
            }
        } catch (IOException | RuntimeException e) {
            // Half-written or removed while we read it: treat as not there.
        }
        return Optional.empty();
    }

    /** Every container of a state root. */
    static List<OciState> list(ContainerSources.StateRoot root) {
        List<OciState> out = new ArrayList<>();
        try (var dirs = Files.list(root.dir())) {
            for (Path d : dirs.toList()) {
                read(root, d.getFileName().toString()).ifPresent(out::add);
            }
        } catch (IOException e) {
            // No such runtime here.
        }
        return out;
    }

    /**
     * The annotations of a bundle's config.json; empty when it has none or is gone. Read as
     * {@link RootOnlyDirectory} reads: from a bundle directory only root can change, a regular
     * root-owned file of at most {@link #MAX_CONFIG} bytes (a FIFO there would block this thread, a
     * user's file claim a pod). {@code withoutLinks}: the bundle came off a runtime's command line, so
     * no link is followed to it (a runtime's own state may name one reached through a link).
     * Refusals are counted ({@link #refusedBundles}) and said once.
     */
    static Map<String, String> bundleAnnotations(Path bundle, boolean withoutLinks) {
        Map<String, String> out = new LinkedHashMap<>();
        if (bundle == null) {
            return out;
        }
        byte[] config;
        try (RootOnlyDirectory dir = withoutLinks ? RootOnlyDirectory.openWithoutLinks(bundle) : RootOnlyDirectory.open(bundle)) {
            if (!dir.has(CONFIG)) {
                return out;
            }
            config = dir.read(CONFIG, MAX_CONFIG);
        } catch (java.nio.file.NoSuchFileException e) {
            return out; // the bundle is gone
        } catch (IOException | RuntimeException e) {
            REFUSED.increment();
            if (!refusalLogged.getAndSet(true)) {
                LOG.log(System.Logger.Level.WARNING, "bundle config " + bundle.resolve(CONFIG) + " not read: " + e.getMessage()
                        + "; its annotations (pod, name, image) are not used (logged once; counted)");
            }
            return out;
        }
        try {
            JSON.readTree(config).path("annotations").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (IOException | RuntimeException e) {
            // A bundle without a readable config has no annotations.
        }
        return out;
    }

    /** Bundle configs not read because they or their directory were not root's alone, or too big. */
    static long refusedBundles() {
        return REFUSED.sum();
    }
}
