package io.eunomia.enforcer.caps;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes a {@link CapabilitySet} as what each tool takes: drop everything, add back what the
 * workload was granted. Capabilities it tried and was refused are named in a comment where the
 * format has comments.
 */
public final class CapsEmitter {
    private CapsEmitter() {
    }

    public static String emit(CapabilitySet set, CapsFormat format) {
        return switch (format) {
            case DOCKER -> docker(set);
            case COMPOSE -> compose(set);
            case OCI -> Json.write(oci(set));
            case K8S -> k8s(set);
        };
    }

    /** {@code --cap-drop=ALL --cap-add=CAP_CHOWN ...}: docker run, podman run, docker create. */
    static String docker(CapabilitySet set) {
        List<String> flags = new ArrayList<>();
        flags.add("--cap-drop=ALL");
        set.keep().forEach(c -> flags.add("--cap-add=" + c.capName()));
        return String.join(" ", flags) + "\n";
    }

    static String compose(CapabilitySet set) {
        StringBuilder b = new StringBuilder();
        b.append("cap_drop:\n  - ALL\n");
        if (!set.keep().isEmpty()) {
            b.append("cap_add:\n");
            set.keep().forEach(c -> b.append("  - ").append(c.name()).append('\n'));
        }
        appendRefused(b, set, "");
        return b.toString();
    }

    /**
     * The {@code process.capabilities} of an OCI config: bounding, effective and permitted; for a
     * workload that runs as another user than root also inheritable and ambient, without which a
     * non-root process loses them at exec.
     */
    public static ObjectNode ociCapabilities(CapabilitySet set) {
        ObjectNode caps = Json.object();
        List<String> names = set.keep().stream().map(Capability::capName).toList();
        caps.set("bounding", Json.strings(names));
        caps.set("effective", Json.strings(names));
        caps.set("permitted", Json.strings(names));
        if (set.nonRoot()) {
            caps.set("inheritable", Json.strings(names));
            caps.set("ambient", Json.strings(names));
        }
        return caps;
    }

    static ObjectNode oci(CapabilitySet set) {
        ObjectNode root = Json.object();
        root.putObject("process").set("capabilities", ociCapabilities(set));
        return root;
    }

    static String k8s(CapabilitySet set) {
        StringBuilder b = new StringBuilder();
        b.append("securityContext:\n  capabilities:\n    drop:\n      - ALL\n");
        if (!set.keep().isEmpty()) {
            b.append("    add:\n");
            set.keep().forEach(c -> b.append("      - ").append(c.name()).append('\n'));
        }
        appendRefused(b, set, "");
        return b.toString();
    }

    private static void appendRefused(StringBuilder b, CapabilitySet set, String indent) {
        if (!set.triedDenied().isEmpty()) {
            b.append(indent).append("# tried and refused while learning, so not needed: ")
                    .append(set.triedDenied().stream().map(Capability::name).collect(Collectors.joining(", ")))
                    .append('\n');
        }
    }
}
