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
                        bundle, bundleAnnotations(bundle)));
            }
            if (Files.isRegularFile(crun)) {
                JsonNode s = JSON.readTree(crun.toFile());
                Path bundle = s.hasNonNull("bundle") ? Path.of(s.path("bundle").asText()) : null;
                return Optional.of(new OciState(id, root.engine(), s.path("pid").asInt(0), bundle, bundleAnnotations(bundle)));
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

    /** The annotations of a bundle's config.json; empty when it has none or is gone. */
    static Map<String, String> bundleAnnotations(Path bundle) {
        Map<String, String> out = new LinkedHashMap<>();
        if (bundle == null) {
            return out;
        }
        try {
            JsonNode cfg = JSON.readTree(bundle.resolve("config.json").toFile());
            cfg.path("annotations").properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (IOException | RuntimeException e) {
            // A bundle without a readable config has no annotations.
        }
        return out;
    }
}
