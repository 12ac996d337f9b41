package io.eunomia.bpf.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A container as an OCI runtime's state directory describes it: runc keeps
 * {@code ROOT/ID/state.json} (init_process_pid, config.labels "bundle=..."), crun
 * {@code ROOT/ID/status} (pid, bundle). Annotations come from the bundle's config.json.
 */
record OciState(String id, String engine, int initPid, Path bundle, Map<String, String> annotations) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(OciState.class.getName());
    private static final String CONFIG = "config.json";
    private static final String RUNC_STATE = "state.json";
    private static final String CRUN_STATE = "status";
    /** config.json: a few KiB; annotations may carry more, but not megabytes. */
    static final long MAX_CONFIG = 1 << 20;
    /** state.json holds the container's whole config (its annotations too): bounded as config.json is. */
    static final long MAX_STATE = MAX_CONFIG;
    private static final LongAdder REFUSED_BUNDLES = new LongAdder();
    private static final AtomicBoolean BUNDLE_REFUSAL_LOGGED = new AtomicBoolean();
    private static final LongAdder REFUSED_STATES = new LongAdder();
    private static final AtomicBoolean STATE_REFUSAL_LOGGED = new AtomicBoolean();
    private static final String STATE_UNUSED = "its containers are named from their cgroup and runtime command line alone";

    /**
     * Reads ROOT/ID if it is a container's state directory; empty otherwise (or when it vanished).
     * Read as {@link RootOnlyDirectory} reads: ROOT (which may be reached through a link: it is
     * configured, or named by a runtime the host's root runs) must be root's alone, ROOT/ID a
     * directory and not a link, its state file a regular root-owned file of at most
     * {@link #MAX_STATE} bytes, none of them a link: what is read is what the runtime wrote, not a
     * file a link planted there leads to. Refusals are counted ({@link #refusedStates}) and said once.
     */
    static Optional<OciState> read(ContainerSources.StateRoot root, String id) {
        if (!CgroupPatterns.isSafeOciId(id)) {
            return Optional.empty();
        }
        try (RootOnlyDirectory dir = RootOnlyDirectory.open(root.dir())) {
            return read(root, dir, id);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // no such runtime here
        } catch (IOException | RuntimeException e) {
            refused(REFUSED_STATES, STATE_REFUSAL_LOGGED, "runtime state root " + root.dir(), STATE_UNUSED, e);
            return Optional.empty();
        }
    }

    /** Every container of a state root. */
    static List<OciState> list(ContainerSources.StateRoot root) {
        List<OciState> out = new ArrayList<>();
        try (RootOnlyDirectory dir = RootOnlyDirectory.open(root.dir())) {
            for (String id : dir.names(CgroupPatterns::isSafeOciId)) {
                read(root, dir, id).ifPresent(out::add);
            }
        } catch (NoSuchFileException e) {
            // No such runtime here.
        } catch (IOException | RuntimeException e) {
            refused(REFUSED_STATES, STATE_REFUSAL_LOGGED, "runtime state root " + root.dir(), STATE_UNUSED, e);
        }
        return out;
    }

    /** ROOT/ID through ROOT's descriptor: runc's state.json or crun's status. */
    private static Optional<OciState> read(ContainerSources.StateRoot root, RootOnlyDirectory rootDir, String id) {
        byte[] runc = null;
        byte[] crun = null;
        try (RootOnlyDirectory dir = rootDir.child(id)) {
            if (dir.has(RUNC_STATE)) {
                runc = dir.read(RUNC_STATE, MAX_STATE);
            } else if (dir.has(CRUN_STATE)) {
                crun = dir.read(CRUN_STATE, MAX_STATE);
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty(); // not there, removed while we looked, or a file of root's: no container
        } catch (IOException | RuntimeException e) {
            refused(REFUSED_STATES, STATE_REFUSAL_LOGGED, "runtime state " + root.dir().resolve(id), STATE_UNUSED, e);
            return Optional.empty();
        }
        try {
            if (runc != null) {
                JsonNode s = JSON.readTree(runc);
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
            if (crun != null) {
                JsonNode s = JSON.readTree(crun);
                Path bundle = s.hasNonNull("bundle") ? Path.of(s.path("bundle").asText()) : null;
                return Optional.of(new OciState(id, root.engine(), s.path("pid").asInt(0), bundle, bundleAnnotations(bundle, false)));
            }
        } catch (IOException | RuntimeException e) {
            // Half-written: treat as not there.
        }
        return Optional.empty();
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
        } catch (NoSuchFileException e) {
            return out; // the bundle is gone
        } catch (IOException | RuntimeException e) {
            refused(REFUSED_BUNDLES, BUNDLE_REFUSAL_LOGGED, "bundle config " + bundle.resolve(CONFIG),
                    "its annotations (pod, name, image) are not used", e);
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
        return REFUSED_BUNDLES.sum();
    }

    /**
     * Looks at a runtime's state not read: its root not root's alone, ROOT/ID or its state file a
     * link, not a directory or regular file, not root's, or too big. That container is named from
     * its cgroup and runtime command line alone.
     */
    static long refusedStates() {
        return REFUSED_STATES.sum();
    }

    /** Counts a refusal; the first of its kind is said, with what was refused, why, and what it costs. */
    private static void refused(LongAdder count, AtomicBoolean logged, String what, String unused, Exception why) {
        count.increment();
        if (!logged.getAndSet(true)) {
            LOG.log(System.Logger.Level.WARNING, what + " not read: " + why.getMessage() + "; " + unused
                    + " (logged once; counted)");
        }
    }
}
